"""Reads of the results app. Each works from one query over an edition's scores, whatever the
number of municipalities, and hands out only what benchmark/statistics.py allows.

They hand out rows that cannot be changed (frozen dataclasses in tuples, read-only mappings):
a page or a chart reads them, and what it wants otherwise it asks of a selector."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from monitor.dimensions import TAG_DIMENSIONS, Category, Level, tag_label
from monitor.models import Answer, Edition, Organisation, Question, Scan

from .advice import MASTERCLASS_FOR, MASTERCLASSES, advice_for, weakest
from .models import ImprovementGoal, NamingConsent, ScanScore
from .province import (
    ALL_CATEGORIES,
    NO_PREVIOUS_EDITION,
    NOT_IN_PREVIOUS_EDITION,
    AreaStatistics,
    ScanFigures,
    province_statistics,
    scan_figures,
)
from .scoring import OVERALL, fraction, stage
from .statistics import PeerSummary, median_or_none, peer_summary, ranks_with_ties

Label = str | Promise  # a text that may still be translated when it is shown

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
    if dimension == OVERALL:
        return _("Overall")
    kind, _sep, value = dimension.partition(":")
    if kind == "level":
        return Level(value).label
    return tag_label(value)


@dataclass(frozen=True)
class DimensionRow:
    """The scan's score on one dimension value, and its position in each group of peers (None
    where the group is too small to show)."""

    key: str
    label: Label
    score: Decimal
    stage: Label
    groups: Mapping[str, PeerSummary | None]  # "all", "province", "region", in that order

    @property
    def median(self) -> Decimal | None:
        """The median of all other participants, where there are enough of them to show it."""
        group = self.groups.get("all")
        return group.median if group else None


def dimension_rows(scan: Scan) -> tuple[DimensionRow, ...]:
    """The scan's scores in the order of the four dimensions, each with its comparison."""
    own = scan_scores(scan)
    comparison = scan_comparison(scan) if own else {}
    order = [OVERALL, *(f"level:{v}" for v in Level.values)]
    for choices in TAG_DIMENSIONS.values():
        order += [f"tag:{v}" for v in choices.values]
    return tuple(
        DimensionRow(
            key=key,
            label=dimension_label(key),
            score=own[key],
            stage=stage(own[key]),
            groups=MappingProxyType(comparison.get(key, {})),
        )
        for key in order
        if key in own
    )


@dataclass(frozen=True)
class SpendShare:
    """A procurement category's spend in euros (None where not given as a number), and the
    circular share in per cent (None where it cannot be computed)."""

    label: Label
    total: str | None
    circular: str | None
    share: Decimal | None


def spend_shares(scan: Scan) -> tuple[SpendShare, ...]:
    """Per procurement category: total and circular spend and the circular share, in euros."""
    values = dict(
        scan.answers.filter(question__key__startswith="spend_").values_list(
            "question__key", "value"
        )
    )
    return tuple(
        _spend_share(
            category.label,
            values.get(f"spend_{category.value}_totaal"),
            values.get(f"spend_{category.value}_circulair"),
        )
        for category in Category
    )


def _spend_share(label: Label, total, circular) -> SpendShare:
    share = None
    try:
        if total and circular and Decimal(total) > 0:
            share = (Decimal(100) * Decimal(circular) / Decimal(total)).quantize(
                Decimal("0.1"),
                ROUND_HALF_UP,  # as the province's shares round
            )
    except (InvalidOperation, TypeError):  # a value that did not come through the form
        total = circular = None
    return SpendShare(label=label, total=total, circular=circular, share=share)


@dataclass(frozen=True)
class TrendPoint:
    """The municipality's score in one edition, and the median of the others (None where too
    few to show)."""

    year: int
    own: Decimal
    median: Decimal | None


@dataclass(frozen=True)
class Trends:
    """Per dimension, the municipality's points over the editions it submitted, oldest first."""

    by_dimension: Mapping[str, tuple[TrendPoint, ...]]

    @property
    def overall(self) -> tuple[TrendPoint, ...]:
        """The overall score's trend: its chart, and whether the page shows one."""
        return self.by_dimension.get(OVERALL, ())


