"""The workshop form: date and place; the grid of counts is read by the view (one field per cell)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length


class WorkshopForm(FlaskForm):
    held_on = DateField(_l("Date de l’atelier"), validators=[InputRequired(_l("Indiquez la date de l’atelier."))])
    place = StringField(
        _l("Lieu"),
        description=_l("Exemple : « Centre social des quartiers sud »."),
        validators=[InputRequired(_l("Indiquez où l’atelier a eu lieu.")), Length(max=200)],
    )
