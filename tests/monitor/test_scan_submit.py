"""Evidence, remarks, the review page, submitting and reopening the scan, and the trail."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from monitor.models import Answer, Edition, Evidence, Remark, Scan, ScanChange
from tests.pages import fill_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def url(name, *args, code="gm0197", year=2026):
    return reverse(f"monitor:{name}", args=[code, year, *args])


def upload(client, question, name, content, content_type="application/pdf"):
    return client.post(
        url("evidence_upload", question),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        follow=True,
    )


def answer_everything(client):
    fill_in(
        client,
        url("scan_section", "beleid"),
        {"ci_in_beleid-value": "ja", "instrumenten-value": ["emvi"], "coordinator-value": "ja"},
    )
    fill_in(
        client,
        url("scan_section", "volume"),
        {
            "spend_gww_totaal-value": "1000000",
            "spend_gww_circulair-value": "150000",
            "aandeel_hergebruik-value": "25",
            "fte_inkoop-value": "1",
        },
    )


def test_evidence_is_attached_and_served_only_to_the_own_municipality(
    client, alice, charlie, scan_a, tmp_path
):
    client.force_login(alice)
    response = upload(client, "ci_in_beleid", "raadsbesluit.pdf", PDF)
    assert "raadsbesluit.pdf toegevoegd." in response.content.decode()
    evidence = Evidence.objects.get()
    assert (evidence.content_type, evidence.size) == ("application/pdf", len(PDF))
    assert "raadsbesluit" not in evidence.file.name  # stored under a random name
    download = client.get(url("evidence_download", evidence.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "raadsbesluit.pdf" in download["Content-Disposition"]
    client.force_login(charlie)
    assert client.get(url("evidence_download", evidence.pk)).status_code == 404


def test_evidence_type_is_checked_by_content_not_by_name(client, alice, scan_a, tmp_path):
    client.force_login(alice)
    response = upload(client, "ci_in_beleid", "beleid.pdf", b"#!/bin/sh\nrm -rf /\n")
    assert response.status_code == 400
    assert "Dit bestand is geen PDF, kantoordocument of afbeelding" in response.content.decode()
    assert not Evidence.objects.exists()
    assert upload(client, "ci_in_beleid", "foto.png", PNG, "image/png").status_code == 200
    assert Evidence.objects.get().content_type == "image/png"


def test_evidence_over_the_size_limit_is_refused(client, alice, scan_a, settings):
    settings.EVIDENCE_MAX_MB = 1
    client.force_login(alice)
    response = upload(client, "ci_in_beleid", "groot.pdf", PDF + b"0" * (1024 * 1024 + 1))
    assert "hoogstens 1 MB is toegestaan" in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_upload_without_a_file_gets_a_message(client, alice, scan_a):
    client.force_login(alice)
    response = client.post(url("evidence_upload", "ci_in_beleid"), {})
    assert "Kies een bestand om toe te voegen." in response.content.decode()


def test_evidence_can_be_removed_with_its_file(
    client, alice, scan_a, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    upload(client, "ci_in_beleid", "raadsbesluit.pdf", PDF)
    evidence = Evidence.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("evidence_remove", evidence.pk))
    assert not Evidence.objects.exists()
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []
    assert ScanChange.objects.filter(action="evidence_removed", actor=alice).exists()


def test_a_remark_is_kept_for_the_next_edition(client, alice, scan_a):
    client.force_login(alice)
    response = client.post(
        url("remark_add", "ci_in_beleid"),
        {"text": "Graag ook naar inkoopbeleid vragen."},
        follow=True,
    )
    assert "uw opmerking is bewaard" in response.content.decode()
    assert Remark.objects.get().text == "Graag ook naar inkoopbeleid vragen."
    assert client.post(url("remark_add", "ci_in_beleid"), {"text": ""}).status_code == 400


def test_the_review_page_lists_what_is_missing(client, alice, scan_a):
    client.force_login(alice)
    fill_in(client, url("scan_section", "beleid"), {"coordinator-value": "ja"})
    body = client.get(url("scan_review")).content.decode()
    assert "6 verplichte vragen hebben nog een bevestigd antwoord nodig" in body
    assert "Is circulair inkopen opgenomen in het beleid?" in body
    assert "Vraag coordinator" not in body
    assert "Vraag toelichting" not in body  # not required


def test_an_incomplete_scan_cannot_be_submitted(client, alice, scan_a):
    client.force_login(alice)
    response = client.post(url("scan_review"))
    assert response.status_code == 400
    assert "verplichte vragen hebben nog geen bevestigd antwoord" in response.content.decode()
    scan_a.refresh_from_db()
    assert scan_a.status == Scan.Status.OPEN


def test_submitting_freezes_the_scan_and_keeps_the_points(client, alice, scan_a):
    client.force_login(alice)
    answer_everything(client)
    response = client.post(url("scan_review"), follow=True)
    assert "Uw scan is ingediend. Hartelijk dank!" in response.content.decode()
    scan_a.refresh_from_db()
    assert scan_a.status == Scan.Status.SUBMITTED
    assert scan_a.submitted_by == alice
    points = {
        a.question.key: a.points
        for a in Answer.objects.filter(scan=scan_a).select_related("question")
    }
    assert points["ci_in_beleid"] == 2
    assert points["instrumenten"] == 1
    assert points["aandeel_hergebruik"] == pytest.approx(0.5)
    assert points["spend_gww_totaal"] is None  # weight 0: not scored
    # Read-only from now on: the page shows no editable field and a save is refused.
    page = client.get(url("scan_section", "beleid")).content.decode()
    assert "kan niet meer worden gewijzigd" in page
    refused = client.post(
        url("answer_autosave", "coordinator"),
        {"coordinator-value": "nee", "coordinator-version": "1"},
    )
    assert refused.status_code == 403
    assert Answer.objects.get(scan=scan_a, question__key="coordinator").value == "ja"


def test_answers_taken_over_must_be_confirmed_before_submitting(client, alice, scan_a):
    client.force_login(alice)
    answer_everything(client)
    Answer.objects.filter(scan=scan_a, question__key="coordinator").update(prefilled=True)
    assert client.post(url("scan_review")).status_code == 400


def test_a_contributor_cannot_submit(client, alice, bob, scan_a):
    client.force_login(alice)
    answer_everything(client)
    client.force_login(bob)
    assert (
        "Alleen de penvoerder dient de scan in." in client.get(url("scan_review")).content.decode()
    )
    client.post(url("scan_review"))
    scan_a.refresh_from_db()
    assert scan_a.status == Scan.Status.OPEN


def test_the_service_desk_reopens_a_submitted_scan_before_the_deadline(
    client, alice, servicedesk, scan_a
):
    client.force_login(alice)
    answer_everything(client)
    client.post(url("scan_review"))
    client.force_login(servicedesk)
    response = client.post(url("scan_reopen"), follow=True)
    assert "De scan van Aalten is weer open." in response.content.decode()
    scan_a.refresh_from_db()
    assert scan_a.status == Scan.Status.OPEN
    assert ScanChange.objects.filter(scan=scan_a, action="reopened", actor=servicedesk).exists()


def test_reopening_after_the_deadline_is_refused(client, alice, servicedesk, scan_a):
    client.force_login(alice)
    answer_everything(client)
    client.post(url("scan_review"))
    scan_a.edition.deadline = timezone.now() - timedelta(hours=1)
    scan_a.edition.save()
    client.force_login(servicedesk)
    client.post(url("scan_reopen"))
    scan_a.refresh_from_db()
    assert scan_a.status == Scan.Status.SUBMITTED


def test_reopening_once_the_edition_has_closed_is_refused_even_with_an_extension(
    client, alice, servicedesk, scan_a
):
    """The province sees closed editions: a scan reopened then, changed and submitted again,
    would let two downloads either side of it give that municipality's exact figures."""
    client.force_login(alice)
    answer_everything(client)
    client.post(url("scan_review"))
    Scan.objects.filter(pk=scan_a.pk).update(extended_until=timezone.now() + timedelta(days=30))
    Edition.objects.filter(pk=scan_a.edition_id).update(status=Edition.Status.CLOSED)
    client.force_login(servicedesk)
    response = client.post(url("scan_reopen"), follow=True)
    assert "Deze editie is gesloten" in response.content.decode()
    scan_a.refresh_from_db()
    assert scan_a.status == Scan.Status.SUBMITTED
    assert not scan_a.can_reopen()


