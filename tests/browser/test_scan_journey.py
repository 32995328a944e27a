"""The annual scan in a real browser (issue 4): the penvoerder answers with JavaScript (autosave)
and without it ("Antwoorden opslaan"), attaches evidence, submits and finds the scan frozen; a
wrong number, circular spend above the total, a contributor's own part and the team page. Every
page on the way, and every change made in a page, is checked with axe."""

import re
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from playwright.sync_api import expect

from monitor.models import Scan, SectionAssignment, User
from monitor.services import scans as scan_services
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import (
    assert_accessible,
    context_without_javascript,
    follow,
    log_in,
    submit,
    switch_language,
    visit,
)

SCAN = "/scan/gm0197/2026/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SAVED = re.compile(r"^\s*Opgeslagen om \d{1,2}:\d{2}\.\s*$")
NOT_A_NUMBER = "Vul een getal in, bijvoorbeeld 12 of 12,5."
READ_ONLY = "kan niet meer worden gewijzigd"


@pytest.fixture
def evidence_storage(settings):
    """Where this test's evidence files land (tests/conftest.py gives each test its own)."""
    return settings.MEDIA_ROOT


@pytest.fixture
def page_without_js(browser, live_server):
    """A page in a browser with JavaScript switched off, as on some locked-down laptops."""
    with context_without_javascript(browser, base_url=live_server.url, locale="en-US") as context:
        context.set_default_timeout(TIMEOUT_MS)
        yield context.new_page()


@pytest.fixture(autouse=True)
def _last_saves_answered(context):
    """Leaving a section page, autosave.js sends typing not yet saved (its pagehide handler),
    and a save may still be on its way. Playwright does not wait for those posts, so after the
    test leave every page while the test database still exists and wait until the server is
    quiet; else they fail noisily while the database is emptied."""
    lock = threading.Lock()
    server = {"busy": 0, "last": time.monotonic()}

    def count(change):
        def receiver(**kwargs):
            with lock:
                server["busy"] += change
                server["last"] = time.monotonic()

        return receiver

    started, finished = count(+1), count(-1)
    request_started.connect(started)
    request_finished.connect(finished)
    yield
    for page in context.pages:
        page.goto("about:blank")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with lock:
            if server["busy"] <= 0 and time.monotonic() - server["last"] > 0.3:
                break
        time.sleep(0.05)
    request_started.disconnect(started)
    request_finished.disconnect(finished)


def section_url(key):
    return f"{SCAN}section/{key}/"


def question(page, key):
    return page.locator(f"#q-{key}")


def field(page, key):
    return page.locator(f'[name="{key}-value"]')


def autosave(page, key, change):
    """Make ``change`` in question ``key`` and wait until the page says it is saved, without
    pressing any button; then check the page with axe."""
    with page.expect_response(
        lambda response: (
            response.url.endswith(f"/answer/{key}/") and response.request.method == "POST"
        )
    ) as saved:
        change()
    assert saved.value.status == 200, f"autosave of {key} answered {saved.value.status}"
    block = question(page, key)
    expect(block).to_have_attribute("data-state", "saved")
    expect(block.locator(".cimolt-question__status")).to_have_text(SAVED)
    assert_accessible(page)


def tick(page, key, label):
    """Ticking an option of a question (a radio button or a checkbox), for ``autosave``."""
    return lambda: question(page, key).get_by_label(label, exact=True).check()


def type_and_leave(page, key, text):
    """Type into a one-line field and Tab out of it, as a keyboard user does."""
    field(page, key).fill(text)
    field(page, key).press("Tab")


def messages(page):
    return page.locator(".cimolt-messages")


def open_extra(page, key):
    """Open the question's "Bewijsstukken en opmerkingen" and check the page as it is now."""
    block = question(page, key)
    block.locator("summary").click()
    expect(block.locator("details")).to_have_attribute("open", "")
    assert_accessible(page)
    return block


def assert_answers(page, expected):
    """Each question in ``expected`` shows its answer: a value, or the labels ticked."""
    for key, value in expected.items():
        if isinstance(value, str):
            expect(field(page, key)).to_have_value(value)
            continue
        for option in field(page, key).all():
            label = page.locator(f'label[for="{option.get_attribute("id")}"]').inner_text()
            if label in value:
                expect(option).to_be_checked()
            else:
                expect(option).not_to_be_checked()


def assert_read_only(page):
    # Only the answers: a remark for the next edition can always be left.
    fields = page.locator('#answers [name$="-value"]')
    assert fields.count() > 0
    for element in fields.all():
        expect(element).to_be_disabled()
    expect(page.get_by_role("button", name="Antwoorden opslaan")).to_have_count(0)
    expect(page.locator("form[data-autosave]")).to_have_count(0)


