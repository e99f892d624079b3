"""Measure 1: the app's vote path through gunicorn under `wrk`, beside bare psycopg upserts (what Postgres allows)
and beside the two floors of benchmarks/floors.py (what Flask allows on this machine)."""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from benchmarks.data import action_ids, voters_with_tokens
from benchmarks.open_loop import open_loop_votes
from benchmarks.report import load, mark, percentile, progress
from benchmarks.servers import Servers
from benchmarks.settings import (
    CLIENTS,
    OPEN_LOOP_SHARE,
    ROOT,
    TARGET_OPEN_LOOP_P99_MS,
    TARGET_VOTE_OVER_LEAN,
    VOTE_DRAIN_SECONDS,
    VOTERS_PER_CLIENT,
    WRK_THREADS,
    Settings,
)
from tests.processes import stop

UPSERT = (
    "INSERT INTO votes (participant_id, action_id, kind, value, created_at, updated_at)"
    " VALUES (%s, %s, 'opinion', %s, now(), now())"
    " ON CONFLICT (participant_id, action_id, kind) DO UPDATE SET value = excluded.value,"
    " updated_at = excluded.updated_at"
)


def wrk_vote_path(settings: Settings, base: str, token_file: Path, actions: list[int]) -> dict:
    """wrk (C, epoll) with CLIENTS keep-alive connections on WRK_THREADS threads PUTs opinions for the run's vote
    seconds (benchmarks/votes.lua); it needs a small fraction of a core, where as many Python threads would take
    a good part of the two cores the app runs on. Its percentiles count every answer, refused ones too (listed).
    `token_file`: the voters' API tokens, one a line."""
    output = subprocess.run(
        ["wrk", f"--threads={WRK_THREADS}", f"--connections={CLIENTS}", f"--duration={settings.vote_seconds}s",
         "--timeout=30s", f"--script={ROOT / 'benchmarks' / 'votes.lua'}", base, "--",
         str(token_file), ",".join(map(str, actions)), str(WRK_THREADS)],
        check=True, capture_output=True, text=True, timeout=settings.vote_seconds + 60,
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    failures = {"answers not 2xx": figures["not_2xx"], "socket errors": figures["socket_errors"]}
    return {
        "per_second": (figures["requests"] - sum(failures.values())) / figures["seconds"],
        "p50": figures["p50"],
        "p95": figures["p95"],
        "p99": figures["p99"],
        "failures": ", ".join(f"{count} {kind}" for kind, count in failures.items() if count),
    }


def limit_vote_path(settings: Settings, tokens: list[tuple[int, str]], actions: list[int]) -> dict:
    """The same upserts, one statement each in autocommit, from CLIENTS connections: what Postgres allows."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + settings.vote_seconds

    def client(index: int) -> None:
        rng = random.Random(index)
        voters = tokens[index::CLIENTS]
        mine = []
        with psycopg.connect(settings.database_server_url, autocommit=True) as connection:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                voter = voters[len(mine) % len(voters)][0]
                connection.execute(UPSERT, (voter, rng.choice(actions), rng.choice((-1, 0, 1))))
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    elapsed = time.perf_counter() - start
    return {"per_second": len(latencies) / elapsed, "p99": percentile(latencies, 0.99) * 1000}


def vote_path_rows(settings: Settings, base: str, servers: Servers, loads: list[str]) -> list[tuple[str, ...]]:
    """The app's vote path at `base` (its capacity under wrk, then its latency at a steady rate of a share of that
    capacity), then the two floors, then the psycopg limit, as two rows of the table; the machine's load after
    each stage is appended to `loads`."""
    actions = action_ids()
    tokens = voters_with_tokens(CLIENTS * VOTERS_PER_CLIENT)
    token_file = servers.log_dir / "tokens.txt"
    token_file.write_text("".join(f"{secret}\n" for _voter, secret in tokens))
    progress(f"vote path: {CLIENTS} clients for {settings.vote_seconds} s, then two Flask floors, then the psycopg limit")
    app = wrk_vote_path(settings, base, token_file, actions)
    loads.append(load())
    time.sleep(VOTE_DRAIN_SECONDS)
    rate = OPEN_LOOP_SHARE * app["per_second"]
    progress(f"open loop: {rate:.0f} votes/s for {settings.open_loop_seconds} s")
    steady = open_loop_votes(base, [secret for _voter, secret in tokens], actions, rate, settings.open_loop_seconds)
    loads.append(load())
    floors = {}
    for name in ("empty", "lean"):
        # wrk stops without waiting for the answers in flight: gunicorn finishes them first, so that two measures
        # never overlap (an app's row lock could otherwise deadlock with the next stage's upserts).
        time.sleep(VOTE_DRAIN_SECONDS)
        floor, floor_base = servers.gunicorn(f"benchmarks.floors:{name}_app")
        floors[name] = wrk_vote_path(settings, floor_base, token_file, actions)
        stop(floor)
    loads.append(load())
    time.sleep(VOTE_DRAIN_SECONDS)
    limit = limit_vote_path(settings, tokens, actions)
    loads.append(load())
    empty, lean = floors["empty"], floors["lean"]
    over_lean = app["per_second"] / lean["per_second"]
    steady_ok = steady["p99"] <= TARGET_OPEN_LOOP_P99_MS and not steady["failures"]
    return [
        (f"1. vote path, {CLIENTS} clients, {len(tokens)} voters (API PUT opinion)",
         f"{app['per_second']:.0f} votes/s, p50 {app['p50']:.0f} / p95 {app['p95']:.0f} / p99 {app['p99']:.0f} ms"
         + (f", {app['failures']}" if app["failures"] else ""),
         f"lean vote {lean['per_second']:.0f}/s (p99 {lean['p99']:.0f} ms); empty endpoint"
         f" {empty['per_second']:.0f}/s (p99 {empty['p99']:.0f} ms); psycopg upsert {limit['per_second']:.0f}/s"
         f" (p99 {limit['p99']:.0f} ms)"
         + "".join(f", {name} floor: {floor['failures']}" for name, floor in floors.items() if floor["failures"]),
         f"{over_lean:.0%} of lean vote, {app['per_second'] / limit['per_second']:.0%} of psycopg",
         f"≥ {TARGET_VOTE_OVER_LEAN:.0%} of lean vote {mark(over_lean >= TARGET_VOTE_OVER_LEAN)}"),
        (f"1. open loop, {OPEN_LOOP_SHARE:.0%} of capacity for {settings.open_loop_seconds} s",
         f"{steady['rate']:.0f} votes/s ({steady['requests']} sent): p50 {steady['p50']:.0f} / p99 {steady['p99']:.0f}"
         f" ms, {steady['failures'] or 'no error'}",
         f"latency from each request's scheduled time; generator {steady['generator_lag_ms']:.0f} ms behind at the end",
         "",
         f"p99 ≤ {TARGET_OPEN_LOOP_P99_MS} ms and no error {mark(steady_ok)}"),
    ]
