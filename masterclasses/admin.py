from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from monitor.admin import (
    GuardedAdminMixin,
    GuardedTabularInline,
    ServiceAddAdminMixin,
    ServiceAddForm,
)
from monitor.audit import audit_record
from monitor.models import AuditEvent

from . import services
from .forms import CHATHAM_HOUSE_RULE
from .models import Masterclass, Registration, Session
from .resources import AttendeeResource


class SessionInline(GuardedTabularInline):
    model = Session
    extra = 0


@admin.register(Masterclass)
class MasterclassAdmin(GuardedAdminMixin, admin.ModelAdmin):
    json_lists = dict.fromkeys(
        ["topics", "topics_en"],
        (
            lambda topic: isinstance(topic, str),
            _('Enter the programme as a list of texts, e.g. ["Opening", "Lunch"].'),
        ),
    )
    list_display = ["title", "edition", "number", "dagdelen", "lunch"]
    list_filter = ["edition"]
    inlines = [SessionInline]


class RegistrationAddForm(ServiceAddForm):
    """A registration made in the admin goes through registration_create, like every other:
    the form asks the service, and shows its refusal at the field it concerns."""

    chatham_house = forms.BooleanField(
        label=_("Chatham House Rule accepted"), help_text=CHATHAM_HOUSE_RULE
    )

    class Meta:
        model = Registration
        fields = [
            "session",
            "organisation",
            "organisation_name",
            "name",
            "email",
            "function",
            "dietary",
        ]

    def create(self, data: dict) -> Registration:
        return services.registration_create(
            session=data["session"],
            organisation=data.get("organisation"),
            organisation_name=data.get("organisation_name", ""),
            name=data["name"],
            email=data["email"],
            function=data["function"],
            dietary=data.get("dietary", ""),
            chatham_house_accepted=data.get("chatham_house", False),
            by=self.by,
        )


@admin.register(Registration)
class RegistrationAdmin(GuardedAdminMixin, ServiceAddAdminMixin, ExportMixin, admin.ModelAdmin):
    add_form = RegistrationAddForm
    resource_classes = [AttendeeResource]
    list_display = [
        "name",
        "organisation",
        "organisation_name",
        "session",
        "attended",
        "cancelled_at",
    ]
    list_filter = ["masterclass__edition", "masterclass__number", "attended"]
    list_select_related = ["organisation", "session__masterclass"]
    search_fields = ["name", "email", "organisation__name", "organisation_name"]

    def get_data_for_export(self, request, queryset, **kwargs):
        # An attendee list leaves the application here as on the session page: on the record.
        data = super().get_data_for_export(request, queryset, **kwargs)
        audit_record(
            action=AuditEvent.Action.ATTENDEE_EXPORTED,
            actor=request.user,
            detail=f"attendee list from the admin, {len(data)} rows",
            request=request,
        )
        return data

    readonly_fields = [
        "session",
        "organisation",
        "organisation_name",
        "seat",
        "name",
        "email",
        "function",
        "dietary",
        "chatham_house_accepted_at",
        "registered_at",
        "registered_by",
        "cancelled_at",
        "anonymised_at",
    ]
    fields = [*readonly_fields[:8], "attended", *readonly_fields[8:]]

    def has_delete_permission(self, request, obj=None):
        # Cancelling frees a place and erasing removes a person's data, each through its
        # service with its mail and audit entry; a deleted row would do neither.
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*RegistrationAddForm.Meta.fields, "chatham_house"]
        return self.fields
