"""The access module: what each role may see of a municipality, and the same 404 for
"not yours" as for "does not exist"."""

import pytest
from django.http import Http404

from monitor import access
from monitor.access import Capability
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
C = Capability

EXPECTED = {
    # role fixture: the capabilities it holds for municipality A
    "alice": set(C) - {C.REOPEN, C.ACCOUNTS, C.DEADLINES},
    "bob": {C.TEAM, C.ANSWERS, C.STATUS, C.REGISTRATIONS, C.CONTACT},
    "charlie": set(),
    "servicedesk": {C.TEAM, C.STATUS, C.CONTACT, C.REOPEN, C.ACCOUNTS, C.DEADLINES},
    "organiser": {C.REGISTRATIONS, C.CONTACT},
    "province_user": set(),
    "programme_admin": set(C),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_each_role_holds_exactly_its_capabilities_for_municipality_a(
    request, who, municipality_a, alice
):
    user = request.getfixturevalue(who)
    held = {capability for capability in C if access.can(user, capability, municipality_a)}
    assert held == EXPECTED[who]


@pytest.mark.parametrize("who", EXPECTED)
def test_list_pages_get_the_same_answer_as_single_pages(
    request, who, municipality_a, municipality_b, alice
):
    user = request.getfixturevalue(who)
    for capability in C:
        listed = set(access.organisations_for_user(user, capability))
        assert (municipality_a in listed) == access.can(user, capability, municipality_a)


def test_another_municipality_and_a_missing_one_give_the_same_404(charlie, municipality_a):
    with pytest.raises(Http404) as not_yours:
        access.organisation_for_user(charlie, municipality_a.cbs_code, C.TEAM)
    with pytest.raises(Http404) as missing:
        access.organisation_for_user(charlie, "GM9999", C.TEAM)
    assert str(not_yours.value) == str(missing.value)


def test_codes_are_found_whatever_their_case(alice, municipality_a):
    assert access.organisation_for_user(alice, "gm0197", C.TEAM) == municipality_a


def test_a_deactivated_member_holds_nothing(bob, municipality_a):
    bob.is_active = False
    assert not any(access.can(bob, capability, municipality_a) for capability in C)


def test_staff_roles_see_no_province_organisation(servicedesk, province_user):
    assert not access.can(servicedesk, C.TEAM, province_user.organisation)


def test_the_province_is_bound_to_its_own_province(province_user):
    assert access.province_for_user(province_user) == "Gelderland"


def test_only_the_province_role_has_a_province(alice, servicedesk):
    for user in (alice, servicedesk):
        with pytest.raises(Http404):
            access.province_for_user(user)


def test_own_organisation_is_only_for_members(alice, servicedesk, municipality_a):
    assert access.own_organisation(alice, C.TEAM) == municipality_a
    with pytest.raises(Http404):
        access.own_organisation(servicedesk, C.TEAM)


def test_a_contributor_may_not_submit_or_manage_the_team(bob, municipality_a):
    assert not access.can(bob, C.SUBMIT, municipality_a)
    assert not access.can(bob, C.MANAGE_TEAM, municipality_a)


def test_the_team_page_of_another_municipality_is_a_404(client, charlie, municipality_a):
    client.force_login(charlie)
    assert client.get("/scan/gm0197/team/").status_code == 404
    assert client.get("/scan/gm9999/team/").status_code == 404


def test_the_province_opens_no_single_municipality_page(client, province_user, alice):
    client.force_login(province_user)
    assert client.get("/scan/gm0197/team/").status_code == 404


def test_the_service_desk_sees_the_team_page(client, servicedesk, alice, bob):
    client.force_login(servicedesk)
    body = client.get("/scan/gm0197/team/").content.decode()
    assert "alice@aalten.test" in body
    assert "bob@aalten.test" in body


def test_a_contributor_sees_the_own_team_page(client, bob, alice):
    client.force_login(bob)
    assert "alice@aalten.test" in client.get("/scan/gm0197/team/").content.decode()


def test_a_deactivated_colleague_is_shown_as_deactivated(client, alice, municipality_a):
    UserFactory(
        email="ghost@example.test", role="contributor", organisation=municipality_a, is_active=False
    )
    client.force_login(alice)
    body = client.get("/scan/gm0197/team/").content.decode()
    assert "gedeactiveerd" in body
