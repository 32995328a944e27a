"""The service desk's pages: who takes part and how far each scan is — never what it says —,
logins, deadlines, extensions and announcements. Each view resolves through monitor/access.py,
validates with a form, calls one service, and redirects or renders."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.spreadsheets import FORMATS, dataset_of, download
from monitor import access
from monitor import selectors as monitor_selectors
from monitor.access import Capability
from monitor.models import Edition, Organisation, Scan, User
from monitor.services import accounts

from . import selectors, services
from .forms import (
    AccountIssueForm,
    AnnouncementForm,
    DeadlineForm,
    ExtensionForm,
    StatusFilterForm,
)
from .models import Announcement
from .selectors import StatusRow

SORT_KEYS = {
    "name": lambda row: row.organisation.name,
    "region": lambda row: (row.organisation.region, row.organisation.name),
    "progress": lambda row: row.progress_order,
    # The most recent first; those without any activity last, by name.
    "activity": lambda row: (
        row.last_activity is None,
        -row.last_activity.timestamp() if row.last_activity else 0,
        row.organisation.name,
    ),
}


def _edition(year) -> Edition:
    return get_object_or_404(Edition.objects.visible(), year=year)


@require_GET
def index(request):
    access.require_all_participants(request.user, Capability.STATUS)
    edition = Edition.objects.visible().first()
    if edition is None:
        raise Http404
    return redirect("servicedesk:status", year=edition.year)


def _status_rows(request, edition) -> tuple[list[StatusRow], list[StatusRow], StatusFilterForm]:
    """Every municipality's row of the edition, and the rows the filters choose, sorted."""
    organisations = access.organisations_for_user(request.user, Capability.STATUS).filter(
        kind=Organisation.Kind.MUNICIPALITY
    )
    every = selectors.edition_status(edition, organisations)
    regions = sorted({row.organisation.region for row in every if row.organisation.region})
    form = StatusFilterForm(request.GET, regions=regions)
    chosen = form.values()
    state, region = chosen["state"], chosen["region"]
    rows = [
        row
        for row in every
        if (not state or row.state == state) and (not region or row.organisation.region == region)
    ]
    return every, sorted(rows, key=SORT_KEYS[chosen["sort"]]), form


@require_GET
def status(request, year):
    access.require_all_participants(request.user, Capability.STATUS)
    edition = _edition(year)
    every, rows, form = _status_rows(request, edition)
    return render(
        request,
        "servicedesk/status.html",
        {
            "edition": edition,
            "editions": Edition.objects.visible(),
            "rows": rows,
            "filter_form": form,
            # The edition's totals, whatever the filters show.
            "counts": Counter(row.state for row in every),
            "query": request.GET.urlencode(),
            "can_reopen": access.holds_for_all_participants(request.user, Capability.REOPEN),
        },
    )


@require_GET
def status_export(request, year, file_format):
    access.require_all_participants(request.user, Capability.STATUS)
    if file_format not in FORMATS:
        raise Http404
    edition = _edition(year)
    _every, rows, _form = _status_rows(request, edition)
    headers = [
        _("Municipality"),
        _("CBS code"),
        _("Region"),
        _("Penvoerder"),
        _("Email address"),
        _("Status"),
        _("Progress (%)"),
        _("Last activity"),
        _("Deadline"),
        _("Submitted on"),
    ]
    dataset = dataset_of(
        headers,
        (
            [
                row.organisation.name,
                row.organisation.cbs_code,
                row.organisation.region,
                row.organisation.penvoerder_name or "",
                row.organisation.penvoerder_email or "",
                str(row.state.label),
                row.percent,
                _moment(row.last_activity),
                _moment(row.deadline),
                _moment(row.scan.submitted_at if row.scan else None),
            ]
            for row in rows
        ),
    )
    return download(dataset, filename=f"status-{edition.year}", file_format=file_format)


