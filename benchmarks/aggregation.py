"""Measures 4 and 5: the summary's figures (the aggregation, the committee's analyses and « Ce qu'il faut retenir »)
and the aggregation alone, beside a hand-written GROUP BY (its limit), what the summary cannot avoid reading, and a
careless ORM loop; the full summary in a process of its own, and built by the Celery worker at the largest size.

Each measurement that needs its own peak memory runs in a fresh child process (`run.py measure NAME`), whose
`VmHWM` is then the peak of that measurement alone."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select, text

from benchmarks.data import measured_consultation
from benchmarks.report import mark
from benchmarks.servers import Servers
from benchmarks.settings import (
    EARLIER_WORKER_SUMMARY_SECONDS,
    ROOT,
    SLUG,
    TARGET_AGGREGATE_OVER_DATA,
    TARGET_PEAK_MB,
    TARGET_SUMMARY_OVER_EARLIER,
)
from pedt_participation import create_app
from pedt_participation.committee.aggregation import aggregate
from pedt_participation.committee.documents import summary_csv, summary_json, summary_pdf, summary_xlsx
from pedt_participation.committee.services import queue_summary, summary_figures
from pedt_participation.extensions import db
from pedt_participation.models import Action, Orientation, Participant, SummaryStatus, Vote
from tests.processes import stop


def measure_aggregate() -> None:
    aggregate(measured_consultation())


def measure_figures() -> None:
    """Every figure of a summary, as the worker computes them before drawing its files."""
    summary_figures(measured_consultation())


def measure_sql_limit() -> None:
    """The limit: one hand-written GROUP BY over the same votes (counted voters only), nothing else."""
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
    consultation = measured_consultation()
    votes = db.session.scalars(
        select(Vote).join(Action).join(Orientation).where(Orientation.consultation_id == consultation.id)
    )
    tallies: Counter = Counter()
    for vote in votes:
        voter = db.session.get(Participant, vote.participant_id)
        if voter.blocked_at is None:
            tallies[(vote.action_id, vote.kind, vote.value, voter.audience)] += 1


def measure_full_summary() -> None:
    data = summary_figures(measured_consultation())
    summary_json(data)
    summary_csv(data)
    summary_xlsx(data)
    summary_pdf(data)


MEASUREMENTS = {
    "figures": measure_figures,
    "aggregate": measure_aggregate,
    "sql": measure_sql_limit,
    "sql-data": measure_sql_data,
    "naive": measure_naive,
    "summary": measure_full_summary,
}


def measure_in_this_process(name: str) -> None:
    """`run.py measure NAME`, in a fresh process: prints the measurement's seconds, this process's peak RSS and its
    RSS at rest just before the measurement (the imported app). The process first imports what a Celery worker
    imports when it starts (`tasks.summaries`: the analyses and the charts' library), and freezes what it made as
    a worker's process does (tasks/celery_app.py), so that the figures are a worker's build, not the libraries'
    import, which the web processes never pay, nor the collection of the app's objects, which a worker never makes."""
    import tasks.summaries  # noqa: F401

    app = create_app()
    with app.app_context():
        measured_consultation()  # connection and mappers ready: only the work itself is timed
        gc.collect()
        gc.freeze()
        at_rest_mb = rss_mb("VmRSS")
        start = time.perf_counter()
        MEASUREMENTS[name]()
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb("self"), "at_rest_mb": at_rest_mb}))


def peak_rss_mb(pid: int | str) -> float:
    """The process's own high-water RSS (`VmHWM`). Not `ru_maxrss`: Linux carries it across fork and exec, so a
    child started by the bench (which holds all the loaded data in memory) would report the bench's size rather
    than its own."""
    return rss_mb("VmHWM", pid)


def rss_mb(field: str, pid: int | str = "self") -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith(field))) / 1024


