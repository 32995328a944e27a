"""Reads that span relations. Each returns a fixed number of queries, however many
municipalities take part."""

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery

from .models import (
    Answer,
    Edition,
    Organisation,
    Scan,
    ScanChange,
    Section,
    User,
    value_is_given,
)


def organisation_team(organisation: Organisation) -> QuerySet[User]:
    """The people who work on the organisation's scan, the penvoerder first."""
    return (
        User.objects.filter(organisation=organisation)
        .exclude(role=User.Role.PROVINCE)
        .annotate(is_penvoerder=Q(role=User.Role.PENVOERDER))
        .prefetch_related("sections")
        .order_by("-is_penvoerder", "-is_active", "full_name", "email")
    )


def participants_overview(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """The organisations with their penvoerder's contact and login state, for staff lists."""
    penvoerders = User.objects.filter(organisation=OuterRef("pk"), role=User.Role.PENVOERDER)
    return organisations.annotate(
        penvoerder_name=Subquery(penvoerders.values("full_name")[:1]),
        penvoerder_email=Subquery(penvoerders.values("email")[:1]),
        penvoerder_last_login=Subquery(penvoerders.values("last_login")[:1]),
        penvoerder_active=Subquery(penvoerders.values("is_active")[:1]),
        team_size=Count("members", filter=Q(members__is_active=True)),
    ).order_by("name")


def province_regions(province: str) -> list[dict]:
    """Per region of the province: how many of its municipalities take part. Names of
    municipalities are not part of the answer."""
    rows = (
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, province=province)
        .values("region")
        .annotate(municipalities=Count("pk"))
        .order_by("region")
    )
    return list(rows)


def editions_open_to(organisation: Organisation) -> QuerySet[Edition]:
    """The editions a municipality can open: every one that is not a draft, newest first.
    (The same for every municipality now; the argument leaves room for editions per province.)"""
    return Edition.objects.exclude(status=Edition.Status.DRAFT).order_by("-year")


def scan_progress(scan: Scan) -> list[dict]:
    """Per section: its required questions and how many have a confirmed answer, plus how many
    answers still wait for confirmation. Two queries, however long the questionnaire."""
    done = {}
    waiting = {}
    for question_id, value, prefilled in scan.answers.values_list(
        "question_id", "value", "prefilled"
    ):
        if prefilled:
            waiting[question_id] = True
        elif value_is_given(value):
            done[question_id] = True
    sections = {}
    for question in scan.edition.questions.select_related("section").order_by(
        "section__position", "position"
    ):
        row = sections.setdefault(
            question.section_id,
            {
                "section": question.section,
                "required": 0,
                "answered": 0,
                "waiting": 0,
                "questions": 0,
            },
        )
        row["questions"] += 1
        row["waiting"] += question.pk in waiting
        if question.required:
            row["required"] += 1
            row["answered"] += question.pk in done
    rows = list(sections.values())
    for row in rows:
        row["percent"] = round(100 * row["answered"] / row["required"]) if row["required"] else 100
    return rows


def scan_percent(progress: list[dict]) -> int:
    required = sum(row["required"] for row in progress)
    answered = sum(row["answered"] for row in progress)
    return round(100 * answered / required) if required else 100


def section_questions(scan: Scan, section: Section) -> list[dict]:
    """A section's questions with their answer, evidence and remarks: four queries."""
    questions = list(section.questions.prefetch_related("options").order_by("position"))
    answers = {
        a.question_id: a
        for a in scan.answers.filter(question__section=section).select_related("updated_by")
    }
    evidence, remarks = {}, {}
    for item in scan.evidence.filter(question__section=section).select_related("uploaded_by"):
        evidence.setdefault(item.question_id, []).append(item)
    for remark in scan.remarks.filter(question__section=section).select_related("author"):
        remarks.setdefault(remark.question_id, []).append(remark)
    return [
        {
            "question": q,
            "answer": answers.get(q.pk),
            "evidence": evidence.get(q.pk, []),
            "remarks": remarks.get(q.pk, []),
            "extras": len(evidence.get(q.pk, [])) + len(remarks.get(q.pk, [])),
        }
        for q in questions
    ]


def scan_history(scan: Scan) -> QuerySet[ScanChange]:
    return scan.changes.select_related("question", "actor").prefetch_related("question__options")


def organisation_scans(organisation: Organisation) -> list[dict]:
    """Each edition the municipality can open, with its scan's state and progress, newest first.
    A fixed number of queries: the editions, the scans, their answers and the questions."""
    editions = list(editions_open_to(organisation))
    scans = {s.edition_id: s for s in organisation.scans.select_related("edition")}
    rows = []
    for edition in editions:
        scan = scans.get(edition.pk)
        rows.append({"edition": edition, "scan": scan})
    if rows and rows[0]["scan"] is not None:
        rows[0]["percent"] = scan_percent(scan_progress(rows[0]["scan"]))
    return rows


# --- The service desk's overview: how far each municipality is, never what it answered -----

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
