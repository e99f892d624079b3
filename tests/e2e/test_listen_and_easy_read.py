"""For families far from reading French: « Écouter » reads the action aloud with the browser's own speech synthesis,
in the language of its text, and is hidden where the browser cannot speak; the easy-to-read version comes first,
with the full text one tap away, on the action page and in the card."""

from __future__ import annotations

from playwright.sync_api import expect

from pedt_participation.extensions import db
from tests.helpers import make_consultation

# The browser's speech synthesis, recorded instead of spoken (a headless browser has no voice to speak with).
RECORD_SPEECH = """
window.spoken = [];
window.speechSynthesis.speak = (utterance) => window.spoken.push({text: utterance.text, lang: utterance.lang});
window.speechSynthesis.cancel = () => {};
"""


def _action_with_easy_read():
    action = make_consultation().orientations[0].actions[0]
    action.body = "Un accueil du matin de 7 h 30 à 8 h 30 dans les écoles élémentaires, encadré par des animateurs."
    action.easy_read = "Les enfants peuvent venir à l’école plus tôt le matin."
    db.session.commit()
    return action


def test_listen_reads_the_title_and_the_easy_read_text_in_french(page, live_server):
    action = _action_with_easy_read()
    page.add_init_script(RECORD_SPEECH)
    page.goto(f"{live_server.url}/actions/{action.id}")

    listen = page.get_by_role("button", name="Écouter")
    listen.click()

    assert page.evaluate("window.spoken") == [
        {"text": "Action 1.1", "lang": "fr"},
        {"text": "Les enfants peuvent venir à l’école plus tôt le matin.", "lang": "fr"},
    ]
    expect(listen).to_have_attribute("aria-pressed", "true")
    listen.click()  # pressed again: stops
    expect(listen).to_have_attribute("aria-pressed", "false")


def test_listen_is_hidden_where_the_browser_cannot_speak(page, live_server):
    action = _action_with_easy_read()
    page.add_init_script("delete window.speechSynthesis; delete Window.prototype.speechSynthesis;")
    page.goto(f"{live_server.url}/actions/{action.id}")
    expect(page.locator("button[data-listen]")).to_be_hidden()


def test_the_easy_read_version_comes_first_and_the_full_text_is_one_tap_away(page, live_server):
    action = _action_with_easy_read()
    page.goto(f"{live_server.url}/consultations/{action.orientation.consultation.slug}")
    expect(page.locator(f"#action-{action.id} .action-summary")).to_have_text("Les enfants peuvent venir à l’école plus tôt le matin.")

    page.goto(f"{live_server.url}/actions/{action.id}")
    expect(page.get_by_text("Les enfants peuvent venir à l’école plus tôt le matin.")).to_be_visible()
    full_text = page.get_by_text("Un accueil du matin de 7 h 30")
    expect(full_text).to_be_hidden()
    page.get_by_text("Lire le texte complet").click()
    expect(full_text).to_be_visible()


def test_listen_reads_an_action_translated_into_arabic_in_arabic(page, live_server):
    """The page's language: an Arabic reader hears the Arabic translation with an Arabic voice."""
    action = make_consultation().orientations[0].actions[0]
    action.translations = {"ar": {"title": "فتح المكتبة يوم السبت", "body": "للقراءة وأداء الواجبات في عطلة نهاية الأسبوع."}}
    db.session.commit()
    page.add_init_script(RECORD_SPEECH)
    page.context.add_cookies([{"name": "langue", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/actions/{action.id}")

    page.locator("button[data-listen]").click()

    assert page.evaluate("window.spoken") == [
        {"text": "فتح المكتبة يوم السبت", "lang": "ar"},
        {"text": "للقراءة وأداء الواجبات في عطلة نهاية الأسبوع.", "lang": "ar"},
    ]
