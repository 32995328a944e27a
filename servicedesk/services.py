"""The service desk's writes: deadlines and extensions, the reminders before a deadline, and
announcements to every penvoerder. Each change is in the audit trail."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.mailing import RecipientRefusals
from common.outbox import enqueue
from monitor.audit import audit_record
from monitor.models import AuditEvent, Edition, Organisation, Scan, User
from monitor.services.scans import scan_start

from .models import Announcement, DeadlineReminder

Action = AuditEvent.Action


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


@transaction.atomic
def edition_deadline_set(
    *, edition: Edition, deadline: datetime, reminder_days: list[int], by: User
) -> None:
    """Set the edition's deadline and the days before it on which reminders go out."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if not edition.is_open:
        raise ValidationError(_("Only the deadline of an open edition can be changed."))
    before = edition.deadline
    edition.deadline, edition.reminder_days = deadline, sorted(set(reminder_days), reverse=True)
    edition.save(update_fields=["deadline", "reminder_days"])
    audit_record(
        action=Action.DEADLINE_CHANGED,
        actor=by,
        target=edition,
        detail=f"{_when(before)} -> {_when(deadline)}; reminders {edition.reminder_days}",
    )


@transaction.atomic
def scan_extension_set(
    *, organisation: Organisation, edition: Edition, until: datetime | None, by: User
) -> Scan:
    """Give one municipality until ``until`` (None takes an extension back)."""
    if not edition.is_open:
        raise ValidationError(_("Only a scan of an open edition can get an extension."))
    if until is not None and edition.deadline is not None and until <= edition.deadline:
        raise ValidationError(
            {
                "until": _("An extension ends after the deadline of %(deadline)s.")
                % {"deadline": date_format(timezone.localtime(edition.deadline), "j F Y H:i")}
            }
        )
    scan = Scan.objects.select_for_update().get(
        pk=scan_start(organisation=organisation, edition=edition).pk
    )
    before = scan.extended_until
    scan.extended_until = until
    scan.save(update_fields=["extended_until"])
    audit_record(
        action=Action.EXTENSION_GRANTED,
        actor=by,
        target=scan,
        detail=f"{_when(before)} -> {_when(until)}",
    )
    return scan


# --- Reminders before the deadline ----------------------------------------------------------


def reminders_due(edition: Edition, *, now=None) -> list[tuple[User, int, datetime]]:
    """The penvoerders to remind today, with the reminder day and their deadline: of every
    municipality whose scan of the open edition is not submitted and whose deadline (or
    extension) is at most one of the reminder days away, once per reminder day of that
    deadline (a deadline moved has reminders of its own). A day the task did not run is made
    up for the next day, with one mail. Three queries."""
    now = now or timezone.now()
    if not edition.is_open or edition.deadline is None:
        return []
    scans = {s.organisation_id: s for s in edition.scans.all()}
    done = set(
        DeadlineReminder.objects.filter(edition=edition).values_list(
            "organisation_id", "deadline", "days_before"
        )
    )
    today = timezone.localdate(now)
    due = []
    for penvoerder in announcement_recipients():
        scan = scans.get(penvoerder.organisation_id)
        if scan is not None and scan.is_submitted:
            continue
        deadline = scan.deadline if scan is not None else edition.deadline
        if deadline < now:
            continue
        left = (timezone.localdate(deadline) - today).days
        reached = [
            day
            for day in edition.reminders_before
            if left <= day
            and (penvoerder.organisation_id, timezone.localdate(deadline), day) not in done
        ]
        if reached:
            due.append((penvoerder, min(reached), deadline))
    return due


def deadline_reminders_send(*, now=None) -> int:
    """Send today's reminders for every open edition; each (municipality, day) once. A mail
    and its record go together, one municipality at a time: what was sent before a worker
    died is not sent again. An address the mail server refuses keeps nobody else from their
    reminder: refused for good it is skipped, refused for now the task tries it again."""
    now = now or timezone.now()
    total = 0
    refusals = RecipientRefusals()
    for edition in Edition.objects.open().filter(deadline__isnull=False):
        sent = 0
        try:
            for penvoerder, day, deadline in reminders_due(edition, now=now):
                with refusals.about(
                    f"Deadline reminder for organisation {penvoerder.organisation_id}"
                ):
                    sent += _reminder_record_and_send(penvoerder, edition, day, deadline, now)
        finally:
            # Also when the mail server goes away half-way: the trail shows what went out.
            if sent:
                audit_record(
                    action=Action.REMINDERS_SENT,
                    actor=None,
                    target=edition,
                    detail=f"{sent} reminders",
                )
        total += sent
    refusals.raise_postponed()
    return total


