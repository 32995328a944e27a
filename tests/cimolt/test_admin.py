"""The admin answers a bad value with a form error, never a 500.

The tests walk every add and change form of every model registered with the admin (a model
registered later is covered without anyone adding it here), open the form as the programme
administrator, and send it back with one field at a time replaced by a hostile value: a value
that is not an option, text where a number belongs, a number too large for any integer column,
JSON of the wrong shape, 100,000 characters, impossible dates. Every answer must be the form
again with its error, or a redirect after saving. Each request runs in a savepoint that is
rolled back, so one accepted value does not change the form the next one is tried on.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.forms.formsets import ManagementForm
from django.urls import reverse

from masterclasses.models import Registration
from masterclasses.services import registration_create
from monitor.models import AuditEvent, Edition, Question, Scan, User
from monitor.services import accounts
from tests.factories import attendee

pytestmark = pytest.mark.django_db

# Sent into every input.
HOSTILE = ["", "not-an-option", "-1", "9223372036854775808", "\x00", "x" * 100_000]
# Sent also into the inputs of numbers, of keys of other rows, and of JSON.
HOSTILE_NUMBERS = ["0", "3.5", "2147483648", "-9223372036854775809", "9" * 5000, "1e400", "NaN"]
HOSTILE_JSON = [
    "null",
    "42",
    "true",
    '"text"',
    "[1, 2]",
    '["unknown-tag"]',
    '{"key": "value"}',
    "[[], {}]",
    '["\\u0000"]',
    "[",
]
HOSTILE_DATES = ["2026-02-30", "0000-00-00", "0001-01-01", "9999-12-31", "25:61"]
# An inline's rows have the same fields: the first row (prefix-0-…) stands for them all.
LATER_ROW = re.compile(r"^\w+-[1-9][0-9]*-")
# Date and time go in two inputs (name_0, name_1); these pairs are tried together, at the ends
# of the calendar where converting to UTC leaves the range of a datetime.
HOSTILE_MOMENTS = [("0001-01-01", "00:00:00"), ("9999-12-31", "23:59:59")]


@dataclass
class AdminForm:
    """The inputs of an admin page's form as a browser would send them, and their options."""

    values: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, page: str, form_id: str = "") -> "AdminForm":
        """The change form of ``page``, or the form of id ``form_id``."""
        parser = _FormParser(form_id)
        parser.feed(page)
        return parser.form

    def data(self, **replaced) -> dict[str, list[str]]:
        return {**self.values, "_save": ["Save"], **replaced}


