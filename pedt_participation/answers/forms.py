"""The answer form under each action of the answers page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField

from ..labels import ANSWER_STATE_LABELS


class AnswerForm(FlaskForm):
    state = SelectField(
        _l("Décision"), choices=[SelectChoice(state.value, label) for state, label in ANSWER_STATE_LABELS.items()]
    )
    text = TextAreaField(_l("Réponse officielle (lue par les participants)"))
