"""The one door to a municipality's data.

Every view that shows or changes something of an organisation asks this module first. It turns
``(user, organisation code)`` into the organisation, or raises Http404 — the same 404 for "not
yours" as for "does not exist", so a stranger cannot even learn which codes are in use.

What each role may do comes from DESIGN.md:

- penvoerder and contributor: everything of their own organisation, nothing of another;
- service desk: who takes part and how far they are, never the answers;
- organiser: masterclass registrations and attendance, never the answers;
- province: aggregates of its province only, never one municipality;
- programme admin: everything.
"""

from enum import StrEnum
from functools import cache

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from common import db

from .models import Edition, Organisation, Scan, Section, User

Role = User.Role


class Capability(StrEnum):
    TEAM = "team"  # the organisation's page and who works on its scan
    MANAGE_TEAM = "manage_team"  # invite and withdraw colleagues
    ANSWERS = "answers"  # read and write the scan's answers and results
    SUBMIT = "submit"  # submit the scan
    STATUS = "status"  # started, how complete, submitted — no answers
    CONTACT = "contact"  # that the organisation takes part, and its penvoerder's contact
    REOPEN = "reopen"  # open a submitted scan again
    REGISTRATIONS = "registrations"  # masterclass attendees of the organisation
    ACCOUNTS = "accounts"  # issue, hand over and deactivate the organisation's logins
    DEADLINES = "deadlines"  # deadlines, extensions, reminders and announcements


# What a member may do within their own organisation.
MEMBER_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.PENVOERDER: frozenset(Capability)
    - {Capability.REOPEN, Capability.ACCOUNTS, Capability.DEADLINES},
    Role.CONTRIBUTOR: frozenset(
        {
            Capability.TEAM,
            Capability.ANSWERS,
            Capability.STATUS,
            Capability.REGISTRATIONS,
            Capability.CONTACT,
        }
    ),
}

# What a cross-organisation role may do for every participating organisation.
STAFF_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.SERVICE_DESK: frozenset(
        {
            Capability.TEAM,
            Capability.STATUS,
            Capability.CONTACT,
            Capability.REOPEN,
            Capability.ACCOUNTS,
            Capability.DEADLINES,
        }
    ),
    Role.ORGANISER: frozenset({Capability.REGISTRATIONS, Capability.CONTACT}),
    Role.ADMIN: frozenset(Capability),
}


def can(user: User, capability: Capability, organisation: Organisation) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if user.role in MEMBER_CAPABILITIES:
        return (
            user.organisation_id == organisation.pk and capability in MEMBER_CAPABILITIES[user.role]
        )
    return (
        organisation.kind == Organisation.Kind.MUNICIPALITY
        and capability in STAFF_CAPABILITIES.get(user.role, frozenset())
    )


