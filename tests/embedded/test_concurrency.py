"""The embedded default (`make run`: SQLite, a worker on a broker folder) under concurrent
users, through a real threaded server: nobody gets an error because someone else is writing,
nothing given is lost, the masterclass cap holds, and no report is made inside a web request.

Before scripts/run/embedded.py and the SQLite options of cimolt/settings.py, these tests found
"database is locked" in 19 of 20 sessions saving at once, in 17 of 20 registrations and in 8 of
10 logins while the organiser's request made every report, itself for 78 s (docs/operations.md,
"The embedded default")."""

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.embedded.browser import Browser, Page, choices_of

YEAR = 2026  # the demo's open edition: twenty scans submitted, nineteen being filled in
USERS = 20
LOGINS = 10  # while the reports are made
SAVES_PER_USER = 3  # as a person choosing three radio buttons quickly, one after the other
ONE_SCAN_SESSIONS = 8  # of the twenty: sessions of one penvoerder, on one scan
# The organiser's "make all reports" must answer like any page, not after the reports.
QUICK_SECONDS = 10


def outcome(response: requests.Response | Exception) -> str:
    """What a request came to, for counting: its status, or the error that stopped it."""
    if isinstance(response, Exception):
        return type(response).__name__
    return str(response.status_code)


def errors(outcomes) -> list[str]:
    return [o for o in outcomes if not o.isdigit() or int(o) >= 500]


def in_parallel(work, items) -> list:
    """``work(item)`` for every item, all started at once (a barrier), each in its own thread;
    an exception is returned in its place."""
    barrier = threading.Barrier(len(items))

    def run(item):
        barrier.wait()
        try:
            return work(item)
        except (requests.RequestException, AssertionError) as error:
            return error

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(run, items))


def logged_in(stack, emails: list[str]) -> list[Browser]:
    """A browser logged in as each address, logging in a few at a time."""

    def log_in(email):
        browser = Browser(stack.url)
        browser.log_in(email)
        return browser

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(log_in, emails))


def penvoerder(code: str) -> str:
    return f"penvoerder.{code.lower()}@demo.test"


def municipality_of(browser: Browser) -> str:
    """The code (in lower case) of the municipality whose penvoerder is logged in."""
    return browser.email.removeprefix("penvoerder.").removesuffix("@demo.test")


def test_twenty_people_saving_answers_at_once_lose_nothing(stack):
    """Twenty sessions, each of a penvoerder: twelve of different municipalities, eight of one
    municipality on one scan, each saving its own question three times in quick succession
    (the next save when the page has the answer to the last, as autosave.js does)."""
    open_scans = [
        code
        for (code,) in stack.query(
            "SELECT o.cbs_code FROM monitor_scan s JOIN monitor_edition e ON e.id = s.edition_id"
            " JOIN monitor_organisation o ON o.id = s.organisation_id"
            " WHERE e.year = ? AND s.status = 'open' ORDER BY o.cbs_code",
            YEAR,
        )
    ]
    shared, others = open_scans[0], open_scans[1 : 1 + USERS - ONE_SCAN_SESSIONS]
    codes = [shared] * ONE_SCAN_SESSIONS + others
    assert len(codes) == USERS, "the demo has too few open scans"
    browsers = logged_in(stack, [penvoerder(code) for code in codes])

    # Each session its own question: those on the shared scan take different ones.
    questions = {}
    for code in dict.fromkeys(codes):
        browser = next(b for b in browsers if b.email == penvoerder(code))
        overview = browser.get(f"/scan/{code.lower()}/{YEAR}/")
        assert overview.status_code == 200
        sections = dict.fromkeys(
            link for link in Page(overview.text).links if f"/{YEAR}/section/" in link
        )
        found = []
        for section in sections:
            found += choices_of(browser.get(section).text)
            if len(found) >= codes.count(code):
                break
        questions[code] = found
    assert len(questions[shared]) >= ONE_SCAN_SESSIONS, "too few choice questions in the scan"
    work = [
        (browser, questions[code][index if code == shared else 0])
        for index, (browser, code) in enumerate(zip(browsers, codes, strict=True))
    ]

    def save_three_times(item):
        browser, choice = item
        statuses = []
        for step in range(1, SAVES_PER_USER + 1):
            value = choice.other_option(step)
            data = {**choice.fields, f"{choice.prefix}-value": value}
            response = browser.post(choice.url, data, headers={"X-Requested-With": "fetch"})
            statuses.append(outcome(response))
            if response.status_code != 200:
                break
            choice.take_over(response.text)
        return statuses, value

    started = time.monotonic()
    results = in_parallel(save_three_times, work)
    elapsed = time.monotonic() - started

    statuses = [
        status
        for result in results
        for status in (result[0] if isinstance(result, tuple) else [outcome(result)])
    ]
    assert errors(statuses) == [], f"{Counter(statuses)}\n{stack.log_tail()}"
    assert Counter(statuses) == {"200": USERS * SAVES_PER_USER}, Counter(statuses)
    # Every answer is in the database as last given.
    for (browser, choice), (_statuses, last) in zip(work, results, strict=True):
        code = municipality_of(browser).upper()
        (stored,) = stack.query(
            "SELECT a.value FROM monitor_answer a JOIN monitor_question q ON q.id = a.question_id"
            " JOIN monitor_scan s ON s.id = a.scan_id JOIN monitor_edition e ON e.id = s.edition_id"
            " JOIN monitor_organisation o ON o.id = s.organisation_id"
            " WHERE o.cbs_code = ? AND e.year = ? AND q.key = ?",
            code,
            YEAR,
            choice.prefix,
        )
        assert json.loads(stored[0]) == last, (code, choice.prefix)
    print(f"{len(statuses)} saves by {USERS} sessions at once in {elapsed:.1f} s")


