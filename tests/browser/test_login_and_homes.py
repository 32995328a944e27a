"""Logging in, each role's home page, the statements and logging out, in a real browser; every
page on the way is checked with axe, in Dutch and in English."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings

from tests.browser.helpers import (
    LOGIN_URL,
    assert_accessible,
    enter_code,
    enter_password,
    html_lang,
    log_in,
    log_out,
    submit,
    switch_language,
    visit,
)
from tests.factories import PASSWORD, UserFactory

WRONG_PASSWORD = "Het e-mailadres of wachtwoord is niet juist."


def heading(page):
    return page.locator("h1").inner_text()


def test_login_page_is_accessible_in_dutch_and_in_english(page):
    visit(page, LOGIN_URL)
    assert html_lang(page) == "nl"
    assert heading(page) == "Inloggen bij CIMoLT"

    switch_language(page, "en")
    assert page.url.endswith(LOGIN_URL)
    assert heading(page) == "Log in to CIMoLT"


def test_wrong_password_shows_the_dutch_message_and_the_page_stays_accessible(page, alice):
    enter_password(page, "alice@aalten.test", "niet-het-wachtwoord")
    assert page.url.endswith(LOGIN_URL)
    assert page.get_by_role("alert").inner_text().startswith(WRONG_PASSWORD)
    assert page.locator("header").get_by_role("button", name="Uitloggen").count() == 0


def test_penvoerder_logs_in_and_sees_own_municipality_in_dutch_and_english(page, alice, bob):
    log_in(page, "alice@aalten.test")
    assert page.url.endswith("/")
    assert heading(page) == "Gemeente Aalten"
    assert "bob@aalten.test" in page.locator("main").inner_text()

    switch_language(page, "en")
    assert heading(page) == "Municipality of Aalten"


@pytest.mark.parametrize(
    ("user", "dutch", "english"),
    [
        ("servicedesk", "Deelnemende gemeenten", "Participating municipalities"),
        ("organiser", "Deelnemende gemeenten", "Participating municipalities"),
        ("province_user", "Provincie Gelderland", "Province of Gelderland"),
        ("programme_admin", "Programmabeheer", "Programme administration"),
    ],
)
def test_staff_logs_in_with_second_factor_and_sees_own_home(
    request, page, alice, user, dutch, english
):
    # alice gives the service desk's and organiser's tables a row and the province a region.
    staff = request.getfixturevalue(user)
    log_in(page, staff.email)
    assert page.url.endswith("/")
    assert heading(page) == dutch

    switch_language(page, "en")
    assert heading(page) == english


def test_staff_in_english_gets_the_second_factor_page_in_english(page, servicedesk):
    visit(page, LOGIN_URL)
    switch_language(page, "en")
    enter_password(page, servicedesk.email)
    assert html_lang(page) == "en"
    assert heading(page) == "Authenticator code"

    enter_code(page)
    assert page.url.endswith("/")
    assert heading(page) == "Participating municipalities"


def test_wrong_second_factor_code_is_refused_and_the_page_stays_accessible(page, servicedesk):
    enter_password(page, servicedesk.email)
    enter_code(page, "000000")
    assert "/accounts/2fa/authenticate/" in page.url
    # The error is tied to the field, so a screen reader announces it with the field.
    code = page.locator('input[name="code"]')
    assert code.get_attribute("aria-invalid") == "true"
    error_id = f"{code.get_attribute('id')}_error"
    assert error_id in code.get_attribute("aria-describedby").split()
    assert page.locator(f"#{error_id}").inner_text().strip() == (
        "Deze code is niet juist. Typ de code die uw authenticator-app nu toont."
    )


@pytest.mark.parametrize(
    ("url", "dutch", "english"),
    [
        ("/toegankelijkheid/", "Toegankelijkheidsverklaring", "Accessibility statement"),
        ("/privacy/", "Privacyverklaring", "Privacy statement"),
    ],
)
def test_statements_are_accessible_without_logging_in(page, url, dutch, english):
    visit(page, url)
    assert heading(page) == dutch

    switch_language(page, "en")
    assert heading(page) == english


def test_team_page_of_own_municipality_is_accessible(page, alice, bob):
    log_in(page, "alice@aalten.test")
    visit(page, "/scan/gm0197/team/")
    assert heading(page) == "Team van Aalten"
    assert "bob@aalten.test" in page.locator("main").inner_text()


def test_page_not_found_is_accessible(page, alice):
    log_in(page, "alice@aalten.test")
    visit(page, "/scan/gm9999/team/", status=404)
    assert heading(page) == "Pagina niet gevonden"


def test_a_request_that_cannot_be_handled_gets_an_accessible_page(page, alice):
    log_in(page, "alice@aalten.test")
    visit(page, "/accounts/password/change/")
    # A form with more fields than Django accepts: one way to a 400 Bad Request.
    with page.expect_navigation() as navigation:
        page.evaluate(
            """count => {
                const form = document.createElement("form");
                form.method = "post";
                for (let n = 0; n < count; n++) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = "field" + n;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""",
            settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1,
        )
    assert navigation.value.status == 400
    assert heading(page) == "Dit verzoek kon niet worden verwerkt"
    assert_accessible(page)


def test_log_out_from_the_header_ends_the_session(page, alice):
    log_in(page, "alice@aalten.test")
    log_out(page)
    assert LOGIN_URL in page.url
    assert page.locator("header").get_by_role("button", name="Uitloggen").count() == 0

    visit(page, "/scan/gm0197/team/")
    assert LOGIN_URL in page.url


def test_new_staff_member_sets_up_the_authenticator_app_before_anything_else(page, db):
    UserFactory(email="nieuw@servicedesk.test", role="servicedesk", organisation=None)
    enter_password(page, "nieuw@servicedesk.test")
    # Changing how one logs in asks for the password once more (allauth's reauthentication).
    assert heading(page) == "Bevestig met uw wachtwoord"
    page.locator('input[name="password"]').fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Bevestigen"))
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    assert heading(page) == "Stel uw authenticator-app in"
    secret = page.locator("#authenticator_secret").input_value()

    page.locator('input[name="code"]').fill(
        format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    )
    submit(page, page.get_by_role("button", name="Activeren"))
    visit(page, "/")
    assert heading(page) == "Deelnemende gemeenten"


def test_contributor_sees_the_own_municipality_and_that_the_penvoerder_submits(page, alice, bob):
    log_in(page, "bob@aalten.test")
    assert heading(page) == "Gemeente Aalten"
    assert page.get_by_text("Alleen de penvoerder dient de scan in.").count() == 1
    switch_language(page, "en")
    assert page.get_by_text("Only the penvoerder submits the scan.").count() == 1
