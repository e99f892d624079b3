"""Account forms. Every message tells the person what to change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from ..labels import AGE_BRACKET_LABELS, AUDIENCE_LABELS
from ..management.profile_lists import offered_labels
from ..models import OTHER_ANSWER, UNSAID_ANSWER, AgeBracket, Audience, ProfileListKind
from .services import MINIMUM_PASSWORD_LENGTH, age_bracket_problem, password_problem


def without_surrounding_spaces(value: str | None) -> str | None:
    """Phones often add a space after an e-mail address chosen from suggestions: it is not a mistake."""
    return value.strip() if isinstance(value, str) else value


def account_email_field(label) -> EmailField:
    return EmailField(
        label,
        filters=[without_surrounding_spaces],
        validators=[
            InputRequired(_l("Indiquez votre adresse e-mail.")),
            Email(_l("Cette adresse e-mail n’est pas valide. Exemple : prenom.nom@exemple.fr")),
            Length(max=254),
        ],
    )


def _check_picked(field: SelectField) -> None:
    if field.data and field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(_l("Choisissez dans la liste, ou « Autre »."))


class ProfileForm(FlaskForm):
    """What we ask everyone, whether they sign up here or through the host platform. After a first
    sign-in through the platform, the view removes the e-mail and the name when the platform gave them."""

    email = account_email_field(_l("Adresse e-mail"))
    display_name = StringField(
        _l("Nom affiché"),
        description=_l("Ce nom apparaît à côté de vos commentaires. Un prénom ou un pseudonyme suffit."),
        validators=[InputRequired(_l("Indiquez le nom à afficher.")), Length(max=80, message=_l("80 caractères au maximum."))],
    )
    audience = RadioField(
        _l("Vous participez en tant que"),
        choices=[SelectChoice(audience.value, label) for audience, label in AUDIENCE_LABELS.items()],
        validators=[InputRequired(_l("Choisissez si vous êtes parent, jeune ou professionnel."))],
    )
    age_bracket = SelectField(
        _l("Votre âge"),
        choices=[SelectChoice("", _l("Choisissez…"))]
        + [SelectChoice(bracket.value, label) for bracket, label in AGE_BRACKET_LABELS.items()],
        validators=[InputRequired(_l("Choisissez votre tranche d’âge."))],
    )
    # Pick-lists of the consultations' neighbourhoods and schools (see management/profile_lists.py), so that one
    # place is one group; their choices are read when the form is made.
    neighbourhood = SelectField(
        _l("Quartier"),
        description=_l("Sert uniquement à compter les avis par quartier, jamais à vous identifier."),
        validate_choice=False,
    )
    school = SelectField(_l("École, collège ou lycée"), validate_choice=False)
    parent_email = EmailField(
        _l("E-mail d’un parent ou responsable légal"),
        description=_l(
            "Obligatoire si vous avez moins de 15 ans. Votre parent recevra un lien pour donner son accord : "
            "d’ici là, vous pouvez voter et écrire, mais vos votes ne comptent pas et ce que vous écrivez n’est pas "
            "affiché."
        ),
        filters=[without_surrounding_spaces],
        validators=[Optional(), Email(_l("Cette adresse e-mail n’est pas valide.")), Length(max=254)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in ProfileListKind:
            self[kind.value].choices = [
                SelectChoice("", _l("Choisissez…")),
                *(SelectChoice(label, label) for label in offered_labels(kind)),
                SelectChoice(OTHER_ANSWER, _l("Autre")),
                SelectChoice(UNSAID_ANSWER, _l("Je préfère ne pas répondre")),
            ]

    def validate_neighbourhood(self, field) -> None:
        _check_picked(field)

    def validate_school(self, field) -> None:
        _check_picked(field)

    def validate_age_bracket(self, field) -> None:
        if self.audience.data in set(Audience) and field.data in set(AgeBracket):
            problem = age_bracket_problem(Audience(self.audience.data), AgeBracket(field.data))
            if problem is not None:
                raise ValidationError(problem)

    def validate_parent_email(self, field) -> None:
        if field.data.strip().lower() == self.own_email().strip().lower():
            raise ValidationError(_l("Indiquez l’e-mail de votre parent, pas le vôtre."))

    def validate(self, extra_validators=None) -> bool:
        """The parent's e-mail is optional (so `Optional` skips its validators when empty) except before
        15, which only the form as a whole can tell."""
        valid = super().validate(extra_validators)
        if self.age_bracket.data == AgeBracket.FROM_11_TO_14 and not (self.parent_email.data or "").strip():
            self.parent_email.errors.append(_l("Avant 15 ans, indiquez l’e-mail d’un parent ou responsable légal."))
            valid = False
        return valid

    # The e-mail the platform gave, when the field was removed.
    known_email: str | None = None

    def own_email(self) -> str:
        return (self.email.data if "email" in self else self.known_email) or ""


class NewPasswordForm(FlaskForm):
    """Choosing a password, at registration or after forgetting one."""

    password = PasswordField(
        _l("Mot de passe"),
        description=_l(
            "Au moins %(n)s caractères, et pas un mot de passe courant. Le plus simple : quelques mots à la suite, "
            "faciles à retenir pour vous (par exemple trois mots qui n’ont pas de rapport entre eux).",
            n=MINIMUM_PASSWORD_LENGTH,
        ),
        validators=[InputRequired(_l("Choisissez un mot de passe.")), Length(max=128)],
    )
    password_confirmation = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            InputRequired(_l("Tapez le mot de passe une seconde fois.")),
            EqualTo("password", _l("Les deux mots de passe ne sont pas identiques. Tapez-les à nouveau.")),
        ],
    )

    # The account's e-mail, which the password must not repeat.
    known_email: str | None = None

    def own_email(self) -> str:
        return self.known_email or ""

    def validate_password(self, field) -> None:
        problem = password_problem(field.data, self.own_email())
        if problem:
            raise ValidationError(problem)


class RegistrationForm(ProfileForm, NewPasswordForm):
    """Signing up here: the profile and a password."""


class ForgottenPasswordForm(FlaskForm):
    email = account_email_field(_l("Adresse e-mail de votre compte"))


class PlatformLinkForm(FlaskForm):
    password = PasswordField(
        _l("Mot de passe de votre compte sur ce site"),
        validators=[InputRequired(_l("Indiquez votre mot de passe."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        filters=[without_surrounding_spaces],
        validators=[InputRequired(_l("Indiquez votre adresse e-mail."))],
    )
    password = PasswordField(_l("Mot de passe"), validators=[InputRequired(_l("Indiquez votre mot de passe."))])
    remember = BooleanField(
        _l("Rester connecté sur cet appareil"),
        description=_l(
            "Seulement sur votre appareil : sur un ordinateur partagé (école, centre social, médiathèque), ne cochez "
            "pas, pour que la personne suivante ne puisse pas utiliser votre compte."
        ),
    )


class ParentalConsentForm(FlaskForm):
    """The parent's answer, on the page their link opens: one button each way."""

    consent = SubmitField(_l("J’accepte que mon enfant participe"))
    refuse = SubmitField(_l("Je refuse : supprimer ce compte"))
