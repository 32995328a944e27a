"""Writes to a municipality's scan. The views check who may see the scan (monitor/access.py);
these functions check what may change: the deadline, the sections a contributor was given, the
rules between answers, and a colleague's change made in between."""

from decimal import Decimal

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import access
from ..models import (
    Answer,
    Edition,
    Evidence,
    Organisation,
    Question,
    Remark,
    Scan,
    ScanChange,
    SectionAssignment,
    User,
)
from .accounts import account_deactivate, account_issue

Change = ScanChange.Action

# Sent after a scan has been submitted (and committed); the results app stores its scores.
scan_submitted = Signal()

# What evidence may be: checked on the file's content, never on its name.
EVIDENCE_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}


class AnswerConflict(Exception):
    """A colleague changed the answer after this page was loaded; nothing was saved."""

    def __init__(self, answer: Answer):
        super().__init__(answer.question.key)
        self.answer = answer


def scan_for(*, organisation: Organisation, edition: Edition) -> Scan:
    scan, _ = Scan.objects.get_or_create(organisation=organisation, edition=edition)
    return scan


def _locked(scan: Scan) -> Scan:
    """The scan, locked until the transaction ends: writes to one scan take turns, so two
    first answers to a question cannot both be created, and a save cannot slip past a submit."""
    return (
        Scan.objects.select_for_update().select_related("edition", "organisation").get(pk=scan.pk)
    )


def require_editable(*, scan: Scan, user: User, question: Question | None = None) -> None:
    if not access.can(user, access.Capability.ANSWERS, scan.organisation):
        raise PermissionDenied
    if not scan.is_editable():
        raise PermissionDenied(_("This scan can no longer be changed."))
    if question is not None and not access.can_answer_section(user, question.section):
        raise PermissionDenied(_("This part of the scan has not been handed to you."))


@transaction.atomic
def answer_save(
    *, scan: Scan, question: Question, value, user: User, version: int | None, original=None
) -> Answer | None:
    """Save one answer. Returns the answer, or None when nothing changed.

    Raises ValidationError (for the value field) when the answer breaks a rule between
    answers, and AnswerConflict when a colleague changed it since ``version`` and this value
    differs from theirs."""
    scan = _locked(scan)
    require_editable(scan=scan, user=user, question=question)
    answer = (
        Answer.objects.filter(scan=scan, question=question)
        .select_related("question", "updated_by")
        .first()
    )
    current = answer.value if answer else None
    current_version = answer.version if answer else 0
    if version is not None and version != current_version and value != current:
        if value == original:
            return None  # left alone on a page loaded before the colleague's change
        raise AnswerConflict(answer)
    if value == current and (answer is None or not answer.prefilled):
        return None  # nothing new: an empty field never answered, or the same value again
    _check_amount_limits(scan=scan, question=question, value=value)
    if answer is None:
        answer = Answer(scan=scan, question=question)
    answer.value, answer.prefilled, answer.updated_by = value, False, user
    answer.version = current_version + 1
    answer.save()
    action = Change.CLEARED if value is None else Change.ANSWERED
    ScanChange.objects.create(scan=scan, question=question, action=action, value=value, actor=user)
    return answer


def _check_amount_limits(*, scan: Scan, question: Question, value) -> None:
    """Circular spend may not exceed total spend, whichever of the two is typed last."""
    if question.type != Question.Type.AMOUNT or value is None:
        return
    amount = Decimal(value)
    related = Answer.objects.filter(scan=scan).select_related("question")
    if question.not_more_than:
        limit = related.filter(question__key=question.not_more_than).first()
        if limit and limit.value is not None and amount > Decimal(limit.value):
            raise ValidationError(
                _("This amount cannot be more than “%(question)s” (%(limit)s).")
                % {"question": limit.question.localised("text"), "limit": euro(limit.value)}
            )
    for part in related.filter(question__not_more_than=question.key):
        if part.value is not None and Decimal(part.value) > amount:
            raise ValidationError(
                _("This total cannot be less than “%(question)s” (%(part)s).")
                % {"question": part.question.localised("text"), "part": euro(part.value)}
            )


def euro(value) -> str:
    return "€ " + number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)


