"""Project-wide pages and the protections every page shares."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.parametrize("path", ["/toegankelijkheid/", "/privacy/"])
def test_statements_are_public(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "WCAG" in response.content.decode() or "persoonsgegevens" in response.content.decode()


def test_every_other_page_asks_to_log_in_first(client, alice):
    response = client.get("/scan/gm0197/team/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_pages_of_a_logged_in_user_are_never_cached(client, alice):
    client.force_login(alice)
    response = client.get("/")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "Cookie" in response["Vary"]


def test_a_session_ends_after_the_idle_timeout(client, alice, settings):
    client.force_login(alice)
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_every_request_pushes_the_session_end_further(client, alice, settings):
    client.force_login(alice)
    client.get("/")
    first = Session.objects.get(session_key=client.session.session_key).expire_date
    client.get("/")
    second = Session.objects.get(session_key=client.session.session_key).expire_date
    assert second >= first
    assert second - timezone.now() <= timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_the_404_page_is_dutch_and_in_the_house_style(client, alice):
    client.force_login(alice)
    response = client.get("/scan/gm9999/team/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Pagina niet gevonden" in body
    assert "utrecht-page" in body


def test_the_403_page_is_dutch(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_a_request_that_cannot_be_handled_gets_a_dutch_page(client, alice):
    # More fields than Django accepts (DATA_UPLOAD_MAX_NUMBER_FIELDS) is one way to a 400; a
    # session ended half-way through a request is another.
    client.force_login(alice)
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("account_change_password"), fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Dit verzoek kon niet worden verwerkt" in body
    assert "utrecht-page" in body


def test_the_500_page_renders_without_a_request():
    body = render_to_string("500.html")
    assert "Er ging iets mis" in body
    assert "utrecht-page" in body


def test_the_language_can_be_switched_to_english_and_back(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Municipality of Aalten" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert "Gemeente Aalten" in client.get("/").content.decode()


def test_a_visitor_who_is_not_logged_in_can_switch_language(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Log in to CIMoLT" in client.get("/accounts/login/").content.decode()


def test_the_admin_login_goes_through_the_rate_limited_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_admin_refuses_non_staff(client, alice):
    client.force_login(alice)
    assert client.get("/admin/", follow=True).status_code == 403


def test_the_admin_opens_for_the_programme_admin(client, programme_admin):
    client.force_login(programme_admin)
    assert client.get("/admin/").status_code == 200


def test_the_admin_audit_trail_is_read_only(client, programme_admin, alice):
    client.force_login(programme_admin)
    assert client.get(reverse("admin:monitor_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:monitor_auditevent_changelist")).status_code == 200


def test_dutch_is_shown_even_to_a_browser_that_prefers_english(client, db):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Inloggen bij CIMoLT" in body
    assert 'lang="nl"' in body