@transaction.atomic
def _reminder_record_and_send(
    penvoerder: User, edition: Edition, day: int, deadline: datetime, now: datetime
) -> int:
    """Record and send one reminder; 1 when it went out, 0 when another run had sent it. A mail
    that cannot be sent takes its records back with it."""
    deadline_day = timezone.localdate(deadline)
    # A second worker sending the same reminder waits on this row, then finds it.
    _, created = DeadlineReminder.objects.get_or_create(
        organisation=penvoerder.organisation,
        edition=edition,
        deadline=deadline_day,
        days_before=day,
        defaults={"sent_to": penvoerder.email, "sent_at": now},
    )
    # The reminders further out that this one makes up for are done as well.
    DeadlineReminder.objects.bulk_create(
        [
            DeadlineReminder(
                organisation=penvoerder.organisation,
                edition=edition,
                deadline=deadline_day,
                days_before=further,
                sent_to=penvoerder.email,
                sent_at=now,
            )
            for further in edition.reminders_before
            if further > day
        ],
        ignore_conflicts=True,
    )
    if not created:
        return 0
    _reminder_mail(penvoerder, edition, deadline, now)
    return 1


def _reminder_mail(penvoerder: User, edition: Edition, deadline: datetime, now) -> None:
    left = (timezone.localdate(deadline) - timezone.localdate(now)).days
    context = {
        "user": penvoerder,
        "organisation": penvoerder.organisation,
        "edition": edition,
        "deadline": timezone.localtime(deadline),
        "days_left": left,
        "link": settings.SITE_URL.rstrip("/")
        + f"/scan/{penvoerder.organisation.url_code}/{edition.year}/",
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("servicedesk/email/deadline_reminder_subject.txt", context)
        body = render_to_string("servicedesk/email/deadline_reminder_message.txt", context)
    EmailMessage(subject.strip(), body, to=[penvoerder.email]).send()


# --- Announcements --------------------------------------------------------------------------


def announcement_recipients():
    return User.objects.filter(
        role=User.Role.PENVOERDER, is_active=True, organisation__kind=Organisation.Kind.MUNICIPALITY
    ).select_related("organisation")


@transaction.atomic
def announcement_create(*, subject: str, body: str, by: User) -> Announcement:
    """Store the announcement and send it from a worker once committed."""
    announcement = Announcement.objects.create(subject=subject, body=body, created_by=by)
    audit_record(
        action=Action.ANNOUNCEMENT_SENT,
        actor=by,
        target=announcement,
        detail=f"{announcement_recipients().count()} penvoerders",
    )
    enqueue("servicedesk.tasks.announcement_send", announcement.pk)
    return announcement


def announcement_deliver(*, announcement: Announcement) -> int:
    """Mail the announcement to every active penvoerder it has not reached yet, over one SMTP
    connection; a run that stops half-way is taken up by the next without sending twice."""
    delivered = set(announcement.delivered_to)
    sent = 0
    refusals = RecipientRefusals()
    with get_connection() as connection:
        for penvoerder in announcement_recipients():
            if penvoerder.email in delivered:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string(
                    "servicedesk/email/announcement_message.txt",
                    {"user": penvoerder, "announcement": announcement},
                )
            message = EmailMessage(
                f"[CIMoLT] {announcement.subject}",
                body,
                to=[penvoerder.email],
                connection=connection,
            )
            with refusals.about(f"Announcement {announcement.pk} to user {penvoerder.pk}"):
                message.send()
                delivered.add(penvoerder.email)
                Announcement.objects.filter(pk=announcement.pk).update(
                    delivered_to=sorted(delivered)
                )
                sent += 1
    refusals.raise_postponed()  # sent in full only once those refused for now have it too
    Announcement.objects.filter(pk=announcement.pk).update(sent_at=timezone.now())
    return sent
