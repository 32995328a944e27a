"""Thin tasks: ids in, a service call."""

from celery import shared_task

from common.tasks import MailTask

from .models import User
from .services import accounts


@shared_task(base=MailTask)
def password_link_send(user_id: int, by_id: int | None = None) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None:
        return
    by = User.objects.filter(pk=by_id).first() if by_id else None
    accounts.password_link_send(user=user, by=by)
