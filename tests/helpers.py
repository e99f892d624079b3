"""Factories and helpers shared by the tests: real rows through the real services."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta
from html import unescape
from itertools import count

import pypdfium2
from sqlalchemy import and_, create_engine, event, func, select, text
from sqlalchemy.engine import URL, make_url

from pedt_participation.auth.services import give_parental_consent, register_participant
from pedt_participation.comments.services import CommentCounts
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionOrigin,
    ActionState,
    AgeBracket,
    Audience,
    Comment,
    Consultation,
    ConsultationStatus,
    Orientation,
    PaperVoteCount,
    Participant,
    PopulationArea,
    Role,
    Vote,
    VoteKind,
    utcnow,
    vote_counts,
)
from pedt_participation.voting.services import ActionCounts

TEST_PASSWORD = "mot-de-passe-de-test"


def fresh_comment_counts(action_ids: list[int]) -> dict[int, CommentCounts]:
    """Every comment of the actions read and counted afresh (one GROUP BY over them): what
    `comments.services.count_comments` must say, whatever the tallies went through."""
    shown = and_(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None), Participant.writings_shown)
    rows = db.session.execute(
        select(Comment.action_id, func.count().filter(shown), func.count().filter(Comment.parent_id.is_(None)))
        .select_from(Comment)
        .outerjoin(Participant, Participant.id == Comment.author_id)
        .where(Comment.action_id.in_(action_ids))
        .group_by(Comment.action_id)
    )
    counted = {action_id: CommentCounts(shown, threads) for action_id, shown, threads in rows}
    return {action_id: counted.get(action_id, CommentCounts(0, 0)) for action_id in action_ids}


def fresh_vote_counts(action_ids: list[int]) -> dict[int, ActionCounts]:
    """Every counted vote of the actions read and counted afresh (one GROUP BY over them), with the supports collected
    on paper: what `voting.services.count_votes` must say, whatever the tallies went through."""
    counts = {action_id: ActionCounts() for action_id in action_ids}
    rows = db.session.execute(
        select(Vote.action_id, Vote.kind, Vote.value, func.count())
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.action_id.in_(action_ids), vote_counts())
        .group_by(Vote.action_id, Vote.kind, Vote.value)
    )
    for action_id, kind, value, number in rows:
        if kind == VoteKind.SUPPORT:
            counts[action_id].online_supports = number
        else:
            (counts[action_id].opinions if kind == VoteKind.OPINION else counts[action_id].grades)[value] = number
    for action_id, supports in db.session.execute(
        select(PaperVoteCount.action_id, func.sum(PaperVoteCount.supports))
        .where(PaperVoteCount.action_id.in_(action_ids)).group_by(PaperVoteCount.action_id)
    ):
        counts[action_id].paper_supports = supports
    return counts


_emails = count(1)


def make_participant(
    *,
    email: str | None = None,
    audience: Audience = Audience.PARENT,
    age_bracket: AgeBracket = AgeBracket.FROM_26_TO_39,
    role: Role = Role.PARTICIPANT,
    display_name: str | None = None,
    confirmed: bool = True,
    parental_consent: bool = True,
    **profile,
):
    """A participant; without `display_name`, "Fatima" followed by a number (a name is never taken twice).
    Confirmed, and before 15 consented to by a parent, unless `confirmed` or `parental_consent` says otherwise."""
    if age_bracket.needs_parental_consent:
        profile.setdefault("parent_email", "parent@exemple.fr")
    number = next(_emails)
    participant = register_participant(
        email=email or f"personne{number}@exemple.fr",
        password=TEST_PASSWORD,
        display_name=display_name or f"Fatima {number}",
        audience=audience,
        age_bracket=age_bracket,
        role=role,
        email_confirmed=confirmed,
        **profile,
    )
    if age_bracket.needs_parental_consent and parental_consent:
        give_parental_consent(participant)
    db.session.commit()
    return participant


def make_consultation(
    *,
    slug: str = "consultation-test",
    orientations: int = 2,
    actions_per_orientation: int = 3,
    voting: str = "open",
    proposals: str = "open",
    **settings,
) -> Consultation:
    """A published consultation; `voting` / `proposals` are "open", "future" or "past"."""
    now = utcnow()
    windows = {
        "open": (now - timedelta(days=1), now + timedelta(days=30)),
        "future": (now + timedelta(days=3), now + timedelta(days=30)),
        "past": (now - timedelta(days=30), now - timedelta(days=1)),
    }
    consultation = Consultation(
        slug=slug,
        title=f"Consultation {slug}",
        summary="Donnez votre avis sur les actions pour les enfants.",
        status=settings.pop("status", ConsultationStatus.PUBLISHED),
        proposals_open_at=windows[proposals][0],
        proposals_close_at=windows[proposals][1],
        voting_open_at=windows[voting][0],
        voting_close_at=windows[voting][1],
        **settings,
    )
    for o in range(1, orientations + 1):
        orientation = Orientation(position=o, title=f"Orientation numéro {o}")
        for a in range(1, actions_per_orientation + 1):
            orientation.actions.append(
                Action(
                    position=a,
                    title=f"Action {o}.{a}",
                    body=f"Description de l’action {o}.{a}",
                    origin=ActionOrigin.OFFICIAL,
                    state=ActionState.PUBLISHED,
                    published_at=now,
                )
            )
        consultation.orientations.append(orientation)
    db.session.add(consultation)
    db.session.commit()
    return consultation


def add_even_population(consultation: Consultation, places: tuple[str, ...]) -> None:
    """A reference population of 300 people per age bracket in each of `places`, one IRIS each, mapped to the
    neighbourhood of the same name."""
    db.session.add_all(
        PopulationArea(consultation_id=consultation.id, iris=f"iris-{place}", label=place, census_year=2021,
                       neighbourhood=place, people_by_age_bracket={b.value: 300.0 for b in AgeBracket})
        for place in places
    )


def make_moderator(consultation: Consultation, **profile):
    """A moderator assigned to `consultation`."""
    from pedt_participation.models import ModeratorAssignment

    moderator = make_participant(role=Role.MODERATOR, **profile)
    db.session.add(ModeratorAssignment(participant_id=moderator.id, consultation_id=consultation.id))
    db.session.commit()
    return moderator



def counted_opinions(consultation):
    """The opinions a summary of the consultation counts, as its opinion groups read them (rows: participant id,
    action id, opinion)."""
    from pedt_participation.committee.aggregation import published_actions
    from pedt_participation.committee.counted_votes import read_counted_votes

    return read_counted_votes(consultation, [row.id for row in published_actions(consultation)]).opinions


def build_summary_now(consultation):
    """A summary queued, then built in this process by the task's own steps (no worker), committed."""
    from pedt_participation.committee import services

    summary = services.queue_summary(consultation)
    db.session.commit()
    claimed = services.claim_summary(summary.id)
    services.build_summary(claimed, lambda progress: None)
    db.session.commit()
    return claimed


