"""Thin tasks: ids in, a service call, retries for the mail server."""

from smtplib import SMTPException

from celery import shared_task

from . import services
from .models import User


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=8,
)
def password_link_send(user_id: int, by_id: int | None = None) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None:
        return
    by = User.objects.filter(pk=by_id).first() if by_id else None
    services.password_link_send(user=user, by=by)
