"""Postgres (our own cluster) restarts while people vote: the app recovers by itself (the pool replaces the
connections the server closed, extensions.py) and every vote it acknowledged is in the database."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from pedt_participation.api.services import issue_token
from pedt_participation.extensions import db
from pedt_participation.models import Vote
from tests.conftest import make_test_app
from tests.helpers import make_consultation, make_participant
from tests.processes import PROJECT

pytestmark = pytest.mark.faults
VOTERS = 30


def test_votes_acknowledged_around_a_postgres_restart_are_all_kept(gunicorn, throwaway_postgres, celery_settings):
    url, restart = throwaway_postgres
    subprocess.run([sys.executable, "-m", "flask", "--app", "pedt_participation", "db", "upgrade"], cwd=PROJECT,
                   env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "x"}, check=True, capture_output=True)
    with make_test_app(url, celery_settings).app_context():
        action_id = make_consultation(vote_limit_per_orientation=None).orientations[0].actions[0].id
        voters = []
        for _ in range(VOTERS):
            participant = make_participant()
            voters.append((participant.id, issue_token("Vote", owner=participant)[1]))
        db.session.commit()
    base_url = gunicorn(DATABASE_URL=url)

    def vote(voter) -> tuple[int, int]:
        participant_id, secret = voter
        answer = requests.put(f"{base_url}/api/v1/actions/{action_id}/votes/support", json={},
                              headers={"Authorization": f"Bearer {secret}"}, timeout=30)
        return participant_id, answer.status_code

    third = VOTERS // 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        before = list(pool.map(vote, voters[:third]))
        during = pool.map(vote, voters[third:2 * third])
        restart()
        during = list(during)
        after = list(pool.map(vote, voters[2 * third:]))

    assert {status for _id, status in before + after} == {200}, "the app did not recover after the restart"
    acknowledged = {participant_id for participant_id, status in before + during + after if status == 200}
    with make_test_app(url, celery_settings).app_context():
        stored = set(db.session.scalars(select(Vote.participant_id).where(Vote.action_id == action_id)))
        db.session.remove()
        db.engine.dispose()
    assert acknowledged <= stored
