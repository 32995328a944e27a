"""Writes to the masterclasses. Every registration, whichever way it comes in (the
municipality's page, the organiser's page, an imported list, the admin), is made by
``registration_create``, which holds the cap of three per municipality per masterclass."""

import tomllib
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.mailing import RecipientRefusals
from common.outbox import enqueue
from monitor import access
from monitor.audit import audit_record
from monitor.models import AuditEvent, Edition, Organisation, User

from . import mail
from .models import SEATS_PER_MUNICIPALITY, Masterclass, Registration, Session

PROGRAMME_FILE = Path(__file__).resolve().parent / "programme.toml"
PROGRAMME_FIELDS = ("title", "title_en", "audience", "audience_en", "goal", "goal_en")
PROGRAMME_FIELDS += ("topics", "topics_en", "dagdelen", "lunch")

Action = AuditEvent.Action


@transaction.atomic
def programme_load(*, edition: Edition, path: Path = PROGRAMME_FILE) -> list[Masterclass]:
    """Create or update the edition's masterclasses from the programme file; sessions and
    registrations are left alone, so loading twice changes nothing."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["masterclass"]
    return [
        Masterclass.objects.update_or_create(
            edition=edition,
            number=entry["number"],
            defaults={field: entry[field] for field in PROGRAMME_FIELDS},
        )[0]
        for entry in entries
    ]


def session_add(*, masterclass: Masterclass, starts_at, ends_at, place: str, capacity: int):
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    return Session.objects.create(
        masterclass=masterclass,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
    )


def _day(session: Session) -> str:
    return date_format(timezone.localtime(session.starts_at), "j F Y")


def _full_message(masterclass: Masterclass, organisation: Organisation, held) -> str:
    people = "; ".join(f"{r.name} ({r.function}, {_day(r.session)})" for r in held)
    return _(
        "%(municipality)s already has %(count)s people registered for %(masterclass)s, the "
        "most a municipality may bring: %(people)s. Cancel one of them first to register "
        "someone else."
    ) % {
        "municipality": organisation.name,
        "count": SEATS_PER_MUNICIPALITY,
        "masterclass": masterclass.get_number_display(),
        "people": people,
    }


def _duplicate_message(existing: Registration) -> str:
    return _(
        "%(email)s is already registered for %(masterclass)s (session of %(date)s). A person "
        "registers once per masterclass."
    ) % {
        "email": existing.email,
        "masterclass": existing.masterclass.get_number_display(),
        "date": _day(existing.session),
    }


def _duplicate_refusal(existing: Registration, organisation, by: User | None) -> str:
    """Why an address registered already cannot be registered again, in as much detail as the
    one asking may see: the organiser everything, a municipality its own registration, anyone
    else (another municipality, a visitor of the public form) only that it cannot be."""
    if by is not None and access.holds_for_all_participants(by, access.Capability.REGISTRATIONS):
        who = existing.organisation.name if existing.organisation else existing.organisation_name
        return _("%(message)s Registered by: %(who)s.") % {
            "message": _duplicate_message(existing),
            "who": who or "–",
        }
    if organisation is not None and existing.organisation_id == organisation.pk:
        return _duplicate_message(existing)
    return _(
        "%(email)s cannot be registered for this meeting. If this is your address and you "
        "registered before, the confirmation is in your mailbox; if not, ask the organiser."
    ) % {"email": existing.email}


def attended_earlier_masterclass(*, email: str, edition: Edition) -> bool:
    return Registration.objects.filter(
        masterclass__edition=edition,
        masterclass__number__in=Masterclass.PRIOR,
        email=email,
        attended=True,
    ).exists()


def _signed_in(by: User | None) -> User | None:
    """Who to record as having done it: nobody for a task or a visitor of the public form."""
    return by if by is not None and by.is_authenticated else None


@transaction.atomic
def registration_create(
    *,
    session: Session,
    organisation: Organisation | None,
    name: str,
    email: str,
    function: str,
    chatham_house_accepted: bool,
    by: User | None,
    dietary: str = "",
    organisation_name: str = "",
    now=None,
) -> Registration:
    """Register one person for a session, or raise ValidationError saying why not, at the
    field concerned where the reason is a field's (a text typed, ``email``, ``chatham_house``).

    In three steps. Lock: the municipality's row, then the session's, so that registrations of
    one municipality take turns and twenty at once still end with at most three. Check: each
    rule, with its own refusal. Write: the seat numbers and their unique constraint hold the
    cap even for a path that forgot the lock."""
    now = now or timezone.now()
    registration = Registration(
        organisation=organisation,
        organisation_name="" if organisation is not None else organisation_name.strip(),
        name=name.strip(),
        email=User.objects.normalize_email(email.strip()).lower(),
        function=function.strip(),
        dietary=dietary.strip(),
        chatham_house_accepted_at=now,
        registered_at=now,
        registered_by=_signed_in(by),
    )
    registration.clean_attendee_fields()
    if not chatham_house_accepted:
        raise ValidationError(
            {"chatham_house": _("Accept the Chatham House Rule to register for this meeting.")}
        )
    registration.session = _session_locked(session=session, organisation=organisation)
    registration.masterclass = registration.session.masterclass
    if not registration.masterclass.lunch:
        registration.dietary = ""  # asked only where lunch is served
    _check(registration, by=by, now=now)
    registration.seat = _free_seat(registration)
    _write(registration, by=by)
    return registration


def _session_locked(*, session: Session, organisation: Organisation | None) -> Session:
    """Lock the municipality's row, then the session's, and read the session afresh. Every
    way in locks in this order (an imported list locks its municipalities first too), so that
    none waits for another for good."""
    if organisation is not None:
        Organisation.objects.select_for_update().get(pk=organisation.pk)
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("masterclass__edition")
        .get(pk=session.pk)
    )


def _check(registration: Registration, *, by: User | None, now) -> None:
    """Refuse the registration with the message of the first rule it breaks."""
    session, masterclass = registration.session, registration.masterclass
    if session.has_started(now):
        raise ValidationError(_("This session has already begun; registration is closed."))
    if not masterclass.admits(registration.organisation):
        raise ValidationError(
            _(
                "Masterclasses 1 to 4 are for the participating municipalities; only the "
                "closing meeting admits guests from outside the programme."
            )
        )
    _refuse_if_registered(registration, by=by)
    if masterclass.needs_prior_attendance and not attended_earlier_masterclass(
        email=registration.email, edition=masterclass.edition
    ):
        raise ValidationError(
            {
                "email": _(
                    "Masterclass 4 is for people who attended masterclass 1, 2 or 3 of this "
                    "year. No attendance has been recorded for %(email)s."
                )
                % {"email": registration.email}
            }
        )
    if session.registrations.active().count() >= session.capacity:
        raise ValidationError(
            _("This session is full: all %(capacity)s places are taken. Choose another session.")
            % {"capacity": session.capacity}
        )


def _refuse_if_registered(registration: Registration, *, by: User | None) -> None:
    """A person registers once per masterclass."""
    existing = (
        Registration.objects.active()
        .filter(masterclass=registration.masterclass, email=registration.email)
        .select_related("session", "masterclass", "organisation")
        .first()
    )
    if existing is not None:
        refusal = _duplicate_refusal(existing, registration.organisation, by)
        raise ValidationError({"email": refusal})


def _free_seat(registration: Registration) -> int | None:
    """The municipality's lowest seat for the masterclass still free, or None where no seat is
    held (a guest, the closing meeting). Refuses, naming who hold them, when all are taken."""
    organisation, masterclass = registration.organisation, registration.masterclass
    if organisation is None or not masterclass.caps_municipalities:
        return None
    held = list(
        Registration.objects.active()
        .filter(masterclass=masterclass, organisation=organisation)
        .select_related("session")
        .order_by("seat")
    )
    free = sorted(set(range(1, SEATS_PER_MUNICIPALITY + 1)) - {r.seat for r in held})
    if not free:
        raise ValidationError(_full_message(masterclass, organisation, held))
    return free[0]


def _write(registration: Registration, *, by: User | None) -> None:
    """Save the registration; its confirmation is mailed once it is committed."""
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Only a path around the locks gets here: between the check and the write, another
        # transaction took the address or the last seat. The rows, read again, say which of
        # the two the database held, and that rule refuses in its own words. Anything else is
        # a bug, and stays an error.
        _refuse_if_registered(registration, by=by)
        _free_seat(registration)
        raise
    _after_commit("registration_confirmation_send", registration.pk)


def _after_commit(task_name: str, registration_id: int) -> None:
    """Send a mail from a worker once the registration is committed."""
    enqueue(f"masterclasses.tasks.{task_name}", registration_id)


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User | None, now=None) -> None:
    """Cancel a registration: its place, and its municipality's seat, are free again."""
    now = now or timezone.now()
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=registration.pk)
    )
    if not registration.is_active:
        raise ValidationError(_("This registration has already been cancelled."))
    if registration.session.has_started(now):
        raise ValidationError(
            _("This session has already begun; a registration can no longer be cancelled.")
        )
    registration.cancelled_at = now
    registration.cancelled_by = _signed_in(by)
    registration.save(update_fields=["cancelled_at", "cancelled_by"])
    _after_commit("registration_cancellation_send", registration.pk)


