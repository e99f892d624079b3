"""A visitor's vote asks them to sign in without leaving the page: « Soutenir » opens the sign-in form in a dialog over
the consultation page; signing in there casts the support and shows it on the card, the page never reloaded. The
dialog is worked with the keyboard, says every refusal inside itself, and keeps the other ways in (creating an
account, the town's platform), on a phone and on a desktop, in French and in Arabic."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from pedt_participation import ratelimits
from pedt_participation.extensions import db
from pedt_participation.models import Grade, Vote, VoteKind
from tests.conftest import make_test_app
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, overflows_phone, serving
from tests.helpers import TEST_PASSWORD, make_consultation, make_participant

PLATFORM = "Decidim de la ville"
SEVERE = ("serious", "critical")


def _supports_of(participant) -> list[int]:
    return db.session.scalars(select(Vote.action_id).where(Vote.participant_id == participant.id,
                                                           Vote.kind == VoteKind.SUPPORT)).all()


def _visitor_page(browser: Browser, viewport: dict, locale: str = "fr-FR") -> Page:
    context = browser.new_context(locale=locale, viewport=viewport, is_mobile=viewport == PHONE)
    context.set_default_timeout(5000)
    return context.new_page()


def _open_far_down(page: Page, site: str, consultation):
    """The consultation page, marked so that a reload would show, and the card of its last action."""
    page.goto(f"{site}/consultations/{consultation.slug}")
    page.evaluate("window.stillTheSamePage = true")
    return consultation.orientations[-1].actions[-1]


def _form_tokens(page: Page) -> set[str]:
    return set(page.locator("input[name=csrf_token]").evaluate_all("inputs => inputs.map(input => input.value)"))


def _screenshot(page: Page, name: str) -> None:
    """What the screen shows (the dialog over the page), for people to look at (test artefacts, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_size['width']}px.png")


def _severe_axe_violations(page: Page) -> list[str]:
    return [f"{violation['id']} ({violation['impact']}): {violation['help']}"
            for violation in Axe().run(page).response["violations"] if violation["impact"] in SEVERE]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_signing_in_from_the_dialog_counts_the_support_on_its_card_without_reloading(browser, live_server, viewport):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=6, orientations=3)
    parent = make_participant()
    page = _visitor_page(browser, viewport)
    action = _open_far_down(page, live_server.url, consultation)
    card = page.locator(f"#action-{action.id}")
    visitor_tokens = _form_tokens(page)

    card.get_by_role("button", name="Soutenir").click()

    dialog = page.get_by_role("dialog", name="Se connecter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Votre soutien à « {action.title} » sera enregistré dès que vous serez connecté")
    expect(dialog.get_by_label("Adresse e-mail")).to_be_focused()
    expect(dialog.get_by_role("link", name="Créer un compte")).to_be_visible()
    assert not _severe_axe_violations(page), _severe_axe_violations(page)
    _screenshot(page, "fr-sign-in-dialog")
    assert overflows_phone(page) is None
    page.set_viewport_size(viewport)

    dialog.get_by_label("Adresse e-mail").fill(parent.email)
    dialog.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    dialog.get_by_role("button", name="Se connecter").click()

    expect(dialog).to_be_hidden()
    support = card.get_by_role("button", name="Soutenir")
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(support).to_be_focused()
    expect(card.get_by_role("status")).to_have_text("Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation.")
    expect(card.get_by_role("status")).to_be_in_viewport()
    expect(page.locator(".nav-user")).to_contain_text(parent.display_name)
    assert page.evaluate("window.stillTheSamePage") is True, "the page was reloaded"
    assert _supports_of(parent) == [action.id]
    # Signing in began a new session: the visitor's form token is worth nothing now, and every form of the page
    # carries the new session's.
    (visitor_token,) = visitor_tokens
    forged = page.request.post(f"{live_server.url}/votes/en-attente/annuler", form={"csrf_token": visitor_token},
                               max_redirects=0)
    assert forged.status == 400
    assert len(_form_tokens(page)) == 1 and _form_tokens(page) != visitor_tokens

    # The page now works as a signed-in person's: the next support is answered in place with the new session's form.
    other = consultation.orientations[-1].actions[0]
    page.locator(f"#action-{other.id}").get_by_role("button", name="Soutenir").click()
    expect(page.locator(f"#action-{other.id}").get_by_role("status")).to_have_text(
        "Votre soutien est enregistré. Vous avez utilisé tous vos soutiens pour cette orientation.")
    assert page.evaluate("window.stillTheSamePage") is True
    _screenshot(page, "fr-card-after-a-support")
    page.context.close()


