"""Security headers on every kind of page, and requests that fail half-way writing nothing."""

from unittest import mock

import pytest
from django.db import IntegrityError
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


def test_no_page_has_an_inline_script(client, alice, scan_a):
    """With script-src 'self', an inline script would not run: there must be none."""
    client.force_login(alice)
    for url in (
        "/",
        reverse("monitor:scan_section", args=["gm0197", 2026, "beleid"]),
        reverse("masterclasses:programme"),
    ):
        body = client.get(url).content.decode()
        for tag in body.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith(("src=", "defer src=")) or (
                " src=" in tag.split(">", 1)[0]
            ), f"inline script on {url}"
        assert " onclick=" not in body and " onchange=" not in body


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


def test_a_submit_that_fails_half_way_leaves_the_scan_as_it_was(client, alice, scan_a):
    from tests.monitor.test_scan_submit import answer_everything

    client.force_login(alice)
    answer_everything(client)
    before = ScanChange.objects.count()
    # The last write of a submit (its line in the trail) fails, after the points and the
    # status have been written.
    with (
        mock.patch.object(ScanChange.objects, "create", side_effect=IntegrityError("disk full")),
        pytest.raises(IntegrityError),
    ):
        client.post(reverse("monitor:scan_review", args=["gm0197", 2026]))
    scan = Scan.objects.get(pk=scan_a.pk)
    assert scan.status == Scan.Status.OPEN
    assert scan.submitted_at is None
    assert not Answer.objects.filter(scan=scan, points__isnull=False).exists()
    assert ScanChange.objects.count() == before


def test_an_invitation_that_fails_half_way_leaves_no_account(client, alice, edition):
    client.force_login(alice)
    with (
        mock.patch.object(
            SectionAssignment.objects, "bulk_create", side_effect=IntegrityError("lost")
        ),
        pytest.raises(IntegrityError),
    ):
        client.post(
            reverse("monitor:contributor_invite", args=["gm0197"]),
            {"full_name": "Cor Collega", "email": "cor@aalten.test", "sections": ["beleid"]},
        )
    assert not User.objects.filter(email="cor@aalten.test").exists()


def test_a_handover_that_fails_half_way_keeps_the_old_penvoerder(client, servicedesk, alice, bob):
    from monitor.services import accounts

    real = accounts.role_change
    calls = []

    def second_fails(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise IntegrityError("lost connection")
        return real(**kwargs)

    client.force_login(servicedesk)
    with (
        mock.patch.object(accounts, "role_change", side_effect=second_fails),
        pytest.raises(IntegrityError),
    ):
        client.post(reverse("servicedesk:account_handover", args=["gm0197", bob.pk]))
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.role, bob.role) == (User.Role.PENVOERDER, User.Role.CONTRIBUTOR)


def test_a_page_of_answers_that_fails_half_way_saves_none_of_them(client, alice, scan_a):
    """Without JavaScript one request saves every answer of a section, each in its own
    service call: the request as a whole is one transaction (ATOMIC_REQUESTS)."""
    from monitor.services import scans

    real = scans.answer_save
    calls = []

    def third_fails(**kwargs):
        calls.append(kwargs["question"].key)
        if len(calls) == 3:
            raise IntegrityError("lost connection")
        return real(**kwargs)

    client.force_login(alice)
    data = {}
    for key, value in (
        ("spend_gww_totaal", "1000"),
        ("spend_gww_circulair", "100"),
        ("aandeel_hergebruik", "20"),
        ("fte_inkoop", "2"),
    ):
        data.update({f"{key}-value": value, f"{key}-version": "0", f"{key}-original": "null"})
    url = reverse("monitor:scan_section", args=["gm0197", 2026, "volume"])
    with (
        mock.patch.object(scans, "answer_save", side_effect=third_fails),
        pytest.raises(IntegrityError),
    ):
        client.post(url, data)
    assert len(calls) == 3
    assert not Answer.objects.filter(scan=scan_a).exists()
    assert not ScanChange.objects.filter(scan=scan_a).exists()
