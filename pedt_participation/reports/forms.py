"""The report form under each comment and action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..labels import REPORT_REASON_LABELS


class ReportForm(FlaskForm):
    about = RadioField(
        _l("Qu’est-ce qui pose problème ?"),
        choices=[SelectChoice("comment", _l("Ce commentaire")), SelectChoice("author", _l("La personne qui l’a écrit"))],
        default="comment",
        validators=[Optional()],
    )
    reason = RadioField(
        _l("Pourquoi ?"),
        choices=[SelectChoice(reason.value, label) for reason, label in REPORT_REASON_LABELS.items()],
        validators=[InputRequired(_l("Choisissez la raison du signalement."))],
    )
    details = TextAreaField(
        _l("Précisions (facultatif)"), validators=[Length(max=1000, message=_l("1 000 caractères au maximum."))]
    )
