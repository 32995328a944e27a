"""Writes to organisations and accounts. Views, the admin, commands and tasks all come here."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.outbox import enqueue

from ..audit import audit_record
from ..models import AuditEvent, Organisation, User

Action = AuditEvent.Action


def password_link_url(*, user: User) -> str:
    """A one-time link to set a password: it stops working once used or after
    PASSWORD_RESET_TIMEOUT, because the token covers the password hash and the last login."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def password_link_send(*, user: User, by: User | None = None) -> None:
    """Email the one-time link with which a newly issued account sets its password."""
    context = {
        "user": user,
        "organisation": user.organisation,
        "link": password_link_url(user=user),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
        "issuer": by,
    }
    # The mail goes out in Dutch, whatever language the issuer's page was in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("monitor/email/account_issued_subject.txt", context).strip()
        body = render_to_string("monitor/email/account_issued_message.txt", context)
    send_mail(subject, body, None, [user.email])
    audit_record(action=Action.PASSWORD_LINK_SENT, actor=by, target=user)


def password_link_enqueue(*, user: User, by: User | None) -> None:
    """Send the link from a worker, with retries, once the current transaction has committed."""
    enqueue("monitor.tasks.password_link_send", user.pk, by.pk if by is not None else None)


@transaction.atomic
def account_issue(
    *,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation | None = None,
    by: User | None = None,
) -> User:
    """Create an account without a password; its owner sets one through the emailed link.

    A new penvoerder of an organisation that already has one takes over through
    ``penvoerder_handover``, so no data is ever tied to the person who leaves. Raises
    ValidationError, with a message per field, for a taken address or a role that does not
    fit the organisation."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name,
        role=User.Role.CONTRIBUTOR if role == User.Role.PENVOERDER else role,
        organisation=organisation,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(action=Action.ACCOUNT_ISSUED, actor=by, target=user, detail=f"role={role}")
    if role == User.Role.PENVOERDER:
        penvoerder_handover(organisation=organisation, new_penvoerder=user, by=by)
        user.refresh_from_db()
    password_link_enqueue(user=user, by=by)
    return user


@transaction.atomic
def penvoerder_handover(
    *, organisation: Organisation, new_penvoerder: User, by: User | None
) -> None:
    """Make ``new_penvoerder`` the organisation's penvoerder. The one before stays on as a
    contributor (the service desk may deactivate them); the scan and its history belong to the
    organisation, so nothing is lost. Raises ValidationError for a deactivated account or one
    of another organisation, whoever asks: the service desk, the admin or a new login."""
    # Lock the organisation so that two handovers, or a handover and a deactivation, take
    # turns; then judge the person as they are now, not as the caller last read them.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    person = User.objects.get(pk=new_penvoerder.pk)
    if person.organisation_id != organisation.pk:
        raise ValidationError(
            _("Only someone of the organisation itself can become its penvoerder."),
            code="other_organisation",
        )
    if not person.is_active:
        raise ValidationError(_("A deactivated account cannot become penvoerder."), code="inactive")
    previous = User.objects.filter(organisation=organisation, role=User.Role.PENVOERDER).first()
    if previous == person:
        return
    if previous is not None:
        role_change(user=previous, role=User.Role.CONTRIBUTOR, organisation=organisation, by=by)
    role_change(user=person, role=User.Role.PENVOERDER, organisation=organisation, by=by)


def role_change(
    *, user: User, role: str, organisation: Organisation | None, by: User | None
) -> None:
    before = f"{user.role}@{user.organisation.cbs_code if user.organisation else '-'}"
    user.role = role
    user.organisation = organisation
    user.is_staff = user.is_superuser = role == User.Role.ADMIN
    user.save(update_fields=["role", "organisation", "is_staff", "is_superuser"])
    after = f"{role}@{organisation.cbs_code if organisation else '-'}"
    audit_record(action=Action.ROLE_CHANGED, actor=by, target=user, detail=f"{before} -> {after}")


@transaction.atomic
def account_deactivate(*, user: User, by: User | None) -> None:
    """Switch an account off. A penvoerder must be handed over first, so the organisation is
    never left without one by accident: ValidationError otherwise."""
    if user.organisation_id is not None:
        # Takes turns with a handover to this person (see penvoerder_handover).
        Organisation.objects.select_for_update().get(pk=user.organisation_id)
    if User.objects.filter(pk=user.pk, role=User.Role.PENVOERDER).exists():
        raise ValidationError(
            _("Make someone else penvoerder first: a municipality always has a penvoerder."),
            code="penvoerder",
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(action=Action.ACCOUNT_DEACTIVATED, actor=by, target=user)