def holds_for_all_participants(user: User, capability: Capability) -> bool:
    """Whether a cross-organisation role holds ``capability`` for every participant, e.g. to
    decide once whether a list links to each municipality's page."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or capability in STAFF_CAPABILITIES.get(user.role, frozenset())


def organisations_for_user(user: User, capability: Capability) -> QuerySet[Organisation]:
    """The organisations whose ``capability`` the user holds, for list pages."""
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    if not (user.is_authenticated and user.is_active):
        return municipalities.none()
    if user.is_superuser:
        return Organisation.objects.all()
    if user.role in MEMBER_CAPABILITIES:
        if capability not in MEMBER_CAPABILITIES[user.role]:
            return municipalities.none()
        return Organisation.objects.filter(pk=user.organisation_id)
    if capability in STAFF_CAPABILITIES.get(user.role, frozenset()):
        return municipalities
    return municipalities.none()


def organisation_for_user(user: User, code: str, capability: Capability) -> Organisation:
    """The organisation with this CBS code, if the user holds ``capability`` for it; else 404."""
    try:
        organisation = Organisation.objects.get(cbs_code=code.upper())
    except Organisation.DoesNotExist:
        raise Http404 from None
    if not can(user, capability, organisation):
        raise Http404
    return organisation


def organisation_object_for_user(user: User, queryset: QuerySet, capability: Capability, **lookup):
    """The object of ``queryset`` matching ``lookup`` that belongs to an organisation (its
    ``organisation`` field) whose ``capability`` the user holds; else 404, the same for "not
    yours" and "does not exist". An object of no organisation (a guest of the closing meeting)
    is reached only by a role that holds ``capability`` for every participant."""
    obj = queryset.select_related("organisation").filter(**lookup).first()
    if obj is None:
        raise Http404
    organisation = obj.organisation
    if organisation is None:
        allowed = holds_for_all_participants(user, capability)
    else:
        allowed = can(user, capability, organisation)
    if not allowed:
        raise Http404
    return obj


def require_all_participants(user: User, capability: Capability) -> None:
    """For pages that show ``capability`` of every participant at once (a session's attendee
    list): a 404 for anyone who does not hold it for all of them."""
    if not holds_for_all_participants(user, capability):
        raise Http404


def scan_for_user(
    user: User, code: str, year: int, capability: Capability, *, lock: bool = False
) -> Scan:
    """The scan of an organisation's edition (not a draft), if the user holds ``capability``
    for the organisation; else 404. This only reads: a scan of the open edition that nobody
    has started is handed out unsaved (``scan.is_started`` is false) to whoever may answer it,
    and the first write creates it (monitor/services/scans.py).

    With ``lock``, for a request that is about to change the scan, its row is locked by the
    same query until the request's transaction ends (``scan.is_locked``), so that the service
    need not read it again to lock it."""
    scan = _scan_read(code, year, lock=lock)
    if scan is not None:
        scan.is_locked = lock
        if not can(user, capability, scan.organisation):
            raise Http404
        return scan
    organisation = organisation_for_user(user, code, capability)
    edition = Edition.objects.open().filter(year=year).first()
    if edition is None or capability != Capability.ANSWERS:
        raise Http404
    return Scan(organisation=organisation, edition=edition)


def _scan_read(code: str, year: int, *, lock: bool) -> Scan | None:
    """The scan of the organisation with this CBS code and the edition of this year (not a
    draft), with both, in one query; its row locked when asked. Every page of the scan and
    every autosave passes here, so the query is written out (common/db.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _scan_sql(connection.vendor, lock=lock), [code.upper(), year, Edition.Status.DRAFT]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    scan, organisation, edition = db.instances(row, [Scan, Organisation, Edition])
    scan.organisation, scan.edition = organisation, edition
    return scan


@cache
def _scan_sql(vendor: str, *, lock: bool) -> str:
    sql = (
        f"SELECT {db.columns(Scan, 's')}, {db.columns(Organisation, 'o')}, "  # noqa: S608  # nosec B608 (names from the models; values as parameters)
        f"{db.columns(Edition, 'e')} FROM {db.table(Scan)} s "
        f"JOIN {db.table(Organisation)} o ON o.id = s.organisation_id "
        f"JOIN {db.table(Edition)} e ON e.id = s.edition_id "
        "WHERE o.cbs_code = %s AND e.year = %s AND e.status <> %s"
    )
    if lock and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF s"
    return sql


class ScanNotSubmitted(Http404):
    """The scan exists but has not been submitted: it has no results yet. A 404 to every view
    but the results page, which says so."""

    def __init__(self, scan: Scan):
        super().__init__()
        self.scan = scan


def submitted_scan_for_user(user: User, code: str, year: int) -> Scan:
    """The one guard of every results page and download: a submitted scan of an edition that
    is not a draft, of an organisation whose answers the user may see; else 404 (raised as
    ScanNotSubmitted when the scan is there but not submitted)."""
    scan = scan_for_user(user, code, year, Capability.ANSWERS)
    if not scan.is_submitted:
        raise ScanNotSubmitted(scan)
    return scan


def own_organisation(user: User, capability: Capability) -> Organisation:
    """The organisation a penvoerder or contributor works for; 404 for everyone else."""
    if user.role not in MEMBER_CAPABILITIES or user.organisation is None:
        raise Http404
    if not can(user, capability, user.organisation):
        raise Http404
    return user.organisation


def can_answer_section(user: User, section: Section) -> bool:
    """Within a scan the user may read: whether they may change this section's answers. The
    penvoerder answers everything, a contributor the sections handed to them."""
    if user.is_superuser or user.role == Role.PENVOERDER:
        return True
    return user.role == Role.CONTRIBUTOR and section.key in assigned_section_keys(user)


def assigned_section_keys(user: User) -> frozenset[str]:
    # Kept on the user object, so a page with many sections asks the database once.
    if not hasattr(user, "_assigned_section_keys"):
        user._assigned_section_keys = frozenset(user.sections.values_list("section_key", flat=True))
    return user._assigned_section_keys


def province_for_user(user: User) -> str:
    """The province whose aggregates a province user may see; only that role has one."""
    if user.is_authenticated and user.role == Role.PROVINCE and user.organisation is not None:
        return user.organisation.province
    raise Http404


def has_role(user: User, *roles: str) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in roles)


def require_role(user: User, *roles: str) -> None:
    """For pages that belong to a role rather than to an organisation (a 403, not a 404)."""
    if not has_role(user, *roles):
        raise PermissionDenied
