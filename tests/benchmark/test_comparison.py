"""The position among peers: per group, suppressed below the minimum group size."""

from decimal import Decimal

import pytest

from benchmark.models import ScanScore
from benchmark.selectors import scan_comparison
from monitor.models import Scan
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def submitted(edition, organisation, overall):
    scan = Scan.objects.create(
        organisation=organisation, edition=edition, status=Scan.Status.SUBMITTED
    )
    ScanScore.objects.create(scan=scan, dimension="overall", score=Decimal(overall))
    return scan


def test_groups_of_four_others_are_suppressed_and_of_five_shown(
    edition, municipality_a, django_assert_max_num_queries
):
    own = submitted(edition, municipality_a, 50)  # Achterhoek, Gelderland
    for score in (10, 20, 30, 40):
        submitted(edition, OrganisationFactory(region="Achterhoek"), score)
    submitted(edition, OrganisationFactory(region="Rivierenland"), 60)
    Scan.objects.create(
        organisation=OrganisationFactory(region="Achterhoek"), edition=edition
    )  # open: not counted
    with django_assert_max_num_queries(1):
        comparison = scan_comparison(own)["overall"]
    assert comparison["region"] is None  # four others in Achterhoek
    assert comparison["all"].size == comparison["province"].size == 5
    assert comparison["all"].median == Decimal("30.0")
    assert comparison["all"].percentile == 80


def test_the_query_count_does_not_grow_with_the_number_of_municipalities(
    edition, municipality_a, django_assert_num_queries
):
    own = submitted(edition, municipality_a, 50)
    for score in range(60):
        submitted(edition, OrganisationFactory(), score)
    with django_assert_num_queries(1):
        scan_comparison(own)


def test_a_region_that_differs_from_its_province_by_too_few_is_not_shown(edition, municipality_a):
    # Region: five others. Province: the same five and one more, whose exact score the
    # difference between the two medians would give away.
    own = submitted(edition, municipality_a, 50)
    for score in (10, 20, 30, 40, 50):
        submitted(edition, OrganisationFactory(region="Achterhoek"), score)
    submitted(edition, OrganisationFactory(region="Rivierenland"), 35)
    for score in range(5):  # elsewhere in the country: all participants differ by enough
        submitted(edition, OrganisationFactory(province="Utrecht", region="Eemland"), score)
    comparison = scan_comparison(own)["overall"]
    assert comparison["region"] is None
    assert comparison["province"].size == 6
    assert comparison["all"].size == 11


def test_a_region_equal_to_its_province_is_shown(edition, municipality_a):
    own = submitted(edition, municipality_a, 50)
    for score in (10, 20, 30, 40, 50):
        submitted(edition, OrganisationFactory(region="Achterhoek"), score)
    comparison = scan_comparison(own)["overall"]
    assert comparison["region"] == comparison["province"] == comparison["all"]
