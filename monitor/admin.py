"""The programme admin. Every form, action and list in it answers a bad value with a form error
or a message, never a 500 (tests/cimolt/test_admin.py sends every field hostile values):
``GuardedAdminMixin`` range-checks whole numbers before they reach the database, reads JSON
only as a database can keep it, looks up only what can be a key, and redraws a refused form
whose organisation is not an option. Writes that have rules of their own (issuing an account,
handing over the penvoerder role, deactivating, registering) go through the services, whose
refusals the admin shows."""

import copy
import math
from datetime import UTC

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.forms.fields import InvalidJSONInput
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from .dimensions import TAG_DIMENSIONS
from .models import AuditEvent, Edition, Option, Organisation, Question, Scan, Section, User
from .resources import OrganisationResource, QuestionResource
from .services import accounts
from .services.questionnaires import edition_clone

# The ranges of PostgreSQL's integer columns: SQLite would take (or overflow on) larger
# numbers, so both check against these and a value refused on one is refused on the other.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


# --- Fields that refuse instead of failing --------------------------------------------------


def _storable(value) -> bool:
    """Whether a database keeps this JSON value as it is: PostgreSQL refuses a NUL character
    and neither JSON nor PostgreSQL has NaN or infinity."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    return True


class JSONFormField(forms.JSONField):
    """Django's JSON field, refusing what Python reads but a database cannot keep (and a
    number of more digits than Python converts, which Django lets through as a ValueError),
    and giving an empty input the model field's own empty value instead of a NULL its column
    may not hold."""

    def __init__(self, *args, empty_value=None, **kwargs):
        self.empty_value = empty_value
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if not self.disabled and value in self.empty_values:
            return copy.deepcopy(self.empty_value)
        try:
            converted = super().to_python(value)
        except ValueError:
            converted = float("nan")  # not storable: refused below
        if not _storable(converted):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return converted

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:
            return InvalidJSONInput(data)


class JSONListField(JSONFormField):
    """A JSON list whose every item passes ``item``; ``message`` says what is expected."""

    def __init__(self, *args, item, message, **kwargs):
        self.item, self.message = item, message
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if not isinstance(value, list) or not all(self.item(entry) for entry in value):
            raise ValidationError(self.message, code="invalid")


def _is_key(model, value) -> bool:
    """Whether ``value`` can be looked up as a key of ``model``: of the key's type, and for a
    number, within the range of the database's integer (SQLite raises OverflowError instead
    of finding nothing)."""
    key = model._meta.pk
    try:
        key.to_python(value)
    except ValidationError:
        return False
    if not isinstance(key, models.IntegerField):
        return True
    low, high = INTEGER_RANGES[key.get_internal_type()]
    return low <= int(value) <= high


class KeysModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field for many related rows, refusing a value that is not a key before it
    looks the keys up together."""

    def _check_values(self, value):
        for key in value if isinstance(value, list | tuple) else ():
            if not _is_key(self.queryset.model, key):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": key},
                )
        return super()._check_values(value)


class MomentField(forms.SplitDateTimeField):
    """Django's date and time field, refusing a moment that is not on the calendar in UTC
    (the first hour of the year 1 in the Netherlands): the database keeps moments in UTC, and
    SQLite fails converting it while PostgreSQL keeps a moment Python cannot read back."""

    def compress(self, data_list):
        moment = super().compress(data_list)
        if moment is not None:
            try:
                moment.astimezone(UTC)
            except OverflowError:
                raise ValidationError(
                    self.error_messages["invalid_date"], code="invalid_date"
                ) from None
        return moment


class ChoiceAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, which also redraws a refused form whose value is not a
    key of the related model at all (it would look the text up as a number and fail)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if self._is_option(v)], attr)

    def _is_option(self, value) -> bool:
        try:
            self.choices.field.to_python(value)
        except ValidationError:
            return False
        return True


