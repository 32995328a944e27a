"""Reads that span relations. Each returns a fixed number of queries, however many
municipalities take part."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .models import (
    Edition,
    Organisation,
    Scan,
    ScanChange,
    Section,
    User,
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
    return Edition.objects.visible()


def section_questions(scan: Scan, section: Section) -> list[dict]:
    """A section's questions with their answer, evidence and remarks: four queries."""
    questions = list(section.questions.prefetch_related("options").order_by("position"))
    if not scan.is_started:
        return [
            {"question": q, "answer": None, "evidence": [], "remarks": [], "extras": 0}
            for q in questions
        ]
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
    if not scan.is_started:
        return ScanChange.objects.none()
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
        rows[0]["percent"] = rows[0]["scan"].progress().percent
    return rows