def login(client, participant, password: str = TEST_PASSWORD, remember: bool = False):
    response = client.post(
        "/auth/login", data={"email": participant.email, "password": password, "remember": "y" if remember else ""}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def page_text(response) -> str:
    """The visible text of a page, whitespace collapsed, so assertions read like what a person sees."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page of a PDF, one line of the page a line, as PDFium reads it: in C, where pypdf took a third
    of a second of CPU a summary. PDFium writes a hyphen that ends a line as the control character 2: read back as
    the hyphen it is."""
    document = pypdfium2.PdfDocument(content)
    try:
        return [page.get_textpage().get_text_bounded().replace("\r\n", "\n").replace("\x02", "-") for page in document]
    finally:
        document.close()


# How often the tests look again at what another process is doing: a look costs a millisecond or so, and each
# wait ends on average half an interval after the work did.
POLL_SECONDS = 0.05


def wait_until(condition, seconds: float = 60, message: str = "condition not met"):
    """Polls `condition` (a worker is doing the work in another process) until it returns a truthy value."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, message
        time.sleep(POLL_SECONDS)


def task_result(result, seconds: float = 90):
    """What a task sent to the worker returned, looked for every POLL_SECONDS (Celery reads a database result
    backend every half second by default)."""
    return result.get(timeout=seconds, interval=POLL_SECONDS)


def wait_for_messages(inbox, count: int, seconds: float = 60):
    """The messages a real SMTP server received, once `count` have arrived (or the time is up)."""
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    return inbox.messages


def assert_every_route_listed(app, routes) -> None:
    """Every (method, URL rule) of the site is among `routes` ((method, path) pairs), so that a new route cannot
    escape the rights test."""
    adapter = app.url_map.bind("pedt.test")
    covered = {(method, adapter.match(path.split("?")[0], method=method)[0]) for method, path in routes}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, rule.endpoint) in covered, (method, rule.rule)


@contextmanager
def count_queries(engine):
    """Counts the SQL statements sent through `engine` inside the block (yields a list of them), so that a
    test or a benchmark can tell an N+1 from a page whose queries do not grow with the data."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def database_copy(database_url: str, tmp_path):
    """A copy of the database as it is now, with the tools the README names for backups (`pg_dump -Fc` /
    `pg_restore` on Postgres, SQLite's backup API): yields its URL, then drops it. Commit before."""
    source = make_url(database_url)
    if source.get_backend_name() != "postgresql":
        target = tmp_path / f"copy-{time.monotonic_ns()}.sqlite3"
        with sqlite3.connect(source.database) as live, sqlite3.connect(target) as copy:
            live.backup(copy)
        yield source.set(database=str(target)).render_as_string(hide_password=False)
        return
    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} is missing: install the postgresql-client package"
    dump = tmp_path / "pedt.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), _libpq(source)], check=True)
    target = source.set(database=f"{source.database}_copy")
    on_server(source, f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)', f'CREATE DATABASE "{target.database}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", _libpq(target), str(dump)], check=True)
        yield target.render_as_string(hide_password=False)
    finally:
        on_server(source, f'DROP DATABASE "{target.database}" WITH (FORCE)')


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def on_server(server: URL, *statements: str) -> None:
    """Database creation and removal, which Postgres runs only outside a transaction."""
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()
