"""Writes to a municipality's scan. The views check who may see the scan (monitor/access.py);
these functions check what may change: the deadline, the sections a contributor was given, the
rules between answers, and a colleague's change made in between."""

from contextlib import contextmanager
from decimal import Decimal
from functools import cache

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import db

from .. import access
from ..audit import audit_record
from ..models import (
    Answer,
    AuditEvent,
    Edition,
    Evidence,
    Organisation,
    Question,
    Remark,
    Scan,
    ScanChange,
    SectionAssignment,
    User,
    is_confirmed,
)
from ..questionnaire import questionnaire_of
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


# The page did not say what it showed (an old page, a script): compare with nothing.
NOT_SHOWN = object()


class AnswerConflict(Exception):
    """A colleague changed the answer after this page was loaded; nothing was saved."""

    def __init__(self, answer: Answer):
        super().__init__(answer.question.key)
        self.answer = answer


def scan_start(*, organisation: Organisation, edition: Edition) -> Scan:
    """The organisation's scan of the edition, created if it is not there yet: by the first
    answer, by taking over last year's answers, or by the service desk's extension."""
    scan, _ = Scan.objects.get_or_create(organisation=organisation, edition=edition)
    return scan


def _locked(scan: Scan) -> Scan:
    """The scan, locked until the transaction ends: writes to one scan take turns, so two
    first answers to a question cannot both be created, and a save cannot slip past a submit.
    A scan nobody has started is started here, by the write that needs it. Only the scan's
    row is locked (its edition is read with it, not locked: every scan shares it)."""
    if scan.is_locked and transaction.get_connection().in_atomic_block:
        return scan
    if not scan.is_started:
        scan = scan_start(organisation=scan.organisation, edition=scan.edition)
    locked = Scan.objects.select_for_update(of=("self",)).select_related("edition").get(pk=scan.pk)
    locked.organisation = scan.organisation
    return locked


def require_editable(*, scan: Scan, user: User, question: Question | None = None) -> None:
    if not access.can(user, access.Capability.ANSWERS, scan.organisation):
        raise PermissionDenied
    if not scan.is_editable():
        raise PermissionDenied(_("This scan can no longer be changed."))
    if question is not None and not access.can_answer_section(user, question.section):
        raise PermissionDenied(_("This part of the scan has not been handed to you."))


@contextmanager
def _joining_transaction():
    """The caller's transaction when there is one (every request is one), else one of its own.

    The hottest path of the service, a save of one answer, runs in the request's transaction
    without a savepoint of its own (two round trips fewer). That is safe because everything it
    refuses (the deadline, a colleague's change, a rule between answers) it refuses before it
    writes, leaving the caller's transaction as it was; a database error in its two writes
    fails the whole request, which then writes nothing at all."""
    if transaction.get_connection().in_atomic_block:
        yield
    else:
        with transaction.atomic():
            yield


def answer_save(
    *,
    scan: Scan,
    question: Question,
    value,
    user: User,
    version: int | None,
    original=NOT_SHOWN,
) -> Answer | None:
    """Save one answer. Returns the answer, or None when nothing changed.

    ``original`` is the value the page showed (and last saved): a value equal to it was left
    alone, so nothing is written — not over a colleague's newer answer, and not as a
    confirmation of an answer taken over from last year.

    Raises ValidationError (for the value field) when the answer breaks a rule between
    answers, and AnswerConflict when a colleague changed it since ``version`` and this value
    differs from theirs. Touches this question only: the scan is locked once, and this answer
    and the amounts it is checked against are read in one query."""
    if value == original:
        return None
    require_editable(scan=scan, user=user, question=question)
    with _joining_transaction():
        return _answer_write(
            scan=_locked(scan), question=question, value=value, user=user, version=version
        )


def _answer_write(*, scan: Scan, question: Question, value, user: User, version) -> Answer | None:
    require_editable(scan=scan, user=user, question=question)
    related = questionnaire_of(scan.edition).related_amounts(question)
    answers = _answers_of(scan, [question, *related])
    answer = answers.get(question.pk)
    current = answer.value if answer else None
    if answer is not None and version != answer.version and value != current:
        raise AnswerConflict(answer)
    if value == current and (answer is None or not answer.prefilled):
        return None  # the same value again, e.g. a colleague gave the same answer meanwhile
    for other in related:
        other_value = answers[other.pk].value if other.pk in answers else None
        if other.key == question.not_more_than:
            amount_limit_check(question, value, other, other_value, saving_total=False)
        else:
            amount_limit_check(other, other_value, question, value, saving_total=True)
    return _answer_store(scan=scan, question=question, answer=answer, value=value, user=user)


