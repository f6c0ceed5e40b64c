"""Browser tests: Debian's chromium driven by Playwright, axe-core over every page.

Chromium is never downloaded: the launch points at /usr/bin/chromium (CHROMIUM_PATH overrides).
In CI a missing browser fails the run rather than skipping it.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's chromium is missing at {CHROMIUM}: run `make browser` (apt-get install chromium)."
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin"}


@pytest.fixture(autouse=True)
def _short_timeouts(context):
    """Fail in seconds, not half a minute, when an element does not appear."""
    context.set_default_timeout(10_000)


@pytest.fixture(autouse=True)
def _e2e_db(transactional_db):
    """Browser tests talk to a live server in another thread: they need committed data."""


_axe = Axe()


def assert_accessible(page, context=""):
    """Run axe-core over the page for WCAG 2.0/2.1 A and AA; fail with the report if anything is found."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{context or page.url}:\n{results.generate_report()}"


@pytest.fixture
def axe_check():
    return assert_accessible


def session_cookie(user, url):
    """A logged-in session for `user`, as a cookie for the browser."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = django_settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


@pytest.fixture
def login_as(live_server, context):
    """Put a logged-in session cookie for `user` into the browser context."""

    def login(user):
        context.add_cookies([session_cookie(user, live_server.url)])

    return login
