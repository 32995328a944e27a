from collections.abc import Iterable

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.forms import DayField, TimeOfDayField, local_moment
from common.spreadsheets import ImportForm
from monitor.models import Organisation

from .models import Masterclass, Registration, Session

CHATHAM_HOUSE_RULE = _(
    "All meetings of the masterclasses and the monitor are held under the Chatham House Rule: "
    "participants are free to use the information received, but neither the identity nor the "
    "affiliation of the speakers, nor that of any other participant, may be revealed. That "
    "way everyone can speak freely, also about what did not succeed or is politically "
    "sensitive."
)


def session_label(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    free = max(session.capacity - getattr(session, "taken", 0), 0)
    places = ngettext("%(count)s place left", "%(count)s places left", free) % {"count": free}
    return f"{date_format(start, 'l j F Y')}, {start:%H:%M}–{end:%H:%M}, {session.place} ({places})"


class SessionChoiceField(forms.ModelChoiceField):
    widget = forms.RadioSelect

    def label_from_instance(self, obj):
        return session_label(obj)


class RegistrationForm(forms.Form):
    """Registering one person for a session of one masterclass. The organiser also chooses
    the municipality (or, for the closing meeting, types a guest's organisation)."""

    organisation = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("– choose a municipality –"),
    )
    organisation_name = forms.CharField(
        label=_("Organisation of a guest"),
        max_length=200,
        required=False,
        help_text=_("Only for a guest from outside the participating municipalities."),
    )
    session = SessionChoiceField(label=_("Session"), queryset=Session.objects.none())
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    function = forms.CharField(
        label=_("Function"),
        max_length=150,
        help_text=_("For example: procurement adviser, policy officer, project leader."),
    )
    dietary = forms.CharField(
        label=_("Dietary wishes"),
        max_length=300,
        required=False,
        help_text=_("Lunch is served. Leave empty if there are none."),
    )
    chatham_house = forms.BooleanField(
        label=_("The attendee knows and accepts the Chatham House Rule."),
        error_messages={"required": _("Accept the Chatham House Rule to register.")},
    )

    def __init__(self, *args, masterclass: Masterclass, sessions, for_organiser=False, **kwargs):
        kwargs.setdefault("prefix", f"mc{masterclass.number}")
        super().__init__(*args, **kwargs)
        self.masterclass = masterclass
        self.fields["session"].queryset = Session.objects.filter(pk__in=[s.pk for s in sessions])
        # The labels show how many places are left: take them from the annotated sessions.
        self.fields["session"].choices = [(s.pk, session_label(s)) for s in sessions]
        if len(sessions) == 1:
            self.fields["session"].initial = sessions[0].pk
        if not masterclass.lunch:
            del self.fields["dietary"]
        if for_organiser:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                kind=Organisation.Kind.MUNICIPALITY
            ).order_by("name")
            self.fields["organisation"].required = not masterclass.is_closing_meeting
        else:
            del self.fields["organisation"]
        if not (for_organiser and masterclass.is_closing_meeting):
            del self.fields["organisation_name"]

    def clean(self):
        data = super().clean()
        if (
            "organisation" in self.fields
            and "organisation_name" in self.fields
            and not data.get("organisation")
            and not data.get("organisation_name")
        ):
            self.add_error(
                "organisation_name",
                _("Choose a municipality, or type the organisation of a guest."),
            )
        return data


class GuestRegistrationForm(forms.Form):
    """The closing meeting's public form, for people from outside the programme."""

    session = SessionChoiceField(label=_("Session"), queryset=Session.objects.none())
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("The municipality, province, water board or other public body you work for."),
    )
    function = forms.CharField(label=_("Function"), max_length=150)
    chatham_house = forms.BooleanField(
        label=_("I know and accept the Chatham House Rule."),
        error_messages={"required": _("Accept the Chatham House Rule to register.")},
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(pk__in=[s.pk for s in sessions])
        self.fields["session"].choices = [(s.pk, session_label(s)) for s in sessions]
        if len(sessions) == 1:
            self.fields["session"].initial = sessions[0].pk


class SessionForm(forms.Form):
    day = DayField(label=_("Date"))
    start = TimeOfDayField(label=_("Start time"))
    end = TimeOfDayField(label=_("End time"))
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000)

    def __init__(self, *args, masterclass: Masterclass, **kwargs):
        kwargs.setdefault("prefix", f"session{masterclass.number}")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if {"day", "start", "end"} <= data.keys():
            data["starts_at"] = local_moment(data["day"], data["start"])
            data["ends_at"] = local_moment(data["day"], data["end"])
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("The session must end after it starts."))
            elif data["starts_at"] <= timezone.now():
                self.add_error("day", _("Choose a moment in the future."))
        return data


class AttendanceForm(forms.Form):
    """Who of the session's registrations came. What was sent is compared, as text, with the
    ids on offer: a made-up id — however large, negative or not a number — is refused at the
    field without reaching a query (a number the database cannot hold would stop it there)."""

    attended = forms.TypedMultipleChoiceField(
        label=_("Attended"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, registrations: Iterable[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(r.pk, r.name) for r in registrations]

    def ticked(self) -> set[int]:
        """The registrations ticked, also on a form that came back refused: of what was sent,
        only the ids on offer."""
        sent = {str(value) for value in self["attended"].value() or []}
        return {pk for pk, _name in self.fields["attended"].choices if str(pk) in sent}


# The columns of an imported list, with the headings they may have: the Dutch and English
# headings of the attendee list this application exports, so an export can go back in.
REGISTRATION_COLUMNS = {
    "municipality": ("gemeente", "municipality", "cbs-code", "organisatie", "organisation"),
    "name": ("naam", "name"),
    "email": ("e-mailadres", "e-mail", "email", "email address"),
    "function": ("functie", "function"),
    "dietary": ("dieetwensen", "dietary wishes"),
}
ATTENDANCE_COLUMNS = {
    "email": REGISTRATION_COLUMNS["email"],
    "attended": ("aanwezig", "attended"),
}


class AttendanceImportForm(ImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, columns=ATTENDANCE_COLUMNS, required={"email", "attended"}, **kwargs
        )


class RegistrationsImportForm(ImportForm):
    def __init__(self, *args, **kwargs):
        required = {"municipality", "name", "email", "function"}
        super().__init__(*args, columns=REGISTRATION_COLUMNS, required=required, **kwargs)

    chatham_house = forms.BooleanField(
        label=_("Everyone on this list knows and accepts the Chatham House Rule."),
        error_messages={"required": _("Confirm that the attendees accept the Chatham House Rule.")},
    )