# The three statements below run for every answer saved, so they are written out
# (common/db.py): composed by the ORM they cost more than the rest of the save together.


def _answers_of(scan: Scan, questions: list[Question]) -> dict[int, Answer]:
    """The scan's answers to these questions, by question id, in one query."""
    ids = [question.pk for question in questions]
    with connection.cursor() as cursor:
        cursor.execute(_answers_sql(connection.vendor, len(ids)), [scan.pk, *ids])
        answers = [db.instances(row, [Answer])[0] for row in cursor.fetchall()]
    return {answer.question_id: answer for answer in answers}


@cache
def _answers_sql(vendor: str, count: int) -> str:
    return (
        f"SELECT {db.columns(Answer, 'a')} FROM {db.table(Answer)} a "  # noqa: S608  # nosec B608 (names from the models; values as parameters)
        f"WHERE a.scan_id = %s AND a.question_id IN ({', '.join(['%s'] * count)})"
    )


def _answer_store(*, scan, question, answer: Answer | None, value, user: User) -> Answer:
    """Write the answer (a new version of it) and its line in the scan's trail."""
    now = timezone.now()
    if answer is None:
        answer = Answer(scan=scan, question=question, version=0)
    answer.value, answer.prefilled, answer.updated_at, answer.updated_by = value, False, now, user
    answer.version += 1
    written = {
        "value": value,
        "prefilled": False,
        "version": answer.version,
        "updated_at": now,
        "updated_by": user.pk,
    }
    if answer.pk is None:
        written.update(scan=scan.pk, question=question.pk, points=None)
    answer.pk = db.save_with_line(
        Answer,
        answer.pk,
        written,
        line=ScanChange,
        line_values={
            "scan": scan.pk,
            "question": question.pk,
            "action": Change.CLEARED if value is None else Change.ANSWERED,
            "value": value,
            "detail": "",
            "actor": user.pk,
            "at": now,
        },
    )
    return answer


def amount_limit_check(part: Question, part_value, total: Question, total_value, *, saving_total):
    """Raise, with a message for the field being saved, when a part exceeds its total."""
    if part_value is None or total_value is None or Decimal(part_value) <= Decimal(total_value):
        return
    if saving_total:
        raise ValidationError(
            _("This total cannot be less than “%(question)s” (%(part)s).")
            % {"question": part.localised("text"), "part": euro(part_value)}
        )
    raise ValidationError(
        _("This amount cannot be more than “%(question)s” (%(limit)s).")
        % {"question": total.localised("text"), "limit": euro(total_value)}
    )


def euro(value) -> str:
    return "€ " + number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)


@transaction.atomic
def answers_prefill(*, scan: Scan, user: User) -> int:
    """Take over last year's answers, by question key, into questions not answered yet. They
    stay marked until someone confirms them by saving. Returns how many were taken over."""
    require_editable(scan=scan, user=user)
    if previous_scan(scan) is None:
        return 0
    scan = _locked(scan)
    require_editable(scan=scan, user=user)
    previous = previous_scan(scan)
    if previous is None:
        return 0
    last_year = {
        a.question.key: a.value for a in previous.answers.select_related("question") if a.is_given
    }
    existing = {a.question_id: a for a in scan.answers.all()}
    questions = questionnaire_of(scan.edition).questions
    created, updated = [], []
    for question in questions:
        value = last_year.get(question.key)
        answer = existing.get(question.pk)
        if value is None or (answer is not None and answer.is_given):
            continue
        if not access.can_answer_section(user, question.section) or not _still_valid(
            question, value
        ):
            continue
        if answer is None:
            created.append(
                Answer(scan=scan, question=question, value=value, prefilled=True, updated_by=user)
            )
        else:  # cleared this year: keep its row and count its version on
            answer.value, answer.prefilled, answer.updated_by = value, True, user
            answer.version += 1
            updated.append(answer)
    Answer.objects.bulk_create(created)
    Answer.objects.bulk_update(updated, ["value", "prefilled", "updated_by", "version"])
    count = len(created) + len(updated)
    if count:
        ScanChange.objects.create(scan=scan, action=Change.PREFILLED, actor=user, detail=str(count))
    return count


