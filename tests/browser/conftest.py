"""The browser-test harness: Debian's Chromium driven by Playwright against pytest-django's
live server.

- one browser for the whole session (starting Chromium is the slow part), a fresh context and
  page per test, so no cookie, session or language choice leaks from one test into the next;
- the live server runs in a thread of this process on a transactional test database, so the
  user fixtures of tests/conftest.py (which ask for ``db``) are visible to it: pytest-django
  makes ``db`` transactional for any test that uses ``live_server``;
- the helpers that tests call on every page (``visit``, ``assert_accessible``, ``log_in``, …)
  live in tests/browser/helpers.py.

Playwright never downloads a browser here: it starts /usr/bin/chromium from the Debian package.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an event loop running in the main thread, the thread in which the
# test and its factories use the database; Django would refuse them without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
# Long enough for a slow CI machine, short enough that a wrong selector fails fast.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (
            f"BROWSER TESTS NOT RUN: {CHROMIUM} is missing. Install Debian's chromium package "
            "(apt-get install chromium); these tests never download a browser."
        )
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    # An English-language browser, as many civil servants have: the site is still Dutch until
    # the user picks English with the switch in the header.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
