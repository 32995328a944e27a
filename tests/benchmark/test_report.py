"""The PDF report: made in the background, same numbers as the page, nobody else's name."""

import io
import os
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from benchmark.models import Report
from tests.benchmark.test_results_page import submitted
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def url(name, year=2026):
    return reverse(f"benchmark:{name}", args=["gm0197", year])


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def results_of_a(edition, alice):
    for i in range(1, 8):
        submitted(
            edition, OrganisationFactory(cbs_code=f"GM97{i:02d}", name=f"Verborgenstad{i}"), 10 * i
        )
    return submitted(
        edition, alice.organisation, 45, spend_gww_totaal="1000000", spend_gww_circulair="150000"
    )


def test_the_penvoerder_asks_for_the_report_and_downloads_it(
    client, alice, results_of_a, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert "Maak het rapport" in client.get(url("report")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(url("report"), follow=True)
    assert "Uw rapport wordt gemaakt" in queued.content.decode()
    assert "Uw rapport is klaar" in client.get(url("report")).content.decode()
    download = client.get(url("report_download"))
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    text = pdf_text(b"".join(download.streaming_content))
    assert "Aalten – CI Monitor 2026" in text
    assert "45,0" in text and "Toepassen" in text
    for i in range(1, 8):
        assert f"Verborgenstad{i}" not in text
        assert f"GM97{i:02d}" not in text


def test_one_report_renders_in_under_three_seconds(results_of_a):
    from benchmark.report import report_pdf

    report_pdf(results_of_a)  # fonts and templates warmed up, as in a running worker
    start = time.perf_counter()
    report_pdf(results_of_a)
    assert time.perf_counter() - start < 3


def test_another_municipality_cannot_ask_for_or_download_the_report(client, charlie, results_of_a):
    client.force_login(charlie)
    assert client.post(url("report")).status_code == 404
    assert client.get(url("report_download")).status_code == 404


def test_the_organiser_makes_every_report_but_cannot_open_one(
    client, organiser, results_of_a, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("benchmark:reports_all", args=[2026]), follow=True)
    assert "8 rapporten worden gemaakt." in response.content.decode()
    assert Report.objects.filter(status=Report.Status.DONE).count() == 8
    assert client.get(url("report_download")).status_code == 404


def test_making_the_report_again_replaces_the_file(
    client, alice, results_of_a, settings, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("report"))
    files = list((settings.MEDIA_ROOT / "reports").rglob("*.pdf"))
    assert len(files) == 1


def test_queueing_every_report_takes_the_same_queries_for_more_municipalities(
    organiser, results_of_a, edition, django_assert_max_num_queries
):
    from benchmark.services import reports_request_all

    for i in range(20):
        submitted(edition, OrganisationFactory(), i)
    with django_assert_max_num_queries(6):
        assert reports_request_all(edition=edition, user=organiser) == 28
    assert Report.objects.filter(status=Report.Status.QUEUED).count() == 28


def test_a_file_left_by_a_worker_killed_half_way_is_removed_by_the_next_run(
    client, alice, results_of_a, settings, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("report"))
    report = Report.objects.get()
    # A run killed after writing its file and before recording it leaves this behind.
    folder = settings.MEDIA_ROOT / "reports" / str(report.scan_id)
    left = folder / "killed-half-way.pdf"
    left.write_bytes(b"%PDF-1.7 half")
    an_hour_ago = time.time() - 3600
    os.utime(left, (an_hour_ago, an_hour_ago))
    # One a second run wrote a moment ago and has yet to record is left alone.
    writing = folder / "being-recorded.pdf"
    writing.write_bytes(b"%PDF-1.7 new")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("report"))
    report.refresh_from_db()
    files = set((settings.MEDIA_ROOT / "reports").rglob("*.pdf"))
    assert files == {settings.MEDIA_ROOT / report.file.name, writing}


def test_a_report_of_a_scan_no_longer_submitted_cannot_be_downloaded(
    client, alice, results_of_a, django_capture_on_commit_callbacks
):
    from monitor.models import Scan

    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("report"))
    assert client.get(url("report_download")).status_code == 200
    # Reopened by the service desk: the report of what it was is no longer handed out.
    Scan.objects.filter(pk=results_of_a.pk).update(status=Scan.Status.OPEN)
    assert client.get(url("report_download")).status_code == 404
    assert client.get(url("report")).status_code == 404


def test_a_report_whose_task_was_lost_can_be_asked_for_again(
    client, alice, results_of_a, django_capture_on_commit_callbacks
):
    """A worker killed with the report's task (and the broker that lost it) would leave the
    page saying "being made" for ever, with no button: past the longest a task may take, it
    offers to make the report again."""
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(alice)
    Report.objects.create(scan=results_of_a)  # queued, its task gone
    waiting = client.get(url("report")).content.decode()
    assert "Uw rapport wordt gemaakt" in waiting
    assert "Het rapport opnieuw maken" not in waiting
    Report.objects.update(requested_at=timezone.now() - timedelta(minutes=12))
    overdue = client.get(url("report")).content.decode()
    assert "duurt veel langer dan zou moeten" in overdue
    assert "Het rapport opnieuw maken" in overdue
    assert "data-poll" not in overdue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("report"))
    report = Report.objects.get()
    assert report.is_done
    assert timezone.now() - report.requested_at < timedelta(minutes=1)
