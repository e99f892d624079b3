"""Where the vote path's CPU goes: `benchmarks/profile_vote.py` runs API opinions (`PUT …/votes/opinion`, bearer
tokens, rate limits counted in Redis) through the app in this process under cProfile, timed in CPU time of this
process (waiting for Postgres or Redis is not counted: on a loaded machine it is mostly other processes' time), and
prints the share of the CPU spent in each layer, then the heaviest functions. No HTTP server: the request's own
work only.

Uses its own Postgres database (`BENCH_DATABASE`, default `pedt_profile`, dropped at the start and the end) and
Redis database (`BENCH_REDIS`)."""

from __future__ import annotations

import cProfile
import io
import logging
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VOTES = 1_500
VOTERS = 60  # each under the API's 60 writes a minute
LAYERS = {
    "rate limits (flask_limiter, limits, redis)": ("flask_limiter", "/limits/", "/redis/"),
    "SQLAlchemy ORM (loading objects)": ("sqlalchemy/orm",),
    "SQLAlchemy core, pool and psycopg": ("sqlalchemy/engine", "sqlalchemy/sql", "sqlalchemy/pool", "psycopg"),
    "API parsing and answer (flask_smorest, marshmallow, webargs)": ("flask_smorest", "marshmallow", "webargs"),
}


def main() -> None:
    from benchmarks.data import drop_database, recreate_database
    from benchmarks.settings import Settings

    settings = Settings.from_environment(quick=True)
    settings = Settings(**{**settings.__dict__, "database": os.environ.get("BENCH_DATABASE", "pedt_profile")})
    os.environ.update(settings.app_environment())
    recreate_database(settings)
    try:
        profile(settings)
    finally:
        drop_database(settings)


def profile(settings) -> None:
    from pedt_participation import create_app
    from pedt_participation.api.services import issue_token
    from pedt_participation.extensions import db
    from pedt_participation.operations.logs import request_log
    from tests.helpers import make_consultation, make_participant

    app = create_app({"SERVER_NAME": "127.0.0.1"})
    with app.app_context():
        action_ids = [a.id for o in make_consultation(vote_limit_per_orientation=None).orientations for a in o.actions]
        tokens = [issue_token("Profil", owner=make_participant())[1] for _ in range(VOTERS)]
        db.session.commit()
    client = app.test_client()
    request_log.setLevel(logging.WARNING)

    def vote(number: int) -> None:
        answer = client.put(f"/api/v1/actions/{action_ids[number % len(action_ids)]}/votes/opinion",
                            json={"value": number % 3 - 1},
                            headers={"Authorization": f"Bearer {tokens[number % VOTERS]}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)

    for number in range(VOTERS):  # warm: statements compiled, pool filled
        vote(number)
    profiler = cProfile.Profile(time.process_time)
    began, cpu_began = time.perf_counter(), time.process_time()
    profiler.enable()
    for number in range(VOTES):
        vote(number)
    profiler.disable()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    print(f"{VOTES} votes in {elapsed:.2f} s under cProfile, {cpu / VOTES * 1000:.2f} ms of this process's CPU each")
    stats = pstats.Stats(profiler)
    # Own time of each function, summed by layer (a function belongs to the first layer its file matches).
    total = sum(own for (_calls, _primitive, own, _cumulative, _callers) in stats.stats.values())
    shares = dict.fromkeys(LAYERS, 0.0)
    for (filename, _line, _name), (_calls, _primitive, own, _cumulative, _callers) in stats.stats.items():
        for layer, parts in LAYERS.items():
            if any(part in filename for part in parts):
                shares[layer] += own
                break
    for layer, own in shares.items():
        print(f"{own / total:6.1%}  {layer}")
    print(f"{1 - sum(shares.values()) / total:6.1%}  everything else (Flask, Werkzeug, the app's code, Jinja, logging)")
    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("cumulative").print_stats(25)
    print(output.getvalue())


if __name__ == "__main__":
    main()
