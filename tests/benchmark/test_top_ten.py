"""The Top 10: ties share a rank, names only with consent, hidden until published."""

from decimal import Decimal

import pytest
from django.urls import reverse

from benchmark.models import NamingConsent
from tests.benchmark.test_results_page import submitted
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
URL = reverse("benchmark:top_ten", args=[2026])


@pytest.fixture
def twelve(edition):
    scores = [90, 85, 85, 80, 70, 60, 50, 40, 30, 30, 30, 10]
    scans = [
        submitted(edition, OrganisationFactory(name=f"Gemeente{i:02d}"), s)
        for i, s in enumerate(scores)
    ]
    for scan in scans[:3]:
        NamingConsent.objects.create(
            organisation=scan.organisation, edition=edition, may_be_named=True
        )
    return scans


def test_the_top_ten_is_hidden_until_the_organiser_publishes_it(client, twelve, alice, organiser):
    assert client.get(URL).status_code == 404
    client.force_login(alice)
    assert client.get(URL).status_code == 404
    assert client.post(URL).status_code == 404  # not even that a Top 10 is being prepared
    client.force_login(organiser)
    preview = client.get(URL).content.decode()
    assert "Voorvertoning voor de organisator" in preview
    client.post(URL)
    client.logout()
    public = client.get(URL)
    assert public.status_code == 200
    assert "Voorvertoning" not in public.content.decode()


def test_ties_share_a_rank_and_a_tie_for_tenth_is_shown_whole(client, twelve, organiser):
    client.force_login(organiser)
    client.post(URL)
    rows = client.get(URL).context["rows"]
    assert [r.rank for r in rows] == [1, 2, 2, 4, 5, 6, 7, 8, 9, 9, 9]
    assert [r.score for r in rows][:3] == [Decimal(90), Decimal(85), Decimal(85)]
    assert [r.top_three for r in rows][:4] == [True, True, True, False]


def test_only_municipalities_that_agreed_are_named(client, twelve, organiser):
    client.force_login(organiser)
    client.post(URL)
    body = client.get(URL).content.decode()
    assert "Gemeente00" in body and "Gemeente01" in body and "Gemeente02" in body
    assert "Gemeente03" not in body
    assert body.count("Anonieme deelnemer") == 8


def test_the_penvoerder_chooses_to_be_named_on_the_results_page(client, alice, edition, organiser):
    submitted(edition, alice.organisation, 95)
    client.force_login(alice)
    page = client.get(reverse("benchmark:results", args=["gm0197", 2026])).content.decode()
    assert "Onze gemeente mag worden genoemd als zij in de Top 10 staat" in page
    client.post(reverse("benchmark:naming_consent", args=["gm0197", 2026]), {"may_be_named": "on"})
    assert NamingConsent.objects.get(organisation=alice.organisation).may_be_named
    client.force_login(organiser)
    client.post(URL)
    assert "Aalten" in client.get(URL).content.decode()


def test_a_contributor_cannot_decide_on_naming(client, alice, bob, edition):
    submitted(edition, alice.organisation, 95)
    client.force_login(bob)
    assert (
        client.post(
            reverse("benchmark:naming_consent", args=["gm0197", 2026]), {"may_be_named": "on"}
        ).status_code
        == 403
    )
    assert not NamingConsent.objects.exists()
