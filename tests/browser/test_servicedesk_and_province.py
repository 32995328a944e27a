"""The service desk and the province in a real browser: the desk filters the status overview,
issues a login for a new penvoerder (who sets a password through the emailed link, once, and
logs in), sets the deadline and the reminders and sends an announcement; the province opens
its statistics and downloads them as CSV, XLSX and PDF. Every page on the way is checked with
axe."""

import csv
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone

from benchmark.models import ScanScore
from monitor.models import Answer, Edition, Scan, User
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import follow, log_in, log_out, submit, visit
from tests.factories import OrganisationFactory

NEW_PASSWORD = "Een-nieuw-wachtwoord-2026"


def heading(page):
    return page.locator("h1").inner_text()


def status_text(page):
    return page.get_by_role("status").inner_text()


def nav_link(page, name):
    return page.locator("header nav").get_by_role("link", name=name, exact=True)


def send_form(page, action):
    """Press the primary button of the form that posts to ``action``."""
    submit(page, page.locator(f'form[action="{action}"] button[type="submit"]'))


def listed_municipalities(page):
    return [
        cell.inner_text().strip() for cell in page.locator("main table tbody th[scope=row]").all()
    ]


def path_of(link):
    """The path of an emailed link, to open it on the live server (the mail names the site)."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def fresh_page(browser, live_server):
    """A second browser, for the person the login is issued to: no cookie of the desk's."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


# --- The service desk: status, a municipality, a new penvoerder ------------------------------


def test_desk_filters_the_status_and_issues_a_new_penvoerder_who_sets_a_password_once(
    page, fresh_page, servicedesk, alice, bob, charlie, scan_a
):
    # Aalten has answered a question; Apeldoorn has not started.
    question = scan_a.edition.questions.get(key="coordinator")
    Answer.objects.create(scan=scan_a, question=question, value="ja", updated_by=alice)
    log_in(page, servicedesk.email)
    follow(page, nav_link(page, "Status"))
    assert page.url.endswith("/servicedesk/2026/")
    assert heading(page) == "Status van CI Monitor 2026"
    assert listed_municipalities(page) == ["Aalten", "Apeldoorn"]

    # Only the scans in progress: Apeldoorn has not started.
    filters = page.locator('main form[method="get"]')
    filters.locator('select[name="state"]').select_option(label="bezig")
    submit(page, filters.get_by_role("button", name="Tonen"))
    assert "state=in_progress" in page.url
    assert listed_municipalities(page) == ["Aalten"]
    assert page.locator('select[name="state"]').input_value() == "in_progress"
    assert "bezig" in page.locator("main table tbody tr", has_text="Aalten").inner_text()

    follow(page, page.locator("main table tbody").get_by_role("link", name="Aalten"))
    assert page.url.endswith("/servicedesk/gm0197/")
    assert heading(page) == "Aalten"

    action = "/servicedesk/gm0197/accounts/issue/"
    form = page.locator(f'form[action="{action}"]')
    form.locator('input[name="full_name"]').fill("Nina Nieuw")
    form.locator('input[name="email"]').fill("Nina@Aalten.test")
    form.locator('input[name="role"][value="penvoerder"]').check()
    mail.outbox.clear()
    send_form(page, action)
    assert page.url.endswith("/servicedesk/gm0197/")
    assert "nina@aalten.test" in status_text(page)
    row = page.locator("main table tbody tr", has_text="nina@aalten.test")
    assert "Penvoerder" in row.inner_text()
    assert "nog geen wachtwoord gekozen" in row.inner_text()
    assert (
        "Medewerker"
        in page.locator("main table tbody tr", has_text="alice@aalten.test").inner_text()
    )

    # The hand-over: Nina is penvoerder, Alice stays on as a contributor.
    nina = User.objects.get(email="nina@aalten.test")
    alice.refresh_from_db()
    assert (nina.role, alice.role) == (User.Role.PENVOERDER, User.Role.CONTRIBUTOR)
    assert not nina.has_usable_password()

    (message,) = [m for m in mail.outbox if m.to == ["nina@aalten.test"]]
    link = re.search(r"https?://\S+", message.body).group(0)
    assert "/accounts/password/reset/key/" in link

    # Nina, in her own browser, chooses a password with the link and logs in with it.
    nina_page = fresh_page
    visit(nina_page, path_of(link))
    assert heading(nina_page) == "Kies uw wachtwoord"
    nina_page.locator('input[name="password1"]').fill(NEW_PASSWORD)
    nina_page.locator('input[name="password2"]').fill(NEW_PASSWORD)
    submit(nina_page, nina_page.get_by_role("button", name="Wachtwoord opslaan"))
    assert heading(nina_page) == "Wachtwoord opgeslagen"
    nina.refresh_from_db()
    assert nina.check_password(NEW_PASSWORD)

    log_in(nina_page, "nina@aalten.test", NEW_PASSWORD)
    assert nina_page.url.endswith("/")
    assert heading(nina_page) == "Gemeente Aalten"
    assert "U werkt hier als penvoerder." in nina_page.locator("main").inner_text()

    # The link worked once: opened again, it says so.
    log_out(nina_page)
    visit(nina_page, path_of(link))
    assert heading(nina_page) == "Link niet meer geldig"
    assert "Deze link is verlopen of al gebruikt." in nina_page.locator("main").inner_text()
    assert nina_page.locator('input[name="password1"]').count() == 0


