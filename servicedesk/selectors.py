"""The service desk's overview: how far each municipality is, never what it answered."""

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet

from monitor.models import Answer, Edition, Organisation, Scan, value_is_given
from monitor.selectors import participants_overview

NOT_STARTED, IN_PROGRESS, SUBMITTED = "not_started", "in_progress", "submitted"
STATUS_ORDER = {NOT_STARTED: 0, IN_PROGRESS: 1, SUBMITTED: 2}


def edition_status(edition: Edition, organisations: QuerySet[Organisation]) -> list[dict]:
    """Per municipality: its penvoerder, whether its scan of the edition has not started, is in
    progress (with the share of required questions answered) or is submitted, its last
    activity and its deadline. Answer values are read only to count them and never leave this
    function. Four queries, however many municipalities and questions.

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
    required = set(edition.questions.filter(required=True).values_list("pk", flat=True))
    answered: dict[int, int] = {}
    for scan_id, value, prefilled in Answer.objects.filter(
        scan__in=[s.pk for s in scans.values()], question_id__in=required
    ).values_list("scan_id", "value", "prefilled"):
        if value_is_given(value) and not prefilled:
            answered[scan_id] = answered.get(scan_id, 0) + 1
    rows = []
    for organisation in participants:
        scan = scans.get(organisation.pk)
        if scan is not None and scan.status == Scan.Status.SUBMITTED:
            state, percent = SUBMITTED, 100
        elif scan is None or not (scan.has_answers or scan.last_change):
            state, percent = NOT_STARTED, 0
        else:
            done = answered.get(scan.pk, 0)
            state = IN_PROGRESS
            percent = round(100 * done / len(required)) if required else 100
        rows.append(
            {
                "organisation": organisation,
                "scan": scan,
                "state": state,
                "percent": percent,
                "last_activity": scan.last_change if scan else None,
                "deadline": scan.deadline if scan else edition.deadline,
            }
        )
    return rows
