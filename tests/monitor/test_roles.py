"""Roles and accounts: the database's rules, handing over the penvoerder role, issuing logins."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from monitor.models import AuditEvent, User
from monitor.services import accounts
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = User.Role


def test_a_second_penvoerder_for_the_same_organisation_is_refused_by_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            email="second@aalten.test", role=Role.PENVOERDER, organisation=alice.organisation
        )


def test_turning_a_contributor_into_a_second_penvoerder_is_refused_by_the_database(alice, bob):
    bob.role = Role.PENVOERDER
    with pytest.raises(IntegrityError), transaction.atomic():
        bob.save()


def test_penvoerders_of_different_organisations_may_coexist(alice, charlie):
    assert User.objects.filter(role=Role.PENVOERDER).count() == 2


def test_a_municipality_role_without_organisation_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="loose@example.test", role=Role.CONTRIBUTOR, organisation=None)


def test_a_service_desk_account_bound_to_a_municipality_is_refused_by_the_database(municipality_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            email="sd@example.test", role=Role.SERVICE_DESK, organisation=municipality_a
        )


def test_handover_makes_the_new_person_penvoerder_and_keeps_the_old_one_as_contributor(
    alice, bob, servicedesk
):
    accounts.penvoerder_handover(
        organisation=alice.organisation, new_penvoerder=bob, by=servicedesk
    )
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert bob.role == Role.PENVOERDER
    assert alice.role == Role.CONTRIBUTOR
    assert alice.organisation == bob.organisation
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).order_by("id")
    assert [e.detail for e in changes] == [
        "penvoerder@GM0197 -> contributor@GM0197",
        "contributor@GM0197 -> penvoerder@GM0197",
    ]
    assert {e.actor for e in changes} == {servicedesk}


def test_handover_to_someone_of_another_municipality_is_refused(alice, charlie):
    with pytest.raises(ValidationError) as refused:
        accounts.penvoerder_handover(
            organisation=alice.organisation, new_penvoerder=charlie, by=None
        )
    assert refused.value.code == "other_organisation"
    charlie.refresh_from_db()
    assert charlie.organisation != alice.organisation
    assert charlie.role == Role.PENVOERDER


def test_a_penvoerder_cannot_be_deactivated_before_the_role_is_handed_over(alice):
    with pytest.raises(ValidationError) as refused:
        accounts.account_deactivate(user=alice, by=None)
    assert refused.value.code == "penvoerder"
    alice.refresh_from_db()
    assert alice.is_active


def test_deactivating_a_contributor_is_audited(bob, servicedesk):
    accounts.account_deactivate(user=bob, by=servicedesk)
    bob.refresh_from_db()
    assert not bob.is_active
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCOUNT_DEACTIVATED, object_id=str(bob.pk)
    ).exists()


def issue_new_penvoerder(organisation, by):
    return accounts.account_issue(
        email="Nieuwe.Penvoerder@Aalten.test",
        full_name="Nina Nieuw",
        role=Role.PENVOERDER,
        organisation=organisation,
        by=by,
    )


def link_from(mail) -> str:
    return re.search(r"https?://\S+", mail.body).group(0)


def test_issuing_a_penvoerder_login_hands_the_role_over_and_emails_a_password_link(
    alice, servicedesk, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = issue_new_penvoerder(alice.organisation, servicedesk)
    assert user.email == "nieuwe.penvoerder@aalten.test"
    assert user.role == Role.PENVOERDER
    assert not user.has_usable_password()
    alice.refresh_from_db()
    assert alice.role == Role.CONTRIBUTOR
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.ACCOUNT_ISSUED, actor=servicedesk
        ).count()
        == 1
    )
    (mail,) = mailoutbox
    assert mail.to == ["nieuwe.penvoerder@aalten.test"]
    assert mail.subject == "Uw CIMoLT-account: stel uw wachtwoord in"
    assert "penvoerder van Aalten" in mail.body
    assert "/accounts/password/reset/key/" in link_from(mail)


def set_password_through(client, link, password):
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    return client.post(form_url, {"password1": password, "password2": password}, follow=True)


def test_the_password_link_works_once(
    client, alice, servicedesk, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = issue_new_penvoerder(alice.organisation, servicedesk)
    link = link_from(mailoutbox[0])
    set_password_through(client, link, "Een-nieuw-wachtwoord-2026")
    user.refresh_from_db()
    assert user.check_password("Een-nieuw-wachtwoord-2026")
    client.logout()
    second = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    assert "Deze link is verlopen of al gebruikt." in second.content.decode()


def test_the_password_link_expires(
    client, alice, servicedesk, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = issue_new_penvoerder(alice.organisation, servicedesk)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is older than that
    response = set_password_through(client, link_from(mailoutbox[0]), "Een-nieuw-wachtwoord-2026")
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert "Deze link is verlopen of al gebruikt." in response.content.decode()


def test_issuing_an_account_with_a_taken_email_changes_nothing(alice, servicedesk, mailoutbox):
    with pytest.raises(ValidationError) as refused:
        accounts.account_issue(
            email="alice@aalten.test",
            full_name="Dubbel",
            role=Role.CONTRIBUTOR,
            organisation=OrganisationFactory(),
        )
    assert "email" in refused.value.message_dict
    assert User.objects.filter(email="alice@aalten.test").count() == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_ISSUED).exists()
    assert mailoutbox == []


def test_a_new_organisation_gets_its_first_penvoerder_without_a_handover(servicedesk, db):
    organisation = OrganisationFactory()
    user = accounts.account_issue(
        email="first@example.test",
        full_name="Eerste",
        role=Role.PENVOERDER,
        organisation=organisation,
        by=servicedesk,
    )
    assert user.role == Role.PENVOERDER
    assert UserFactory._meta.model.objects.filter(organisation=organisation).count() == 1


def test_admin_user_form_refuses_a_second_penvoerder_with_a_message(client, programme_admin, alice):
    client.force_login(programme_admin)
    response = client.post(
        reverse("admin:monitor_user_add"),
        {
            "email": "tweede@aalten.test",
            "full_name": "Tweede",
            "role": "penvoerder",
            "organisation": alice.organisation.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Deze organisatie heeft al een penvoerder." in response.content.decode()
    assert User.objects.filter(role=Role.PENVOERDER, organisation=alice.organisation).get() == alice


def test_a_province_account_must_belong_to_a_province(municipality_a, servicedesk):
    with pytest.raises(ValidationError) as refused:
        accounts.account_issue(
            email="p@example.test", full_name="P", role=Role.PROVINCE, organisation=municipality_a
        )
    assert "organisation" in refused.value.message_dict


def test_a_penvoerder_must_belong_to_a_municipality(province_user, servicedesk):
    with pytest.raises(ValidationError):
        accounts.account_issue(
            email="x@example.test",
            full_name="X",
            role=Role.PENVOERDER,
            organisation=province_user.organisation,
        )


def test_sending_a_password_link_is_in_the_audit_trail(
    alice, servicedesk, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = issue_new_penvoerder(alice.organisation, servicedesk)
    sent = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_LINK_SENT)
    assert (sent.actor, sent.object_id) == (servicedesk, str(user.pk))
    assert link_from(mailoutbox[0]).split("/")[-2] not in str(sent.__dict__)


def test_an_issued_staff_member_sets_a_password_logs_in_and_sets_up_two_factor(
    client, servicedesk, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.account_issue(
            email="nieuw@organisatie.test", full_name="Nieuw", role=Role.ORGANISER, by=servicedesk
        )
    set_password_through(client, link_from(mailoutbox[0]), "Een-nieuw-wachtwoord-2026")
    client.logout()
    client.post(
        reverse("account_login"),
        {"login": "nieuw@organisatie.test", "password": "Een-nieuw-wachtwoord-2026"},
    )
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    client.post(
        response.redirect_chain[-1][0], {"password": "Een-nieuw-wachtwoord-2026"}, follow=True
    )
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Stel uw authenticator-app in" in page.content.decode()


def test_the_admin_cannot_delete_accounts(client, programme_admin, bob):
    client.force_login(programme_admin)
    response = client.get(reverse("admin:monitor_user_delete", args=[bob.pk]))
    assert response.status_code == 403


def refusal_of(service, language: str, **arguments) -> ValidationError:
    with translation.override(language), pytest.raises(ValidationError) as refused:
        service(**arguments)
    return refused.value


def test_handover_to_a_deactivated_account_is_refused_in_dutch_and_english(alice, bob):
    accounts.account_deactivate(user=bob, by=None)
    handover = {"organisation": alice.organisation, "new_penvoerder": bob, "by": None}
    dutch = refusal_of(accounts.penvoerder_handover, "nl", **handover)
    assert dutch.messages == ["Een gedeactiveerd account kan geen penvoerder worden."]
    english = refusal_of(accounts.penvoerder_handover, "en", **handover)
    assert (english.code, english.messages) == (
        "inactive",
        ["A deactivated account cannot become penvoerder."],
    )
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.role, bob.role) == (Role.PENVOERDER, Role.CONTRIBUTOR)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_handover_judges_the_person_as_the_database_has_them_not_as_the_caller_read_them(
    alice, bob
):
    stale = User.objects.get(pk=bob.pk)
    accounts.account_deactivate(user=bob, by=None)
    with pytest.raises(ValidationError):
        accounts.penvoerder_handover(organisation=alice.organisation, new_penvoerder=stale, by=None)
    assert User.objects.get(role=Role.PENVOERDER, organisation=alice.organisation) == alice


def test_handover_to_someone_of_another_organisation_is_refused_in_english(alice, charlie):
    refused = refusal_of(
        accounts.penvoerder_handover,
        "en",
        organisation=alice.organisation,
        new_penvoerder=charlie,
        by=None,
    )
    assert refused.messages == [
        "Only someone of the organisation itself can become its penvoerder."
    ]


def test_handover_to_a_staff_account_is_refused(alice, servicedesk):
    with pytest.raises(ValidationError):
        accounts.penvoerder_handover(
            organisation=alice.organisation, new_penvoerder=servicedesk, by=None
        )
    servicedesk.refresh_from_db()
    assert (servicedesk.role, servicedesk.organisation) == (Role.SERVICE_DESK, None)


def test_deactivating_the_penvoerder_is_refused_in_dutch_and_english(alice):
    dutch = refusal_of(accounts.account_deactivate, "nl", user=alice, by=None)
    assert dutch.messages[0].startswith("Maak eerst iemand anders penvoerder")
    english = refusal_of(accounts.account_deactivate, "en", user=alice, by=None)
    assert english.messages == [
        "Make someone else penvoerder first: a municipality always has a penvoerder."
    ]
    alice.refresh_from_db()
    assert alice.is_active
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DEACTIVATED).exists()


def test_deactivating_someone_the_database_has_as_penvoerder_is_refused(alice, bob):
    stale = User.objects.get(pk=bob.pk)  # read while Bob was a contributor
    accounts.penvoerder_handover(organisation=bob.organisation, new_penvoerder=bob, by=None)
    with pytest.raises(ValidationError):
        accounts.account_deactivate(user=stale, by=None)
    bob.refresh_from_db()
    assert (bob.role, bob.is_active) == (Role.PENVOERDER, True)
