"""Sign up, sign in (here or through the host platform), sign out."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import refusal_shown
from ..extensions import db
from ..languages.services import current_language
from ..mail import mail_enabled
from ..models import AgeBracket, Audience, ErasureReason, Participant
from ..moderation.duplicates import network_key
from ..navigation import safe_next_url
from ..privacy.services import erase_held_account
from ..voting.views import cast_held_vote, held_vote
from . import services
from .forms import (
    ForgottenPasswordForm,
    LoginForm,
    NewPasswordForm,
    ParentalConsentForm,
    PlatformLinkForm,
    ProfileForm,
    RegistrationForm,
)
from .platform import (
    PlatformSignInFailed,
    finish_sign_in,
    platform_sign_in_enabled,
    provider_sign_out_url,
    start_sign_in,
)
from .sessions import sign_in, sign_out

log = logging.getLogger(__name__)
PLATFORM_IDENTITY = "platform_identity"
# The provider's ID token: while the person answers the first questions, then while they are signed in (to
# sign out of the provider too); and the address that does so, for the page shown after signing out.
PENDING_ID_TOKEN = "platform_pending_id_token"
PLATFORM_ID_TOKEN = "platform_id_token"
PROVIDER_SIGN_OUT = "platform_sign_out"
AFTER_SIGN_IN = "after_sign_in"
PASSWORD_RESET = "password_reset"

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _profile_answers(form: ProfileForm) -> dict:
    return {
        "audience": Audience(form.audience.data),
        "age_bracket": AgeBracket(form.age_bracket.data),
        "neighbourhood": form.neighbourhood.data,
        "school": form.school.data,
        "parent_email": form.parent_email.data,
    }


def _welcome(participant: Participant) -> str:
    """What the new account must still do for its votes to count, said at once."""
    if services.awaits_parental_consent(participant):
        return _(
            "Bienvenue %(name)s ! Votre compte est créé. Un e-mail vient de partir vers votre parent (%(parent)s) pour "
            "qu’il donne son accord : d’ici là, vous pouvez voter et écrire, mais vos votes ne comptent pas et ce que "
            "vous écrivez n’est pas affiché.",
            name=participant.display_name, parent=participant.parent_email,
        )
    if participant.email_confirmed_at is None:
        return _(
            "Bienvenue %(name)s ! Votre compte est créé : vous pouvez voter et commenter. Pour que vos votes comptent, "
            "ouvrez le lien que nous venons d’envoyer à %(email)s.",
            name=participant.display_name, email=participant.email,
        )
    return _("Bienvenue %(name)s ! Votre compte est créé : vous pouvez voter et commenter.", name=participant.display_name)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("consultations.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        with refusal_shown(form.email.errors, form=form):
            participant = services.register_participant(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                registration_network=network_key(request.remote_addr, current_app.config["SECRET_KEY"]),
                **_profile_answers(form),
            )
            services.request_links(participant, current_language())
            pressed = held_vote(take=True)
            sign_in(participant)
            db.session.commit()
            flash(_welcome(participant), "success")
            return redirect(cast_held_vote(participant, pressed, safe_next_url(url_for("consultations.home"))), 303)
    return render_template("auth/register.html", form=form, held_vote=held_vote()), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(url_for("consultations.home")))
    form = LoginForm()
    if form.validate_on_submit():
        refusal = _("E-mail ou mot de passe incorrect. Vérifiez-les et réessayez.")
        try:
            participant = services.authenticate(form.email.data, form.password.data)
        except services.AccountLocked as locked:
            participant, refusal = None, locked.message
        db.session.commit()  # the count of failed sign-ins, or its reset
        if participant is None:
            form.password.errors.append(refusal)
        elif not participant.is_active:
            form.email.errors.append(_blocked_message(participant))
        else:
            pressed = held_vote(take=True)
            sign_in(participant, remember=form.remember.data)
            db.session.commit()
            flash(_("Vous êtes connecté."), "success")
            return redirect(cast_held_vote(participant, pressed, safe_next_url(url_for("consultations.home"))), 303)
    return render_template("auth/login.html", form=form, held_vote=held_vote()), 422 if form.errors else 200


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgotten_password():
    """The answer is the same whether the address has an account or not, so nobody can learn here who
    takes part."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit() and mail_enabled():
        services.request_password_reset(form.email.data, current_language())
        db.session.commit()
        flash(
            _(
                "Si un compte existe avec l’adresse %(email)s, un e-mail vient de lui être envoyé avec un lien pour "
                "choisir un nouveau mot de passe. Il arrive en général en quelques minutes ; pensez à regarder dans "
                "les courriers indésirables.",
                email=form.email.data,
            ),
            "success",
        )
        return redirect(url_for(".login"), 303)
    return render_template("auth/forgotten_password.html", form=form, mail_enabled=mail_enabled()), (
        422 if form.errors else 200
    )