def test_a_penvoerder_cannot_reopen_the_own_scan(client, alice, scan_a):
    client.force_login(alice)
    answer_everything(client)
    client.post(url("scan_review"))
    assert client.post(url("scan_reopen")).status_code == 404


def test_the_trail_shows_who_changed_which_answer(client, alice, bob, charlie, scan_a):
    client.force_login(alice)
    client.post(
        url("answer_autosave", "coordinator"),
        {"coordinator-value": "ja", "coordinator-version": "0"},
    )
    body = client.get(url("scan_history")).content.decode()
    assert "Alice Aalten" in body
    assert "Vraag coordinator" in body
    client.force_login(bob)
    assert client.get(url("scan_history")).status_code == 200
    client.force_login(charlie)
    assert client.get(url("scan_history")).status_code == 404


def test_the_service_desk_sees_no_answers(client, alice, servicedesk, scan_a):
    client.force_login(alice)
    client.post(
        url("answer_autosave", "toelichting"),
        {"toelichting-value": "GEHEIM-ANTWOORD", "toelichting-version": "0"},
    )
    client.force_login(servicedesk)
    for name, args in [
        ("scan_overview", []),
        ("scan_section", ["beleid"]),
        ("scan_history", []),
        ("scan_review", []),
    ]:
        assert client.get(url(name, *args)).status_code == 404
    assert (
        "GEHEIM-ANTWOORD"
        not in client.get(reverse("monitor:team", args=["gm0197"])).content.decode()
    )


