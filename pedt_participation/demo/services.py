"""Demo data: the town's two documents as consultations, demo accounts, and synthetic participation."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from ..auth.services import register_participant
from ..creation.importing import plan_import
from ..creation.services import import_structure
from ..extensions import db
from ..management import profile_lists
from ..models import (
    YOUTH_AGE_BRACKETS,
    Action,
    ActionOrigin,
    ActionState,
    AgeBracket,
    Alignment,
    Audience,
    Comment,
    CommentRating,
    Consultation,
    ConsultationStatus,
    Grade,
    ModeratorAssignment,
    Opinion,
    Orientation,
    Participant,
    Pictogram,
    ProfileListKind,
    Role,
    Vote,
    VoteKind,
    comparable_name,
    utcnow,
)
from ..models.base import Model
from .documents import ConsultationSeed, load_demo_documents, seed_rows

DEMO_PASSWORD = "demo-pedt-2026"

# Voting settings of each demo consultation (the documents say nothing about them).
DEMO_SETTINGS = {
    "cite-educative": {"vote_limit_per_orientation": 2, "opinion_enabled": True, "majority_judgment_enabled": True},
    "pedt": {"vote_limit_per_orientation": 3, "opinion_enabled": True, "majority_judgment_enabled": False},
}

# The pictogram staff would give each orientation, in the documents' order (the documents have none).
DEMO_PICTOGRAMS = {
    # Parents, paths from 0 to 25, professionals working together, training, trying out, showing what works.
    "cite-educative": (Pictogram.FAMILY, Pictogram.PATH, Pictogram.COOPERATION, Pictogram.TRAINING, Pictogram.IDEAS,
                       Pictogram.AWARD),
    # Success at school, continuity between professionals, disability, access to activities, parents,
    # communication with families, living together, young people's autonomy.
    "pedt": (Pictogram.SCHOOL, Pictogram.COOPERATION, Pictogram.INCLUSION, Pictogram.SPORT, Pictogram.FAMILY,
             Pictogram.COMMUNICATION, Pictogram.CITIZENSHIP, Pictogram.PATH),
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: Role
    audience: Audience
    age_bracket: AgeBracket


DEMO_ACCOUNTS = (
    DemoAccount("parent@demo.pedt.local", "Samia (parent)", Role.PARTICIPANT, Audience.PARENT, AgeBracket.FROM_26_TO_39),
    DemoAccount("jeune@demo.pedt.local", "Yanis (17 ans)", Role.PARTICIPANT, Audience.YOUTH, AgeBracket.FROM_15_TO_17),
    DemoAccount("moderation@demo.pedt.local", "Équipe de modération", Role.MODERATOR, Audience.PROFESSIONAL, AgeBracket.FROM_40_TO_59),
    DemoAccount("comite@demo.pedt.local", "Comité de pilotage", Role.COMMITTEE, Audience.PROFESSIONAL, AgeBracket.FROM_40_TO_59),
    DemoAccount("admin@demo.pedt.local", "Administration", Role.ADMIN, Audience.PROFESSIONAL, AgeBracket.FROM_40_TO_59),
)


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def seed_demo(now: datetime | None = None, *, with_accounts: bool) -> SeedReport:
    """Loads both documents and, `with_accounts`, the demo accounts. Idempotent: rows are matched by slug and
    position, texts are brought up to date, and dates or accounts that already exist are left as they are."""
    now = now or utcnow()
    report = SeedReport()
    for seed in load_demo_documents():
        _seed_consultation(seed, now, report)
        _seed_profile_lists(seed.slug, report)
    if with_accounts:
        _create_demo_accounts(report)
    db.session.flush()
    return report


def _seed_profile_lists(slug: str, report: SeedReport) -> None:
    """The demo town's neighbourhoods and schools, the ones its simulated participants give; a list staff already
    wrote is left as it is."""
    db.session.flush()
    consultation = db.session.execute(select(Consultation).where(Consultation.slug == slug)).scalar_one()
    for kind, labels in ((ProfileListKind.NEIGHBOURHOOD, NEIGHBOURHOODS), (ProfileListKind.SCHOOL, SCHOOLS)):
        if not profile_lists.entries(consultation, kind):
            profile_lists.replace_entries(consultation, kind, "\n".join(labels))
            report.created.append(f"consultation {slug} : liste {kind.value}")


def _create_demo_accounts(report: SeedReport) -> None:
    for account in DEMO_ACCOUNTS:
        if db.session.scalar(select(Participant.id).where(Participant.email == account.email)) is None:
            register_participant(
                email=account.email,
                password=DEMO_PASSWORD,
                display_name=account.display_name,
                audience=account.audience,
                age_bracket=account.age_bracket,
                role=account.role,
                email_confirmed=True,
            )
            report.created.append(f"compte {account.email}")
    _assign_demo_moderators(report)


def _assign_demo_moderators(report: SeedReport) -> None:
    """The demo moderator moderates both demo consultations."""
    moderators = db.session.scalars(
        select(Participant).where(
            Participant.email.in_([a.email for a in DEMO_ACCOUNTS if a.role == Role.MODERATOR])
        )
    ).all()
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.slug.in_(list(DEMO_SETTINGS)))
    ).all()
    assigned = set(
        db.session.execute(select(ModeratorAssignment.participant_id, ModeratorAssignment.consultation_id)).tuples()
    )
    for moderator in moderators:
        for consultation in consultations:
            if (moderator.id, consultation.id) not in assigned:
                db.session.add(ModeratorAssignment(participant_id=moderator.id, consultation_id=consultation.id))
                report.created.append(f"modération {moderator.email} → {consultation.slug}")


def _sync(entity: object, label: str, report: SeedReport, *, created: bool, **values: object) -> None:
    """Brings the texts up to date; only a row that existed before and changed counts as updated."""
    changed = [name for name, value in values.items() if getattr(entity, name) != value]
    for name in changed:
        setattr(entity, name, values[name])
    if created:
        report.created.append(label)
    elif changed:
        report.updated.append(label)


def _seed_consultation(seed: ConsultationSeed, now: datetime, report: SeedReport) -> None:
    """A new demo consultation is built by the importer, from the rows the document makes, as an uploaded file
    would be; an existing one has its texts brought up to date, position by position."""
    plan = plan_import(seed_rows(seed))
    if plan.errors:
        raise ValueError(f"{seed.slug}: " + "; ".join(map(str, plan.errors)))
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == seed.slug))
    if consultation is None:
        start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=7)
        consultation = Consultation(
            slug=seed.slug,
            title=seed.title,
            summary=seed.summary,
            context=seed.context,
            status=ConsultationStatus.PUBLISHED,
            proposals_open_at=start,
            proposals_close_at=start + timedelta(days=52),
            voting_open_at=start,
            voting_close_at=start + timedelta(days=67),
            **DEMO_SETTINGS[seed.slug],
        )
        db.session.add(consultation)
        import_structure(consultation, plan, published_at=start)
        report.created.append(f"consultation {seed.slug}")
        for built in consultation.orientations:
            built.pictogram = DEMO_PICTOGRAMS[seed.slug][built.position - 1]
            label = f"{seed.slug} orientation {built.position}"
            report.created += [label] + [f"{label} action {action.position}" for action in built.actions]
        return
    _sync(
        consultation,
        f"consultation {seed.slug}",
        report,
        created=False,
        title=seed.title,
        summary=seed.summary,
        context=seed.context,
    )
    orientations = {o.position: o for o in consultation.orientations}
    for position, orientation_seed in enumerate(plan.orientations, start=1):
        orientation = orientations.get(position)
        label = f"{seed.slug} orientation {position}"
        created = orientation is None
        if orientation is None:
            orientation = Orientation(position=position)
            consultation.orientations.append(orientation)
        _sync(
            orientation,
            label,
            report,
            created=created,
            title=orientation_seed.title,
            theme=orientation_seed.theme,
            description=orientation_seed.description,
            pictogram=DEMO_PICTOGRAMS[seed.slug][position - 1],
        )
        official = {a.position: a for a in orientation.actions if a.origin == ActionOrigin.OFFICIAL}
        for action_position, action_seed in enumerate(orientation_seed.actions, start=1):
            action = official.get(action_position)
            created = action is None
            if action is None:
                action = Action(
                    position=action_position,
                    origin=ActionOrigin.OFFICIAL,
                    state=ActionState.PUBLISHED,
                    published_at=consultation.proposals_open_at or now,
                    created_at=consultation.proposals_open_at or now,
                )
                orientation.actions.append(action)
            _sync(
                action,
                f"{label} action {action_position}",
                report,
                created=created,
                title=action_seed.title,
                body=action_seed.body,
            )
    db.session.flush()


# Rows of simulated votes or replies sent in one statement (SQLite takes at most 32 766 values in one).
ROWS_PER_STATEMENT = 2000
NEIGHBOURHOODS = ("Quartiers sud", "Centre-ville", "Les Hauts", "Quartier de la gare", "Bords de Seine")
SCHOOLS = ("École Jean-Jaurès", "École Louise-Michel", "Collège Victor-Hugo", "Lycée Marie-Curie")
COMMENT_OPENINGS = ("Je trouve que", "À mon avis,", "En tant que parent,", "Franchement,", "Pour les jeunes du quartier,")
COMMENT_IDEAS = (
    "cette action répond à un vrai besoin des familles",
    "il faudrait des horaires adaptés aux parents qui travaillent",
    "c’est important que ce soit gratuit pour tout le monde",
    "on manque d’informations sur ce qui existe déjà",
    "les jeunes doivent être associés dès le départ",
    "ce serait bien d’avoir des ateliers le mercredi",
    "la médiation avec l’école aide beaucoup les enfants",
    "il faut penser aux familles qui ne parlent pas bien français",
    "les écrans prennent trop de place à la maison",
    "ce projet doit aussi toucher les enfants en situation de handicap",
)
COMMENT_ENDINGS = (".", ", merci.", " !", ", c’est urgent.", ", à suivre.")


@dataclass
class SimulationReport:
    participants: int = 0
    votes: int = 0
    comments: int = 0


def simulated_email(seed: int, index: int) -> str:
    return f"simule-{seed}-{index}@exemple.invalid"


def already_simulated(seed: int) -> bool:
    return db.session.scalar(select(Participant.id).where(Participant.email == simulated_email(seed, 0))) is not None


def simulate(participants: int, seed: int, now: datetime | None = None) -> SimulationReport:
    """Synthetic participants, votes and comments on the published consultations, the same for the same
    seed. Rows are inserted in bulk (benchmarks load millions of votes) but follow the same rules as the
    voting service: audiences, one vote per kind, supports within each orientation's limit."""
    if already_simulated(seed):
        raise ValueError(f"Seed {seed} has already been simulated in this database; choose another --seed.")
    now = now or utcnow()
    rng = random.Random(seed)
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.status == ConsultationStatus.PUBLISHED).order_by(Consultation.id)
    ).all()
    report = SimulationReport()
    people = _insert_participants(rng, seed, participants, now)
    report.participants = len(people)
    for consultation in consultations:
        actions = db.session.scalars(
            select(Action)
            .join(Orientation)
            .where(Orientation.consultation_id == consultation.id, Action.state == ActionState.PUBLISHED)
            .order_by(Action.id)
        ).all()
        if not actions:
            continue
        by_orientation: dict[int, list[Action]] = {}
        for action in actions:
            by_orientation.setdefault(action.orientation_id, []).append(action)
        appeal = {a.id: rng.uniform(-1, 1) for a in actions}
        start = consultation.voting_open_at or now
        span = max((min(now, consultation.voting_close_at or now) - start).total_seconds(), 1)
        eligible = [
            person
            for person in people
            if person[1].value in consultation.allowed_audiences and person[2].lowest_age >= consultation.minimum_age
        ]
        report.votes += _insert_votes(rng, consultation, by_orientation, appeal, eligible, start, span)
        report.comments += _insert_comments(rng, actions, appeal, eligible, start, span)
    db.session.flush()
    _refresh_planner_statistics(Participant, Vote, Comment)
    return report


