"""Tenant isolation, for every URL the project has.

The tests walk Django's URL resolver, build a concrete URL for each pattern from one table of
sample values (all naming municipality A's objects), and request each URL with GET and with an
empty POST as someone who must see nothing of A: the penvoerder of municipality B, the province,
the organiser, and a visitor who is not logged in. A's organisation and people carry a canary
string; no response to these visitors may contain it, no response may be a 500, and a private
page that names A must refuse them.

A new URL is covered without anyone adding it here. A new URL whose parameter has a name the
table does not know fails the tests until a sample value is added: nothing is skipped.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from masterclasses.models import Registration
from masterclasses.services import registration_create
from monitor.models import Answer, Evidence, Remark, Scan, User
from tests.factories import OrganisationFactory, UserFactory, programme_build, questionnaire_build

# Bob and A's scan are planted in every test: they must stay hidden as much as Alice.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bob", "scan_of_a")]

Role = User.Role

# In A's name and in the names and addresses of A's people; a page that shows any of them to an
# outsider contains it. Unusual enough never to occur in a page by chance.
CANARY = "CANARY-A-7f3e"
# In A's answers, remarks and evidence names: no one but A's own people may ever see it, not
# even staff whose work shows A's name and people (the service desk sees who, never what).
ANSWER_CANARY = "ANSWER-CANARY-A-91c2"


@pytest.fixture
def municipality_a(db):
    # Overrides tests/conftest.py: the same municipality, with the canary in every string of A
    # a page might print.
    return OrganisationFactory(cbs_code="GM0197", name=f"Aalten {CANARY}", region="Achterhoek")


@pytest.fixture
def alice(municipality_a):
    alice = UserFactory(
        email=f"alice.{CANARY.lower()}@aalten.test",
        full_name=f"Alice {CANARY}",
        role=Role.PENVOERDER,
        organisation=municipality_a,
    )
    # The address allauth's own pages (email management, confirmation) list.
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=True)
    return alice


@pytest.fixture
def bob(municipality_a):
    return UserFactory(
        email=f"bob.{CANARY.lower()}@aalten.test",
        full_name=f"Bob {CANARY}",
        role=Role.CONTRIBUTOR,
        organisation=municipality_a,
    )


@pytest.fixture
def scan_of_a(alice, bob):
    """A's scan of the open edition, with the answer canary in an answer, a remark and the
    name of an evidence file."""
    edition = questionnaire_build(2026)
    scan = Scan.objects.create(organisation=alice.organisation, edition=edition)
    question = edition.questions.get(key="toelichting")
    Answer.objects.create(scan=scan, question=question, value=f"{ANSWER_CANARY} answer")
    Remark.objects.create(
        scan=scan, question=question, author=alice, text=f"{ANSWER_CANARY} remark"
    )
    evidence = Evidence(
        scan=scan,
        question=question,
        original_name=f"{ANSWER_CANARY}.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=alice,
    )
    evidence.file.save("evidence", ContentFile(b"%PDF-1.4"), save=False)
    evidence.save()
    # A colleague of A registered for masterclass 1: attendee data is A's and the organiser's.
    sessions = programme_build(edition)
    registration_create(
        session=sessions[1],
        organisation=alice.organisation,
        by=alice,
        name=f"Anna {CANARY}",
        email=f"anna.{CANARY.lower()}@aalten.test",
        function=f"Inkoper {CANARY}",
        dietary=f"{CANARY} vegetarisch",
        chatham_house_accepted=True,
    )
    return scan


# One sample value per URL parameter name, computed from A's penvoerder. Every parameter of
# every pattern is filled from here; a parameter missing from this table fails the tests.
SAMPLE_VALUES: dict[str, Callable[[User], object]] = {
    # Our own pages name a municipality by its CBS code in lower case, like the demo accounts.
    "code": lambda alice: alice.organisation.url_code,
    # The admin's object pages and its "view on site" link: alice herself, whose change page
    # would show the canary.
    "object_id": lambda alice: alice.pk,
    "content_type_id": lambda alice: ContentType.objects.get_for_model(User).pk,
    "app_label": lambda alice: "monitor",
    # The admin's catch-all, for any path under /admin/ that no other pattern takes.
    "url": lambda alice: "no-such-page/",
    # allauth's emailed links: alice's account with a key guessed the way an attacker would.
    # A real key is its owner's secret, and its page may rightly show the owner's address.
    "uidb36": lambda alice: user_pk_to_url_str(alice),
    "key": lambda alice: "guessed0key",
    # A's scan: its edition, a section, a question, an evidence file and a colleague.
    "year": lambda alice: alice.organisation.scans.get().edition.year,
    "section": lambda alice: "beleid",
    "question": lambda alice: "toelichting",
    "evidence_id": lambda alice: Evidence.objects.get(scan__organisation=alice.organisation).pk,
    "user_id": lambda alice: alice.organisation.members.get(role=Role.CONTRIBUTOR).pk,
    # A's results: a chart of its scores.
    "chart": lambda alice: "scores",
    # The masterclasses: masterclass 1, its session where A's colleague is registered, that
    # registration, and the session's attendee list as a download.
    "number": lambda alice: 1,
    "masterclass_id": lambda alice: _registration_of_a(alice).masterclass_id,
    "session_id": lambda alice: _registration_of_a(alice).session_id,
    "registration_id": lambda alice: _registration_of_a(alice).pk,
    "file_format": lambda alice: "csv",
}


def _registration_of_a(alice: User) -> Registration:
    return Registration.objects.get(organisation=alice.organisation)


# Pages anyone may open without logging in: logging in in its several ways, the links the
# emails carry, the statements every page links to, the language switch and the health check.
# On these only "no 500 and nothing of A" is checked; every other page is private.
PUBLIC_PAGES = {
    "account_login",
    "account_logout",  # a visitor already logged out is sent home, not to the login page
    "account_signup",  # says sign-up is closed: the service desk issues the accounts
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_request_login_code",
    "account_confirm_login_code",
    "set_language",
    "accessibility",
    "privacy",
    "healthz",
    "benchmark:top_ten",  # public once the organiser publishes it; names only with consent
    "masterclasses:closing_register",  # the closing meeting is open to guests from outside
}

LOGIN_PAGES = {reverse("account_login"), reverse("admin:login")}
# Django's admin sends someone without admin access from its logout page to its index, which
# refuses them like every other admin page.
ADMIN_REFUSAL_REDIRECTS = {*LOGIN_PAGES, reverse("admin:index")}


# --- Walking the URL patterns -------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One URL pattern, with the chain of patterns that leads from the root to it."""

    name: str | None  # "namespace:name", or None for an unnamed pattern
    route: str  # as Django's ResolverMatch.route spells it
    chain: tuple  # the patterns of the resolvers on the way, then the pattern itself
    namespace: str

    def __str__(self) -> str:
        return self.name or self.route

    @property
    def parameters(self) -> list[str]:
        return [name for pattern in self.chain for name in pattern.regex.groupindex]

    @property
    def is_admin(self) -> bool:
        return self.namespace.split(":")[0] == "admin"


