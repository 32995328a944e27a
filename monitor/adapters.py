"""allauth, shaped to CIMoLT: no public sign-up, and messages in the formal Dutch of a
government service (allauth's own Dutch says "je")."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account has been deactivated. Contact the service desk."),
        "email_password_mismatch": _(
            "The email address or password is not correct. Check both and try again."
        ),
        "too_many_login_attempts": _(
            "Too many failed login attempts. Wait a few minutes before you try again, "
            "or ask for a login code by email."
        ),
        "incorrect_code": _("This code is not correct."),
        "invalid_or_expired_key": _(
            "This link has expired or has already been used. Ask the service desk for a new one."
        ),
        "rate_limited": _("You are sending too many requests. Wait a moment and try again."),
    }

    def is_open_for_signup(self, request) -> bool:
        # Accounts are issued by the service desk (DESIGN.md); nobody signs up.
        return False


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "This code is not correct. Type the code your authenticator app shows now."
        ),
    }