@transaction.atomic
def answers_prefill(*, scan: Scan, user: User) -> int:
    """Take over last year's answers, by question key, into questions not answered yet. They
    stay marked until someone confirms them by saving. Returns how many were taken over."""
    scan = _locked(scan)
    require_editable(scan=scan, user=user)
    previous = (
        Scan.objects.filter(organisation=scan.organisation, edition__year__lt=scan.edition.year)
        .order_by("-edition__year")
        .first()
    )
    if previous is None:
        return 0
    last_year = {
        a.question.key: a.value
        for a in previous.answers.select_related("question")
        if a.value is not None
    }
    answered = set(scan.answers.exclude(value=None).values_list("question__key", flat=True))
    questions = {q.key: q for q in scan.edition.questions.prefetch_related("options")}
    taken = []
    for key, value in last_year.items():
        question = questions.get(key)
        if question is None or key in answered or not _still_valid(question, value):
            continue
        taken.append(
            Answer(scan=scan, question=question, value=value, prefilled=True, updated_by=user)
        )
    Answer.objects.filter(scan=scan, question__in=[a.question for a in taken]).delete()
    Answer.objects.bulk_create(taken)
    ScanChange.objects.create(
        scan=scan, action=Change.PREFILLED, actor=user, detail=f"{len(taken)} answers"
    )
    return len(taken)


def _still_valid(question: Question, value) -> bool:
    """An option may have left the questionnaire since last year."""
    if question.type in Question.CHOICE_TYPES:
        keys = {option.key for option in question.options.all()}
        chosen = value if isinstance(value, list) else [value]
        return set(chosen) <= keys
    return True


@transaction.atomic
def answers_confirm(*, scan: Scan, section, user: User) -> int:
    """Confirm last year's answers in a section as they are."""
    scan = _locked(scan)
    require_editable(scan=scan, user=user)
    if not access.can_answer_section(user, section):
        raise PermissionDenied(_("This part of the scan has not been handed to you."))
    confirmed = Answer.objects.filter(scan=scan, question__section=section, prefilled=True)
    changes = [
        ScanChange(
            scan=scan, question=a.question, action=Change.ANSWERED, value=a.value, actor=user
        )
        for a in confirmed.select_related("question")
    ]
    count = confirmed.update(prefilled=False, updated_by=user, updated_at=timezone.now())
    ScanChange.objects.bulk_create(changes)
    return count


def evidence_add(*, scan: Scan, question: Question, uploaded, user: User) -> Evidence:
    require_editable(scan=scan, user=user, question=question)
    limit = settings.EVIDENCE_MAX_MB * 1024 * 1024
    if uploaded.size > limit:
        raise ValidationError(
            _("This file is %(size)s MB; at most %(limit)s MB is allowed.")
            % {"size": round(uploaded.size / 1024 / 1024, 1), "limit": settings.EVIDENCE_MAX_MB}
        )
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError(
            _("This file is not a PDF, office document or image, whatever its name says.")
        )
    with transaction.atomic():
        evidence = Evidence(
            scan=scan,
            question=question,
            original_name=uploaded.name[-200:],
            content_type=kind.mime,
            size=uploaded.size,
            uploaded_by=user,
        )
        evidence.file.save(uploaded.name, uploaded, save=False)
        evidence.save()
        ScanChange.objects.create(
            scan=scan,
            question=question,
            action=Change.EVIDENCE_ADDED,
            detail=evidence.original_name,
            actor=user,
        )
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user: User) -> None:
    require_editable(scan=evidence.scan, user=user, question=evidence.question)
    ScanChange.objects.create(
        scan=evidence.scan,
        question=evidence.question,
        action=Change.EVIDENCE_REMOVED,
        detail=evidence.original_name,
        actor=user,
    )
    stored = evidence.file
    evidence.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


@transaction.atomic
def remark_add(*, scan: Scan, question: Question, text: str, user: User) -> Remark:
    remark = Remark.objects.create(scan=scan, question=question, author=user, text=text)
    ScanChange.objects.create(
        scan=scan, question=question, action=Change.REMARK, detail=text[:300], actor=user
    )
    return remark


