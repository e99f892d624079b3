"""Participation codes: batches printed for a place, a code bound once to one account in its consultation, the
refusal of a vote without one where a consultation requires it, and the participation per batch."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..errors import NotFound, ParticipationRefused
from ..extensions import db
from ..models import (
    Action,
    CodeBatch,
    Consultation,
    ConsultationRules,
    ModerationAction,
    Orientation,
    Participant,
    ParticipationCode,
    Person,
    Vote,
    participant_counts_in,
    utcnow,
)

# Capitals and digits that cannot be misread on paper: no 0/O, 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# 32⁸ ≈ 10¹² codes: one typed at random is found once in about a billion tries per code handed out.
CODE_LENGTH = 8
MAX_CODES_PER_BATCH = 500


def _record(manager: Participant, action: ModerationAction, batch: CodeBatch, consultation: Consultation | None, **details: Any) -> None:
    # Imported here: moderation's services import voting's, which ask this module whether a vote needs a code.
    from ..moderation.services import record

    record(manager, action, batch, consultation, **details)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """Printed in two groups of four, easier to copy: "ABCD-EFGH"."""
    return f"{code[:4]}-{code[4:]}"


def typed_code(text: str) -> str:
    """What a person typed, as stored: capitals, without spaces or dashes."""
    return "".join(character for character in text.upper() if character.isalnum())


def generate_batch(manager: Participant, consultation: Consultation, label: str, count: int) -> CodeBatch:
    label = label.strip()
    if not label:
        raise ParticipationRefused(
            _("Dites où les codes seront distribués, par exemple « École Jean-Jaurès »."), field="label"
        )
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ParticipationRefused(
            _("Un lot compte de 1 à %(max)s codes.", max=MAX_CODES_PER_BATCH), field="count"
        )
    batch = CodeBatch(consultation_id=consultation.id, label=label, created_by_id=manager.id)
    db.session.add(batch)
    db.session.flush()
    codes = {new_code() for _ in range(count)}
    while len(codes) < count:
        codes.add(new_code())
    db.session.add_all(ParticipationCode(batch_id=batch.id, consultation_id=consultation.id, code=code) for code in codes)
    db.session.flush()
    _record(manager, ModerationAction.GENERATE_CODES, batch, consultation, label=label, count=count)
    return batch


def batch_of(consultation: Consultation, batch_id: int) -> CodeBatch:
    batch = db.session.get(CodeBatch, batch_id)
    if batch is None or batch.consultation_id != consultation.id:
        raise NotFound()
    return batch


def revoke_batch(manager: Participant, batch: CodeBatch, reason: str) -> None:
    """The batch's codes can no longer be entered, and the votes of the accounts bound through them stop counting
    in this consultation (`participant_counts_in`); they are kept, not deleted."""
    if batch.revoked_at is not None:
        return
    batch.revoked_at = utcnow()
    db.session.flush()
    consultation = db.session.get(Consultation, batch.consultation_id)
    _record(manager, ModerationAction.REVOKE_CODES, batch, consultation, reason=reason, label=batch.label)


def batches(consultation: Consultation) -> list[tuple[CodeBatch, int, int]]:
    """The consultation's batches, newest first, with how many codes each holds and how many are bound."""
    rows = db.session.execute(
        select(CodeBatch, func.count(ParticipationCode.id), func.count(ParticipationCode.participant_id))
        .join(ParticipationCode, ParticipationCode.batch_id == CodeBatch.id)
        .where(CodeBatch.consultation_id == consultation.id)
        .group_by(CodeBatch.id)
        .order_by(CodeBatch.created_at.desc(), CodeBatch.id.desc())
    )
    return [(batch, codes, bound) for batch, codes, bound in rows]