# --- The service desk: deadline, reminders and announcements ---------------------------------


def test_desk_sets_the_deadline_and_reminders_and_a_wrong_value_is_refused_at_its_field(
    page, servicedesk, alice, charlie, edition
):
    log_in(page, servicedesk.email)
    follow(page, nav_link(page, "Status"))
    follow(page, page.locator("main").get_by_role("link", name="Deadline en herinneringen"))
    assert page.url.endswith("/servicedesk/2026/deadline/")
    assert heading(page) == "Deadline en herinneringen"

    day = (timezone.localdate() + timedelta(days=45)).isoformat()
    page.locator('input[name="day"]').fill(day)
    page.locator('input[name="time"]').fill("17:00")
    page.locator('input[name="reminder_days"]').fill("21, 7, 1")
    send_form(page, "/servicedesk/2026/deadline/")
    assert page.url.endswith("/servicedesk/2026/")
    assert "De deadline en de herinneringen zijn opgeslagen." in status_text(page)
    edition.refresh_from_db()
    deadline = timezone.localtime(edition.deadline)
    assert (deadline.date().isoformat(), f"{deadline:%H:%M}") == (day, "17:00")
    assert edition.reminder_days == [21, 7, 1]

    # Opened again, the form shows the reminders saved (the date: see the test below); a word
    # instead of a number is refused at the field, and what was typed in the others stays.
    follow(page, page.locator("main").get_by_role("link", name="Deadline en herinneringen"))
    assert page.locator('input[name="reminder_days"]').input_value() == "21, 7, 1"
    assert page.locator('input[name="time"]').input_value() == "17:00"
    other_day = (timezone.localdate() + timedelta(days=60)).isoformat()
    page.locator('input[name="day"]').fill(other_day)
    page.locator('input[name="time"]').fill("12:30")
    page.locator('input[name="reminder_days"]').fill("veertien")
    send_form(page, "/servicedesk/2026/deadline/")
    assert page.url.endswith("/servicedesk/2026/deadline/")
    field = page.locator('input[name="reminder_days"]')
    error_id = f"{field.get_attribute('id')}_error"
    assert field.get_attribute("aria-invalid") == "true"
    assert error_id in (field.get_attribute("aria-describedby") or "").split()
    assert page.locator(f"#{error_id}").inner_text().strip() == (
        "Vul hele aantallen dagen in, gescheiden door komma’s."
    )
    assert field.input_value() == "veertien"
    assert page.locator('input[name="day"]').input_value() == other_day
    assert page.locator('input[name="time"]').input_value() == "12:30"
    assert page.locator('input[name="day"]').get_attribute("aria-invalid") != "true"
    edition.refresh_from_db()
    assert timezone.localtime(edition.deadline).date().isoformat() == day
    assert edition.reminder_days == [21, 7, 1]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/servicedesk/2026/deadline/", "day"),
        ("/servicedesk/gm0197/", "extension2026-day"),
    ],
)
def test_desk_sees_the_saved_date_in_the_date_field(page, servicedesk, scan_a, url, field):
    moment = timezone.now() + timedelta(days=40)
    scan_a.edition.deadline = moment - timedelta(days=10)
    scan_a.edition.save(update_fields=["deadline"])
    scan_a.extended_until = moment
    scan_a.save(update_fields=["extended_until"])
    expected = {
        "day": timezone.localtime(scan_a.edition.deadline).date().isoformat(),
        "extension2026-day": timezone.localtime(moment).date().isoformat(),
    }[field]
    log_in(page, servicedesk.email)
    visit(page, url)
    assert page.locator(f'input[name="{field}"]').input_value() == expected


