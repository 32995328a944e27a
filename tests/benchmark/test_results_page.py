"""The results page: own scores, position among peers, spend, trend — and nothing that names
another municipality, in the page or in its charts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from benchmark.models import ScanScore
from monitor.models import Answer, Scan
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def submitted(edition, organisation, overall, **answers):
    scan = Scan.objects.create(
        organisation=organisation, edition=edition, status=Scan.Status.SUBMITTED
    )
    ScanScore.objects.create(scan=scan, dimension="overall", score=Decimal(overall))
    ScanScore.objects.create(scan=scan, dimension="tag:gww", score=Decimal(overall) / 2)
    for key, value in answers.items():
        Answer.objects.create(scan=scan, question=edition.questions.get(key=key), value=value)
    return scan


@pytest.fixture
def peers(edition):
    """Seven other submitted municipalities with names and codes that must never show."""
    return [
        submitted(
            edition,
            OrganisationFactory(
                cbs_code=f"GM98{i:02d}",
                name=f"Geheimstad{i}",
                region="Achterhoek" if i < 4 else "Rivierenland",
            ),
            10 * i,
        )
        for i in range(1, 8)
    ]


def results(client, name="results", **kwargs):
    return client.get(reverse(f"benchmark:{name}", args=["gm0197", 2026, *kwargs.values()]))


def test_results_show_scores_stage_and_position(client, alice, edition, peers):
    submitted(
        edition, alice.organisation, 45, spend_gww_totaal="1000000", spend_gww_circulair="150000"
    )
    client.force_login(alice)
    body = results(client).content.decode()
    assert "Uw totaalscore is 45,0 van de 100: fase “Toepassen”." in body
    # all 7 others: 10..70, median 40; province the same; region Achterhoek has 3 others
    assert "mediaan 40,0 (middelste helft 25,0–55,0); uw percentiel 57 van 7" in body
    assert body.count("niet getoond: minder dan 5 andere") == 2  # the region, overall and GWW
    assert "15,0%" in body  # circular share of GWW spend
    assert "Advies op maat" in body
    assert "Passende masterclass: Masterclass 3: van beleid naar uitvoering." in body  # GWW
    assert "10%" in body


def test_nothing_in_the_page_or_its_charts_names_another_municipality(
    client, alice, edition, peers
):
    submitted(edition, alice.organisation, 45)
    client.force_login(alice)
    responses = [results(client)] + [
        results(client, "results_chart", chart=c) for c in ("scores", "spend", "trend")
    ]
    for response in responses:
        assert response.status_code == 200
        content = response.content.decode()
        for peer in peers:
            assert peer.organisation.name not in content
            assert peer.organisation.cbs_code not in content.upper()
    assert responses[1]["Content-Type"] == "image/svg+xml"


def test_a_scan_not_yet_submitted_shows_no_results(client, alice, scan_a, peers):
    client.force_login(alice)
    assert "zodra uw scan is ingediend" in results(client).content.decode()
    assert results(client, "results_chart", chart="scores").status_code == 404


def test_the_results_page_runs_the_same_queries_for_more_municipalities(
    client, alice, edition, peers, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submitted(edition, alice.organisation, 45)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as few:
        results(client)
    for i in range(30):
        submitted(edition, OrganisationFactory(), i)
    with django_assert_num_queries(len(few)):
        results(client)


def test_another_municipality_cannot_see_the_results(client, charlie, alice, edition, peers):
    submitted(edition, alice.organisation, 45)
    client.force_login(charlie)
    assert results(client).status_code == 404
    assert results(client, "results_chart", chart="scores").status_code == 404


def test_the_trend_compares_with_the_median_of_each_edition(client, alice, edition, peers):
    from monitor.models import Edition

    previous = Edition.objects.get(year=2025)
    submitted(previous, alice.organisation, 30)
    for peer in peers[:5]:
        submitted(previous, peer.organisation, 20)
    submitted(edition, alice.organisation, 45)
    client.force_login(alice)
    body = results(client).content.decode()
    assert "Uw score per editie, met tussen haakjes de mediaan van alle deelnemers" in body
    assert "30,0 (20,0)" in body  # overall 2025: own 30, median of the five others 20
    assert "15,0 (10,0)" in body  # GWW 2025: half of each


def test_a_share_on_a_tie_rounds_half_up_as_the_province_statistics_do(
    client, alice, edition, peers
):
    # 12.25 % exactly: half-even rounding would say 12,2 % here and 12,3 % in the province's.
    submitted(edition, alice.organisation, 45, spend_gww_totaal="40000", spend_gww_circulair="4900")
    client.force_login(alice)
    assert "12,3%" in results(client).content.decode()


def test_a_spend_value_that_is_not_a_number_shows_a_dash_not_an_error(
    client, alice, edition, peers
):
    submitted(edition, alice.organisation, 45, spend_gww_totaal="abc", spend_gww_circulair="1")
    client.force_login(alice)
    assert results(client).status_code == 200
    assert results(client, "results_chart", chart="spend").status_code == 200


def test_naming_consent_needs_a_submitted_scan(client, alice, scan_a):
    client.force_login(alice)
    response = client.post(
        reverse("benchmark:naming_consent", args=["gm0197", 2026]), {"may_be_named": "on"}
    )
    assert response.status_code == 404


def test_a_chart_is_drawn_again_once_another_scan_is_submitted(client, alice, edition, peers):
    from benchmark import charts

    submitted(edition, alice.organisation, 45)
    client.force_login(alice)
    url = reverse("benchmark:results_chart", args=["gm0197", 2026, "scores"])
    first = client.get(url).content
    assert client.get(url).content == first  # from the cache
    newcomer = submitted(edition, OrganisationFactory(cbs_code="GM9899", name="Nieuwstad"), 95)
    ScanScore.objects.filter(scan=newcomer).update(score=Decimal(95))
    redrawn = client.get(url).content
    assert redrawn != first
    assert (
        redrawn
        == charts.scan_chart(Scan.objects.get(organisation=alice.organisation), "scores").encode()
    )


def scan_result_urls() -> list[str]:
    """Every URL of one scan's results, read from the URL configuration: a results view added
    later is covered without anyone adding it here."""
    from benchmark import urls

    found = []
    for pattern in urls.urlpatterns:
        converters = pattern.pattern.converters
        if "code" in converters:
            kwargs = {"code": "gm0197", "year": 2026}
            if "chart" in converters:
                kwargs["chart"] = "scores"  # one that exists: the refusal is for the scan
            found.append(reverse(f"benchmark:{pattern.name}", kwargs=kwargs))
    return found


@pytest.mark.parametrize("state", ["not started", "in progress", "reopened"])
def test_every_results_url_of_a_scan_not_submitted_is_refused(
    client, alice, edition, peers, state, django_capture_on_commit_callbacks
):
    from benchmark.models import ImprovementGoal, NamingConsent, Report

    client.force_login(alice)
    if state == "in progress":
        Scan.objects.create(organisation=alice.organisation, edition=edition)
    if state == "reopened":
        scan = submitted(edition, alice.organisation, 45)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("benchmark:report", args=["gm0197", 2026]))
        assert results(client, "report_download").status_code == 200
        Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.OPEN)
    tables = (Scan, Report, NamingConsent, ImprovementGoal)
    before = [list(model.objects.values()) for model in tables]
    urls = scan_result_urls()
    assert len(urls) == 6
    for url in urls:
        for method in (client.get, client.post):
            response = method(url, {"may_be_named": "on", "dimension": "overall", "target": "50"})
            if url == reverse("benchmark:results", args=["gm0197", 2026]) and method == client.get:
                # Only the results page says why: the results come once the scan is submitted.
                assert response.status_code == 200
                assert "zodra uw scan is ingediend" in response.content.decode()
                assert "45,0" not in response.content.decode()
            else:
                assert response.status_code in (404, 405), (method, url)
    assert [list(model.objects.values()) for model in tables] == before
