"""The municipality's results: its scores, its position among its peers, its spend and trend."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from monitor import access
from monitor.access import Capability
from monitor.models import Edition, Scan, User

from . import charts, selectors, services
from .forms import GoalForm, NamingConsentForm
from .models import NamingConsent, TopTenPublication

NATIONAL_TARGET = 10  # per cent circular procurement by 2020 (seed 001)


def _submitted_scan(request, code, year) -> Scan:
    return access.scan_for_user(request.user, code, year, Capability.ANSWERS)


@require_GET
def results(request, code, year):
    scan = _submitted_scan(request, code, year)
    if scan.status != Scan.Status.SUBMITTED:
        return render(request, "benchmark/not_yet.html", {"scan": scan})
    return _render_results(request, scan)


def _goal_form(rows, data=None):
    return GoalForm(data, dimensions=[(row["key"], row["label"]) for row in rows])


def _render_results(request, scan, goal_form=None, status=200):
    rows = selectors.dimension_rows(scan)
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
            "trend": selectors.overall_trend(scan),
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
    scan = _submitted_scan(request, code, year)
    if scan.status != Scan.Status.SUBMITTED:
        raise Http404
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


@login_not_required
def top_ten(request, year):
    """The Top 10 of an edition: the organiser's preview until it is published, then for
    everyone, also without logging in."""
    edition = get_object_or_404(Edition.objects.exclude(status=Edition.Status.DRAFT), year=year)
    published = TopTenPublication.objects.filter(edition=edition).first()
    is_organiser = request.user.is_authenticated and (
        request.user.is_superuser or request.user.role in (User.Role.ORGANISER, User.Role.ADMIN)
    )
    if request.method == "POST":
        services.top_ten_publish(edition=edition, user=request.user)
        messages.success(request, _("The Top 10 has been published."))
        return redirect("benchmark:top_ten", year=year)
    if published is None and not is_organiser:
        raise Http404
    return render(
        request,
        "benchmark/top_ten.html",
        {
            "edition": edition,
            "rows": selectors.top_ten(edition),
            "published": published,
            "can_publish": is_organiser and published is None,
        },
    )


@require_POST
def naming_consent(request, code, year):
    scan = _submitted_scan(request, code, year)
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
