"""The load test's simulated users (scripts/loadtest/README.md). Run by run.sh, never against
anything but 127.0.0.1.

- PingUser (phase 1, the baseline and the saturation): logs in and reads two sections of its
  own scan, asks for /ping paced like a person (the latency floor), then in turns, each for
  LOADTEST_SEGMENT seconds, asks for /ping back to back ("ping (max)") and saves answers back
  to back ("save (max)"): the most pings and the most saves a second the same server answers,
  measured in the same run (LOADTEST_ROUNDS times each, interleaved, to see the noise).
- ScanEditor (phase 2): a penvoerder of a municipality of its own (seed.py) who logs in, opens
  the scan overview, opens sections and saves answers one at a time exactly as
  static/js/autosave.js does: the value, the question's hidden "version" and "original" and
  the CSRF token, posted to the block's data-autosave-url with "X-Requested-With: fetch"; the
  version and original of the block in the answer are taken over for the next save.
- ResultsViewer (phase 2): a penvoerder whose scan of the published edition was submitted,
  who opens the results page and, as the browser does for its <img> tags, its three charts.

Environment: LOADTEST_ACCOUNTS (the JSON seed.py wrote), LOADTEST_SAMPLES (a CSV file every
request is appended to, for report.py), LOADTEST_THINK (a factor on every think time, 1);
phase 1 also LOADTEST_PING_PACED, LOADTEST_SEGMENT and LOADTEST_ROUNDS (run.sh sets them).
Each simulated user sends an X-Forwarded-For address of its own, as the reverse proxy in
front of gunicorn does in production (TRUSTED_PROXY_COUNT=1): allauth limits logins to 30 a
minute per address, and fifty people do not share one.
"""

import html
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

# Think times and the answers given: no secret depends on them.
rng = random.Random()  # noqa: S311  # nosec B311
ACCOUNTS = json.loads(Path(os.environ["LOADTEST_ACCOUNTS"]).read_text())
THINK = float(os.environ.get("LOADTEST_THINK", "1"))
# Only for finding out what the charts cost the other pages: LOADTEST_CHARTS=0 leaves them out.
CHARTS = os.environ.get("LOADTEST_CHARTS", "1") != "0"
# Question types answered, with values valid for the type (no amounts: their limits between
# questions would turn some random saves into legitimate refusals).
ANSWERED_TYPES = {"scale", "single", "yesno", "multiple", "number", "percentage"}
SECTIONS = {
    key: [q for q in questions if q["type"] in ANSWERED_TYPES]
    for key, questions in ACCOUNTS["sections"].items()
}
SECTIONS = {key: questions for key, questions in SECTIONS.items() if questions}

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECTION_LINK = re.compile(r'href="(/scan/[a-z0-9]+/\d+/section/([a-z0-9_-]+)/)"')
BLOCK_START = re.compile(r'<div class="cimolt-question[^"]*"')
ATTR = re.compile(r'\s(data-[a-z-]+|id)="([^"]*)"')
INPUT = re.compile(r"<input\b[^>]*>")
INPUT_ATTR = re.compile(r'([a-z-]+)(?:="([^"]*)")?')


# --- The measured window, and every request to a file of samples for report.py --------------
# The window opens when every simulated user has logged in (the burst of first logins, at
# ~0.6 s of PBKDF2 each, is ramp-up) and lasts LOADTEST_WINDOW seconds; then the run ends.
# Phase 1 paces its pings for LOADTEST_PING_PACED seconds of it (the latency floor), then runs
# LOADTEST_ROUNDS rounds of two segments of LOADTEST_SEGMENT seconds each: pings back to back,
# then saves back to back (the throughput ceilings of both, side by side on one server). Each
# segment's start is written to the samples as a marker "#segment <kind> <round>".

WINDOW = float(os.environ.get("LOADTEST_WINDOW", "120"))
PING_PACED = float(os.environ.get("LOADTEST_PING_PACED", "15"))
SEGMENT = float(os.environ.get("LOADTEST_SEGMENT", "0"))
ROUNDS = int(os.environ.get("LOADTEST_ROUNDS", "0"))
_samples = None
# "mode": None before the window and while pacing, else "ping" or "save" (phase 1's segments).
_state = {"logged_in": 0, "all_in": None, "users": 0, "mode": None}


def _mark(label: str, value=0):
    if _samples is not None:
        _samples.write(f"{time.time():.3f},#{label},{value},0,\n")