class GuardedAdminMixin:
    """For every model admin and inline: the form fields above, whole numbers within the range
    of their column on every database, and actions and the list's editable columns that look
    up only what can be a key. ``json_lists`` names the JSON fields that hold a list, with a
    check of each item and the message when one fails it."""

    json_lists: dict[str, tuple] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", JSONFormField)
            if db_field.name in self.json_lists:
                kwargs["form_class"] = JSONListField
                kwargs["item"], kwargs["message"] = self.json_lists[db_field.name]
            if issubclass(kwargs["form_class"], JSONFormField):
                kwargs.setdefault("empty_value", None if db_field.null else db_field.get_default())
        elif isinstance(db_field, models.IntegerField) and not db_field.choices:
            low, high = INTEGER_RANGES.get(db_field.get_internal_type(), (None, None))
            kwargs.setdefault("min_value", low)
            kwargs.setdefault("max_value", high)
        elif isinstance(db_field, models.DateTimeField):
            kwargs.setdefault("form_class", MomentField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ChoiceAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeysModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def response_action(self, request, queryset):
        # Django looks the ticked rows up as they come, and fails on one that is not a key.
        ticked = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if all(_is_key(self.model, key) for key in ticked):
            return super().response_action(request, queryset)
        self.message_user(
            request,
            _(
                "Items must be selected in order to perform actions on them. No items have "
                "been changed."
            ),
            messages.WARNING,
        )
        return None

    def _get_list_editable_queryset(self, request, prefix):
        # Django narrows the list's editable rows to the keys sent back, checking only their
        # type: a number beyond SQLite's integer fails the query. Such a key gets the whole
        # list instead, as Django itself gives a key of the wrong type.
        sent = self._get_edited_object_pks(request, prefix)
        if all(_is_key(self.model, key) for key in sent):
            return super()._get_list_editable_queryset(request, prefix)
        return self.get_queryset(request)


class ConstrainedInlineFormSet(BaseInlineFormSet):
    """Django's inline rows, which also check each row's constraints that include the parent
    (a section's key within its edition): Django leaves the parent out of a row's own checks
    and compares the rows with each other only, so a row clashing with one already saved, as
    when the count of existing rows is tampered with, failed on save."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.errors or not form.has_changed() or self._should_delete_form(form):
                continue
            unchecked = {
                field.name
                for field in form.instance._meta.fields
                if field.name != self.fk.name and field.name not in form.fields
            }
            try:
                form.instance.validate_constraints(exclude=unchecked)
            except ValidationError as clash:
                form.add_error(None, clash)


class GuardedTabularInline(GuardedAdminMixin, admin.TabularInline):
    formset = ConstrainedInlineFormSet


def _guard(model) -> None:
    """Give the admin of a model another package registered the same guard."""
    model_admin = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (GuardedAdminMixin, model_admin), {}))


# The accounts' models of Django and allauth: groups, email addresses, authenticator apps.
for model in (Group, EmailAddress, Authenticator):
    _guard(model)


# --- Made through a service -----------------------------------------------------------------


class ServiceAddForm(forms.ModelForm):
    """An add form whose object the app's service makes, as it does on every other way in:
    once the form's own checks pass, ``create`` asks the service, and its refusal shows at the
    field it concerns (or above the form) instead of failing on save. ``by`` is the admin."""

    by: User | None = None
    created = None

    def create(self, data: dict):
        raise NotImplementedError

    def _post_clean(self):
        # After the model's own validation (as Django's UserCreationForm checks passwords).
        super()._post_clean()
        if self.errors:
            return
        try:
            self.created = self.create(self.cleaned_data)
        except ValidationError as refusal:
            for field, errors in getattr(refusal, "error_dict", {None: refusal}).items():
                self.add_error(field if field in self.fields else None, errors)


class ServiceAddAdminMixin:
    """The admin side of ``ServiceAddForm``: the add form is ``add_form``, and what it made is
    the object the admin then shows; changes are saved as usual."""

    add_form: type[ServiceAddForm]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        form = super().get_form(request, obj, form=self.add_form, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_form(self, request, form, change):
        return super().save_form(request, form, change) if change else form.created

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)


# --- Organisations and accounts -------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(GuardedAdminMixin, ImportExportModelAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "cbs_code", "kind", "province", "region"]
    list_filter = ["kind", "province", "region"]
    search_fields = ["name", "cbs_code"]


class UserAddForm(ServiceAddForm):
    def create(self, data: dict) -> User:
        return accounts.account_issue(
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            organisation=data.get("organisation"),
            by=self.by,
        )


@admin.register(User)
class UserAdmin(GuardedAdminMixin, ServiceAddAdminMixin, admin.ModelAdmin):
    add_form = UserAddForm
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

    def get_fields(self, request, obj=None):
        # A new account is active until the action below switches it off.
        return self.fields if obj is not None else ["email", "full_name", "role", "organisation"]

    def get_readonly_fields(self, request, obj=None):
        # Role and activation change through the actions below, which keep the audit trail
        # and the one-penvoerder rule; on a new account they are chosen once.
        if obj is None:
            return []
        return [*self.readonly_fields, "role", "organisation", "is_active"]

    @admin.action(description=_("Send a link to set the password"))
    def send_password_link(self, request, queryset):
        for user in queryset.filter(is_active=True):
            accounts.password_link_enqueue(user=user, by=request.user)
        self.message_user(request, _("Links sent."), messages.SUCCESS)

    @admin.action(description=_("Make penvoerder of their organisation"))
    def make_penvoerder(self, request, queryset):
        for user in queryset.filter(role=User.Role.CONTRIBUTOR).select_related("organisation"):
            if self._done_by_service(
                request,
                user,
                accounts.penvoerder_handover,
                organisation=user.organisation,
                new_penvoerder=user,
            ):
                self.message_user(
                    request,
                    _(
                        "%(name)s is now the penvoerder of %(organisation)s. The scan and its "
                        "history stay."
                    )
                    % {"name": user, "organisation": user.organisation.name},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Deactivate"))
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            if self._done_by_service(request, user, accounts.account_deactivate, user=user):
                self.message_user(
                    request,
                    _("The account of %(name)s is deactivated.") % {"name": user},
                    messages.SUCCESS,
                )

    def _done_by_service(self, request, who: User, service, **arguments) -> bool:
        """Call the service for ``who``; its refusal is shown as an error, naming them."""
        try:
            service(by=request.user, **arguments)
        except ValidationError as refusal:
            self.message_user(request, f"{who}: {' '.join(refusal.messages)}", messages.ERROR)
            return False
        return True


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


# --- Editions and questionnaires ------------------------------------------------------------


class SectionInline(GuardedTabularInline):
    model = Section
    fields = ["position", "key", "title", "title_en"]
    extra = 0


@admin.register(Edition)
class EditionAdmin(GuardedAdminMixin, admin.ModelAdmin):
    json_lists = {
        "reminder_days": (
            lambda day: type(day) is int and 1 <= day <= 90,
            _("Enter a list of whole numbers of days from 1 to 90, e.g. [14, 3]."),
        )
    }
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


class OptionInline(GuardedTabularInline):
    model = Option
    fields = ["position", "key", "label", "label_en", "points"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(GuardedAdminMixin, ImportExportModelAdmin):
    resource_classes = [QuestionResource]
    list_display = ["key", "edition", "section", "type", "weight", "level", "required"]
    list_filter = ["edition", "type", "level", "section__key"]
    search_fields = ["key", "text"]
    list_select_related = ["edition", "section"]
    inlines = [OptionInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            # Ticked from the known tags, so the model's check of them only ever sees a list.
            return forms.MultipleChoiceField(
                label=capfirst(db_field.verbose_name),
                required=False,
                choices=[choice for tags in TAG_DIMENSIONS.values() for choice in tags.choices],
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Scan)
class ScanAdmin(GuardedAdminMixin, admin.ModelAdmin):
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
