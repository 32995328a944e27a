"""A crawl as municipality A that never finds municipality B's canary.

Municipality B's answers, remarks, evidence (names and contents), masterclass attendees, name
and people carry a canary string; municipality A's data carries none, so A's people can only
ever see it through a leak. Both municipalities, and eleven others, have realistic data made
the way the pages make it (monitor/services/scans.py, masterclasses/services.py): an open scan
of 2026 in progress, scans of 2024 and 2025 submitted with their scores, so that the results,
their peer comparisons, the charts, the trend and the PDF report all exist.

The crawl logs in as A's penvoerder (and as A's contributor), starts at "/" and follows, breadth
first, every same-site link a page holds: <a href>, <link href>, <img src>, <script src>, the
actions of GET forms (sent with their default values) and whatever a redirect points at. Every
response is read whole: HTML, SVG, CSV and JSON as text, a PDF's extracted text, every cell of
an XLSX, the raw bytes of anything else, and the headers (a download's file name). No response
may be a 5xx, none may hold the canary.

That the crawl can fail is tested too: crawling as B's penvoerder finds B's canary on B's own
pages and downloads, and planting it in A's own data makes A's crawl find it.
"""

import html
import io
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from benchmark import services as benchmark_services
from benchmark.models import ImprovementGoal, NamingConsent, Report, TopTenPublication
from benchmark.report import report_pdf
from masterclasses.services import registration_create
from monitor.models import Answer, Edition, Organisation, Scan, SectionAssignment, User
from monitor.services import scans as scan_services
from tests.factories import OrganisationFactory, UserFactory, attendee, questionnaire_build

pytestmark = pytest.mark.django_db

Role = User.Role

# In B's data only. Compared case-insensitively: e-mail addresses are stored in lower case.
CANARY = "CANARY-B-5d1a"
# B's total GWW spend: a figure no page of A may print, in any of the ways it could be written.
AMOUNT = 918273645
AMOUNT_SPELLINGS = ("918273645", "918.273.645", "918,273,645", "918 273 645", "918\xa0273\xa0645")

MAX_URLS = 400
SITE_HOSTS = {"testserver", "localhost", "127.0.0.1"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "image/svg+xml",
)


# --- The data of the two municipalities and their peers ------------------------------------


