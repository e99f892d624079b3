"""`make bench`: the figures of issue 8 beside their physical limit, on this machine, in one run.

Sets up its own Postgres database (`pedt_bench` on 127.0.0.1:5432, or `BENCH_DATABASE`; dropped at the start
and the end) and its own Redis database number (10, or `BENCH_REDIS`), loads data with the app's `simulate` service,
starts gunicorn (gunicorn.conf.py: 2 sync workers) and a Celery worker on loopback, measures, prints one
table and stops everything it started. Every loop is bounded in count and time. Measurements that need their own
peak memory run in a child process (`run.py measure …`), whose `VmHWM` is then the peak of that measurement
alone. The vote path's clients are `wrk` (benchmarks/votes.lua); `run.py votes` measures the vote path alone.
"""

from __future__ import annotations

import gc
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "pedt_bench")  # another name lets two runs share a server
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/10")
ENV = {
    "DATABASE_URL": f"postgresql+psycopg://{POSTGRES.split('://', 1)[1]}/{DATABASE}",
    "CELERY_BROKER_URL": REDIS,
    "CELERY_RESULT_BACKEND": REDIS,
    "SECRET_KEY": "benchmark-secret-key-not-for-production",
    # As in production (README): the rate limits' counts in Redis, shared by the web processes.
    "RATELIMIT_STORAGE_URI": REDIS,
}
os.environ.update(ENV)

SLUG = "pedt"  # the seeded consultation every figure is about
VOTE_SIZES = (10_000, 100_000, 1_000_000)
NAIVE_MAX_VOTES = 200_000  # the naive ORM loop on 1 M votes would take minutes and gigabytes: skipped there
COMMENTS_AT_LARGEST = 100_000
PAGE_COMMENTS = 1_000
CLIENTS = 64
WRK_THREADS = 2
# Each client votes for its own group of people, in turn: the API allows one person 60 writes a minute (a
# rate limit kept on here), so 64 busy connections stand for 64 × 20 people voting at once.
VOTERS_PER_CLIENT = 20
VOTE_SECONDS = 20
VOTE_DRAIN_SECONDS = 3
PAGE_REQUESTS = 200
# Each aggregation figure is the median of this many fresh processes: single runs an hour apart differed by 25 %.
MEASURE_ROUNDS = 3

# Targets of issue 8.
TARGET_VOTE_SHARE = 0.40
TARGET_VOTE_P99_MS = 50
TARGET_AGGREGATE_OVER_SQL = 1.5
TARGET_NAIVE_OVER_AGGREGATE = 20
TARGET_PEAK_MB = 300
TARGET_PAGE_P95_MS = 80
TARGET_PAGE_QUERIES = 12


# --- child measurements ---------------------------------------------------------------------------


def _app():
    from pedt_participation import create_app

    return create_app()


def _consultation():
    from sqlalchemy import select

    from pedt_participation.extensions import db
    from pedt_participation.models import Consultation

    return db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))


def measure_aggregate() -> None:
    from pedt_participation.committee.aggregation import aggregate

    consultation = _consultation()
    aggregate(consultation)


def measure_sql_limit() -> None:
    """The limit: one hand-written GROUP BY over the same votes (counted voters only), nothing else."""
    from sqlalchemy import text

    from pedt_participation.extensions import db

    db.session.execute(
        text(
            "SELECT v.action_id, v.kind, v.value, p.audience, count(*) FROM votes v"
            " JOIN participants p ON p.id = v.participant_id"
            " JOIN actions a ON a.id = v.action_id JOIN orientations o ON o.id = a.orientation_id"
            " JOIN consultations c ON c.id = o.consultation_id"
            " WHERE c.slug = :slug AND p.blocked_at IS NULL GROUP BY v.action_id, v.kind, v.value, p.audience"
        ),
        {"slug": SLUG},
    ).all()