def test_the_dialog_is_worked_with_the_keyboard_and_escape_drops_the_vote(browser, live_server):
    consultation = make_consultation()
    parent = make_participant()
    page = _visitor_page(browser, PHONE)
    action = _open_far_down(page, live_server.url, consultation)
    support = page.locator(f"#action-{action.id}").get_by_role("button", name="Soutenir")
    support.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Se connecter")
    expect(dialog.get_by_label("Adresse e-mail")).to_be_focused()

    with page.expect_request_finished(lambda request: "/votes/en-attente/annuler" in request.url):
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(support).to_be_focused()
    assert "sera enregistré" not in page.request.get(f"{live_server.url}/auth/login").text()

    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Adresse e-mail")).to_be_focused()
    page.keyboard.type(parent.email)
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(support).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True
    assert _supports_of(parent) == [action.id]
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_a_wrong_password_is_said_inside_the_dialog_which_stays_open(browser, live_server, viewport):
    consultation = make_consultation()
    parent = make_participant()
    page = _visitor_page(browser, viewport)
    action = _open_far_down(page, live_server.url, consultation)
    page.locator(f"#action-{action.id}").get_by_role("button", name="Soutenir").click()
    dialog = page.get_by_role("dialog", name="Se connecter")

    dialog.get_by_label("Adresse e-mail").fill(parent.email)
    dialog.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    dialog.get_by_role("button", name="Se connecter").click()

    refusal = dialog.get_by_role("alert")
    expect(refusal).to_contain_text("E-mail ou mot de passe incorrect. Vérifiez-les et réessayez.")
    expect(refusal).to_be_focused()
    expect(refusal).to_be_in_viewport()
    _screenshot(page, "fr-sign-in-dialog-refused")
    expect(dialog).to_contain_text(f"Votre soutien à « {action.title} » sera enregistré")
    assert _supports_of(parent) == []

    dialog.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    dialog.get_by_role("button", name="Se connecter").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#action-{action.id}").get_by_role("button", name="Soutenir")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.stillTheSamePage") is True
    assert _supports_of(parent) == [action.id]
    page.context.close()


def test_an_unconfirmed_account_is_told_in_the_dialog_what_its_votes_wait_for(browser, live_server):
    consultation = make_consultation()
    parent = make_participant(confirmed=False)
    page = _visitor_page(browser, PHONE)
    action = _open_far_down(page, live_server.url, consultation)
    support = page.locator(f"#action-{action.id}").get_by_role("button", name="Soutenir")
    support.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Adresse e-mail").fill(parent.email)
    dialog.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    dialog.get_by_role("button", name="Se connecter").click()

    expect(dialog).to_have_accessible_name("Vous êtes connecté.")
    expect(dialog).to_contain_text("Vos votes sont enregistrés, mais ils ne comptent pas encore.")
    expect(dialog).to_contain_text(f"Confirmez votre adresse e-mail : ouvrez le lien que nous avons envoyé à {parent.email}.")
    _screenshot(page, "fr-sign-in-dialog-unconfirmed")
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(support).to_be_focused()
    assert _supports_of(parent) == [action.id]
    page.context.close()


