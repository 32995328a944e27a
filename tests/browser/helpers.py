"""What a browser test does on every page: go there as a user would, and check it with axe.

Every page a browser test visits is checked against WCAG 2.0 and 2.1, levels A and AA (the
accessibility statement promises this). Use ``visit`` to open a page and ``submit`` to send a
form; both run axe on the page they end on. Call ``assert_accessible`` yourself after anything
else that changes the page. For the path without JavaScript, make the browser context with
``context_without_javascript``: its pages are checked the same way, as a copy.
"""

import time
from contextlib import contextmanager

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD, TOTP_SECRET

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
AXE = Axe()

LOGIN_URL = "/accounts/login/"
TOTP_PERIOD = 30


def assert_accessible(page):
    """Fail the test with every axe violation on the page as it is now."""
    violations = AXE.run(_page_for_axe(page), options=AXE_OPTIONS).response["violations"]
    if not violations:
        return
    lines = [f"{page.url} has {len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {', '.join(map(str, node['target']))}")
            lines.append(f"    html:   {node['html']}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", "\n            ")
                lines.append(f"    why:    {summary}")
    pytest.fail("\n".join(lines), pytrace=False)


@contextmanager
def context_without_javascript(browser, **options):
    """A browser context with JavaScript switched off, for the no-JavaScript path.

    axe is JavaScript and never finishes in such a page (its timers do not run), so
    ``assert_accessible`` checks a copy instead: the page's DOM as it is now, served at the same
    address in a twin context that runs scripts but blocks the page's own, so the copy looks
    exactly like what the user without JavaScript sees."""
    context = browser.new_context(java_script_enabled=False, **options)
    twin = browser.new_context(**options)
    context.axe_twin = twin
    try:
        yield context
    finally:
        context.close()
        twin.close()


def _page_for_axe(page):
    twin = getattr(page.context, "axe_twin", None)
    if twin is None:
        return page
    html = page.content()
    copy = twin.pages[0] if twin.pages else twin.new_page()

    def serve(route):
        if route.request.is_navigation_request():
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif route.request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    copy.route("**/*", serve)
    try:
        copy.goto(page.url)
    finally:
        copy.unroute("**/*", serve)
    return copy


def visit(page, url, *, status=200):
    """Open ``url`` (relative to the live server), check the status and the page with axe."""
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    if status is not None:
        assert response.status == status, f"{url} answered {response.status}, not {status}"
    assert_accessible(page)
    return response


def submit(page, button):
    """Click a form's submit button, wait for the page it leads to and check that with axe."""
    with page.expect_navigation():
        button.click()
    assert_accessible(page)


def follow(page, link):
    """Click a link, wait for the page it leads to and check that with axe."""
    with page.expect_navigation():
        link.click()
    assert_accessible(page)


def html_lang(page):
    return page.locator("html").get_attribute("lang")


def switch_language(page, code):
    """Use the language switch in the header, as a user would."""
    switch = page.locator('header form[action="/i18n/setlang/"]')
    submit(page, switch.locator(f'button[name="language"][value="{code}"]'))
    assert html_lang(page) == code


def current_totp_code():
    """The code the authenticator app of a StaffFactory account shows now. allauth accepts only
    the current period's code, so near the end of a period wait for the next one."""
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < 3:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.1)
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time() // TOTP_PERIOD)))


def log_in(page, email, password=PASSWORD):
    """Log in through the login form and, for staff, the second-factor step; each page of the
    way is checked with axe. Ends on the page the login leads to."""
    enter_password(page, email, password)
    if page.locator('input[name="code"]').count():
        enter_code(page)
    assert "/accounts/" not in page.url, f"login of {email} ended on {page.url}"


def enter_password(page, email, password=PASSWORD):
    """Fill in and send the login form; ends on the page that follows (home, second factor, or
    the form again with an error)."""
    visit(page, LOGIN_URL)
    form = page.locator(f'form[action="{LOGIN_URL}"]')
    form.locator('input[name="login"]').fill(email)
    form.locator('input[name="password"]').fill(password)
    submit(page, form.locator('button[type="submit"]'))


def enter_code(page, code=None):
    """Fill in the second-factor page with the authenticator's current code."""
    field = page.locator('input[name="code"]')
    field.fill(code or current_totp_code())
    # The code form also holds allauth's "Cancel" button, which belongs to another form.
    form = field.locator("xpath=ancestor::form")
    submit(page, form.locator('button[type="submit"]:not([form])'))


def log_out(page):
    """Press the log-out button in the header (the page must be in Dutch)."""
    submit(page, page.locator("header").get_by_role("button", name="Uitloggen"))
