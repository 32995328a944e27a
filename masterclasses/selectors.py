"""Reads of the masterclasses, each in a fixed number of queries. They hand out querysets and
frozen rows, which a view renders as they are."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from monitor.models import Edition, Organisation

from .models import SEATS_PER_MUNICIPALITY, Masterclass, Registration, Session


@dataclass(frozen=True)
class MasterclassRegistrations:
    """One masterclass, with the active registrations of one municipality for it."""

    masterclass: Masterclass
    registrations: tuple[Registration, ...]

    @property
    def full(self) -> bool:
        """Whether the municipality holds all its seats for the masterclass."""
        return (
            self.masterclass.caps_municipalities
            and len(self.registrations) >= SEATS_PER_MUNICIPALITY
        )


@dataclass(frozen=True)
class MasterclassReminder:
    """What the penvoerder's home page says about masterclass 1 (seed 002 asks every
    penvoerder to attend at least that one)."""

    masterclass: Masterclass
    registered: bool  # someone of the municipality is
    penvoerder: bool  # the penvoerder is


def programme_edition() -> Edition | None:
    """The edition whose masterclasses are on offer: the newest visible one that has any."""
    return Edition.objects.visible().filter(masterclasses__isnull=False).first()


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


def _organisation_registrations(organisation: Organisation) -> QuerySet[Registration]:
    return (
        Registration.objects.active()
        .filter(organisation=organisation)
        .select_related("session", "masterclass")
        .order_by("masterclass__number", "session__starts_at", "name")
    )


def organisation_programme(
    organisation: Organisation, edition: Edition
) -> list[MasterclassRegistrations]:
    """The edition's masterclasses, each with the municipality's registrations: three
    queries."""
    grouped: dict[int, list[Registration]] = {}
    for registration in _organisation_registrations(organisation).filter(
        masterclass__edition=edition
    ):
        grouped.setdefault(registration.masterclass_id, []).append(registration)
    return [
        MasterclassRegistrations(masterclass, tuple(grouped.get(masterclass.pk, ())))
        for masterclass in programme(edition)
    ]


def masterclass_registrations(
    organisation: Organisation, masterclass: Masterclass
) -> MasterclassRegistrations:
    """The municipality's registrations for one masterclass: one query."""
    registrations = _organisation_registrations(organisation).filter(masterclass=masterclass)
    return MasterclassRegistrations(masterclass, tuple(registrations))


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


def first_masterclass_reminder(
    organisation: Organisation, penvoerder_email: str
) -> MasterclassReminder | None:
    """What the penvoerder's home page says about masterclass 1, or None when there is no
    masterclass 1 with a session still to come. Four queries."""
    edition = programme_edition()
    masterclass = edition and masterclass_for(edition, Masterclass.Number.BUYERS)
    if masterclass is None or not upcoming_sessions(masterclass):
        return None
    emails = set(
        Registration.objects.active()
        .filter(masterclass=masterclass, organisation=organisation)
        .values_list("email", flat=True)
    )
    return MasterclassReminder(
        masterclass=masterclass,
        registered=bool(emails),
        penvoerder=penvoerder_email.lower() in emails,
    )
