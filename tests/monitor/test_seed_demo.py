"""The demo data of DESIGN.md's contract: every municipality, and demo accounts that log in."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from monitor.models import Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "demo-wachtwoord", verbosity=0, stdout=None)


def test_refuses_to_run_without_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_runs_without_debug_when_forced(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", verbosity=0)
    assert User.objects.filter(email="servicedesk@demo.test").exists()


def test_every_municipality_gets_a_penvoerder_account(seeded):
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    assert municipalities.count() == 54
    penvoerders = User.objects.filter(role=User.Role.PENVOERDER)
    assert {u.email for u in penvoerders} == {
        f"penvoerder.{m.cbs_code.lower()}@demo.test" for m in municipalities
    }


def test_staff_accounts_have_their_roles_and_the_province_is_gelderland(seeded):
    roles = dict(User.objects.exclude(role=User.Role.PENVOERDER).values_list("email", "role"))
    assert roles == {
        "servicedesk@demo.test": "servicedesk",
        "organiser@demo.test": "organiser",
        "province@demo.test": "province",
        "admin@demo.test": "admin",
    }
    assert User.objects.get(email="province@demo.test").organisation.province == "Gelderland"
    assert User.objects.get(email="admin@demo.test").is_superuser


def test_the_demo_penvoerder_of_aalten_logs_in_with_the_chosen_password(seeded, client):
    response = client.post(
        reverse("account_login"),
        {"login": "penvoerder.gm0197@demo.test", "password": "demo-wachtwoord"},
        follow=True,
    )
    assert "Gemeente Aalten" in response.content.decode()


def test_running_twice_keeps_one_account_each(seeded):
    count = User.objects.count()
    call_command("seed_demo", "--password", "demo-wachtwoord", verbosity=0)
    assert User.objects.count() == count == 58


def test_running_again_after_a_handover_keeps_the_new_penvoerder(seeded):
    from monitor.services import accounts

    aalten = Organisation.objects.get(cbs_code="GM0197")
    successor = accounts.account_issue(
        email="opvolger@aalten.test",
        full_name="Opvolger",
        role=User.Role.PENVOERDER,
        organisation=aalten,
    )
    call_command("seed_demo", "--password", "demo-wachtwoord", verbosity=0)
    assert User.objects.get(organisation=aalten, role=User.Role.PENVOERDER) == successor


def test_the_demo_has_a_mix_of_scans_and_scores_for_the_submitted_ones(
    settings, django_capture_on_commit_callbacks
):
    from benchmark.models import ScanScore
    from monitor.models import Scan

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    current = Scan.objects.filter(edition__year=2026)
    assert current.filter(status="submitted").count() >= 10
    assert current.filter(status="open").count() >= 10
    assert Scan.objects.filter(edition__year=2025, status="submitted").count() >= 40
    assert Scan.objects.get(edition__year=2026, organisation__cbs_code="GM0197").status == "open"
    submitted = Scan.objects.filter(status="submitted").count()
    overall = ScanScore.objects.filter(dimension="overall")
    assert overall.count() == submitted
    spread = sorted(overall.values_list("score", flat=True))
    assert spread[-1] - spread[0] >= 30  # real spread for the results pages
