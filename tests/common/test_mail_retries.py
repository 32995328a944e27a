"""A mail server that is away or refuses an address: mail tasks try again for about two hours,
then wait in the outbox for an hour; an address refused for good is logged, not kept; one
refused address does not stop the reminders or an announcement to everyone else."""

import socket
from datetime import timedelta
from smtplib import SMTPDataError, SMTPRecipientsRefused

import pytest
from celery.signals import task_retry
from django.core import mail
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from cimolt.celery import app as celery_app
from common import outbox
from common.mailing import refused_for_good
from common.models import PendingTask
from common.tasks import MailTask
from monitor.models import AuditEvent
from monitor.tasks import password_link_send
from servicedesk import services
from servicedesk.models import Announcement, DeadlineReminder
from servicedesk.tasks import announcement_send, deadline_reminders_send

pytestmark = pytest.mark.django_db

ALICE = "alice@aalten.test"
WORKING = "django.core.mail.backends.locmem.EmailBackend"


class MailServerAway(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class GoesAwayAfterOneMail(locmem.EmailBackend):
    def send_messages(self, email_messages):
        if mail.outbox:
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(email_messages)


class RefusesAlice(locmem.EmailBackend):
    """Answers Alice's address as a mail server without that mailbox does; sends the rest."""

    code = 550

    def send_messages(self, email_messages):
        for message in email_messages:
            if ALICE in message.to:
                raise SMTPRecipientsRefused({ALICE: (self.code, b"5.1.1 No such user")})
        return super().send_messages(email_messages)


class GreylistsAlice(RefusesAlice):
    code = 451


class GreylistsAliceOnce(locmem.EmailBackend):
    """Greylisting: the first mail to Alice is refused for now, the next accepted."""

    tried = False

    def send_messages(self, email_messages):
        for message in email_messages:
            if ALICE in message.to and not GreylistsAliceOnce.tried:
                GreylistsAliceOnce.tried = True
                raise SMTPRecipientsRefused({ALICE: (451, b"4.7.1 Try again later")})
        return super().send_messages(email_messages)


class RefusesAlicesMessage(locmem.EmailBackend):
    """Refuses the message to Alice after its data (a content filter), for good."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if ALICE in message.to:
                raise SMTPDataError(554, b"5.7.1 Message refused")
        return super().send_messages(email_messages)


class NameDoesNotResolve(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise socket.gaierror(-2, "Name or service not known")


def backend(cls) -> str:
    return f"{__name__}.{cls.__name__}"


class WorkerAtHand:
    """Stands in for the broker and a worker: a task sent to it runs at once."""

    def send_task(self, name, args, **options):
        return celery_app.tasks[name].apply(args=args)


@pytest.fixture(autouse=True)
def _failures_stay_in_the_task():
    """Run tasks as a worker does: a failure goes to the task's retries and ``on_failure``, not
    to the caller. With ``task_eager_propagates`` (the tests' setting) the first failure is
    raised to the caller as ``Retry``, and neither a retry nor ``on_failure`` runs."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


@pytest.fixture
def retry_waits():
    """The countdown of every retry, in seconds, as the worker would wait it."""
    waits = []

    def record(sender, reason, **kwargs):
        waits.append(reason.when)

    task_retry.connect(record)
    yield waits
    task_retry.disconnect(record)


# --- The mail server away -------------------------------------------------------------------


def test_a_mail_task_tries_again_for_about_two_hours_each_wait_below_the_visibility_timeout(
    alice, settings, retry_waits
):
    settings.EMAIL_BACKEND = backend(MailServerAway)
    assert password_link_send.delay(alice.pk).state == "FAILURE"
    assert len(retry_waits) == MailTask.max_retries
    # Waiting for a retry and then running must end before Redis hands the task out again.
    longest_run = settings.CELERY_TASK_TIME_LIMIT
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert max(retry_waits) + longest_run < visibility
    waited = timedelta(seconds=sum(retry_waits))
    assert timedelta(hours=1, minutes=45) < waited <= timedelta(hours=2)


def test_a_mail_server_whose_name_does_not_resolve_is_tried_again_too(alice, settings):
    settings.EMAIL_BACKEND = backend(NameDoesNotResolve)
    assert password_link_send.delay(alice.pk).state == "FAILURE"
    (pending,) = PendingTask.objects.all()
    assert pending.name == "monitor.tasks.password_link_send"


def test_a_mail_that_cannot_go_out_waits_in_the_outbox_and_goes_out_an_hour_later(
    alice, settings, monkeypatch
):
    settings.EMAIL_BACKEND = backend(MailServerAway)
    assert password_link_send.delay(alice.pk).state == "FAILURE"
    (pending,) = PendingTask.objects.all()
    assert (pending.name, pending.args) == (password_link_send.name, [alice.pk])
    assert pending.not_before > timezone.now() + timedelta(minutes=55)

    monkeypatch.setattr(outbox, "current_app", WorkerAtHand())
    settings.EMAIL_BACKEND = WORKING
    assert outbox.outbox_relay(now=pending.not_before - timedelta(minutes=1)) == 0
    assert not mail.outbox
    assert outbox.outbox_relay(now=pending.not_before) == 1
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert not PendingTask.objects.exists()


# --- An address refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "for_good"),
    [([550], True), ([550, 553], True), ([451], False), ([550, 451], False)],
)
def test_only_a_5xx_answer_for_every_recipient_is_a_refusal_for_good(codes, for_good):
    error = SMTPRecipientsRefused(
        {f"r{i}@example.test": (code, b"") for i, code in enumerate(codes)}
    )
    assert refused_for_good(error) is for_good


def test_an_address_refused_for_good_is_logged_and_neither_retried_nor_kept(
    alice, settings, retry_waits, caplog
):
    settings.EMAIL_BACKEND = backend(RefusesAlice)
    assert password_link_send.delay(alice.pk).state == "IGNORED"
    assert not retry_waits
    assert not PendingTask.objects.exists()
    (error,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "refused the recipient for good (550)" in error.getMessage()
    assert ALICE not in caplog.text


def test_an_address_refused_for_now_is_retried_and_kept_without_the_address(
    alice, settings, retry_waits
):
    settings.EMAIL_BACKEND = backend(GreylistsAlice)
    assert password_link_send.delay(alice.pk).state == "FAILURE"
    assert len(retry_waits) == MailTask.max_retries
    (pending,) = PendingTask.objects.all()
    assert pending.last_error == "SMTPRecipientsRefused"


# --- One refused address among many ---------------------------------------------------------


@pytest.fixture
def reminders_due(edition, alice, charlie):
    """Alice (first by address) and Charlie are both due a reminder."""
    edition.reminder_days = [3]
    edition.deadline = timezone.now() + timedelta(days=2)
    edition.save()
    return alice, charlie


def test_a_refused_address_does_not_stop_the_reminders_and_is_tried_again_next_run(
    reminders_due, settings, caplog
):
    alice, charlie = reminders_due
    settings.EMAIL_BACKEND = backend(RefusesAlice)
    assert deadline_reminders_send.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[charlie.email]]
    assert not DeadlineReminder.objects.filter(organisation=alice.organisation).exists()
    assert f"organisation {alice.organisation_id} refused" in caplog.text
    assert ALICE not in caplog.text

    settings.EMAIL_BACKEND = WORKING
    assert deadline_reminders_send.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[charlie.email], [alice.email]]