def test_the_overview_shows_progress_per_section(
    client, alice, scan_a, django_assert_max_num_queries
):
    client.force_login(alice)
    fill_in(
        client,
        url("scan_section", "beleid"),
        {"coordinator-value": "ja", "ci_in_beleid-value": "nee"},
    )
    # 15 of our own, and the savepoint and its release of ATOMIC_REQUESTS inside the test.
    with django_assert_max_num_queries(17):
        body = client.get(url("scan_overview")).content.decode()
    assert "2 van 3 verplichte beantwoord" in body
    assert "0 van 4 verplichte beantwoord" in body
    assert "29% van de verplichte vragen beantwoord." in body


def test_an_edition_in_draft_cannot_be_opened(client, alice, edition):
    from monitor.models import Edition

    Edition.objects.filter(year=2026).update(status="draft")
    client.force_login(alice)
    assert client.get(url("scan_overview")).status_code == 404


def test_a_closed_edition_without_a_scan_is_not_found_and_makes_no_scan(client, alice, edition):
    client.force_login(alice)
    assert client.get(url("scan_overview", year=2025)).status_code == 404
    assert not Scan.objects.filter(edition__year=2025).exists()


def test_submitting_checks_the_rules_between_answers_once_more(client, alice, scan_a):
    client.force_login(alice)
    answer_everything(client)
    # An answer that came in without the check (from last year, say): circular above total.
    Answer.objects.filter(scan=scan_a, question__key="spend_gww_circulair").update(value="5000000")
    response = client.post(url("scan_review"))
    assert response.status_code == 400
    assert "passen niet bij de regels van de vragenlijst" in response.content.decode()
    scan_a.refresh_from_db()
    assert scan_a.status == Scan.Status.OPEN


def test_reopening_a_scan_that_does_not_exist_makes_none(
    client, servicedesk, edition, municipality_a
):
    client.force_login(servicedesk)
    client.post(url("scan_reopen"))
    assert not Scan.objects.exists()
