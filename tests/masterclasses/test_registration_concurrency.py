"""Twenty colleagues of one municipality registering for one masterclass at the same moment, on
real PostgreSQL, each request on its own database connection: exactly three get in."""

import threading
from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from masterclasses.models import Registration
from masterclasses.services import registration_create, registrations_import, session_add
from tests.factories import OrganisationFactory, attendee
from tests.monitor.test_scan_concurrency import require_postgresql

ATTEMPTS = 20
ROUNDS = 12


def a_week_later(session):
    """A second session of the same masterclass."""
    return session_add(
        masterclass=session.masterclass,
        starts_at=session.starts_at + timedelta(days=7),
        ends_at=session.ends_at + timedelta(days=7),
        place="Zutphen, Stadhuis",
        capacity=40,
    )


def register_all_at_once(sessions, organisation, round_number) -> list[str]:
    barrier = threading.Barrier(ATTEMPTS)
    outcomes = []

    def attempt(number):
        try:
            barrier.wait(timeout=20)
            registration_create(
                # Half on each of the masterclass's two sessions: only the municipality's lock
                # puts them all in one queue.
                session=sessions[number % 2],
                organisation=organisation,
                by=None,
                **attendee(round_number * 100 + number),
            )
            outcomes.append("registered")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        except Exception as error:  # a deadlock or an IntegrityError is the bug looked for
            outcomes.append(f"ERROR {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a registration hung"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_twenty_registrations_at_once_end_with_exactly_three(sessions):
    require_postgresql()
    first = sessions[1]
    second = a_week_later(first)
    for round_number in range(ROUNDS):
        organisation = OrganisationFactory(name=f"Gemeente Gelijktijdig {round_number}")
        outcomes = register_all_at_once([first, second], organisation, round_number)
        refusals = [o for o in outcomes if o != "registered"]
        assert outcomes.count("registered") == 3, outcomes
        assert len(refusals) == ATTEMPTS - 3
        held = Registration.objects.active().filter(organisation=organisation)
        assert sorted(held.values_list("seat", flat=True)) == [1, 2, 3]
        names = sorted(held.values_list("name", flat=True))
        for refusal in refusals:
            # The service's own refusal, naming the three (not the database's last word).
            assert refusal.startswith(
                f"Gemeente Gelijktijdig {round_number} heeft al 3 mensen aangemeld"
            ), refusal
            assert all(name in refusal for name in names), refusal
            assert "Meld eerst een van hen af" in refusal, refusal


def import_rows(organisations, offset: int) -> list[dict]:
    return [
        {
            "municipality": organisation.cbs_code,
            "name": f"Collega {offset + n}",
            "email": f"collega{offset + n}@gemeente.test",
            "function": "Inkoper",
        }
        for n, organisation in enumerate(organisations)
    ]


def at_once(*works) -> list[str]:
    """Run each of ``works`` in a thread of its own, all starting together; what became of each."""
    barrier = threading.Barrier(len(works))
    outcomes = []

    def run(work):
        try:
            barrier.wait(timeout=20)
            work()
            outcomes.append("done")
        except Exception as error:  # a deadlock is the bug looked for
            outcomes.append(f"ERROR {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_lists_imported_at_once_with_the_same_municipalities_wait_for_each_other(
    sessions, organiser
):
    """Two organisers importing lists that name the same municipalities in another order, and
    a penvoerder registering meanwhile: each waits its turn, none ends in a deadlock."""
    require_postgresql()
    session = sessions[1]
    imports = partial(
        registrations_import, session=session, chatham_house_accepted=True, by=organiser
    )
    for round_number in range(5):
        a, b = OrganisationFactory(), OrganisationFactory()
        base = round_number * 100
        outcomes = at_once(
            partial(imports, rows=import_rows([a, b], base)),
            partial(imports, rows=import_rows([b, a], base + 10)),
            partial(
                registration_create, session=session, organisation=b, by=None, **attendee(base + 20)
            ),
        )
        assert outcomes == ["done"] * 3, outcomes
        assert Registration.objects.active().filter(organisation__in=[a, b]).count() == 5


@pytest.mark.django_db(transaction=True)
def test_one_address_sent_by_many_municipalities_at_once_is_registered_once(sessions):
    """Municipalities do not wait for each other, and the two sessions of one masterclass
    neither: only the database's unique constraint stands between them. Whoever loses hears
    the rule it broke, never the database's error."""
    require_postgresql()
    first = sessions[1]
    second = a_week_later(first)
    for round_number in range(ROUNDS):
        email = f"gedeeld{round_number}@gemeente.test"
        refusals = []

        def attempt(session, organisation, refusals=refusals, email=email):
            try:
                registration_create(
                    session=session, organisation=organisation, by=None, **attendee(1, email=email)
                )
            except ValidationError as error:
                refusals.append(" ".join(error.messages))

        works = [
            partial(attempt, (first, second)[n % 2], OrganisationFactory()) for n in range(ATTEMPTS)
        ]
        assert at_once(*works) == ["done"] * ATTEMPTS
        assert Registration.objects.active().filter(email=email).count() == 1
        assert len(refusals) == ATTEMPTS - 1
        for refusal in refusals:
            assert refusal.startswith(f"{email} kan niet worden aangemeld"), refusal
