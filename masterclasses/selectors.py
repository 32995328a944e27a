"""Reads of the masterclasses, each in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from monitor.models import Edition, Organisation

from .models import Masterclass, Registration, Session


def programme_edition() -> Edition | None:
    """The edition whose masterclasses are on offer: the newest that has any."""
    return (
        Edition.objects.filter(masterclasses__isnull=False)
        .exclude(status=Edition.Status.DRAFT)
        .order_by("-year")
        .first()
    )


def sessions_with_places() -> QuerySet[Session]:
    return Session.objects.annotate(
        taken=Count("registrations", filter=Q(registrations__cancelled_at__isnull=True))
    ).order_by("starts_at", "pk")


def programme(edition: Edition) -> list[Masterclass]:
    """The edition's masterclasses with their sessions and how many places are taken: two
    queries."""
    return list(
        edition.masterclasses.prefetch_related(
            Prefetch("sessions", queryset=sessions_with_places())
        ).order_by("number")
    )


def masterclass_for(edition: Edition, number: int) -> Masterclass | None:
    return (
        edition.masterclasses.filter(number=number)
        .prefetch_related(Prefetch("sessions", queryset=sessions_with_places()))
        .first()
    )


def organisation_registrations(organisation: Organisation, edition: Edition) -> QuerySet:
    """The municipality's active registrations for the edition's masterclasses."""
    return (
        Registration.objects.active()
        .filter(organisation=organisation, masterclass__edition=edition)
        .select_related("session", "masterclass")
        .order_by("masterclass__number", "session__starts_at", "name")
    )


def registrations_by_masterclass(organisation: Organisation, edition: Edition) -> dict:
    grouped: dict[int, list[Registration]] = {}
    for registration in organisation_registrations(organisation, edition):
        grouped.setdefault(registration.masterclass_id, []).append(registration)
    return grouped


def session_registrations(session: Session) -> QuerySet[Registration]:
    """Everyone registered for the session, for the organiser: one query."""
    return (
        session.registrations.active()
        .select_related("organisation", "registered_by")
        .order_by("organisation__name", "organisation_name", "name")
    )


def upcoming_sessions(masterclass: Masterclass, now=None) -> list[Session]:
    now = now or timezone.now()
    return [s for s in masterclass.sessions.all() if s.starts_at > now]


def first_masterclass_reminder(organisation: Organisation, penvoerder_email: str) -> dict | None:
    """What the penvoerder's home page says about masterclass 1 (seed 002 asks every
    penvoerder to attend at least that one): ``{"masterclass", "registered", "penvoerder"}``,
    or None when there is no masterclass 1 with a session still to come. Two queries."""
    edition = programme_edition()
    masterclass = edition and masterclass_for(edition, Masterclass.Number.BUYERS)
    if masterclass is None or not upcoming_sessions(masterclass):
        return None
    emails = set(
        Registration.objects.active()
        .filter(masterclass=masterclass, organisation=organisation)
        .values_list("email", flat=True)
    )
    return {
        "masterclass": masterclass,
        "registered": bool(emails),
        "penvoerder": penvoerder_email.lower() in emails,
    }
