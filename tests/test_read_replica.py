"""DATABASE_REPLICA_URL: the committee's summaries read their figures from a read replica, everything else
stays on the primary. The replica here is a copy of the database taken before more people voted, as a
lagging replica would be: a summary built by the real worker must show the copy's figures, not the primary's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.committee.comment_figures import read_comments
from pedt_participation.committee.services import queue_summary
from pedt_participation.config import REPLICA_BIND
from pedt_participation.extensions import db, reads_from_replica
from pedt_participation.models import (
    Action,
    AgeBracket,
    Alignment,
    Audience,
    Comment,
    CommitteeSummary,
    Consultation,
    Opinion,
    SummaryStatus,
    VoteKind,
)
from tests.conftest import make_test_app
from tests.helpers import counted_opinions, database_copy, make_consultation, wait_until
from tests.test_disclosure import _people, _votes

AGGREGATED_AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _figures(data: dict) -> dict:
    """What the committee reads; not the time of the build."""
    return {"participation": data["participation"], "orientations": data["orientations"]}


def _consultation() -> Consultation:
    return db.session.scalar(select(Consultation).where(Consultation.slug == "replique"))


def test_a_summary_reads_its_figures_from_the_replica_and_writes_its_row_on_the_primary(
    app, database_url, celery_settings, start_worker, tmp_path
):
    # Where a summary reads does not depend on its size: six people each side of the copy, enough (k or more) for
    # the participation to be published, and a summary the worker builds in a second.
    first, second = make_consultation(slug="replique", orientations=1, actions_per_orientation=2).orientations[0].actions
    second_id = second.id
    _votes(_people(6), first)
    db.session.commit()
    db.session.remove()
    with database_copy(database_url, tmp_path) as replica_url:
        # The primary moves on; the replica has not caught up yet.
        _votes(_people(6, Audience.YOUTH, AgeBracket.FROM_18_TO_25), db.session.get(Action, second_id))
        db.session.commit()
        on_primary = _figures(aggregate(_consultation(), now=AGGREGATED_AT))
        with make_test_app(replica_url, celery_settings).app_context():
            on_replica = _figures(aggregate(_consultation(), now=AGGREGATED_AT))
            db.session.remove()
            db.engine.dispose()
        assert on_replica["participation"] != on_primary["participation"]

        start_worker(DATABASE_REPLICA_URL=replica_url)
        summary = queue_summary(_consultation())
        db.session.commit()
        wait_until(
            lambda: db.session.get(CommitteeSummary, summary.id).status == SummaryStatus.DONE,
            seconds=90,
            message="the summary was not built",
        )
        # Found and finished on the primary (the copy never saw the row), counted on the replica.
        assert _figures(db.session.get(CommitteeSummary, summary.id).data) == on_replica


def test_the_opinions_and_the_comments_read_as_plain_rows_come_from_the_replica(app, database_url, celery_settings, tmp_path):
    """The summary's reads of many plain rows (the opinion groups' opinions, the comments and their texts) go where
    its other figures are read: the groups of a lagging replica's summary hold no opinion the primary has since."""
    first, second = make_consultation(slug="replique", orientations=1, actions_per_orientation=2).orientations[0].actions
    action_ids = [first.id, second.id]
    people = _people(3)
    person_ids = [person.id for person in people]
    _votes(people, first, VoteKind.OPINION, Opinion.POUR.value)
    db.session.add(Comment(action_id=first.id, author_id=person_ids[0], alignment=Alignment.POUR, body="La cantine"))
    db.session.commit()
    db.session.remove()
    with database_copy(database_url, tmp_path) as replica_url:
        later = _people(4)
        _votes(later, db.session.get(Action, action_ids[1]), VoteKind.OPINION, Opinion.CONTRE.value)
        db.session.add(Comment(action_id=action_ids[1], author_id=later[0].id, alignment=Alignment.CONTRE, body="Non"))
        db.session.commit()
        with_replica = make_test_app(database_url, celery_settings, SQLALCHEMY_BINDS={REPLICA_BIND: {"url": replica_url}})
        with with_replica.app_context():
            with reads_from_replica():
                opinions = counted_opinions(_consultation())
                comments = read_comments(action_ids)
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
    assert sorted(opinions.tolist()) == [[person_id, action_ids[0], 1] for person_id in sorted(person_ids)]
    assert {action_id: dict(counts) for action_id, counts in comments.counts.items()} == {action_ids[0]: {-1: 0, 0: 0, 1: 1}}
    assert comments.texts == {action_ids[0]: [("La cantine", person_ids[0])]}
