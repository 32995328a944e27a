"""The base of every mail task, and the relay of the outbox."""

import logging
from datetime import timedelta

from celery import Task, shared_task
from celery.exceptions import Ignore, Reject
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from . import outbox
from .mailing import MAIL_AWAY, REFUSED, refusal_codes, refused_for_good

logger = logging.getLogger(__name__)


class MailTask(Task):
    """The base of every task that sends mail. A mail server that is away comes back: the task
    tries again, waiting longer each time, for about two hours; then it waits in the outbox
    (common/outbox.py) and starts afresh an hour later."""

    autoretry_for = MAIL_AWAY
    # Waits of 1, 2, 4 … 32 s, then 45 s: 164 retries are about two hours. A task waiting for
    # its retry is a message Redis has handed out; if the wait and the run (at most the time
    # limit, 300 s) took longer than the visibility timeout (360 s), Redis would hand the task
    # to a second worker meanwhile. No jitter, so that "two hours" holds for every task.
    retry_backoff = True
    retry_backoff_max = 45
    retry_jitter = False
    max_retries = 164
    outbox_pause = timedelta(hours=1)

    def retry(self, *args, exc=None, **options):
        # Celery's autoretry calls this for every error of MAIL_AWAY; a refusal for good is
        # answered the same way however often it is asked.
        if refused_for_good(exc):
            logger.error(
                "%s%s not sent: the mail server refused the recipient for good (%s)",
                self.name,
                tuple(self.request.args or ()),
                refusal_codes(exc),
            )
            raise Ignore()
        try:
            return super().retry(*args, exc=exc, **options)
        except Reject as rejected:
            # Celery could not hand the retry to Redis and would drop the task: the mail waits
            # in the outbox instead.
            if not isinstance(rejected.reason, BrokerUnavailable):
                raise
            logger.error(
                "%s%s kept in the outbox: its retry could not reach the broker",
                self.name,
                tuple(self.request.args),
            )
            outbox.keep(
                name=self.name,
                args=list(self.request.args or ()),
                reason=f"retry not sent: {rejected.reason}",
            )
            raise Ignore() from rejected

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if not isinstance(exc, self.autoretry_for):
            return
        not_before = timezone.now() + self.outbox_pause
        logger.error("%s%s kept in the outbox until %s", self.name, tuple(args), not_before)
        # The message of a refusal names the addresses: only its type is kept.
        reason = type(exc).__name__ if isinstance(exc, REFUSED) else str(exc)
        outbox.keep(name=self.name, args=list(args), reason=reason, not_before=not_before)


@shared_task
def outbox_relay() -> int:
    """Send the tasks that waited in the database while the broker was away."""
    return outbox.outbox_relay()
