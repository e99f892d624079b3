"""API tokens and pages of lists: the logic behind API v1 that is not already a feature's service."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from ..extensions import db, execute_without_orm
from ..models import ActorFacts, ApiToken, Participant, utcnow

SECRET_PREFIX = "pedt_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(name: str, *, owner: Participant | None, issued_by: Participant | None = None) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is stored only as a hash: show it once, then it is gone."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name.strip(),
        secret_hash=_hash(secret),
        prefix=secret[: len(SECRET_PREFIX) + 6],
        owner=owner,
        created_by_id=issued_by.id if issued_by else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


@dataclass(frozen=True)
class AuthenticatedToken:
    """What a request needs of its token: who it acts as (None: the platform's token), and its id to count the
    platform's calls by."""

    id: int
    owner: ActorFacts | None

    @property
    def acts_for_platform_users(self) -> bool:
        return self.owner is None


# Every API request runs it: built once, so that SQLAlchemy neither rebuilds it nor recomputes its cache key. The
# token's id beside what the rules read of its owner, not ORM objects: each object and each column loaded costs CPU
# at every request.
_TOKEN_OWNER = (
    select(
        ApiToken.id,
        Participant.id,
        Participant.role,
        Participant.audience,
        Participant.age_bracket,
        Participant.blocked_at,
        Participant.erased_at,
    )
    .outerjoin(Participant, Participant.id == ApiToken.owner_id)
    .where(ApiToken.secret_hash == bindparam("secret_hash"), ApiToken.revoked_at.is_(None))
)


def authenticate_token(secret: str) -> AuthenticatedToken | None:
    """The token, unless unknown or revoked, with its owner's facts, in one query (every API request asks for
    both)."""
    row = execute_without_orm(_TOKEN_OWNER, {"secret_hash": _hash(secret)}).one_or_none()
    if row is None:
        return None
    token_id, owner_id, *facts = row
    return AuthenticatedToken(token_id, None if owner_id is None else ActorFacts(owner_id, *facts))


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def active_tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.created_at, ApiToken.id))
    )


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int


def page_of(statement: Select, page: int, per_page: int) -> Page:
    """One page of an ordered query, and how many rows the whole query has."""
    total = db.session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)
