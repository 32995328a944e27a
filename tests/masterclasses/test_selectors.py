"""The masterclass selectors: which edition is on offer, and rows a view renders as they are."""

from dataclasses import FrozenInstanceError

import pytest
from django.urls import reverse

from masterclasses import selectors
from masterclasses.services import registration_create
from monitor.models import Edition
from tests.factories import attendee

pytestmark = pytest.mark.django_db


def test_the_masterclasses_of_a_draft_edition_are_not_on_offer(client, alice, edition, sessions):
    edition.status = Edition.Status.DRAFT
    edition.save(update_fields=["status"])
    assert selectors.programme_edition() is None
    client.force_login(alice)
    page = client.get(reverse("masterclasses:programme")).content.decode()
    assert "De masterclasses van dit jaar zijn nog niet gepland." in page
    page_of_a = reverse("masterclasses:organisation_masterclass", args=["gm0197", 1])
    assert client.get(page_of_a).status_code == 404


def test_a_closed_edition_stays_on_offer_until_a_newer_one_has_masterclasses(edition, sessions):
    edition.status = Edition.Status.CLOSED
    edition.save(update_fields=["status"])
    assert selectors.programme_edition() == edition


def test_a_municipalitys_programme_is_one_frozen_row_per_masterclass(
    edition, sessions, municipality_a, municipality_b
):
    for number in (1, 2, 3):
        registration_create(
            session=sessions[1], organisation=municipality_a, by=None, **attendee(number)
        )
    registration_create(session=sessions[1], organisation=municipality_b, by=None, **attendee(9))
    rows = selectors.organisation_programme(municipality_a, edition)
    assert [row.masterclass.number for row in rows] == [1, 2, 3, 4, 5]
    first, second, *_rest = rows
    assert [r.name for r in first.registrations] == ["Collega 1", "Collega 2", "Collega 3"]
    assert (first.full, second.full) == (True, False)
    assert second.registrations == ()
    with pytest.raises(FrozenInstanceError):
        first.registrations = ()
    assert selectors.masterclass_registrations(municipality_a, sessions[1].masterclass) == first


def test_the_reminder_of_masterclass_1_is_a_frozen_row(sessions, alice, municipality_a):
    reminder = selectors.first_masterclass_reminder(municipality_a, alice.email)
    assert (reminder.masterclass, reminder.registered, reminder.penvoerder) == (
        sessions[1].masterclass,
        False,
        False,
    )
    registration_create(
        session=sessions[1],
        organisation=municipality_a,
        by=alice,
        **attendee(1, email="Alice@Aalten.test"),
    )
    reminder = selectors.first_masterclass_reminder(municipality_a, alice.email)
    assert (reminder.registered, reminder.penvoerder) == (True, True)
    with pytest.raises(FrozenInstanceError):
        reminder.penvoerder = False