def _refresh_planner_statistics(*models: type[Model]) -> None:
    """Postgres plans queries from statistics that autovacuum gathers some time after a bulk load; until then
    it plans for empty tables, and the summary's aggregation over freshly loaded votes runs many times slower.
    ANALYZE runs inside the transaction and serves every session once committed (SQLite has it too)."""
    for model in models:
        db.session.execute(text(f"ANALYZE {model.__tablename__}"))


# A simulated participant: the id, and the profile that says which consultations they may take part in.
SimulatedPerson = tuple[int, Audience, AgeBracket]


def _insert_participants(rng: random.Random, seed: int, count: int, now: datetime) -> list[SimulatedPerson]:
    rows: list[dict[str, Any]] = []
    for index in range(count):
        audience = rng.choices(list(Audience), weights=(55, 35, 10))[0]
        if audience == Audience.YOUTH:
            bracket = rng.choice(sorted(YOUTH_AGE_BRACKETS))
        else:
            bracket = rng.choice((AgeBracket.FROM_26_TO_39, AgeBracket.FROM_40_TO_59, AgeBracket.FROM_60, AgeBracket.FROM_18_TO_25))
        minor = bracket.needs_parental_consent
        rows.append(
            {
                "email": simulated_email(seed, index),
                "password_hash": None,
                "display_name": f"Participant·e {seed}-{index}",
                "display_name_key": comparable_name(f"Participant·e {seed}-{index}"),
                "role": Role.PARTICIPANT,
                "audience": audience,
                "age_bracket": bracket,
                "neighbourhood": rng.choice(NEIGHBOURHOODS) if rng.random() < 0.8 else None,
                "school": rng.choice(SCHOOLS) if audience == Audience.YOUTH and rng.random() < 0.7 else None,
                "parent_email": f"parent-{seed}-{index}@exemple.invalid" if minor else None,
                "parental_consent_at": now if minor else None,
                "email_confirmed_at": now,
                "created_at": now,
            }
        )
    ids = db.session.scalars(insert(Participant).returning(Participant.id, sort_by_parameter_order=True), rows).all()
    return [(participant_id, row["audience"], row["age_bracket"]) for participant_id, row in zip(ids, rows, strict=True)]


