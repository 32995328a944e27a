"""Security headers on every kind of page, and requests that fail half-way writing nothing."""

import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.urls import reverse

from monitor.models import Answer, Scan, ScanChange, SectionAssignment, User

pytestmark = pytest.mark.django_db


def csp_of(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/privacy/", "/healthz", "/masterclasses/slotbijeenkomst/"]
)
def test_public_pages_send_the_security_headers(client, url, edition):
    response = client.get(url)
    policy = csp_of(response)
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_private_pages_send_them_too_and_are_never_cached(client, alice, scan_a):
    client.force_login(alice)
    response = client.get(reverse("monitor:scan_overview", args=["gm0197", 2026]))
    assert csp_of(response)["script-src"] == "'self'"
    assert "no-store" in response["Cache-Control"]


INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "an event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "a style element": re.compile(r"<style\b", re.I),
}


def inline_code(html: str) -> list[str]:
    """What the Content-Security-Policy (script-src and style-src 'self') would block."""
    html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", html, flags=re.S)  # template tags
    return [what for what, pattern in INLINE.items() if pattern.search(html)]


def test_no_template_has_inline_script_or_style():
    """Every page is made from these templates: none may hold what the policy blocks."""
    root = settings.BASE_DIR
    templates = {
        path.relative_to(folder).as_posix(): path
        for folder in (root / "templates", *root.glob("*/templates"))
        for path in folder.rglob("*.html")
    }
    assert len(templates) > 50
    # These two are only ever turned into PDFs (WeasyPrint), never served as pages.
    pdf_only = {"benchmark/report.html", "benchmark/province/statistics_pdf.html"}
    found = {
        name: inline_code(p.read_text()) for name, p in templates.items() if name not in pdf_only
    }
    assert {path: what for path, what in found.items() if what} == {}
    assert inline_code('<p style="color: red">') == ["a style attribute"]  # the check sees it
    assert inline_code('<button onclick="go()">') == ["an event handler attribute"]
    assert inline_code("<script>go()</script>") == ["an inline script"]
    assert inline_code('<script src="/static/js/autosave.js" defer></script>') == []


def test_no_page_has_an_inline_script(client, alice, scan_a):
    """The pages as served (templates and what the views add): nothing the policy blocks."""
    client.force_login(alice)
    for url in (
        "/",
        reverse("monitor:scan_section", args=["gm0197", 2026, "beleid"]),
        reverse("masterclasses:programme"),
    ):
        assert inline_code(client.get(url).content.decode()) == [], url


def test_production_settings_turn_on_https_only(tmp_path):
    import subprocess
    import sys

    from tests.test_celery_worker import ROOT

    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "cimolt.example.nl",
        "DATABASE_URL": "sqlite:///:memory:",
        "PATH": "/usr/bin:/bin",
    }
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.DEBUG)"
    )
    result = subprocess.run(  # noqa: S603  (our own fixed command line)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "cimolt.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "False"]


# --- A request that fails half-way writes nothing ---------------------------------------


@contextmanager
def database_refuses(table: str, *, when: str = "1 = 1", on: str = "INSERT"):
    """Make the database itself refuse a write to ``table`` (a trigger, for as long as the
    block lasts): a real failure half-way through a request, as a full disk or a lost
    connection would be. ``when`` is a condition on the row, as NEW.column."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'the database refuses this write'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_write BEFORE {on} ON {table} FOR EACH ROW "
                f"WHEN ({when}) EXECUTE FUNCTION refuse_write()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_write BEFORE {on} ON {table} FOR EACH ROW "
                f"WHEN ({when}) BEGIN SELECT RAISE(ABORT, 'the database refuses this write'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER refuse_write ON {table}")
                cursor.execute("DROP FUNCTION refuse_write()")
            else:
                cursor.execute("DROP TRIGGER refuse_write")


def test_a_submit_that_fails_half_way_leaves_the_scan_as_it_was(client, alice, scan_a):
    from tests.monitor.test_scan_submit import answer_everything

    client.force_login(alice)
    answer_everything(client)
    before = ScanChange.objects.count()
    # The last write of a submit (its line in the trail) fails, after the points and the
    # status have been written.
    with database_refuses(ScanChange._meta.db_table), pytest.raises(DatabaseError):
        client.post(reverse("monitor:scan_review", args=["gm0197", 2026]))
    scan = Scan.objects.get(pk=scan_a.pk)
    assert scan.status == Scan.Status.OPEN
    assert scan.submitted_at is None
    assert not Answer.objects.filter(scan=scan, points__isnull=False).exists()
    assert ScanChange.objects.count() == before


def test_an_invitation_that_fails_half_way_leaves_no_account(client, alice, edition):
    client.force_login(alice)
    with database_refuses(SectionAssignment._meta.db_table), pytest.raises(DatabaseError):
        client.post(
            reverse("monitor:contributor_invite", args=["gm0197"]),
            {"full_name": "Cor Collega", "email": "cor@aalten.test", "sections": ["beleid"]},
        )
    assert not User.objects.filter(email="cor@aalten.test").exists()


def test_a_handover_that_fails_half_way_keeps_the_old_penvoerder(client, servicedesk, alice, bob):
    client.force_login(servicedesk)
    # Alice becomes a contributor first; then Bob's promotion fails.
    with (
        database_refuses(User._meta.db_table, on="UPDATE", when=f"NEW.id = {bob.pk}"),
        pytest.raises(DatabaseError),
    ):
        client.post(reverse("servicedesk:account_handover", args=["gm0197", bob.pk]))
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.role, bob.role) == (User.Role.PENVOERDER, User.Role.CONTRIBUTOR)


def test_a_page_of_answers_that_fails_half_way_saves_none_of_them(client, alice, scan_a):
    """Without JavaScript one request saves every answer of a section, each in its own
    service call: the request as a whole is one transaction (ATOMIC_REQUESTS)."""
    client.force_login(alice)
    data = {}
    answers = (
        ("spend_gww_totaal", "1000"),
        ("spend_gww_circulair", "100"),
        ("aandeel_hergebruik", "20"),
        ("fte_inkoop", "2"),
    )
    for key, value in answers:
        data.update({f"{key}-value": value, f"{key}-version": "0", f"{key}-original": "null"})
    third = scan_a.edition.questions.get(key="aandeel_hergebruik")
    url = reverse("monitor:scan_section", args=["gm0197", 2026, "volume"])
    with (
        database_refuses(Answer._meta.db_table, when=f"NEW.question_id = {third.pk}"),
        pytest.raises(DatabaseError),
    ):
        client.post(url, data)
    assert not Answer.objects.filter(scan=scan_a).exists()
    assert not ScanChange.objects.filter(scan=scan_a).exists()
