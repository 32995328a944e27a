"""The masterclass pages: the programme, a municipality's registrations, the organiser's
session pages and the closing meeting's public registration. Each view resolves what it shows
through monitor/access.py, validates with a form, calls one service, and redirects or renders."""

import json

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.spreadsheets import FORMATS, download
from monitor import access
from monitor.access import Capability
from monitor.audit import audit_record
from monitor.models import AuditEvent

from . import selectors, services
from .forms import (
    CHATHAM_HOUSE_RULE,
    AttendanceForm,
    AttendanceImportForm,
    GuestRegistrationForm,
    RegistrationForm,
    RegistrationsImportForm,
    SessionForm,
)
from .models import SEATS_PER_MUNICIPALITY, Masterclass, Registration, Session
from .resources import AttendeeResource

REGISTRATIONS = Capability.REGISTRATIONS


def _edition_or_404():
    edition = selectors.programme_edition()
    if edition is None:
        raise Http404
    return edition


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: at its field where it names one the form has."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _register(form, *, by, organisation=None) -> Registration | None:
    """Register the person of a registration form (the municipality's, the organiser's or the
    closing meeting's); on a refusal, put it on the form and return None."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.registration_create(
            session=data["session"],
            organisation=data.get("organisation", organisation),
            organisation_name=data.get("organisation_name", ""),
            name=data["name"],
            email=data["email"],
            function=data["function"],
            dietary=data.get("dietary", ""),
            chatham_house_accepted=data["chatham_house"],
            by=by,
        )
    except ValidationError as error:
        _add_errors(form, error)
        return None


@require_GET
def programme(request):
    edition = selectors.programme_edition()
    user = request.user
    try:
        own = access.own_organisation(user, REGISTRATIONS)
    except Http404:
        own = None
    return render(
        request,
        "masterclasses/programme.html",
        {
            "edition": edition,
            "masterclasses": selectors.programme(edition) if edition else [],
            "own_organisation": own,
            "organises": access.holds_for_all_participants(user, REGISTRATIONS),
            "chatham_house_rule": CHATHAM_HOUSE_RULE,
            "seats": SEATS_PER_MUNICIPALITY,
        },
    )


# --- A municipality's registrations ---------------------------------------------------------


@require_GET
def organisation_overview(request, code):
    organisation = access.organisation_for_user(request.user, code, REGISTRATIONS)
    edition = selectors.programme_edition()
    return render(
        request,
        "masterclasses/organisation.html",
        {
            "organisation": organisation,
            "edition": edition,
            "seats": SEATS_PER_MUNICIPALITY,
            "rows": selectors.organisation_programme(organisation, edition) if edition else [],
        },
    )


def _masterclass(edition, number) -> Masterclass:
    masterclass = selectors.masterclass_for(edition, number)
    if masterclass is None:
        raise Http404
    return masterclass


def organisation_masterclass(request, code, number):
    organisation = access.organisation_for_user(request.user, code, REGISTRATIONS)
    masterclass = _masterclass(_edition_or_404(), number)
    sessions = selectors.upcoming_sessions(masterclass)
    form = None
    if request.method == "POST":
        form = RegistrationForm(request.POST, masterclass=masterclass, sessions=sessions)
        registration = _register(form, by=request.user, organisation=organisation)
        if registration is not None:
            messages.success(
                request,
                _("%(name)s is registered and gets a confirmation by email.")
                % {"name": registration.name},
            )
            return redirect("masterclasses:organisation_masterclass", code=code, number=number)
    return _render_organisation_masterclass(request, organisation, masterclass, sessions, form)


def _render_organisation_masterclass(request, organisation, masterclass, sessions, form):
    registered = selectors.masterclass_registrations(organisation, masterclass)
    return render(
        request,
        "masterclasses/organisation_masterclass.html",
        {
            "organisation": organisation,
            "masterclass": masterclass,
            "registrations": registered.registrations,
            "full": registered.full,
            "seats": SEATS_PER_MUNICIPALITY,
            "form": form or RegistrationForm(masterclass=masterclass, sessions=sessions),
            "sessions": sessions,
            "chatham_house_rule": CHATHAM_HOUSE_RULE,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
def registration_cancel(request, registration_id):
    registration = access.organisation_object_for_user(
        request.user, Registration.objects.active(), REGISTRATIONS, pk=registration_id
    )
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The registration of %(name)s has been cancelled; the place is free again.")
            % {"name": registration.name},
        )
    if access.holds_for_all_participants(request.user, REGISTRATIONS):
        return redirect("masterclasses:session", session_id=registration.session_id)
    return redirect(
        "masterclasses:organisation_masterclass",
        code=registration.organisation.url_code,
        number=registration.masterclass.number,
    )


# --- The organiser's pages ------------------------------------------------------------------


def _organiser_session(request, session_id) -> Session:
    access.require_all_participants(request.user, REGISTRATIONS)
    return get_object_or_404(
        selectors.sessions_with_places().select_related("masterclass__edition"), pk=session_id
    )


@require_GET
def session_detail(request, session_id):
    return _render_session(request, _organiser_session(request, session_id))


def _render_session(request, session, **forms):
    registrations = list(selectors.session_registrations(session))
    upcoming = not session.has_started()
    register_form = forms.get("register_form")
    if register_form is None and upcoming:
        register_form = RegistrationForm(
            masterclass=session.masterclass, sessions=[session], for_organiser=True
        )
    attendance_form = forms.get("attendance_form") or AttendanceForm(
        registrations=registrations,
        initial={"attended": [r.pk for r in registrations if r.attended]},
    )
    return render(
        request,
        "masterclasses/session.html",
        {
            "session": session,
            "masterclass": session.masterclass,
            "registrations": registrations,
            "attending": attendance_form.ticked(),
            "attendance_form": attendance_form,
            "register_form": register_form,
            "import_form": forms.get("import_form") or RegistrationsImportForm(),
            "attendance_import_form": forms.get("attendance_import_form") or AttendanceImportForm(),
            "import_problems": forms.get("import_problems", []),
            "chatham_house_rule": CHATHAM_HOUSE_RULE,
        },
        status=400 if forms else 200,
    )


@require_POST
def session_register(request, session_id):
    session = _organiser_session(request, session_id)
    form = RegistrationForm(
        request.POST, masterclass=session.masterclass, sessions=[session], for_organiser=True
    )
    registration = _register(form, by=request.user)
    if registration is not None:
        messages.success(request, _("%(name)s is registered.") % {"name": registration.name})
        return redirect("masterclasses:session", session_id=session.pk)
    return _render_session(request, session, register_form=form)


@require_POST
def session_attendance(request, session_id):
    session = _organiser_session(request, session_id)
    form = AttendanceForm(request.POST, registrations=selectors.session_registrations(session))
    if not form.is_valid():
        return _render_session(request, session, attendance_form=form)
    came = services.attendance_set(session=session, attended=set(form.cleaned_data["attended"]))
    messages.success(
        request,
        ngettext(
            "Attendance saved: %(count)s person attended.",
            "Attendance saved: %(count)s people attended.",
            came,
        )
        % {"count": came},
    )
    return redirect("masterclasses:session", session_id=session.pk)


def _import_problems_message(problems) -> list[str]:
    return [_("Line %(line)s: %(problem)s") % {"line": line, "problem": p} for line, p in problems]


@require_POST
def session_import(request, session_id):
    session = _organiser_session(request, session_id)
    form = RegistrationsImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = services.registrations_import(
                session=session,
                rows=form.rows,
                chatham_house_accepted=form.cleaned_data["chatham_house"],
                by=request.user,
            )
        except services.ImportProblems as error:
            form.add_error(
                None,
                _("Nothing of the list has been registered. Correct these lines and try again:"),
            )
            return _render_session(
                request,
                session,
                import_form=form,
                import_problems=_import_problems_message(error.problems),
            )
        messages.success(
            request,
            ngettext("%(count)s person registered.", "%(count)s people registered.", count)
            % {"count": count},
        )
        return redirect("masterclasses:session", session_id=session.pk)
    return _render_session(request, session, import_form=form)


@require_POST
def attendance_import(request, session_id):
    session = _organiser_session(request, session_id)
    form = AttendanceImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = services.attendance_import(session=session, rows=form.rows)
        except services.ImportProblems as error:
            form.add_error(
                None, _("No attendance has been saved. Correct these lines and try again:")
            )
            return _render_session(
                request,
                session,
                attendance_import_form=form,
                import_problems=_import_problems_message(error.problems),
            )
        messages.success(
            request,
            ngettext(
                "Attendance of %(count)s person saved.",
                "Attendance of %(count)s people saved.",
                count,
            )
            % {"count": count},
        )
        return redirect("masterclasses:session", session_id=session.pk)
    return _render_session(request, session, attendance_import_form=form)


@require_GET
def session_export(request, session_id, file_format):
    session = _organiser_session(request, session_id)
    if file_format not in FORMATS:
        raise Http404
    dataset = AttendeeResource().export(
        selectors.session_registrations(session).select_related("session__masterclass")
    )
    audit_record(
        action=AuditEvent.Action.ATTENDEE_EXPORTED,
        actor=request.user,
        target=session,
        detail=f"attendee list, {len(dataset)} rows, {file_format}",
        request=request,
    )
    starts = timezone.localdate(session.starts_at).isoformat()
    return download(
        dataset,
        filename=f"deelnemers-masterclass-{session.masterclass.number}-{starts}",
        file_format=file_format,
    )


def session_add(request, masterclass_id):
    access.require_all_participants(request.user, REGISTRATIONS)
    masterclass = get_object_or_404(
        Masterclass.objects.select_related("edition"), pk=masterclass_id
    )
    form = SessionForm(request.POST if request.method == "POST" else None, masterclass=masterclass)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = services.session_add(
            masterclass=masterclass,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            capacity=data["capacity"],
        )
        messages.success(request, _("Session added: %(session)s.") % {"session": session})
        return redirect("masterclasses:session", session_id=session.pk)
    return render(
        request,
        "masterclasses/session_add.html",
        {"masterclass": masterclass, "form": form},
        status=400 if form.errors else 200,
    )


def _organiser_registration(request, registration_id) -> Registration:
    access.require_all_participants(request.user, REGISTRATIONS)
    return get_object_or_404(Registration, pk=registration_id, anonymised_at__isnull=True)


@require_GET
def attendee_export(request, registration_id):
    registration = _organiser_registration(request, registration_id)
    data = services.attendee_data(registration=registration, by=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="deelnemer-{registration.pk}.json"'
    return response


@require_http_methods(["GET", "POST"])
def attendee_erase(request, registration_id):
    """A person's request to delete their data: first what will go, then, confirmed, gone."""
    registration = _organiser_registration(request, registration_id)
    if request.method == "GET":
        registrations = services.person_registrations(registration).select_related(
            "session", "masterclass", "organisation"
        )
        return render(
            request,
            "masterclasses/attendee_erase.html",
            {"registration": registration, "registrations": registrations.order_by("pk")},
        )
    count = services.attendee_erase(registration=registration, by=request.user)
    messages.success(
        request,
        ngettext(
            "The personal data of %(count)s registration has been deleted.",
            "The personal data of %(count)s registrations has been deleted.",
            count,
        )
        % {"count": count},
    )
    return redirect("masterclasses:session", session_id=registration.session_id)


# --- The closing meeting, open to all -------------------------------------------------------


@login_not_required
def closing_register(request):
    masterclass = _masterclass(_edition_or_404(), Masterclass.Number.CLOSING)
    sessions = selectors.upcoming_sessions(masterclass)
    form = GuestRegistrationForm(
        request.POST if request.method == "POST" else None, sessions=sessions
    )
    status = 200
    if request.method == "POST":
        status = 400
        if not ratelimit.consume(request, action="closing_meeting_registration"):
            form.add_error(
                None, _("Too many registrations from your address; try again in an hour.")
            )
            status = 429
        elif _register(form, by=request.user) is not None:
            messages.success(
                request, _("Thank you. You are registered and get a confirmation by email.")
            )
            return redirect("masterclasses:closing_register")
    return render(
        request,
        "masterclasses/closing_register.html",
        {
            "masterclass": masterclass,
            "sessions": sessions,
            "form": form,
            "chatham_house_rule": CHATHAM_HOUSE_RULE,
            "retention_days": settings.ATTENDEE_RETENTION_DAYS,
        },
        status=status,
    )
