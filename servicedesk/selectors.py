"""The service desk's overview: how far each municipality is, never what it answered."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from monitor.models import Answer, Edition, Organisation, Progress, Scan
from monitor.selectors import participants_overview


class State(models.TextChoices):
    """How far a municipality is with the scan of an edition, in the order of progress."""

    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    SUBMITTED = "submitted", _("submitted")


STATES = list(State)


@dataclass(frozen=True)
class StatusRow:
    """One municipality in the status overview."""

    organisation: Organisation
    scan: Scan | None
    state: State
    percent: int
    last_activity: datetime | None
    deadline: datetime | None

    @property
    def is_submitted(self) -> bool:
        return self.state == State.SUBMITTED

    @property
    def is_in_progress(self) -> bool:
        return self.state == State.IN_PROGRESS

    @property
    def progress_order(self) -> tuple[int, int]:
        return STATES.index(self.state), self.percent


def edition_status(edition: Edition, organisations: QuerySet[Organisation]) -> list[StatusRow]:
    """Per municipality: its penvoerder, whether its scan of the edition has not started, is in
    progress (with the share of required questions answered, as ``Scan.progress`` counts it)
    or is submitted, its last activity and its deadline. Answer values are read only to count
    them and never leave this function. Four queries, however many municipalities and
    questions.

    Only the municipality's own work counts: a scan the service desk made by granting an
    extension has not started, and the desk's reopening is not the municipality's activity."""
    participants = list(participants_overview(organisations))
    own_changes = Q(changes__actor__organisation=F("organisation"))
    scans = {
        scan.organisation_id: scan
        for scan in Scan.objects.filter(edition=edition, organisation__in=organisations)
        .annotate(
            last_change=Max("changes__at", filter=own_changes),
            has_answers=Exists(Answer.objects.filter(scan=OuterRef("pk"))),
        )
        .select_related("edition")
    }
    progress = _progress_of(edition, scans.values())
    return [
        _row(organisation, scans.get(organisation.pk), edition, progress)
        for organisation in participants
    ]


def _progress_of(edition: Edition, scans) -> dict[int, Progress]:
    """Each scan's ``Progress`` of its required questions, the ones its percentage counts,
    from one read of the questionnaire and one of the answers."""
    required = list(edition.questions.filter(required=True).select_related("section"))
    answers: dict[int, list[tuple]] = {scan.pk: [] for scan in scans}
    for scan_id, *answer in Answer.objects.filter(
        scan__in=list(answers), question__in=required
    ).values_list("scan_id", "question_id", "value", "prefilled"):
        answers[scan_id].append(answer)
    return {scan_id: Progress.of(required, given) for scan_id, given in answers.items()}


def _row(organisation, scan: Scan | None, edition: Edition, progress) -> StatusRow:
    if scan is not None and scan.is_submitted:
        state, percent = State.SUBMITTED, 100
    elif scan is None or not (scan.has_answers or scan.last_change):
        state, percent = State.NOT_STARTED, 0
    else:
        state, percent = State.IN_PROGRESS, progress[scan.pk].percent
    return StatusRow(
        organisation=organisation,
        scan=scan,
        state=state,
        percent=percent,
        last_activity=scan.last_change if scan else None,
        deadline=scan.deadline if scan else edition.deadline,
    )
