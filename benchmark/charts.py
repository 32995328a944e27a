"""Charts drawn on the server as SVG (matplotlib). Every chart has a table with the same numbers
beside it on the page; the chart carries no names, codes or order of other municipalities."""

import io
from collections.abc import Sequence

import matplotlib
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from monitor.models import Scan

from . import selectors

matplotlib.use("Agg")
import matplotlib.pyplot as plt

plt.rcParams.update(
    {
        "svg.hashsalt": "cimolt",  # the same numbers give the same file
        "font.family": "DejaVu Sans",
        "font.size": 10,
    }
)

OWN = "#154273"  # the municipality itself, as the navigation bar
PEERS = "#8fa9c4"
REFERENCE = "#b3261e"


def _figure(height: float):
    # Constrained layout makes room for a legend outside the axes (below them), where it can
    # never cover a bar, a line or the target line.
    return plt.subplots(figsize=(7, height), layout="constrained")


def _legend_below(figure) -> None:
    figure.legend(loc="outside lower center", ncols=2, frameon=False)


def _percent(value: float, _position=None) -> str:
    """A tick of a percentage axis in the page's notation: "12,5%" in Dutch, "12.5%" in
    English (matplotlib's own formatter writes a decimal point whatever the language)."""
    decimals = 0 if float(value).is_integer() else 1
    return number_format(value, decimal_pos=decimals, use_l10n=True) + "%"


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def scores_chart(
    rows: Sequence[selectors.DimensionRow], *, own_label: str, median_label: str
) -> str:
    """Horizontal bars: the own score per dimension value, with the median of all participants
    as a mark where the group is large enough to show."""
    labels = [row.label for row in rows]
    figure, axes = _figure(0.35 * len(rows) + 1.3)
    positions = range(len(rows))
    axes.barh(positions, [float(row.score) for row in rows], color=OWN, label=own_label)
    medians = [(i, float(row.median)) for i, row in enumerate(rows) if row.median is not None]
    if medians:
        axes.scatter(
            [m for _, m in medians],
            [i for i, _ in medians],
            marker="|",
            s=300,
            color=PEERS,
            linewidths=3,
            label=median_label,
            zorder=3,
        )
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    _legend_below(figure)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def spend_chart(
    rows: Sequence[selectors.SpendShare], *, reference: float, reference_label: str
) -> str:
    """The circular share of spend per procurement category against the national target."""
    shown = [row for row in rows if row.share is not None]
    figure, axes = _figure(0.45 * max(len(shown), 1) + 1.3)
    positions = range(len(shown))
    axes.barh(positions, [float(row.share) for row in shown], color=OWN)
    axes.axvline(reference, color=REFERENCE, linestyle="--", label=reference_label)
    axes.set_yticks(list(positions), [row.label for row in shown])
    axes.invert_yaxis()
    axes.set_xlim(0, max([reference * 2, *[float(row.share) + 5 for row in shown]]))
    axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_percent))
    _legend_below(figure)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def trend_chart(
    points: Sequence[selectors.TrendPoint], *, own_label: str, median_label: str
) -> str:
    years = [point.year for point in points]
    figure, axes = _figure(3.3)
    axes.plot(years, [float(p.own) for p in points], marker="o", color=OWN, label=own_label)
    medians = [(p.year, float(p.median)) for p in points if p.median is not None]
    if medians:
        axes.plot(
            [y for y, _ in medians],
            [m for _, m in medians],
            marker="s",
            linestyle="--",
            color=PEERS,
            label=median_label,
        )
    axes.set_xticks(years, [str(y) for y in years])
    axes.set_ylim(0, 100)
    _legend_below(figure)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


NATIONAL_TARGET = 10  # per cent circular procurement by 2020 (seed 001)
SCAN_CHARTS = ("scores", "spend", "trend")


def scan_chart(scan, name: str) -> str:
    """One of a submitted scan's charts, as the results page and the PDF report show it."""
    own, median = _("Your municipality"), _("Median of all participants")
    if name == "scores":
        return scores_chart(selectors.dimension_rows(scan), own_label=own, median_label=median)
    if name == "spend":
        return spend_chart(
            selectors.spend_shares(scan),
            reference=NATIONAL_TARGET,
            reference_label=_("National target: %(target)s%%") % {"target": NATIONAL_TARGET},
        )
    return trend_chart(selectors.overall_trend(scan), own_label=own, median_label=median)


def cached_scan_chart(scan, name: str) -> str:
    """``scan_chart``, kept in the cache until any submitted scan changes (one is submitted,
    or reopened): drawing a chart takes a fifth of a second, asking whether anything changed
    one query."""
    state = Scan.objects.filter(status=Scan.Status.SUBMITTED).aggregate(
        count=Count("pk"), last=Max("submitted_at")
    )
    last = state["last"].timestamp() if state["last"] else 0
    key = f"chart:{scan.pk}:{name}:{get_language()}:{state['count']}:{last}"
    svg = cache.get(key)
    if svg is None:
        svg = scan_chart(scan, name)
        cache.set(key, svg, timeout=24 * 3600)
    return svg
