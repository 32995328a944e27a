"""Reads of the results app. Each works from one query over an edition's scores, whatever the
number of municipalities, and hands out only what benchmark/statistics.py allows."""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from monitor.dimensions import TAG_DIMENSIONS, Category, Level, tag_label
from monitor.models import Answer, Edition, Organisation, Scan

from .advice import MASTERCLASS_FOR, MASTERCLASSES, advice_for, weakest
from .models import ImprovementGoal, NamingConsent, ScanScore
from .province import (
    ALL_CATEGORIES,
    NO_PREVIOUS_EDITION,
    NOT_IN_PREVIOUS_EDITION,
    province_statistics,
    scan_figures,
)
from .scoring import stage
from .statistics import PeerSummary, median_or_none, peer_summary, ranks_with_ties

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
    comparison = {}
    for dimension, score in own.items():
        groups = others[dimension]
        comparison[dimension] = {
            group: peer_summary(score, groups[group], min_size=settings.MIN_GROUP_SIZE)
            if not _differs_by_too_few(groups, group)
            else None
            for group in GROUPS
        }
    return comparison


def _differs_by_too_few(groups: dict[str, list], group: str) -> bool:
    """A region inside its province (and a province inside all participants) that differs from
    it by fewer than the minimum group size would give away those few municipalities' scores:
    comparing the two medians can show one municipality's exact score. Then the smaller group
    is not shown either."""
    size = len(groups[group])
    larger = GROUPS[: GROUPS.index(group)]  # "all" contains "province" contains "region"
    return any(0 < len(groups[other]) - size < settings.MIN_GROUP_SIZE for other in larger)


def dimension_label(dimension: str) -> str:
    """How a score key reads on the page: "overall", a level, or a dimension value."""
    if dimension == "overall":
        return _("Overall")
    kind, _sep, value = dimension.partition(":")
    if kind == "level":
        return Level(value).label
    return tag_label(value)


def dimension_rows(scan: Scan) -> list[dict]:
    """The scan's scores in the order of the four dimensions, each with its comparison."""
    own = scan_scores(scan)
    comparison = scan_comparison(scan) if own else {}
    order = ["overall", *(f"level:{v}" for v in Level.values)]
    for choices in TAG_DIMENSIONS.values():
        order += [f"tag:{v}" for v in choices.values]
    return [
        {
            "key": key,
            "label": dimension_label(key),
            "score": own[key],
            "stage": stage(own[key]),
            "groups": comparison.get(key, {}),
        }
        for key in order
        if key in own
    ]


def spend_shares(scan: Scan) -> list[dict]:
    """Per procurement category: total and circular spend and the circular share, in euros."""
    values = dict(
        scan.answers.filter(question__key__startswith="spend_").values_list(
            "question__key", "value"
        )
    )
    rows = []
    for category in Category:
        total = values.get(f"spend_{category.value}_totaal")
        circular = values.get(f"spend_{category.value}_circulair")
        share = None
        try:
            if total and circular and Decimal(total) > 0:
                share = (Decimal(100) * Decimal(circular) / Decimal(total)).quantize(Decimal("0.1"))
        except (InvalidOperation, TypeError):  # a value that did not come through the form
            total = circular = None
        rows.append({"label": category.label, "total": total, "circular": circular, "share": share})
    return rows


def dimension_trends(scan: Scan) -> dict[str, list[dict]]:
    """Per dimension, the municipality's score in each edition it submitted, against the median
    of all submitted scans of that edition (only over at least the minimum group size). The
    dimensions are stable across editions, the questions behind them keep their keys. One
    query, over every edition."""
    rows = ScanScore.objects.filter(scan__status=Scan.Status.SUBMITTED).values_list(
        "dimension", "scan__edition__year", "scan__organisation_id", "score"
    )
    others: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    own: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for dimension, year, organisation_id, score in rows:
        if organisation_id == scan.organisation_id:
            own[dimension][year] = score
        else:
            others[dimension, year].append(score)
    return {
        dimension: [
            {
                "year": year,
                "own": scores_by_year[year],
                "median": median_or_none(others[dimension, year], min_size=settings.MIN_GROUP_SIZE),
            }
            for year in sorted(scores_by_year)
        ]
        for dimension, scores_by_year in own.items()
    }


