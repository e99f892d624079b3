"""The broker (our own Redis) stops: people keep voting and commenting, and the committee is told its
summary waits, never a 500."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from pedt_participation.extensions import db
from pedt_participation.models import Comment, CommitteeSummary, Role, SummaryStatus, Vote
from tests.faults.conftest import form_value, signed_in
from tests.helpers import make_consultation, make_participant

pytestmark = pytest.mark.faults


def test_with_the_broker_down_people_still_vote_and_comment_and_the_summary_waits(gunicorn, throwaway_redis):
    broker_url, stop_broker, _start_broker = throwaway_redis
    base_url = gunicorn(CELERY_BROKER_URL=broker_url + "/0", CELERY_RESULT_BACKEND=broker_url + "/1")
    consultation = make_consultation()
    slug, action_id = consultation.slug, consultation.orientations[0].actions[0].id
    parent = signed_in(base_url, make_participant())
    committee = signed_in(base_url, make_participant(role=Role.COMMITTEE))
    stop_broker()

    started = time.monotonic()
    page = parent.get(f"{base_url}/actions/{action_id}").text
    voted = parent.post(f"{base_url}/actions/{action_id}/votes/support",
                        data={"csrf_token": form_value(page, "csrf_token")})
    commented = parent.post(
        f"{base_url}/actions/{action_id}/comments",
        data={"csrf_token": form_value(page, "csrf_token"), "idempotency_key": form_value(page, "idempotency_key"),
              "body": "Toujours possible de commenter", "alignment": "0"},
    )
    committee_page = committee.get(f"{base_url}/comite/{slug}").text
    requested = committee.post(f"{base_url}/comite/{slug}/syntheses",
                               data={"csrf_token": form_value(committee_page, "csrf_token")})

    assert voted.status_code == commented.status_code == requested.status_code == 200
    assert "Votre soutien est enregistré" in voted.text
    assert "Votre commentaire est publié" in commented.text
    assert "En attente" in requested.text and "ne peut pas démarrer maintenant" in requested.text
    assert time.monotonic() - started < 30, "a request waited for the broker"
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
    assert db.session.scalar(select(CommitteeSummary.status)) == SummaryStatus.QUEUED