def _join_route(prefix: str, route: str) -> str:
    # The way django.urls.resolvers.URLResolver._join_route joins the routes of a match.
    return prefix + route.removeprefix("^") if prefix else route


def walk(patterns, chain=(), route="", namespace="") -> Iterator[Page]:
    for entry in patterns:
        entry_route = _join_route(route, str(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, (*chain, entry.pattern), entry_route, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Page(name, entry_route, (*chain, entry.pattern), namespace)
        else:
            raise TypeError(f"Unknown entry {entry!r} in the URL configuration.")


def all_pages() -> list[Page]:
    return list(walk(get_resolver().url_patterns))


class NotCovered(Exception):
    """A pattern for which no URL can be built: the developer must extend this module."""


def url_for(page: Page, alice: User) -> str:
    """A URL that reaches ``page``, its parameters filled from SAMPLE_VALUES.

    Path routes and regular expressions alike are turned into a format string by
    django.utils.regex_helper.normalize, the function reverse() itself uses; the form without
    optional parts is taken. Whatever comes out is resolved back, so a URL that lands on
    another pattern fails instead of testing the wrong page."""
    unknown = [name for name in page.parameters if name not in SAMPLE_VALUES]
    if unknown:
        raise NotCovered(
            f"{page}: add a sample value for {', '.join(map(repr, unknown))} to SAMPLE_VALUES "
            "in tests/cimolt/test_isolation.py (one of municipality A's objects)."
        )
    path = "/"
    for pattern in page.chain:
        try:
            format_string, _ = normalize(pattern.regex.pattern)[0]
        except (NotImplementedError, ValueError) as error:
            raise NotCovered(
                f"{page}: cannot build a URL from {pattern.regex.pattern!r}"
            ) from error
        converters = getattr(pattern, "converters", {})
        values = {}
        for name in pattern.regex.groupindex:
            value = SAMPLE_VALUES[name](alice)
            text = str(converters[name].to_url(value) if name in converters else value)
            values[name] = quote(text, safe="/~:@!$&'()*+,;=")
        path += format_string % values
    try:
        reached = resolve(path).route
    except Resolver404:
        reached = None
    if reached != page.route:
        raise NotCovered(
            f"{page}: the URL built for it, {path}, reaches {reached!r}. Change its sample "
            "values in SAMPLE_VALUES so that they match the pattern."
        )
    return path


# --- Requesting them ----------------------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    label: str
    user: User | None
    # What a private page that names one of A's objects may answer this visitor. A 405 is
    # decided before the view looks anything up, so it says nothing about A either.
    refusals: frozenset[int] = frozenset({403, 404, 405})
    # Pages where this visitor sees A's people by design; only "no 500" is checked there.
    duties: frozenset[str] = frozenset()
    # Pages of this visitor's own role that take a parameter (a year) but are about no single
    # municipality: they may answer, but must show nothing of A.
    own_pages: frozenset[str] = frozenset()


def request_as(visitor: Visitor, method: str, url: str):
    """One request in a fresh client, rolled back afterwards, with empty rate-limit counters:
    no request (a POST to log out, a failed login) changes what the next one sees."""
    cache.clear()
    client = Client()
    with transaction.atomic():
        if visitor.user is not None:
            client.force_login(visitor.user)
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


def body_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def is_redirect_to(response, paths: set[str]) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path in paths


def problem_with(page: Page, visitor: Visitor, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"answers {status}"
    if ANSWER_CANARY.lower() in body_of(response).lower():
        return f"answers {status} showing municipality A's answers ({ANSWER_CANARY})"
    if CANARY.lower() in body_of(response).lower() and page.name not in visitor.duties:
        return f"answers {status} showing municipality A's data ({CANARY})"
    if page.name in PUBLIC_PAGES or page.name in visitor.duties | visitor.own_pages:
        return None
    if visitor.user is None:
        if not is_redirect_to(response, LOGIN_PAGES):
            return f"answers {status} instead of a redirect to the login page"
        return None
    if page.is_admin:
        # allauth's secure_admin_login answers 403 to a logged-in user without admin access;
        # the admin sends them there first (admin:login itself is checked like any page).
        if status != 403 and not is_redirect_to(response, ADMIN_REFUSAL_REDIRECTS):
            return f"answers {status} instead of refusing someone without admin access"
        return None
    if page.parameters and status not in visitor.refusals:
        return f"answers {status} instead of one of {sorted(visitor.refusals)}"
    return None


@dataclass
class Report:
    pages: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self, visitor: Visitor) -> str:
        return (
            f"{visitor.label}: {len(self.failures)} failures in {self.requests} requests "
            f"over {self.pages} URL patterns"
        )


def visit_every_page(visitor: Visitor, alice: User) -> Report:
    report = Report()
    for page in all_pages():
        report.pages += 1
        try:
            url = url_for(page, alice)
        except NotCovered as error:
            report.failures.append(f"not covered: {error}")
            continue
        for method in ("get", "post"):
            report.requests += 1
            try:
                response = request_as(visitor, method, url)
            except Exception as error:  # the test client re-raises what a view raised
                problem = f"raises {type(error).__name__}: {error}"
            else:
                problem = problem_with(page, visitor, response)
            if problem:
                report.failures.append(f"{method.upper()} {url} ({page}) {problem}")
    return report


def assert_isolated(visitor: Visitor, alice: User) -> None:
    report = visit_every_page(visitor, alice)
    print(report.summary(visitor))
    assert not report.failures, "\n".join([report.summary(visitor), *report.failures])


# --- The tests ----------------------------------------------------------------------------


def test_walker_finds_the_tenant_pages():
    names = {page.name for page in all_pages()}
    assert {"home", "monitor:team", "account_login", "admin:index", "healthz"} <= names


def test_walker_finds_regular_expression_and_unnamed_patterns():
    routes = {page.route for page in all_pages()}
    assert "admin/(?P<url>.*)$" in routes
    assert "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$" in routes


def test_every_url_pattern_gets_a_url_that_reaches_it(alice):
    not_covered = []
    for page in all_pages():
        try:
            url_for(page, alice)
        except NotCovered as error:
            not_covered.append(str(error))
    assert not not_covered, "\n".join(not_covered)


def test_canary_is_on_the_team_page_of_its_own_municipality(alice, bob):
    """Without this, a canary that no page ever prints would let every other test pass."""
    url = reverse("monitor:team", kwargs={"code": "gm0197"})
    response = request_as(Visitor("alice", alice), "get", url)
    assert response.status_code == 200
    body = body_of(response)
    assert f"Aalten {CANARY}" in body
    assert alice.email in body
    assert bob.email in body


def test_canary_is_on_the_masterclass_pages_of_its_own_municipality(alice):
    page = reverse("masterclasses:organisation_masterclass", args=["gm0197", 1])
    body = body_of(request_as(Visitor("alice", alice), "get", page))
    assert f"Anna {CANARY}" in body
    assert f"Inkoper {CANARY}" in body


def test_answer_canary_is_on_the_scan_pages_of_its_own_municipality(alice):
    section = reverse("monitor:scan_section", args=["gm0197", 2026, "beleid"])
    body = body_of(request_as(Visitor("alice", alice), "get", section))
    assert f"{ANSWER_CANARY} answer" in body
    assert f"{ANSWER_CANARY} remark" in body
    assert f"{ANSWER_CANARY}.pdf" in body


def test_service_desk_sees_who_takes_part_never_the_answers(alice, servicedesk):
    assert_isolated(
        Visitor(
            "the service desk",
            servicedesk,
            duties=frozenset(
                {
                    "home",
                    "monitor:team",
                    "monitor:scan_reopen",
                    # The service desk's own pages show who takes part and how far, and
                    # change logins and deadlines; the answer canary is checked there too.
                    *(page.name for page in all_pages() if page.namespace == "servicedesk"),
                }
            ),
        ),
        alice,
    )


def test_penvoerder_of_another_municipality_sees_nothing_of_a(alice, charlie):
    assert_isolated(
        Visitor("charlie, penvoerder of municipality B", charlie, refusals=frozenset({404, 405})),
        alice,
    )


def test_province_sees_no_single_municipality(alice, province_user):
    # The province's statistics pages are its own (their year is not A's); A's names and
    # answers must not show there either.
    statistics = frozenset({"province:statistics", "province:statistics_download"})
    assert_isolated(Visitor("the province", province_user, own_pages=statistics), alice)


def test_organiser_sees_no_municipality_page_outside_its_work(alice, organiser):
    # The organiser's home lists every municipality's penvoerder (tests/cimolt/test_home.py):
    # registering and admitting attendees needs their contact. Everywhere else A's people stay
    # hidden from the organiser.
    # Having every report made is the organiser's work too; opening one is not.
    # Registering attendees of every municipality, marking their attendance and answering a
    # person's request for their data is the organiser's work on the masterclass pages.
    masterclass_work = {
        "masterclasses:organisation",
        "masterclasses:organisation_masterclass",
        "masterclasses:session",
        "masterclasses:session_register",
        "masterclasses:session_attendance",
        "masterclasses:session_import",
        "masterclasses:attendance_import",
        "masterclasses:session_export",
        "masterclasses:registration_cancel",
        "masterclasses:attendee_export",
        "masterclasses:attendee_erase",
        "masterclasses:session_add",
    }
    assert_isolated(
        Visitor(
            "the organiser",
            organiser,
            duties=frozenset({"home", "benchmark:reports_all", *masterclass_work}),
        ),
        alice,
    )


def test_visitor_who_is_not_logged_in_is_sent_to_login_on_every_private_page(alice):
    assert_isolated(Visitor("a visitor who is not logged in", None), alice)
