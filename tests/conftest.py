"""The test base: three users of two municipalities (STYLE.md's Alice, Bob and Charlie) and
one account of each staff role.

- alice: penvoerder of municipality A
- bob: contributor of municipality A (fewer rights)
- charlie: penvoerder of municipality B, who must see nothing of A
"""

import pytest
from django.core.cache import cache

from cimolt.celery import app as celery_app
from monitor.models import User
from tests.factories import (
    OrganisationFactory,
    ProvinceFactory,
    StaffFactory,
    UserFactory,
)

Role = User.Role


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Evidence files of a test go to its own folder, never into the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate-limit counters must not leak from one test into the next.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Tasks run in the test's own process; tests/test_celery_worker.py uses a real worker.
    celery_app.conf.task_always_eager = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def municipality_a(db):
    return OrganisationFactory(cbs_code="GM0197", name="Aalten", region="Achterhoek")


@pytest.fixture
def municipality_b(db):
    return OrganisationFactory(cbs_code="GM0200", name="Apeldoorn", region="Cleantech Regio")


@pytest.fixture
def alice(municipality_a):
    return UserFactory(
        email="alice@aalten.test",
        full_name="Alice Aalten",
        role=Role.PENVOERDER,
        organisation=municipality_a,
    )


@pytest.fixture
def bob(municipality_a):
    return UserFactory(
        email="bob@aalten.test",
        full_name="Bob Aalten",
        role=Role.CONTRIBUTOR,
        organisation=municipality_a,
    )


@pytest.fixture
def charlie(municipality_b):
    return UserFactory(
        email="charlie@apeldoorn.test",
        full_name="Charlie Apeldoorn",
        role=Role.PENVOERDER,
        organisation=municipality_b,
    )


@pytest.fixture
def servicedesk(db):
    return StaffFactory(
        email="servicedesk@cimolt.test", full_name="Sanne Servicedesk", role=Role.SERVICE_DESK
    )


@pytest.fixture
def organiser(db):
    return StaffFactory(
        email="organiser@cimolt.test", full_name="Olaf Organisator", role=Role.ORGANISER
    )


@pytest.fixture
def province_user(db):
    return StaffFactory(
        email="province@gelderland.test",
        full_name="Petra Provincie",
        role=Role.PROVINCE,
        organisation=ProvinceFactory(),
    )


@pytest.fixture
def programme_admin(db):
    return StaffFactory(
        email="admin@cimolt.test",
        full_name="Ada Beheer",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def edition(db):
    """The open edition (2026), with a previous one (2025) whose results are published."""
    from tests.factories import questionnaire_build

    questionnaire_build(2025, status="published")
    return questionnaire_build(2026)


@pytest.fixture
def scan_a(edition, municipality_a):
    from monitor.models import Scan

    return Scan.objects.create(organisation=municipality_a, edition=edition)


@pytest.fixture
def sessions(edition):
    """The masterclasses of the open edition, one upcoming session each: {number: session}."""
    from tests.factories import programme_build

    return programme_build(edition)
