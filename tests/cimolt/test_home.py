"""Each role's home page: what it shows, and what it never shows."""

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_penvoerder_home_shows_own_municipality_and_team(client, alice, bob, charlie):
    client.force_login(alice)
    body = client.get("/").content.decode()
    assert "Gemeente Aalten" in body
    assert "bob@aalten.test" in body
    assert "Apeldoorn" not in body
    assert "charlie@apeldoorn.test" not in body


def test_contributor_home_says_only_the_penvoerder_submits(client, alice, bob):
    client.force_login(bob)
    body = client.get("/").content.decode()
    assert "U werkt hier als medewerker." in body
    assert "Alleen de penvoerder dient de scan in." in body


def test_service_desk_home_lists_every_municipality_and_its_penvoerder(
    client, servicedesk, alice, charlie, django_assert_max_num_queries
):
    OrganisationFactory.create_batch(20)
    client.force_login(servicedesk)
    with django_assert_max_num_queries(12):
        body = client.get("/").content.decode()
    assert "22 gemeenten doen mee." in body
    assert "alice@aalten.test" in body
    assert "charlie@apeldoorn.test" in body
    assert body.count("nog geen penvoerder") == 20


def test_service_desk_home_runs_the_same_queries_for_more_municipalities(
    client, servicedesk, django_assert_num_queries
):
    OrganisationFactory.create_batch(3)
    client.force_login(servicedesk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for organisation in OrganisationFactory.create_batch(30):
        UserFactory(role="penvoerder", organisation=organisation)
    with django_assert_num_queries(len(few)):
        client.get("/")


def test_organiser_home_lists_penvoerders_without_links_to_municipality_pages(
    client, organiser, alice
):
    client.force_login(organiser)
    body = client.get("/").content.decode()
    assert "alice@aalten.test" in body
    assert reverse("monitor:team", kwargs={"code": "gm0197"}) not in body


def test_province_home_shows_counts_per_region_and_no_municipality(
    client, province_user, alice, charlie
):
    OrganisationFactory(province="Utrecht", region="Foodvalley", name="Rhenen")
    client.force_login(province_user)
    body = client.get("/").content.decode()
    assert "Provincie Gelderland" in body
    assert "Achterhoek" in body
    assert "Aalten" not in body
    assert "Apeldoorn" not in body
    assert "alice@aalten.test" not in body
    assert "Rhenen" not in body


def test_programme_admin_home_links_to_the_admin(client, programme_admin):
    client.force_login(programme_admin)
    body = client.get("/").content.decode()
    assert reverse("admin:monitor_user_changelist") in body


def test_staff_without_an_authenticator_is_sent_to_set_one_up(client, db):
    user = UserFactory(role="servicedesk", organisation=None)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_a_penvoerder_needs_no_authenticator(client, alice):
    client.force_login(alice)
    assert client.get("/").status_code == 200


def test_home_page_lets_staff_with_authenticator_in(client, db):
    client.force_login(StaffFactory(role="organiser"))
    assert client.get("/").status_code == 200


def test_province_counts_municipalities_not_people(client, province_user, alice, bob):
    OrganisationFactory(region="Achterhoek")
    client.force_login(province_user)
    regions = {row["region"]: row["municipalities"] for row in client.get("/").context["regions"]}
    assert regions == {"Achterhoek": 2}
