"""Pages that belong to no single app: each role's home page, the statements and the health
check. The home page composes from the apps; it holds no business rule of its own."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from masterclasses import selectors as masterclass_selectors
from monitor import access, selectors
from monitor.access import Capability
from monitor.models import User

Role = User.Role


def home(request):
    user = request.user
    if user.role in (Role.PENVOERDER, Role.CONTRIBUTOR):
        organisation = access.own_organisation(user, Capability.TEAM)
        return render(
            request,
            "home/municipality.html",
            {
                "organisation": organisation,
                "members": selectors.organisation_team(organisation),
                "submits": access.can(user, Capability.SUBMIT, organisation),
                "scans": selectors.organisation_scans(organisation),
                # Seed 002 asks every penvoerder to attend at least masterclass 1.
                "masterclass_reminder": masterclass_selectors.first_masterclass_reminder(
                    organisation, user.email
                )
                if user.role == Role.PENVOERDER
                else None,
            },
        )
    if user.role == Role.PROVINCE:
        province = access.province_for_user(user)
        return render(
            request,
            "home/province.html",
            {"province": province, "regions": selectors.province_regions(province)},
        )
    if user.role in (Role.SERVICE_DESK, Role.ORGANISER):
        participants = selectors.participants_overview(
            access.organisations_for_user(user, Capability.CONTACT)
        )
        return render(
            request,
            "home/staff.html",
            {
                "participants": participants,
                "links_to_team": access.holds_for_all_participants(user, Capability.TEAM),
                "links_to_accounts": access.holds_for_all_participants(user, Capability.ACCOUNTS),
                "sees_status": access.holds_for_all_participants(user, Capability.STATUS),
            },
        )
    access.require_role(user, Role.ADMIN)
    return render(request, "home/admin.html")


@login_not_required
@require_GET
def accessibility_statement(request):
    return render(request, "pages/accessibility.html")


@login_not_required
@require_GET
def privacy_statement(request):
    return render(request, "pages/privacy.html")


@require_GET
def ping(request):
    """The lightest page a logged-in user can ask for: every middleware, no template. The load
    test's baseline (scripts/loadtest): what the framework costs before any page of ours."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