def dimension_trends(scan: Scan) -> Trends:
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
    return Trends(
        by_dimension=MappingProxyType(
            {
                dimension: tuple(
                    TrendPoint(
                        year=year,
                        own=scores_by_year[year],
                        median=median_or_none(
                            others[dimension, year], min_size=settings.MIN_GROUP_SIZE
                        ),
                    )
                    for year in sorted(scores_by_year)
                )
                for dimension, scores_by_year in own.items()
            }
        )
    )


def overall_trend(scan: Scan) -> tuple[TrendPoint, ...]:
    return dimension_trends(scan).overall


@dataclass(frozen=True)
class TrendRow:
    label: Label
    cells: tuple[TrendPoint | None, ...]  # one per year of the table, None where not submitted


@dataclass(frozen=True)
class TrendTable:
    """The trend of every dimension of the results table, for the table beside the trend
    chart: one column per year any of them has."""

    years: tuple[int, ...]
    rows: tuple[TrendRow, ...]


def trend_table(trends: Trends, rows: tuple[DimensionRow, ...]) -> TrendTable:
    points_of = trends.by_dimension
    years = tuple(sorted({point.year for points in points_of.values() for point in points}))
    table = []
    for row in rows:
        by_year = {point.year: point for point in points_of.get(row.key, ())}
        table.append(TrendRow(label=row.label, cells=tuple(by_year.get(year) for year in years)))
    return TrendTable(years=years, rows=tuple(table))


@dataclass(frozen=True)
class Advice:
    """Advice for one of the weakest dimension values: the questions with most to gain and the
    masterclass that fits."""

    label: Label
    score: Decimal
    questions: tuple[Question, ...]
    masterclass: Label
    masterclass_number: int


def scan_advice(scan: Scan) -> tuple[Advice, ...]:
    """Advice for the three weakest dimension values: two queries."""
    own = scan_scores(scan)
    questions = list(scan.edition.questions.prefetch_related("options"))
    points = dict(scan.answers.values_list("question__key", "points"))
    fractions = {q.key: fraction(points.get(q.key), q.max_points()) for q in questions}
    return tuple(
        Advice(
            label=tag_label(tag),
            score=own[f"tag:{tag}"],
            questions=tuple(advice_for(tag, questions, fractions)),
            masterclass=MASTERCLASSES[MASTERCLASS_FOR[tag]],
            masterclass_number=MASTERCLASS_FOR[tag],
        )
        for tag in weakest(own)
    )


TOP = 10
TOP_HIGHLIGHTED = 3


@dataclass(frozen=True)
class TopTenRow:
    rank: int
    score: Decimal
    name: str | None  # None for a municipality that did not agree to be named

    @property
    def top_three(self) -> bool:
        return self.rank <= TOP_HIGHLIGHTED


