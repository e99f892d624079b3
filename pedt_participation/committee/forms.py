"""Forms of the committee pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
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
