from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitor.models import User

Role = User.Role

# The main navigation of each role: (label, url name). The names in ORGANISATION_PAGES take
# the organisation's code and get the user's own. Pages of later issues add their entries.
MUNICIPALITY_NAVIGATION = [
    (_("Overview"), "home"),
    (_("Team"), "monitor:team"),
    (_("Masterclasses"), "masterclasses:organisation"),
]
NAVIGATION = {
    Role.PENVOERDER: MUNICIPALITY_NAVIGATION,
    Role.CONTRIBUTOR: MUNICIPALITY_NAVIGATION,
    Role.SERVICE_DESK: [
        (_("Participants"), "home"),
        (_("Status"), "servicedesk:index"),
        (_("Announcements"), "servicedesk:announcement"),
    ],
    Role.ORGANISER: [(_("Participants"), "home"), (_("Masterclasses"), "masterclasses:programme")],
    Role.PROVINCE: [(_("Province"), "home"), (_("Statistics"), "province:index")],
    Role.ADMIN: [(_("Overview"), "home"), (_("Programme admin"), "admin:index")],
}

ORGANISATION_PAGES = {"monitor:team", "masterclasses:organisation"}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "service_desk_email": settings.SERVICE_DESK_EMAIL}
    items = NAVIGATION.get(user.role, [])
    current = request.path
    entries = []
    own_code = {"code": user.organisation.url_code} if user.organisation_id else {}
    for label, name in items:
        url = reverse(name, kwargs=own_code if name in ORGANISATION_PAGES else None)
        entries.append({"label": label, "url": url, "current": False})
    # The entry whose address is the longest start of the page's is the current one.
    matches = [
        e
        for e in entries
        if current == e["url"] or (e["url"] != "/" and current.startswith(e["url"]))
    ]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["current"] = True
    return {"navigation": entries, "service_desk_email": settings.SERVICE_DESK_EMAIL}