def top_ten(edition: Edition) -> tuple[TopTenRow, ...]:
    """The highest overall scores of the edition, ranks shared on ties (so a tie for tenth place
    shows all who share it); a municipality is named only with its consent. Two queries."""
    rows = list(
        ScanScore.objects.filter(
            scan__edition=edition, scan__status=Scan.Status.SUBMITTED, dimension=OVERALL
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
    return tuple(
        TopTenRow(rank=rank, score=score, name=name if organisation_id in named else None)
        for (organisation_id, name, score), rank in zip(rows, ranks, strict=True)
        if rank <= TOP
    )


@dataclass(frozen=True)
class Goal:
    """A score aimed for on a dimension; for last edition's goals, this edition's score on it
    (None where there is none)."""

    label: Label
    target: Decimal
    score: Decimal | None = None

    @property
    def reached(self) -> bool:
        return self.score is not None and self.score >= self.target


@dataclass(frozen=True)
class Goals:
    next: tuple[Goal, ...]  # set this edition, for the next
    previous: tuple[Goal, ...]  # set last edition, for this one, with this edition's score


def goals(scan: Scan) -> Goals:
    """The goals set this edition for next year, and last edition's goals with whether this
    year's score reached them. Two queries."""
    own = scan_scores(scan)
    rows = ImprovementGoal.objects.filter(
        organisation=scan.organisation, edition__year__in=[scan.edition.year, scan.edition.year - 1]
    ).select_related("edition")
    ordered = sorted(rows, key=lambda g: g.dimension)
    return Goals(
        next=tuple(
            Goal(label=dimension_label(goal.dimension), target=goal.target)
            for goal in ordered
            if goal.edition_id == scan.edition_id
        ),
        previous=tuple(
            Goal(
                label=dimension_label(goal.dimension),
                target=goal.target,
                score=own.get(goal.dimension),
            )
            for goal in ordered
            if goal.edition_id != scan.edition_id
        ),
    )


# --- The province's statistics --------------------------------------------------------------


def province_editions():
    """The editions the province has statistics of: those whose filling-in has ended. While an
    edition is open, two downloads a submission apart would give away that municipality's
    figures. Newest first."""
    return Edition.objects.ended()


def province_first_edition() -> Edition | None:
    """The edition the province's statistics open on: the newest with a submitted scan, or
    else the newest."""
    editions = province_editions()
    with_scans = editions.filter(scans__status=Scan.Status.SUBMITTED).distinct()
    return with_scans.first() or editions.first()


def province_figures(province: str, edition: Edition) -> Mapping[str, tuple[ScanFigures, ...]]:
    """Per region of the province (every region its municipalities have, "" for none), the
    figures of the edition's submitted scans: four queries, however many municipalities."""
    regions = Organisation.objects.filter(
        kind=Organisation.Kind.MUNICIPALITY, province=province
    ).values_list("region", flat=True)
    figures: dict[str, list[ScanFigures]] = {region: [] for region in regions}
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
    return MappingProxyType({region: tuple(found) for region, found in figures.items()})


def _province_areas(province: str, edition: Edition) -> list[AreaStatistics]:
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
HIDDEN_NOTE = _("not shown, to protect the figures of individual municipalities")


@dataclass(frozen=True)
class ProvinceRow:
    """One row of the province's statistics: of an area (the province or a region), a
    procurement category's spend (``is_spend``), all categories together, or a dimension's
    mean score. A hidden figure is None; ``note`` says why."""

    area: Label
    kind: Label
    area_shown: bool
    spend_note: Label  # why the area's spend figures or their growth are not shown, or ""
    part: Label  # the category or the dimension
    is_spend: bool
    participants: int | None
    mean_score: Decimal | None
    note: Label
    total: Decimal | None = None
    circular: Decimal | None = None
    share: Decimal | None = None
    growth: Decimal | None = None
    growth_percent: Decimal | None = None


def province_rows(province: str, edition: Edition) -> tuple[ProvinceRow, ...]:
    """The statistics as rows of one table, for the page and every download alike: per area,
    a row per procurement category, one for all categories together, and one per dimension
    score. A figure hidden to protect has the same note whatever the reason, so the note does
    not tell a small group from a group hidden to protect another; growth that is missing
    because there is nothing to compare with says so instead."""
    rows: list[ProvinceRow] = []
    for area in _province_areas(province, edition):
        rows += _area_rows(area)
    return tuple(rows)


def _area_rows(area: AreaStatistics) -> list[ProvinceRow]:
    shown = area.shown
    if not shown:
        spend_note = HIDDEN_NOTE
    elif area.growth_shown:
        spend_note = ""
    else:
        spend_note = GROWTH_NOTES[area.no_growth]
    base = {
        "area": area.name or str(_("(no region)")),
        "kind": _("province") if area.is_province else _("region"),
        "area_shown": shown,
        "spend_note": spend_note,
        "participants": area.participants if shown else None,
    }
    rows = [
        ProvinceRow(
            **base,
            part=_("All categories")
            if spend.category == ALL_CATEGORIES
            else tag_label(spend.category),
            is_spend=True,
            total=spend.total if shown else None,
            circular=spend.circular if shown else None,
            share=spend.share if shown else None,
            growth=spend.growth if area.growth_shown else None,
            growth_percent=spend.growth_percent if area.growth_shown else None,
            mean_score=spend.mean_score if shown else None,
            note=spend_note,
        )
        for spend in area.spend
    ]
    rows += [
        ProvinceRow(
            **base,
            part=dimension_label(dimension),
            is_spend=False,
            mean_score=mean if shown else None,
            note="" if shown else HIDDEN_NOTE,
        )
        for dimension, mean in area.scores.items()
    ]
    return rows
