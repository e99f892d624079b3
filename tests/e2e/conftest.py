"""Browser tests: the app served on loopback by a real HTTP server (the session's test database), pages
of other sites on other ports, and Debian's Chromium driven by Playwright. Shared by every browser test."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import make_test_app
from tests.helpers import TEST_PASSWORD

# Debian's package (`make test` installs it): Playwright never downloads a browser of its own here.
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on 127.0.0.1 and a free port, in a thread, until the block ends: its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="session")
def live_server(app, database_url, celery_settings) -> Iterator[LiveServer]:
    """The app as a browser meets it: real host names, CSRF on. It uses the session's database (migrated by
    `app`), so the tests' factories and assertions see its rows."""
    live_app = make_test_app(database_url, celery_settings, SERVER_NAME=None, WTF_CSRF_ENABLED=True)
    with serving(live_app) as url:
        yield LiveServer(url, live_app)


@dataclass(frozen=True)
class HostSite:
    """Another site (another origin) whose page frames the address given to `framing`."""

    origin: str

    def framing(self, url: str) -> str:
        return f"{self.origin}/?{urlencode({'src': url})}"


class _FramingPage(BaseHTTPRequestHandler):
    def do_GET(self):
        src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
        body = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Plateforme de la ville</title></head>'
            f'<body><h1>Plateforme de la ville</h1><iframe src="{escape(src)}" title="Consultation" '
            'width="900" height="900"></iframe></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # keep the test output quiet
        pass


def _host_site() -> Iterator[HostSite]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FramingPage)
    thread = threading.Thread(target=server.serve_forever, name="host-site", daemon=True)
    thread.start()
    yield HostSite(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def platform_site() -> Iterator[HostSite]:
    yield from _host_site()


@pytest.fixture(scope="session")
def foreign_site() -> Iterator[HostSite]:
    yield from _host_site()


# Headless in a container or CI: no sandbox or GPU, and nothing the browser would fetch or sync on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Browser tests skipped: Chromium is not installed at {CHROMIUM} (`make test` or `apt-get install chromium`).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def browser_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser profile (no cookie left by another test), French like the users, on a
    desktop-sized window."""
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    context.set_default_timeout(5000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    with browser_page(browser) as page:
        yield page


DESKTOP = {"width": 1280, "height": 800}
# A small phone. A page that fits it also reflows at 200 % zoom on a 1280 px desktop (640 CSS px wide).
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def overflows_phone(page: Page) -> str | None:
    """Narrows the page to a phone's width: what sticks out (forcing sideways scrolling), if anything."""
    page.set_viewport_size(PHONE)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width <= PHONE["width"]:
            return None
        widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(-3).map(e => e.outerHTML.slice(0, 120))""")
        return f"{width} px wide on a {PHONE['width']} px phone, because of: {widest}"
    finally:
        page.set_viewport_size(DESKTOP)


def save_screenshots(page: Page, name: str) -> None:
    """The whole page on a desktop and on a phone, for people to look at (test artefacts, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    file_name = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    page.screenshot(path=SCREENSHOTS / f"{file_name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / f"{file_name}-360px.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def sign_in(page: Page, live_server: LiveServer, participant, password: str = TEST_PASSWORD) -> None:
    """Signs in through the real form, top-level, as a person would."""
    page.goto(f"{live_server.url}/auth/login")
    fill_sign_in_form(page, participant, password)
    page.wait_for_url(f"{live_server.url}/")


def fill_sign_in_form(page: Page, participant, password: str = TEST_PASSWORD) -> None:
    page.get_by_label("Adresse e-mail").fill(participant.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
