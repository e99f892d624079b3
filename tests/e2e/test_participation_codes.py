"""A sheet of participation codes, printed and scanned: the manager prints the slips (PDF), a slip's QR code is read
back from the drawn page (PDFium draws it, zxing-cpp reads it, as a phone's camera would), and a parent follows it,
signs in, enters the code filled in for them and votes; the vote counts."""

from __future__ import annotations

import pypdfium2
import zxingcpp
from playwright.sync_api import expect

from pedt_participation.extensions import db
from pedt_participation.models import ParticipationCode, Role
from pedt_participation.voting.services import count_votes
from tests.e2e.conftest import browser_page, fill_sign_in_form, save_screenshots, sign_in
from tests.helpers import make_consultation, make_participant


def _qr_links(pdf: bytes) -> list[str]:
    """The QR codes of the sheet's first page, read from the page drawn at 200 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=200 / 72).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image) if barcode.format == zxingcpp.BarcodeFormat.QRCode]


def test_a_printed_slips_qr_code_leads_to_a_counted_vote(browser, live_server):
    consultation = make_consultation(slug="avec-codes", codes_required=True)
    action = consultation.orientations[0].actions[0]
    manager = make_participant(role=Role.ADMIN)
    parent = make_participant()

    with browser_page(browser) as page:
        sign_in(page, live_server, manager)
        page.goto(f"{live_server.url}/gestion/{consultation.slug}/codes")
        page.get_by_label("Lieu de distribution").fill("École Jean-Jaurès")
        page.get_by_label("Nombre de codes").fill("8")
        page.get_by_role("button", name="Créer le lot").click()
        expect(page.get_by_role("status").first).to_contain_text("Lot « École Jean-Jaurès » créé")
        save_screenshots(page, "codes-de-participation")
        sheet = page.get_by_role("link", name="Imprimer les codes (PDF)").get_attribute("href")
        # WeasyPrint draws the sheet: seconds on a loaded machine, not the 5 s a click is given.
        printed = page.context.request.get(f"{live_server.url}{sheet}", timeout=60_000)
        assert printed.headers["content-type"] == "application/pdf"
        links = _qr_links(printed.body())

    assert len(links) == 8
    assert all(link.startswith(f"{live_server.url}/consultations/{consultation.slug}?code=") for link in links)
    slip_code = links[0].rsplit("=", 1)[1]

    with browser_page(browser) as page:
        page.goto(links[0])
        page.get_by_role("link", name="Se connecter pour saisir le code").click()
        fill_sign_in_form(page, parent)
        expect(page.get_by_role("textbox", name="Code de participation")).to_have_value(slip_code)
        save_screenshots(page, "code-de-participation-saisi")
        page.get_by_role("button", name="Valider mon code").click()
        expect(page.locator("#code-de-participation").get_by_role("status")).to_have_text(
            "Votre code est enregistré : vous pouvez voter."
        )
        page.locator(f"#action-{action.id}").get_by_role("button", name="Soutenir").click()
        expect(page.locator(f"#action-{action.id}").get_by_role("status")).to_contain_text("Votre soutien est enregistré.")

    db.session.expire_all()
    assert count_votes([action.id])[action.id].supports == 1
    bound = db.session.query(ParticipationCode).filter_by(code=slip_code).one()
    assert bound.participant_id == parent.id
