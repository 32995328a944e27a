from allauth.account import urls as account_urls
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import include, path
from django.views.i18n import set_language

from . import views

# The admin's own login has no rate limit or second factor, and its password form leaves no
# audit trail: both go through allauth's pages instead.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.password_change = lambda request, extra_context=None: redirect("account_change_password")
admin.site.site_header = "CIMoLT"
admin.site.site_title = "CIMoLT"

# The service desk issues every address, so nobody adds, changes or confirms one themselves:
# allauth's pages for that are left out.
CLOSED_ACCOUNT_PAGES = {"account_email", "account_confirm_email", "account_email_verification_sent"}
account_pages = [
    pattern
    for pattern in account_urls.urlpatterns
    if getattr(pattern, "name", None) not in CLOSED_ACCOUNT_PAGES
]

urlpatterns = [
    path("", views.home, name="home"),
    path("scan/", include("monitor.urls")),
    path("benchmark/", include("benchmark.urls")),
    path("masterclasses/", include("masterclasses.urls")),
    path("servicedesk/", include("servicedesk.urls")),
    path("province/", include("benchmark.province_urls")),
    path("accounts/", include(account_pages)),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("admin/", admin.site.urls),
    # Visitors who are not logged in choose their language too (the login page has the switch).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("toegankelijkheid/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_statement, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
]
