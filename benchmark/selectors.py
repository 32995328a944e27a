"""Reads of the results app. Each works from one query over an edition's scores, whatever the
number of municipalities, and hands out only what benchmark/statistics.py allows."""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from monitor.dimensions import TAG_DIMENSIONS, Category, Level, tag_label
from monitor.models import Scan

from .advice import MASTERCLASS_FOR, MASTERCLASSES, advice_for, weakest
from .models import ImprovementGoal, NamingConsent, ScanScore
from .scoring import question_max_points, stage
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
        maximum = question_max_points(question)
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
