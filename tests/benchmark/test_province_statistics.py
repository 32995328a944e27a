"""The province's statistics: hand-computed figures, primary and secondary suppression, and a
reader who tries to recompute a hidden cell from the other cells of the same download."""

import csv
import io
from decimal import Decimal
from itertools import count

import openpyxl
import pytest
from django.urls import reverse

from benchmark.models import ScanScore
from monitor.models import Answer, Scan
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

codes = count(1)


def submitted(edition, region, total, circular, overall, organisation=None):
    """A submitted scan of a (new) municipality of Gelderland in ``region``."""
    organisation = organisation or OrganisationFactory(
        cbs_code=f"GM8{next(codes):03d}", name=f"Verborgen{next(codes)}", region=region
    )
    scan = Scan.objects.create(organisation=organisation, edition=edition, status="submitted")
    for key, value in (("spend_gww_totaal", total), ("spend_gww_circulair", circular)):
        Answer.objects.create(scan=scan, question=edition.questions.get(key=key), value=str(value))
    ScanScore.objects.create(scan=scan, dimension="overall", score=Decimal(overall))
    ScanScore.objects.create(scan=scan, dimension="tag:gww", score=Decimal(overall) / 2)
    return organisation


def download(client, year=2026, file_format="csv"):
    response = client.get(reverse("province:statistics_download", args=[year, file_format]))
    assert response.status_code == 200
    return response


def table(client, year=2026) -> list[dict]:
    text = download(client, year).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def cell(rows, area, part, column):
    (row,) = [r for r in rows if r["Gebied"] == area and r["Categorie of dimensie"] == part]
    value = row[column]
    return Decimal(value) if value else None


GWW = "Grond-, Weg- en Waterbouw"
ALL = "Alle categorieën"
TOTAL, CIRCULAR, GROWTH = (
    "Totaal inkoopvolume (€)",
    "Circulair ingekocht (€)",
    ("Groei circulair ingekocht (€)"),
)
PARTICIPANTS, SHARE, GROWTH_PERCENT, MEAN = (
    "Deelnemers",
    "Circulair aandeel (%)",
    "Groei circulair ingekocht (%)",
    "Gemiddelde score",
)


def test_the_figures_equal_hand_computed_ones(client, province_user, edition):
    previous = edition.__class__.objects.get(year=2025)
    for total, circular, earlier, overall in (
        (100, 10, 5, 40),
        (200, 20, 10, 50),
        (300, 30, 15, 60),
        (400, 40, 20, 70),
        (500, 50, 25, 80),
    ):
        organisation = submitted(edition, "Achterhoek", total, circular, overall)
        submitted(previous, "Achterhoek", total, earlier, overall, organisation=organisation)
    client.force_login(province_user)
    rows = table(client)
    # 100 + 200 + 300 + 400 + 500 = 1500; 10 + … + 50 = 150, 10 %; last year 5 + … + 25 = 75,
    # so growth 150 − 75 = 75 euros, 100 %. Scores: overall (40 + … + 80) / 5 = 60, GWW 30.
    for area in ("Gelderland", "Achterhoek"):
        assert cell(rows, area, GWW, PARTICIPANTS) == 5
        assert cell(rows, area, GWW, TOTAL) == 1500
        assert cell(rows, area, GWW, CIRCULAR) == 150
        assert cell(rows, area, GWW, SHARE) == Decimal("10.0")
        assert cell(rows, area, GWW, GROWTH) == 75
        assert cell(rows, area, GWW, GROWTH_PERCENT) == Decimal("100.0")
        assert cell(rows, area, GWW, MEAN) == Decimal("30.0")
        assert cell(rows, area, ALL, TOTAL) == 1500
        assert cell(rows, area, ALL, MEAN) == Decimal("60.0")
        assert cell(rows, area, "Totaal", MEAN) == Decimal("60.0")
    # Categories nobody spent on count zero; their share is empty rather than 0 %.
    assert cell(rows, "Gelderland", "Energie", TOTAL) == 0
    assert cell(rows, "Gelderland", "Energie", SHARE) is None


def test_a_group_of_four_is_hidden_and_a_group_of_five_shown(client, province_user, edition):
    for n in range(5):
        submitted(edition, "Achterhoek", 1000 + n, 100 + n, 50)
    for n in range(4):
        submitted(edition, "Rivierenland", 2000 + n, 300 + n, 60)
    submitted(edition, "Veluwe", 5000, 900, 70)  # with the four, the hidden regions hold five
    client.force_login(province_user)
    rows = table(client)
    assert cell(rows, "Achterhoek", GWW, TOTAL) == 5010
    assert cell(rows, "Rivierenland", GWW, TOTAL) is None
    assert cell(rows, "Rivierenland", GWW, PARTICIPANTS) is None
    assert cell(rows, "Rivierenland", "Totaal", MEAN) is None
    assert cell(rows, "Veluwe", GWW, CIRCULAR) is None
    assert cell(rows, "Gelderland", GWW, PARTICIPANTS) == 10
    page = client.get(reverse("province:statistics", args=[2026])).content.decode()
    assert "De cijfers van dit gebied worden niet getoond" in page
    assert "2000" not in page and "2.000" not in page


def hidden_values_recomputed(rows, truth, column):
    """Every way a reader of one download could recompute a region's figure from the others:
    the province minus the regions shown. Returns what it finds for each hidden region."""
    found = {}
    regions = {r["Gebied"] for r in rows if r["Soort gebied"] == "regio"}
    province = cell(rows, "Gelderland", GWW, column)
    shown = {region: cell(rows, region, GWW, column) for region in regions}
    hidden = [region for region, value in shown.items() if value is None]
    if province is not None and len(hidden) == 1:
        found[hidden[0]] = province - sum(v for v in shown.values() if v is not None)
    return {region: value for region, value in found.items() if value == truth.get(region)}