def answers_of(level: int, *, text: str, total: int) -> dict:
    """A full set of answers to tests/factories.py's questionnaire, better as ``level`` (0-2)
    goes up: each level scores differently, so the peers' scores have a spread."""
    return {
        "ci_in_beleid": ["nee", "deels", "ja"][level],
        "instrumenten": [["geen"], ["marktconsultatie"], ["emvi", "marktconsultatie"]][level],
        "coordinator": "ja" if level else "nee",
        "toelichting": text,
        "spend_gww_totaal": str(total),
        "spend_gww_circulair": str(total * (level + 1) // 10),
        "aandeel_hergebruik": str(15 + 20 * level),
        "fte_inkoop": ["0.5", "1", "2.5"][level],
    }


def evidence_file(name: str, marker: str) -> SimpleUploadedFile:
    content = f"%PDF-1.4\n% {marker}\n%%EOF\n".encode()
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def scan_fill(scan, user, answers, *, remark=None, evidence=None, submit=False, on="toelichting"):
    """Answer, remark and attach (at question ``on``) and submit as the scan pages do, through
    the services."""
    questions = {q.key: q for q in scan.edition.questions.all()}
    for key, value in answers.items():
        scan_services.answer_save(
            scan=scan, question=questions[key], value=value, user=user, version=None
        )
    if evidence:
        scan_services.evidence_add(scan=scan, question=questions[on], uploaded=evidence, user=user)
    if remark:
        scan_services.remark_add(scan=scan, question=questions[on], text=remark, user=user)
    if submit:
        scan_services.scan_submit(scan=scan, user=user)
    return scan


# WeasyPrint takes seconds per report. A report depends only on the data, which every test of
# this module builds alike, so each distinct report is rendered once per run and its PDF reused.
_rendered_reports: dict[tuple, bytes] = {}


def report_make(scan: Scan) -> Report:
    """The scan's PDF report, made as the worker makes it (benchmark.services.report_render)."""
    key = (
        scan.organisation.name,
        scan.edition.year,
        tuple(sorted(scan.scores.values_list("dimension", "score"))),
        tuple(
            ImprovementGoal.objects.filter(organisation=scan.organisation).values_list(
                "dimension", "target"
            )
        ),
    )
    if key not in _rendered_reports:
        _rendered_reports[key] = report_pdf(scan)
    report = Report.objects.create(scan=scan)
    with mock.patch.object(benchmark_services, "report_pdf", lambda _: _rendered_reports[key]):
        benchmark_services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    return report


@dataclass
class World:
    a: Organisation
    b: Organisation
    scans: dict = field(default_factory=dict)  # (organisation code, year): scan


@pytest.fixture
def municipality_b(db):
    # Overrides tests/conftest.py: the same municipality, its name carrying the canary.
    return OrganisationFactory(
        cbs_code="GM0200", name=f"Apeldoorn {CANARY}", region="Cleantech Regio"
    )


@pytest.fixture
def charlie(municipality_b):
    return UserFactory(
        email=f"charlie.{CANARY.lower()}@apeldoorn.test",
        full_name=f"Charlie {CANARY}",
        role=Role.PENVOERDER,
        organisation=municipality_b,
    )


@pytest.fixture
def dave(municipality_b):
    """B's contributor."""
    return UserFactory(
        email=f"dave.{CANARY.lower()}@apeldoorn.test",
        full_name=f"Dave {CANARY}",
        role=Role.CONTRIBUTOR,
        organisation=municipality_b,
    )


@pytest.fixture
def world(
    edition, sessions, alice, bob, charlie, dave, django_capture_on_commit_callbacks
) -> World:
    a, b = alice.organisation, charlie.organisation
    world = World(a=a, b=b)
    now = timezone.now()
    # Assigned parts of the scan: Bob answers A's spend, Dave B's.
    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    SectionAssignment.objects.create(contributor=dave, section_key="volume")

    # Eleven other municipalities: six in A's region, five elsewhere in the province, so that
    # every comparison of A (all, province, region) has enough others to be shown.
    peers = []
    for i in range(11):
        peer = OrganisationFactory(
            cbs_code=f"GM96{i:02d}",
            name=f"Peerstad {i}",
            region="Achterhoek" if i < 6 else "Rivierenland",
        )
        penvoerder = UserFactory(
            email=f"penvoerder{i}@peerstad.test", role=Role.PENVOERDER, organisation=peer
        )
        peers.append((peer, penvoerder))

    # The two earlier editions, submitted while they were open, then closed and published.
    previous = {
        2024: questionnaire_build(2024, status="open"),
        2025: Edition.objects.get(year=2025),
    }
    Edition.objects.filter(year__in=[2024, 2025]).update(status=Edition.Status.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        for year, past in previous.items():
            past.refresh_from_db()
            world.scans["a", year] = scan_fill(
                scan_services.scan_start(organisation=a, edition=past),
                alice,
                answers_of(1, text=f"Aalten werkt aan beleid {year}", total=2_500_000),
                remark="Vraag 4 mag duidelijker.",
                evidence=evidence_file(f"Inkoopbeleid Aalten {year}.pdf", "Aalten"),
                submit=True,
            )
            world.scans["b", year] = scan_fill(
                scan_services.scan_start(organisation=b, edition=past),
                charlie,
                answers_of(2, text=f"{CANARY} antwoord {year}", total=AMOUNT),
                remark=f"{CANARY} opmerking {year}",
                evidence=evidence_file(f"{CANARY} bewijs {year}.pdf", CANARY),
                submit=True,
            )
            for i, (peer, penvoerder) in enumerate(peers if year == 2025 else peers[:6]):
                scan_fill(
                    scan_services.scan_start(organisation=peer, edition=past),
                    penvoerder,
                    answers_of(i % 3, text=f"Peerstad {i} in {year}", total=1_000_000 + i),
                    submit=True,
                )
    Edition.objects.filter(year__in=[2024, 2025]).update(
        status=Edition.Status.PUBLISHED, deadline=now - timedelta(days=60)
    )
    for key, scan in list(world.scans.items()):
        scan.refresh_from_db()
        assert scan.status == Scan.Status.SUBMITTED and scan.scores.exists(), key

    # The Top 10 of 2025 is out: a peer agreed to be named, B did not.
    NamingConsent.objects.create(
        organisation=peers[2][0], edition=previous[2025], may_be_named=True
    )
    NamingConsent.objects.create(organisation=b, edition=previous[2025], may_be_named=False)
    TopTenPublication.objects.create(edition=previous[2025])
    # Both set goals for this year.
    for organisation, user in ((a, alice), (b, charlie)):
        benchmark_services.goal_set(
            organisation=organisation,
            edition=previous[2025],
            dimension="overall",
            target=80,
            user=user,
        )

    # This year's scans, in progress: the penvoerders on the policy part, the contributors on
    # the spend.
    with django_capture_on_commit_callbacks(execute=True):
        world.scans["a", 2026] = scan_a = scan_services.scan_start(organisation=a, edition=edition)
        world.scans["b", 2026] = scan_b = scan_services.scan_start(organisation=b, edition=edition)
        policy_a, spend_a = _split(
            answers_of(2, text="Aalten 2026: meer hergebruik", total=3_100_000)
        )
        policy_b, spend_b = _split(answers_of(1, text=f"{CANARY} antwoord 2026", total=AMOUNT))
        scan_fill(
            scan_a,
            alice,
            policy_a,
            remark="Een goede vraag.",
            evidence=evidence_file("Raadsbesluit Aalten.pdf", "Aalten"),
        )
        scan_fill(scan_a, bob, spend_a)
        scan_fill(
            scan_b,
            charlie,
            policy_b,
            remark=f"{CANARY} opmerking 2026",
            evidence=evidence_file(f"{CANARY} raadsbesluit.pdf", CANARY),
        )
        scan_fill(
            scan_b, dave, spend_b, remark=f"{CANARY} opmerking van Dave", on="spend_gww_totaal"
        )

        # Masterclass registrations: A's colleagues and B's, some in the same sessions; and a
        # guest of no municipality at the open closing meeting.
        for number, person in ((1, attendee(1)), (1, attendee(2)), (2, attendee(3))):
            registration_create(session=sessions[number], organisation=a, by=alice, **person)
        for number, person in ((1, 11), (2, 12), (3, 13)):
            registration_create(
                session=sessions[number],
                organisation=b,
                by=charlie,
                **attendee(
                    person,
                    name=f"Bea {CANARY} {person}",
                    email=f"bea{person}.{CANARY.lower()}@apeldoorn.test",
                    function=f"Inkoper {CANARY}",
                    dietary=f"{CANARY} glutenvrij",
                ),
            )
        registration_create(
            session=sessions[5],
            organisation=None,
            organisation_name=f"Stichting {CANARY}",
            by=None,
            **attendee(14, name=f"Gast {CANARY}", email=f"gast.{CANARY.lower()}@example.test"),
        )

    # The PDF reports of 2025, made in the background as the penvoerders asked.
    for code in ("a", "b"):
        report_make(world.scans[code, 2025])
    return world


def _split(answers: dict) -> tuple[dict, dict]:
    policy = {"ci_in_beleid", "instrumenten", "coordinator", "toelichting"}
    return (
        {k: v for k, v in answers.items() if k in policy},
        {k: v for k, v in answers.items() if k not in policy},
    )


# --- Reading a response --------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def xlsx_cells(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    cells = []
    for sheet in workbook.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(cell) for cell in row if cell is not None)
    workbook.close()
    return "\n".join(cells)


def readable_parts(content_type: str, body: bytes, headers: dict) -> list[tuple[str, str]]:
    """Everything a person receiving this response could read, as (where, text) pairs."""
    parts = [("headers", "\n".join(f"{name}: {value}" for name, value in headers.items()))]
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/pdf" or body.startswith(b"%PDF"):
        try:
            parts.append(("PDF text", pdf_text(body)))
        except Exception as error:  # a damaged PDF: its bytes are still searched below
            parts.append(("PDF text", f"(unreadable: {error})"))
        parts.append(("PDF bytes", body.decode("latin-1")))
    elif kind == XLSX or body.startswith(b"PK"):
        try:
            parts.append(("XLSX cells", xlsx_cells(body)))
        except Exception as error:
            parts.append(("XLSX cells", f"(unreadable: {error})"))
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                for name in archive.namelist():
                    parts.append((f"zip member {name}", archive.read(name).decode("latin-1")))
        except zipfile.BadZipFile:
            parts.append(("bytes", body.decode("latin-1")))
    elif kind.startswith(TEXT_TYPES) or kind.endswith(("+json", "+xml")):
        text = body.decode("utf-8-sig", errors="replace")
        parts.append(("body", text))
        parts.append(("body, entities decoded", html.unescape(text)))
    else:
        parts.append(("bytes", body.decode("latin-1")))
    return parts


def canary_hits(parts: list[tuple[str, str]]) -> list[str]:
    """Where in ``parts`` (from readable_parts) the canary shows, or B's amount in text, with
    the text around it."""
    hits = []
    for where, text in parts:
        if where == "body, entities decoded" and hits and hits[-1].startswith("body:"):
            continue  # the same hit again
        lowered = text.lower()
        needles = [CANARY.lower()]
        if where != "bytes" and not where.startswith(("PDF bytes", "zip member")):
            needles += AMOUNT_SPELLINGS  # figures in binary data would be chance matches
        for needle in needles:
            at = lowered.find(needle)
            if at >= 0:
                around = " ".join(text[max(at - 80, 0) : at + len(needle) + 80].split())
                hits.append(f"{where}: …{around}…")
                break
    return hits


def file_hits(content_type: str, body: bytes, headers: dict | None = None) -> list[str]:
    return canary_hits(readable_parts(content_type, body, headers or {}))


# --- The crawl -----------------------------------------------------------------------------


class LinkParser(HTMLParser):
    """The URLs a page makes a browser fetch or offers to follow, and its GET forms."""

    LINK_ATTRIBUTES = {
        "a": "href",
        "area": "href",
        "link": "href",
        "img": "src",
        "script": "src",
        "iframe": "src",
        "source": "src",
        "embed": "src",
        "object": "data",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.get_forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag in self.LINK_ATTRIBUTES and attributes.get(self.LINK_ATTRIBUTES[tag]):
            self.links.append(attributes[self.LINK_ATTRIBUTES[tag]])
        if tag == "form":
            self._form = None
            if attributes.get("method", "get").lower() == "get":
                self._form = (attributes.get("action", ""), [])
                self.get_forms.append(self._form)
        elif self._form is None or "disabled" in attributes:
            return
        elif tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self._form[1].append((attributes["name"], attributes.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form[1].append((attributes["name"], attributes.get("value", "")))
        elif tag == "select" and attributes.get("name"):
            self._select = {"name": attributes["name"], "first": None, "selected": []}
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attributes:
                self._select["selected"].append(value)
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = (attributes["name"], [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            values = self._select["selected"] or [self._select["first"]]
            if self._form is not None and values != [None]:
                self._form[1].extend((self._select["name"], value) for value in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form[1].append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None


def normalise(base: str, reference: str) -> str | None:
    """The same-site path and sorted query ``reference`` leads to from ``base``, or None."""
    reference = reference.strip()
    if not reference or reference.startswith("#"):
        return None
    parts = urlsplit(urljoin(f"http://testserver{base}", reference))
    if parts.scheme not in ("http", "https") or parts.hostname not in SITE_HOSTS:
        return None  # mailto:, data:, javascript: and other sites
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def form_url(base: str, action: str, fields: list[tuple[str, str]]) -> str | None:
    """Where a browser goes when a GET form is sent as it stands: its action (the page itself
    when it has none) with the fields' default values as the query."""
    target = normalise(base, action or base)
    if target is None:
        return None
    path, _, query = target.partition("?")
    values = sorted([*parse_qsl(query, keep_blank_values=True), *fields])
    return f"{path}?{urlencode(values)}" if values else path


def never_followed() -> set[str]:
    # Logging out would end the crawl; the language switch and every other change are POSTs,
    # which the crawl does not send.
    return {reverse("account_logout"), reverse("set_language")}


@dataclass
class Visit:
    status: int
    content_type: str
    size: int
    came_from: str


@dataclass
class Crawl:
    visits: dict[str, Visit] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # all that is readable, per URL
    found: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    complete: bool = False

    def urls(self, status: int | None = 200) -> set[str]:
        return {url for url, v in self.visits.items() if status is None or v.status == status}

    def summary(self) -> str:
        statuses = Counter(v.status for v in self.visits.values())
        kinds = Counter(v.content_type.split(";")[0] for v in self.visits.values())
        return (
            f"{len(self.visits)} URLs ({dict(sorted(statuses.items()))}; "
            f"{dict(kinds.most_common())}), canary found at {len(self.found)}, "
            f"{len(self.errors)} errors{'' if self.complete else ', INCOMPLETE'}"
        )


def crawl(user: User, *, start: str = "/", language: str | None = None) -> Crawl:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    result = Crawl()
    skip = never_followed()
    static = "/" + settings.STATIC_URL.lstrip("/")
    queue = deque([(start, "(start)")])
    seen = {start}

    def enqueue(url: str | None, came_from: str) -> None:
        # Static files (style sheets, scripts, icons) are the same for everyone and hold no data.
        path = urlsplit(url).path if url else ""
        if url and url not in seen and path not in skip and not path.startswith(static):
            seen.add(url)
            queue.append((url, came_from))

    while queue:
        if len(result.visits) >= MAX_URLS:
            return result
        url, came_from = queue.popleft()
        try:
            response = client.get(url)
        except Exception as error:  # the test client re-raises what a view raised
            result.errors.append(f"{url} (linked from {came_from}) raises {error!r}")
            result.visits[url] = Visit(500, "exception", 0, came_from)
            continue
        # Reading a streaming response to its end closes it, as a WSGI server would (closing
        # it again would close the test's database connection).
        body = b"".join(response.streaming_content) if response.streaming else response.content
        content_type = response.get("Content-Type", "")
        result.visits[url] = Visit(response.status_code, content_type, len(body), came_from)
        if response.status_code >= 500:
            result.errors.append(f"{url} (linked from {came_from}) answers {response.status_code}")
        parts = readable_parts(content_type, body, dict(response.items()))
        result.texts[url] = "\n".join(text for _, text in parts)
        for hit in canary_hits(parts):
            result.found.append(f"{url} ({response.status_code}, {content_type}) {hit}")
        if response.status_code in (301, 302, 303, 307, 308):
            enqueue(normalise(url, response["Location"]), url)
        if content_type.startswith("text/html"):
            parser = LinkParser()
            parser.feed(body.decode("utf-8", errors="replace"))
            for link in parser.links:
                enqueue(normalise(url, link), url)
            for action, fields in parser.get_forms:
                enqueue(form_url(url, action, fields), url)
    result.complete = True
    return result


def assert_clean(result: Crawl, who: str) -> None:
    print(f"{who}: {result.summary()}")
    problems = [f"canary of municipality B at {hit}" for hit in result.found] + result.errors
    assert not problems, "\n".join([f"{who}: {result.summary()}", *problems])
    assert result.complete, f"{who}: stopped at {MAX_URLS} URLs; raise MAX_URLS"


# --- The tests -----------------------------------------------------------------------------


def test_alice_never_finds_the_canary_of_b(world, alice):
    result = crawl(alice)
    assert_clean(result, "alice, penvoerder of A")

    # The crawl reaches what it is meant to search: every part of A's scans, A's results with
    # their comparisons, charts and report, the evidence, the team and the masterclasses.
    ok = result.urls(200)
    evidence = {year: world.scans["a", year].evidence.get().pk for year in (2024, 2025, 2026)}
    expected = {
        "/",
        "/scan/gm0197/team/",
        "/masterclasses/",
        "/masterclasses/slotbijeenkomst/",
        *(f"/masterclasses/gm0197/{number}/" for number in range(1, 6)),
        "/masterclasses/gm0197/",
        *(f"/scan/gm0197/{year}/{page}" for year in (2024, 2025, 2026) for page in ("", "review/")),
        *(f"/scan/gm0197/{year}/history/" for year in (2024, 2025, 2026)),
        *(
            f"/scan/gm0197/{y}/section/{s}/"
            for y in (2024, 2025, 2026)
            for s in ("beleid", "volume")
        ),
        *(f"/scan/gm0197/{year}/evidence/{pk}/" for year, pk in evidence.items()),
        *(f"/benchmark/gm0197/{year}/" for year in (2024, 2025)),
        *(f"/benchmark/gm0197/2025/{chart}.svg" for chart in ("scores", "spend", "trend")),
        "/benchmark/gm0197/2025/report/",
        "/benchmark/gm0197/2025/report.pdf",
        "/benchmark/top10/2025/",
    }
    assert expected <= ok, f"not reached: {sorted(expected - ok)}\n{result.summary()}"
    assert len(ok) >= 44, result.summary()
    assert result.visits["/benchmark/gm0197/2025/report.pdf"].content_type == "application/pdf"
    assert "Aalten – CI Monitor 2025" in result.texts["/benchmark/gm0197/2025/report.pdf"]
    assert result.visits["/benchmark/gm0197/2025/scores.svg"].content_type == "image/svg+xml"
    # B's scores are on these pages, in the comparisons: all participants, the province and
    # the region each have enough others to be shown, the trend too.
    results = result.texts["/benchmark/gm0197/2025/"]
    assert results.count("mediaan") >= 3 and "niet getoond: minder dan" not in results
    assert "Peerstad 2" in result.texts["/benchmark/top10/2025/"]  # it agreed to be named
    # No page sent the crawl to the login page: it stayed logged in throughout.
    login = reverse("account_login")
    assert not any(url.startswith(login) for url in result.visits), sorted(result.visits)

    # The same in English, where other templates' strings are used.
    english = crawl(alice, language="en")
    assert_clean(english, "alice, in English")
    assert "Results" in english.texts["/benchmark/gm0197/2025/"]
    assert english.urls(200) == ok


def test_bob_never_finds_the_canary_of_b(world, bob):
    result = crawl(bob)
    assert_clean(result, "bob, contributor of A")
    assert {
        "/scan/gm0197/2026/section/volume/",
        "/benchmark/gm0197/2025/report.pdf",
        "/masterclasses/gm0197/1/",
    } <= result.urls(200), result.summary()


def test_charlie_finds_the_canary_on_the_pages_of_b(world, charlie, dave):
    """B's data really is printed where B looks, each planted string where it belongs: so A's
    crawl finding nothing means something. (B's name, in every page's title, is left out.)"""
    result = crawl(charlie)
    assert not result.errors, "\n".join(result.errors)
    evidence = {year: world.scans["b", year].evidence.get().pk for year in (2024, 2025, 2026)}
    must = {
        "/scan/gm0200/2026/section/beleid/": [
            f"{CANARY} antwoord 2026",
            f"{CANARY} opmerking 2026",
            f"{CANARY} raadsbesluit.pdf",
        ],
        "/scan/gm0200/2026/section/volume/": [f"{CANARY} opmerking van Dave", dave.full_name],
        "/scan/gm0200/2026/history/": [f"{CANARY} antwoord 2026", f"{CANARY} raadsbesluit.pdf"],
        "/scan/gm0200/2025/section/beleid/": [f"{CANARY} antwoord 2025", f"{CANARY} bewijs 2025"],
        "/scan/gm0200/2024/section/beleid/": [f"{CANARY} opmerking 2024"],
        f"/scan/gm0200/2026/evidence/{evidence[2026]}/": [
            f'filename="{CANARY} raadsbesluit.pdf"',  # the header
            f"% {CANARY}",  # the file
        ],
        "/scan/gm0200/team/": [dave.email],
        "/masterclasses/gm0200/": [f"Bea {CANARY} 11", f"Bea {CANARY} 13"],
        "/masterclasses/gm0200/1/": [
            f"Bea {CANARY} 11",
            f"Inkoper {CANARY}",
            f"bea11.{CANARY.lower()}@apeldoorn.test",
        ],
        "/benchmark/gm0200/2025/": ["918.273.645"],  # B's spend, as the page writes amounts
        "/benchmark/gm0200/2025/report.pdf": [f"Apeldoorn {CANARY} – CI Monitor 2025"],
    }
    missing = [
        f"{url}: {text!r}"
        for url, texts in must.items()
        for text in texts
        if text not in result.texts.get(url, "")
    ]
    assert not missing, "\n".join([result.summary(), *missing])
    report_hits = [h for h in result.found if h.startswith("/benchmark/gm0200/2025/report.pdf")]
    assert any("PDF text" in hit for hit in report_hits), report_hits


def test_the_crawl_finds_a_canary_planted_in_the_data_of_a(world, alice, sessions):
    """The control: the same canary in A's own answer, remark, evidence name and attendee is
    found by A's crawl, at each place it shows."""
    scan = world.scans["a", 2026]
    answer = Answer.objects.get(scan=scan, question__key="toelichting")
    question = answer.question
    scan_services.answer_save(
        scan=scan,
        question=question,
        value=f"{CANARY} eigen antwoord",
        user=alice,
        version=answer.version,
    )
    scan_services.remark_add(scan=scan, question=question, text=f"{CANARY} eigen", user=alice)
    scan_services.evidence_add(
        scan=scan, question=question, uploaded=evidence_file(f"{CANARY}.pdf", "x"), user=alice
    )
    registration_create(
        session=sessions[2],
        organisation=world.a,
        by=alice,
        **attendee(9, name=f"Anna {CANARY}"),
    )
    result = crawl(alice)
    found = {hit.split(" ", 1)[0] for hit in result.found}
    planted = scan.evidence.get(original_name=f"{CANARY}.pdf")
    must = {
        "/scan/gm0197/2026/section/beleid/",
        "/scan/gm0197/2026/history/",
        f"/scan/gm0197/2026/evidence/{planted.pk}/",  # in its file name (Content-Disposition)
        "/masterclasses/gm0197/",
        "/masterclasses/gm0197/2/",
    }
    assert must <= found, f"not found at: {sorted(must - found)}\n{result.summary()}"
    # ... and the assertion the other tests make fails, naming the URLs.
    with pytest.raises(AssertionError) as failure:
        assert_clean(result, "alice")
    assert "/scan/gm0197/2026/section/beleid/" in str(failure.value)


def test_the_crawler_follows_what_a_browser_would():
    parser = LinkParser()
    parser.feed(
        """<a href="/scan/gm0197/2026/#q-x">scan</a> <a href="mailto:a@b.test">mail</a>
        <a href="https://example.org/">elsewhere</a> <a href="#main">skip</a>
        <img src="scores.svg"> <link rel="stylesheet" href="/static/a.css">
        <form method="get" action="/servicedesk/2026/">
          <input name="q" value="aal"> <input type="checkbox" name="late" checked>
          <input type="checkbox" name="off"> <input type="submit" name="go" value="Go">
          <select name="status"><option value="">all</option><option value="open" selected>o
          </option></select> <select name="sort"><option value="name">name</option></select>
          <textarea name="note">hi</textarea>
        </form>
        <form><input name="page" value="2"></form>
        <form method="post" action="/scan/gm0197/2026/prefill/"><input name="csrf" value="x">
        </form>"""
    )
    base = "/benchmark/gm0197/2025/"
    assert [normalise(base, link) for link in parser.links] == [
        "/scan/gm0197/2026/",
        None,
        None,
        None,
        "/benchmark/gm0197/2025/scores.svg",
        "/static/a.css",
    ]
    assert [form_url(base, action, fields) for action, fields in parser.get_forms] == [
        "/servicedesk/2026/?late=on&note=hi&q=aal&sort=name&status=open",
        "/benchmark/gm0197/2025/?page=2",
    ]
    assert normalise(base, "?b=2&a=1") == "/benchmark/gm0197/2025/?a=1&b=2"
    assert normalise(base, "http://testserver/x/?b=&a=1") == "/x/?a=1&b="


def test_the_reader_finds_the_canary_in_every_kind_of_download(world):
    """PDF text (a real report), XLSX cells and CSV (the app's own export), SVG, JSON."""
    from common.spreadsheets import dataset_of, download

    scan = world.scans["a", 2025]
    scan.organisation.name = f"Aalten {CANARY}"  # in memory only: the report's title
    pdf = report_pdf(scan)
    assert CANARY.encode() not in pdf  # compressed: only the extracted text has it
    assert any(h.startswith("PDF text") for h in file_hits("application/pdf", pdf))
    dataset = dataset_of(["Naam"], [[f"Bea {CANARY}"]])
    for file_format, kind in (("xlsx", "XLSX cells"), ("csv", "body")):
        response = download(dataset, filename="lijst", file_format=file_format)
        hits = file_hits(response["Content-Type"], response.content)
        assert any(h.startswith(kind) for h in hits), (file_format, hits)
    svg = f"<svg><text>{CANARY}</text></svg>".encode()
    assert file_hits("image/svg+xml", svg)
    assert file_hits("application/json", f'{{"naam": "{CANARY.lower()}"}}'.encode())
    assert file_hits("application/octet-stream", f"..{CANARY}..".encode())
    assert file_hits("text/html", b"<p>x</p>", {"Content-Disposition": f'filename="{CANARY}"'})
    assert file_hits("text/html", f"<p>&euro; {AMOUNT:,}</p>".replace(",", ".").encode())
    assert not file_hits("text/html", b"<p>Aalten</p>", {"X": "y"})
