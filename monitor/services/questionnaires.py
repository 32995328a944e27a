"""Questionnaires: loaded from the versioned files in monitor/questionnaires/, and cloned from
one year into the next. Keys are the identity: loading a file again updates in place."""

import tomllib
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Edition, Option, Question, Section

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent.parent / "questionnaires"

QUESTION_FIELDS = [
    "type",
    "text",
    "text_en",
    "help",
    "help_en",
    "advice",
    "advice_en",
    "weight",
    "level",
    "tags",
    "required",
    "max_length",
    "not_more_than",
    "unit",
    "full_points_at",
]
TEXT_DEFAULTS = {"text_en", "help", "help_en", "advice", "advice_en", "not_more_than", "unit"}


def _question_values(data: dict) -> dict:
    values = {}
    for field in QUESTION_FIELDS:
        value = data.get(field)
        if value is None and field in TEXT_DEFAULTS:
            value = ""
        if field == "full_points_at" and value is not None:
            value = Decimal(str(value))
        if field == "required" and value is None:
            value = True
        if field == "tags" and value is None:
            value = []
        values[field] = value
    return values


@transaction.atomic
def questionnaire_load(path: Path) -> Edition:
    """Create or update the edition of a questionnaire file. Questions and options that left
    the file are removed, unless a scan has answered them (then the load is refused)."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    edition, _ = Edition.objects.update_or_create(
        year=data["year"],
        defaults={"title": data["title"], "title_en": data.get("title_en", "")},
    )
    section_keys, question_keys = [], []
    for section_position, section_data in enumerate(data["sections"]):
        section, _ = Section.objects.update_or_create(
            edition=edition,
            key=section_data["key"],
            defaults={
                "position": section_position,
                "title": section_data["title"],
                "title_en": section_data.get("title_en", ""),
                "intro": section_data.get("intro", ""),
                "intro_en": section_data.get("intro_en", ""),
            },
        )
        section_keys.append(section.key)
        for position, question_data in enumerate(section_data["questions"]):
            question, _ = Question.objects.update_or_create(
                edition=edition,
                key=question_data["key"],
                defaults={
                    "section": section,
                    "position": position,
                    **_question_values(question_data),
                },
            )
            question.full_clean()
            question_keys.append(question.key)
            option_keys = []
            for option_position, option_data in enumerate(question_data.get("options", [])):
                Option.objects.update_or_create(
                    question=question,
                    key=option_data["key"],
                    defaults={
                        "position": option_position,
                        "label": option_data["label"],
                        "label_en": option_data.get("label_en", ""),
                        "points": option_data.get("points", 0),
                    },
                )
                option_keys.append(option_data["key"])
            question.options.exclude(key__in=option_keys).delete()
    _remove_unanswered(edition.questions.exclude(key__in=question_keys))
    edition.sections.exclude(key__in=section_keys).delete()
    questionnaire_check(edition)
    return edition


def _remove_unanswered(questions) -> None:
    answered = list(
        questions.filter(answers__isnull=False).values_list("key", flat=True).distinct()
    )
    if answered:
        raise ValidationError(
            f"Questions {', '.join(sorted(answered))} have answers and cannot be removed."
        )
    questions.delete()


def questionnaire_check(edition: Edition) -> None:
    """Refuse a questionnaire whose parts do not fit together."""
    questions = {q.key: q for q in edition.questions.prefetch_related("options")}
    errors = []
    for question in questions.values():
        has_options = bool(question.options.all())
        if (question.type in Question.CHOICE_TYPES) != has_options:
            errors.append(f"{question.key}: choice questions, and only they, have options")
        if question.type == Question.Type.TEXT and not question.max_length:
            errors.append(f"{question.key}: a text question needs max_length")
        if question.not_more_than:
            limit = questions.get(question.not_more_than)
            if limit is None or limit.type != Question.Type.AMOUNT:
                errors.append(f"{question.key}: not_more_than must name an amount question")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def edition_clone(*, source: Edition, year: int) -> Edition:
    """Start next year's questionnaire as a copy of this one: same keys, as a draft."""
    edition = Edition.objects.create(
        year=year,
        title=source.title.replace(str(source.year), str(year)),
        title_en=source.title_en.replace(str(source.year), str(year)),
    )
    old_sections = list(source.sections.all())
    new_sections = Section.objects.bulk_create(
        Section(**_copy(section, exclude={"edition"}), edition=edition) for section in old_sections
    )
    section_for = {old.pk: new for old, new in zip(old_sections, new_sections, strict=True)}
    old_questions = list(source.questions.prefetch_related("options"))
    new_questions = Question.objects.bulk_create(
        Question(
            **_copy(question, exclude={"edition", "section"}),
            edition=edition,
            section=section_for[question.section_id],
        )
        for question in old_questions
    )
    options = [
        Option(**_copy(option, exclude={"question"}), question=new)
        for old, new in zip(old_questions, new_questions, strict=True)
        for option in old.options.all()
    ]
    Option.objects.bulk_create(options)
    return edition


def _copy(instance, *, exclude: set[str]) -> dict:
    """The instance's own field values, without its primary key and the given relations."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.name not in exclude
    }
