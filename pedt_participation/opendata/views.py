"""The open-data exchange page: import the platform's proposals (preview, then import) and download our
actions and comments in its layout. Moderators of the consultation and admins."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..authorization import Permission, restrict_pages
from ..downloads import streamed_attachment
from ..errors import ParticipationRefused, refusal_shown
from ..extensions import db
from ..models import Consultation
from ..moderation.services import moderated_consultation
from . import services
from .forms import LEAVE_OUT, ImportForm, UploadForm

bp = Blueprint("opendata", __name__, url_prefix="/moderation")

restrict_pages(bp, Permission.ENTER_MODERATION)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


# The file, a third bigger in base64 when the import form carries it back, and room for the rest of the form.
UPLOAD_MAX_REQUEST_BYTES = services.MAX_FILE_BYTES * 4 // 3 + 64 * 1024


@bp.url_value_preprocessor
def _room_for_the_previewed_file(endpoint: str | None, values: dict | None) -> None:
    """The file sent for a preview, then carried back by the import form: more than the site's request limit
    (MAX_CONTENT_LENGTH) and than Flask's 500 kB per form field. Set here because the checks of NUL characters
    and CSRF read the form before any view runs."""
    if endpoint in ("opendata.preview", "opendata.import_proposals"):
        request.max_content_length = UPLOAD_MAX_REQUEST_BYTES
    if endpoint == "opendata.import_proposals":
        request.max_form_memory_size = services.MAX_FILE_BYTES * 4 // 3 + 4096


def _page(consultation: Consultation, upload: UploadForm, errors: list[str] = (), status: int = 200):
    return render_template("opendata/index.html", consultation=consultation, upload=upload, errors=errors), status


@bp.get("/<slug>/opendata")
def index(slug: str):
    return _page(moderated_consultation(current_user, slug), UploadForm(formdata=None))


def _orientation_choices(consultation: Consultation) -> list[SelectChoice]:
    return [SelectChoice(LEAVE_OUT, _("Ne pas importer"))] + [
        SelectChoice(str(o.id), f"{o.position}. {o.title}") for o in consultation.orientations
    ]


def _offer_orientations(form: ImportForm, consultation: Consultation) -> None:
    for entry in form.orientations:
        entry.choices = _orientation_choices(consultation)


def _preview_page(consultation: Consultation, content: bytes, form: ImportForm | None = None, errors=(), status=200):
    preview = services.preview_import(consultation, content)
    if form is None:
        form = ImportForm(
            formdata=None,
            content=base64.b64encode(content).decode(),
            orientations=[str(use.proposed.id) if use.proposed else LEAVE_OUT for use in preview.taxonomies],
        )
    _offer_orientations(form, consultation)
    return (
        render_template(
            "opendata/preview.html",
            consultation=consultation,
            preview=preview,
            form=form,
            mapping_rows=list(zip(form.orientations, preview.taxonomies, strict=False)),
            errors=errors,
        ),
        status,
    )


@bp.post("/<slug>/opendata/apercu")
def preview(slug: str):
    consultation = moderated_consultation(current_user, slug)
    upload = UploadForm()
    if not upload.validate_on_submit():
        return _page(consultation, upload, status=422)
    content = upload.file.data.read()
    errors: list[str] = []
    with refusal_shown(errors):
        return _preview_page(consultation, content)
    return _page(consultation, upload, errors, status=422)


def _previewed_file(form: ImportForm) -> bytes:
    try:
        content = base64.b64decode(form.content.data or "", validate=True)
    except binascii.Error:
        content = b""
    if not content:
        raise ParticipationRefused(_("Le fichier à importer manque : envoyez-le à nouveau."))
    return content


@bp.post("/<slug>/opendata/import")
def import_proposals(slug: str):
    consultation = moderated_consultation(current_user, slug)
    form = ImportForm()
    _offer_orientations(form, consultation)
    errors: list[str] = []
    with refusal_shown(errors):
        content = _previewed_file(form)
        names = [use.name for use in services.preview_import(consultation, content).taxonomies]
    if errors:
        return _page(consultation, UploadForm(formdata=None), errors, 422)
    if not form.validate_on_submit():
        return _preview_page(consultation, content, form, [_("Choisissez, pour chaque thème, une orientation de la liste.")], 422)
    choices = {str(o.id): o for o in consultation.orientations}
    mapping = {name: choices.get(entry.data) for name, entry in zip(names, form.orientations, strict=False)}
    with refusal_shown(errors):
        report = services.import_proposals(consultation, content, mapping)
        db.session.commit()
        flash(
            _(
                "Import terminé : %(created)s actions créées, %(already)s déjà importées, %(not_mapped)s non importées "
                "(thème laissé de côté), %(refused)s refusées.",
                created=report.created,
                already=report.already_imported,
                not_mapped=report.not_mapped,
                refused=report.refused,
            ),
            "success",
        )
        return redirect(url_for(".index", slug=slug), 303)
    return _preview_page(consultation, content, form, errors, 422)


@bp.get("/<slug>/opendata/<any(propositions, commentaires):what>.csv")
def download(slug: str, what: str):
    consultation = moderated_consultation(current_user, slug)
    rows = services.proposals_csv if what == "propositions" else services.comments_csv
    return streamed_attachment(
        rows, consultation.id, media_type=CSV_MEDIA_TYPE, filename=services.download_name(consultation, what)
    )
