"""The form of a consultation's words and dates; dates are typed in the town's time zone."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import Optional

from ..config import town_time_zone
from .services import ConsultationEdit

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
DATE_FIELDS = ("proposals_open_at", "proposals_close_at", "voting_open_at", "voting_close_at")


def _date_field(label) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=_LOCAL_FORMAT, validators=[Optional()], description=_l("Heure de la ville. Vide : pas prévue.")
    )


class ConsultationForm(FlaskForm):
    title = StringField(_l("Titre"))
    summary = TextAreaField(_l("Introduction"))
    context = TextAreaField(_l("D’où viennent ces orientations"), description=_l("Un paragraphe vide sépare deux paragraphes."))
    proposals_open_at = _date_field(_l("Ouverture des propositions"))
    proposals_close_at = _date_field(_l("Fermeture des propositions"))
    voting_open_at = _date_field(_l("Ouverture du vote"))
    voting_close_at = _date_field(_l("Fermeture du vote"))

    @classmethod
    def filled_with(cls, values: ConsultationEdit, formdata=None) -> ConsultationForm:
        """The form showing `values` (dates in the town's time); what was typed, when `formdata` is given."""
        data = asdict(values)
        for name in DATE_FIELDS:
            if data[name] is not None:
                data[name] = data[name].astimezone(town_time_zone()).replace(tzinfo=None)
        return cls(formdata=formdata, data=data)

    def edit(self) -> ConsultationEdit:
        """What was typed, dates in UTC."""
        dates = {name: self._utc(self[name].data) for name in DATE_FIELDS}
        return ConsultationEdit(title=self.title.data or "", summary=self.summary.data or "",
                                context=self.context.data or "", **dates)

    @staticmethod
    def _utc(local: datetime | None) -> datetime | None:
        return None if local is None else local.replace(tzinfo=town_time_zone()).astimezone(UTC)
