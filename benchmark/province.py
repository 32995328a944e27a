"""Statistics for a province: per edition, for the province and for each of its regions, the
procurement spend per category, its circular share, its growth against the previous edition,
and the mean scores per dimension. Pure functions over the submitted scans' figures.

Nothing is ever shown about fewer than MIN_GROUP_SIZE municipalities:

- *primary suppression*: an area (the province or a region) with fewer submitted scans than the
  minimum shows none of its figures;
- *secondary suppression*: the province's figures are sums (and means, with their counts) of its
  regions', so one hidden region could be recomputed as the province minus the regions shown.
  The regions hidden together must therefore hold at least the minimum number of scans; if they
  do not, the smallest regions still shown are hidden as well, until they do;
- *growth* is this edition's circular spend minus the previous edition's, of the same area. It
  is shown only where both editions' figures of the area are shown, and, like the figures, the
  regions whose growth is hidden must together hold at least the minimum of scans in each
  edition: otherwise the province's growth minus the regions' shown would give away a hidden
  region's spend of last year. Where there is nothing to compare with — no previous edition,
  or none of the area's municipalities in it — the area says so: a hidden set of no scans
  gives nothing away.

Every scan of an edition answers all spend questions (they are required); an answer that is not
a number counts as zero.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from monitor.dimensions import Category, FocusArea, Level, Spearhead

ONE_DECIMAL = Decimal("0.1")
CATEGORIES = list(Category.values)
# The dimensions whose mean score has a row of its own (a category's is on its spend row).
SCORE_DIMENSIONS = [
    "overall",
    *(f"level:{value}" for value in Level.values),
    *(f"tag:{value}" for value in FocusArea.values),
    *(f"tag:{value}" for value in Spearhead.values),
]
ALL_CATEGORIES = "all"
# Why an area's growth is missing when no suppression is involved (AreaStatistics.no_growth).
NO_PREVIOUS_EDITION = "no_previous_edition"
NOT_IN_PREVIOUS_EDITION = "not_in_previous_edition"


@dataclass(frozen=True)
class ScanFigures:
    """What one submitted scan contributes: spend per category (total, circular) and scores."""

    spend: dict[str, tuple[Decimal, Decimal]]
    scores: dict[str, Decimal]


@dataclass
class SpendRow:
    category: str  # a Category value, or ALL_CATEGORIES
    total: Decimal
    circular: Decimal
    mean_score: Decimal | None
    growth: Decimal | None = None
    growth_percent: Decimal | None = None

    @property
    def share(self) -> Decimal | None:
        if not self.total:
            return None
        return (100 * self.circular / self.total).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass
class AreaStatistics:
    name: str  # the province's or the region's name ("" for municipalities without a region)
    is_province: bool
    participants: int
    shown: bool = True
    growth_shown: bool = True
    no_growth: str = ""  # NO_PREVIOUS_EDITION, NOT_IN_PREVIOUS_EDITION, or "" when there is one
    spend: list[SpendRow] = field(default_factory=list)
    scores: dict[str, Decimal | None] = field(default_factory=dict)


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values) / len(values)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def area_figures(name: str, scans: Sequence[ScanFigures], *, is_province: bool) -> AreaStatistics:
    area = AreaStatistics(name=name, is_province=is_province, participants=len(scans))
    zero = (Decimal(0), Decimal(0))
    for category in CATEGORIES:
        area.spend.append(
            SpendRow(
                category=category,
                total=sum((s.spend.get(category, zero)[0] for s in scans), Decimal(0)),
                circular=sum((s.spend.get(category, zero)[1] for s in scans), Decimal(0)),
                mean_score=_mean(
                    [s.scores[f"tag:{category}"] for s in scans if f"tag:{category}" in s.scores]
                ),
            )
        )
    area.spend.append(
        SpendRow(
            category=ALL_CATEGORIES,
            total=sum((row.total for row in area.spend), Decimal(0)),
            circular=sum((row.circular for row in area.spend), Decimal(0)),
            mean_score=_mean([s.scores["overall"] for s in scans if "overall" in s.scores]),
        )
    )
    area.scores = {
        dimension: _mean([s.scores[dimension] for s in scans if dimension in s.scores])
        for dimension in SCORE_DIMENSIONS
    }
    return area


def _hide(areas: list[AreaStatistics], sizes, flag: str, min_size: int) -> None:
    """Primary and secondary suppression of ``flag`` ("shown" or "growth_shown") over the
    province (first) and its regions. ``sizes(area)`` gives the numbers of scans the flag's
    figures are computed over, one per edition involved. An area is hidden when any is below
    the minimum (or it was hidden already); the hidden regions together must reach the minimum
    in every edition (or hold none), or the smallest regions still shown are hidden too."""
    province, regions = areas[0], areas[1:]
    if not getattr(province, flag) or min(sizes(province)) < min_size:
        for area in areas:
            setattr(area, flag, False)
        return
    for region in regions:
        if min(sizes(region)) < min_size:
            setattr(region, flag, False)
    while True:
        hidden = [r for r in regions if not getattr(r, flag)]
        shown = [r for r in regions if getattr(r, flag)]
        together = [sum(column) for column in zip(*(sizes(r) for r in hidden), strict=True)]
        # A hidden set of no scans at all gives nothing away when recomputed.
        if not hidden or not shown or all(t == 0 or t >= min_size for t in together):
            return
        setattr(min(shown, key=lambda r: (min(sizes(r)), r.name)), flag, False)


def province_statistics(
    province: str,
    current: Mapping[str, Sequence[ScanFigures]],
    previous: Mapping[str, Sequence[ScanFigures]] | None,
    *,
    min_size: int,
) -> list[AreaStatistics]:
    """The province first, then its regions by name. ``current`` and ``previous`` map each
    region (also "" for municipalities without one) to its submitted scans' figures."""
    names = sorted(set(current) | set(previous or {}))

    def areas_of(figures):
        everything = [scan for name in names for scan in figures.get(name, [])]
        return [
            area_figures(province, everything, is_province=True),
            *(area_figures(name, figures.get(name, []), is_province=False) for name in names),
        ]

    areas = areas_of(current)
    _hide(areas, lambda a: [a.participants], "shown", min_size)
    if previous is None:
        for area in areas:
            area.growth_shown, area.no_growth = False, NO_PREVIOUS_EDITION
        return areas
    before = areas_of(previous)
    _hide(before, lambda a: [a.participants], "shown", min_size)
    for area, earlier in zip(areas, before, strict=True):
        area.growth_shown = area.shown and earlier.shown
        if not earlier.participants:
            area.no_growth = NOT_IN_PREVIOUS_EDITION
    sizes = {id(a): [a.participants, b.participants] for a, b in zip(areas, before, strict=True)}
    _hide(areas, lambda a: sizes[id(a)], "growth_shown", min_size)
    for area, earlier in zip(areas, before, strict=True):
        if not area.growth_shown:
            continue
        for row, old in zip(area.spend, earlier.spend, strict=True):
            row.growth = row.circular - old.circular
            if old.circular:
                row.growth_percent = (100 * row.growth / old.circular).quantize(
                    ONE_DECIMAL, ROUND_HALF_UP
                )
    return areas


def as_number(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


def scan_figures(spend_answers: Iterable[tuple[str, object]], scores: dict) -> ScanFigures:
    """A scan's figures from its ``(question key, value)`` spend answers and its scores."""
    values = dict(spend_answers)
    return ScanFigures(
        spend={
            category: (
                as_number(values.get(f"spend_{category}_totaal")),
                as_number(values.get(f"spend_{category}_circulair")),
            )
            for category in CATEGORIES
        },
        scores=scores,
    )
