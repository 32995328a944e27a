"""The mails to registered attendees, each with a calendar file: the invitation when they
register, its withdrawal when they cancel, and a reminder a few days before the session."""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress

CONFIRMATION, CANCELLATION, REMINDER = "confirmation", "cancellation", "reminder"


def calendar_file(registration, *, cancelled: bool = False) -> bytes:
    """An iCalendar invitation (or, once cancelled, its withdrawal) for the session: the same
    UID both times, so a calendar program removes what it added."""
    session = registration.session
    masterclass = session.masterclass
    calendar = Calendar()
    calendar.add("prodid", "-//CIMoLT//Masterclasses//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"cimolt-registration-{registration.pk}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", masterclass.title)
    event.add("location", session.place)
    event.add(
        "description", render_to_string("masterclasses/email/calendar.txt", {"r": registration})
    )
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = "CIMoLT"
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{registration.email}")
    attendee.params["cn"] = registration.name
    attendee.params["role"] = "REQ-PARTICIPANT"
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def registration_mail(registration, *, kind: str) -> None:
    context = {"r": registration, "session": registration.session}
    context["masterclass"] = registration.session.masterclass
    context["site_url"] = settings.SITE_URL
    # Mail goes out in Dutch, the programme's language, whoever registered.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"masterclasses/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"masterclasses/email/{kind}_message.txt", context)
        calendar = calendar_file(registration, cancelled=kind == CANCELLATION)
    message = EmailMessage(subject, body, to=[registration.email])
    method = "CANCEL" if kind == CANCELLATION else "REQUEST"
    message.attach("masterclass.ics", calendar, f"text/calendar; method={method}; charset=utf-8")
    message.send()
