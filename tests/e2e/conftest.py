"""Browser tests: the app served on loopback by a real HTTP server (the session's test database), pages
of other sites on other ports, and Debian's Chromium driven by Playwright. Shared by every browser test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


@pytest.fixture(scope="session")
def live_server(app, database_url, celery_settings) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 and a free port, in a thread, as a browser meets it: real host names, CSRF on.
    It uses the session's database (migrated by `app`), so the tests' factories and assertions see its rows."""
    live_app = make_test_app(database_url, celery_settings, SERVER_NAME=None, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.port}", live_app)
    server.shutdown()
    thread.join()


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    """A fresh browser profile per test (no cookie left by another test), French like the users."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(5000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, live_server: LiveServer, participant, password: str = TEST_PASSWORD) -> None:
    """Signs in through the real form, top-level, as a person would."""
    page.goto(f"{live_server.url}/auth/login")
    fill_sign_in_form(page, participant, password)
    page.wait_for_url(f"{live_server.url}/")


def fill_sign_in_form(page: Page, participant, password: str = TEST_PASSWORD) -> None:
    page.get_by_label("Adresse e-mail").fill(participant.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