class _FormParser(HTMLParser):
    """Reads the admin's change form (``<form id="…_form">``, not the logout form), or the
    form of the id given."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.form = AdminForm()
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            found = attrs.get("id") or ""
            self.inside = found == self.form_id if self.form_id else found.endswith("_form")
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        name = attrs.get("name")
        if tag == "input":
            self._input(name, attrs)
        elif tag == "select":
            self.select = name
            self.form.values.setdefault(name, [])
            self.form.options[name] = []
        elif tag == "option" and self.select:
            self.form.options[self.select].append(attrs.get("value", ""))
            if "selected" in attrs:
                self.form.values[self.select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.form.values[name] = [""]

    def _input(self, name, attrs):
        kind = attrs.get("type", "text")
        if kind in ("submit", "button", "image", "file", "reset"):
            return
        self.form.values.setdefault(name, [])
        if kind not in ("checkbox", "radio"):
            self.form.values[name].append(attrs.get("value") or "")
        elif "checked" in attrs:
            self.form.values[name].append(attrs.get("value", "on"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            # A browser sends the first option of a single select when none is selected.
            if not self.form.values[self.select] and self.form.options[self.select]:
                self.form.values[self.select] = self.form.options[self.select][:1]
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.form.values[self.textarea][0] += data


@pytest.fixture
def world(edition, sessions, alice, bob, charlie, programme_admin):
    """One object of every model the admin shows, so each has a change form to try."""
    Group.objects.create(name="Redactie")
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=True)
    registration_create(
        session=sessions[1], organisation=alice.organisation, by=alice, **attendee(1)
    )
    Scan.objects.create(organisation=alice.organisation, edition=edition)
    previous = Edition.objects.get(year=2025)
    return {"edition": edition, "previous": previous, "sessions": sessions, "alice": alice}


def add_data(model, world) -> dict[str, str | list[str]]:
    """A valid add form per model (on top of what the empty form holds), so that the one
    hostile value is the form's only fault and a value that passes reaches the save."""
    edition, alice = world["edition"], world["alice"]
    section = edition.sections.first()
    by_label = {
        "auth.group": {"name": "Nieuwe groep"},
        "account.emailaddress": {"user": alice.pk, "email": "tweede@aalten.test"},
        "mfa.authenticator": {"user": alice.pk, "type": "recovery_codes", "data": "{}"},
        "monitor.organisation": {
            "cbs_code": "GM9990",
            "name": "Nieuwegein aan de Rijn",
            "kind": "municipality",
            "province": "Gelderland",
        },
        "monitor.user": {
            "email": "nieuw@aalten.test",
            "full_name": "Nina Nieuw",
            "role": "contributor",
            "organisation": alice.organisation.pk,
            "is_active": "on",
        },
        "monitor.edition": {"year": 2031, "title": "CI Monitor 2031", "status": "draft"},
        "monitor.question": {
            "edition": edition.pk,
            "section": section.pk,
            "key": "nieuwe_vraag",
            "type": "text",
            "text": "Een nieuwe vraag?",
            "weight": 1,
            "level": "strategisch",
            "tags": ["gww"],
            "required": "on",
        },
        "masterclasses.masterclass": {
            "edition": world["previous"].pk,
            "number": 1,
            "title": "Nog een masterclass",
            "audience": "Inkopers",
            "topics": "[]",
            "topics_en": "[]",
            "dagdelen": 1,
        },
        "masterclasses.registration": {
            "session": world["sessions"][2].pk,
            "organisation": alice.organisation.pk,
            "name": "Collega Twee",
            "email": "collega2@gemeente.test",
            "function": "Beleidsadviseur",
            "chatham_house": "on",
        },
    }
    return {
        name: value if isinstance(value, list) else str(value)
        for name, value in by_label.get(model._meta.label_lower, {}).items()
    }


def fields_by_input(context) -> dict[str, forms.Field]:
    """The form field behind each input of the page: of the form, its inlines (or the list's
    editable columns) and their management forms; a date and time in two inputs have the
    same field."""
    every = [context["adminform"].form] if "adminform" in context else []
    formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
    if "cl" in context and context["cl"].formset is not None:
        formsets.append(context["cl"].formset)  # the list's editable columns
    for formset in formsets:
        every += [*formset.forms, formset.empty_form, formset.management_form]
    fields = {}
    for form in every:
        for bound in form:
            field = ManagementFormCount() if isinstance(form, ManagementForm) else bound.field
            for name, behind in ((bound.html_name, field), (bound.html_initial_name, Initial())):
                fields.update({name: behind, f"{name}_0": behind, f"{name}_1": behind})
    return fields


class ManagementFormCount(forms.IntegerField):
    """Stands for the fields of an inline's management form in ``fields_by_input``."""


class Initial(forms.Field):
    """Stands for the hidden copy of a field's initial value (``initial-…``), which Django
    reads only to tell whether the field changed."""


def hostile_values(field: forms.Field | None) -> list[str]:
    """The values of HOSTILE, and those of the field's kind; an input whose field is not
    known gets them all. An inline's count of rows and a hidden initial value are Django's to
    check: a few will do."""
    if isinstance(field, ManagementFormCount):
        return [*HOSTILE, "0"]
    if isinstance(field, Initial):
        return [*HOSTILE, *HOSTILE_JSON[:2]]
    kinds = {
        (
            forms.IntegerField,
            forms.DecimalField,
            forms.FloatField,
            forms.ModelChoiceField,
            forms.TypedChoiceField,
        ): HOSTILE_NUMBERS,
        (forms.JSONField,): HOSTILE_NUMBERS + HOSTILE_JSON,
        (forms.DateField, forms.DateTimeField, forms.TimeField, forms.SplitDateTimeField): (
            HOSTILE_DATES
        ),
        (forms.BooleanField, forms.NullBooleanField): ["false", "unknown"],
    }
    values = list(HOSTILE)
    for classes, extra in kinds.items():
        if field is None or isinstance(field, classes):
            values += [value for value in extra if value not in values]
    return values


