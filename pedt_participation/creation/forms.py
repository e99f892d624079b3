"""A new consultation's title and address, and the file its orientations and actions may come from; the previewed
file comes back with the confirmation, so that nothing is created from rows the person has not seen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired


class IdentityForm(FlaskForm):
    title = StringField(
        _l("Titre"),
        description=_l("Par exemple : Projet éducatif de territoire 2027."),
        validators=[InputRequired(_l("Donnez un titre à la consultation."))],
    )
    slug = StringField(
        _l("Adresse de la page"),
        description=_l("Lettres minuscules sans accent, chiffres et tirets, par exemple pedt-2027. "
                       "Laissée vide, elle est tirée du titre."),
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("Fichier des orientations et des actions"),
        description=_l("Le modèle de tableur rempli (.xlsx, .ods ou .csv), ou un document .docx ou .odt avec le "
                       "tableau du PEDT. 5 Mo au plus."),
    )
    # The previewed file (base64) and its name, sent back with the confirmation.
    content = HiddenField()
    file_name = HiddenField()


class NewConsultationForm(IdentityForm, ImportForm):
    pass