def measure_sql_data() -> None:
    """Beside the limit, what the summary cannot avoid reading, by hand: the same GROUP BY of votes, the
    distinct people who took part (votes, comments, proposals: one GROUP BY per person, then by profile and
    week of arrival) and every visible comment's text (read, not analysed). The summary does more with these
    (themes, best comments, majority judgment, the privacy threshold), so this is a floor, not a target."""
    from sqlalchemy import text

    from pedt_participation.extensions import db

    measure_sql_limit()
    consultation_actions = (
        "SELECT a.id, a.orientation_id FROM actions a JOIN orientations o ON o.id = a.orientation_id"
        " JOIN consultations c ON c.id = o.consultation_id WHERE c.slug = :slug"
    )
    db.session.execute(
        text(
            f"WITH a AS ({consultation_actions}), people AS (SELECT participant_id, min(at) AS first_at FROM ("
            " SELECT v.participant_id, v.created_at AS at FROM votes v JOIN a ON a.id = v.action_id"
            " UNION ALL SELECT m.author_id, m.created_at FROM comments m JOIN a ON a.id = m.action_id"
            "  WHERE m.author_id IS NOT NULL AND m.hidden_at IS NULL"
            " UNION ALL SELECT x.author_id, x.created_at FROM actions x JOIN a ON a.id = x.id"
            "  WHERE x.origin = 'participant' AND x.author_id IS NOT NULL"
            ") activity GROUP BY participant_id)"
            " SELECT p.audience, p.age_bracket, p.neighbourhood, p.school, date_trunc('week', people.first_at), count(*)"
            " FROM people JOIN participants p ON p.id = people.participant_id WHERE p.blocked_at IS NULL"
            " GROUP BY 1, 2, 3, 4, 5"
        ),
        {"slug": SLUG},
    ).all()
    for _row in db.session.execute(
        text(
            f"SELECT m.action_id, m.alignment, m.body FROM comments m JOIN ({consultation_actions}) a ON a.id = m.action_id"
            " LEFT JOIN participants p ON p.id = m.author_id"
            " WHERE m.deleted_at IS NULL AND m.hidden_at IS NULL AND p.blocked_at IS NULL"
        ),
        {"slug": SLUG},
        execution_options={"yield_per": 2_000},
    ):
        pass


def measure_naive() -> None:
    """What a careless peer writes: load every vote as an object, fetch its voter, count in Python."""
    from collections import Counter

    from sqlalchemy import select

    from pedt_participation.extensions import db
    from pedt_participation.models import Action, Orientation, Participant, Vote

    consultation = _consultation()
    votes = db.session.scalars(
        select(Vote).join(Action).join(Orientation).where(Orientation.consultation_id == consultation.id)
    )
    tallies: Counter = Counter()
    for vote in votes:
        voter = db.session.get(Participant, vote.participant_id)
        if voter.blocked_at is None:
            tallies[(vote.action_id, vote.kind, vote.value, voter.audience)] += 1


def measure_full_summary() -> None:
    from pedt_participation.committee.aggregation import aggregate
    from pedt_participation.committee.documents import summary_csv, summary_json, summary_pdf

    data = aggregate(_consultation())
    summary_json(data)
    summary_csv(data)
    summary_pdf(data)


MEASUREMENTS = {
    "aggregate": measure_aggregate,
    "sql": measure_sql_limit,
    "sql-data": measure_sql_data,
    "naive": measure_naive,
    "summary": measure_full_summary,
}


def child_main(name: str) -> None:
    """Runs one measurement in this fresh process; prints its seconds and this process's peak RSS."""
    app = _app()
    with app.app_context():
        _consultation()  # connection and mappers ready: only the work itself is timed
        gc.collect()  # not the collection of the app's import-time objects, which may fall in any measurement
        start = time.perf_counter()
        MEASUREMENTS[name]()
        seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb("self")
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def peak_rss_mb(pid: int | str) -> float:
    """The process's own high-water RSS (`VmHWM`). Not `ru_maxrss`: Linux carries it across fork and exec, so a
    child started by this process (which holds a million loaded votes' worth of memory) would report the
    parent's size (366 MB at 1 M votes where the measurement itself peaked at 159 MB)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def run_child(name: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "measure", name], check=True, capture_output=True, text=True, timeout=600
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_children_in_turn(names: list[str]) -> dict[str, dict]:
    """Each measurement MEASURE_ROUNDS times, in turn (a, b, c, a, b, c…) so that a slow moment of the machine
    falls on all of them alike: the median seconds and the highest peak of each."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for _round in range(MEASURE_ROUNDS):
        for name in names:
            runs[name].append(run_child(name))
    return {
        name: {"seconds": statistics.median(run["seconds"] for run in figures),
               "peak_mb": max(run["peak_mb"] for run in figures)}
        for name, figures in runs.items()
    }