def overall_trend(scan: Scan) -> list[dict]:
    return dimension_trends(scan).get("overall", [])


def trend_table(trends: dict[str, list[dict]], rows: list[dict]) -> tuple[list[int], list[dict]]:
    """The trend of every dimension of the results table, as (years, rows with one cell per
    year) for the table beside the trend chart."""
    years = sorted({point["year"] for points in trends.values() for point in points})
    table = []
    for row in rows:
        by_year = {point["year"]: point for point in trends.get(row["key"], [])}
        table.append({"label": row["label"], "cells": [by_year.get(year) for year in years]})
    return years, table


def scan_advice(scan: Scan) -> list[dict]:
    """Advice for the three weakest dimension values: two queries."""
    own = scan_scores(scan)
    questions = list(scan.edition.questions.prefetch_related("options"))
    points = dict(scan.answers.values_list("question__key", "points"))
    fractions = {}
    for question in questions:
        maximum = question.max_points()
        got = points.get(question.key)
        if got is not None and maximum > 0:
            fractions[question.key] = min(Decimal(got) / maximum, Decimal(1))
    return [
        {
            "label": tag_label(tag),
            "score": own[f"tag:{tag}"],
            "questions": advice_for(tag, questions, fractions),
            "masterclass": MASTERCLASSES[MASTERCLASS_FOR[tag]],
            "masterclass_number": MASTERCLASS_FOR[tag],
        }
        for tag in weakest(own)
    ]


TOP = 10


def top_ten(edition) -> list[dict]:
    """The highest overall scores of the edition, ranks shared on ties (so a tie for tenth place
    shows all who share it); a municipality is named only with its consent. Two queries."""
    rows = list(
        ScanScore.objects.filter(
            scan__edition=edition, scan__status=Scan.Status.SUBMITTED, dimension="overall"
        )
        .values_list("scan__organisation_id", "scan__organisation__name", "score")
        .order_by("-score", "scan__organisation__name")
    )
    named = set(
        NamingConsent.objects.filter(edition=edition, may_be_named=True).values_list(
            "organisation_id", flat=True
        )
    )
    # Within a tie the named come first, by name; the anonymous keep no order of their own.
    rows.sort(key=lambda row: (-row[2], row[0] not in named, row[1] if row[0] in named else ""))
    ranks = ranks_with_ties([score for _, _, score in rows])
    return [
        {
            "rank": rank,
            "score": score,
            "name": name if organisation_id in named else None,
            "top_three": rank <= 3,
        }
        for (organisation_id, name, score), rank in zip(rows, ranks, strict=True)
        if rank <= TOP
    ]


def goals(scan: Scan) -> dict[str, list[dict]]:
    """The goals set this edition for next year, and last edition's goals with whether this
    year's score reached them. Two queries."""
    own = scan_scores(scan)
    rows = ImprovementGoal.objects.filter(
        organisation=scan.organisation, edition__year__in=[scan.edition.year, scan.edition.year - 1]
    ).select_related("edition")
    result = {"next": [], "previous": []}
    for goal in sorted(rows, key=lambda g: g.dimension):
        entry = {"label": dimension_label(goal.dimension), "target": goal.target}
        if goal.edition_id == scan.edition_id:
            result["next"].append(entry)
        else:
            entry["score"] = own.get(goal.dimension)
            entry["reached"] = entry["score"] is not None and entry["score"] >= goal.target
            result["previous"].append(entry)
    return result


# --- The province's statistics --------------------------------------------------------------


def province_editions():
    """The editions the province has statistics of: those whose filling-in has ended. While an
    edition is open, two downloads a submission apart would give away that municipality's
    figures. Newest first."""
    return Edition.objects.filter(
        status__in=[Edition.Status.CLOSED, Edition.Status.PUBLISHED]
    ).order_by("-year")


