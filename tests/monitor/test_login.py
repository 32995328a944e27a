"""Logging in: success, each kind of failure with its Dutch message, and throttling."""

import re

import pytest
from django.urls import reverse

from monitor.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
WRONG = "Het e-mailadres of wachtwoord is niet juist. Controleer beide en probeer het opnieuw."


def login(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password}, follow=True)


def test_penvoerder_logs_in_and_sees_own_municipality(client, alice):
    response = login(client, "alice@aalten.test", PASSWORD)
    assert response.redirect_chain[-1][0] == "/"
    assert "Gemeente Aalten" in response.content.decode()
    assert "U werkt hier als penvoerder." in response.content.decode()


def test_email_is_not_case_sensitive(client, alice):
    response = login(client, "Alice@Aalten.TEST", PASSWORD)
    assert response.context["user"] == alice


def test_wrong_password_is_refused_with_a_dutch_message(client, alice):
    response = login(client, "alice@aalten.test", "not-the-password")
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert WRONG in response.content.decode()


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, alice):
    response = login(client, "nobody@aalten.test", PASSWORD)
    assert not response.context["user"].is_authenticated
    assert WRONG in response.content.decode()


def test_the_typed_email_stays_in_the_form_after_a_failure(client, alice):
    response = login(client, "alice@aalten.test", "wrong")
    assert 'value="alice@aalten.test"' in response.content.decode()


def test_deactivated_account_cannot_log_in(client, alice, bob):
    bob.is_active = False
    bob.save()
    response = login(client, "bob@aalten.test", PASSWORD)
    assert not response.context["user"].is_authenticated
    assert (
        "Dit account is gedeactiveerd. Neem contact op met de servicedesk."
        in response.content.decode()
    )


def test_repeated_failures_are_throttled_even_for_the_right_password(client, alice):
    for _ in range(5):
        login(client, "alice@aalten.test", "wrong")
    response = login(client, "alice@aalten.test", PASSWORD)
    assert not response.context["user"].is_authenticated
    assert "Te veel mislukte inlogpogingen." in response.content.decode()


def test_english_speakers_get_the_message_in_english(client, alice):
    client.cookies["django_language"] = "en"
    response = login(client, "alice@aalten.test", "wrong")
    assert "The email address or password is not correct." in response.content.decode()


def test_login_and_failure_are_in_the_audit_trail_without_the_password(client, alice):
    login(client, "alice@aalten.test", "secret-typo-123")
    login(client, "alice@aalten.test", PASSWORD)
    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.actor_email == "alice@aalten.test"
    assert failed.result == AuditEvent.Result.FAILURE
    assert failed.ip_address == "127.0.0.1"
    success = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert success.actor == alice
    for event in AuditEvent.objects.all():
        assert "secret-typo-123" not in str(event.__dict__)
        assert PASSWORD not in str(event.__dict__)


def test_login_by_emailed_code(client, alice, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": "alice@aalten.test"})
    assert len(mailoutbox) == 1
    assert "inlogcode" in mailoutbox[0].body
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[0].body, re.MULTILINE).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)
    assert response.context["user"] == alice


def test_the_sign_up_page_says_the_service_desk_issues_accounts(client, db):
    body = client.get(reverse("account_signup")).content.decode()
    assert "Accounts worden uitgegeven door de servicedesk." in body


def test_there_is_no_public_sign_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "stranger@example.test", "password1": "A-long-enough-password-1"},
    )
    assert response.status_code in (200, 403)
    from monitor.models import User

    assert not User.objects.filter(email="stranger@example.test").exists()


def test_behind_the_proxy_each_client_has_its_own_failure_count_and_address(
    client, alice, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(10):  # ten strangers behind the same proxy, one wrong password each
        client.post(
            LOGIN,
            {"login": f"stranger{n}@example.test", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        LOGIN,
        {"login": "alice@aalten.test", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        follow=True,
    )
    assert response.context["user"] == alice
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).ip_address == "198.51.100.7"


def test_nobody_changes_their_own_login_address(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/email/").status_code == 404
