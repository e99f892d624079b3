"""Participants: local accounts (later also host-platform identities) and the profile used in aggregates."""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, validates

from .base import Model
from .types import UTCDateTime, enum_column, utcnow


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    MODERATOR = "moderator"
    COMMITTEE = "committee"
    ADMIN = "admin"


class Audience(enum.StrEnum):
    PARENT = "parent"
    YOUTH = "youth"
    PROFESSIONAL = "professional"


class AgeBracket(enum.StrEnum):
    FROM_11_TO_14 = "11-14"
    FROM_15_TO_17 = "15-17"
    FROM_18_TO_25 = "18-25"
    FROM_26_TO_39 = "26-39"
    FROM_40_TO_59 = "40-59"
    FROM_60 = "60+"

    @property
    def lowest_age(self) -> int:
        return int(self.value.split("-")[0].rstrip("+"))

    @property
    def needs_parental_consent(self) -> bool:
        """Age of digital consent in France is 15 (loi Informatique et libertés, art. 45)."""
        return self.lowest_age < 15


class VotesHeld(enum.StrEnum):
    """Why a person's votes are kept but not counted (the API's `me` gives these names)."""

    BLOCKED = "blocked"
    EMAIL_UNCONFIRMED = "email_unconfirmed"
    PARENTAL_CONSENT_PENDING = "parental_consent_pending"
    HELD_FOR_REVIEW = "held_for_review"


YOUTH_AGE_BRACKETS = frozenset({AgeBracket.FROM_11_TO_14, AgeBracket.FROM_15_TO_17, AgeBracket.FROM_18_TO_25})
MINOR_AGE_BRACKETS = frozenset({AgeBracket.FROM_11_TO_14, AgeBracket.FROM_15_TO_17})
# The age brackets each audience admits: a young person is 11 to 25, a parent or a professional 18 or more. The
# summaries say so on their method page, and their disclosure control counts on it (a reader may too).
AGE_BRACKETS_OF_AUDIENCE = {
    Audience.YOUTH: YOUTH_AGE_BRACKETS,
    Audience.PARENT: frozenset(AgeBracket) - MINOR_AGE_BRACKETS,
    Audience.PROFESSIONAL: frozenset(AgeBracket) - MINOR_AGE_BRACKETS,
}
# The same rule as a CHECK of the participants table, so that no way of writing an account can break it.
AGE_FITS_AUDIENCE = " OR ".join(
    f"(audience = '{audience.value}' AND age_bracket IN ("
    + ", ".join(f"'{bracket.value}'" for bracket in AgeBracket if bracket in brackets)
    + "))"
    for audience, brackets in AGE_BRACKETS_OF_AUDIENCE.items()
)
UNDER_15_AGE_BRACKETS = frozenset(bracket for bracket in AgeBracket if bracket.needs_parental_consent)

CONSENT_AGE_BRACKETS = tuple(bracket for bracket in AgeBracket if bracket.needs_parental_consent)

# The name an erased account keeps, and the author shown for a text whose account no longer exists.
ERASED_ACCOUNT_NAME = "Compte supprimé"


