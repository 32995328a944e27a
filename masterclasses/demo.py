"""The demo's masterclasses: the programme of the open edition with sessions around today, and
synthetic attendees (every one through registration_create, like a real registration).

Masterclass 1 has run once already, with attendance taken; the rest is still to come. Arnhem
has filled its three places for masterclass 2; Aalten, the README's example, has nobody for
masterclass 1 yet, so its penvoerder sees the reminder."""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from monitor.models import Edition, Organisation

from . import services
from .models import Session

FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Dewi",
    "Emre",
    "Femke",
    "Joris",
    "Lotte",
    "Mohamed",
    "Noor",
    "Ruben",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "de Boer",
    "Bos",
]
FUNCTIONS = [
    "Inkoopadviseur",
    "Strategisch inkoper",
    "Coördinator circulaire economie",
    "Beleidsmedewerker duurzaamheid",
    "Projectleider openbare ruimte",
]
# (masterclass number, days from today, start, end, place, places)
PLAN = [
    (1, -20, time(9, 0), time(16, 0), "Arnhem, Huis der Provincie", 80),
    (1, 12, time(9, 0), time(16, 0), "Apeldoorn, Stadhuis", 60),
    (2, 19, time(13, 30), time(17, 0), "Nijmegen, Stadhuis", 50),
    (3, 26, time(9, 0), time(12, 30), "Ede, Gemeentehuis", 50),
    (4, 47, time(13, 30), time(17, 0), "Arnhem, Huis der Provincie", 60),
    (5, 75, time(14, 0), time(17, 30), "Arnhem, Musis Sacrum", 250),
]
SHOWCASE, FULL = "GM0197", "GM0202"  # Aalten; Arnhem


def _at(day, moment) -> datetime:
    while day.weekday() >= 5:  # masterclasses are on working days
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, moment))


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
@transaction.atomic
def demo_masterclasses_seed(*, edition: Edition) -> str:
    masterclasses = {m.number: m for m in services.programme_load(edition=edition)}
    if Session.objects.filter(masterclass__edition=edition).exists():
        return f"Masterclasses {edition.year}: already there"
    today = timezone.localdate()
    sessions = [
        Session.objects.create(
            masterclass=masterclasses[number],
            starts_at=_at(today + timedelta(days=offset), start),
            ends_at=_at(today + timedelta(days=offset), end),
            place=place,
            capacity=places,
        )
        for number, offset, start, end, place, places in PLAN
    ]
    past, *_rest = sessions
    municipalities = list(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("cbs_code")
    )
    rng = random.Random(edition.year)  # noqa: S311 (demo data, not security)  # nosec B311
    count = 0

    def register(session, organisation, n, now=None):
        nonlocal count
        services.registration_create(
            session=session,
            organisation=organisation,
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            email=f"deelnemer{n}.{organisation.url_code}@demo.test",
            function=rng.choice(FUNCTIONS),
            dietary=rng.choice(["", "", "vegetarisch", "glutenvrij"]),
            chatham_house_accepted=True,
            by=None,
            now=now,
        )
        count += 1

    before_past = past.starts_at - timedelta(days=14)
    for organisation in municipalities[:36]:
        if organisation.cbs_code == SHOWCASE:
            continue
        for n in range(1, rng.randint(1, 3) + 1):
            register(past, organisation, n, now=before_past)
    registrations = list(past.registrations.all())
    services.attendance_set(
        session=past, attended={r.pk for r in registrations if rng.random() < 0.85}
    )
    by_code = {o.cbs_code: o for o in municipalities}
    if FULL in by_code:
        for n in range(1, 4):
            register(sessions[2], by_code[FULL], n)
    if SHOWCASE in by_code:
        register(sessions[2], by_code[SHOWCASE], 1)
    return f"Masterclasses {edition.year}: {len(sessions)} sessions, {count} demo attendees"
