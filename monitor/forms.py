"""Forms of the scan: one small form per question, so the section page (all questions, also
without JavaScript) and the autosave of one answer validate in exactly the same way."""

import json
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .models import Answer, Question, Remark, Section, User, value_is_given
from .services.scans import NOT_SHOWN

T = Question.Type

MAX_AMOUNT = Decimal("1000000000000")  # a trillion euros: beyond any municipality's budget


def parse_decimal(text: str) -> Decimal:
    """A number as a civil servant types it: "12,5", "1.234.567,89", "€ 1 234" in Dutch; in
    English "1,234,567.89". Raises ValueError for anything else."""
    cleaned = re.sub(r"[\s€%]", "", str(text))
    if get_language() == "en":
        grouping, decimal_mark = ",", "."
    else:
        grouping, decimal_mark = ".", ","
    grouped = rf"^-?\d{{1,3}}(\{grouping}\d{{3}})+(\{decimal_mark}\d+)?$"
    if re.match(grouped, cleaned):
        cleaned = cleaned.replace(grouping, "")
    cleaned = cleaned.replace(decimal_mark, ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error


def format_decimal(value) -> str:
    """How a stored number is shown in its field again: the page's decimal mark, no grouping."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value)).normalize()
    return number_format(number, decimal_pos=None, use_l10n=True, force_grouping=False)


class NumberField(forms.CharField):
    """A number field that accepts Dutch notation and says in plain words what is wrong."""

    def __init__(self, *, min_value=None, max_value=None, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 40})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 40:
            raise ValidationError(_("Enter a number, for example 12 or 12.5."), code="invalid")
        try:
            number = parse_decimal(value)
        except ValueError:
            raise ValidationError(
                _("Enter a number, for example 12 or 12.5."), code="invalid"
            ) from None
        if -number.normalize().as_tuple().exponent > 2:
            raise ValidationError(_("Use at most two decimals."), code="decimals")
        return number

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(self.error_messages["min_value"], code="min_value")
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(self.error_messages["max_value"], code="max_value")


CHOICE_ERROR = _("Choose one of the options shown.")


def value_field(question: Question, *, disabled: bool) -> forms.Field:
    """The form field for a question's answer. Nothing is required here: a scan is filled in
    over weeks; completeness is checked when it is submitted."""
    common = {
        "label": question.localised("text"),
        "help_text": question.localised("help"),
        "required": False,
        "disabled": disabled,
    }
    choices = [(option.key, option.localised("label")) for option in question.options.all()]
    if question.type == T.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": CHOICE_ERROR},
            **common,
        )
    if question.type in Question.CHOICE_TYPES:
        return forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": CHOICE_ERROR},
            **common,
        )
    if question.type == T.AMOUNT:
        field = NumberField(min_value=Decimal(0), max_value=MAX_AMOUNT, **common)
        field.error_messages["min_value"] = _("An amount cannot be negative.")
        field.error_messages["max_value"] = _("This amount is too large to be right.")
        return field
    if question.type == T.PERCENTAGE:
        field = NumberField(min_value=Decimal(0), max_value=Decimal(100), **common)
        message = _("Enter a percentage from 0 to 100.")
        field.error_messages["min_value"] = field.error_messages["max_value"] = message
        return field
    if question.type == T.NUMBER:
        field = NumberField(min_value=Decimal(0), max_value=MAX_AMOUNT, **common)
        field.error_messages["min_value"] = _("Enter a number of 0 or more.")
        field.error_messages["max_value"] = _("This number is too large to be right.")
        return field
    limit = question.max_length or 2000
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limit,
        error_messages={
            "max_length": _("Use at most %(limit_value)d characters; this text has %(show_value)d.")
        },
        **common,
    )


def stored_value(question: Question, cleaned):
    """The cleaned value as it is kept in Answer.value (JSON)."""
    if not value_is_given(cleaned):
        return None
    if question.type in Question.NUMERIC_TYPES:
        # One spelling per number, so "1,50" and "1,5" are the same answer.
        return format(cleaned.normalize(), "f")
    if question.type == T.MULTIPLE:
        return sorted(cleaned)
    return cleaned


def initial_value(question: Question, value):
    if value is None:
        return None
    if question.type in Question.NUMERIC_TYPES:
        return format_decimal(value)
    return value


class AnswerForm(forms.Form):
    """One question's answer, with the version it was based on (to detect a colleague's change
    in between) and the value the page showed (to tell "left alone" from "changed")."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    original = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, question: Question, answer: Answer | None, editable: bool, **kwargs):
        self.question, self.answer = question, answer
        value = answer.value if answer else None
        kwargs.setdefault(
            "initial",
            {
                "value": initial_value(question, value),
                "version": answer.version if answer else 0,
                "original": json.dumps(value),
            },
        )
        kwargs.setdefault("prefix", question.key)
        super().__init__(*args, **kwargs)
        self.fields["value"] = value_field(question, disabled=not editable)
        self.order_fields(["value", "version", "original"])

    def clean_original(self):
        raw = self.cleaned_data["original"]
        if not raw:
            return NOT_SHOWN
        try:
            return json.loads(raw)
        except ValueError:
            return NOT_SHOWN

    def answer_value(self):
        return stored_value(self.question, self.cleaned_data.get("value"))


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        error_messages={
            "required": _("Choose a file to attach."),
            "empty": _("This file is empty."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled in here, in the language of the page: a lazy text with a value put into it
        # at import would be fixed in the language the process started in.
        self.fields["file"].help_text = gettext(
            "PDF, Word, Excel, PowerPoint, OpenDocument, PNG or JPEG; at most %(mb)s MB."
        ) % {"mb": settings.EVIDENCE_MAX_MB}


class RemarkForm(forms.ModelForm):
    class Meta:
        model = Remark
        fields = ["text"]
        labels = {"text": _("Remark for the next edition")}
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}
        error_messages = {"text": {"required": _("Write your remark first.")}}


class ContributorInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={"invalid": _("Enter an email address like naam@gemeente.nl.")},
    )
    sections = forms.MultipleChoiceField(
        label=_("Parts of the scan this colleague may answer"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one part.")},
    )

    def __init__(self, *args, sections: list[Section], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(s.key, s.localised("title")) for s in sections]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError(
                _("This address already has an account. Ask the service desk if it should move.")
            )
        return email
