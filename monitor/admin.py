from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from . import services
from .models import AuditEvent, Edition, Option, Organisation, Question, Scan, Section, User
from .resources import OrganisationResource, QuestionResource
from .services.questionnaires import edition_clone


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "cbs_code", "kind", "province", "region"]
    list_filter = ["kind", "province", "region"]
    search_fields = ["name", "cbs_code"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation__province"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["last_login", "date_joined"]
    fields = [
        "email",
        "full_name",
        "role",
        "organisation",
        "is_active",
        "last_login",
        "date_joined",
    ]
    actions = ["send_password_link", "make_penvoerder", "deactivate"]

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: the audit trail and the scan history name them.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Role and activation change through the actions below, which keep the audit trail
        # and the one-penvoerder rule; on a new account they are chosen once.
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "role", "organisation", "is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = services.account_issue(
            email=obj.email,
            full_name=obj.full_name,
            role=obj.role,
            organisation=obj.organisation,
            by=request.user,
        )
        obj.pk, obj.password, obj.role = issued.pk, issued.password, issued.role
        obj._state.adding = False

    @admin.action(description=_("Send a link to set the password"))
    def send_password_link(self, request, queryset):
        for user in queryset.filter(is_active=True):
            services.password_link_enqueue(user=user, by=request.user)
        self.message_user(request, _("Links sent."), messages.SUCCESS)

    @admin.action(description=_("Make penvoerder of their organisation"))
    def make_penvoerder(self, request, queryset):
        for user in queryset.filter(role=User.Role.CONTRIBUTOR).select_related("organisation"):
            services.penvoerder_handover(
                organisation=user.organisation, new_penvoerder=user, by=request.user
            )
        self.message_user(request, _("Penvoerder role handed over."), messages.SUCCESS)

    @admin.action(description=_("Deactivate"))
    def deactivate(self, request, queryset):
        with transaction.atomic():
            for user in queryset.exclude(role=User.Role.PENVOERDER):
                services.account_deactivate(user=user, by=request.user)
        if queryset.filter(role=User.Role.PENVOERDER, is_active=True).exists():
            self.message_user(
                request,
                _("Penvoerders were left active: hand their role over first."),
                messages.WARNING,
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_email", "action", "object_repr", "result", "ip_address"]
    list_filter = ["action", "result"]
    search_fields = ["actor_email", "object_repr"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["position", "key", "title", "title_en"]
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "status", "opens_on", "deadline"]
    list_editable = ["status"]
    inlines = [SectionInline]
    actions = ["clone_into_next_year"]

    @admin.action(description=_("Clone into next year (as a draft)"))
    def clone_into_next_year(self, request, queryset):
        for edition in queryset:
            year = edition.year + 1
            if Edition.objects.filter(year=year).exists():
                self.message_user(
                    request, _("Edition %(year)s exists already.") % {"year": year}, messages.ERROR
                )
                continue
            edition_clone(source=edition, year=year)
            self.message_user(
                request, _("Edition %(year)s made.") % {"year": year}, messages.SUCCESS
            )


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["position", "key", "label", "label_en", "points"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(ImportExportModelAdmin):
    resource_classes = [QuestionResource]
    list_display = ["key", "edition", "section", "type", "weight", "level", "required"]
    list_filter = ["edition", "type", "level", "section__key"]
    search_fields = ["key", "text"]
    list_select_related = ["edition", "section"]
    inlines = [OptionInline]


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    """Status only: the answers are the municipality's and are not shown here."""

    list_display = ["organisation", "edition", "status", "extended_until", "submitted_at"]
    list_filter = ["edition", "status"]
    list_select_related = ["organisation", "edition"]
    fields = ["organisation", "edition", "status", "extended_until", "submitted_at", "submitted_by"]
    readonly_fields = ["organisation", "edition", "status", "submitted_at", "submitted_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
