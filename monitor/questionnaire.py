"""An edition's questionnaire, read once per process.

The questionnaire of an edition changes only when it is loaded again or edited in the admin,
while every page of the scan and every autosave needs it. Each process keeps its own copy,
keyed by the edition's ``questionnaire_version``, which the signals below change whenever a
section, question or option of the edition is saved or deleted; a process that reads the
edition (every scan page does) sees the new version and reads the questionnaire again.

The copies are shared by every request of the process: treat them as read-only.
"""

import threading
import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Edition, Option, Question, Section


@dataclass(frozen=True)
class Questionnaire:
    edition_id: int
    version: uuid.UUID
    sections: tuple[Section, ...]
    # In questionnaire order, each with its section and its options.
    questions: tuple[Question, ...]
    _by_key: dict[str, Question] = field(repr=False)
    _sections_by_key: dict[str, Section] = field(repr=False)

    def question(self, key: str) -> Question | None:
        return self._by_key.get(key)

    def section(self, key: str) -> Section | None:
        return self._sections_by_key.get(key)

    def section_questions(self, section: Section) -> list[Question]:
        return [q for q in self.questions if q.section_id == section.pk]

    def parts_of(self, total: Question) -> list[Question]:
        """The amounts that may not exceed ``total`` (their ``not_more_than``)."""
        return [q for q in self.questions if q.not_more_than == total.key]

    def related_amounts(self, question: Question) -> list[Question]:
        """The amounts an answer to ``question`` is checked against: the total it may not
        exceed, and the parts that may not exceed it."""
        if question.type != Question.Type.AMOUNT:
            return []
        limit = self.question(question.not_more_than) if question.not_more_than else None
        return [q for q in [limit, *self.parts_of(question)] if q is not None]


_copies: dict[int, Questionnaire] = {}
_lock = threading.Lock()


def questionnaire_of(edition: Edition) -> Questionnaire:
    """The edition's questionnaire: three queries the first time in a process (and after each
    change), none after that."""
    copy = _copies.get(edition.pk)
    if copy is None or copy.version != edition.questionnaire_version:
        copy = _read(edition)
        with _lock:
            _copies[edition.pk] = copy
    return copy


def _read(edition: Edition) -> Questionnaire:
    sections = tuple(Section.objects.filter(edition_id=edition.pk).order_by("position"))
    by_pk = {section.pk: section for section in sections}
    questions = tuple(
        Question.objects.filter(edition_id=edition.pk)
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position")))
        .order_by("section__position", "position")
    )
    for question in questions:
        question.section = by_pk[question.section_id]  # no query per question later
    return Questionnaire(
        edition_id=edition.pk,
        version=edition.questionnaire_version,
        sections=sections,
        questions=questions,
        _by_key={q.key: q for q in questions},
        _sections_by_key={s.key: s for s in sections},
    )


def questionnaire_changed(edition_id: int) -> None:
    """Tell every process that the edition's questionnaire has changed."""
    Edition.objects.filter(pk=edition_id).update(questionnaire_version=uuid.uuid4())
    with _lock:
        _copies.pop(edition_id, None)


@receiver([post_save, post_delete], sender=Section, dispatch_uid="questionnaire_section")
@receiver([post_save, post_delete], sender=Question, dispatch_uid="questionnaire_question")
def _part_changed(sender, instance, **kwargs):
    questionnaire_changed(instance.edition_id)


@receiver([post_save, post_delete], sender=Option, dispatch_uid="questionnaire_option")
def _option_changed(sender, instance, **kwargs):
    edition_id = (
        Question.objects.filter(pk=instance.question_id)
        .values_list("edition_id", flat=True)
        .first()
    )
    if edition_id is not None:
        questionnaire_changed(edition_id)
