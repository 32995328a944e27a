"""Scores: a pure function of a scan's answer points and its questionnaire (DESIGN.md).

Every scored question (weight > 0) earns a fraction between 0 and 1: its points divided by the
most it can earn. A dimension value's score is the weighted mean of those fractions over the
questions tagged with it, times 100; an unanswered question counts as 0. The overall score is
the same over all scored questions. Nothing here touches the database, so the numbers can be
checked by hand and recomputed for thousands of scans in a moment.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

OVERALL = "overall"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScoredQuestion:
    key: str
    weight: int
    level: str
    tags: tuple[str, ...]
    max_points: Decimal  # what a complete answer earns: 1 for numbers and percentages

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The dimension values this question counts for, as score keys."""
        return (OVERALL, f"level:{self.level}", *(f"tag:{tag}" for tag in self.tags))


def scored_questions(questions: Iterable) -> list[ScoredQuestion]:
    return [
        ScoredQuestion(
            key=q.key,
            weight=q.weight,
            level=q.level,
            tags=tuple(q.tags),
            max_points=q.max_points(),
        )
        for q in questions
        if q.weight > 0
    ]


def fraction(points: Decimal | None, max_points: Decimal) -> Decimal:
    """What an answer earned as a fraction (0–1) of the most its question can earn
    (``Question.max_points``); 0 for an unanswered question and for one that earns nothing."""
    if points is None or max_points <= 0:
        return Decimal(0)
    return min(Decimal(points) / max_points, Decimal(1))


def scores(
    questions: Iterable[ScoredQuestion], points: Mapping[str, Decimal | None]
) -> dict[str, Decimal]:
    """Score per dimension value (and overall), 0–100, rounded to one decimal."""
    earned: dict[str, Decimal] = {}
    possible: dict[str, Decimal] = {}
    for question in questions:
        if question.weight <= 0 or question.max_points <= 0:
            continue
        earned_fraction = fraction(points.get(question.key), question.max_points)
        for dimension in question.dimensions:
            earned[dimension] = (
                earned.get(dimension, Decimal(0)) + question.weight * earned_fraction
            )
            possible[dimension] = possible.get(dimension, Decimal(0)) + question.weight
    return {
        dimension: (HUNDRED * earned[dimension] / possible[dimension]).quantize(
            Decimal("0.1"),
            rounding=ROUND_HALF_UP,  # as the peer statistics round
        )
        for dimension in possible
    }


# Five maturity stages, each a band of the overall (or any) score: (lower bound, name).
STAGES = [
    (Decimal(0), _("Orienting")),
    (Decimal(20), _("Exploring")),
    (Decimal(40), _("Applying")),
    (Decimal(60), _("Embedding")),
    (Decimal(80), _("Leading")),
]


def stage(score: Decimal) -> str:
    """The name of the maturity stage a score falls in; a bound belongs to the higher stage."""
    name = STAGES[0][1]
    for lower, label in STAGES:
        if score >= lower:
            name = label
    return name
