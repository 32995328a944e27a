"""The harness itself: the accessibility check must fail on a page that breaks WCAG, and only
on WCAG rules, or every other browser test proves nothing."""

import pytest
from django.db import connection

from tests.browser.helpers import assert_accessible


def test_accessibility_check_fails_and_names_each_violation(page):
    page.set_content(
        '<html lang="nl"><head><title>Fout</title></head>'
        '<body><main><img src="grafiek.png"><button></button></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert "image-alt" in report
    assert "button-name" in report
    assert '<img src="grafiek.png">' in report


def test_accessibility_check_ignores_rules_outside_wcag_a_and_aa(page):
    # Content outside any landmark breaks only axe's "region" best practice.
    page.set_content(
        '<html lang="nl"><head><title>Goed</title></head><body><p>Tekst</p></body></html>'
    )
    assert_accessible(page)


def test_user_fixtures_are_committed_where_the_live_server_can_see_them(live_server, alice):
    # tests/conftest.py's users ask for ``db``; next to ``live_server`` that is the
    # transactional database, so no test transaction hides them from the server's thread.
    assert not connection.in_atomic_block
