"""The masterclasses in a real browser: a penvoerder registers colleagues up to the cap of
three, the organiser registers an attendee, takes attendance and downloads the list, and a
guest registers for the closing meeting. Every page on the way is checked with axe.

The masterclass texts may not all be translated yet, so the selectors go by names, addresses
and roles, and the texts are matched in Dutch or in English."""

import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from masterclasses import services
from masterclasses.models import Registration
from tests.browser.helpers import follow, log_in, submit, visit


def text(*alternatives):
    """A pattern that matches any of the alternatives (the Dutch text and the English msgid)."""
    return re.compile("|".join(re.escape(a) for a in alternatives))


@pytest.fixture
def programme(edition):
    """The five meetings of 2026, with sessions still to come."""
    masterclasses = {m.number: m for m in services.programme_load(edition=edition)}
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=21)

    def session(number, days=0, place="Utrecht", capacity=30):
        starts_at = start + timedelta(days=days)
        return services.session_add(
            masterclass=masterclasses[number],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=7),
            place=place,
            capacity=capacity,
        )

    return {
        "first": session(1, place="Utrecht"),
        "second": session(1, days=7, place="Arnhem"),
        "closing": session(5, days=60, place="Den Haag", capacity=200),
    }


def main_text(page):
    return page.locator("main").inner_text()


def status_text(page):
    return page.get_by_role("status").inner_text()


def fill_registration(page, prefix, *, session, name, email, function, dietary=None):
    page.locator(f'input[name="{prefix}-session"][value="{session.pk}"]').check()
    page.locator(f'input[name="{prefix}-name"]').fill(name)
    page.locator(f'input[name="{prefix}-email"]').fill(email)
    page.locator(f'input[name="{prefix}-function"]').fill(function)
    if dietary is not None:
        page.locator(f'input[name="{prefix}-dietary"]').fill(dietary)
    page.locator(f'input[name="{prefix}-chatham_house"]').check()


def send_form(page, action):
    """Press the primary button of the form that posts to ``action``."""
    submit(page, page.locator(f'form[action="{action}"] button[type="submit"]:not([form])'))


def registered_names(page):
    return [
        cell.inner_text().splitlines()[0].strip()
        for cell in page.locator("main table tbody th[scope=row]").all()
    ]


COLLEAGUES = [
    ("Anna de Vries", "anna@aalten.test", "Inkoopadviseur", "vegetarisch"),
    ("Bram Jansen", "bram@aalten.test", "Beleidsmedewerker", ""),
    ("Carla Bakker", "carla@aalten.test", "Coördinator circulaire economie", ""),
]
FOURTH = ("Daan Visser", "daan@aalten.test", "Projectleider", "geen noten")


def test_penvoerder_registers_three_colleagues_is_refused_a_fourth_and_swaps_one(
    page, alice, programme
):
    first, second = programme["first"], programme["second"]
    log_in(page, "alice@aalten.test")
    # The main navigation leads to the municipality's masterclasses, and from there to one.
    follow(page, page.locator('header nav a[href="/masterclasses/gm0197/"]'))
    assert page.url.endswith("/masterclasses/gm0197/")
    assert "Aalten" in page.locator("h1").inner_text()
    follow(page, page.locator('main a[href="/masterclasses/gm0197/1/"]'))
    assert page.url.endswith("/masterclasses/gm0197/1/")
    action = "/masterclasses/gm0197/1/"

    for name, email, function, dietary in COLLEAGUES:
        fill_registration(
            page, "mc1", session=first, name=name, email=email, function=function, dietary=dietary
        )
        send_form(page, action)
        assert page.url.endswith(action)
        assert name in status_text(page)
        assert name in registered_names(page)
    assert registered_names(page) == [c[0] for c in COLLEAGUES]
    assert re.search(r"3 (van|of) 3", main_text(page))

    # A fourth is refused, with who already holds the three places; what she typed stays.
    name, email, function, dietary = FOURTH
    fill_registration(
        page, "mc1", session=second, name=name, email=email, function=function, dietary=dietary
    )
    send_form(page, action)
    assert page.url.endswith(action)
    refusal = page.locator(f'form[action="{action}"]').get_by_role("alert").inner_text()
    for colleague in COLLEAGUES:
        assert colleague[0] in refusal, refusal
    assert "Aalten" in refusal
    assert page.locator('input[name="mc1-name"]').input_value() == name
    assert page.locator('input[name="mc1-email"]').input_value() == email
    assert page.locator('input[name="mc1-function"]').input_value() == function
    assert page.locator('input[name="mc1-dietary"]').input_value() == dietary
    assert page.locator(f'input[name="mc1-session"][value="{second.pk}"]').is_checked()
    assert page.locator('input[name="mc1-chatham_house"]').is_checked()
    assert name not in registered_names(page)

    # She cancels Bram; his place is free again and Daan gets it.
    row = page.locator("main table tbody tr", has_text="Bram Jansen")
    submit(page, row.get_by_role("button"))
    assert "Bram Jansen" in status_text(page)
    assert registered_names(page) == ["Anna de Vries", "Carla Bakker"]

    fill_registration(
        page, "mc1", session=second, name=name, email=email, function=function, dietary=dietary
    )
    send_form(page, action)
    assert name in status_text(page)
    assert sorted(registered_names(page)) == ["Anna de Vries", "Carla Bakker", "Daan Visser"]
    assert page.get_by_role("alert").count() == 0
    daan = Registration.objects.active().get(email="daan@aalten.test")
    assert (daan.session, daan.dietary, daan.registered_by) == (second, dietary, alice)
    assert daan.chatham_house_accepted_at is not None


