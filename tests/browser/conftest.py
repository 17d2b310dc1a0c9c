"""The page in a real browser: Debian's Chromium driven by Playwright, the app on a free port.

Skips, saying why, when /usr/bin/chromium or Playwright is missing (.ci/run installs
both). `playwright install` is never needed: the browser is the system's.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path(os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright is not installed (requirements-dev.txt)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the test output is not an access log
        pass


@pytest.fixture
def base_url(scoring_app):
    """The app with the default model over a fresh migrated SQLite database, on a free port."""
    server = make_server("127.0.0.1", 0, scoring_app, threaded=True,
                         request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


class PageWatch:
    """What the page asked for and what the console said, to check after each test."""

    def __init__(self, base_url):
        self.base_url, self.requests, self.errors = base_url, [], []

    def outside(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base_url + "/")]

    def script_errors(self) -> list[str]:
        # Chrome reports each 4xx answer too; the tests provoke those on purpose.
        return [text for text in self.errors if not text.startswith("Failed to load resource")]


@pytest.fixture
def watch(base_url):
    return PageWatch(base_url)


@pytest.fixture
def page(browser, base_url, watch, request):
    """A fresh tab on the page; saves a screenshot under test-artifacts/ after the test."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.on("request", lambda sent: watch.requests.append(sent.url))
    tab.on("console", lambda message: watch.errors.append(message.text)
           if message.type == "error" else None)
    tab.on("pageerror", lambda error: watch.errors.append(str(error)))
    tab.goto(base_url + "/")
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    # Every test also checks: nothing fetched from outside, no script or CSP error.
    assert watch.outside() == []
    assert watch.script_errors() == []
