"""Handing work to the Celery workers without ever losing it.

Every task the application starts goes through ``enqueue``, by the task's name: it is sent once
the transaction commits. A service names its task instead of importing it, so the tasks module
(which imports the services) and the services never import each other.

When the broker (Redis) cannot be reached, the page does not fail and the task is not dropped:
it waits in the database (``PendingTask``) and ``outbox_relay`` — run every minute by
Celery beat, and by ``manage.py outbox_relay`` — sends it once the broker is back. The tasks
are idempotent, so a task that reached the broker just before the failure and is sent again
does no harm.

A mail task whose mail server is away tries again for about two hours (``MailTask`` in
common/tasks.py); then it waits here too, with ``not_before`` an hour later, and the relay
starts it afresh after that — until the mail goes out. An address the mail server refuses for
good (a 5xx answer) is logged and not tried again.
"""

import logging
import time
from datetime import datetime

from celery import current_app
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import PendingTask

logger = logging.getLogger(__name__)

# What a broker that is away raises when a task is sent to it.
BROKER_DOWN = (OperationalError, ConnectionError, OSError)
# After the broker failed once, this process does not try it again for this many seconds: a
# page that starts fifty tasks (all reports of an edition) waits for one failure, not fifty.
BROKER_PAUSE_SECONDS = 30
_broker_down_until = 0.0


def enqueue(task_name: str, *args) -> None:
    """Start the task ``task_name(*args)`` on a worker once the current transaction has
    committed. Without a broker (eager Celery) it runs in this process then."""
    transaction.on_commit(lambda: _send(task_name, args))


def _send(task_name: str, args) -> None:
    global _broker_down_until
    if time.monotonic() >= _broker_down_until:
        try:
            _registered(task_name).apply_async(args=args, retry=False)
            return
        except BROKER_DOWN as error:
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning("Broker unavailable, %s kept for later: %s", task_name, error)
            reason = str(error)
    else:
        reason = "broker unavailable a moment ago"
    keep(name=task_name, args=list(args), reason=reason)


def _registered(task_name: str):
    """The task of that name. A registered task honours eager mode (no broker), which
    ``send_task`` would not; the apps' task modules are imported on the first call, as a
    worker imports them when it starts."""
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def keep(*, name: str, args: list, reason: str, not_before: datetime | None = None) -> None:
    """Keep the task ``name(*args)`` for ``outbox_relay`` to send, once ``not_before`` has
    passed (at once when it is None)."""
    PendingTask.objects.create(name=name, args=args, last_error=reason[:300], not_before=not_before)


def outbox_relay(*, limit: int = 500, now: datetime | None = None) -> int:
    """Send the tasks that waited for the broker, oldest first, leaving those whose
    ``not_before`` is still to come; each one that goes out is removed. Returns how many went
    out; stops at the first that cannot."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = list(
            PendingTask.objects.select_for_update(skip_locked=True)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .order_by("pk")[:limit]
        )
        for item in pending:
            try:
                current_app.send_task(item.name, args=item.args, retry=False)
            except BROKER_DOWN as error:
                PendingTask.objects.filter(pk=item.pk).update(
                    attempts=item.attempts + 1, last_error=str(error)[:300]
                )
                break
            item.delete()
            sent += 1
    return sent
