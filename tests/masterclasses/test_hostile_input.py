"""Numbers typed, sent or made up by hand — huge, negative, not numbers, several at once — are
refused at the field or answered with a 404, never with a 500. On SQLite a number above
2**63 - 1 reaches no query: the database cannot even hold it."""

import pytest
from django.urls import reverse

from masterclasses.models import Registration
from masterclasses.services import registration_create
from tests.factories import attendee
from tests.masterclasses.test_pages import form_data, session_form_data

pytestmark = pytest.mark.django_db

HUGE = str(2**63)
HOSTILE = [HUGE, str(-(2**63) - 1), "-1", "0", "abc", "²", "1e3", "1.5", "0x10"]


@pytest.fixture
def registered(sessions, municipality_a):
    return registration_create(
        session=sessions[1], organisation=municipality_a, by=None, **attendee(1)
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_attendance_with_a_hostile_id_is_refused_at_the_field_with_the_list_kept(
    client, organiser, sessions, registered, value
):
    client.force_login(organiser)
    url = reverse("masterclasses:session_attendance", args=[sessions[1].pk])
    response = client.post(url, {"attended": [str(registered.pk), value]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Collega 1" in page
    assert "Selecteer een geldige keuze" in page
    # What the organiser ticked stays ticked on the refused form.
    assert "checked" in page.split(f'id="attended-{registered.pk}"')[1].split(">")[0]
    registered.refresh_from_db()
    assert registered.attended is None


def test_attendance_of_an_id_sent_twice_counts_the_person_once(
    client, organiser, sessions, registered
):
    client.force_login(organiser)
    url = reverse("masterclasses:session_attendance", args=[sessions[1].pk])
    response = client.post(url, {"attended": [str(registered.pk), str(registered.pk)]}, follow=True)
    assert "1 persoon was aanwezig" in response.content.decode()
    registered.refresh_from_db()
    assert registered.attended is True


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_session_on_the_municipalitys_form_is_refused_at_the_field(
    client, alice, sessions, value
):
    client.force_login(alice)
    url = reverse("masterclasses:organisation_masterclass", args=["gm0197", 1])
    response = client.post(url, {**form_data(sessions[1], 1), "mc1-session": value})
    assert response.status_code == 400
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("field", ["session", "organisation"])
@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_choice_on_the_organisers_form_is_refused_at_the_field(
    client, organiser, sessions, municipality_b, field, value
):
    client.force_login(organiser)
    data = {**form_data(sessions[1], 1, organisation=municipality_b.pk), f"mc1-{field}": value}
    url = reverse("masterclasses:session_register", args=[sessions[1].pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_session_on_the_public_form_is_refused_at_the_field(client, sessions, value):
    data = {
        "session": value,
        "name": "Gerrit Gast",
        "email": "gerrit@waterschap.test",
        "organisation_name": "Waterschap Vallei en Veluwe",
        "function": "Inkoper",
        "chatham_house": "on",
    }
    response = client.post(reverse("masterclasses:closing_register"), data)
    assert response.status_code == 400
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("value", [*HOSTILE, "1001", "32768"])
def test_a_hostile_number_of_places_is_refused_at_the_field(client, organiser, sessions, value):
    client.force_login(organiser)
    masterclass = sessions[3].masterclass
    url = reverse("masterclasses:session_add", args=[masterclass.pk])
    response = client.post(url, session_form_data(capacity=value))
    assert response.status_code == 400
    assert 'name="session3-capacity"' in response.content.decode()
    assert not masterclass.sessions.filter(place="Zutphen").exists()


def _organiser_urls(number: str) -> list[tuple[str, str]]:
    return [
        ("get", reverse("masterclasses:session", args=[number])),
        ("post", reverse("masterclasses:session_register", args=[number])),
        ("post", reverse("masterclasses:session_attendance", args=[number])),
        ("post", reverse("masterclasses:session_import", args=[number])),
        ("post", reverse("masterclasses:attendance_import", args=[number])),
        ("get", reverse("masterclasses:session_export", args=[number, "csv"])),
        ("get", reverse("masterclasses:session_add", args=[number])),
        ("post", reverse("masterclasses:registration_cancel", args=[number])),
        ("get", reverse("masterclasses:attendee_export", args=[number])),
        ("get", reverse("masterclasses:attendee_erase", args=[number])),
        ("post", reverse("masterclasses:attendee_erase", args=[number])),
    ]


@pytest.mark.parametrize("number", [HUGE, "99999999999999999999999999", "0"])
def test_a_hostile_id_in_the_address_is_a_404(client, organiser, alice, sessions, number):
    client.force_login(organiser)
    for method, url in _organiser_urls(number):
        assert getattr(client, method)(url).status_code == 404, url
    client.force_login(alice)
    url = reverse("masterclasses:organisation_masterclass", args=["gm0197", number])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