def cases(form: AdminForm, fields: dict[str, forms.Field]):
    """(description, replaced inputs) for each input and each of its hostile values."""
    for name in form.values:
        if "__prefix__" in name or LATER_ROW.match(name) or name == "csrfmiddlewaretoken":
            continue
        for value in hostile_values(fields.get(name)):
            yield f"{name}={value[:30]!r}", {name: [value]}
        if name.endswith("_0") and name[:-2] + "_1" in form.values:
            for day, moment in HOSTILE_MOMENTS:
                yield f"{name[:-2]}={day} {moment}", {name: [day], name[:-2] + "_1": [moment]}


def refusal(response) -> str | None:
    """Why ``response`` is not an acceptable answer to a form, or None if it is."""
    if response.status_code == 302:
        return None
    if response.status_code != 200:
        return f"status {response.status_code}"
    if not response.context or not response.context.get("errors"):
        return "200 without a form error"
    return None


def walk(client, url: str, extra: dict) -> tuple[int, list[str]]:
    """Send the form at ``url`` with each hostile value; the number of requests and what went
    wrong."""
    page = client.get(url)
    assert page.status_code == 200, url
    form = AdminForm.of(page.content.decode())
    assert form.values, f"no form found at {url}"
    for name, value in extra.items():
        form.values[name] = value if isinstance(value, list) else [value]
    sent, failures = 0, []
    for description, replaced in cases(form, fields_by_input(page.context)):
        sent += 1
        try:
            with transaction.atomic():
                response = client.post(url, form.data(**replaced))
                transaction.set_rollback(True)
        except Exception as error:  # every crash is a finding, reported below
            failures.append(f"{description}: {type(error).__name__}: {str(error)[:200]}")
            continue
        problem = refusal(response)
        if problem:
            failures.append(f"{description}: {problem}")
    return sent, failures


REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    "model", [model for model, _model_admin in REGISTERED], ids=lambda m: m._meta.label_lower
)
def test_no_admin_add_or_change_form_answers_a_hostile_value_with_a_500(
    client, world, programme_admin, rf, model
):
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = programme_admin
    client.force_login(programme_admin)
    info = (model._meta.app_label, model._meta.model_name)
    forms, sent, failures = 0, 0, []
    if model_admin.has_add_permission(request):
        n, found = walk(client, reverse("admin:{}_{}_add".format(*info)), add_data(model, world))
        forms, sent, failures = forms + 1, sent + n, failures + [f"add {f}" for f in found]
    instance = model_admin.get_queryset(request).order_by("pk").first()
    if instance is not None and model_admin.has_change_permission(request, instance):
        url = reverse("admin:{}_{}_change".format(*info), args=[instance.pk])
        n, found = walk(client, url, {})
        forms, sent, failures = forms + 1, sent + n, failures + [f"change {f}" for f in found]
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures)
    print(f"{model._meta.label}: {forms} forms, {sent} requests")


def test_every_model_the_admin_can_change_has_a_form_walked(world, programme_admin, rf):
    """The walk above needs an object of each model; a new model without one is not skipped."""
    request = rf.get("/admin/")
    request.user = programme_admin
    for model, model_admin in REGISTERED:
        if model_admin.has_change_permission(request):
            assert model_admin.get_queryset(request).exists(), model._meta.label
    assert Registration.objects.exists()


HOSTILE_KEYS = ["abc", "-1", "9223372036854775808", "9" * 5000, "\x00", ""]


def sent(client, url: str, data: dict) -> str | None:
    """Post ``data`` to ``url`` in a savepoint rolled back after; what went wrong, if anything."""
    try:
        with transaction.atomic():
            response = client.post(url, data)
            transaction.set_rollback(True)
    except Exception as error:  # every crash is a finding, reported by the caller
        return f"{type(error).__name__}: {str(error)[:200]}"
    # 400: Django's answer to a list whose count of rows was tampered with.
    return None if response.status_code in (200, 302, 400) else f"status {response.status_code}"


