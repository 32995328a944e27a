"""Writes of the results app: scores are stored when a scan is submitted, and can be
recomputed for a whole edition."""

import logging
import posixpath
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from common.outbox import enqueue
from monitor import access
from monitor.models import Answer, Edition, Organisation, Scan, User

from .models import ImprovementGoal, NamingConsent, Report, ScanScore, TopTenPublication
from .report import report_pdf
from .scoring import scored_questions, scores

logger = logging.getLogger(__name__)


@transaction.atomic
def edition_scores_recompute(*, edition: Edition, scan_ids: list[int] | None = None) -> int:
    """Store the scores of the edition's submitted scans (or of ``scan_ids``), from the points
    kept at submission. Five queries, however many scans. Returns how many were scored."""
    questions = scored_questions(edition.questions.prefetch_related("options"))
    if scan_ids is None:
        submitted = Scan.objects.filter(edition=edition, status=Scan.Status.SUBMITTED)
        scan_ids = list(submitted.values_list("pk", flat=True))
    points: dict[int, dict] = {scan_id: {} for scan_id in scan_ids}
    for scan_id, key, value in Answer.objects.filter(scan_id__in=scan_ids).values_list(
        "scan_id", "question__key", "points"
    ):
        points[scan_id][key] = value
    ScanScore.objects.filter(scan_id__in=scan_ids).delete()
    ScanScore.objects.bulk_create(
        ScanScore(scan_id=scan_id, dimension=dimension, score=score)
        for scan_id in scan_ids
        for dimension, score in scores(questions, points[scan_id]).items()
    )
    return len(scan_ids)


def scan_scores_store(*, scan: Scan) -> None:
    edition_scores_recompute(edition=scan.edition, scan_ids=[scan.pk])


def top_ten_publish(*, edition: Edition, user: User) -> TopTenPublication:
    """Announce the Top 10: from now on every user, and the public page, can see it."""
    access.require_role(user, User.Role.ORGANISER, User.Role.ADMIN)
    publication, _ = TopTenPublication.objects.get_or_create(
        edition=edition, defaults={"published_by": user}
    )
    return publication


def naming_consent_set(
    *, organisation: Organisation, edition: Edition, may_be_named: bool, user: User
):
    """The penvoerder decides whether the municipality may be named in the Top 10."""
    if not access.can(user, access.Capability.SUBMIT, organisation):
        raise PermissionDenied
    NamingConsent.objects.update_or_create(
        organisation=organisation,
        edition=edition,
        defaults={"may_be_named": may_be_named, "decided_by": user},
    )


def goal_set(*, organisation: Organisation, edition: Edition, dimension: str, target, user: User):
    """Set (or change) the score the municipality aims for on a dimension next year."""
    if not access.can(user, access.Capability.SUBMIT, organisation):
        raise PermissionDenied
    ImprovementGoal.objects.update_or_create(
        organisation=organisation,
        edition=edition,
        dimension=dimension,
        defaults={"target": target, "set_by": user},
    )


def report_request(*, scan: Scan, user: User) -> Report:
    """Ask for the scan's PDF report; a worker makes it (at once when there is no broker)."""
    if not access.can(user, access.Capability.ANSWERS, scan.organisation):
        raise PermissionDenied
    return _report_queue(scan)


def reports_request_all(*, edition: Edition, user: User) -> int:
    """The organiser has every submitted scan's report made at once, e.g. before the closing
    meeting. The organiser cannot open them: only each municipality can."""
    access.require_role(user, User.Role.ORGANISER, User.Role.ADMIN)
    scan_ids = Scan.objects.filter(edition=edition, status=Scan.Status.SUBMITTED).values_list(
        "pk", flat=True
    )
    return len(_reports_queue(list(scan_ids)))


def _report_queue(scan: Scan) -> Report:
    (report,) = _reports_queue([scan.pk])
    return report


@transaction.atomic
def _reports_queue(scan_ids: list[int]) -> list[Report]:
    """Mark the scans' reports as queued (three queries, however many) and hand each to a
    worker once committed."""
    Report.objects.bulk_create([Report(scan_id=pk) for pk in scan_ids], ignore_conflicts=True)
    reports = Report.objects.filter(scan_id__in=scan_ids)
    reports.update(status=Report.Status.QUEUED, requested_at=timezone.now(), finished_at=None)
    queued = list(reports)
    for report in queued:
        enqueue("benchmark.tasks.report_generate", report.pk)
    return queued


def report_render(*, report_id: int) -> None:
    """Render the report again and keep it; a second run replaces the first."""
    report = (
        Report.objects.select_related("scan__edition", "scan__organisation")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return
    try:
        pdf = report_pdf(report.scan)
    except Exception:
        # The page says it failed and offers to try again; the error goes to the log.
        logger.exception("Report %s could not be made", report_id)
        Report.objects.filter(pk=report_id).update(status=Report.Status.FAILED)
        return
    replaced = report.file.name
    report.file.save(f"{report.scan_id}.pdf", ContentFile(pdf), save=False)
    report.status, report.finished_at = Report.Status.DONE, timezone.now()
    report.save(update_fields=["file", "status", "finished_at"])
    _report_files_tidy(report, replaced=replaced)


def _report_files_tidy(report: Report, *, replaced: str) -> None:
    """Remove the scan's report files other than the one in use: the one this run replaced,
    and any a worker killed between writing its file and recording it left behind — of those
    only files older than a task may run, as a second run making the same report at the same
    moment may not yet have recorded the file it has just written."""
    storage = report.file.storage
    folder = posixpath.dirname(report.file.name)
    in_use = Report.objects.filter(pk=report.pk).values_list("file", flat=True).get()
    settled = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    for name in storage.listdir(folder)[1]:
        path = posixpath.join(folder, name)
        if path != in_use and (path == replaced or storage.get_modified_time(path) < settled):
            storage.delete(path)
