"""The security audit trail: who did what to which account, when, and whether it worked.

Login events arrive through Django's and allauth's signals, so every login path (password,
emailed code, admin) is recorded without the views knowing. Account and role changes are
recorded by the services that make them.
"""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.signals import login_code_rejected, password_changed, password_reset
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditEvent, User

Action = AuditEvent.Action


def audit_record(
    *,
    action: str,
    actor: User | None,
    target: models.Model | None = None,
    result: str = AuditEvent.Result.SUCCESS,
    detail: str = "",
    request: HttpRequest | None = None,
    actor_email: str = "",
) -> AuditEvent:
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=(actor.email if actor else actor_email)[:254],
        action=action,
        object_type=target._meta.model_name if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        result=result,
        detail=detail[:300],
        ip_address=_client_ip(request),
    )


def _client_ip(request: HttpRequest | None) -> str | None:
    # The same address allauth's rate limits use: REMOTE_ADDR, or X-Forwarded-For past the
    # TRUSTED_PROXY_COUNT proxies we run, so a client cannot write any address it likes.
    if request is None:
        return None
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address at all, e.g. a request made up by a test or a script
        return None


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, actor=user, target=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=Action.LOGOUT, actor=user, target=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; keep only the login name.
    attempted = str(credentials.get("email") or credentials.get("username") or "")
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=None,
        actor_email=attempted.lower(),
        result=AuditEvent.Result.FAILURE,
        request=request,
    )


@receiver(login_code_rejected)
def _on_login_code_rejected(sender, request, user, **kwargs):
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=None,
        actor_email=user.email if user else "",
        target=user,
        result=AuditEvent.Result.FAILURE,
        detail="emailed code rejected",
        request=request,
    )


@receiver(authentication_failed)
def _on_second_factor_failed(sender, request, user, **kwargs):
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=None,
        actor_email=user.email,
        target=user,
        result=AuditEvent.Result.FAILURE,
        detail="two-factor code rejected",
        request=request,
    )


@receiver(password_changed)
def _on_password_changed(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_CHANGED, actor=user, target=user, request=request)


@receiver(password_reset)
def _on_password_reset(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_RESET, actor=user, target=user, request=request)


@receiver(authenticator_added)
def _on_authenticator_added(sender, request, user, authenticator, **kwargs):
    audit_record(
        action=Action.TWO_FACTOR_ENABLED,
        actor=user,
        target=user,
        detail=authenticator.type,
        request=request,
    )


@receiver(authenticator_removed)
def _on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    audit_record(
        action=Action.TWO_FACTOR_DISABLED,
        actor=user,
        target=user,
        detail=authenticator.type,
        request=request,
    )
