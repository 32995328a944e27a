from django import forms
from django.utils.translation import gettext_lazy as _


class NamingConsentForm(forms.Form):
    may_be_named = forms.BooleanField(
        label=_("Our municipality may be named if it is in the Top 10"),
        help_text=_("Without this, your municipality appears as an anonymous participant."),
        required=False,
    )
