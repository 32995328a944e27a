"""A user of the embedded server, through HTTP as a browser and static/js/autosave.js talk to
it: its own session cookie, the login form, the forms of a page, a question block's autosave.

Each user comes from an address of its own (X-Forwarded-For; the stack trusts one proxy), as
the people of twenty municipalities would: allauth allows 30 logins a minute per address."""

import itertools
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser

import requests

PASSWORD = "demo"  # seed_demo's default
DEMO_TOTP_CODE = "000000"  # accepted under `make run` (scripts/run/embedded.py)
TIMEOUT = 60  # seconds; longer than SQLite's busy timeout, so a waiting request can answer

_addresses = itertools.count(1)
_addresses_lock = threading.Lock()


def _next_address() -> str:
    with _addresses_lock:
        number = next(_addresses)
    return f"10.20.{number // 250}.{number % 250 + 1}"


class Page(HTMLParser):
    """The fields of a page (name, type, value, checked, the options of a select), the forms
    they are in, and the question blocks (``data-prefix`` → their autosave URL)."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: list[dict] = []
        self.forms: list[dict] = []
        self.blocks: dict[str, str] = {}
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower()}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif tag == "div" and a.get("data-prefix") and a.get("data-autosave-url"):
            self.blocks[a["data-prefix"]] = a["data-autosave-url"]
        elif tag in ("input", "select", "textarea"):
            item = {
                "name": a.get("name", ""),
                "type": a.get("type", "text").lower() if tag == "input" else tag,
                "value": a.get("value", ""),
                "checked": "checked" in a,
                "options": [],
            }
            self.fields.append(item)
            if self._form is not None:
                self._form["fields"].append(item)
            self._select = item if tag == "select" else None
            self._textarea = item if tag == "textarea" else None
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag in ("select", "textarea"):
            self._select = self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def named(self, name: str) -> list[dict]:
        return [item for item in self.fields if item["name"] == name]


@dataclass
class Choice:
    """One single-choice question of a scan, as its block on the section page holds it."""

    prefix: str
    url: str
    options: list[str]
    fields: dict[str, str]  # what autosave.js posts besides the value: version, original, …
    current: str

    def other_option(self, step: int) -> str:
        """The option ``step`` places after the one chosen when the page was read."""
        start = self.options.index(self.current) if self.current in self.options else -1
        return self.options[(start + step) % len(self.options)]

    def take_over(self, html: str) -> None:
        """After a save: the block's new version (as autosave.js's takeOver does)."""
        page = Page(html)
        for name in self.fields:
            found = page.named(name)
            if found:
                self.fields[name] = found[-1]["value"]


def choices_of(html: str) -> list[Choice]:
    """The single-choice questions of a section page that can be saved one by one."""
    page = Page(html)
    choices = []
    for prefix, url in page.blocks.items():
        radios = [f for f in page.named(f"{prefix}-value") if f["type"] == "radio"]
        if not radios:
            continue
        others = {
            item["name"]: item["value"]
            for item in page.fields
            if item["name"].startswith(f"{prefix}-")
            and item["name"] != f"{prefix}-value"
            and item["type"] not in ("radio", "checkbox", "file", "submit")
        }
        current = next((f["value"] for f in radios if f["checked"]), "")
        choices.append(Choice(prefix, url, [f["value"] for f in radios], others, current))
    return choices


@dataclass
class Browser:
    base: str
    email: str = ""
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self):
        self.session.headers["X-Forwarded-For"] = _next_address()
        # English pages, so that the tests can read the refusals they expect.
        self.session.cookies.set("django_language", "en")

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.get(self.base + path, **kwargs)

    def post(self, path: str, data, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        payload = [("csrfmiddlewaretoken", self.session.cookies.get("csrftoken", ""))]
        payload += list(data.items()) if isinstance(data, dict) else list(data)
        return self.session.post(self.base + path, data=payload, **kwargs)

    def log_in(self, email: str, *, second_factor: bool = False) -> list[requests.Response]:
        """Through allauth's login form, as a person would; staff then give the demo's code.
        Returns every response, for the caller to count; raises if the login did not succeed."""
        self.email = email
        responses = [self.get("/accounts/login/")]
        responses.append(self.post("/accounts/login/", {"login": email, "password": PASSWORD}))
        if second_factor:
            responses.append(self.post("/accounts/2fa/authenticate/", {"code": DEMO_TOTP_CODE}))
        last = responses[-1]
        if last.status_code != 302 or "/accounts/" in last.headers.get("Location", "/accounts/"):
            raise AssertionError(f"login of {email} failed: {[r.status_code for r in responses]}")
        return responses

    def form(self, path: str, action: str) -> tuple[requests.Response, dict]:
        """The page at ``path`` and its POST form whose action contains ``action``."""
        response = self.get(path)
        forms = [
            form
            for form in Page(response.text).forms
            if form["method"] == "post" and action in form["action"]
        ]
        if response.status_code != 200 or not forms:
            raise AssertionError(f"GET {path}: HTTP {response.status_code}, no form {action}")
        return response, forms[0]