def test_one_hidden_region_hides_another_so_it_cannot_be_recomputed(client, province_user, edition):
    truth = {}
    for region, size, total in (
        ("Achterhoek", 5, 1000),
        ("Foodvalley", 6, 3000),
        ("Rivierenland", 4, 7000),
    ):
        for n in range(size):
            submitted(edition, region, total + n, total // 10 + n, 40 + n)
        truth[region] = sum(total + n for n in range(size))
    client.force_login(province_user)
    rows = table(client)
    assert cell(rows, "Rivierenland", GWW, TOTAL) is None  # four: hidden
    assert cell(rows, "Achterhoek", GWW, TOTAL) is None  # five, but hidden to protect the four
    assert cell(rows, "Foodvalley", GWW, TOTAL) == truth["Foodvalley"]
    for column in (TOTAL, CIRCULAR, PARTICIPANTS):
        assert hidden_values_recomputed(rows, truth, column) == {}
    # The province minus Foodvalley is Achterhoek and Rivierenland together: nine municipalities.
    assert cell(rows, "Gelderland", GWW, TOTAL) - truth["Foodvalley"] == (
        truth["Achterhoek"] + truth["Rivierenland"]
    )


def test_growth_does_not_give_away_a_region_hidden_last_year(client, province_user, edition):
    previous = edition.__class__.objects.get(year=2025)
    last_year = {}
    for region, sizes, base in (
        ("Achterhoek", (6, 6), 100),
        ("Foodvalley", (6, 6), 300),
        ("Rivierenland", (6, 4), 700),  # six this year, only four last year
    ):
        now, before = sizes
        last_year[region] = 0
        for n in range(max(now, before)):
            organisation = None
            if n < now:
                organisation = submitted(edition, region, 10_000, base + n, 50)
            if n < before:
                submitted(previous, region, 10_000, base // 2 + n, 50, organisation=organisation)
                last_year[region] += base // 2 + n
    client.force_login(province_user)
    rows = table(client)
    # This year every region is shown; Rivierenland's growth would need last year's four.
    assert cell(rows, "Rivierenland", GWW, CIRCULAR) is not None
    assert cell(rows, "Rivierenland", GWW, GROWTH) is None
    province_growth = cell(rows, "Gelderland", GWW, GROWTH)
    assert province_growth is not None
    # Last year Rivierenland's four hid another region, so two growths are hidden this year and
    # the province's growth minus the one shown mixes two regions' spend of last year.
    growths = {r: cell(rows, r, GWW, GROWTH) for r in ("Achterhoek", "Foodvalley", "Rivierenland")}
    assert sum(1 for g in growths.values() if g is None) == 2
    for region in ("Achterhoek", "Foodvalley", "Rivierenland"):
        if growths[region] is not None:
            continue
        others = sum(g for g in growths.values() if g is not None)
        current = cell(rows, region, GWW, CIRCULAR)
        attempt = current - (province_growth - others)
        assert attempt != last_year[region], f"{region}'s spend of last year can be recomputed"
    # And no row carries last year's figures themselves.
    assert not any(str(last_year["Rivierenland"]) in str(row.values()) for row in rows)


def test_the_downloads_hold_the_same_figures_in_every_format(client, province_user, edition):
    for _ in range(5):
        submitted(edition, "Achterhoek", 1000, 100, 50)
    client.force_login(province_user)
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, file_format="xlsx").content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[0]
    gww = next(v for v in values if v[0] == "Gelderland" and v[2] == GWW)
    assert gww[header.index(TOTAL)] == 5000
    pdf = download(client, file_format="pdf")
    assert pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "5.000" in text and "Achterhoek" in text


def test_no_page_or_download_names_a_municipality(client, province_user, edition):
    for n in range(6):
        submitted(edition, "Achterhoek", 1000 + n, 100, 50)
    client.force_login(province_user)
    page = client.get(reverse("province:statistics", args=[2026])).content.decode()
    downloads = [download(client, file_format=f).content for f in ("csv", "xlsx")]
    assert "Verborgen" not in page and "GM8" not in page
    assert all(b"Verborgen" not in d and b"GM8" not in d for d in downloads)


def test_other_roles_reach_no_province_statistics(client, alice, servicedesk, edition):
    for user in (alice, servicedesk):
        client.force_login(user)
        assert client.get(reverse("province:statistics", args=[2026])).status_code == 404
        assert client.get(reverse("province:index")).status_code == 404


def test_the_statistics_page_asks_a_fixed_number_of_queries(
    client, province_user, edition, django_assert_max_num_queries
):
    for n in range(12):
        submitted(edition, ("Achterhoek", "Foodvalley")[n % 2], 1000, 100, 50)
    client.force_login(province_user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("province:statistics", args=[2026])).status_code == 200


def test_a_hidden_region_without_participants_needs_no_other_hidden():
    from benchmark.province import ScanFigures, province_statistics

    scan = ScanFigures(spend={"gww": (Decimal(100), Decimal(10))}, scores={"overall": Decimal(50)})
    areas = province_statistics(
        "Gelderland", {"Achterhoek": [scan] * 5, "Veluwe": []}, None, min_size=5
    )
    assert [(a.name, a.shown) for a in areas] == [
        ("Gelderland", True),
        ("Achterhoek", True),
        ("Veluwe", False),
    ]