def measure_in_child(name: str) -> dict:
    child = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "measure", name],
        capture_output=True, text=True, timeout=600,
    )
    if child.returncode:
        raise RuntimeError(f"measuring {name!r} failed:\n{child.stderr}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def measure_in_turn(names: list[str], rounds: int) -> dict[str, dict]:
    """Each measurement `rounds` times, in turn (a, b, c, a, b, c…) so that a slow moment of the machine
    falls on all of them alike: the median seconds and the highest peak of each."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for _round in range(rounds):
        for name in names:
            runs[name].append(measure_in_child(name))
    return {
        name: {"seconds": statistics.median(run["seconds"] for run in figures),
               "peak_mb": max(run["peak_mb"] for run in figures),
               "at_rest_mb": max(run["at_rest_mb"] for run in figures)}
        for name, figures in runs.items()
    }


def summary_through_worker(servers: Servers) -> dict:
    """The real path: queue a summary, the Celery worker builds PDF + CSV + XLSX + JSON; its peak RSS from /proc."""
    worker = servers.worker()
    start = time.perf_counter()
    summary = queue_summary(measured_consultation())
    db.session.commit()
    deadline = time.monotonic() + 600
    while summary.status not in (SummaryStatus.DONE, SummaryStatus.FAILED) and time.monotonic() < deadline:
        time.sleep(0.2)
        db.session.refresh(summary)
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb(worker.pid)
    stop(worker)
    return {"seconds": seconds, "peak_mb": peak_mb, "status": summary.status.value}


def aggregation_rows(sizes: list[dict]) -> list[tuple[str, ...]]:
    """One row a data size, smallest first: each `sizes` item holds the votes, the comments and the figures of
    `measure_in_turn`, "naive" left out where the data is too large for it. The summary's figures (aggregation,
    analyses, « Ce qu'il faut retenir ») are judged at the largest size against issue 21's target (≤ 2.5× the floor
    that also counts people and reads comment texts, ≤ 300 MB); issue 20's is judged on the worker's build
    (`worker_summary_row`)."""
    rows = []
    previous = None
    for figures in sizes:
        summary_s, app_s, sql_s, data_s = (figures[name]["seconds"] for name in ("figures", "aggregate", "sql", "sql-data"))
        over_data = summary_s / data_s
        naive = figures.get("naive")
        growth = f", ×{summary_s / previous[1]:.1f} time for ×{figures['votes'] / previous[0]:.1f} votes" if previous else ""
        previous = (figures["votes"], summary_s)
        peak, at_rest = figures["figures"]["peak_mb"], figures["figures"]["at_rest_mb"]
        target = (f"≤ {TARGET_AGGREGATE_OVER_DATA}× floor {mark(over_data <= TARGET_AGGREGATE_OVER_DATA)}, "
                  f"≤ {TARGET_PEAK_MB} MB {mark(peak <= TARGET_PEAK_MB)}"
                  if figures is sizes[-1] else "at the largest size")
        rows.append((f"4. summary figures, {figures['votes']:,} votes + {figures['comments']:,} comments",
                     f"{summary_s:.2f} s (aggregation alone {app_s:.2f} s), peak {peak:.0f} MB of which "
                     f"{at_rest:.0f} MB the app at rest{growth}",
                     f"floor: GROUP BY with people and comment texts {data_s:.2f} s; SQL GROUP BY alone {sql_s:.2f} s"
                     f" ({summary_s / sql_s:.1f}×)" + (f"; naive ORM {naive['seconds']:.1f} s, {naive['peak_mb']:.0f} MB"
                                                       if naive else "; naive ORM skipped (too slow)"),
                     f"{over_data:.1f}× floor" + (f", naive {naive['seconds'] / summary_s:.0f}× slower" if naive else ""),
                     target))
    return rows


def summary_row(votes: int, alone: dict) -> tuple[str, ...]:
    return (f"5. full summary (PDF+CSV+XLSX+JSON), {votes:,} votes",
            f"{alone['seconds']:.1f} s, peak {alone['peak_mb']:.0f} MB in a process of its own", "", "", "no target")


def worker_summary_row(votes: int, through_worker: dict) -> tuple[str, ...]:
    """Issue 20's target: the summary built by the worker at the largest size, within twice its time before the
    committee's analyses (EARLIER_WORKER_SUMMARY_SECONDS)."""
    seconds = through_worker["seconds"]
    over_earlier = seconds / EARLIER_WORKER_SUMMARY_SECONDS
    done = through_worker["status"] == SummaryStatus.DONE.value
    return (f"5. summary built by the Celery worker, {votes:,} votes",
            f"{seconds:.1f} s, worker peak {through_worker['peak_mb']:.0f} MB ({through_worker['status']})",
            f"before the committee's analyses: {EARLIER_WORKER_SUMMARY_SECONDS} s (2026-11-26: aggregation at 1 M "
            "votes + the worker's files at 100 k)",
            f"{over_earlier:.1f}× earlier summary",
            f"≤ {TARGET_SUMMARY_OVER_EARLIER}× {mark(done and over_earlier <= TARGET_SUMMARY_OVER_EARLIER)}")