def province_figures(province: str, edition) -> dict[str, list]:
    """Per region of the province (every region its municipalities have, "" for none), the
    figures of the edition's submitted scans: four queries, however many municipalities."""
    regions = Organisation.objects.filter(
        kind=Organisation.Kind.MUNICIPALITY, province=province
    ).values_list("region", flat=True)
    figures: dict[str, list] = {region: [] for region in regions}
    scans = dict(
        Scan.objects.filter(
            edition=edition,
            status=Scan.Status.SUBMITTED,
            organisation__province=province,
            organisation__kind=Organisation.Kind.MUNICIPALITY,
        ).values_list("pk", "organisation__region")
    )
    spend: dict[int, list] = defaultdict(list)
    for scan_id, key, value in Answer.objects.filter(
        scan_id__in=scans, question__key__startswith="spend_"
    ).values_list("scan_id", "question__key", "value"):
        spend[scan_id].append((key, value))
    scores: dict[int, dict] = defaultdict(dict)
    for scan_id, dimension, score in ScanScore.objects.filter(scan_id__in=scans).values_list(
        "scan_id", "dimension", "score"
    ):
        scores[scan_id][dimension] = score
    for scan_id, region in scans.items():
        figures[region].append(scan_figures(spend[scan_id], scores[scan_id]))
    return figures


def province_table(province: str, edition) -> list:
    """The province's statistics of the edition, suppressed (benchmark/province.py), with the
    growth against the edition before it."""
    previous = province_editions().filter(year__lt=edition.year).first()
    return province_statistics(
        province,
        province_figures(province, edition),
        province_figures(province, previous) if previous else None,
        min_size=settings.MIN_GROUP_SIZE,
    )


GROWTH_NOTES = {
    # A shown area's growth, hidden to protect (AreaStatistics.no_growth is empty then).
    "": _("growth not shown, to protect the figures of individual municipalities"),
    NO_PREVIOUS_EDITION: _("growth: there is no previous edition to compare with"),
    NOT_IN_PREVIOUS_EDITION: _("growth: this area has no submitted scans in the previous edition"),
}


def province_rows(areas: list) -> list[dict]:
    """The statistics as rows of one table, for the page and every download alike: per area,
    a row per procurement category, one for all categories together, and one per dimension
    score. A hidden figure is None. A figure hidden to protect has the same note whatever the
    reason, so the note does not tell a small group from a group hidden to protect another;
    growth that is missing because there is nothing to compare with says so instead."""
    hidden_note = _("not shown, to protect the figures of individual municipalities")
    rows = []
    for area in areas:
        name = area.name or str(_("(no region)"))
        kind = _("province") if area.is_province else _("region")
        if not area.shown:
            spend_note = hidden_note
        elif area.growth_shown:
            spend_note = ""
        else:
            spend_note = GROWTH_NOTES[area.no_growth]
        base = {"area": name, "kind": kind, "area_shown": area.shown, "spend_note": spend_note}
        for spend in area.spend:
            label = (
                _("All categories")
                if spend.category == ALL_CATEGORIES
                else tag_label(spend.category)
            )
            rows.append(
                {
                    **base,
                    "part": label,
                    "is_spend": True,
                    "participants": area.participants if area.shown else None,
                    "total": spend.total if area.shown else None,
                    "circular": spend.circular if area.shown else None,
                    "share": spend.share if area.shown else None,
                    "growth": spend.growth if area.growth_shown else None,
                    "growth_percent": spend.growth_percent if area.growth_shown else None,
                    "mean_score": spend.mean_score if area.shown else None,
                    "note": spend_note,
                }
            )
        for dimension, mean in area.scores.items():
            rows.append(
                {
                    **base,
                    "part": dimension_label(dimension),
                    "is_spend": False,
                    "participants": area.participants if area.shown else None,
                    "mean_score": mean if area.shown else None,
                    "note": "" if area.shown else hidden_note,
                }
            )
    return rows
