"""Sign-in through an OpenID-Certified provider, node-oidc-provider (tests/oidc_provider/, installed by
`make test` from the npm registry), in Chromium: PKCE required, one client per token endpoint authentication
method, the first sign-in (the profile questions), signing out here and at the provider, then the second
sign-in (straight in). The pages met on the way pass axe; the client_secret_post run is in Arabic."""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from pedt_participation.extensions import db
from pedt_participation.models import Audience, Participant
from tests.conftest import make_test_app
from tests.e2e.conftest import browser_page, overflows_phone, save_screenshots, serving

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
PLATFORM = "Connexion de la métropole"
METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(frozen=True)
class Site:
    """The app, registered at the provider as the client of one token endpoint authentication method."""

    url: str
    client_id: str


@dataclass(frozen=True)
class CertifiedProvider:
    url: str
    sites: dict[str, Site]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _node_provider_ready() -> None:
    """Installed by `make test` (its test-node-packages target); in CI its absence fails the run."""
    missing = None
    if shutil.which("node") is None:
        missing = "Node.js is not installed"
    elif not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        missing = "node-oidc-provider is not installed: run `make test-node-packages` (or `make test`)"
    if missing:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"OpenID Connect browser tests: {missing}.")


def _site(running: ExitStack, method: str, issuer: str, database_url, celery_settings) -> Site:
    """The app served as the provider's client of this method: the basic client takes its method from
    discovery, the post client from PLATFORM_OAUTH_TOKEN_AUTH_METHOD."""
    client_id = f"pedt-{method.replace('_', '-')}"
    site_app = make_test_app(
        database_url,
        celery_settings,
        SERVER_NAME=None,
        WTF_CSRF_ENABLED=True,
        PLATFORM_PROVIDER="oidc",
        PLATFORM_NAME=PLATFORM,
        PLATFORM_OIDC_ISSUER=issuer,
        PLATFORM_OAUTH_CLIENT_ID=client_id,
        PLATFORM_OAUTH_CLIENT_SECRET=f"secret-of-{client_id}",
        PLATFORM_OAUTH_TOKEN_AUTH_METHOD="" if method == "client_secret_basic" else method,
    )
    return Site(running.enter_context(serving(site_app)), client_id)


@contextmanager
def _node_provider(issuer: str, sites: dict[str, Site]) -> Iterator[CertifiedProvider]:
    clients = [
        {
            "client_id": site.client_id,
            "client_secret": f"secret-of-{site.client_id}",
            "redirect_uris": [f"{site.url}/auth/plateforme/retour"],
            "post_logout_redirect_uris": [f"{site.url}/"],
            "token_endpoint_auth_method": method,
        }
        for method, site in sites.items()
    ]
    node = subprocess.Popen(
        ["node", "provider.mjs"],
        cwd=PROVIDER_DIR,
        env={**os.environ, "PORT": issuer.rsplit(":", 1)[1], "OIDC_CLIENTS": json.dumps(clients)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in node.stdout], daemon=True).start()
    try:
        while (line := lines.get(timeout=20)) != f"ready {issuer}\n":
            assert node.poll() is None, f"node-oidc-provider stopped: {line}"
        yield CertifiedProvider(issuer, sites)
    finally:
        node.terminate()
        node.wait(timeout=10)


@pytest.fixture(scope="session")
def certified_provider(app, database_url, celery_settings) -> Iterator[CertifiedProvider]:
    """node-oidc-provider on loopback, and the app served once for each of its clients."""
    _node_provider_ready()
    issuer = f"http://127.0.0.1:{_free_port()}"
    with ExitStack() as running:
        sites = {method: _site(running, method, issuer, database_url, celery_settings) for method in METHODS}
        yield running.enter_context(_node_provider(issuer, sites))


def _sign_in_at_the_provider(page: Page, provider: CertifiedProvider, login: str) -> None:
    """node-oidc-provider's own sign-in form (any password will do)."""
    page.wait_for_url(f"{provider.url}/interaction/**")
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("mot-de-passe-du-fournisseur")
    page.locator('button[type="submit"]').click()


def _audit(page: Page, language: str, name: str) -> None:
    problems = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not problems, f"{name}: {problems}"
    assert page.evaluate("document.documentElement.lang") == language
    assert overflows_phone(page) is None
    save_screenshots(page, f"{language}-oidc-{name}")


def _participants() -> int:
    return db.session.scalar(select(func.count()).select_from(Participant))


@pytest.mark.parametrize(("method", "language"), [("client_secret_basic", "fr"), ("client_secret_post", "ar")])
def test_first_sign_in_sign_out_at_both_then_second_sign_in(browser, certified_provider, method, language):
    provider, site = certified_provider, certified_provider.sites[method]
    login = f"camille-{language}"
    before = _participants()
    with browser_page(browser) as page:
        page.context.add_cookies([{"name": "langue", "value": language, "url": site.url}])

        # First sign-in: the provider's form, then the questions it does not answer.
        page.goto(f"{site.url}/auth/login")
        page.locator('main a[href^="/auth/plateforme"]').click()
        _sign_in_at_the_provider(page, provider, login)
        page.wait_for_url(f"{site.url}/auth/plateforme/profil")
        if language == "fr":
            expect(page.locator("h1")).to_have_text(f"Bienvenue Camille {language.capitalize()} !")
        expect(page.locator('input[name="email"]')).to_have_count(0)  # verified by the provider
        _audit(page, language, "profile")
        page.locator('input[name="audience"][value="parent"]').check()
        page.locator('select[name="age_bracket"]').select_option("26-39")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{site.url}/")
        expect(page.locator("body")).to_contain_text(f"Camille {language.capitalize()}")
        person = db.session.scalar(select(Participant).where(Participant.platform_uid == login))
        assert (person.email, person.audience, person.password_hash) == (f"{login}@exemple.fr", Audience.PARENT, None)

        # Signing out here offers to sign out at the provider too, which ends its session.
        page.locator('form[action$="/auth/logout"] button').click()
        page.wait_for_url(f"{site.url}/auth/plateforme/deconnexion")
        if language == "fr":
            expect(page.locator("main")).to_contain_text(f"Vous êtes peut-être encore connecté à {PLATFORM}")
        _audit(page, language, "signed-out")
        page.locator(f'main a[href^="{provider.url}/session/end?"]').click()
        page.locator('button[name="logout"][value="yes"]').click()
        page.wait_for_url(lambda url: url.split("?")[0] == f"{site.url}/")
        expect(page.locator('form[action$="/auth/logout"]')).to_have_count(0)

        # Second sign-in: the provider asks again (its session ended), then straight in, nothing asked.
        page.goto(f"{site.url}/auth/login")
        page.locator('main a[href^="/auth/plateforme"]').click()
        _sign_in_at_the_provider(page, provider, login)
        page.wait_for_url(f"{site.url}/")
        expect(page.locator("body")).to_contain_text(f"Camille {language.capitalize()}")
    assert _participants() == before + 1