def _moment(rng: random.Random, start: datetime, span: float) -> datetime:
    return start + timedelta(seconds=rng.random() * span)


def _insert_votes(
    rng: random.Random,
    consultation: Consultation,
    by_orientation: dict[int, list[Action]],
    appeal: dict[int, float],
    people: list[SimulatedPerson],
    start: datetime,
    span: float,
) -> int:
    rows = []
    limit = consultation.vote_limit_per_orientation
    for participant_id, *_profile in people:
        if rng.random() > 0.8:
            continue
        for actions in by_orientation.values():
            if consultation.supports_enabled:
                ranked = sorted(actions, key=lambda a: appeal[a.id] + rng.gauss(0, 0.8), reverse=True)
                how_many = rng.randint(0, min(limit or len(actions), len(actions)))
                for action in ranked[:how_many]:
                    rows.append(_vote_row(participant_id, action.id, VoteKind.SUPPORT, 1, rng, start, span))
            # Majority judgment is a ballot: whoever grades an orientation grades (nearly) all its actions.
            fills_ballot = consultation.majority_judgment_enabled and rng.random() < 0.4
            for action in actions:
                if consultation.opinion_enabled and rng.random() < 0.5:
                    leaning = appeal[action.id] + rng.gauss(0, 0.9)
                    opinion = Opinion.POUR if leaning > 0.2 else Opinion.CONTRE if leaning < -0.6 else Opinion.MITIGE
                    rows.append(_vote_row(participant_id, action.id, VoteKind.OPINION, opinion, rng, start, span))
                if fills_ballot and rng.random() < 0.95:
                    grade = round(3 + 2 * appeal[action.id] + rng.gauss(0, 1.3))
                    grade = min(max(grade, Grade.A_REJETER), Grade.EXCELLENT)
                    rows.append(_vote_row(participant_id, action.id, VoteKind.GRADE, grade, rng, start, span))
    # Statements of many rows, not one statement a vote: the database tallies each statement's votes at once
    # (migration 5e1f0c7a9d24), where a statement a vote would update each action's tally once per vote.
    for offset in range(0, len(rows), ROWS_PER_STATEMENT):
        db.session.execute(insert(Vote).values(rows[offset : offset + ROWS_PER_STATEMENT]))
    return len(rows)


