"""Real browser tests: Playwright driving Debian's Chromium against a live Django server.

Locally they skip when Chromium is not installed; in CI (CI=true) a missing browser is a failure.
"""

import os
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _SerialWSGIServer(WSGIServer):
    """The live server, one request at a time, for SQLite.

    Django's threaded live server hands every request thread the test's own SQLite connection
    (an in-memory database has no other). When Chromium sends two requests at once (a page and
    its favicon, say) both use that one connection at the same time, and SQLite answers "database
    table is locked" to one of them. Serving requests in turn removes the race; PostgreSQL keeps
    the threaded server, where each request has its own connection.
    """

    def __init__(self, *args: object, connections_override: object = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = _SerialWSGIServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required for browser tests in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed; browser tests skipped outside CI")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1200, "height": 1000}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
