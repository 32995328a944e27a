"""Thin tasks: ids in, a service call; mail tasks retry while the mail server is away."""

from celery import shared_task

from common.tasks import MailTask

from . import services
from .models import Announcement


@shared_task(base=MailTask)
def deadline_reminders_send() -> int:
    return services.deadline_reminders_send()


@shared_task(base=MailTask)
def announcement_send(announcement_id: int) -> int:
    announcement = Announcement.objects.filter(pk=announcement_id, sent_at__isnull=True).first()
    if announcement is None:
        return 0
    return services.announcement_deliver(announcement=announcement)