def test_the_reminders_sent_before_the_mail_server_went_away_are_in_the_audit_trail(
    reminders_due, settings
):
    alice, charlie = reminders_due
    settings.EMAIL_BACKEND = backend(GoesAwayAfterOneMail)
    with pytest.raises(ConnectionRefusedError):
        services.deadline_reminders_send()
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.REMINDERS_SENT)
    assert event.detail == "1 reminders"
    assert DeadlineReminder.objects.filter(organisation=alice.organisation).exists()
    assert not DeadlineReminder.objects.filter(organisation=charlie.organisation).exists()


def test_an_address_greylisted_gets_its_reminder_on_the_retry_and_the_others_theirs_once(
    reminders_due, settings
):
    alice, charlie = reminders_due
    GreylistsAliceOnce.tried = False
    settings.EMAIL_BACKEND = backend(GreylistsAliceOnce)
    assert deadline_reminders_send.delay().state == "SUCCESS"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, charlie.email])
    assert DeadlineReminder.objects.filter(organisation=alice.organisation).exists()


def test_a_message_refused_for_good_after_its_data_does_not_stop_the_reminders(
    reminders_due, settings
):
    _alice, charlie = reminders_due
    settings.EMAIL_BACKEND = backend(RefusesAlicesMessage)
    assert deadline_reminders_send.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[charlie.email]]
    assert not PendingTask.objects.exists()


def test_a_refused_address_does_not_stop_an_announcement(
    alice, charlie, servicedesk, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = backend(RefusesAlice)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_create(
            subject="Terugkoppelmoment", body="Op 3 maart…", by=servicedesk
        )
    announcement = Announcement.objects.get()
    assert announcement.delivered_to == [charlie.email]
    assert announcement.sent_at is not None
    assert [m.to for m in mail.outbox] == [[charlie.email]]
    assert f"user {alice.pk} refused" in caplog.text
    assert ALICE not in caplog.text
    assert announcement_send(announcement.pk) == 0


def test_an_announcement_greylisted_for_one_is_finished_on_the_retry(
    alice, charlie, servicedesk, settings, django_capture_on_commit_callbacks
):
    GreylistsAliceOnce.tried = False
    settings.EMAIL_BACKEND = backend(GreylistsAliceOnce)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_create(subject="Terugkoppelmoment", body="…", by=servicedesk)
    announcement = Announcement.objects.get()
    assert sorted(announcement.delivered_to) == sorted([alice.email, charlie.email])
    assert announcement.sent_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, charlie.email])
