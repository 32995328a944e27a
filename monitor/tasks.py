"""Thin tasks: ids in, a service call, retries for the mail server."""

import logging
from datetime import timedelta
from smtplib import SMTPException, SMTPRecipientsRefused

from celery import Task, shared_task
from celery.exceptions import Ignore
from django.utils import timezone

from . import outbox, services
from .models import Announcement, User

logger = logging.getLogger(__name__)


def refused_for_good(error: BaseException | None) -> bool:
    """Whether the mail server refused every recipient with a permanent (5xx) answer."""
    return (
        isinstance(error, SMTPRecipientsRefused)
        and bool(error.recipients)
        and all(500 <= code < 600 for code, _ in error.recipients.values())
    )


class MailTask(Task):
    """The base of every task that sends mail. A mail server that is away comes back: the task
    tries again, waiting longer each time, for about two hours; then it waits in the outbox
    (monitor/outbox.py) and starts afresh an hour later."""

    autoretry_for = (SMTPException, ConnectionError, TimeoutError)
    # Waits of 1, 2, 4 … 256 s, then 300 s: 31 retries are about two hours. Each wait stays
    # below the broker's visibility timeout (360 s), or Redis would hand the waiting task to a
    # second worker. No jitter, so that "two hours" holds for every task.
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = False
    max_retries = 31
    outbox_pause = timedelta(hours=1)

    def retry(self, *args, exc=None, **options):
        # Celery's autoretry calls this for every SMTPException; a refusal for good is
        # answered the same way however often it is asked.
        if refused_for_good(exc):
            logger.error(
                "%s%s not sent: the mail server refused the recipient for good (%s)",
                self.name,
                tuple(self.request.args or ()),
                ", ".join(str(code) for code, _ in exc.recipients.values()),
            )
            raise Ignore()
        return super().retry(*args, exc=exc, **options)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if not isinstance(exc, self.autoretry_for):
            return
        not_before = timezone.now() + self.outbox_pause
        logger.error("%s%s kept in the outbox until %s", self.name, tuple(args), not_before)
        # The message of a refusal names the addresses: only its type is kept.
        reason = type(exc).__name__ if isinstance(exc, SMTPRecipientsRefused) else str(exc)
        outbox.keep(name=self.name, args=list(args), reason=reason, not_before=not_before)


@shared_task(base=MailTask)
def password_link_send(user_id: int, by_id: int | None = None) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None:
        return
    by = User.objects.filter(pk=by_id).first() if by_id else None
    services.password_link_send(user=user, by=by)


@shared_task(base=MailTask)
def deadline_reminders_send() -> int:
    return services.deadline_reminders_send()


@shared_task(base=MailTask)
def announcement_send(announcement_id: int) -> int:
    announcement = Announcement.objects.filter(pk=announcement_id, sent_at__isnull=True).first()
    if announcement is None:
        return 0
    return services.announcement_deliver(announcement=announcement)


@shared_task
def outbox_relay() -> int:
    """Send the tasks that waited in the database while the broker was away."""
    return outbox.outbox_relay()