def test_organiser_registers_an_attendee_takes_attendance_and_downloads_the_list(
    page, organiser, alice, charlie, programme
):
    session = programme["first"]
    log_in(page, organiser.email)
    follow(page, page.locator('header nav a[href="/masterclasses/"]'))
    follow(page, page.locator(f'main a[href="/masterclasses/sessions/{session.pk}/"]'))
    assert page.url.endswith(f"/masterclasses/sessions/{session.pk}/")

    # An attendee of municipality B, chosen in the municipality select.
    page.locator('select[name="mc1-organisation"]').select_option(label="Apeldoorn")
    fill_registration(
        page,
        "mc1",
        session=session,
        name="Eva Apeldoorn",
        email="eva@apeldoorn.test",
        function="Strategisch inkoper",
        dietary="halal",
    )
    send_form(page, f"/masterclasses/sessions/{session.pk}/register/")
    assert page.url.endswith(f"/masterclasses/sessions/{session.pk}/")
    assert "Eva Apeldoorn" in status_text(page)
    row = page.locator("main table tbody tr", has_text="Eva Apeldoorn")
    assert "Apeldoorn" in row.locator("td").nth(1).inner_text()
    assert "halal" in row.inner_text()
    registration = Registration.objects.active().get(email="eva@apeldoorn.test")
    assert registration.organisation == charlie.organisation

    # She came: tick her box and save.
    checkbox = row.locator('input[name="attended"]')
    assert not checkbox.is_checked()
    checkbox.check()
    send_form(page, f"/masterclasses/sessions/{session.pk}/attendance/")
    assert re.search(r"\b1\b", status_text(page))
    row = page.locator("main table tbody tr", has_text="Eva Apeldoorn")
    assert row.locator('input[name="attended"]').is_checked()

    with page.expect_download() as download:
        page.locator(f'main a[href="/masterclasses/sessions/{session.pk}/attendees.csv"]').click()
    assert download.value.suggested_filename.endswith(".csv")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(content.splitlines()))
    header, lines = rows[0], rows[1:]
    assert len(lines) == 1, content
    line = dict(zip(header, lines[0], strict=True))
    name_column = next(c for c in header if c.lower() in {"naam", "name"})
    attended_column = next(c for c in header if c.lower() in {"aanwezig", "attended"})
    assert line[name_column] == "Eva Apeldoorn"
    assert line[attended_column].lower() in {"ja", "yes"}
    assert "Apeldoorn" in line[next(c for c in header if c.lower() in {"gemeente", "municipality"})]

    # Eva asks for her data to be deleted: first the page saying what goes, then gone.
    row = page.locator("main table tbody tr", has_text="Eva Apeldoorn")
    follow(page, row.get_by_role("link", name="Gegevens verwijderen"))
    assert "Persoonsgegevens van Eva Apeldoorn verwijderen?" in page.locator("h1").inner_text()
    submit(page, page.locator("main form").get_by_role("button", name="Gegevens verwijderen"))
    assert page.url.endswith(f"/masterclasses/sessions/{session.pk}/")
    assert "Eva Apeldoorn" not in page.locator("main").inner_text()
    assert not Registration.objects.filter(name="Eva Apeldoorn").exists()


def test_guest_registers_for_the_closing_meeting_after_accepting_the_rule(page, programme):
    session = programme["closing"]
    action = "/masterclasses/slotbijeenkomst/"
    visit(page, action)
    assert page.locator("header").get_by_role("button", name="Uitloggen").count() == 0

    page.locator(f'input[name="session"][value="{session.pk}"]').check()
    page.locator('input[name="name"]').fill("Gijs Gast")
    page.locator('input[name="email"]').fill("gijs@provincie.test")
    page.locator('input[name="organisation_name"]').fill("Provincie Utrecht")
    page.locator('input[name="function"]').fill("Beleidsadviseur")
    send_form(page, action)

    # Without the rule: a message at the checkbox, tied to it, and nothing registered.
    rule = page.locator('input[name="chatham_house"]')
    error_id = f"{rule.get_attribute('id')}_error"
    assert rule.get_attribute("aria-invalid") == "true"
    assert error_id in (rule.get_attribute("aria-describedby") or "").split()
    assert re.search(r"Chatham House", page.locator(f"#{error_id}").inner_text())
    assert page.locator('input[name="name"]').input_value() == "Gijs Gast"
    assert page.locator('input[name="organisation_name"]').input_value() == "Provincie Utrecht"
    assert not Registration.objects.exists()

    rule.check()
    send_form(page, action)
    assert page.url.endswith(action)
    assert text("Dank u", "Bedankt", "Thank you").search(status_text(page))
    guest = Registration.objects.get()
    assert (guest.session, guest.organisation, guest.organisation_name) == (
        session,
        None,
        "Provincie Utrecht",
    )
