from django.shortcuts import render

from . import access, selectors
from .access import Capability


def team(request, code):
    organisation = access.organisation_for_user(request.user, code, Capability.TEAM)
    return render(
        request,
        "monitor/team.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_team(organisation),
        },
    )
