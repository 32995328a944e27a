from django import template

from ..forms import format_decimal
from ..models import Question, value_is_given

register = template.Library()


@register.filter
def answer_display(value, question: Question) -> str:
    """An answer as a person reads it: option labels, numbers in the page's notation."""
    if not value_is_given(value):
        return "–"
    if question.type in Question.CHOICE_TYPES:
        labels = {option.key: option.localised("label") for option in question.options.all()}
        chosen = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(key, key) for key in chosen)
    if question.type == Question.Type.AMOUNT:
        return f"€ {format_decimal(value)}"
    if question.type == Question.Type.PERCENTAGE:
        return f"{format_decimal(value)} %"
    if question.type == Question.Type.NUMBER:
        return f"{format_decimal(value)} {question.unit}".strip()
    return str(value)


@register.filter
def localised(obj, field: str) -> str:
    return obj.localised(field)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