@events.test_start.add_listener
def _open_samples(environment, **kwargs):
    global _samples
    path = os.environ.get("LOADTEST_SAMPLES")
    if path:
        _samples = open(path, "a", buffering=1024 * 1024)  # noqa: SIM115 (closed at test_stop)
    _state["users"] = environment.parsed_options.num_users
    _mark("test_start", _state["users"])
    gevent.spawn(_run_window, environment)


def _run_window(environment):
    while _state["all_in"] is None:
        gevent.sleep(0.2)
    if SEGMENT and ROUNDS:
        gevent.sleep(PING_PACED)
        for number in range(1, ROUNDS + 1):
            for kind in ("ping", "save"):
                _state["mode"] = kind
                _mark(f"segment {kind} {number}", SEGMENT)
                gevent.sleep(SEGMENT)
    else:
        gevent.sleep(WINDOW)
    _mark("window_end", WINDOW)
    environment.runner.quit()


def logged_in():
    _state["logged_in"] += 1
    if _state["all_in"] is None and _state["logged_in"] >= _state["users"]:
        _state["all_in"] = time.time()
        _mark("all_logged_in", _state["logged_in"])


def in_window() -> bool:
    return _state["all_in"] is not None


def saturating() -> str | None:
    """In phase 1's segments, what is asked back to back: "ping" or "save"."""
    return _state["mode"]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, start_time=None, **kw):
    if _samples is not None:
        failed = 0 if exception is None else 1
        reason = "" if exception is None else str(exception).replace(",", ";")[:120]
        when = start_time if start_time is not None else time.time()
        _samples.write(f"{when:.3f},{name},{response_time:.2f},{failed},{reason}\n")


@events.test_stop.add_listener
def _close_samples(environment, **kwargs):
    global _samples
    if _samples is not None:
        _mark("test_stop")
        _samples.close()
        _samples = None


# --- Parsing the section page as the browser's script sees it ------------------------------


def parse_blocks(page: str) -> dict[str, dict]:
    """The question blocks of a section page (or the one block autosave answers with): per
    prefix, its autosave URL and its fields' current state."""
    blocks = {}
    starts = [m.start() for m in BLOCK_START.finditer(page)] + [len(page)]
    for begin, end in itertools.pairwise(starts):
        chunk = page[begin:end]
        head = chunk[: chunk.find(">")]
        attrs = dict(ATTR.findall(head))
        prefix = attrs.get("data-prefix")
        if not prefix:
            continue
        fields = {"choices": [], "checked": [], "text": None, "hidden": {}}
        for tag in INPUT.findall(chunk):
            items = dict(INPUT_ATTR.findall(tag[len("<input") : -1]))
            name = items.get("name", "")
            if not name.startswith(prefix + "-"):
                continue  # the evidence and remark fields belong to forms of their own
            value = html.unescape(items.get("value", ""))
            kind = items.get("type", "text")
            if kind in ("radio", "checkbox"):
                fields["choices"].append(value)
                if "checked" in items:
                    fields["checked"].append(value)
            elif kind == "hidden":
                fields["hidden"][name] = value
            else:
                fields["text"] = value
        blocks[prefix] = {
            "url": attrs.get("data-autosave-url"),
            "state": attrs.get("data-state"),
            **fields,
        }
    return blocks


def new_value(question: dict, block: dict) -> list[str]:
    """What the user gives this time: always a change, and valid for the question's type."""
    kind = question["type"]
    if kind in ("scale", "single", "yesno"):
        others = [c for c in block["choices"] if c not in block["checked"]] or block["choices"]
        return [rng.choice(others)]
    if kind == "multiple":
        options = [c for c in block["choices"] if c != "geen"] or block["choices"]
        chosen = sorted(rng.sample(options, rng.randint(1, min(3, len(options)))))
        if chosen == sorted(block["checked"]):
            chosen = [c for c in options if c not in chosen][:1] or chosen[:-1] or options[:1]
        return chosen
    top = 100 if kind == "percentage" else 40
    current = block["text"]
    while True:
        # As a Dutch civil servant types it: "12" or "12,5".
        number = rng.randint(0, top - 1)
        typed = f"{number},5" if rng.random() < 0.3 else str(number)
        if typed != current:
            return [typed]


# --- The users -------------------------------------------------------------------------------