def test_twenty_registrations_at_once_fill_three_places_and_refuse_the_rest(stack):
    """Twenty people of one municipality registered for one masterclass at once (from eight
    sessions of its penvoerder): three get a place, seventeen are told it is full."""
    code, number = "GM0197", 1  # Aalten has nobody registered for masterclass 1 in the demo
    held = (
        "SELECT count(*) FROM masterclasses_registration r"
        " JOIN masterclasses_masterclass m ON m.id = r.masterclass_id"
        " JOIN monitor_edition e ON e.id = m.edition_id"
        " JOIN monitor_organisation o ON o.id = r.organisation_id"
        " WHERE o.cbs_code = ? AND m.number = ? AND e.year = ? AND r.cancelled_at IS NULL"
    )
    assert stack.query(held, code, number, YEAR) == [(0,)]
    browsers = logged_in(stack, [penvoerder(code)] * 8)
    path = f"/masterclasses/{code.lower()}/{number}/"
    _page, form = browsers[0].form(path, path)

    def register(index):
        data = _filled(form, index)
        return browsers[index % len(browsers)].post(path, data)

    responses = in_parallel(register, list(range(USERS)))

    statuses = Counter(outcome(response) for response in responses)
    assert errors(statuses.elements()) == [], f"{statuses}\n{stack.log_tail()}"
    assert statuses == {"302": 3, "400": USERS - 3}, statuses
    refusals = [r for r in responses if not isinstance(r, Exception) and r.status_code == 400]
    assert all("the most a municipality may bring" in r.text for r in refusals)
    assert stack.query(held, code, number, YEAR) == [(3,)]


