"""The periodic tasks: reminders a few days before a session, and attendee data anonymised after
the retention period; both through the real beat schedule's task names."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from cimolt.celery import app
from masterclasses.models import Registration
from masterclasses.services import (
    attendee_erase,
    registration_cancel,
    registration_create,
    session_add,
)
from monitor.models import AuditEvent
from tests.factories import attendee

pytestmark = pytest.mark.django_db


def beat_task(name: str):
    """The task the beat schedule runs under ``name``, as the worker would find it."""
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    return app.tasks[entry["task"]]


def session_in(masterclass, days: float):
    starts = timezone.now() + timedelta(days=days)
    return session_add(
        masterclass=masterclass,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        place="Ede",
        capacity=30,
    )


def register(session, organisation, number, now=None):
    return registration_create(
        session=session, organisation=organisation, by=None, now=now, **attendee(number)
    )


def test_attendees_of_a_session_within_three_days_get_one_reminder(sessions, municipality_a):
    masterclass = sessions[2].masterclass
    soon = session_in(masterclass, 2)
    later = session_in(masterclass, 10)
    reminded = register(soon, municipality_a, 1)
    cancelled = register(soon, municipality_a, 2)
    register(later, municipality_a, 3)
    registration_cancel(registration=cancelled, by=None)
    mail.outbox.clear()

    assert beat_task("masterclass-reminders").delay().get() == 1
    assert beat_task("masterclass-reminders").delay().get() == 0

    (message,) = mail.outbox
    assert message.to == [reminded.email]
    assert message.subject.startswith("Herinnering: Masterclass 2")
    assert "Ede" in message.body
    assert message.attachments


def _session_that_ended(masterclass, days_ago: int):
    now = timezone.now()
    starts = now - timedelta(days=days_ago, hours=4)
    session = session_add(
        masterclass=masterclass,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        place="Zutphen",
        capacity=30,
    )
    return session, starts - timedelta(days=7)


def test_attendee_data_is_anonymised_a_retention_period_after_the_session(
    sessions, municipality_a, settings
):
    settings.ATTENDEE_RETENTION_DAYS = 365
    masterclass = sessions[1].masterclass
    old, registered_then = _session_that_ended(masterclass, 400)
    recent, registered_recently = _session_that_ended(masterclass, 300)
    gone = register(old, municipality_a, 1, now=registered_then)
    kept = register(recent, municipality_a, 2, now=registered_recently)

    assert beat_task("attendee-retention").delay().get() == 1

    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.name, gone.email, gone.function, gone.dietary) == ("", "", "", "")
    assert gone.anonymised_at is not None
    assert gone.organisation == municipality_a  # the count per municipality stays
    assert kept.name == "Collega 2"
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDEES_ANONYMISED)
    assert "1 registrations" in event.detail
    assert "Collega" not in str(event.__dict__)


def test_the_retention_task_also_anonymises_when_time_has_moved_on(sessions, municipality_a):
    from masterclasses.services import attendees_anonymise

    registration = register(sessions[1], municipality_a, 1)
    assert attendees_anonymise() == 0
    a_year_and_a_week_on = sessions[1].ends_at + timedelta(
        days=settings.ATTENDEE_RETENTION_DAYS + 7
    )
    assert attendees_anonymise(now=a_year_and_a_week_on) == 1
    assert attendees_anonymise(now=a_year_and_a_week_on) == 0
    registration.refresh_from_db()
    assert registration.email == ""


def test_erasing_on_request_removes_the_person_from_every_registration(
    sessions, municipality_a, organiser
):
    first = register(sessions[1], municipality_a, 1)
    register(sessions[2], municipality_a, 1)
    other = register(sessions[2], municipality_a, 2)

    assert attendee_erase(registration=first, by=organiser) == 2

    erased = Registration.objects.filter(anonymised_at__isnull=False)
    assert erased.count() == 2
    assert set(erased.values_list("name", "email")) == {("", "")}
    # Sessions still to come are cancelled, so the places are free again.
    assert not erased.filter(cancelled_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.name == "Collega 2"
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDEE_DELETED)
    assert event.actor == organiser
    assert "Collega" not in event.object_repr + event.detail


class RefusingBackend(locmem.EmailBackend):
    """The locmem backend, with a mail server that will not take one address."""

    refused = "collega1@gemeente.test"

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise SMTPRecipientsRefused({self.refused: (550, b"No such user")})
        return super().send_messages(messages)


def test_an_address_the_mail_server_refuses_does_not_keep_the_others_from_their_reminder(
    sessions, municipality_a, settings
):
    soon = session_in(sessions[2].masterclass, 2)
    refused, other = register(soon, municipality_a, 1), register(soon, municipality_a, 2)
    mail.outbox.clear()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    assert beat_task("masterclass-reminders").delay().get() == 1
    assert [m.to for m in mail.outbox] == [[other.email]]
    refused.refresh_from_db()
    assert refused.reminder_sent_at is None  # tried again on the next run


def test_a_cancellation_asked_twice_is_mailed_once(sessions, municipality_a):
    send = app.tasks["masterclasses.tasks.registration_cancellation_send"]
    registration = register(sessions[1], municipality_a, 1)
    registration_cancel(registration=registration, by=None)
    mail.outbox.clear()
    send.delay(registration.pk)
    send.delay(registration.pk)  # a worker killed after sending, the task run again
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Afgemeld"]