# --- set-up ---------------------------------------------------------------------------------------


def recreate_database() -> None:
    import psycopg
    import redis

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    redis.Redis.from_url(REDIS).flushdb()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "pedt_participation", "db", "upgrade"],
        check=True, cwd=ROOT, capture_output=True, timeout=300,
    )


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def count_rows() -> tuple[int, int]:
    """Votes and comments of the measured consultation."""
    from sqlalchemy import func, select

    from pedt_participation.extensions import db
    from pedt_participation.models import Action, Comment, Orientation, Vote

    consultation = _consultation()

    def of(model):
        return db.session.scalar(
            select(func.count()).select_from(model).join(Action, Action.id == model.action_id)
            .join(Orientation).where(Orientation.consultation_id == consultation.id)
        )

    return of(Vote), of(Comment)


class Loader:
    """Grows the data with `simulate` (new seed each time) until the measured consultation holds `votes`."""

    def __init__(self) -> None:
        self.seed = 0
        self.votes_per_participant = 0.0
        self.seconds = 0.0

    def grow_to(self, votes: int) -> None:
        from pedt_participation.demo.services import simulate
        from pedt_participation.extensions import db

        start = time.perf_counter()
        for _attempt in range(100):
            have, _comments = count_rows()
            if have >= votes:
                break
            wanted = votes - have
            batch = 300 if not self.votes_per_participant else int(wanted / self.votes_per_participant) + 1
            self.seed += 1
            simulate(participants=min(batch, 20_000), seed=self.seed)
            db.session.commit()
            added = count_rows()[0] - have
            self.votes_per_participant = self.votes_per_participant or added / 300
        vacuum_analyze()
        self.seconds += time.perf_counter() - start

    def add_comments_to(self, comments: int) -> None:
        """Comments beyond what `simulate` writes for these participants: copies of its root comments,
        spread over the same actions and authors (the aggregation reads their texts and alignments)."""
        from sqlalchemy import text

        from pedt_participation.extensions import db

        start = time.perf_counter()
        have = count_rows()[1]
        if have < comments:
            roots = (
                "SELECT c.* FROM comments c JOIN actions a ON a.id = c.action_id"
                " JOIN orientations o ON o.id = a.orientation_id JOIN consultations s ON s.id = o.consultation_id"
                " WHERE s.slug = :slug AND c.depth = 0"
            )
            root_count = db.session.scalar(text(f"SELECT count(*) FROM ({roots}) r"), {"slug": SLUG})
            db.session.execute(
                text(
                    "INSERT INTO comments (action_id, author_id, depth, body, alignment, created_at)"
                    " SELECT r.action_id, r.author_id, 0, r.body, r.alignment, r.created_at"
                    f" FROM ({roots}) r CROSS JOIN generate_series(1, :copies) LIMIT :missing"
                ),
                {"slug": SLUG, "copies": (comments - have) // max(root_count, 1) + 1, "missing": comments - have},
            )
            db.session.commit()
            vacuum_analyze()
        self.seconds += time.perf_counter() - start


def vacuum_analyze() -> None:
    """What autovacuum does a little after a bulk load (Postgres 13+ vacuums after inserts too): planner
    statistics, without which Postgres plans the aggregation's joins for empty tables (14.7 s instead of 0.7 s
    on 10 k votes), and the visibility map, without which index-only scans visit every row anyway. A bench
    measured right after its load would otherwise time a state that a live database leaves within minutes.
    VACUUM runs outside a transaction, hence a connection of its own; this process's own is ended first, so that
    its snapshot holds nothing back."""
    import psycopg

    from pedt_participation.extensions import db

    db.session.commit()
    with psycopg.connect(f"{POSTGRES}/{DATABASE}", autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """The servers this run started; all stopped at the end, whatever happens."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, command: list[str], log: Path) -> subprocess.Popen:
        with open(log, "w") as output:
            process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=os.environ)
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in self.started:
            self.stop(process)


def start_gunicorn(processes: Processes, log_dir: Path, app: str = "pedt_participation:create_app()") -> tuple[subprocess.Popen, str]:
    """gunicorn serving `app` (the app, or a floor of benchmarks/floors.py), and its address once it answers."""
    import requests

    port = free_port()
    log = log_dir / f"gunicorn-{app.partition(':')[0].rpartition('.')[2]}.log"
    process = processes.start(
        # No control socket: its default path in the home folder is shared with every other gunicorn here.
        # Workers: gunicorn.conf.py, as in production.
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
         app],
        log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            requests.get(base + "/", timeout=10).raise_for_status()
            return process, base
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def start_worker(processes: Processes, log_dir: Path) -> subprocess.Popen:
    log = log_dir / "worker.log"
    process = processes.start(
        [sys.executable, "-m", "celery", "-A", "tasks.celery_app:celery_app", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        log,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    return process


# --- measurements in this process -----------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def voters_with_tokens(count: int) -> list[tuple[int, str]]:
    """Up to `count` simulated parents (eligible in both consultations) with an API token each."""
    from sqlalchemy import select

    from pedt_participation.api.services import issue_token
    from pedt_participation.extensions import db
    from pedt_participation.models import Audience, Participant

    voters = db.session.scalars(
        select(Participant)
        .where(Participant.audience == Audience.PARENT).order_by(Participant.id).limit(count)
    ).all()
    assert len(voters) >= CLIENTS, f"only {len(voters)} parents to vote"
    tokens = [(voter.id, issue_token(f"Banc d’essai {voter.id}", owner=voter)[1]) for voter in voters]
    db.session.commit()
    return tokens


def action_ids() -> list[int]:
    from pedt_participation.consultations.services import published_actions

    return [action.id for action in published_actions(_consultation())]


def wrk_vote_path(base: str, tokens: list[tuple[int, str]], actions: list[int], log_dir: Path) -> dict:
    """wrk (C, epoll) with CLIENTS keep-alive connections on WRK_THREADS threads PUTs opinions for VOTE_SECONDS
    (benchmarks/votes.lua); it needs about 1 % of a core here, where 64 Python threads took several times that
    from the two cores the app runs on. Its percentiles count every answer, refused ones too (listed)."""
    token_file = log_dir / "tokens.txt"
    token_file.write_text("".join(f"{secret}\n" for _voter, secret in tokens))
    output = subprocess.run(
        ["wrk", f"--threads={WRK_THREADS}", f"--connections={CLIENTS}", f"--duration={VOTE_SECONDS}s",
         "--timeout=30s", f"--script={ROOT / 'benchmarks' / 'votes.lua'}", base, "--",
         str(token_file), ",".join(map(str, actions)), str(WRK_THREADS)],
        check=True, capture_output=True, text=True, timeout=VOTE_SECONDS + 60,
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


def limit_vote_path(tokens: list[tuple[int, str]], actions: list[int]) -> dict:
    """The same upserts, one statement each in autocommit, from CLIENTS connections: what Postgres allows."""
    import psycopg

    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + VOTE_SECONDS
    upsert = (
        "INSERT INTO votes (participant_id, action_id, kind, value, created_at, updated_at)"
        " VALUES (%s, %s, 'opinion', %s, now(), now())"
        " ON CONFLICT (participant_id, action_id, kind) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at"
    )

    def client(index: int) -> None:
        rng = random.Random(index)
        voters = tokens[index::CLIENTS]
        mine = []
        with psycopg.connect(f"{POSTGRES}/{DATABASE}", autocommit=True) as connection:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                voter = voters[len(mine) % len(voters)][0]
                connection.execute(upsert, (voter, rng.choice(actions), rng.choice((-1, 0, 1))))
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    elapsed = time.perf_counter() - start
    return {"per_second": len(latencies) / elapsed, "p99": percentile(latencies, 0.99) * 1000}


def vote_path_row(base: str, processes: Processes, log_dir: Path, loads: list[str]) -> tuple[str, ...]:
    """Measure 1, the app's vote path through gunicorn beside bare psycopg upserts (the limit) and beside the
    two floors of benchmarks/floors.py (what Flask allows on this machine), as a row of the table."""
    actions = action_ids()
    tokens = voters_with_tokens(CLIENTS * VOTERS_PER_CLIENT)
    progress(f"vote path: {CLIENTS} clients for {VOTE_SECONDS} s, then two Flask floors, then the psycopg limit")
    app = wrk_vote_path(base, tokens, actions, log_dir)
    loads.append(load())
    floors = {}
    for name in ("empty", "lean"):
        # wrk stops without waiting for the answers in flight: let gunicorn finish them, so that two measures
        # never overlap (before this pause an app's row lock once deadlocked with the loop's upserts).
        time.sleep(VOTE_DRAIN_SECONDS)
        floor, floor_base = start_gunicorn(processes, log_dir, f"benchmarks.floors:{name}_app")
        floors[name] = wrk_vote_path(floor_base, tokens, actions, log_dir)
        processes.stop(floor)
    loads.append(load())
    time.sleep(VOTE_DRAIN_SECONDS)
    limit = limit_vote_path(tokens, actions)
    loads.append(load())
    share = app["per_second"] / limit["per_second"]
    empty, lean = floors["empty"], floors["lean"]
    return (f"1. vote path, {CLIENTS} clients, {len(tokens)} voters (API PUT opinion)",
            f"{app['per_second']:.0f} votes/s, p50 {app['p50']:.0f} / p95 {app['p95']:.0f} / p99 {app['p99']:.0f} ms"
            + (f", {app['failures']}" if app["failures"] else ""),
            f"psycopg upsert {limit['per_second']:.0f}/s (p99 {limit['p99']:.0f} ms); Flask floors: empty endpoint"
            f" {empty['per_second']:.0f}/s (p99 {empty['p99']:.0f} ms, {empty['per_second'] / limit['per_second']:.0%}"
            f" of limit), lean vote {lean['per_second']:.0f}/s (p99 {lean['p99']:.0f} ms)"
            + "".join(f", {name} floor: {floor['failures']}" for name, floor in floors.items() if floor["failures"]),
            f"{share:.0%} of limit, {app['per_second'] / lean['per_second']:.0%} of lean vote",
            f"≥ {TARGET_VOTE_SHARE:.0%} {mark(share >= TARGET_VOTE_SHARE)}, "
            f"p99 ≤ {TARGET_VOTE_P99_MS} ms {mark(app['p99'] <= TARGET_VOTE_P99_MS)}")


def add_page_comments(action_id: int, count: int) -> None:
    from sqlalchemy import insert, select

    from pedt_participation.extensions import db
    from pedt_participation.models import Comment, Participant

    authors = db.session.scalars(select(Participant.id).order_by(Participant.id).limit(200)).all()
    db.session.execute(
        insert(Comment),
        [
            {"action_id": action_id, "author_id": authors[i % len(authors)], "depth": 0,
             "body": f"Commentaire de banc d’essai numéro {i}, assez long pour ressembler à un vrai avis.",
             "alignment": (i % 3) - 1}
            for i in range(count)
        ],
    )
    db.session.commit()


def page_figures(app, base: str, paths: dict[str, str]) -> dict[str, dict]:
    """Queries counted in this process through the test client; times over HTTP through gunicorn."""
    import logging

    import requests

    from pedt_participation.extensions import db
    from pedt_participation.operations.logs import request_log
    from tests.helpers import count_queries

    request_log.setLevel(logging.WARNING)  # the in-process requests' log lines would land in the bench's table
    figures = {}
    client = app.test_client()
    session = requests.Session()
    for name, path in paths.items():
        client.get(path)
        with count_queries(db.engine) as statements:
            assert client.get(path).status_code == 200
        times = []
        for _ in range(PAGE_REQUESTS):
            start = time.perf_counter()
            session.get(base + path, timeout=30).raise_for_status()
            times.append(time.perf_counter() - start)
        figures[name] = {"queries": len(statements), "p95": percentile(times, 0.95) * 1000,
                         "p50": statistics.median(times) * 1000}
    return figures


def summary_through_worker(processes: Processes, log_dir: Path) -> dict:
    """The real path: queue a summary, the Celery worker builds PDF + CSV + JSON; its peak RSS from /proc."""
    from pedt_participation.committee.services import queue_summary
    from pedt_participation.extensions import db
    from pedt_participation.models import SummaryStatus

    worker = start_worker(processes, log_dir)
    start = time.perf_counter()
    summary = queue_summary(_consultation())
    db.session.commit()
    deadline = time.monotonic() + 600
    while summary.status not in (SummaryStatus.DONE, SummaryStatus.FAILED) and time.monotonic() < deadline:
        time.sleep(0.2)
        db.session.refresh(summary)
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb(worker.pid)
    processes.stop(worker)
    return {"seconds": seconds, "peak_mb": peak_mb, "status": summary.status.value}


# --- the run --------------------------------------------------------------------------------------


def progress(message: str) -> None:
    """What the run is doing, on stderr, so that a long run shows where it is."""
    print(f"[bench {time.strftime('%H:%M:%S')}, load {load()}] {message}", file=sys.stderr, flush=True)


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def machine() -> str:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres") as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return f"{os.cpu_count()} CPU, {memory_kb / 1024**2:.1f} GiB, PostgreSQL {postgres}, Python {sys.version.split()[0]}"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


@contextmanager
def seeded_database() -> Iterator[tuple[Any, Processes, Path]]:
    """A fresh benchmark database with the demo seeded, inside the app's context: (app, the processes started
    meanwhile, the folder for their logs). Whatever happens, the processes are stopped and the database dropped."""
    log_dir = ROOT / "build" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = Processes()
    recreate_database()
    app = _app()
    try:
        with app.app_context():
            from pedt_participation.demo.services import seed_demo
            from pedt_participation.extensions import db

            seed_demo()
            db.session.commit()
            yield app, processes, log_dir
    finally:
        processes.stop_all()
        drop_database()


def main(quick: bool) -> None:
    global VOTE_SECONDS, PAGE_REQUESTS, MEASURE_ROUNDS
    sizes = (2_000, 10_000, 50_000) if quick else VOTE_SIZES
    comments_at_largest = 10_000 if quick else COMMENTS_AT_LARGEST
    if quick:
        VOTE_SECONDS, PAGE_REQUESTS, MEASURE_ROUNDS = 5, 30, 1
    began = time.perf_counter()
    loads = [load()]
    with seeded_database() as (app, processes, log_dir):
        loader = Loader()
        aggregation: dict[int, dict] = {}
        for size in sizes:
            progress(f"growing the data to {size:,} votes")
            loader.grow_to(size)
            if size == sizes[-1]:
                loader.add_comments_to(comments_at_largest)
            votes, comments = count_rows()
            progress(f"aggregating {votes:,} votes and {comments:,} comments")
            figures = run_children_in_turn(
                ["aggregate", "sql", "sql-data"] + (["naive"] if votes <= NAIVE_MAX_VOTES else [])
            )
            aggregation[size] = {"votes": votes, "comments": comments, **figures}
            loads.append(load())
            if size == sizes[1]:
                progress("full summary, in a process of its own then through the Celery worker")
                summary = run_child("summary")
                summary_votes = votes
                worker_summary = summary_through_worker(processes, log_dir)
                _gunicorn, base = start_gunicorn(processes, log_dir)
                actions = action_ids()
                add_page_comments(actions[0], PAGE_COMMENTS)
                progress("pages")
                pages = page_figures(
                    app, base,
                    {"consultation page": f"/consultations/{SLUG}",
                     f"action page, {PAGE_COMMENTS} comments": f"/actions/{actions[0]}"},
                )
                vote_row = vote_path_row(base, processes, log_dir, loads)
                processes.stop_all()
    total = time.perf_counter() - began

    rows = [vote_row]
    previous = None
    for figures in aggregation.values():
        app_s, sql_s, data_s = (figures[name]["seconds"] for name in ("aggregate", "sql", "sql-data"))
        over_sql = app_s / sql_s
        naive = figures.get("naive")
        growth = f", ×{app_s / previous[1]:.1f} time for ×{figures['votes'] / previous[0]:.1f} votes" if previous else ""
        previous = (figures["votes"], app_s)
        peak = figures["aggregate"]["peak_mb"]
        rows.append((f"2. aggregate, {figures['votes']:,} votes + {figures['comments']:,} comments",
                     f"{app_s:.2f} s, peak {peak:.0f} MB{growth}",
                     f"SQL GROUP BY {sql_s:.2f} s (with people and comment texts {data_s:.2f} s,"
                     f" {app_s / data_s:.1f}×)" + (f"; naive ORM {naive['seconds']:.1f} s, {naive['peak_mb']:.0f} MB"
                                                      if naive else "; naive ORM skipped (too slow)"),
                     f"{over_sql:.1f}× limit" + (f", naive {naive['seconds'] / app_s:.0f}× slower" if naive else ""),
                     f"≤ {TARGET_AGGREGATE_OVER_SQL}× {mark(over_sql <= TARGET_AGGREGATE_OVER_SQL)}"
                     + (f", ≥ {TARGET_NAIVE_OVER_AGGREGATE}× naive {mark(naive['seconds'] / app_s >= TARGET_NAIVE_OVER_AGGREGATE)}"
                        if naive else "")
                     + f", ≤ {TARGET_PEAK_MB} MB {mark(peak <= TARGET_PEAK_MB)}"))
    for name, figures in pages.items():
        rows.append((f"3. {name}", f"p50 {figures['p50']:.0f} / p95 {figures['p95']:.0f} ms, {figures['queries']} queries",
                     "", "",
                     f"p95 ≤ {TARGET_PAGE_P95_MS} ms {mark(figures['p95'] <= TARGET_PAGE_P95_MS)}, "
                     f"≤ {TARGET_PAGE_QUERIES} queries {mark(figures['queries'] <= TARGET_PAGE_QUERIES)}"))
    rows.append((f"4. full summary (PDF+CSV+JSON), {summary_votes:,} votes",
                 f"{summary['seconds']:.1f} s, peak {summary['peak_mb']:.0f} MB in a process of its own",
                 f"through the Celery worker: {worker_summary['seconds']:.1f} s, worker peak "
                 f"{worker_summary['peak_mb']:.0f} MB ({worker_summary['status']})", "", "no target"))

    print()
    print(f"Machine: {machine()}")
    print(f"Load average (1, 5, 15 min) at each stage: {' | '.join(loads)}")
    print(f"Data loaded with simulate in {loader.seconds:.0f} s; whole run {total / 60:.1f} min")
    print_table(rows)


def votes_main() -> None:
    """`run.py votes`: measure 1 alone (about two minutes), to try a change of the vote path. On the data of
    `make bench`'s vote path (100 k votes), whose 1 280 voters keep each under the per-person write limit."""
    loads = [load()]
    with seeded_database() as (_, processes, log_dir):
        Loader().grow_to(VOTE_SIZES[1])
        _gunicorn, base = start_gunicorn(processes, log_dir)
        row = vote_path_row(base, processes, log_dir, loads)
    print()
    print(f"Machine: {machine()}")
    print(f"Load average (1, 5, 15 min) before, after the app's votes, after the floors, after the limit:"
          f" {' | '.join(loads)}")
    print_table([row])


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    header = ("measure", "figure", "limit / beside it", "ratio", "target")
    print()
    for row in (header, *rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))

if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        child_main(sys.argv[2])
    elif sys.argv[1:2] == ["votes"]:
        votes_main()
    else:
        main(quick="--quick" in sys.argv[1:])
