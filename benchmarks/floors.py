"""Two floors of the vote path for `make bench`, served by the same gunicorn settings as the app and loaded by the
same wrk script (votes.lua), so that the app's figure can be read against what Flask itself allows here:

- `empty_app` answers the vote's URL without doing anything: the cost of gunicorn, Flask and wrk alone;
- `lean_app` does a vote's minimum by hand, with psycopg and no ORM: the token and its owner (one query), one
  fixed-window count in Redis for the per-person limit, the action and its consultation (one query), the upsert,
  the answer (one query) and the commit. It checks none of the consultation's rules (phase, audience, consent,
  support limit) and writes no log line: no vote path of this app can be cheaper on this stack.

Not part of the app; `benchmarks/run.py` starts them with the bench's DATABASE_URL and RATELIMIT_STORAGE_URI.
"""

from __future__ import annotations

import hashlib
import os

import psycopg
import redis
from flask import Flask, abort, request

VOTE_ROUTE = "/api/v1/actions/<int:action_id>/votes/opinion"
WRITES_PER_MINUTE = 60  # as the app's API_WRITES

empty_app = Flask("empty")
lean_app = Flask("lean")


@empty_app.get("/")
@lean_app.get("/")
def ready():
    return "ready"


@empty_app.put(VOTE_ROUTE)
def empty_vote(action_id: int):
    return {"data": {"action_id": action_id, "opinion": request.get_json()["value"]}}


_connections: dict[str, object] = {}


def _database() -> psycopg.Connection:
    """One connection per worker process, opened at its first request (gunicorn forks after import)."""
    if "database" not in _connections:
        _connections["database"] = psycopg.connect(os.environ["DATABASE_URL"].replace("postgresql+psycopg", "postgresql"))
        _connections["redis"] = redis.Redis.from_url(os.environ["RATELIMIT_STORAGE_URI"])
    return _connections["database"]


@lean_app.put(VOTE_ROUTE)
def lean_vote(action_id: int):
    database = _database()
    secret = request.headers.get("Authorization", "").partition(" ")[2]
    owner = database.execute(
        "SELECT p.id FROM api_tokens t JOIN participants p ON p.id = t.owner_id"
        " WHERE t.secret_hash = %s AND t.revoked_at IS NULL AND p.blocked_at IS NULL",
        (hashlib.sha256(secret.encode()).hexdigest(),),
    ).fetchone()
    if owner is None:
        abort(401)
    participant_id = owner[0]
    key = f"lean-floor:{participant_id}"
    writes, _ = _connections["redis"].pipeline().incr(key).expire(key, 60, nx=True).execute()
    if writes > WRITES_PER_MINUTE:
        abort(429)
    action = database.execute(
        "SELECT a.orientation_id, c.vote_limit_per_orientation FROM actions a"
        " JOIN orientations o ON o.id = a.orientation_id JOIN consultations c ON c.id = o.consultation_id"
        " WHERE a.id = %s AND a.state = 'published' AND c.status = 'published'",
        (action_id,),
    ).fetchone()
    if action is None:
        abort(404)
    ids = {"participant": participant_id, "action": action_id, "orientation": action[0]}
    database.execute(
        "INSERT INTO votes (participant_id, action_id, kind, value, created_at, updated_at)"
        " VALUES (%(participant)s, %(action)s, 'opinion', %(value)s, now(), now())"
        " ON CONFLICT (participant_id, action_id, kind) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at",
        {**ids, "value": request.get_json()["value"]},
    )
    support, opinion, grade, supports_used = database.execute(
        "SELECT (SELECT value FROM votes WHERE participant_id = %(participant)s AND action_id = %(action)s"
        " AND kind = 'support'), (SELECT value FROM votes WHERE participant_id = %(participant)s"
        " AND action_id = %(action)s AND kind = 'opinion'), (SELECT value FROM votes"
        " WHERE participant_id = %(participant)s AND action_id = %(action)s AND kind = 'grade'),"
        " (SELECT count(*) FROM votes v JOIN actions a ON a.id = v.action_id WHERE v.participant_id = %(participant)s"
        " AND v.kind = 'support' AND a.orientation_id = %(orientation)s AND a.state = 'published')",
        ids,
    ).fetchone()
    database.commit()
    limit = action[1]
    return {"data": {"action_id": action_id, "support": support is not None, "opinion": opinion, "grade": grade,
                     "supports_remaining_in_orientation": None if limit is None else max(limit - supports_used, 0)}}
