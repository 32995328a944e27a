"""The penvoerder invites colleagues for chosen parts of the scan, and can withdraw them."""

import re

import pytest
from django.urls import reverse

from monitor.models import AuditEvent, SectionAssignment, User

pytestmark = pytest.mark.django_db
INVITE = reverse("monitor:contributor_invite", args=["gm0197"])


def invite(client, **data):
    return client.post(
        INVITE,
        {
            "full_name": "Carla Collega",
            "email": "carla@aalten.test",
            "sections": ["volume"],
            **data,
        },
        follow=True,
    )


def test_the_penvoerder_invites_a_colleague_for_chosen_sections(
    client, alice, edition, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client)
    assert "carla@aalten.test is uitgenodigd" in response.content.decode()
    carla = User.objects.get(email="carla@aalten.test")
    assert (carla.role, carla.organisation) == ("contributor", alice.organisation)
    assert list(carla.sections.values_list("section_key", flat=True)) == ["volume"]
    (mail,) = mailoutbox
    assert re.search(r"/accounts/password/reset/key/\S+", mail.body)
    assert "Inkoopvolume" in response.content.decode()  # the team table names her part


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "geen-adres"}, "Vul een e-mailadres in zoals naam@gemeente.nl."),
        ({"sections": []}, "Kies ten minste één deel."),
        ({"email": "bob@aalten.test"}, "Dit adres heeft al een account."),
        ({"full_name": ""}, "Dit veld is verplicht."),
    ],
)
def test_a_bad_invitation_is_refused_at_its_field_and_keeps_the_rest(
    client, alice, bob, edition, data, message
):
    client.force_login(alice)
    response = invite(client, **data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    if "full_name" not in data:
        assert 'value="Carla Collega"' in body
    assert not User.objects.filter(full_name="Carla Collega").exists()


def test_a_contributor_cannot_invite(client, alice, bob, edition):
    client.force_login(bob)
    assert invite(client).status_code == 404
    assert (
        "Een collega uitnodigen"
        not in client.get(reverse("monitor:team", args=["gm0197"])).content.decode()
    )


def test_withdrawing_switches_the_account_off_and_keeps_the_answers(client, alice, bob, edition):
    SectionAssignment.objects.create(contributor=bob, section_key="beleid")
    client.force_login(alice)
    response = client.post(
        reverse("monitor:contributor_withdraw", args=["gm0197", bob.pk]), follow=True
    )
    assert "De uitnodiging van Bob Aalten is ingetrokken." in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active
    assert not SectionAssignment.objects.filter(contributor=bob).exists()
    assert AuditEvent.objects.filter(
        action="account_deactivated", object_id=str(bob.pk), actor=alice
    ).exists()


def test_the_penvoerder_of_another_municipality_cannot_withdraw(client, bob, charlie, edition):
    client.force_login(charlie)
    assert (
        client.post(reverse("monitor:contributor_withdraw", args=["gm0197", bob.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("monitor:contributor_withdraw", args=["gm0200", bob.pk])).status_code
        == 404
    )
    bob.refresh_from_db()
    assert bob.is_active