def code_of(
    participant: Person | None, consultation: Consultation | ConsultationRules
) -> ParticipationCode | None:
    """The code the person entered in this consultation, if any (revoked or not)."""
    if participant is None:
        return None
    return db.session.scalar(
        select(ParticipationCode).where(
            ParticipationCode.consultation_id == consultation.id, ParticipationCode.participant_id == participant.id
        )
    )


def bind_code(participant: Participant, consultation: Consultation, text: str) -> ParticipationCode:
    """Binds the typed code to the person for this consultation: once, to one account, in its own consultation."""
    code = typed_code(text)
    found = db.session.scalar(
        select(ParticipationCode).where(ParticipationCode.code == code).with_for_update()
    ) if code else None
    if found is None or found.consultation_id != consultation.id:
        raise ParticipationRefused(
            _("Ce code n’existe pas pour cette consultation. Vérifiez les lettres et les chiffres du papier reçu."),
            field="code",
        )
    if found.batch.revoked_at is not None:
        raise ParticipationRefused(
            _("Ce code n’est plus valable. Demandez-en un nouveau là où vous l’avez reçu."), field="code"
        )
    if found.participant_id == participant.id:
        return found
    if found.participant_id is not None:
        raise ParticipationRefused(
            _("Ce code a déjà été utilisé par un autre compte. Chaque code ne sert qu’une fois."), field="code"
        )
    if code_of(participant, consultation) is not None:
        raise ParticipationRefused(
            _("Vous avez déjà saisi un code pour cette consultation : un seul suffit."), field="code"
        )
    found.participant_id = participant.id
    found.bound_at = utcnow()
    db.session.flush()
    return found


def check_code(consultation: Consultation | ConsultationRules, participant: Person) -> None:
    """Where the consultation requires a code, refuses a vote without a valid one, saying where to get one."""
    if not consultation.codes_required:
        return
    code = code_of(participant, consultation)
    if code is not None and code.batch.revoked_at is None:
        return
    places = db.session.scalars(
        select(CodeBatch.label)
        .where(CodeBatch.consultation_id == consultation.id, CodeBatch.revoked_at.is_(None))
        .order_by(CodeBatch.label)
        .distinct()
    ).all()
    where = (
        _("Ils sont distribués sur papier à ces endroits : %(places)s.", places=", ".join(places))
        if places
        else _("Ils sont distribués sur papier à l’école, au centre social et lors des ateliers.")
    )
    raise ParticipationRefused(
        _(
            "Pour voter dans cette consultation, il faut un code de participation. %(where)s Saisissez votre code "
            "en haut de la page de la consultation.",
            where=where,
        )
    )


def participation_by_batch(consultation: Consultation) -> dict[str, int]:
    """People whose votes count, per batch of codes they entered ("" for those who entered none), for the
    summary's breakdown: revoked batches and held or blocked accounts are left out. Empty when the consultation
    has no batch."""
    if db.session.scalar(select(CodeBatch.id).where(CodeBatch.consultation_id == consultation.id).limit(1)) is None:
        return {}
    voters = (
        select(Vote.participant_id)
        .join(Action, Action.id == Vote.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .where(Orientation.consultation_id == consultation.id)
    )
    rows = db.session.execute(
        select(func.coalesce(CodeBatch.label, ""), func.count(Participant.id))
        .select_from(Participant)
        .outerjoin(
            ParticipationCode,
            (ParticipationCode.participant_id == Participant.id)
            & (ParticipationCode.consultation_id == consultation.id),
        )
        .outerjoin(CodeBatch, CodeBatch.id == ParticipationCode.batch_id)
        .where(Participant.id.in_(voters), participant_counts_in(consultation.id))
        .group_by(CodeBatch.label)
    )
    counts: dict[str, int] = {label: number for label, number in rows}
    return counts


def slips(batch: CodeBatch) -> list[dict[str, Any]]:
    """The batch's codes still free, as printed: the code in two groups and as typed in a link."""
    return [
        {"code": code.code, "shown": shown_code(code.code)}
        for code in batch.codes
        if code.participant_id is None
    ]
