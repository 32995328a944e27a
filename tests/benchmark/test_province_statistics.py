"""The province's statistics: hand-computed figures, primary and secondary suppression, a
reader who tries to recompute a hidden cell from the other cells of the downloads, and only
editions whose filling-in has ended."""

import csv
import io
from decimal import Decimal
from fractions import Fraction
from itertools import count

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from benchmark.models import ScanScore
from monitor.dimensions import Category
from monitor.models import Answer, Edition, Scan
from tests.factories import OrganisationFactory, questionnaire_build

pytestmark = pytest.mark.django_db

codes = count(1)


@pytest.fixture
def closed(edition):
    """The 2026 edition, its filling-in ended: the province sees no open edition."""
    edition.status = Edition.Status.CLOSED
    edition.save(update_fields=["status"])
    return edition


def submitted(edition, region, total, circular, overall, organisation=None):
    """A submitted scan of a (new) municipality of Gelderland in ``region``."""
    organisation = organisation or OrganisationFactory(
        cbs_code=f"GM8{next(codes):03d}", name=f"Verborgen{next(codes)}", region=region
    )
    scan = Scan.objects.create(
        organisation=organisation, edition=edition, status=Scan.Status.SUBMITTED
    )
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


AREA, KIND, PART = "Gebied", "Soort gebied", "Categorie of dimensie"


def cell(rows, area, part, column):
    (row,) = [r for r in rows if r[AREA] == area and r[PART] == part]
    value = row[column]
    return Decimal(value) if value else None


GWW = "Grond-, Weg- en Waterbouw"
ALL = "Alle categorieën"
NOTE = "Opmerking"
with translation.override("nl"):
    CATEGORIES = [str(category.label) for category in Category]
    NOTHING_LAST_YEAR = translation.gettext(
        "growth: this area has no submitted scans in the previous edition"
    )
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


def test_the_figures_equal_hand_computed_ones(client, province_user, closed):
    previous = Edition.objects.get(year=2025)
    for total, circular, earlier, overall in (
        (100, 10, 5, 40),
        (200, 20, 10, 50),
        (300, 30, 15, 60),
        (400, 40, 20, 70),
        (500, 50, 25, 80),
    ):
        organisation = submitted(closed, "Achterhoek", total, circular, overall)
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


def test_a_group_of_four_is_hidden_and_a_group_of_five_shown(client, province_user, closed):
    for n in range(5):
        submitted(closed, "Achterhoek", 1000 + n, 100 + n, 50)
    for n in range(4):
        submitted(closed, "Rivierenland", 2000 + n, 300 + n, 60)
    submitted(closed, "Veluwe", 5000, 900, 70)  # with the four, the hidden regions hold five
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


def relations(rows, year, previous_year=None) -> list[dict]:
    """The sums a reader knows to hold between the cells of one edition's download, each as
    {cell: coefficient} adding up to zero: the province is the sum of its regions (per
    category and column), all categories are the sum of the categories (per area), every row
    of an area has the same participants, and — with last year's download — growth is this
    year's circular spend minus last year's."""
    areas = list(dict.fromkeys(r[AREA] for r in rows))
    province, regions = areas[0], areas[1:]
    columns = (
        (PARTICIPANTS, TOTAL, CIRCULAR, GROWTH)
        if previous_year
        else (PARTICIPANTS, TOTAL, CIRCULAR)
    )
    found = []
    for part in [*CATEGORIES, ALL]:
        for column in columns:
            found.append(
                {
                    (year, province, part, column): 1,
                    **{(year, r, part, column): -1 for r in regions},
                }
            )
    for area in areas:
        for column in columns[1:]:
            found.append(
                {(year, area, ALL, column): 1, **{(year, area, c, column): -1 for c in CATEGORIES}}
            )
        for part in CATEGORIES:
            found.append({(year, area, ALL, PARTICIPANTS): 1, (year, area, part, PARTICIPANTS): -1})
        for part in [*CATEGORIES, ALL] if previous_year else []:
            found.append(
                {
                    (year, area, part, GROWTH): 1,
                    (year, area, part, CIRCULAR): -1,
                    (previous_year, area, part, CIRCULAR): 1,
                }
            )
    return found


