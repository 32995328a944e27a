"""Advice on maat: for the weakest dimension values, the advice of the questions where most was
left to gain, and the masterclass that fits (seed 002)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from monitor.dimensions import Category, FocusArea, Spearhead

MASTERCLASSES = {
    1: _("Masterclass 1: circular procurement for buyers and coordinators"),
    2: _("Masterclass 2: policy, strategy and ambitions"),
    3: _("Masterclass 3: from policy to execution"),
    4: _("Masterclass 4: vertical integration, with a tender of your own"),
}

# Policy → 2, execution → 3, integration → 4, procurement practice → 1 (the mapping).
MASTERCLASS_FOR = {
    FocusArea.POLICY: 2,
    FocusArea.AMBITION: 2,
    FocusArea.INTEGRATION: 4,
    **dict.fromkeys(Category.values, 3),
    **dict.fromkeys(Spearhead.values, 1),
}


def weakest(scores: dict[str, Decimal], count: int = 3) -> list[str]:
    """The ``count`` lowest dimension values (focus areas, categories, spearheads), lowest
    first; ties in the order of the dimensions."""
    order = [*FocusArea.values, *Category.values, *Spearhead.values]
    tags = [
        (scores[f"tag:{tag}"], order.index(tag), tag) for tag in order if f"tag:{tag}" in scores
    ]
    return [tag for _, _, tag in sorted(tags)[:count]]


def advice_for(tag: str, questions, fractions: dict[str, Decimal], limit: int = 3) -> list:
    """The questions of a dimension value with advice, where most weighted points were lost."""
    candidates = [
        (question.weight * (1 - fractions.get(question.key, Decimal(0))), question)
        for question in questions
        if tag in question.tags and question.weight > 0 and question.advice
    ]
    candidates = [(lost, q) for lost, q in candidates if lost > 0]
    candidates.sort(key=lambda pair: (-pair[0], pair[1].key))
    return [question for _, question in candidates[:limit]]
