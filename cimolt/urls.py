from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

# The admin's own login has no rate limit or second factor; send it through allauth's.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "CIMoLT"
admin.site.site_title = "CIMoLT"

urlpatterns = [
    path("", views.home, name="home"),
    path("scan/", include("monitor.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Visitors who are not logged in choose their language too (the login page has the switch).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("toegankelijkheid/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_statement, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
]