def cells(rows, year) -> dict:
    """The spend figures of one download, None where hidden."""
    return {
        (year, r[AREA], r[PART], column): Decimal(r[column]) if r[column] else None
        for r in rows
        if r[PART] in (*CATEGORIES, ALL)
        for column in (PARTICIPANTS, TOTAL, CIRCULAR, GROWTH)
    }


def _subtract(row: dict, other: dict, factor) -> dict:
    result = {k: row.get(k, 0) - factor * other.get(k, 0) for k in row.keys() | other.keys()}
    return {k: v for k, v in result.items() if v}


def recomputable(current, previous=None) -> tuple[dict, int]:
    """What a reader of this year's download (``(year, rows)``) and last year's can recompute
    of the hidden spend cells, by any combination of the relations between the cells: a
    Gauss–Jordan elimination over the rationals. Returns {hidden cell: value it must have} and
    the number of hidden cells tried."""
    year, rows = current
    known = cells(rows, year)
    equations = relations(rows, year, previous[0] if previous else None)
    if previous:
        known |= {k: v for k, v in cells(previous[1], previous[0]).items() if k[3] != GROWTH}
        equations += relations(previous[1], previous[0])
        # An area whose note says it had no scans last year gives away that its figures of last
        # year are zero, and so its growth is its circular spend.
        for line in rows:
            area, part = line[AREA], line[PART]
            if line[NOTE] == NOTHING_LAST_YEAR and part in (*CATEGORIES, ALL):
                for column in (PARTICIPANTS, TOTAL, CIRCULAR):
                    known[previous[0], area, part, column] = Decimal(0)
                known[year, area, part, GROWTH] = known[year, area, part, CIRCULAR]
    pivots: dict = {}
    for equation in equations:
        assert equation.keys() <= known.keys(), equation.keys() - known.keys()
        row = {c: Fraction(k) for c, k in equation.items() if known[c] is None}
        value = -sum(
            Fraction(k) * Fraction(known[c]) for c, k in equation.items() if known[c] is not None
        )
        for pivot, (pivot_row, pivot_value) in pivots.items():
            if pivot in row:
                value -= row[pivot] * pivot_value
                row = _subtract(row, pivot_row, row[pivot])
        if not row:
            continue
        pivot = next(iter(row))
        factor = row[pivot]
        row, value = {c: k / factor for c, k in row.items()}, value / factor
        for other, (other_row, other_value) in list(pivots.items()):
            if pivot in other_row:
                factor = other_row[pivot]
                pivots[other] = (_subtract(other_row, row, factor), other_value - factor * value)
        pivots[pivot] = (row, value)
    hidden = sum(1 for value in known.values() if value is None)
    return {c: value for c, (row, value) in pivots.items() if len(row) == 1}, hidden


def test_the_reader_recomputes_a_cell_that_is_hidden_alone(client, province_user, closed):
    """The check is worth only as much as it finds: a cell hidden on its own is recomputed."""
    for region in ("Achterhoek", "Foodvalley"):
        for n in range(5):
            submitted(closed, region, 1000 + n, 100 + n, 50)
    client.force_login(province_user)
    rows = table(client)
    (foodvalley,) = [r for r in rows if r[AREA] == "Foodvalley" and r[PART] == GWW]
    foodvalley[TOTAL] = ""
    recovered, tried = recomputable((2026, rows))
    assert tried > 0
    assert recovered[2026, "Foodvalley", GWW, TOTAL] == 5010


