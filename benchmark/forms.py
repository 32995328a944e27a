from django import forms
from django.utils.translation import gettext_lazy as _


class NamingConsentForm(forms.Form):
    may_be_named = forms.BooleanField(
        label=_("Our municipality may be named if it is in the Top 10"),
        help_text=_("Without this, your municipality appears as an anonymous participant."),
        required=False,
    )


class GoalForm(forms.Form):
    dimension = forms.ChoiceField(
        label=_("Theme"), error_messages={"invalid_choice": _("Choose one of the themes shown.")}
    )
    target = forms.DecimalField(
        label=_("Score you aim for next year (0–100)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        localize=True,
        error_messages={
            "invalid": _("Enter a score from 0 to 100."),
            "min_value": _("Enter a score from 0 to 100."),
            "max_value": _("Enter a score from 0 to 100."),
            "max_decimal_places": _("Use at most one decimal."),
        },
    )

    def __init__(self, *args, dimensions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = dimensions