def _moment(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def deadline(request, year):
    access.require_all_participants(request.user, Capability.DEADLINES)
    edition = _edition(year)
    if request.method == "POST":
        form = DeadlineForm(request.POST)
        if form.is_valid():
            try:
                services.edition_deadline_set(
                    edition=edition,
                    deadline=form.cleaned_data["deadline"],
                    reminder_days=form.cleaned_data["reminder_days"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The deadline and the reminders have been saved."))
                return redirect("servicedesk:status", year=year)
    else:
        local = timezone.localtime(edition.deadline) if edition.deadline else None
        form = DeadlineForm(
            initial={
                "day": local.date() if local else None,
                "time": local.strftime("%H:%M") if local else "23:59",
                "reminder_days": ", ".join(map(str, edition.reminders_before)),
            }
        )
    return render(
        request,
        "servicedesk/deadline.html",
        {"edition": edition, "form": form},
        status=400 if form.errors else 200,
    )


def announcement(request):
    access.require_all_participants(request.user, Capability.DEADLINES)
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.announcement_create(
            subject=form.cleaned_data["subject"], body=form.cleaned_data["body"], by=request.user
        )
        messages.success(request, _("The announcement is being sent to every penvoerder."))
        return redirect("servicedesk:announcement")
    return render(
        request,
        "servicedesk/announcement.html",
        {
            "form": form,
            "announcements": Announcement.objects.select_related("created_by")[:20],
            "recipients": services.announcement_recipients().count(),
        },
        status=400 if form.errors else 200,
    )


# --- One municipality: its logins and its scans ---------------------------------------------


def _organisation(request, code) -> Organisation:
    return access.organisation_for_user(request.user, code, Capability.ACCOUNTS)


@require_GET
def municipality(request, code):
    return _render_municipality(request, _organisation(request, code))


def _render_municipality(request, organisation, issue_form=None, extension_forms=None):
    scans = list(organisation.scans.select_related("edition").order_by("-edition__year"))
    open_edition = Edition.objects.open().first()
    extension_forms = extension_forms or {}
    extensions = []
    if open_edition is not None:
        scan = next((s for s in scans if s.edition_id == open_edition.pk), None)
        form = extension_forms.get(open_edition.year) or ExtensionForm(
            scan_year=open_edition.year,
            initial=_extension_initial(scan),
        )
        extensions.append({"edition": open_edition, "scan": scan, "form": form})
    return render(
        request,
        "servicedesk/municipality.html",
        {
            "organisation": organisation,
            "members": monitor_selectors.organisation_team(organisation),
            "issue_form": issue_form or AccountIssueForm(organisation=organisation),
            "scans": scans,
            "extensions": extensions,
            "can_reopen": access.can(request.user, Capability.REOPEN, organisation),
        },
        status=400 if issue_form is not None or extension_forms else 200,
    )


def _extension_initial(scan: Scan | None) -> dict:
    if scan is None or scan.extended_until is None:
        return {}
    local = timezone.localtime(scan.extended_until)
    return {"day": local.date(), "time": local.strftime("%H:%M")}


@require_POST
def account_issue(request, code):
    organisation = _organisation(request, code)
    form = AccountIssueForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return _render_municipality(request, organisation, issue_form=form)
    try:
        user = accounts.account_issue(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            role=form.cleaned_data["role"],
            organisation=organisation,
            by=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_municipality(request, organisation, issue_form=form)
    messages.success(
        request,
        _("%(email)s can log in as %(role)s once they have set a password with the emailed link.")
        % {"email": user.email, "role": user.get_role_display()},
    )
    return redirect("servicedesk:municipality", code=code)


def _member(organisation, user_id) -> User:
    return get_object_or_404(User, pk=user_id, organisation=organisation)


@require_POST
def account_handover(request, code, user_id):
    organisation = _organisation(request, code)
    member = _member(organisation, user_id)
    try:
        accounts.penvoerder_handover(
            organisation=organisation, new_penvoerder=member, by=request.user
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now the penvoerder of %(organisation)s. The scan and its history stay.")
            % {"name": member, "organisation": organisation.name},
        )
    return redirect("servicedesk:municipality", code=code)


@require_POST
def account_deactivate(request, code, user_id):
    organisation = _organisation(request, code)
    member = _member(organisation, user_id)
    try:
        accounts.account_deactivate(user=member, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("The account of %(name)s is deactivated.") % {"name": member})
    return redirect("servicedesk:municipality", code=code)


@require_POST
def password_link(request, code, user_id):
    organisation = _organisation(request, code)
    member = get_object_or_404(User, pk=user_id, organisation=organisation, is_active=True)
    accounts.password_link_enqueue(user=member, by=request.user)
    messages.success(
        request,
        _("A new link to set a password has been sent to %(email)s.") % {"email": member.email},
    )
    return redirect("servicedesk:municipality", code=code)


@require_POST
def extension(request, code, year):
    organisation = access.organisation_for_user(request.user, code, Capability.DEADLINES)
    edition = get_object_or_404(Edition.objects.open(), year=year)
    form = ExtensionForm(request.POST, scan_year=year)
    if form.is_valid():
        try:
            services.scan_extension_set(
                organisation=organisation,
                edition=edition,
                until=form.cleaned_data["until"],
                by=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_error("day", error.error_dict["until"])
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The extension has been saved."))
            return redirect("servicedesk:municipality", code=code)
    return _render_municipality(request, organisation, extension_forms={year: form})