def test_creating_an_account_from_the_dialog_keeps_the_vote_pressed(browser, live_server):
    consultation = make_consultation()
    page = _visitor_page(browser, PHONE)
    action = _open_far_down(page, live_server.url, consultation)
    page.locator(f"#action-{action.id}").get_by_role("button", name="Soutenir").click()

    page.get_by_role("dialog").get_by_role("link", name="Créer un compte").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    expect(page.locator("#vote-en-attente")).to_contain_text(f"Votre soutien à « {action.title} » sera enregistré")
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_dialog_in_arabic_reads_right_to_left(browser, live_server, viewport):
    consultation = make_consultation()
    page = _visitor_page(browser, viewport, locale="ar")
    action = _open_far_down(page, live_server.url, consultation)
    page.locator(f"#soutien-{action.id}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    box = dialog.bounding_box()
    close = dialog.locator("[data-dialog-close]").bounding_box()
    space_on_the_left = close["x"] - box["x"]
    space_on_the_right = box["x"] + box["width"] - (close["x"] + close["width"])
    assert space_on_the_left < space_on_the_right, "the close button ends the line: on the left in Arabic"
    assert not _severe_axe_violations(page), _severe_axe_violations(page)
    _screenshot(page, "ar-sign-in-dialog")
    page.context.close()


@pytest.fixture(scope="module")
def town_site(database_url, celery_settings) -> Iterator[str]:
    """The site as a town runs it: sign-in through its platform offered, and the rate limits on, the sign-in
    form's lowered to two tries so that a test reaches it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(ratelimits.FORM_LIMITS, "auth.login", ("2 per 5 minutes", ("POST",)))
        app = make_test_app(
            database_url, celery_settings, SERVER_NAME=None, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
            PLATFORM_NAME=PLATFORM, PLATFORM_URL="http://127.0.0.1:9", PLATFORM_OAUTH_CLIENT_ID="pedt",
            PLATFORM_OAUTH_CLIENT_SECRET="secret",
        )
    with serving(app) as url:
        yield url


def test_too_many_sign_ins_are_said_inside_the_dialog_and_the_platform_stays_offered(browser, town_site):
    consultation = make_consultation()
    parent = make_participant()
    page = _visitor_page(browser, PHONE)
    action = _open_far_down(page, town_site, consultation)
    page.locator(f"#action-{action.id}").get_by_role("button", name="Soutenir").click()
    dialog = page.get_by_role("dialog", name="Se connecter")
    platform = dialog.get_by_role("link", name=f"Se connecter avec {PLATFORM}")
    expect(platform).to_have_attribute("href", re.compile(rf"^/auth/plateforme\?next=.*action-{action.id}$"))

    for _try in range(2):
        dialog.get_by_label("Adresse e-mail").fill(parent.email)
        dialog.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
        # Each try waits for its answer: the alert already holds the first refusal's words, and the dialog ignores
        # a tap while a sign-in is on its way.
        with page.expect_response(lambda answer: "/auth/login" in answer.url and answer.request.method == "POST"):
            dialog.get_by_role("button", name="Se connecter").click()
        expect(dialog.get_by_role("alert")).to_contain_text("E-mail ou mot de passe incorrect.")
    dialog.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    dialog.get_by_role("button", name="Se connecter").click()

    refusal = dialog.get_by_role("alert")
    expect(refusal).to_contain_text("Trop de tentatives")
    expect(refusal).to_contain_text("Vous avez fait trop de demandes en peu de temps. Pour protéger le site, attendez")
    expect(refusal).to_be_focused()
    expect(dialog.get_by_label("Mot de passe")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert _supports_of(parent) == []
    page.context.close()


def _votes_of(participant) -> list[tuple[int, VoteKind, int]]:
    return sorted(db.session.execute(select(Vote.action_id, Vote.kind, Vote.value)
                                     .where(Vote.participant_id == participant.id)).tuples().all())


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize(("language", "viewport"), [("fr-FR", PHONE), ("fr-FR", DESKTOP), ("ar", PHONE), ("ar", DESKTOP)],
                         ids=["fr-360px", "fr-1280px", "ar-360px", "ar-1280px"])
def test_a_supported_card_takes_the_opinion_and_the_grade_in_one_tap_each(browser, live_server, language, viewport,
                                                                         javascript):
    consultation = make_consultation(majority_judgment_enabled=True)
    action = consultation.orientations[0].actions[1]
    parent = make_participant()
    context = browser.new_context(locale=language, viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto(f"{live_server.url}/auth/login")  # the sign-in page, whatever its language
    page.locator("#email").fill(parent.email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("[data-sign-in-form] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    card = page.locator(f"#action-{action.id}")
    expect(card.locator(".card-votes")).to_have_count(0)  # before the support, the card stays compact

    card.locator(f"#soutien-{action.id}").click()
    in_favour = card.locator(f"#avis-{action.id}-1")
    in_favour.click()
    expect(in_favour).to_have_attribute("aria-pressed", "true")
    very_good = card.locator(f"#mention-{action.id}-{int(Grade.TRES_BIEN)}")
    very_good.click()
    expect(very_good).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("status")).to_be_in_viewport()

    assert _votes_of(parent) == sorted([(action.id, VoteKind.SUPPORT, 1), (action.id, VoteKind.OPINION, 1),
                                        (action.id, VoteKind.GRADE, int(Grade.TRES_BIEN))])
    if javascript:
        assert not _severe_axe_violations(page), _severe_axe_violations(page)
        card.scroll_into_view_if_needed()
        _screenshot(page, f"{language[:2]}-card-with-opinion-and-grade")
    context.close()


def test_an_opinion_pressed_on_the_action_page_is_cast_after_signing_in_there(browser, live_server):
    action = make_consultation().orientations[0].actions[0]
    parent = make_participant()
    page = _visitor_page(browser, PHONE)
    page.goto(f"{live_server.url}/actions/{action.id}")
    page.evaluate("window.stillTheSamePage = true")
    against = page.get_by_role("button", name=f"Contre (avis sur « {action.title} »)")
    against.click()
    dialog = page.get_by_role("dialog", name="Se connecter")
    expect(dialog).to_contain_text(f"Votre avis « Contre » sur « {action.title} » sera enregistré")
    dialog.get_by_label("Adresse e-mail").fill(parent.email)
    dialog.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    dialog.get_by_role("button", name="Se connecter").click()

    expect(dialog).to_be_hidden()
    expect(against).to_have_attribute("aria-pressed", "true")
    expect(against).to_be_focused()
    expect(page.locator("#vote").get_by_role("status")).to_have_text("Votre avis est enregistré.")
    expect(page.get_by_role("button", name="Écouter")).to_be_visible()  # the content's script offers it again
    assert page.evaluate("window.stillTheSamePage") is True
    assert _votes_of(parent) == [(action.id, VoteKind.OPINION, -1)]
    page.context.close()