def previous_scan(scan: Scan) -> Scan | None:
    """The municipality's scan of the most recent earlier edition, if any."""
    return (
        Scan.objects.filter(
            organisation_id=scan.organisation_id, edition__year__lt=scan.edition.year
        )
        .order_by("-edition__year")
        .first()
    )


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
    if not scan.is_started:
        return 0
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


@transaction.atomic
def evidence_add(*, scan: Scan, question: Question, uploaded, user: User) -> Evidence:
    require_editable(scan=scan, user=user, question=question)
    scan = _locked(scan)
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
    """Remarks are for the next edition, so they may be left after submitting too — but only on
    the sections the user may answer."""
    if not (
        access.can(user, access.Capability.ANSWERS, scan.organisation)
        and access.can_answer_section(user, question.section)
    ):
        raise PermissionDenied(_("This part of the scan has not been handed to you."))
    if not scan.is_started:
        scan = scan_start(organisation=scan.organisation, edition=scan.edition)
    remark = Remark.objects.create(scan=scan, question=question, author=user, text=text)
    ScanChange.objects.create(
        scan=scan, question=question, action=Change.REMARK, detail=text[:300], actor=user
    )
    return remark


def scan_missing(scan: Scan) -> list[Question]:
    """The required questions without a confirmed answer, in questionnaire order."""
    answers = (
        scan.answers.values_list("question_id", "value", "prefilled") if scan.is_started else []
    )
    done = {question_id for question_id, *answer in answers if is_confirmed(*answer)}
    return [q for q in questionnaire_of(scan.edition).questions if q.required and q.pk not in done]


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
    _check_whole_scan(answers)
    for answer in answers:
        answer.points = answer.question.points_for(answer.value)
    Answer.objects.bulk_update(answers, ["points"])
    scan.status, scan.submitted_at, scan.submitted_by = Scan.Status.SUBMITTED, timezone.now(), user
    scan.save(update_fields=["status", "submitted_at", "submitted_by"])
    ScanChange.objects.create(scan=scan, action=Change.SUBMITTED, actor=user)
    transaction.on_commit(lambda: scan_submitted.send(sender=Scan, scan=scan))


def _check_whole_scan(answers: list[Answer]) -> None:
    """Answers can have come in one by one, from last year, or before a rule existed: check
    them all together once more before the scan is frozen."""
    by_key = {a.question.key: a for a in answers}
    problems = []
    for answer in answers:
        question = answer.question
        if answer.is_given and not _still_valid(question, answer.value):
            problems.append(question)
        limit = by_key.get(question.not_more_than) if question.not_more_than else None
        if limit is not None:
            try:
                amount_limit_check(
                    question, answer.value, limit.question, limit.value, saving_total=False
                )
            except ValidationError:
                problems.append(question)
    if problems:
        raise ValidationError(
            _(
                "These answers do not fit the rules of the questionnaire; "
                "correct them first: %(list)s"
            )
            % {"list": "; ".join(q.localised("text") for q in problems)}
        )


@transaction.atomic
def scan_reopen(*, scan: Scan, user: User) -> None:
    """The service desk opens a submitted scan again, before the deadline."""
    if not access.can(user, access.Capability.REOPEN, scan.organisation):
        raise PermissionDenied
    scan = _locked(scan)
    if not scan.is_submitted:
        raise ValidationError(_("This scan has not been submitted."))
    if not scan.edition.is_open:
        raise ValidationError(_("This edition has closed; its scans can no longer be opened."))
    if not scan.can_reopen():
        raise ValidationError(_("The deadline has passed; give an extension first."))
    scan.status, scan.submitted_at, scan.submitted_by = Scan.Status.OPEN, None, None
    scan.save(update_fields=["status", "submitted_at", "submitted_by"])
    ScanChange.objects.create(scan=scan, action=Change.REOPENED, actor=user)
    audit_record(action=AuditEvent.Action.SCAN_REOPENED, actor=user, target=scan)


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
