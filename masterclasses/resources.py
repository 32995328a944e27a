"""The attendee list as a spreadsheet, for the organiser's download and the admin's export.
Every cell is spreadsheet-safe (common.spreadsheets): an attendee typed as a formula stays
text."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from common.spreadsheets import SafeExportResource

from .models import Registration


class AttendeeResource(SafeExportResource):
    municipality = fields.Field(column_name=gettext_lazy("Municipality"))
    name = fields.Field(attribute="name", column_name=gettext_lazy("Name"))
    email = fields.Field(attribute="email", column_name=gettext_lazy("Email address"))
    function = fields.Field(attribute="function", column_name=gettext_lazy("Function"))
    dietary = fields.Field(attribute="dietary", column_name=gettext_lazy("Dietary wishes"))
    session = fields.Field(column_name=gettext_lazy("Session"))
    registered_at = fields.Field(column_name=gettext_lazy("Registered at"))
    attended = fields.Field(column_name=gettext_lazy("Attended"))

    class Meta:
        model = Registration
        fields = (
            "municipality",
            "name",
            "email",
            "function",
            "dietary",
            "session",
            "registered_at",
            "attended",
        )
        export_order = fields

    def dehydrate_municipality(self, registration):
        if registration.organisation is not None:
            return registration.organisation.name
        return registration.organisation_name

    def dehydrate_session(self, registration):
        return str(registration.session)

    def dehydrate_registered_at(self, registration):
        return f"{timezone.localtime(registration.registered_at):%Y-%m-%d %H:%M}"

    def dehydrate_attended(self, registration):
        if registration.attended is None:
            return ""
        return _("yes") if registration.attended else _("no")
