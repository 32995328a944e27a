"""Looking writes nothing: a GET of any page, by any role, leaves the row count of every table
as it was. The access module only reads (a scan of the open edition that nobody has started is
not created by opening its pages); rows are made where someone does something, with a POST.

Every URL pattern is walked (tests/cimolt/test_isolation.py's walker, which fails for a
pattern it cannot fill), as each role, for municipality A whose penvoerder has not started the
open edition's scan, and again once A's scan holds answers, evidence and a registration.
"""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client

from monitor.models import AuditEvent, Scan, User
from tests.cimolt import test_isolation as isolation
from tests.factories import questionnaire_build

pytestmark = pytest.mark.django_db

Role = User.Role


TABLES = sorted(
    {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    }
)
# The one table where looking leaves a trace on purpose: an export of a person's data (an
# attendee list, one attendee's data) is recorded in the audit trail. Any other audit entry
# made by a GET fails the test.
AUDITED_READS = {AuditEvent.Action.ATTENDEE_EXPORTED}


def row_counts() -> dict[str, int]:
    """The number of rows of every table of the project, in one query."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in TABLES)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return dict(zip(TABLES, cursor.fetchone(), strict=True))


def audited_reads_after(last: int | None) -> int:
    """How many of the audit entries after the one numbered ``last`` record an export."""
    return AuditEvent.objects.filter(pk__gt=last or 0, action__in=AUDITED_READS).count()


def visitors(request) -> list[tuple[str, User | None]]:
    fixtures = [
        "alice",
        "bob",
        "charlie",
        "servicedesk",
        "organiser",
        "province_user",
        "programme_admin",
    ]
    return [(name, request.getfixturevalue(name)) for name in fixtures] + [("anonymous", None)]


def get_every_page(label: str, user: User | None, alice: User) -> list[str]:
    """GET every page as ``user``; the pages after which some table has more or fewer rows."""
    cache.clear()
    client = Client()
    if user is not None:
        client.force_login(user)
        client.get("/")  # the first page after logging in may still tidy the session
    writers = []
    for page in isolation.all_pages():
        url = isolation.url_for(page, alice)
        before = row_counts()
        last_audit = AuditEvent.objects.order_by("pk").values_list("pk", flat=True).last()
        try:
            client.get(url)
        except Exception as error:  # the test client re-raises what a view raised
            writers.append(f"{label}: GET {url} ({page}) raises {type(error).__name__}")
            continue
        after = row_counts()
        changed = {t: (before[t], after[t]) for t in TABLES if before[t] != after[t]}
        audit = AuditEvent._meta.db_table
        if audit in changed and after[audit] - before[audit] == audited_reads_after(last_audit):
            del changed[audit]
        if changed:
            writers.append(f"{label}: GET {url} ({page}) changes {changed}")
        if user is not None and not client.session.get("_auth_user_id"):
            client.force_login(user)  # a page that logged the visitor out (none should)
    return writers


def test_opening_every_page_of_a_scan_nobody_started_creates_nothing(request, monkeypatch):
    edition = questionnaire_build(2026)
    alice = request.getfixturevalue("alice")
    request.getfixturevalue("charlie")
    # The sample values of the isolation test name A's scan, which does not exist here.
    monkeypatch.setitem(isolation.SAMPLE_VALUES, "year", lambda alice: edition.year)
    monkeypatch.setitem(isolation.SAMPLE_VALUES, "evidence_id", lambda alice: 999999)
    monkeypatch.setitem(isolation.SAMPLE_VALUES, "masterclass_id", lambda alice: 999999)
    monkeypatch.setitem(isolation.SAMPLE_VALUES, "session_id", lambda alice: 999999)
    monkeypatch.setitem(isolation.SAMPLE_VALUES, "registration_id", lambda alice: 999999)
    writers = []
    for label, user in visitors(request):
        writers += get_every_page(label, user, alice)
    assert not Scan.objects.exists()
    assert not writers, "\n".join(writers)


def test_the_scan_pages_of_a_scan_nobody_started_answer_for_its_penvoerder(client, alice):
    questionnaire_build(2026)
    client.force_login(alice)
    for path in ("", "section/beleid/", "review/", "history/"):
        response = client.get(f"/scan/gm0197/2026/{path}")
        assert response.status_code == 200, path
    assert client.get("/benchmark/gm0197/2026/").status_code == 200  # "no results yet"
    assert not Scan.objects.exists()


@pytest.mark.usefixtures("bob", "scan_of_a")
def test_opening_every_page_with_a_scan_full_of_data_changes_no_table(request):
    alice = request.getfixturevalue("alice")
    writers = []
    for label, user in visitors(request):
        writers += get_every_page(label, user, alice)
    assert not writers, "\n".join(writers)


# The isolation test's municipality A, with A's scan, answers, evidence and registration.
municipality_a = isolation.municipality_a
alice = isolation.alice
bob = isolation.bob
scan_of_a = isolation.scan_of_a