def test_one_hidden_region_hides_another_so_it_cannot_be_recomputed(client, province_user, closed):
    previous = Edition.objects.get(year=2025)
    truth = {}
    for region, size, total in (
        ("Achterhoek", 5, 1000),
        ("Foodvalley", 6, 3000),
        ("Rivierenland", 4, 7000),
    ):
        for n in range(6):  # last year six in each region: every figure shown
            organisation = submitted(previous, region, total, total // 20 + n, 40)
            if n < size:
                submitted(closed, region, total + n, total // 10 + n, 40 + n, organisation)
        truth[region] = sum(total + n for n in range(size))
    client.force_login(province_user)
    rows = table(client)
    assert cell(rows, "Rivierenland", GWW, TOTAL) is None  # four: hidden
    assert cell(rows, "Achterhoek", GWW, TOTAL) is None  # five, but hidden to protect the four
    assert cell(rows, "Foodvalley", GWW, TOTAL) == truth["Foodvalley"]
    assert cell(rows, "Gelderland", GWW, GROWTH) is not None
    recovered, tried = recomputable((2026, rows), (2025, table(client, 2025)))
    assert tried > 0
    assert recovered == {}
    # The province minus Foodvalley is Achterhoek and Rivierenland together: nine municipalities.
    assert cell(rows, "Gelderland", GWW, TOTAL) - truth["Foodvalley"] == (
        truth["Achterhoek"] + truth["Rivierenland"]
    )


def test_growth_does_not_give_away_a_region_hidden_last_year(client, province_user, closed):
    previous = Edition.objects.get(year=2025)
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
                organisation = submitted(closed, region, 10_000, base + n, 50)
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
    recovered, tried = recomputable((2026, rows), (2025, table(client, 2025)))
    assert tried > 0
    assert recovered == {}
    # And no row carries last year's figures themselves.
    assert not any(str(last_year["Rivierenland"]) in str(row.values()) for row in rows)


def test_the_downloads_hold_the_same_figures_in_every_format(client, province_user, closed):
    for _ in range(5):
        submitted(closed, "Achterhoek", 1000, 100, 50)
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
    assert "Circulair inkopen in Gelderland" in text

    # Asked for from the English page, the PDF is in English too, like the other downloads.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pdf = download(client, file_format="pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Circular procurement in Gelderland" in text and "Circulair" not in text
    assert "5,000" in text


def test_no_page_or_download_names_a_municipality(client, province_user, closed):
    for n in range(6):
        submitted(closed, "Achterhoek", 1000 + n, 100, 50)
    client.force_login(province_user)
    page = client.get(reverse("province:statistics", args=[2026])).content.decode()
    downloads = [download(client, file_format=f).content for f in ("csv", "xlsx")]
    assert "Verborgen" not in page and "GM8" not in page
    assert all(b"Verborgen" not in d and b"GM8" not in d for d in downloads)


def test_other_roles_reach_no_province_statistics(client, alice, servicedesk, closed):
    for user in (alice, servicedesk):
        client.force_login(user)
        assert client.get(reverse("province:statistics", args=[2026])).status_code == 404
        assert client.get(reverse("province:index")).status_code == 404


def test_the_statistics_page_asks_a_fixed_number_of_queries(
    client, province_user, closed, django_assert_max_num_queries
):
    for n in range(12):
        submitted(closed, ("Achterhoek", "Foodvalley")[n % 2], 1000, 100, 50)
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


# --- Only editions whose filling-in has ended ------------------------------------------------


def test_an_open_edition_is_neither_shown_nor_listed_to_the_province(
    client, province_user, edition
):
    # While scans still come in, two downloads a submission apart would give that one away.
    for _ in range(5):
        submitted(edition, "Achterhoek", 1000, 100, 50)
    client.force_login(province_user)
    assert client.get(reverse("province:statistics", args=[2026])).status_code == 404
    for file_format in ("csv", "xlsx", "pdf"):
        url = reverse("province:statistics_download", args=[2026, file_format])
        assert client.get(url).status_code == 404, file_format
    assert client.get(reverse("province:index"))["Location"] == reverse(
        "province:statistics", args=[2025]
    )
    page = client.get(reverse("province:statistics", args=[2025])).content.decode()
    assert reverse("province:statistics", args=[2026]) not in page

    edition.status = Edition.Status.CLOSED
    edition.save(update_fields=["status"])
    assert client.get(reverse("province:index"))["Location"] == reverse(
        "province:statistics", args=[2026]
    )
    assert cell(table(client), "Achterhoek", GWW, TOTAL) == 5000
    page = client.get(reverse("province:statistics", args=[2025])).content.decode()
    assert reverse("province:statistics", args=[2026]) in page


def test_growth_compares_only_with_an_edition_whose_filling_in_has_ended(
    client, province_user, closed
):
    later = questionnaire_build(2027)  # open
    for _ in range(5):
        organisation = submitted(closed, "Achterhoek", 1000, 100, 50)
        submitted(later, "Achterhoek", 1000, 150, 50, organisation=organisation)
    client.force_login(province_user)
    assert client.get(reverse("province:statistics", args=[2027])).status_code == 404
    later.status = Edition.Status.PUBLISHED
    later.save(update_fields=["status"])
    assert cell(table(client, 2027), "Achterhoek", GWW, GROWTH) == 250


# --- Why growth is missing -------------------------------------------------------------------


def english_notes(client, year=2026) -> dict[str, str]:
    """Per area, the note on its spend rows in the English CSV (one note per area)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = download(client, year).content.decode("utf-8-sig")
    notes = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["Category or dimension"] in ("All categories", "Energy"):
            notes.setdefault(row["Area"], set()).add(row["Note"])
    return {area: found.pop() for area, found in notes.items() if len(found) == 1}


def english_page(client, year=2026) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("province:statistics", args=[year])).content.decode()


NO_PREVIOUS = "growth: there is no previous edition to compare with"
NOT_BEFORE = "growth: this area has no submitted scans in the previous edition"
PROTECTED = "growth not shown, to protect the figures of individual municipalities"


def test_without_a_previous_edition_growth_says_so_and_not_that_it_is_hidden(client, province_user):
    only = questionnaire_build(2026, status=Edition.Status.CLOSED)
    for _ in range(5):
        submitted(only, "Achterhoek", 1000, 100, 50)
    client.force_login(province_user)
    assert english_notes(client) == {"Gelderland": NO_PREVIOUS, "Achterhoek": NO_PREVIOUS}
    page = english_page(client)
    assert "Growth: there is no previous edition to compare with." in page
    assert "to protect" not in page


def test_an_area_without_scans_last_year_says_so_and_a_small_one_is_hidden(
    client, province_user, closed
):
    previous = Edition.objects.get(year=2025)
    for region, last_year in (("Achterhoek", 0), ("Foodvalley", 3), ("Rivierenland", 6)):
        for n in range(max(5, last_year)):
            organisation = submitted(closed, region, 1000, 100 + n, 50) if n < 5 else None
            if n < last_year:
                submitted(previous, region, 1000, 50 + n, 50, organisation=organisation)
    client.force_login(province_user)
    notes = english_notes(client)
    assert notes["Achterhoek"] == NOT_BEFORE
    # Foodvalley's three last year are too few; Rivierenland was hidden with them last year.
    assert notes["Foodvalley"] == notes["Rivierenland"] == PROTECTED
    assert notes["Gelderland"] == ""
    page = english_page(client)
    assert "Growth: this area has no submitted scans in the previous edition." in page
    assert "Growth not shown, to protect the figures of individual municipalities." in page
    # Knowing that Achterhoek had none last year gives away neither of the other two.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    recovered, tried = recomputable((2026, table(client)), (2025, table(client, 2025)))
    assert tried > 0
    assert recovered == {}


def test_an_open_edition_before_is_not_compared_with(client, province_user, closed):
    previous = Edition.objects.get(year=2025)
    previous.status = Edition.Status.OPEN
    previous.save(update_fields=["status"])
    for _ in range(5):
        organisation = submitted(closed, "Achterhoek", 1000, 100, 50)
        submitted(previous, "Achterhoek", 1000, 50, 50, organisation=organisation)
    client.force_login(province_user)
    assert cell(table(client), "Gelderland", GWW, GROWTH) is None
    assert english_notes(client) == {"Gelderland": NO_PREVIOUS, "Achterhoek": NO_PREVIOUS}