def comparable_name(name: str) -> str:
    """What two names that read alike have in common: compatibility forms folded (NFKC: "ｍ" is "m"), accents and
    case dropped, only letters and digits kept. "Équipe de Modération" and "equipe-de-moderation" share one key."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", without_accents).casefold()
    return "".join(c for c in folded if c.isalnum())


class Participant(UserMixin, Model):
    __tablename__ = "participants"
    __table_args__ = (
        sa.CheckConstraint(
            # Before 15, the parent who is asked for consent must be known (while their answer is awaited, too). An
            # erased account keeps the consent's date, if any (the processing was lawful), but not the parent's e-mail.
            "age_bracket <> '11-14' OR parent_email IS NOT NULL OR erased_at IS NOT NULL",
            name="under_15_has_parental_consent",
        ),
        sa.CheckConstraint(AGE_FITS_AUDIENCE, name="age_bracket_fits_audience"),
    )

    # `sign_in_key` below is a plain attribute, not a column.
    __allow_unmapped__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    # None for people who sign in only through the host platform.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # The person's id on the host platform (OAuth2 profile `id`), once they signed in through it.
    platform_uid: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    # `comparable_name(display_name)`, kept with the name so that a copy of someone's name is found by the index.
    display_name_key: Mapped[str] = mapped_column(sa.Text, default="", server_default="", index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "participant_role"), default=Role.PARTICIPANT)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience, "participant_audience"))
    age_bracket: Mapped[AgeBracket] = mapped_column(enum_column(AgeBracket, "participant_age_bracket"))
    neighbourhood: Mapped[str | None] = mapped_column(sa.String(120))
    school: Mapped[str | None] = mapped_column(sa.String(120))
    parent_email: Mapped[str | None] = mapped_column(sa.String(254))
    # When the parent consented, through the link e-mailed to them; until then the child's votes and writings are
    # held (kept, neither counted nor shown).
    parental_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person opened the confirmation link e-mailed to them (the host platform vouches for its own
    # accounts); until then their votes are held.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The network the account was created from (an IPv4 /24 or IPv6 /48, keyed with the app's secret so that the
    # address cannot be read back), for the moderators' duplicate signals; forgotten after
    # REGISTRATION_NETWORK_DAYS (privacy/services.py).
    registration_network: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    # A blocked person cannot sign in or vote, and what they wrote is hidden, until unblocked.
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # A moderator holds the person's votes pending review (a duplicate signal): they stay but are not counted.
    votes_held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The interface language the person chose ("fr", "en", "ar"); None until they choose one.
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # Set when the account is erased: the row stays as an anonymous tombstone so that its votes still count.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whether the person wants an e-mail copy when the decision on an action they took part in is published.
    decision_emails: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    # When a password-reset link was last opened: a link works once, so links made before then are refused.
    password_reset_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The secret key of the sign-in session (`SignInSession`) this object was signed in or loaded for.
    sign_in_key: str | None = None

    @validates("display_name")
    def _keep_display_name_key(self, _key: str, name: str) -> str:
        self.display_name_key = comparable_name(name)
        return name

    @property
    def votes_held_because(self) -> list[VotesHeld]:
        """Why this person's votes are not counted, for the pages and the API's `me`: empty exactly when
        `votes_count` is true."""
        reasons = []
        if self.blocked_at is not None:
            reasons.append(VotesHeld.BLOCKED)
        if self.email_confirmed_at is None:
            reasons.append(VotesHeld.EMAIL_UNCONFIRMED)
        if self.age_bracket.needs_parental_consent and self.parental_consent_at is None:
            reasons.append(VotesHeld.PARENTAL_CONSENT_PENDING)
        if self.votes_held_at is not None:
            reasons.append(VotesHeld.HELD_FOR_REVIEW)
        return reasons

    @hybrid_property
    def votes_count(self) -> bool:
        """Whether this person's votes are counted, in Python and in SQL (`Participant.votes_count` in a WHERE).
        Pages, the API, summaries, analyses and exports all ask this one question, so that a rule about whose
        votes count is written once. Everything that hides a person's writings holds their votes too; votes also
        wait for the e-mail's confirmation, and are held while a moderator reviews them. Erased accounts' votes still
        count (the tombstone keeps them). What depends on the consultation (codes) is `participant_counts_in`.
        The database's triggers tally votes by this rule too (migration 5e1f0c7a9d24, `ActionTally`): a change here
        needs a migration that writes them again."""
        return not self.votes_held_because

    @votes_count.inplace.expression
    @classmethod
    def _votes_count_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.writings_shown, cls.email_confirmed_at.is_not(None), cls.votes_held_at.is_(None))

    @hybrid_property
    def writings_shown(self) -> bool:
        """Whether what this person wrote (comments, proposals) is shown and summarised, in Python and in SQL:
        one definition for pages, the API, summaries and the open-data export. Before 15, only once a parent
        consented."""
        consented = not self.age_bracket.needs_parental_consent or self.parental_consent_at is not None
        return self.blocked_at is None and consented

    @writings_shown.inplace.expression
    @classmethod
    def _writings_shown_expression(cls) -> sa.ColumnElement[bool]:
        # Each part is true for a missing author (an official action reached through an outer join): shown.
        return sa.and_(
            cls.blocked_at.is_(None),
            sa.or_(
                cls.age_bracket.is_(None),
                cls.age_bracket.not_in(CONSENT_AGE_BRACKETS),
                cls.parental_consent_at.is_not(None),
            ),
        )

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to sign in (and drops the session of) a blocked or erased participant."""
        return self.blocked_at is None and self.erased_at is None

    @property
    def password_seal(self) -> str:
        """Changes whenever the password does: password-reset links and the form they open carry it, so a new
        password makes them useless."""
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the "stay signed in" cookie: the participant and the key of
        their sign-in session, which `auth.sessions.load_participant` checks is still open."""
        return f"{self.id}:{self.sign_in_key}"

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.role}>"


@dataclass(frozen=True)
class ActorFacts:
    """What the rules read of the person an API token acts for, as plain values: a vote, the busiest request,
    loads these columns of the token's owner without building the ORM object (`api.services.authenticate_token`).
    Views that show or change the account itself load the `Participant` (`api.actor.require_participant`)."""

    id: int
    role: Role
    audience: Audience
    age_bracket: AgeBracket
    blocked_at: datetime | None
    erased_at: datetime | None
    is_authenticated: ClassVar[bool] = True
    is_active = Participant.is_active


# The person acting, as the rules read them: the account, or its facts.
Person = Participant | ActorFacts
