"""The service desk's forms: a login for a municipality, the deadline and its reminders, an
extension, an announcement, and the status overview's filters."""

from datetime import time

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import DayField, TimeOfDayField, future_moment
from monitor.forms import ContributorInviteForm
from monitor.models import Organisation, User

from .selectors import State


class AccountIssueForm(ContributorInviteForm):
    """A login for a municipality, issued by the service desk: a new penvoerder (the one
    before stays on as a contributor) or a contributor for every part of the scan."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (User.Role.PENVOERDER, _("penvoerder (takes over from the current one)")),
            (User.Role.CONTRIBUTOR, _("contributor")),
        ],
        widget=forms.RadioSelect,
        initial=User.Role.PENVOERDER,
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, sections=[], **kwargs)
        del self.fields["sections"]

    def clean_email(self):
        """An address has one account; the desk is told whose it is, and on the municipality's
        own page how to make that person penvoerder instead."""
        email = self.cleaned_data["email"].lower()
        holder = User.objects.filter(email=email).select_related("organisation").first()
        if holder is None:
            return email
        if holder.organisation_id == self.organisation.pk:
            raise ValidationError(
                _(
                    "This address already has an account at this municipality, in the list "
                    "above. To hand the scan over to this person, use “Make penvoerder” there."
                )
            )
        if holder.organisation is None:
            raise ValidationError(
                _("This address already has an account, of the programme's staff.")
            )
        raise ValidationError(
            _("This address already has an account, of %(organisation)s."),
            params={"organisation": holder.organisation.name},
        )


class DeadlineForm(forms.Form):
    day = DayField(label=_("Deadline (date)"))
    time = TimeOfDayField(label=_("Time"), initial="23:59")
    reminder_days = forms.CharField(
        label=_("Reminders, days before the deadline"),
        max_length=40,
        help_text=_(
            "Penvoerders who have not submitted get a reminder this many days before their "
            "deadline, e.g. “14, 3”."
        ),
    )

    def clean_reminder_days(self):
        parts = [p.strip() for p in self.cleaned_data["reminder_days"].replace(";", ",").split(",")]
        try:
            days = sorted({int(p) for p in parts if p}, reverse=True)
        except ValueError:
            raise ValidationError(_("Write whole numbers of days, separated by commas.")) from None
        if not days or any(d < 1 or d > 90 for d in days):
            raise ValidationError(_("Each number of days is between 1 and 90."))
        return days

    def clean(self):
        data = super().clean()
        if {"day", "time"} <= data.keys():
            data["deadline"] = future_moment(self, data["day"], data["time"])
        return data


class ExtensionForm(forms.Form):
    day = DayField(label=_("Extension until (date)"), required=False)
    time = TimeOfDayField(label=_("Time"), initial="23:59", required=False)

    def __init__(self, *args, scan_year: int, **kwargs):
        kwargs.setdefault("prefix", f"extension{scan_year}")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        day = data.get("day")
        data["until"] = future_moment(self, day, data.get("time") or time(23, 59)) if day else None
        return data


class AnnouncementForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent by email to every active penvoerder, with a greeting and a signature."),
    )


class StatusFilterForm(forms.Form):
    """The status overview's filters; an unknown value is ignored rather than refused, and
    only that one: the other filters still apply."""

    DEFAULTS = {"state": "", "region": "", "sort": "name"}

    STATES = [("", _("all")), *State.choices]
    SORTS = [
        ("name", _("municipality")),
        ("region", _("region")),
        ("progress", _("progress")),
        ("activity", _("last activity")),
    ]
    state = forms.ChoiceField(label=_("Status"), choices=STATES, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def __init__(self, *args, regions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("all")), *((r, r) for r in regions)]

    def values(self) -> dict:
        self.is_valid()  # cleaned_data keeps the fields that are valid
        return {
            name: self.cleaned_data.get(name) or default for name, default in self.DEFAULTS.items()
        }