POLICY_ANSWERS = {
    "ci_in_beleid": ["Ja"],
    "instrumenten": ["Marktconsultatie", "Emvi"],
    "coordinator": ["Nee"],
    "toelichting": "Vastgesteld door de raad in maart.",
}


def test_penvoerder_fills_in_with_and_without_javascript_attaches_evidence_and_submits(
    page, page_without_js, alice, edition, evidence_storage
):
    # With JavaScript: every answer is saved as it is given.
    log_in(page, "alice@aalten.test")
    follow(page, page.locator("main").get_by_role("link", name="CI Monitor 2026"))
    assert page.url.endswith(SCAN)
    follow(page, page.get_by_role("link", name="Begin met het eerste deel"))
    assert page.url.endswith(section_url("beleid"))
    assert page.locator("h1").inner_text() == "Beleid"

    autosave(page, "ci_in_beleid", tick(page, "ci_in_beleid", "Ja"))
    # One box at a time: each is saved before the next is ticked.
    autosave(page, "instrumenten", tick(page, "instrumenten", "Marktconsultatie"))
    autosave(page, "instrumenten", tick(page, "instrumenten", "Emvi"))
    autosave(page, "coordinator", tick(page, "coordinator", "Nee"))
    # The text area is saved a moment after typing stops.
    autosave(
        page,
        "toelichting",
        lambda: field(page, "toelichting").press_sequentially(POLICY_ANSWERS["toelichting"]),
    )
    expect(page.locator("#autosave-status")).to_have_text(SAVED)

    follow(page, page.locator("nav.cimolt-pager").get_by_role("link", name="Inkoopvolume"))
    autosave(page, "aandeel_hergebruik", lambda: type_and_leave(page, "aandeel_hergebruik", "25"))
    autosave(page, "fte_inkoop", lambda: type_and_leave(page, "fte_inkoop", "1,5"))
    expect(page.get_by_role("alert")).to_have_count(0)

    page.reload()
    assert_accessible(page)
    assert_answers(page, {"aandeel_hergebruik": "25", "fte_inkoop": "1,5"})
    visit(page, section_url("beleid"))
    assert_answers(page, POLICY_ANSWERS)

    # Without JavaScript: the rest of the volume part, with the button.
    nojs = page_without_js
    log_in(nojs, "alice@aalten.test")
    visit(nojs, section_url("volume"))
    field(nojs, "spend_gww_totaal").fill("1.250.000")
    field(nojs, "spend_gww_circulair").fill("300000,50")
    submit(nojs, nojs.get_by_role("button", name="Antwoorden opslaan"))
    expect(messages(nojs)).to_contain_text("Uw antwoorden zijn opgeslagen.")
    volume_answers = {
        "spend_gww_totaal": "1250000",
        "spend_gww_circulair": "300000,5",
        "aandeel_hergebruik": "25",
        "fte_inkoop": "1,5",
    }
    visit(nojs, section_url("volume"))
    assert_answers(nojs, volume_answers)

    # Evidence: the file field sits in the question's details and belongs to another form.
    block = open_extra(nojs, "fte_inkoop")
    block.get_by_label("Bestand toevoegen").set_input_files(
        files=[{"name": "inkoopplan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    submit(nojs, block.get_by_role("button", name="Toevoegen", exact=True))
    assert nojs.url.endswith(f"{section_url('volume')}#q-fte_inkoop")
    expect(messages(nojs)).to_contain_text("inkoopplan.pdf toegevoegd.")
    assert_answers(nojs, volume_answers)
    block = open_extra(nojs, "fte_inkoop")
    with nojs.expect_download() as download:
        block.get_by_role("link", name="inkoopplan.pdf").click()
    assert download.value.suggested_filename == "inkoopplan.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    assert len([path for path in evidence_storage.rglob("*") if path.is_file()]) == 1

    # Check and submit.
    follow(nojs, nojs.get_by_role("link", name="Controleren en indienen"))
    expect(nojs.locator("main")).to_contain_text("Elke verplichte vraag heeft een antwoord.")
    submit(nojs, nojs.get_by_role("button", name="Scan indienen"))
    assert nojs.url.endswith(SCAN)
    expect(messages(nojs)).to_contain_text("Uw scan is ingediend.")
    expect(nojs.locator("main")).to_contain_text(READ_ONLY)
    assert Scan.objects.get(edition__year=2026).status == Scan.Status.SUBMITTED

    # Frozen: both parts read-only, for the page without and the page with JavaScript.
    visit(nojs, section_url("volume"))
    expect(nojs.locator("main")).to_contain_text(READ_ONLY)
    assert_read_only(nojs)
    assert_answers(nojs, volume_answers)
    expect(nojs.get_by_role("button", name="Toevoegen", exact=True)).to_have_count(0)
    visit(page, section_url("beleid"))
    expect(page.locator("main")).to_contain_text(READ_ONLY)
    assert_read_only(page)
    assert_answers(page, POLICY_ANSWERS)


def test_a_word_in_a_number_field_is_explained_at_the_question_and_nothing_else_is_lost(
    page, alice, edition
):
    log_in(page, "alice@aalten.test")
    visit(page, section_url("volume"))
    autosave(page, "spend_gww_totaal", lambda: type_and_leave(page, "spend_gww_totaal", "80000"))
    autosave(page, "aandeel_hergebruik", lambda: type_and_leave(page, "aandeel_hergebruik", "40"))

    with page.expect_response(lambda r: r.url.endswith("/answer/fte_inkoop/")) as response:
        type_and_leave(page, "fte_inkoop", "twee")
    assert response.value.status == 400
    block = question(page, "fte_inkoop")
    expect(block).to_have_attribute("data-state", "error")
    expect(block.locator(".utrecht-form-field-error-message")).to_have_text(NOT_A_NUMBER)
    fte = field(page, "fte_inkoop")
    expect(fte).to_have_attribute("aria-invalid", "true")
    error_id = block.locator(".utrecht-form-field-error-message").get_attribute("id")
    assert error_id in fte.get_attribute("aria-describedby").split()
    expect(page.locator("#autosave-status")).to_have_text(NOT_A_NUMBER)
    # What was typed stays, in this field and in the others.
    assert_answers(
        page, {"fte_inkoop": "twee", "spend_gww_totaal": "80000", "aandeel_hergebruik": "40"}
    )
    assert_accessible(page)

    # The word was not saved; the answers given before it were.
    page.reload()
    assert_accessible(page)
    assert_answers(
        page, {"fte_inkoop": "", "spend_gww_totaal": "80000", "aandeel_hergebruik": "40"}
    )
    expect(question(page, "fte_inkoop").locator(".utrecht-form-field-error-message")).to_have_count(
        0
    )


def test_putting_a_wrong_number_right_takes_the_message_away(page, alice, edition):
    log_in(page, "alice@aalten.test")
    visit(page, section_url("volume"))
    with page.expect_response(lambda r: r.url.endswith("/answer/fte_inkoop/")):
        type_and_leave(page, "fte_inkoop", "twee")
    block = question(page, "fte_inkoop")
    expect(block).to_have_attribute("data-state", "error")

    autosave(page, "fte_inkoop", lambda: type_and_leave(page, "fte_inkoop", "2"))
    expect(block.locator(".utrecht-form-field-error-message")).to_have_count(0, timeout=1000)
    expect(field(page, "fte_inkoop")).not_to_have_attribute("aria-invalid", "true", timeout=1000)
    assert_accessible(page)


def test_two_quick_changes_to_one_question_are_both_saved_without_a_conflict(page, alice, edition):
    log_in(page, "alice@aalten.test")
    visit(page, section_url("beleid"))
    block = question(page, "instrumenten")
    with page.expect_response(lambda r: r.url.endswith("/answer/instrumenten/")):
        block.get_by_label("Marktconsultatie").check()
        block.get_by_label("Emvi").check()
    expect(block).to_have_attribute("data-state", "saved")
    page.wait_for_timeout(500)  # the second save, queued behind the first
    expect(block.locator("[role=alert]")).to_have_count(0)
    page.reload()
    expect(question(page, "instrumenten").get_by_label("Marktconsultatie")).to_be_checked()
    expect(question(page, "instrumenten").get_by_label("Emvi")).to_be_checked()


def test_evidence_and_remarks_are_counted_on_the_closed_details(
    page, alice, scan_a, evidence_storage
):
    scan_services.evidence_add(
        scan=scan_a,
        question=scan_a.edition.questions.get(key="fte_inkoop"),
        uploaded=SimpleUploadedFile("inkoopplan.pdf", PDF, content_type="application/pdf"),
        user=alice,
    )
    log_in(page, "alice@aalten.test")
    visit(page, section_url("volume"))
    expect(question(page, "fte_inkoop").locator("summary")).to_contain_text("(1)", timeout=1000)


def test_circular_spend_above_total_spend_is_refused_at_the_question(
    page_without_js, alice, edition
):
    page = page_without_js
    log_in(page, "alice@aalten.test")
    visit(page, section_url("volume"))
    field(page, "spend_gww_totaal").fill("1000")
    field(page, "spend_gww_circulair").fill("5000")
    submit(page, page.get_by_role("button", name="Antwoorden opslaan"))

    expect(messages(page)).to_contain_text("1 antwoord kon niet worden opgeslagen")
    block = question(page, "spend_gww_circulair")
    expect(block.locator(".utrecht-form-field-error-message")).to_contain_text(
        "Dit bedrag kan niet meer zijn dan"
    )
    expect(field(page, "spend_gww_circulair")).to_have_attribute("aria-invalid", "true")
    assert_answers(page, {"spend_gww_totaal": "1000", "spend_gww_circulair": "5000"})

    visit(page, section_url("volume"))
    assert_answers(page, {"spend_gww_totaal": "1000", "spend_gww_circulair": ""})


def test_contributor_answers_the_own_part_and_only_reads_the_rest(page, alice, bob, edition):
    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    log_in(page, "bob@aalten.test")
    visit(page, section_url("volume"))
    autosave(page, "fte_inkoop", lambda: type_and_leave(page, "fte_inkoop", "3"))

    visit(page, section_url("beleid"))
    expect(page.locator("main")).to_contain_text(
        "Dit deel is niet aan u toegewezen: u kunt het lezen, niet wijzigen."
    )
    assert_read_only(page)

    visit(page, f"{SCAN}review/")
    expect(page.locator("main")).to_contain_text("Alleen de penvoerder dient de scan in.")
    expect(page.get_by_role("button", name="Scan indienen")).to_have_count(0)


def test_penvoerder_invites_a_colleague_for_one_part(page, alice, edition):
    log_in(page, "alice@aalten.test")
    visit(page, "/scan/gm0197/team/")
    form = page.locator('form[action="/scan/gm0197/team/invite/"]')
    form.get_by_label("Naam").fill("Carla Aalten")
    form.get_by_label("E-mailadres").fill("carla@aalten.test")
    form.get_by_label("Inkoopvolume").check()
    submit(page, form.get_by_role("button", name="Uitnodiging versturen"))

    expect(messages(page)).to_contain_text("carla@aalten.test is uitgenodigd en krijgt een e-mail")
    row = page.locator("table tr", has_text="carla@aalten.test")
    expect(row).to_contain_text("Carla Aalten")
    expect(row).to_contain_text("Inkoopvolume")
    carla = User.objects.get(email="carla@aalten.test")
    assert list(carla.sections.values_list("section_key", flat=True)) == ["volume"]

    form.get_by_label("Naam").fill("Dirk Aalten")
    form.get_by_label("E-mailadres").fill("dirk-at-aalten")
    form.get_by_label("Beleid").check()
    submit(page, form.get_by_role("button", name="Uitnodiging versturen"))
    email = form.get_by_label("E-mailadres")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("dirk-at-aalten")
    message = form.locator(".utrecht-form-field-error-message")
    expect(message).to_have_text("Vul een e-mailadres in zoals naam@gemeente.nl.")
    assert message.get_attribute("id") in email.get_attribute("aria-describedby").split()
    assert not User.objects.filter(full_name="Dirk Aalten").exists()


def test_overview_history_and_review_are_accessible_in_dutch_and_english(page, alice, scan_a):
    for key, value in [("ci_in_beleid", "deels"), ("fte_inkoop", "2")]:
        scan_services.answer_save(
            scan=scan_a,
            question=scan_a.edition.questions.get(key=key),
            value=value,
            user=alice,
            version=0,
        )
    pages = {
        "nl": [
            (SCAN, "CI Monitor 2026"),
            (f"{SCAN}history/", "Wie wijzigde wat"),
            (f"{SCAN}review/", "Controleren en indienen"),
        ],
        "en": [
            (SCAN, "CI Monitor 2026"),
            (f"{SCAN}history/", "Who changed what"),
            (f"{SCAN}review/", "Check and submit"),
        ],
    }
    log_in(page, "alice@aalten.test")
    for language in ["nl", "en"]:
        if language == "en":
            switch_language(page, "en")
        for url, heading in pages[language]:
            visit(page, url)
            assert page.locator("h1").inner_text() == heading
            if url.endswith("history/"):
                expect(page.locator("tbody tr")).to_have_count(2)
                expect(page.locator("tbody")).to_contain_text("Alice Aalten")


def test_an_answer_that_could_not_be_saved_says_so_at_the_question(page, context, alice, edition):
    log_in(page, "alice@aalten.test")
    visit(page, section_url("beleid"))
    context.clear_cookies()  # the session ended, e.g. after 30 minutes away: refused
    block = question(page, "coordinator")
    with page.expect_response(lambda r: r.url.endswith("/answer/coordinator/")):
        block.get_by_label("Ja").check()
    expect(block).to_have_attribute("data-state", "error")
    expect(block.get_by_role("alert")).to_contain_text("Niet opgeslagen.")
    expect(block.get_by_label("Ja")).to_be_checked()  # what was chosen is still there
    assert_accessible(page)