@pytest.mark.parametrize(
    "model", [model for model, _model_admin in REGISTERED], ids=lambda m: m._meta.label_lower
)
def test_no_admin_list_answers_a_hostile_action_or_column_value_with_a_500(
    client, world, programme_admin, rf, model
):
    """Each action of the list, on a real row and on keys that are none, an action that does
    not exist, and hostile values in the list's editable columns."""
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = programme_admin
    client.force_login(programme_admin)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    page = client.get(url)
    assert page.status_code == 200
    first = model_admin.get_queryset(request).order_by("pk").first()
    keys = HOSTILE_KEYS + ([str(first.pk)] if first is not None else [])
    failures = []
    for action in [*model_admin.get_actions(request), "not-an-action"]:
        for key in keys:
            found = sent(client, url, {"action": action, "_selected_action": [key], "index": "0"})
            failures += [f"{action} on {key[:30]!r}: {found}"] if found else []
    if model_admin.list_editable:
        form = AdminForm.of(page.content.decode(), form_id="changelist-form")
        for description, replaced in cases(form, fields_by_input(page.context)):
            found = sent(client, url, form.data(**replaced))
            failures += [f"{description}: {found}"] if found else []
    assert not failures, "\n".join(failures)


# --- The cases the walk was written for, and the services behind the admin -------------------


def users_action(client, action: str, *users):
    """Run an action of the user list on ``users``; the page it leads back to, in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(
        reverse("admin:monitor_user_changelist"),
        {"action": action, "_selected_action": [user.pk for user in users], "index": 0},
        follow=True,
    )


def shown(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_the_admin_cannot_make_a_deactivated_contributor_penvoerder(
    client, programme_admin, alice, bob
):
    accounts.account_deactivate(user=bob, by=None)
    client.force_login(programme_admin)
    response = users_action(client, "make_penvoerder", bob)
    assert response.status_code == 200
    assert shown(response) == [
        ("error", "Bob Aalten: A deactivated account cannot become penvoerder.")
    ]
    assert User.objects.get(pk=bob.pk).role == User.Role.CONTRIBUTOR
    assert User.objects.get(pk=alice.pk).role == User.Role.PENVOERDER


def test_the_admin_hands_the_penvoerder_role_over_through_the_service(
    client, programme_admin, alice, bob
):
    client.force_login(programme_admin)
    response = users_action(client, "make_penvoerder", bob)
    assert shown(response) == [
        (
            "success",
            "Bob Aalten is now the penvoerder of Aalten. The scan and its history stay.",
        )
    ]
    assert User.objects.get(pk=bob.pk).role == User.Role.PENVOERDER
    assert User.objects.get(pk=alice.pk).role == User.Role.CONTRIBUTOR
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED)
    assert {event.actor for event in changes} == {programme_admin}


def test_the_admin_deactivates_a_contributor_and_shows_why_not_the_penvoerder(
    client, programme_admin, alice, bob
):
    client.force_login(programme_admin)
    response = users_action(client, "deactivate", alice, bob)
    assert sorted(shown(response)) == [
        (
            "error",
            "Alice Aalten: Make someone else penvoerder first: a municipality always has a "
            "penvoerder.",
        ),
        ("success", "The account of Bob Aalten is deactivated."),
    ]
    assert User.objects.get(pk=alice.pk).is_active
    assert not User.objects.get(pk=bob.pk).is_active


def test_a_new_account_from_the_admin_is_issued_by_the_service(
    client, programme_admin, alice, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:monitor_user_add"),
            {
                "email": "Nina@Aalten.test",
                "full_name": "Nina Nieuw",
                "role": "contributor",
                "organisation": alice.organisation.pk,
            },
        )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@aalten.test")
    assert (nina.role, nina.organisation, nina.has_usable_password()) == (
        User.Role.CONTRIBUTOR,
        alice.organisation,
        False,
    )
    assert AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_ISSUED).actor == programme_admin
    assert [mail.to for mail in mailoutbox] == [["nina@aalten.test"]]


@pytest.mark.parametrize("organisation", ["abc", "9223372036854775808", "-1", "999999"])
def test_an_organisation_that_is_not_an_option_is_refused_at_its_field(
    client, programme_admin, organisation
):
    client.force_login(programme_admin)
    response = client.post(
        reverse("admin:monitor_user_add"),
        {"email": "x@aalten.test", "role": "contributor", "organisation": organisation},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["organisation"]
    assert not User.objects.filter(email="x@aalten.test").exists()


def question_add(client, world, tags: list[str]):
    url = reverse("admin:monitor_question_add")
    form = AdminForm.of(client.get(url).content.decode())
    return client.post(url, form.data(**{**form.values, **add_data(Question, world), "tags": tags}))


@pytest.mark.parametrize("tags", ["42", "null", '"gww"', '["gww"]', '{"gww": 1}', "onbekend"])
def test_tags_that_are_not_known_tags_are_refused_at_their_field(
    client, programme_admin, world, tags
):
    client.force_login(programme_admin)
    response = question_add(client, world, [tags])
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tags"]
    assert not Question.objects.filter(key="nieuwe_vraag").exists()


def test_known_tags_are_saved_as_a_list(client, programme_admin, world):
    client.force_login(programme_admin)
    assert question_add(client, world, ["gww", "energie"]).status_code == 302
    assert Question.objects.get(key="nieuwe_vraag").tags == ["gww", "energie"]


@pytest.mark.parametrize("days", ['["14"]', "[0]", "[91]", "[true]", "14", '{"14": 3}', "[1.5]"])
def test_reminder_days_are_a_list_of_days_from_1_to_90(client, programme_admin, edition, days):
    client.force_login(programme_admin)
    url = reverse("admin:monitor_edition_change", args=[edition.pk])
    form = AdminForm.of(client.get(url).content.decode())
    response = client.post(url, form.data(reminder_days=[days]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reminder_days"]
    assert client.post(url, form.data(reminder_days=["[14, 3]"])).status_code == 302
    edition.refresh_from_db()
    assert edition.reminder_days == [14, 3]


def test_a_section_row_clashing_with_a_saved_one_is_refused_at_its_row(
    client, programme_admin, edition
):
    """The count of existing rows sent back as 0 makes both sections look new: Django leaves
    the edition out of a row's checks, so they would have failed on save."""
    client.force_login(programme_admin)
    url = reverse("admin:monitor_edition_change", args=[edition.pk])
    form = AdminForm.of(client.get(url).content.decode())
    response = client.post(url, form.data(**{"sections-INITIAL_FORMS": ["0"]}))
    assert response.status_code == 200
    assert response.context["errors"]
    assert sorted(edition.sections.values_list("key", flat=True)) == ["beleid", "volume"]


