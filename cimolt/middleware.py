import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _


class SessionIdleMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request. Saving the session on every
    request would keep that exact, at the price of a database write per page, autosave and
    chart (on SQLite every write waits for the one before): the session is saved again only
    when it was last saved more than SESSION_REFRESH_SECONDS ago, so it ends between that
    much and nothing before the idle timeout."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def mark_saved(cls, sender, request, **kwargs):
        request.session[cls.KEY] = int(time.time())

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and not session.modified:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


class PrivatePagesMiddleware:
    """Pages of a logged-in user hold an organisation's data: no shared or browser cache may
    keep them (a municipality's PC is often shared)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
            patch_vary_headers(response, ["Cookie"])
        return response


class StaffTwoFactorMiddleware:
    """Staff roles see many municipalities, so they must use an authenticator app: until they
    have set one up, every page leads to its set-up page."""

    ALLOWED_PREFIXES = (
        "/accounts/",
        "/i18n/",
        "/static/",
        "/healthz",
        "/toegankelijkheid/",
        "/privacy/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.STAFF_REQUIRE_TWO_FACTOR
            and user.is_authenticated
            and user.is_staff_role
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not is_mfa_enabled(user, ["totp"])
        ):
            if not request.session.get("two_factor_explained"):
                request.session["two_factor_explained"] = True
                messages.info(
                    request,
                    _("Your role requires two-factor authentication. Set up an authenticator app."),
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the visitor chose English with the language switch.

    Django's own middleware would follow the browser's Accept-Language, and many civil servants
    work in an English-language browser; CIMoLT is a Dutch service first."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not set: a Content-Security-Policy that
    allows scripts and styles from our own origin only (no inline script anywhere), and a
    Permissions-Policy that switches off what the service never uses. A response that sets
    its own policy (an SVG chart) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
