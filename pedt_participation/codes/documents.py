"""The printed sheet of a batch: A4 pages of cut-out slips, each with its code, a QR code opening the consultation
with the code filled in, and the instructions in French and in Arabic (the languages families read at home)."""

from __future__ import annotations

from typing import Any

import segno
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import CodeBatch, Consultation

SLIP_LANGUAGES = ("fr", "ar")


def _instructions() -> dict[str, str]:
    """Each slip's words in one language."""
    return {
        "heading": _("Votre code de participation"),
        "steps": _(
            "Scannez le QR code avec votre téléphone, ou ouvrez la page de la consultation et saisissez ce code. "
            "Créez votre compte ou connectez-vous, puis votez. Le code ne sert qu’une fois."
        ),
    }


def slips_pdf(consultation: Consultation, batch: CodeBatch, slips: list[dict[str, Any]], links: dict[str, str]) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    words = {}
    for language in SLIP_LANGUAGES:
        with force_locale(language):
            words[language] = _instructions()
    printed = [
        {**slip, "qr": segno.make(links[slip["code"]], error="m").svg_data_uri(scale=4, border=2)} for slip in slips
    ]
    with force_locale("fr"):
        html = render_template(
            "codes/sheet.html", consultation=consultation, batch=batch, slips=printed, words=words
        )
    return HTML(string=html).write_pdf()