def _vote_row(
    participant_id: int, action_id: int, kind: VoteKind, value: int, rng: random.Random, start: datetime, span: float
) -> dict[str, Any]:
    moment = _moment(rng, start, span)
    return {
        "participant_id": participant_id,
        "action_id": action_id,
        "kind": kind,
        "value": int(value),
        "created_at": moment,
        "updated_at": moment,
    }


def _comment_text(rng: random.Random) -> str:
    return f"{rng.choice(COMMENT_OPENINGS)} {rng.choice(COMMENT_IDEAS)}{rng.choice(COMMENT_ENDINGS)}"


def _insert_comments(
    rng: random.Random,
    actions: Sequence[Action],
    appeal: dict[int, float],
    people: list[SimulatedPerson],
    start: datetime,
    span: float,
) -> int:
    if not people:
        return 0
    roots: list[dict[str, Any]] = []
    for participant_id, *_profile in people:
        if rng.random() < 0.15:
            action = rng.choice(actions)
            leaning = appeal[action.id] + rng.gauss(0, 0.7)
            roots.append(
                {
                    "action_id": action.id,
                    "author_id": participant_id,
                    "parent_id": None,
                    "depth": 0,
                    "body": _comment_text(rng),
                    "alignment": Alignment.POUR if leaning > 0.3 else Alignment.CONTRE if leaning < -0.3 else Alignment.NEUTRE,
                    "created_at": _moment(rng, start, span),
                }
            )
    if not roots:
        return 0
    root_ids = db.session.scalars(insert(Comment).returning(Comment.id, sort_by_parameter_order=True), roots).all()
    replies: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    for root_id, root in zip(root_ids, roots, strict=True):
        for _ in range(rng.choice((0, 0, 1, 2))):
            replies.append(
                {
                    "action_id": root["action_id"],
                    "author_id": rng.choice(people)[0],
                    "parent_id": root_id,
                    "depth": 1,
                    "body": _comment_text(rng),
                    "alignment": rng.choice(list(Alignment)),
                    "created_at": min(root["created_at"] + timedelta(hours=rng.uniform(1, 72)), start + timedelta(seconds=span)),
                }
            )
        raters = {rng.choice(people)[0] for _ in range(rng.randint(0, 6))} - {root["author_id"]}
        ratings.extend(
            {"comment_id": root_id, "participant_id": rater, "value": 1 if rng.random() < 0.75 else -1} for rater in sorted(raters)
        )
    if replies:
        for offset in range(0, len(replies), ROWS_PER_STATEMENT):  # as the votes (`_insert_votes`)
            db.session.execute(insert(Comment).values(replies[offset : offset + ROWS_PER_STATEMENT]))
    if ratings:
        db.session.execute(insert(CommentRating), ratings)
    return len(roots) + len(replies)
