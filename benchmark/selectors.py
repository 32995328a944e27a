"""Reads of the results app. Each works from one query over an edition's scores, whatever the
number of municipalities, and hands out only what benchmark/statistics.py allows."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings

from monitor.models import Scan

from .models import ScanScore
from .statistics import PeerSummary, peer_summary

GROUPS = ("all", "province", "region")


def scan_scores(scan: Scan) -> dict[str, Decimal]:
    return dict(scan.scores.values_list("dimension", "score"))


def scan_comparison(scan: Scan) -> dict[str, dict[str, PeerSummary | None]]:
    """Per dimension, the scan's position among the other submitted scans of its edition: all
    participants, its province and its region. None where a group is too small to show."""
    rows = ScanScore.objects.filter(
        scan__edition=scan.edition, scan__status=Scan.Status.SUBMITTED
    ).values_list(
        "scan_id",
        "scan__organisation__province",
        "scan__organisation__region",
        "dimension",
        "score",
    )
    own: dict[str, Decimal] = {}
    others: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    organisation = scan.organisation
    for scan_id, province, region, dimension, score in rows:
        if scan_id == scan.pk:
            own[dimension] = score
            continue
        others[dimension]["all"].append(score)
        if province == organisation.province:
            others[dimension]["province"].append(score)
        if region and region == organisation.region:
            others[dimension]["region"].append(score)
    return {
        dimension: {
            group: peer_summary(score, others[dimension][group], min_size=settings.MIN_GROUP_SIZE)
            for group in GROUPS
        }
        for dimension, score in own.items()
    }