@bp.get("/nouveau-mot-de-passe/<token>")
def open_reset_link(token: str):
    """The link of the e-mail works once: it is exchanged for a form kept in this browser's session, for a few
    minutes, at an address without the token (which thus stays out of the history, referrers and logs)."""
    participant = services.open_reset_link(token)
    if participant is None:
        return render_template("auth/reset_link_expired.html"), 410
    db.session.commit()
    session[PASSWORD_RESET] = [participant.id, participant.password_seal, participant.password_reset_opened_at.isoformat()]
    return redirect(url_for(".reset_password"), 303)


@bp.route("/nouveau-mot-de-passe", methods=["GET", "POST"])
def reset_password():
    participant = services.participant_for_reset_form(*session.get(PASSWORD_RESET, [None, None, None]))
    if participant is None:
        return render_template("auth/reset_link_expired.html"), 410
    form = NewPasswordForm()
    form.known_email = participant.email
    if form.validate_on_submit():
        services.set_new_password(participant, form.password.data)
        sign_in(participant)
        db.session.commit()
        flash(_("Votre nouveau mot de passe est enregistré et vous êtes connecté. Sur vos autres appareils, "
                "reconnectez-vous avec ce nouveau mot de passe."), "success")
        return redirect(url_for("consultations.home"), 303)
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


@bp.get("/confirmer/<token>")
def confirm_email(token: str):
    refusals: list[str] = []
    with refusal_shown(refusals):
        participant = services.confirm_email(token)
        db.session.commit()
        flash(_("Votre adresse e-mail %(email)s est confirmée : vos votes comptent maintenant.", email=participant.email),
              "success")
        return redirect(url_for("consultations.home"), 303)
    return render_template("auth/link_refused.html", refusals=refusals), 410


@bp.post("/renvoyer-le-lien")
@login_required
def resend_links():
    """Sends again the links the account waits for (its e-mail's confirmation, its parent's consent)."""
    services.request_links(current_user, current_language())
    db.session.commit()
    flash(_("C’est envoyé. Le message arrive en général en quelques minutes ; pensez à regarder dans les courriers "
            "indésirables."), "success")
    return redirect(safe_next_url(url_for("privacy.my_data")), 303)


@bp.route("/accord-parental/<token>", methods=["GET", "POST"])
def parental_consent(token: str):
    """The page the parent's e-mail opens: what the child's account does, and one button each way."""
    refusals: list[str] = []
    with refusal_shown(refusals):
        child = services.child_awaiting_consent(token)
        form = ParentalConsentForm()
        # Only the button pressed decides: a form sent without either erases nothing.
        if form.validate_on_submit() and form.consent.data:
            services.give_parental_consent(child)
            db.session.commit()
            return render_template("auth/parental_consent_given.html", child=child)
        if form.validate_on_submit() and form.refuse.data:
            erase_held_account(child, ErasureReason.PARENT_REFUSED)
            db.session.commit()
            return render_template("auth/parental_consent_refused.html")
        return render_template("auth/parental_consent.html", child=child, form=form,
                               consent_days=current_app.config["PARENTAL_CONSENT_DAYS"])
    return render_template("auth/link_refused.html", refusals=refusals), 410


def _blocked_message(participant: Participant) -> str:
    return _(
        "Ce compte est bloqué par l’équipe de modération (raison : %(reason)s). Pour le contester, "
        "écrivez à l’équipe de la consultation.",
        reason=participant.blocked_reason,
    )


def _pending_identity() -> services.PlatformIdentity:
    """The platform identity waiting to be linked; without one (expired session), start again."""
    if not platform_sign_in_enabled():
        abort(404)
    if PLATFORM_IDENTITY not in session:
        flash(_("La connexion a expiré. Recommencez, s’il vous plaît."), "info")
        abort(redirect(url_for(".login"), 303))
    return services.PlatformIdentity(**session[PLATFORM_IDENTITY])


def _sign_in_from_platform(participant: Participant):
    after_sign_in = session.pop(AFTER_SIGN_IN, None)
    id_token = session.pop(PENDING_ID_TOKEN, None)
    pressed = held_vote(take=True)
    sign_in(participant)
    db.session.commit()
    # Kept past the new session, to sign out of the provider too.
    if id_token:
        session[PLATFORM_ID_TOKEN] = id_token
    flash(_("Vous êtes connecté avec %(platform)s.", platform=current_app.config["PLATFORM_NAME"]), "success")
    return redirect(cast_held_vote(participant, pressed, safe_next_url(url_for("consultations.home"), after_sign_in)), 303)


@bp.get("/plateforme")
def platform_sign_in():
    """Sends the person to the platform, which sends them back to `platform_callback`."""
    if not platform_sign_in_enabled():
        abort(404)
    session[AFTER_SIGN_IN] = request.args.get("next")
    try:
        return start_sign_in(url_for(".platform_callback", _external=True))
    except PlatformSignInFailed as failure:
        return _platform_sign_in_failed(failure)