def thinking(low: float, high: float):
    """A locust wait_time: between low and high seconds, times LOADTEST_THINK."""
    return lambda user: rng.uniform(low, high) * THINK


_counters: dict[str, itertools.count] = {}


def next_account(pool: str) -> dict:
    """Each simulated user its own account: no two users on one scan."""
    accounts = ACCOUNTS[pool]
    number = next(_counters.setdefault(pool, itertools.count()))
    if number >= len(accounts):
        raise RuntimeError(f"more simulated users than {pool} accounts ({len(accounts)})")
    return accounts[number]


_addresses = itertools.count(1)


class Penvoerder(FastHttpUser):
    abstract = True
    pool = "editors"
    connection_timeout = 30.0
    network_timeout = 30.0

    def on_start(self):
        self.account = next_account(self.pool)
        self.code, self.year = self.account["code"], self.account["year"]
        number = next(_addresses)
        self.headers = {
            "X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}",
            "Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8",
        }
        self.origin = "{0.scheme}://{0.netloc}".format(urlparse(self.host))
        self.login()
        self.prepare()
        logged_in()

    def prepare(self):
        """What a user does once before the measured window opens."""

    def think(self, low: float, high: float):
        gevent.sleep(rng.uniform(low, high) * THINK)

    def get(self, path: str, name: str, expect: int = 200, must_contain: str | None = None):
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
            elif must_contain and must_contain not in (response.text or ""):
                response.failure(f"page without {must_contain!r}")
            else:
                response.success()
            return response

    def post(self, path, name, data, expect: int, extra=None, check=None):
        """A form post as the browser sends it (a form, or autosave.js's URLSearchParams);
        ``check`` may find fault with the answer."""
        headers = {**self.headers, "Origin": self.origin, "Referer": self.host + path}
        headers.update(extra or {})
        body = urlencode(data)
        headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
        with self.client.post(
            path,
            name=name,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            problem = None
            if response.status_code != expect:
                problem = f"HTTP {response.status_code}, expected {expect}"
            elif check is not None:
                problem = check(response)
            if problem:
                response.failure(problem)
            else:
                response.success()
            return response

    def login(self):
        """allauth's login form: its CSRF cookie and token, then login and password."""
        page = self.get("/accounts/login/", "login form")
        match = CSRF_INPUT.search(page.text or "")
        if match is None:
            raise StopUser("no login form")
        response = self.post(
            "/accounts/login/",
            "login",
            {
                "csrfmiddlewaretoken": match.group(1),
                "login": self.account["email"],
                "password": ACCOUNTS["password"],
            },
            expect=302,
        )
        if response.status_code != 302:
            raise StopUser("login failed")
        # Where LOGIN_REDIRECT_URL sends the browser: the municipality's home page.
        self.get(response.headers.get("Location", "/"), "home")

    def logout(self):
        page = self.get("/accounts/logout/", "logout form")
        match = CSRF_INPUT.search(page.text or "")
        if match:
            self.post("/accounts/logout/", "logout", {"csrfmiddlewaretoken": match.group(1)}, 302)

    # --- Filling in the scan, as the section page and autosave.js do ------------------------

    def open_section(self, key: str) -> dict | None:
        """A section page of the user's scan: its CSRF token and its question blocks."""
        path = f"/scan/{self.code}/{self.year}/section/{key}/"
        response = self.get(path, "section page", must_contain="data-autosave")
        page = response.text or ""
        match = CSRF_INPUT.search(page)
        blocks = parse_blocks(page)
        if match is None or not blocks:
            return None
        questions = [q for q in SECTIONS[key] if q["key"] in blocks]
        return {"path": path, "csrf": match.group(1), "blocks": blocks, "questions": questions}

    def save(self, question: dict, section: dict, name: str = "save answer"):
        """One answer saved exactly as autosave.js saves it: a form body of the CSRF token and
        the question's fields (its value, and its hidden version and original), posted to the
        block's data-autosave-url asking for JSON; from a JSON answer the new version and
        original are taken over for the next save, and the fields stay as the user left
        them. A block that shows a mistake asks for HTML (the whole block) instead."""
        prefix = question["key"]
        block = section["blocks"][prefix]
        values = new_value(question, block)
        data = [("csrfmiddlewaretoken", section["csrf"])]
        data += [(f"{prefix}-value", value) for value in values]
        data += list(block["hidden"].items())  # "<prefix>-version" and "<prefix>-original"
        wants_block = block["state"] == "error"
        accept = "text/html" if wants_block else "application/json, text/html;q=0.9"

        def take_over(response):
            kind = response.headers.get("Content-Type") or ""
            if kind.startswith("application/json"):
                state = response.json()
                if not state.get("saved"):
                    # Every value given here is a change: "nothing changed" would be a bug.
                    return "answer not saved (the server saw no change)"
                block["hidden"][f"{prefix}-version"] = str(state["version"])
                block["hidden"][f"{prefix}-original"] = state["original"]
                block["state"] = "saved"
            else:
                # As autosave.js's applyBlock: the version and original of the block.
                fresh = parse_blocks(response.text or "").get(prefix)
                if fresh is None or fresh["state"] != "saved":
                    return f"answer not saved (block state {fresh and fresh['state']})"
                block.update(hidden=fresh["hidden"], state=fresh["state"])
            if question["type"] in ("number", "percentage"):
                block["text"] = values[0]
            else:
                block["checked"] = values
            return None

        self.post(
            block["url"],
            name,
            data,
            expect=200,
            extra={
                "X-Requested-With": "fetch",
                "Accept": accept,
                "Referer": self.host + section["path"],
            },
            check=take_over,
        )


class PingUser(Penvoerder):
    """Phase 1. The framework's floor, /ping: every middleware and the session, no template,
    no query of its own; first paced like a person (the latency floor). Then the ceilings, in
    turns: pings back to back (the most requests a second the server answers at all), and
    answers saved back to back, each user in its own scan (the most saves a second)."""

    pool = "editors"

    def prepare(self):
        # Two sections of its own scan, read before the window opens, to save answers in.
        keys = rng.sample(sorted(SECTIONS), min(2, len(SECTIONS)))
        sections = [s for s in map(self.open_section, keys) if s is not None]
        self.questions = [(q, s) for s in sections for q in s["questions"]]

    def wait_time(self):
        return 0 if saturating() else rng.uniform(1, 3) * THINK

    @task
    def ask(self):
        mode = saturating()
        if mode == "save" and self.questions:
            question, section = rng.choice(self.questions)
            self.save(question, section, name="save (max)")
            return
        name = "ping (max)" if mode == "ping" else "ping" if in_window() else "ping (ramp-up)"
        self.get("/ping", name, must_contain="ok")


class ScanEditor(Penvoerder):
    """Fills in the open scan of a municipality of its own."""

    weight = 4
    pool = "editors"
    wait_time = thinking(3, 8)  # from one section to the next

    def on_start(self):
        super().on_start()
        self.sections_done = 0
        self.session_length = rng.randint(2, 5)  # sections before logging out for a break
        self.overview()

    def overview(self):
        response = self.get(f"/scan/{self.code}/{self.year}/", "scan overview")
        found = {key for _path, key in SECTION_LINK.findall(response.text or "")}
        self.section_keys = sorted(found & SECTIONS.keys()) or sorted(SECTIONS)

    @task
    def work_on_a_section(self):
        section = self.open_section(rng.choice(self.section_keys))
        if section is None:
            return
        questions = section["questions"]
        self.think(5, 15)  # reading the section's introduction and its first question
        for question in rng.sample(questions, min(len(questions), rng.randint(2, 6))):
            self.save(question, section)
            self.think(4, 12)  # reading the next question and its help, choosing an answer
        self.sections_done += 1
        if self.sections_done % 3 == 0:
            self.overview()
        if self.sections_done >= self.session_length:
            # A break: log out, come back later and log in again.
            self.logout()
            self.think(5, 15)
            self.login()
            self.sections_done, self.session_length = 0, rng.randint(2, 5)
            self.overview()


class ResultsViewer(Penvoerder):
    """Opens the results of the published edition, and its three charts as <img> tags do."""

    weight = 1
    pool = "viewers"
    # Reading a part of the results (scores, position among peers, spend, advice, goals), then
    # opening them again, as after setting a goal or coming back from the report page.
    wait_time = thinking(10, 30)

    @task
    def results(self):
        base = f"/benchmark/{self.code}/{self.year}/"
        self.get(base, "results page", must_contain="cimolt-chart")
        for chart in ("scores", "spend", "trend") if CHARTS else ():
            self.get(f"{base}{chart}.svg", "results chart")
