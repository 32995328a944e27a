"""The PDF report: the results page's partials, with the charts inline, rendered by WeasyPrint."""

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from . import charts, selectors


def report_context(scan) -> dict:
    rows = selectors.dimension_rows(scan)
    return {
        "scan": scan,
        "rows": rows,
        "spend": selectors.spend_shares(scan),
        "trend": selectors.overall_trend(scan),
        "advice": selectors.scan_advice(scan),
        "goals": selectors.goals(scan),
        "min_group_size": settings.MIN_GROUP_SIZE,
        "national_target": charts.NATIONAL_TARGET,
        "charts": {
            name: "data:image/svg+xml;base64,"
            + base64.b64encode(charts.scan_chart(scan, name).encode()).decode()
            for name in charts.SCAN_CHARTS
        },
    }


def report_pdf(scan) -> bytes:
    # Reports go out in Dutch, the programme's language, whoever asked for them.
    with translation.override("nl"):
        html = render_to_string("benchmark/report.html", report_context(scan))
    return HTML(string=html).write_pdf()
