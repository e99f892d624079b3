"""The platform's proposals file, sent for a preview; then the previewed file and an orientation per taxonomy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import FieldList, HiddenField, SelectField
from wtforms.validators import InputRequired

from .services import MAX_FILE_BYTES

LEAVE_OUT = "-"


class UploadForm(FlaskForm):
    file = FileField(
        _l("Fichier des propositions (CSV)"),
        description=_l(
            "Sur la plateforme : données ouvertes, fichier des propositions (« proposals »), au format CSV. "
            "2 Mo au plus."
        ),
        validators=[
            FileRequired(_l("Choisissez le fichier CSV des propositions exporté de la plateforme.")),
            FileAllowed(["csv"], _l("Ce fichier n’est pas un CSV : choisissez le fichier qui se termine par « .csv ».")),
            FileSize(
                MAX_FILE_BYTES,
                message=_l("Le fichier dépasse 2 Mo. Exportez les propositions d’une seule consultation de la plateforme."),
            ),
        ],
    )


class ImportForm(FlaskForm):
    """`content` carries the previewed file back (base64); one orientation choice per taxonomy, in the
    preview's order."""

    content = HiddenField(validators=[InputRequired(_l("Le fichier à importer manque : envoyez-le à nouveau."))])
    orientations = FieldList(SelectField(validate_choice=True))
