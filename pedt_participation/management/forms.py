"""The form of a consultation's words and dates; dates are typed in the town's time zone."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..config import town_time_zone
from ..labels import AUDIENCE_LABELS, PICTOGRAM_LABELS
from ..languages.services import TRANSLATED_LANGUAGES
from ..models import Pictogram
from .services import ConsultationEdit
from .settings import CONSEQUENCES, ConsultationSettings
from .structure import TRANSLATED_FIELDS, Direction, ItemEdit

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
DATE_FIELDS = ("published_at", "proposals_open_at", "proposals_close_at", "voting_open_at", "voting_close_at")


def _date_field(label) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=_LOCAL_FORMAT, validators=[Optional()], description=_l("Heure de la ville. Vide : pas prévue.")
    )


class ConsultationForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[InputRequired(_l("Donnez un titre à la consultation."))])
    summary = TextAreaField(_l("Introduction"))
    context = TextAreaField(_l("D’où viennent ces orientations"), description=_l("Un paragraphe vide sépare deux paragraphes."))
    published_at = DateTimeLocalField(
        _l("Publication"), format=_LOCAL_FORMAT, validators=[Optional()],
        description=_l("Heure de la ville. Vide : vous publierez avec le bouton « Publier »."),
    )
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


class ConfirmForm(FlaskForm):
    """The button of a confirmation page: without it, a request changes nothing."""

    confirmed = HiddenField(validators=[AnyOf(["oui"], message=_l("Confirmez avec le bouton de la page."))])


_WHOLE_NUMBER = _l("Écrivez un nombre entier, par exemple 3.")


class SettingsForm(FlaskForm):
    supports_enabled = BooleanField(_l("Soutiens : chacun soutient les actions qui comptent pour lui"))
    vote_limit_per_orientation = IntegerField(
        _l("Soutiens par orientation"), validators=[Optional()],
        description=_l("Vide : pas de limite."),
    )
    opinion_enabled = BooleanField(_l("Avis : pour, mitigé ou contre"))
    majority_judgment_enabled = BooleanField(_l("Jugement majoritaire : une mention de « Excellent » à « À rejeter »"))
    allowed_audiences = SelectMultipleField(
        _l("Publics invités"),
        choices=[SelectChoice(audience.value, label) for audience, label in AUDIENCE_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    minimum_age = IntegerField(_l("Âge minimum"), validators=[InputRequired(_WHOLE_NUMBER)])
    k_anonymity = IntegerField(
        _l("Seuil de confidentialité"), validators=[InputRequired(_WHOLE_NUMBER)],
        description=_l("Un résultat qui concerne moins de personnes que ce nombre n’est jamais publié. %(consequence)s",
                       consequence=CONSEQUENCES["k_anonymity"]),
    )
    missing_grades_as_reject = RadioField(
        _l("Jugement majoritaire : une action sans mention d’une personne qui a jugé son orientation"),
        choices=[SelectChoice("oui", _l("compte « À rejeter »")), SelectChoice("non", _l("n’est pas comptée"))],
        description=CONSEQUENCES["missing_grades_as_reject"],
    )
    comments_enabled = BooleanField(_l("Commentaires ouverts"), description=CONSEQUENCES["comments_enabled"])
    figures_during_vote = RadioField(
        _l("Nombres de votes"),
        choices=[
            SelectChoice("oui", _l("affichés pendant le vote")),
            SelectChoice("non", _l("affichés seulement après la fermeture du vote")),
        ],
        description=CONSEQUENCES["figures_during_vote"],
    )

    codes_required = BooleanField(
        _l("Un code est nécessaire pour voter"),
        description=_l("Les codes de participation sont distribués sur papier (page « Codes de participation »). %(consequence)s",
                       consequence=CONSEQUENCES["codes_required"]),
    )

    @classmethod
    def filled_with(cls, values: ConsultationSettings, formdata=None) -> SettingsForm:
        data = {**vars(values)}
        for name in ("missing_grades_as_reject", "figures_during_vote"):
            data[name] = "oui" if data[name] else "non"
        return cls(formdata=formdata, data=data)

    def settings(self) -> ConsultationSettings:
        return ConsultationSettings(
            supports_enabled=self.supports_enabled.data,
            vote_limit_per_orientation=self.vote_limit_per_orientation.data,
            opinion_enabled=self.opinion_enabled.data,
            majority_judgment_enabled=self.majority_judgment_enabled.data,
            allowed_audiences=[a.value for a in AUDIENCE_LABELS if a.value in (self.allowed_audiences.data or [])],
            minimum_age=self.minimum_age.data,
            k_anonymity=self.k_anonymity.data,
            missing_grades_as_reject=self.missing_grades_as_reject.data == "oui",
            comments_enabled=self.comments_enabled.data,
            figures_during_vote=self.figures_during_vote.data == "oui",
            codes_required=self.codes_required.data,
        )


_EASY_READ_HINT = _l("Des phrases courtes et des mots de tous les jours (méthode FALC). Vide : pas de version facile.")


class ItemForm(FlaskForm):
    """An orientation (with its theme) or an official action, in French, with its English and Arabic translations."""

    theme = StringField(_l("Thème"), description=_l("Les orientations d’un même thème sont regroupées sous son titre. Vide : sans thème."))
    pictogram = RadioField(
        _l("Pictogramme"),
        description=_l("Montré à côté du titre, pour que chacun retrouve l’orientation d’un coup d’œil."),
        choices=[SelectChoice("", _l("Aucun"))] + [SelectChoice(p.value, label) for p, label in PICTOGRAM_LABELS.items()],
        default="",
    )
    title = StringField(_l("Titre"), validators=[InputRequired(_l("Donnez un titre."))])
    text = TextAreaField(_l("Description"))
    easy_read = TextAreaField(_l("Version facile à lire"), description=_EASY_READ_HINT)
    en_title = StringField(_l("Titre en anglais"))
    en_text = TextAreaField(_l("Description en anglais"))
    en_easy_read = TextAreaField(_l("Version facile à lire en anglais"))
    ar_title = StringField(_l("Titre en arabe"))
    ar_text = TextAreaField(_l("Description en arabe"))
    ar_easy_read = TextAreaField(_l("Version facile à lire en arabe"))

    @classmethod
    def filled_with(cls, values: ItemEdit, formdata=None) -> ItemForm:
        data = {"theme": values.theme, "pictogram": values.pictogram or "", "title": values.title, "text": values.text,
                "easy_read": values.easy_read}
        for language, translation in values.translations.items():
            data.update({f"{language}_{name}": value for name, value in translation.items()})
        return cls(formdata=formdata, data=data)

    def edit(self) -> ItemEdit:
        return ItemEdit(
            title=self.title.data or "",
            text=self.text.data or "",
            easy_read=self.easy_read.data or "",
            theme=self.theme.data or "",
            pictogram=Pictogram(self.pictogram.data) if self.pictogram.data else None,
            translations={
                language: {name: self[f"{language}_{name}"].data or "" for name in TRANSLATED_FIELDS}
                for language in TRANSLATED_LANGUAGES
            },
        )


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf([d.value for d in Direction], message=_l("Choisissez « Monter » ou « Descendre »."))])


class ThemeForm(FlaskForm):
    theme = HiddenField(validators=[InputRequired()])
    name = StringField(_l("Nouveau nom du thème"), description=_l("Vide : ses orientations n’ont plus de thème."))


class ProfileListsForm(FlaskForm):
    neighbourhood = TextAreaField(
        _l("Quartiers"),
        description=_l("Un par ligne. « Autre » et « Je préfère ne pas répondre » sont toujours proposés en plus."),
    )
    school = TextAreaField(
        _l("Écoles, collèges et lycées"),
        description=_l("Un par ligne. « Autre » et « Je préfère ne pas répondre » sont toujours proposés en plus."),
    )


class AnswerMappingForm(FlaskForm):
    kind = HiddenField(validators=[AnyOf(["neighbourhood", "school"])])
    answer = HiddenField(validators=[InputRequired()])
    entry_id = SelectField(_l("Regrouper avec"), coerce=int, validate_choice=False)