def scan_missing(scan: Scan) -> list[Question]:
    """The required questions without a confirmed answer, in questionnaire order."""
    done = {
        a.question_id
        for a in scan.answers.all()
        if a.value not in (None, "", []) and not a.prefilled
    }
    return [
        q
        for q in scan.edition.questions.select_related("section").order_by(
            "section__position", "position"
        )
        if q.required and q.pk not in done
    ]


@transaction.atomic
def scan_submit(*, scan: Scan, user: User) -> None:
    """Check the whole scan, freeze it and keep the points of every answer."""
    scan = _locked(scan)
    if not access.can(user, access.Capability.SUBMIT, scan.organisation):
        raise PermissionDenied(_("Only the penvoerder submits the scan."))
    require_editable(scan=scan, user=user)
    missing = scan_missing(scan)
    if missing:
        raise ValidationError(
            ngettext(
                "%(count)s required question has no confirmed answer yet.",
                "%(count)s required questions have no confirmed answer yet.",
                len(missing),
            )
            % {"count": len(missing)}
        )
    answers = list(scan.answers.select_related("question").prefetch_related("question__options"))
    for answer in answers:
        answer.points = answer_points(answer.question, answer.value)
    Answer.objects.bulk_update(answers, ["points"])
    scan.status, scan.submitted_at, scan.submitted_by = Scan.Status.SUBMITTED, timezone.now(), user
    scan.save(update_fields=["status", "submitted_at", "submitted_by"])
    ScanChange.objects.create(scan=scan, action=Change.SUBMITTED, actor=user)
    transaction.on_commit(lambda: scan_submitted.send(sender=Scan, scan=scan))


def answer_points(question: Question, value) -> Decimal | None:
    """The points an answer earns, before weighting: what scoring needs, kept at submission
    so a later change to the questionnaire does not change a submitted scan."""
    if value in (None, "", []) or question.weight == 0:
        return None
    points = {option.key: option.points for option in question.options.all()}
    if question.type == Question.Type.MULTIPLE:
        return Decimal(sum(points.get(key, 0) for key in value))
    if question.type in Question.CHOICE_TYPES:
        return Decimal(points.get(value, 0))
    if (
        question.type in (Question.Type.NUMBER, Question.Type.PERCENTAGE)
        and question.full_points_at
    ):
        return min(Decimal(value) / question.full_points_at, Decimal(1)).quantize(Decimal("0.0001"))
    return None


@transaction.atomic
def scan_reopen(*, scan: Scan, user: User) -> None:
    """The service desk opens a submitted scan again, before the deadline."""
    access.require_role(user, User.Role.SERVICE_DESK, User.Role.ADMIN)
    scan = _locked(scan)
    if scan.status != Scan.Status.SUBMITTED:
        raise ValidationError(_("This scan has not been submitted."))
    if scan.deadline_passed():
        raise ValidationError(_("The deadline has passed; give an extension first."))
    scan.status, scan.submitted_at, scan.submitted_by = Scan.Status.OPEN, None, None
    scan.save(update_fields=["status", "submitted_at", "submitted_by"])
    ScanChange.objects.create(scan=scan, action=Change.REOPENED, actor=user)


@transaction.atomic
def contributor_invite(
    *, organisation: Organisation, email: str, full_name: str, section_keys: list[str], by: User
) -> User:
    """Give a colleague an account for the chosen sections; they get the set-password link."""
    contributor = account_issue(
        email=email,
        full_name=full_name,
        role=User.Role.CONTRIBUTOR,
        organisation=organisation,
        by=by,
    )
    SectionAssignment.objects.bulk_create(
        SectionAssignment(contributor=contributor, section_key=key) for key in section_keys
    )
    return contributor


@transaction.atomic
def contributor_withdraw(*, contributor: User, by: User) -> None:
    """Withdraw a colleague's invitation: the account is switched off; their answers stay."""
    if contributor.role != User.Role.CONTRIBUTOR:
        raise ValidationError(_("Only a contributor's invitation can be withdrawn."))
    SectionAssignment.objects.filter(contributor=contributor).delete()
    account_deactivate(user=contributor, by=by)