@transaction.atomic
def attendance_set(*, session: Session, attended: set[int]) -> int:
    """Mark who came to the session (the ids in ``attended``) and who did not (the other
    active registrations). Returns how many came."""
    registrations = list(session.registrations.active().order_by("pk").select_for_update())
    for registration in registrations:
        registration.attended = registration.pk in attended
    Registration.objects.bulk_update(registrations, ["attended"])
    return sum(1 for r in registrations if r.attended)


# --- Imported lists: all rows or none ------------------------------------------------------

YES = {"ja", "j", "yes", "y", "1", "x", "aanwezig", "present", "true", "waar"}
NO = {"nee", "n", "no", "0", "", "afwezig", "absent", "false", "onwaar"}
REQUIRED_COLUMNS = {
    "name": gettext_lazy("name"),
    "email": gettext_lazy("email address"),
    "function": gettext_lazy("function"),
}


class ImportProblems(Exception):
    """Some rows of an imported list could not be taken; nothing of the list was saved."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(problems)
        self.problems = problems


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _municipalities_by_code_and_name() -> dict[str, Organisation]:
    found = {}
    for organisation in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY):
        found[organisation.cbs_code.lower()] = organisation
        found[organisation.name.lower()] = organisation
    return found


@transaction.atomic
def registrations_import(
    *, session: Session, rows: list[dict], chatham_house_accepted: bool, by: User
) -> int:
    """Register every person of an imported list (columns municipality, name, email, function,
    dietary wishes), each through ``registration_create``. Either all rows are registered, or
    none is and ImportProblems says, per line, why."""
    municipalities = _municipalities_by_code_and_name()
    named = [(row.get("municipality") or "").strip() for row in rows]
    # The list's municipalities are locked first, in one order, before the session: otherwise a
    # penvoerder registering a colleague meanwhile (municipality, then session) and this import
    # (session, then the next municipality) would wait on each other for good.
    found = {municipalities[name.lower()].pk for name in named if name.lower() in municipalities}
    list(
        Organisation.objects.filter(pk__in=found)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", flat=True)
    )
    problems = []
    for line, (row, municipality) in enumerate(zip(rows, named, strict=True), start=2):
        # line 1 holds the column names
        problem = _line_register(
            session=session,
            row=row,
            municipality=municipality,
            organisation=municipalities.get(municipality.lower()),
            chatham_house_accepted=chatham_house_accepted,
            by=by,
        )
        if problem:
            problems.append((line, problem))
    if problems:
        transaction.set_rollback(True)
        raise ImportProblems(problems)
    return len(rows)


def _line_register(
    *,
    session: Session,
    row: dict,
    municipality: str,
    organisation: Organisation | None,
    chatham_house_accepted: bool,
    by: User,
) -> str | None:
    """Register the person of one line of a list; what is wrong with the line, or None."""
    if organisation is None and not session.masterclass.is_closing_meeting:
        return _("Unknown municipality “%(name)s”.") % {"name": municipality}
    missing = [str(label) for key, label in REQUIRED_COLUMNS.items() if not row.get(key)]
    if missing:
        return _("Missing: %(fields)s.") % {"fields": ", ".join(missing)}
    try:
        with transaction.atomic():
            registration_create(
                session=session,
                organisation=organisation,
                organisation_name="" if organisation else municipality,
                name=row["name"],
                email=row["email"],
                function=row["function"],
                dietary=row.get("dietary") or "",
                chatham_house_accepted=chatham_house_accepted,
                by=by,
            )
    except ValidationError as error:
        return _message(error)
    return None


@transaction.atomic
def attendance_import(*, session: Session, rows: list[dict]) -> int:
    """Take attendance from a list (columns email and attended: ja/nee). All rows or none."""
    registrations = {
        r.email: r for r in session.registrations.active().order_by("pk").select_for_update()
    }
    problems = []
    marked = []
    for line, row in enumerate(rows, start=2):
        email = (row.get("email") or "").strip().lower()
        answer = str(row.get("attended") or "").strip().lower()
        registration = registrations.get(email)
        if registration is None:
            problems.append(
                (line, _("%(email)s is not registered for this session.") % {"email": email})
            )
        elif answer not in YES | NO:
            problems.append(
                (line, _("“%(value)s” is not ja or nee.") % {"value": row.get("attended")})
            )
        else:
            registration.attended = answer in YES
            marked.append(registration)
    if problems:
        raise ImportProblems(problems)
    Registration.objects.bulk_update(marked, ["attended"])
    return len(marked)


# --- Personal data: on request and by age -------------------------------------------------

PERSONAL_FIELDS = {"name": "", "email": "", "function": "", "dietary": ""}


def attendee_data(*, registration: Registration, by: User) -> dict:
    """Everything kept about the person of this registration, across all their registrations,
    for a request to see it. Leaves an audit entry that names no one."""
    rows = person_registrations(registration).select_related(
        "session__masterclass", "masterclass", "organisation"
    )
    data = {
        "name": registration.name,
        "email": registration.email,
        "registrations": [
            {
                "masterclass": str(r.masterclass.title),
                "session_starts_at": timezone.localtime(r.session.starts_at).isoformat(),
                "place": r.session.place,
                "municipality": r.organisation.name if r.organisation else r.organisation_name,
                "name": r.name,
                "function": r.function,
                "dietary_wishes": r.dietary,
                "registered_at": timezone.localtime(r.registered_at).isoformat(),
                "chatham_house_rule_accepted_at": timezone.localtime(
                    r.chatham_house_accepted_at
                ).isoformat(),
                "cancelled_at": timezone.localtime(r.cancelled_at).isoformat()
                if r.cancelled_at
                else None,
                "attended": r.attended,
            }
            for r in rows
        ],
    }
    audit_record(
        action=Action.ATTENDEE_EXPORTED,
        actor=by,
        target=registration,
        detail=f"{len(data['registrations'])} registrations",
    )
    return data


def person_registrations(registration: Registration):
    """Every registration of the person of this one (by address; only this one without)."""
    if not registration.email:
        return Registration.objects.filter(pk=registration.pk)
    return Registration.objects.filter(email=registration.email)


@transaction.atomic
def attendee_erase(*, registration: Registration, by: User, now=None) -> int:
    """Delete the personal data of the person of this registration, on their request: every
    registration with their address loses name, address, function and dietary wishes; the
    ones still to come are cancelled. What stays is a count per municipality."""
    now = now or timezone.now()
    ids = list(
        person_registrations(registration)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", flat=True)
    )
    rows = Registration.objects.filter(pk__in=ids)
    rows.filter(cancelled_at__isnull=True, session__starts_at__gt=now).update(
        cancelled_at=now, cancelled_by=by
    )
    count = rows.update(**PERSONAL_FIELDS, anonymised_at=now)
    audit_record(
        action=Action.ATTENDEE_DELETED,
        actor=by,
        target=registration,
        detail=f"{count} registrations",
    )
    return count


@transaction.atomic
def attendees_anonymise(*, now=None) -> int:
    """Anonymise the attendees of sessions that ended more than ATTENDEE_RETENTION_DAYS ago.
    Who came from which municipality stays as a count; who they were does not. One query."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ATTENDEE_RETENTION_DAYS)
    count = Registration.objects.filter(
        session__ends_at__lt=cutoff, anonymised_at__isnull=True
    ).update(**PERSONAL_FIELDS, anonymised_at=now)
    if count:
        audit_record(
            action=Action.ATTENDEES_ANONYMISED,
            actor=None,
            detail=f"{count} registrations of sessions ended before {cutoff:%Y-%m-%d}",
        )
    return count


