"""Thin tasks: ids in, a service call. Each is safe to run twice (acks late): a registration
remembers that its confirmation and reminder went out."""

from celery import shared_task

from common.tasks import MailTask

from . import services
from .models import Registration


def _registration(registration_id: int) -> Registration | None:
    return (
        Registration.objects.filter(pk=registration_id)
        .select_related("session__masterclass", "organisation")
        .first()
    )


@shared_task(base=MailTask)
def registration_confirmation_send(registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration is not None:
        services.registration_confirmation_send(registration=registration)


@shared_task(base=MailTask)
def registration_cancellation_send(registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration is not None:
        services.registration_cancellation_send(registration=registration)


@shared_task(base=MailTask)
def session_reminders_send() -> int:
    return services.session_reminders_send()


@shared_task
def attendees_anonymise() -> int:
    return services.attendees_anonymise()
