"""The province's statistics: a dashboard and downloads (CSV, XLSX, PDF) of its municipalities'
aggregates, per edition. Only aggregates over at least MIN_GROUP_SIZE municipalities ever
leave benchmark/province.py; the province never sees one municipality's figures."""

from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from weasyprint import HTML

from common.spreadsheets import FORMATS, dataset_of, download
from monitor import access

from . import selectors

DOWNLOADS = (*FORMATS, "pdf")


@require_GET
def index(request):
    access.province_for_user(request.user)
    edition = selectors.province_first_edition()
    if edition is None:
        raise Http404
    return redirect("province:statistics", year=edition.year)


def _context(request, year):
    province = access.province_for_user(request.user)
    edition = get_object_or_404(selectors.province_editions(), year=year)
    return {
        "province": province,
        "edition": edition,
        "editions": selectors.province_editions(),
        "rows": selectors.province_rows(province, edition),
        "min_group_size": settings.MIN_GROUP_SIZE,
    }


@require_GET
def statistics(request, year):
    return render(request, "benchmark/province/statistics.html", _context(request, year))


HEADERS = [
    ("area", _("Area")),
    ("kind", _("Kind of area")),
    ("part", _("Category or dimension")),
    ("participants", _("Participants")),
    ("total", _("Total spend (€)")),
    ("circular", _("Circular spend (€)")),
    ("share", _("Circular share (%)")),
    ("growth", _("Growth of circular spend (€)")),
    ("growth_percent", _("Growth of circular spend (%)")),
    ("mean_score", _("Mean score")),
    ("note", _("Note")),
]


@require_GET
def statistics_download(request, year, file_format):
    if file_format not in DOWNLOADS:
        raise Http404
    context = _context(request, year)
    filename = f"statistieken-{context['province'].lower()}-{year}"
    if file_format == "pdf":
        # In the language of the page it was asked from, like the CSV and XLSX.
        html = render_to_string("benchmark/province/statistics_pdf.html", context)
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    dataset = dataset_of(
        [str(label) for _key, label in HEADERS],
        ([_cell(getattr(row, key)) for key, _label in HEADERS] for row in context["rows"]),
    )
    return download(dataset, filename=filename, file_format=file_format)


def _cell(value):
    """Numbers stay numbers (a spreadsheet can add them up); labels become text."""
    if value is None:
        return ""
    return value if isinstance(value, int | Decimal) else str(value)
