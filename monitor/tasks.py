"""Thin tasks: ids in, a service call, retries for the mail server."""

from smtplib import SMTPException

from celery import shared_task

from . import outbox, services
from .models import Announcement, User

# A mail server that is away comes back: try again, waiting longer each time.
MAIL_RETRIES = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "max_retries": 8,
}


@shared_task(**MAIL_RETRIES)
def password_link_send(user_id: int, by_id: int | None = None) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None:
        return
    by = User.objects.filter(pk=by_id).first() if by_id else None
    services.password_link_send(user=user, by=by)


@shared_task(**MAIL_RETRIES)
def deadline_reminders_send() -> int:
    return services.deadline_reminders_send()


@shared_task(**MAIL_RETRIES)
def announcement_send(announcement_id: int) -> int:
    announcement = Announcement.objects.filter(pk=announcement_id, sent_at__isnull=True).first()
    if announcement is None:
        return 0
    return services.announcement_deliver(announcement=announcement)


@shared_task
def outbox_relay() -> int:
    """Send the tasks that waited in the database while the broker was away."""
    return outbox.outbox_relay()
