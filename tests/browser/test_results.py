"""A penvoerder opens the results: charts and tables, in Dutch and English, checked with axe."""

from pathlib import Path

from tests.benchmark.test_results_page import submitted
from tests.browser.helpers import follow, log_in, submit, switch_language, visit
from tests.factories import OrganisationFactory


def test_penvoerder_opens_results_with_charts_and_tables(page, alice, edition):
    for i in range(1, 7):
        submitted(edition, OrganisationFactory(region="Achterhoek"), 10 * i)
    submitted(
        edition, alice.organisation, 45, spend_gww_totaal="1000000", spend_gww_circulair="150000"
    )
    log_in(page, "alice@aalten.test")
    follow(page, page.get_by_role("link", name="resultaten 2026"))
    assert page.locator("h1").inner_text() == "Resultaten – CI Monitor 2026"
    for image in page.locator("img.cimolt-chart").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute(
            "src"
        )
    assert page.get_by_role("table").count() == 2  # scores and spend (one edition: no trend)
    page.get_by_label("Thema").select_option(label="Grond-, Weg- en Waterbouw")
    page.get_by_label("Score die u volgend jaar wilt halen (0–100)").fill("40")
    submit(page, page.get_by_role("button", name="Doel opslaan"))
    assert "Uw doel is opgeslagen." in page.locator("main").inner_text()
    assert "Grond-, Weg- en Waterbouw: 40,0" in page.locator("main").inner_text()
    follow(page, page.get_by_role("link", name="Uw resultaten als PDF-rapport"))
    submit(page, page.get_by_role("button", name="Maak het rapport"))
    assert "Uw rapport is klaar" in page.locator("main").inner_text()  # no broker: made at once
    with page.expect_download() as download:
        page.get_by_role("link", name="Het rapport downloaden (PDF)").click()
    assert download.value.suggested_filename == "CIMoLT 2026 Aalten.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    visit(page, "/benchmark/gm0197/2026/")
    switch_language(page, "en")
    assert page.locator("h1").inner_text() == "Results – CI Monitor 2026"
    visit(page, "/benchmark/gm0197/2026/")


def test_organiser_previews_and_publishes_the_top_ten_which_the_public_then_sees(
    page, browser, live_server, organiser, edition
):
    for i in range(1, 13):
        submitted(edition, OrganisationFactory(name=f"Gemeente{i:02d}"), 5 * i)
    log_in(page, organiser.email)
    visit(page, "/benchmark/top10/2026/")
    assert "Voorvertoning" in page.locator("main").inner_text()
    submit(page, page.get_by_role("button", name="De Top 10 publiceren"))
    assert "De Top 10 is gepubliceerd." in page.locator("main").inner_text()
    public = browser.new_context(base_url=live_server.url).new_page()
    visit(public, "/benchmark/top10/2026/")
    assert public.locator("tbody tr").count() == 10
    switch_language(public, "en")
    assert "Anonymous participant" in public.locator("main").inner_text()
    public.context.close()


def test_results_before_submitting_say_when_they_come(page, alice, scan_a):
    log_in(page, "alice@aalten.test")
    visit(page, "/benchmark/gm0197/2026/")
    assert "zodra uw scan is ingediend" in page.locator("main").inner_text()
