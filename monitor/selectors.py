"""Reads that span relations. Each returns a fixed number of queries, however many
municipalities take part."""

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .models import (
    Answer,
    Edition,
    Evidence,
    Organisation,
    Question,
    Remark,
    Scan,
    ScanChange,
    Section,
    User,
)
from .questionnaire import questionnaire_of


def organisation_team(organisation: Organisation) -> QuerySet[User]:
    """The people who work on the organisation's scan, the penvoerder first."""
    return (
        User.objects.filter(organisation=organisation)
        .exclude(role=User.Role.PROVINCE)
        .annotate(penvoerder_first=Q(role=User.Role.PENVOERDER))
        .prefetch_related("sections")
        .order_by("-penvoerder_first", "-is_active", "full_name", "email")
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


@dataclass(frozen=True)
class QuestionRow:
    """A question of a scan with what the scan holds for it."""

    question: Question
    answer: Answer | None = None
    evidence: tuple[Evidence, ...] = ()
    remarks: tuple[Remark, ...] = ()

    @property
    def extras(self) -> int:
        return len(self.evidence) + len(self.remarks)


def question_rows(scan: Scan, questions: list[Question]) -> list[QuestionRow]:
    """The questions (of one section, or one question) with their answer, evidence and
    remarks: three queries, none for a scan nobody has started."""
    if not scan.is_started:
        return [QuestionRow(question) for question in questions]
    ids = [question.pk for question in questions]
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(scan_id=scan.pk, question_id__in=ids).select_related(
            "updated_by"
        )
    }
    evidence, remarks = defaultdict(list), defaultdict(list)
    for item in Evidence.objects.filter(scan_id=scan.pk, question_id__in=ids).select_related(
        "uploaded_by"
    ):
        evidence[item.question_id].append(item)
    for remark in Remark.objects.filter(scan_id=scan.pk, question_id__in=ids).select_related(
        "author"
    ):
        remarks[remark.question_id].append(remark)
    return [
        QuestionRow(q, answers.get(q.pk), tuple(evidence[q.pk]), tuple(remarks[q.pk]))
        for q in questions
    ]


def section_questions(scan: Scan, section: Section) -> list[QuestionRow]:
    return question_rows(scan, questionnaire_of(scan.edition).section_questions(section))


def scan_history(scan: Scan) -> QuerySet[ScanChange]:
    if not scan.is_started:
        return ScanChange.objects.none()
    return scan.changes.select_related("question", "actor").prefetch_related("question__options")


@dataclass(frozen=True)
class EditionScan:
    """An edition a municipality can open, with its scan (if started) and, for the newest,
    how far it is."""

    edition: Edition
    scan: Scan | None
    percent: int | None = None


def organisation_scans(organisation: Organisation) -> list[EditionScan]:
    """Each edition the municipality can open, with its scan's state and, for the newest, its
    progress, newest first. A fixed number of queries, however many editions."""
    scans = {s.edition_id: s for s in organisation.scans.select_related("edition")}
    rows = [EditionScan(e, scans.get(e.pk)) for e in editions_open_to(organisation)]
    if rows and rows[0].scan is not None:
        rows[0] = replace(rows[0], percent=rows[0].scan.progress().percent)
    return rows
