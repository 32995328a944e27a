"""registration_create: who may come, and the refusals with the message each gives."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from icalendar import Calendar

from masterclasses import services
from masterclasses.models import Registration
from masterclasses.services import (
    attendance_set,
    registration_cancel,
    registration_create,
    session_add,
)
from monitor.models import AuditEvent
from tests.factories import ProvinceFactory, attendee

pytestmark = pytest.mark.django_db


def register(session, organisation, number, by=None, **fields):
    return registration_create(
        session=session, organisation=organisation, by=by, **attendee(number, **fields)
    )


def refusal(session, organisation, number, **fields) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        register(session, organisation, number, **fields)
    return caught.value


def test_three_colleagues_of_one_municipality_are_registered(sessions, municipality_a, alice):
    for number in (1, 2, 3):
        register(sessions[1], municipality_a, number, by=alice)
    registrations = Registration.objects.filter(organisation=municipality_a)
    assert sorted(r.seat for r in registrations) == [1, 2, 3]
    assert {r.registered_by for r in registrations} == {alice}
    assert all(r.chatham_house_accepted_at for r in registrations)


def test_a_fourth_is_refused_with_who_is_already_registered(sessions, municipality_a):
    for number in (1, 2, 3):
        register(sessions[1], municipality_a, number)
    error = refusal(sessions[1], municipality_a, 4)
    message = " ".join(error.messages)
    assert "Aalten" in message
    assert "3" in message
    for number in (1, 2, 3):
        assert f"Collega {number}" in message
    assert not Registration.objects.filter(email="collega4@gemeente.test").exists()


def test_the_cap_counts_every_session_of_the_masterclass(sessions, municipality_a):
    masterclass = sessions[1].masterclass
    second = session_add(
        masterclass=masterclass,
        starts_at=sessions[1].starts_at + timedelta(days=14),
        ends_at=sessions[1].ends_at + timedelta(days=14),
        place="Apeldoorn",
        capacity=40,
    )
    register(sessions[1], municipality_a, 1)
    register(second, municipality_a, 2)
    register(second, municipality_a, 3)
    refusal(sessions[1], municipality_a, 4)


def test_another_municipality_and_another_masterclass_have_places_of_their_own(
    sessions, municipality_a, municipality_b
):
    for number in (1, 2, 3):
        register(sessions[1], municipality_a, number)
    register(sessions[1], municipality_b, 4)
    register(sessions[2], municipality_a, 1)
    assert Registration.objects.count() == 5


def test_cancelling_frees_the_place(sessions, municipality_a, alice):
    first, *_ = [register(sessions[1], municipality_a, n) for n in (1, 2, 3)]
    registration_cancel(registration=first, by=alice)
    fourth = register(sessions[1], municipality_a, 4)
    assert fourth.seat == first.seat
    first.refresh_from_db()
    assert first.cancelled_by == alice
    assert Registration.objects.active().filter(organisation=municipality_a).count() == 3


def test_the_same_person_twice_is_refused_whatever_the_spelling(sessions, municipality_a):
    register(sessions[1], municipality_a, 1)
    error = refusal(sessions[1], municipality_a, 2, email=" Collega1@Gemeente.TEST ")
    assert "collega1@gemeente.test is al aangemeld" in error.message_dict["email"][0]


def test_the_same_person_may_come_to_another_masterclass(sessions, municipality_a):
    register(sessions[1], municipality_a, 1)
    register(sessions[2], municipality_a, 1)
    assert Registration.objects.filter(email="collega1@gemeente.test").count() == 2


def test_a_cancelled_person_may_register_again(sessions, municipality_a):
    registration_cancel(registration=register(sessions[1], municipality_a, 1), by=None)
    register(sessions[1], municipality_a, 1)


def test_without_accepting_the_chatham_house_rule_nobody_is_registered(sessions, municipality_a):
    error = refusal(sessions[1], municipality_a, 1, chatham_house_accepted=False)
    assert "Chatham House Rule" in error.message_dict["chatham_house"][0]
    assert not Registration.objects.exists()


def test_masterclass_4_is_only_for_people_who_attended_one_of_1_to_3(sessions, municipality_a):
    error = refusal(sessions[4], municipality_a, 1)
    assert "masterclass 1, 2 of 3 heeft bijgewoond" in error.message_dict["email"][0]
    came = register(sessions[2], municipality_a, 1)
    stayed_away = register(sessions[3], municipality_a, 2)
    attendance_set(session=sessions[2], attended={came.pk})
    attendance_set(session=sessions[3], attended=set())
    register(sessions[4], municipality_a, 1)
    refusal(sessions[4], municipality_a, 2)
    assert stayed_away.pk


def test_a_full_session_refuses_everyone(sessions, municipality_a, municipality_b):
    session = sessions[2]
    session.capacity = 2
    session.save()
    register(session, municipality_a, 1)
    register(session, municipality_b, 2)
    error = refusal(session, municipality_a, 3)
    assert "Deze sessie is vol: alle 2 plaatsen zijn bezet" in error.messages[0]


def test_a_session_that_has_begun_takes_no_registrations(sessions, municipality_a):
    error = refusal(
        sessions[1], municipality_a, 1, now=sessions[1].starts_at + timedelta(minutes=1)
    )
    assert "al begonnen; aanmelden kan niet meer" in error.messages[0]


def test_a_registration_can_no_longer_be_cancelled_once_the_session_began(sessions, municipality_a):
    registration = register(sessions[1], municipality_a, 1)
    with pytest.raises(ValidationError, match="afmelden kan niet meer"):
        registration_cancel(
            registration=registration, by=None, now=sessions[1].starts_at + timedelta(hours=1)
        )


def test_the_closing_meeting_admits_guests_and_has_no_cap(sessions, municipality_a):
    closing = sessions[5]
    guest = registration_create(
        session=closing,
        organisation=None,
        organisation_name="Waterschap Rijn en IJssel",
        by=None,
        **attendee(9),
    )
    assert guest.organisation is None
    assert guest.seat is None
    for number in (1, 2, 3, 4):
        register(closing, municipality_a, number)
    assert closing.registrations.count() == 5


def test_only_the_closing_meeting_admits_guests(sessions):
    with pytest.raises(ValidationError, match="alleen de slotbijeenkomst ontvangt gasten"):
        registration_create(
            session=sessions[1],
            organisation=None,
            organisation_name="Bureau X",
            by=None,
            **attendee(1),
        )


def test_masterclasses_1_to_4_are_for_municipalities_only(sessions):
    province = ProvinceFactory()
    error = refusal(sessions[1], province, 1)
    assert "Masterclasses 1 tot en met 4 zijn voor de deelnemende gemeenten" in str(error)
    assert register(sessions[5], province, 1).organisation == province


def test_what_a_form_would_refuse_the_service_refuses_too(sessions, municipality_a):
    # An imported list or a task has no form in front of it.
    error = refusal(sessions[1], municipality_a, 1, email="geen-adres")
    assert error.message_dict == {"email": ["“geen-adres” is geen geldig e-mailadres."]}
    error = refusal(sessions[1], municipality_a, 2, name="N" * 151, function="F" * 151)
    assert error.message_dict == {
        "name": ["Naam is langer dan 150 tekens."],
        "function": ["Functie is langer dan 150 tekens."],
    }
    assert not Registration.objects.exists()


def test_dietary_wishes_are_kept_only_where_lunch_is_served(sessions, municipality_a):
    lunch = register(sessions[1], municipality_a, 1, dietary="vegetarisch")
    no_lunch = register(sessions[2], municipality_a, 1, dietary="vegetarisch")
    assert lunch.dietary == "vegetarisch"
    assert no_lunch.dietary == ""


# --- The database holds the cap, whatever the code does -------------------------------------


def _row(session, organisation, seat, email):
    return Registration(
        session=session,
        masterclass=session.masterclass,
        organisation=organisation,
        seat=seat,
        name="X",
        email=email,
        function="Y",
        chatham_house_accepted_at=timezone.now(),
    )


def test_the_database_refuses_a_fourth_seat(sessions, municipality_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(sessions[1], municipality_a, 4, "a@x.test").save()


def test_the_database_refuses_a_seat_taken_twice(sessions, municipality_a):
    _row(sessions[1], municipality_a, 1, "a@x.test").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(sessions[1], municipality_a, 1, "b@x.test").save()


def test_the_database_refuses_one_person_twice_per_masterclass(sessions, municipality_a):
    _row(sessions[1], municipality_a, 1, "a@x.test").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(sessions[1], municipality_a, 2, "a@x.test").save()


# --- What the database refuses, the rows explain ---------------------------------------------


def test_an_address_taken_between_check_and_write_is_refused_as_registered_already(
    sessions, municipality_a, municipality_b, monkeypatch
):
    check = services._check

    def check_then_another_registers_the_address(registration, **kwargs):
        check(registration, **kwargs)
        # As a path around the locks would, after this registration's check.
        _row(sessions[1], municipality_b, 1, registration.email).save()

    monkeypatch.setattr(services, "_check", check_then_another_registers_the_address)
    error = refusal(sessions[1], municipality_a, 1)
    message = error.message_dict["email"][0]
    assert "collega1@gemeente.test kan niet worden aangemeld voor deze bijeenkomst" in message


def test_the_last_seat_taken_between_check_and_write_is_refused_naming_who_hold_them(
    sessions, municipality_a, monkeypatch
):
    free_seat = services._free_seat
    taken = []

    def seat_then_others_take_all_three(registration):
        seat = free_seat(registration)
        if not taken:
            for number in (1, 2, 3):
                taken.append(_row(sessions[1], municipality_a, number, f"ander{number}@x.test"))
                taken[-1].save()
        return seat

    monkeypatch.setattr(services, "_free_seat", seat_then_others_take_all_three)
    message = " ".join(refusal(sessions[1], municipality_a, 1).messages)
    assert message.startswith("Aalten heeft al 3 mensen aangemeld voor Masterclass 1")
    assert "Meld eerst een van hen af" in message
    assert not Registration.objects.filter(email="collega1@gemeente.test").exists()


def test_a_refusal_of_the_database_the_rows_do_not_explain_stays_an_error(
    sessions, municipality_a, monkeypatch
):
    free_seat = services._free_seat
    asked = []

    def a_fourth_seat_once(registration):
        asked.append(registration)
        return 4 if len(asked) == 1 else free_seat(registration)

    monkeypatch.setattr(services, "_free_seat", a_fourth_seat_once)
    with pytest.raises(IntegrityError):
        register(sessions[1], municipality_a, 1)


# --- The model's own field rules, for every way in ------------------------------------------


def test_the_refusals_of_what_was_typed_are_in_the_language_of_the_request(
    sessions, municipality_a
):
    with translation.override("en"):
        error = refusal(sessions[1], municipality_a, 1, email="no-address", name="N" * 151)
        assert error.message_dict == {
            "email": ["“no-address” is not a valid email address."],
            "name": ["Name is longer than 150 characters."],
        }
    error = refusal(sessions[1], municipality_a, 1, dietary="D" * 301, organisation_name="x")
    assert error.message_dict == {"dietary": ["De dieetwensen zijn langer dan 300 tekens."]}


def test_a_name_of_only_spaces_is_refused_at_its_field(sessions, municipality_a):
    error = refusal(sessions[1], municipality_a, 1, name="   ")
    assert list(error.message_dict) == ["name"]
    assert not Registration.objects.exists()


def test_a_guests_organisation_longer_than_its_column_is_refused_at_its_field(sessions):
    with pytest.raises(ValidationError) as caught:
        registration_create(
            session=sessions[5],
            organisation=None,
            organisation_name="O" * 201,
            by=None,
            **attendee(1),
        )
    assert caught.value.message_dict == {
        "organisation_name": ["Organisatie is langer dan 200 tekens."]
    }


# --- Mail ----------------------------------------------------------------------------------


def _calendar(message) -> Calendar:
    ((name, content, mimetype),) = message.attachments
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def test_a_registration_is_confirmed_by_mail_with_a_calendar_invitation(
    sessions, municipality_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(sessions[1], municipality_a, 1)
    (message,) = mail.outbox
    assert message.to == ["collega1@gemeente.test"]
    assert "Masterclass 1" in message.subject
    assert "Chatham House Rule" in message.body
    assert "Arnhem, Huis der Provincie" in message.body
    calendar = _calendar(message)
    assert calendar["method"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == sessions[1].starts_at
    assert event.decoded("dtend") == sessions[1].ends_at
    assert str(event["location"]) == "Arnhem, Huis der Provincie"
    registration.refresh_from_db()
    assert registration.confirmation_sent_at is not None


def test_the_confirmation_is_sent_once_however_often_the_task_runs(sessions, municipality_a):
    from masterclasses.tasks import registration_confirmation_send

    registration = register(sessions[1], municipality_a, 1)
    registration_confirmation_send(registration.pk)
    registration_confirmation_send(registration.pk)
    assert len(mail.outbox) == 1


def test_cancelling_sends_the_withdrawal_of_the_invitation(
    sessions, municipality_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(sessions[1], municipality_a, 1)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=registration, by=None)
    invitation, withdrawal = mail.outbox
    assert withdrawal.subject.startswith("Afgemeld: Masterclass 1")
    sent, withdrawn = _calendar(invitation), _calendar(withdrawal)
    assert withdrawn["method"] == "CANCEL"
    assert sent.walk("VEVENT")[0]["uid"] == withdrawn.walk("VEVENT")[0]["uid"]


# --- The admin goes through the same service ----------------------------------------------


def _admin_add(client, session, organisation, number):
    return client.post(
        "/admin/masterclasses/registration/add/",
        {
            "session": session.pk,
            "organisation": organisation.pk,
            "organisation_name": "",
            "name": f"Collega {number}",
            "email": f"collega{number}@gemeente.test",
            "function": "Inkoper",
            "dietary": "",
            "chatham_house": "on",
        },
    )


def test_the_admin_registers_through_the_service_and_is_refused_the_fourth(
    client, programme_admin, sessions, municipality_a
):
    client.force_login(programme_admin)
    for number in (1, 2, 3):
        assert _admin_add(client, sessions[1], municipality_a, number).status_code == 302
    assert sorted(Registration.objects.values_list("seat", flat=True)) == [1, 2, 3]
    assert Registration.objects.filter(registered_by=programme_admin).count() == 3
    response = _admin_add(client, sessions[1], municipality_a, 4)
    assert response.status_code == 200
    assert "Aalten heeft al 3 mensen aangemeld" in response.content.decode()
    assert Registration.objects.count() == 3


def test_an_address_registered_by_another_municipality_is_refused_without_details(
    sessions, municipality_a, municipality_b
):
    register(sessions[1], municipality_b, 1)
    error = refusal(sessions[1], municipality_a, 1)
    message = error.message_dict["email"][0]
    assert "collega1@gemeente.test kan niet worden aangemeld voor deze bijeenkomst" in message
    assert "Apeldoorn" not in message and "sessie" not in message


def test_the_organiser_is_told_who_registered_the_address(
    sessions, municipality_a, municipality_b, organiser
):
    register(sessions[1], municipality_b, 1)
    error = refusal(sessions[1], municipality_a, 1, by=organiser)
    message = error.message_dict["email"][0]
    assert "al aangemeld voor Masterclass 1 (sessie van" in message
    assert "Aangemeld door: Apeldoorn." in message


def test_a_visitor_of_the_public_form_learns_nothing_of_an_earlier_registration(sessions):
    guest = {"organisation": None, "organisation_name": "Waterschap Rijn en IJssel"}
    registration_create(session=sessions[5], by=None, **guest, **attendee(1))
    with pytest.raises(ValidationError) as caught:
        registration_create(session=sessions[5], by=None, **guest, **attendee(1))
    message = caught.value.message_dict["email"][0]
    assert "kan niet worden aangemeld voor deze bijeenkomst" in message
    assert "sessie" not in message and "Waterschap" not in message


def test_an_attendee_list_exported_from_the_admin_is_on_the_record(
    client, programme_admin, sessions, municipality_a
):
    register(sessions[1], municipality_a, 1)
    client.force_login(programme_admin)
    url = "/admin/masterclasses/registration/export/"
    form = client.get(url).content.decode()
    # Every column the export form offers, ticked, in the first format (CSV).
    columns = set(re.findall(r'name="(attendeeresource_[a-z_]+)"', form))
    assert columns
    response = client.post(url, {"format": "0", "resource": "0", **dict.fromkeys(columns, "on")})
    assert response.status_code == 200
    assert b"Collega 1" in response.content
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDEE_EXPORTED)
    assert event.actor == programme_admin
    assert "1 rows" in event.detail