def _platform_sign_in_failed(failure: PlatformSignInFailed):
    log.warning("Sign-in through the platform failed: %s", failure)
    flash(_("La connexion avec %(platform)s n’a pas abouti. Réessayez dans un instant, ou connectez-vous ici avec "
            "votre e-mail et votre mot de passe.", platform=current_app.config["PLATFORM_NAME"]), "error")
    return redirect(url_for(".login"), 303)


@bp.get("/plateforme/retour")
def platform_callback():
    if not platform_sign_in_enabled():
        abort(404)
    platform = current_app.config["PLATFORM_NAME"]
    if request.args.get("error"):
        flash(_("La connexion avec %(platform)s a été annulée. Vous pouvez réessayer, ou vous connecter ici avec votre "
                "e-mail et votre mot de passe.", platform=platform), "info")
        return redirect(url_for(".login"), 303)
    try:
        sign_in = finish_sign_in()
    except PlatformSignInFailed as failure:
        return _platform_sign_in_failed(failure)
    identity = sign_in.identity
    session[PENDING_ID_TOKEN] = sign_in.id_token
    participant = services.participant_for_platform(identity.uid)
    if participant is not None:
        if not participant.is_active:
            flash(_blocked_message(participant), "error")
            return redirect(url_for(".login"), 303)
        return _sign_in_from_platform(participant)
    session[PLATFORM_IDENTITY] = identity.as_session()
    if services.local_account_for(identity) is not None:
        return redirect(url_for(".platform_link"), 303)
    return redirect(url_for(".platform_profile"), 303)


@bp.route("/plateforme/lier", methods=["GET", "POST"])
def platform_link():
    """The platform's e-mail is already an account here: its owner proves it with the password once."""
    identity = _pending_identity()
    participant = services.local_account_for(identity)
    if participant is None:
        return redirect(url_for(".platform_profile"), 303)
    form = PlatformLinkForm()
    if form.validate_on_submit():
        with refusal_shown(form.password.errors):
            services.link_platform_identity(participant, identity, form.password.data)
            if not participant.is_active:
                flash(_blocked_message(participant), "error")
                return redirect(url_for(".login"), 303)
            db.session.commit()
            return _sign_in_from_platform(participant)
    return render_template("auth/platform_link.html", form=form, email=identity.email), 422 if form.errors else 200


@bp.route("/plateforme/profil", methods=["GET", "POST"])
def platform_profile():
    """First sign-in through the platform: asks only what it did not give, then creates the participant."""
    identity = _pending_identity()
    form = ProfileForm()
    if identity.email:
        del form.email
        form.known_email = identity.email
    elif identity.unverified_email and not form.is_submitted():
        form.email.data = identity.unverified_email
    # The platform's name is taken as it is, unless this site refuses it (a copy of someone's name, a word
    # reserved to the town's team…): the person then chooses another one here.
    name_problem = services.display_name_problem(identity.name) if identity.name else None
    platform_name = identity.name if identity.name and name_problem is None else None
    if platform_name:
        del form.display_name
    if form.validate_on_submit():
        with refusal_shown((form.email if "email" in form else form.audience).errors, form=form):
            participant = services.register_participant(
                email=identity.email or form.email.data,
                password=None,
                display_name=platform_name or form.display_name.data,
                platform_uid=identity.uid,
                **_profile_answers(form),
            )
            services.request_links(participant, current_language())
            db.session.commit()
            return _sign_in_from_platform(participant)
    return render_template(
        "auth/platform_profile.html", form=form, identity=identity, platform_name=platform_name, name_problem=name_problem
    ), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    provider_sign_out = provider_sign_out_url(
        session.pop(PLATFORM_ID_TOKEN, None), url_for("consultations.home", _external=True)
    )
    sign_out()
    db.session.commit()
    if provider_sign_out:
        session[PROVIDER_SIGN_OUT] = provider_sign_out
        return redirect(url_for(".platform_signed_out"), 303)
    flash(_("Vous êtes déconnecté. À bientôt !"), "success")
    return redirect(url_for("consultations.home"), 303)


@bp.post("/deconnexion-partout")
@login_required
def logout_everywhere():
    """For a phone lost or a session left open on a shared computer: every device must sign in again."""
    services.end_every_sign_in_session(current_user)
    sign_out()
    db.session.commit()
    flash(_("Vous êtes déconnecté sur tous les appareils où vous étiez connecté. Reconnectez-vous pour continuer."), "success")
    return redirect(url_for(".login"), 303)


@bp.get("/plateforme/deconnexion")
def platform_signed_out():
    """Signed out here, the person may still be signed in at the provider on this device (a shared computer):
    this page offers to sign out there too (OpenID Connect RP-initiated logout)."""
    if not platform_sign_in_enabled():
        abort(404)
    provider_sign_out = session.pop(PROVIDER_SIGN_OUT, None)
    if provider_sign_out is None:
        return redirect(url_for("consultations.home"))
    return render_template("auth/platform_signed_out.html", provider_sign_out=provider_sign_out)