def question_import(client, **row) -> tuple[int, bool]:
    """Import one row changing the 2026 question ``toelichting``: the status of the first step,
    and whether it offered to confirm."""
    row = {
        "edition": "2026",
        "section": "beleid",
        "key": "toelichting",
        "position": "0",
        "type": "text",
        "text": "Nieuwe tekst",
        "weight": "1",
        "level": "strategisch",
        "tags": "[]",
        "required": "1",
        **row,
    }
    text = io.StringIO()
    csv.writer(text).writerows([row.keys(), row.values()])
    upload = io.BytesIO(text.getvalue().encode())
    upload.name = "vragen.csv"
    response = client.post(
        reverse("admin:monitor_question_import"),
        {"format": "0", "import_file": upload, "resource": "0"},
    )
    return response.status_code, bool(response.context and response.context.get("confirm_form"))


@pytest.mark.parametrize(
    "row",
    [
        {"tags": "42"},
        {"tags": '"gww"'},
        {"tags": '["onbekend"]'},
        {"tags": '{"gww": 1}'},
        {"tags": "9" * 5000},
        {"type": "nonsense"},
        {"level": "x"},
        {"weight": "9223372036854775808"},
        {"weight": "-1"},
    ],
    ids=lambda row: "-".join(f"{k}={v[:12]}" for k, v in row.items()),
)
def test_a_question_import_refuses_what_the_form_would_refuse(
    client, programme_admin, edition, row
):
    client.force_login(programme_admin)
    question = edition.questions.get(key="toelichting")
    assert question_import(client, **row) == (200, False)
    assert Question.objects.get(pk=question.pk).text == question.text


def test_a_question_import_changes_the_tags_of_a_question(client, programme_admin, edition):
    client.force_login(programme_admin)
    assert question_import(client, tags='["gww", "energie"]') == (200, True)
