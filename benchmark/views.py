"""The municipality's results: its scores, its position among its peers, its spend and trend."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from monitor import access
from monitor.access import Capability
from monitor.models import Edition, User

from . import charts, selectors, services
from .forms import GoalForm, NamingConsentForm
from .models import NamingConsent, Report, TopTenPublication

NATIONAL_TARGET = charts.NATIONAL_TARGET


# Every results view and download asks access.submitted_scan_for_user first: a 404 unless the
# scan is submitted (and the user may see its answers). Only the results page says "not yet".


@require_GET
def results(request, code, year):
    try:
        scan = access.submitted_scan_for_user(request.user, code, year)
    except access.ScanNotSubmitted as not_submitted:
        # The scan may not have been started: then it is unsaved, and only its organisation
        # and edition are shown.
        return render(request, "benchmark/not_yet.html", {"scan": not_submitted.scan})
    return _render_results(request, scan)


def _goal_form(rows, data=None):
    return GoalForm(data, dimensions=[(row.key, row.label) for row in rows])


def _render_results(request, scan, goal_form=None, status=200):
    rows = selectors.dimension_rows(scan)
    trends = selectors.dimension_trends(scan)
    may_decide = access.can(request.user, Capability.SUBMIT, scan.organisation)
    consent = NamingConsent.objects.filter(
        organisation=scan.organisation, edition=scan.edition, may_be_named=True
    ).exists()
    return render(
        request,
        "benchmark/results.html",
        {
            "scan": scan,
            "rows": rows,
            "spend": selectors.spend_shares(scan),
            "trend": trends.overall,
            "trend_table": selectors.trend_table(trends, rows),
            "advice": selectors.scan_advice(scan),
            "goals": selectors.goals(scan),
            "goal_form": (goal_form or _goal_form(rows)) if may_decide else None,
            "consent_form": NamingConsentForm(initial={"may_be_named": consent})
            if may_decide
            else None,
            "top_ten_published": TopTenPublication.objects.filter(edition=scan.edition).exists(),
            "min_group_size": settings.MIN_GROUP_SIZE,
            "national_target": NATIONAL_TARGET,
        },
        status=status,
    )


@require_POST
def goal_set(request, code, year):
    scan = access.submitted_scan_for_user(request.user, code, year)
    form = _goal_form(selectors.dimension_rows(scan), request.POST)
    if not form.is_valid():
        return _render_results(request, scan, goal_form=form, status=400)
    services.goal_set(
        organisation=scan.organisation,
        edition=scan.edition,
        dimension=form.cleaned_data["dimension"],
        target=form.cleaned_data["target"],
        user=request.user,
    )
    messages.success(request, _("Your goal has been saved."))
    return redirect("benchmark:results", code=code, year=year)


@require_GET
def results_chart(request, code, year, chart):
    scan = access.submitted_scan_for_user(request.user, code, year)
    if chart not in charts.SCAN_CHARTS:
        raise Http404
    response = HttpResponse(charts.cached_scan_chart(scan, chart), content_type="image/svg+xml")
    # matplotlib styles its SVG with an inline <style>; nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_not_required
def top_ten(request, year):
    """The Top 10 of an edition: the organiser's preview until it is published, then for
    everyone, also without logging in."""
    edition = get_object_or_404(Edition.objects.visible(), year=year)
    published = TopTenPublication.objects.filter(edition=edition).first()
    is_organiser = access.has_role(request.user, User.Role.ORGANISER, User.Role.ADMIN)
    if published is None and not is_organiser:
        raise Http404
    if request.method == "POST":
        services.top_ten_publish(edition=edition, user=request.user)
        messages.success(request, _("The Top 10 has been published."))
        return redirect("benchmark:top_ten", year=year)
    return render(
        request,
        "benchmark/top_ten.html",
        {
            "edition": edition,
            "rows": selectors.top_ten(edition),
            "published": published,
            "can_publish": is_organiser and published is None,
            "is_organiser": is_organiser,
        },
    )


@require_POST
def naming_consent(request, code, year):
    scan = access.submitted_scan_for_user(request.user, code, year)
    form = NamingConsentForm(request.POST)
    if form.is_valid():
        services.naming_consent_set(
            organisation=scan.organisation,
            edition=scan.edition,
            may_be_named=form.cleaned_data["may_be_named"],
            user=request.user,
        )
        messages.success(request, _("Your choice for the Top 10 has been saved."))
    return redirect("benchmark:results", code=code, year=year)


def report(request, code, year):
    """The PDF report: ask for it (POST), then this page shows its progress and the download."""
    scan = access.submitted_scan_for_user(request.user, code, year)
    if request.method == "POST":
        services.report_request(scan=scan, user=request.user)
        return redirect("benchmark:report", code=code, year=year)
    current = Report.objects.filter(scan=scan).first()
    return render(request, "benchmark/report_status.html", {"scan": scan, "report": current})


@require_GET
def report_download(request, code, year):
    scan = access.submitted_scan_for_user(request.user, code, year)
    current = Report.objects.filter(scan=scan, status=Report.Status.DONE).first()
    if current is None or not current.file:
        raise Http404
    try:
        handle = current.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"CIMoLT {scan.edition.year} {scan.organisation.name}.pdf"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


@require_POST
def reports_all(request, year):
    # Like the unpublished Top 10: to anyone but the organiser this page does not exist.
    if not access.has_role(request.user, User.Role.ORGANISER, User.Role.ADMIN):
        raise Http404
    edition = get_object_or_404(Edition.objects.visible(), year=year)
    count = services.reports_request_all(edition=edition, user=request.user)
    messages.success(request, _("%(count)s reports are being made.") % {"count": count})
    return redirect("benchmark:top_ten", year=year)