def test_desk_sends_an_announcement_to_every_active_penvoerder(
    page, servicedesk, alice, bob, charlie, edition
):
    log_in(page, servicedesk.email)
    follow(page, nav_link(page, "Aankondigingen"))
    assert page.url.endswith("/servicedesk/announcements/")
    assert "2 actieve penvoerders" in page.locator("main").inner_text()

    action = "/servicedesk/announcements/"
    page.locator('input[name="subject"]').fill("Terugkoppelmoment 12 maart")
    page.locator('textarea[name="body"]').fill("Op 12 maart bespreken we de eerste resultaten.")
    mail.outbox.clear()
    send_form(page, action)
    assert page.url.endswith(action)
    assert "De aankondiging wordt naar elke penvoerder verstuurd." in status_text(page)
    row = page.locator("main table tbody tr", has_text="Terugkoppelmoment 12 maart")
    assert row.count() == 1
    assert "Sanne Servicedesk" in row.inner_text()

    sent = [m for m in mail.outbox if "Terugkoppelmoment 12 maart" in m.subject]
    assert sorted(address for m in sent for address in m.to) == [
        "alice@aalten.test",
        "charlie@apeldoorn.test",
    ]
    assert all("Op 12 maart bespreken we de eerste resultaten." in m.body for m in sent)


# --- The province: statistics and downloads --------------------------------------------------


def submitted(edition, number, total, circular, overall):
    """A submitted scan of a new municipality of the Achterhoek (Gelderland)."""
    organisation = OrganisationFactory(
        cbs_code=f"GM87{number:02d}", name=f"Achterhoekdorp{number}", region="Achterhoek"
    )
    scan = Scan.objects.create(organisation=organisation, edition=edition, status="submitted")
    for key, value in (("spend_gww_totaal", total), ("spend_gww_circulair", circular)):
        Answer.objects.create(scan=scan, question=edition.questions.get(key=key), value=str(value))
    ScanScore.objects.create(scan=scan, dimension="overall", score=Decimal(overall))
    ScanScore.objects.create(scan=scan, dimension="tag:gww", score=Decimal(overall) / 2)
    return scan


@pytest.fixture
def achterhoek(edition):
    """Five submitted scans in one region, enough for every figure to be shown, of an edition
    whose filling-in has ended (the province sees no open edition)."""
    edition.status = Edition.Status.CLOSED
    edition.save(update_fields=["status"])
    return [submitted(edition, n, 100_000 * n, 10_000 * n, 30 + 10 * n) for n in range(1, 6)]


def download(page, name):
    with page.expect_download() as info:
        page.locator("main").get_by_role("link", name=name, exact=True).click()
    return info.value


def test_province_sees_its_statistics_and_downloads_them(page, province_user, achterhoek):
    log_in(page, province_user.email)
    assert heading(page) == "Provincie Gelderland"
    follow(page, nav_link(page, "Statistieken"))
    assert page.url.endswith("/province/2026/")
    assert heading(page) == "Circulair inkopen in Gelderland"
    main = page.locator("main").inner_text()
    # 100.000 + … + 500.000 = 1.500.000, of which 150.000 circular (10 %), in the province and
    # in its one region alike.
    assert main.count("€ 1.500.000") >= 2, main
    assert "€ 150.000" in main
    assert "10,0 %" in main
    assert "De cijfers van dit gebied worden niet getoond" not in main
    for scan in achterhoek:
        assert scan.organisation.name not in main

    csv_file = download(page, "CSV")
    assert csv_file.suggested_filename == "statistieken-gelderland-2026.csv"
    content = Path(csv_file.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(content.splitlines()))
    assert rows[0][0] == "Gebied"
    assert {row[0] for row in rows[1:]} == {"Gelderland", "Achterhoek"}

    xlsx_file = download(page, "Excel (.xlsx)")
    assert xlsx_file.suggested_filename.endswith(".xlsx")
    with open(xlsx_file.path(), "rb") as workbook:
        sheet = openpyxl.load_workbook(workbook).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Gebied"
    assert any(row[0] == "Gelderland" for row in values[1:])

    pdf_file = download(page, "PDF")
    assert pdf_file.suggested_filename.endswith(".pdf")
    assert Path(pdf_file.path()).read_bytes().startswith(b"%PDF")
