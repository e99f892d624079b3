"""On a phone the site's menu folds behind one button, so the page's own content starts near the top."""

from __future__ import annotations

from playwright.sync_api import expect

from pedt_participation.extensions import db
from pedt_participation.notifications.services import notify
from tests.e2e.conftest import DESKTOP, PHONE, sign_in
from tests.helpers import make_participant


def test_the_menu_folds_on_a_phone_and_opens_with_one_button(page, browser, live_server):
    parent = make_participant()
    notify(parent, "Votre proposition a reçu une réponse.")
    db.session.commit()
    sign_in(page, live_server, parent)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    header = page.locator(".site-header")
    assert header.bounding_box()["height"] <= 140
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_contain_text("1")  # unread notifications stay in sight
    expect(page.get_by_role("link", name="Mes données")).to_be_hidden()
    expect(page.get_by_role("button", name="English")).to_be_visible()  # languages stay in sight too

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Mes données")).to_be_visible()

    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(page.get_by_role("link", name="Consultations")).to_be_visible()

    without_script = browser.new_context(java_script_enabled=False, locale="fr-FR", viewport=PHONE)
    try:
        plain = without_script.new_page()
        plain.goto(live_server.url + "/")
        expect(plain.get_by_role("link", name="Se connecter")).to_be_visible()
        expect(plain.locator(".menu-toggle")).to_be_hidden()
    finally:
        without_script.close()