def test_logins_succeed_while_the_worker_makes_every_report_of_an_edition(stack):
    """The organiser has every report of an edition made while ten penvoerders log in and open
    their report's page: the organiser's page answers at once, every login succeeds, the pages
    show the reports being made, and the worker makes them all."""
    organiser = Browser(stack.url)
    organiser.log_in("organiser@demo.test", second_factor=True)
    submitted = [
        code
        for (code,) in stack.query(
            "SELECT o.cbs_code FROM monitor_scan s JOIN monitor_edition e ON e.id = s.edition_id"
            " JOIN monitor_organisation o ON o.id = s.organisation_id"
            " WHERE e.year = ? AND s.status = 'submitted' ORDER BY o.cbs_code",
            YEAR,
        )
    ]
    reports = (
        "SELECT r.status, count(*) FROM benchmark_report r JOIN monitor_scan s ON s.id = r.scan_id"
        " JOIN monitor_edition e ON e.id = s.edition_id WHERE e.year = ? GROUP BY r.status"
    )
    asked = {}

    def ask_for_every_report():
        started = time.monotonic()
        try:
            response = organiser.post(f"/benchmark/reports/{YEAR}/", {}, timeout=600)
        except requests.RequestException as error:
            response = error
        asked.update(outcome=outcome(response), seconds=time.monotonic() - started)

    def log_in_and_look(code):
        """A penvoerder logs in and opens its report's page: the statuses, whether the page
        said the report is being made, and whether reports were still being made then."""
        browser = Browser(stack.url)
        try:
            statuses = [outcome(r) for r in browser.log_in(penvoerder(code))]
        except AssertionError as refused:
            return browser, [str(refused)], False, 0
        page = browser.get(f"/benchmark/{code.lower()}/{YEAR}/report/")
        # data-poll: static/js/report_status.js looks again every few seconds until it is ready
        being_made = "data-poll" in page.text
        return browser, [*statuses, outcome(page)], being_made, _queued(stack, reports)

    asking = threading.Thread(target=ask_for_every_report)
    started = time.monotonic()
    asking.start()
    time.sleep(0.5)  # the organiser's request first, then the logins
    with ThreadPoolExecutor(max_workers=5) as pool:
        looked = list(pool.map(log_in_and_look, submitted[:LOGINS]))
    logins_took = time.monotonic() - started
    asking.join()

    statuses = [status for _browser, result, _made, _queued_then in looked for status in result]
    assert errors(statuses) == [], f"{Counter(statuses)}\n{stack.log_tail()}"
    assert Counter(statuses) == {"200": 2 * LOGINS, "302": LOGINS}, Counter(statuses)
    assert asked["outcome"] == "302", asked
    assert asked["seconds"] < QUICK_SECONDS, f"the organiser waited {asked['seconds']:.1f} s"
    # The logins really overlapped the work: reports were being made when some were done, and
    # their pages said so.
    assert any(queued for *_rest, queued in looked), "every report was made before any login"
    watchers = [browser for browser, _result, being_made, _queued_then in looked if being_made]
    assert watchers, "no report page showed a report being made"

    deadline = time.monotonic() + 180
    while _queued(stack, reports):
        assert time.monotonic() < deadline, f"reports not made:\n{stack.log_tail()}"
        time.sleep(1)
    made_in = time.monotonic() - started
    assert dict(stack.query(reports, YEAR)) == {"done": len(submitted)}
    # A page that showed its report being made now offers it, and it downloads.
    code = municipality_of(watchers[0])
    assert "data-poll" not in watchers[0].get(f"/benchmark/{code}/{YEAR}/report/").text
    download = watchers[0].get(f"/benchmark/{code}/{YEAR}/report.pdf")
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    print(
        f"organiser's request {asked['seconds']:.2f} s; {LOGINS} logins in {logins_took:.1f} s; "
        f"{len(submitted)} reports made in {made_in:.0f} s"
    )


def _queued(stack, reports: str) -> int:
    return dict(stack.query(reports, YEAR)).get("queued", 0)


def test_stopping_the_stack_stops_the_worker_too(stack):
    """Ctrl-C (SIGINT to scripts/run/embedded.py) ends the server and the worker: none of the
    processes it started is left running. The last test of the module: it ends the stack."""
    children = stack.children()
    assert len(children) == 2, children  # the worker and the server
    assert stack.stop() == 0, stack.log_tail()
    time.sleep(0.5)
    alive = [pid for pid in children if _alive(pid)]
    assert alive == [], f"still running after Ctrl-C: {alive}\n{stack.log_tail()}"
    assert "Warm shutdown" in stack.log_tail(200)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def _filled(form: dict, index: int) -> list[tuple[str, str]]:
    """The registration form of a municipality's masterclass page, filled in for person
    ``index``: the first session offered, the Chatham House Rule accepted."""
    data = []
    for item in form["fields"]:
        name, kind = item["name"], item["type"]
        if not name or name == "csrfmiddlewaretoken" or kind in ("submit", "button"):
            continue
        field = name.split("-", 1)[-1]
        if kind == "select":
            data.append((name, next(option for option in item["options"] if option)))
        elif kind == "checkbox":
            data.append((name, item["value"] or "on"))
        elif field == "name":
            data.append((name, f"Deelnemer {index}"))
        elif field == "email":
            data.append((name, f"deelnemer{index}@aalten.example"))
        elif field == "function":
            data.append((name, "inkoper"))
        else:
            data.append((name, item["value"]))
    return data