# --- Mail ----------------------------------------------------------------------------------


def registration_confirmation_send(*, registration: Registration) -> bool:
    """The confirmation with the calendar invitation; sent once, however often it is asked."""
    if registration.confirmation_sent_at or not registration.is_active or not registration.email:
        return False
    mail.registration_mail(registration, kind=mail.CONFIRMATION)
    Registration.objects.filter(pk=registration.pk).update(confirmation_sent_at=timezone.now())
    return True


def registration_cancellation_send(*, registration: Registration) -> bool:
    """The withdrawal that takes the session out of the attendee's calendar; sent once."""
    if registration.is_active or not registration.email or registration.cancellation_sent_at:
        return False
    mail.registration_mail(registration, kind=mail.CANCELLATION)
    Registration.objects.filter(pk=registration.pk).update(cancellation_sent_at=timezone.now())
    return True


def session_reminders_send(*, now=None) -> int:
    """Remind everyone registered for a session that starts within MASTERCLASS_REMINDER_DAYS;
    each person once."""
    now = now or timezone.now()
    due = (
        Registration.objects.active()
        .filter(
            reminder_sent_at__isnull=True,
            session__starts_at__gt=now,
            session__starts_at__lte=now + timedelta(days=settings.MASTERCLASS_REMINDER_DAYS),
        )
        .exclude(email="")
        .select_related("session__masterclass", "organisation")
    )
    sent = 0
    refusals = RecipientRefusals()  # one address refused keeps nobody else waiting
    for registration in due:
        with refusals.about(f"Reminder of registration {registration.pk}"):
            mail.registration_mail(registration, kind=mail.REMINDER)
            Registration.objects.filter(pk=registration.pk).update(reminder_sent_at=timezone.now())
            sent += 1
    refusals.raise_postponed()
    return sent
