"""Forms of the committee pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FieldList, SelectField
from wtforms.validators import InputRequired


class ScheduleForm(FlaskForm):
    weekly_summaries = BooleanField(_l("Chaque semaine pendant le vote, recevoir une synthèse par e-mail"))
    summary_at_closing = BooleanField(_l("À la clôture du vote, recevoir la synthèse finale par e-mail"))


class CompareForm(FlaskForm):
    """Sent by GET: a comparison is a page to read and to share, not a change."""

    class Meta:
        csrf = False

    older = SelectField(_l("Synthèse de départ"), coerce=int, validators=[InputRequired()])
    newer = SelectField(_l("Synthèse à comparer"), coerce=int, validators=[InputRequired()])


class PopulationFileForm(FlaskForm):
    file = FileField(
        _l("Fichier de population de l’INSEE par IRIS (CSV)"),
        description=_l(
            "Le fichier « base-ic-evol-struct-pop » de l’INSEE (Population en 2021, par IRIS), au format CSV, "
            "réduit aux lignes de votre commune. 10 Mo au plus. Un nouveau fichier remplace le précédent ; "
            "chaque IRIS garde son quartier."
        ),
        validators=[
            FileRequired(_l("Choisissez le fichier CSV de population de l’INSEE.")),
            FileAllowed(["csv"], _l("Ce fichier n’est pas un CSV : choisissez le fichier qui se termine par « .csv ».")),
        ],
    )


class NeighbourhoodMappingForm(FlaskForm):
    """One neighbourhood choice per IRIS, in the order of the page's table."""

    neighbourhoods = FieldList(SelectField(validate_choice=True))
