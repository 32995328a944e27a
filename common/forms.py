"""Form fields and helpers that more than one app uses: dates and times as typed on a Dutch
page."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def local_moment(day, moment) -> datetime:
    """A date and a time as typed on a Dutch page: a moment in the programme's time zone."""
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


# A deadline or an extension further ahead than this is a typing error, not a plan. The bound
# also keeps out dates like 0001-01-01 that the database cannot store once in UTC.
FURTHEST_AHEAD = timedelta(days=2 * 365)


def future_moment(form: forms.Form, day, moment) -> datetime | None:
    """The moment typed in ``form``'s day and time fields, or None with an error at its day
    field when it is not in the future or more than two years ahead."""
    today = timezone.localdate()
    if day > today + FURTHEST_AHEAD:
        form.add_error("day", _("Choose a date at most two years from today."))
        return None
    if day < today or local_moment(day, moment) <= timezone.now():
        form.add_error("day", _("Choose a moment in the future."))
        return None
    return local_moment(day, moment)


class DayField(forms.DateField):
    # A browser's date field takes only ISO dates, whatever the page's language.
    widget = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class TimeOfDayField(forms.TimeField):
    widget = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
