"""Admin forms: a participant's role and the consultations they moderate or manage; log filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..labels import ROLE_LABELS


class RoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()])
    consultations = SelectMultipleField(
        _l("Consultations modérées (pour le rôle modération)"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    managed = SelectMultipleField(
        _l("Consultations gérées (pour les rôles modération et comité de pilotage)"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class LogFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only filters what is shown

    consultation = SelectField(_l("Consultation"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    moderator = SelectField(_l("Membre de la modération"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    since = DateField(_l("Depuis le"), validators=[Optional()])
    until = DateField(_l("Jusqu’au"), validators=[Optional()])
