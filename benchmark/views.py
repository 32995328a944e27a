"""The municipality's results: its scores, its position among its peers, its spend and trend."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from monitor import access
from monitor.access import Capability
from monitor.models import Scan

from . import charts, selectors

NATIONAL_TARGET = 10  # per cent circular procurement by 2020 (seed 001)


def _submitted_scan(request, code, year) -> Scan:
    return access.scan_for_user(request.user, code, year, Capability.ANSWERS)


@require_GET
def results(request, code, year):
    scan = _submitted_scan(request, code, year)
    if scan.status != Scan.Status.SUBMITTED:
        return render(request, "benchmark/not_yet.html", {"scan": scan})
    return render(
        request,
        "benchmark/results.html",
        {
            "scan": scan,
            "rows": selectors.dimension_rows(scan),
            "spend": selectors.spend_shares(scan),
            "trend": selectors.overall_trend(scan),
            "advice": selectors.scan_advice(scan),
            "min_group_size": settings.MIN_GROUP_SIZE,
            "national_target": NATIONAL_TARGET,
        },
    )


@require_GET
def results_chart(request, code, year, chart):
    scan = _submitted_scan(request, code, year)
    if scan.status != Scan.Status.SUBMITTED:
        raise Http404
    own, median = _("Your municipality"), _("Median of all participants")
    if chart == "scores":
        rows = [
            {"label": row["label"], "score": row["score"], "median": _median(row)}
            for row in selectors.dimension_rows(scan)
        ]
        svg = charts.scores_chart(rows, own_label=own, median_label=median)
    elif chart == "spend":
        svg = charts.spend_chart(
            selectors.spend_shares(scan),
            reference=NATIONAL_TARGET,
            reference_label=_("National target: %(target)s%%") % {"target": NATIONAL_TARGET},
        )
    elif chart == "trend":
        svg = charts.trend_chart(selectors.overall_trend(scan), own_label=own, median_label=median)
    else:
        raise Http404
    return HttpResponse(svg, content_type="image/svg+xml")


def _median(row):
    group = row["groups"].get("all")
    return group.median if group else None
