"""200 simultaneous requests against gunicorn + Postgres: the database holds exactly what the rules allow, and every
refusal is a 409 with a French message, never a 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from pedt_participation.api.services import issue_token
from pedt_participation.comments.services import add_comment, count_comments
from pedt_participation.extensions import db
from pedt_participation.models import Comment, Vote, VoteKind
from pedt_participation.moderation.services import block, unblock
from pedt_participation.voting.services import cast_vote, count_votes
from tests.faults.conftest import form_value, signed_in
from tests.helpers import fresh_comment_counts, fresh_vote_counts, make_consultation, make_moderator, make_participant

pytestmark = pytest.mark.faults
ATTEMPTS = 200


def all_at_once(send, count: int = ATTEMPTS) -> list[requests.Response]:
    """`send(i)` for i in range(count), 32 at a time (bounded, loopback only)."""
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(send, range(count)))


def api_headers(participant) -> dict[str, str]:
    _token, secret = issue_token("Test de concurrence", owner=participant)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_the_same_support_sent_200_times_at_once_is_one_vote(gunicorn):
    base_url = gunicorn()
    action_id = make_consultation().orientations[0].actions[0].id
    headers = api_headers(make_participant())

    answers = all_at_once(
        lambda _i: requests.put(f"{base_url}/api/v1/actions/{action_id}/votes/support", json={}, headers=headers)
    )

    assert {answer.status_code for answer in answers} == {200}
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1


def test_200_simultaneous_supports_never_pass_the_limit(gunicorn):
    base_url = gunicorn()
    orientation = make_consultation(orientations=1, actions_per_orientation=10, vote_limit_per_orientation=3).orientations[0]
    action_ids = [action.id for action in orientation.actions]
    participant = make_participant()
    headers = api_headers(participant)
    participant_id = participant.id

    answers = all_at_once(
        lambda i: requests.put(
            f"{base_url}/api/v1/actions/{action_ids[i % len(action_ids)]}/votes/support", json={}, headers=headers
        )
    )

    assert db.session.scalar(select(func.count()).where(Vote.participant_id == participant_id)) == 3
    assert {answer.status_code for answer in answers} == {200, 409}
    for refused in (answer for answer in answers if answer.status_code == 409):
        assert "Vous avez déjà donné vos 3 soutiens" in refused.json()["error"]["message"]


def test_a_comment_form_sent_200_times_at_once_publishes_one_comment(gunicorn):
    base_url = gunicorn()
    action_id = make_consultation().orientations[0].actions[0].id
    session = signed_in(base_url, make_participant())
    page = session.get(f"{base_url}/actions/{action_id}").text
    form = {
        "csrf_token": form_value(page, "csrf_token"),
        "idempotency_key": form_value(page, "idempotency_key"),
        "body": "Merci pour cette action, envoyé dans la précipitation",
        "alignment": "1",
    }

    answers = all_at_once(
        lambda _i: session.post(f"{base_url}/actions/{action_id}/comments", data=form, allow_redirects=False)
    )

    assert {answer.status_code for answer in answers} == {303}
    assert len({answer.headers["Location"] for answer in answers}) == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_an_api_comment_retried_200_times_at_once_is_published_once(gunicorn):
    base_url = gunicorn()
    action_id = make_consultation().orientations[0].actions[0].id
    headers = {**api_headers(make_participant()), "Idempotency-Key": "application-mobile-envoi-1"}

    answers = all_at_once(
        lambda _i: requests.post(
            f"{base_url}/api/v1/actions/{action_id}/comments", json={"body": "Bonne idée"}, headers=headers
        )
    )

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["data"]["id"] for answer in answers}) == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def _sent_while_half_are_blocked_and_unblocked(send, moderator, consultation, people) -> list[requests.Response]:
    """`send(i)` for i in range(ATTEMPTS), 32 at a time, while the moderator blocks the first half of `people`,
    unblocks them, and blocks them again, one commit each."""
    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = pool.map(send, range(ATTEMPTS))
        for round_ in range(3):
            for person in people[: len(people) // 2]:
                if round_ % 2 == 0:
                    block(moderator, consultation, person, "Test de concurrence")
                else:
                    unblock(moderator, consultation, person)
                db.session.commit()
        return list(answers)


def test_votes_changed_at_once_while_their_people_are_blocked_and_unblocked_leave_exact_counts(gunicorn):
    """The database tallies each vote as it is written and each person whose votes start or stop counting: 200
    opinions sent at once by 20 people, while a moderator blocks and unblocks half of them, leave counts equal to a
    fresh count of every vote (a vote and its person's change, made at the same moment, are tallied in one order or
    the other, never lost between them)."""
    base_url = gunicorn()
    consultation = make_consultation(orientations=1, actions_per_orientation=2, vote_limit_per_orientation=None,
                                     opinion_enabled=True)
    action_ids = [action.id for action in consultation.orientations[0].actions]
    moderator = make_moderator(consultation)
    people = [make_participant() for _ in range(20)]
    headers = [api_headers(person) for person in people]
    for person in people:  # a moderator blocks only people who took part in the consultation
        cast_vote(person, consultation.orientations[0].actions[0], VoteKind.OPINION, 0)
    db.session.commit()

    def send(i: int) -> requests.Response:
        return requests.put(f"{base_url}/api/v1/actions/{action_ids[i % 2]}/votes/opinion",
                            json={"value": (i // 20) % 3 - 1}, headers=headers[i % 20])

    answers = _sent_while_half_are_blocked_and_unblocked(send, moderator, consultation, people)

    assert {answer.status_code for answer in answers} <= {200, 401, 403, 409}, [a.text for a in answers if a.status_code >= 500]
    db.session.expire_all()
    assert count_votes(action_ids) == fresh_vote_counts(action_ids)
    assert sum(count_votes(action_ids)[action_ids[0]].opinions.values()) == 10  # the blocked half left out


def test_comments_written_at_once_while_their_authors_are_blocked_and_unblocked_leave_exact_counts(gunicorn):
    """As for votes: 200 comments sent at once by 20 people, while a moderator blocks and unblocks half of them,
    leave the comments counted as shown equal to a fresh count."""
    base_url = gunicorn()
    consultation = make_consultation(orientations=1, actions_per_orientation=2, vote_limit_per_orientation=None)
    action_ids = [action.id for action in consultation.orientations[0].actions]
    moderator = make_moderator(consultation)
    people = [make_participant() for _ in range(20)]
    headers = [api_headers(person) for person in people]
    for person in people:  # a moderator blocks only people who took part in the consultation
        add_comment(person, consultation.orientations[0].actions[0], "Premier avis.")
    db.session.commit()

    def send(i: int) -> requests.Response:
        return requests.post(f"{base_url}/api/v1/actions/{action_ids[i % 2]}/comments",
                             json={"body": f"Avis numéro {i}"}, headers=headers[i % 20])

    answers = _sent_while_half_are_blocked_and_unblocked(send, moderator, consultation, people)

    assert {answer.status_code for answer in answers} <= {201, 401, 403, 409}, [a.text for a in answers if a.status_code >= 500]
    db.session.expire_all()
    assert count_comments(action_ids) == fresh_comment_counts(action_ids)
