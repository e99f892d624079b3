"""`make bench`: the figures of issue 8 beside their physical limit, on this machine, in one run.

Sets up its own Postgres database (`pedt_bench` on 127.0.0.1:5432, or `BENCH_DATABASE`; dropped at the start
and the end) and its own Redis database number (10, or `BENCH_REDIS`), loads data with the app's `simulate` service,
starts gunicorn (gunicorn.conf.py: 2 sync workers) and a Celery worker on loopback, measures, prints one
table and stops everything it started. Every loop is bounded in count and time. Measurements that need their own
peak memory run in a child process (`run.py measure …`), whose `VmHWM` is then the peak of that measurement
alone. The vote path's clients are `wrk` (benchmarks/votes.lua); `run.py votes` measures the vote path alone.

The stages live beside this file: settings.py (what is measured, the targets), data.py (the database and its
loading), servers.py (gunicorn and the worker), vote_path.py, pages.py, aggregation.py and report.py (the table).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Run as a script: the project's folder on the path first, for the app, the bench's modules and the tests' helpers.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask

from benchmarks.aggregation import (
    MEASUREMENTS,
    aggregation_rows,
    measure_in_child,
    measure_in_this_process,
    measure_in_turn,
    summary_row,
    summary_through_worker,
    worker_summary_row,
)
from benchmarks.data import Loader, action_ids, add_page_comments, count_rows, drop_database, recreate_database
from benchmarks.pages import page_figures, page_rows
from benchmarks.report import load, machine, print_table, progress
from benchmarks.servers import Servers
from benchmarks.settings import NAIVE_MAX_VOTES, PAGE_COMMENTS, SLUG, Settings
from benchmarks.vote_path import vote_path_rows
from pedt_participation import create_app
from pedt_participation.demo.services import seed_demo
from pedt_participation.extensions import db


@contextmanager
def seeded_database(settings: Settings) -> Iterator[tuple[Flask, Servers]]:
    """A fresh benchmark database with the demo seeded, inside the app's context: (app, the servers started
    meanwhile). Whatever happens, the servers are stopped and the database dropped."""
    os.environ.update(settings.app_environment())
    servers = Servers()
    servers.log_dir.mkdir(parents=True, exist_ok=True)
    recreate_database(settings)
    app = create_app()
    try:
        with app.app_context():
            # A throwaway database: the demo's rows, accounts included, as `make run` has them.
            seed_demo(with_accounts=True)
            db.session.commit()
            yield app, servers
    finally:
        servers.stop_all()
        drop_database(settings)


def aggregate_at(settings: Settings, loader: Loader, size: int, comments: int = 0) -> dict:
    """The data grown to `size` votes (and `comments` comments), then the aggregation's figures on it."""
    progress(f"growing the data to {size:,} votes")
    loader.grow_to(size)
    if comments:
        loader.add_comments_to(comments)
    votes, comments = count_rows()
    progress(f"aggregating {votes:,} votes and {comments:,} comments")
    names = ["figures", "aggregate", "sql", "sql-data"] + (["naive"] if votes <= NAIVE_MAX_VOTES else [])
    return {"votes": votes, "comments": comments, **measure_in_turn(names, settings.measure_rounds)}


@dataclass
class ServedFigures:
    """What the middle size measures with the servers running: the vote path's rows, the pages' figures (their rows
    wait for the largest size) and the summary's row."""

    vote_rows: list[tuple[str, ...]]
    pages: dict[str, dict]
    summary_row: tuple[str, ...]


def measure_served(settings: Settings, app: Flask, servers: Servers, votes: int, loads: list[str]) -> ServedFigures:
    progress("full summary, in a process of its own")
    alone = measure_in_child("summary")
    _gunicorn, base = servers.gunicorn()
    actions = action_ids()
    add_page_comments(actions[0], PAGE_COMMENTS)
    progress("pages")
    pages = measure_pages(settings, app, base)
    vote_rows = vote_path_rows(settings, base, servers, loads)
    servers.stop_all()
    return ServedFigures(vote_rows, pages, summary_row(votes, alone))


def measure_pages(settings: Settings, app: Flask, base: str) -> dict[str, dict]:
    """The consultation page and the action page holding the bench's comments, served at `base`."""
    action = action_ids()[0]
    return page_figures(settings, app, base, {"consultation page": f"/consultations/{SLUG}",
                                              f"action page, {PAGE_COMMENTS} comments": f"/actions/{action}"})


def bench(settings: Settings) -> None:
    """Every measure: the aggregation at each size; the summary, the pages and the vote path at the middle one; the
    summary built by the worker and the pages again at the largest."""
    began = time.perf_counter()
    loads = [load()]
    smallest, middle, largest = settings.vote_sizes
    with seeded_database(settings) as (app, servers):
        loader = Loader(settings)
        aggregation = [aggregate_at(settings, loader, smallest)]
        loads.append(load())
        aggregation.append(aggregate_at(settings, loader, middle))
        loads.append(load())
        served = measure_served(settings, app, servers, aggregation[-1]["votes"], loads)
        aggregation.append(aggregate_at(settings, loader, largest, comments=settings.comments_at_largest))
        loads.append(load())
        progress("the summary built by the Celery worker at the largest size")
        through_worker = summary_through_worker(servers)
        progress("pages at the largest size")
        _gunicorn, base = servers.gunicorn()
        pages_at_largest = measure_pages(settings, app, base)
        servers.stop_all()
    total = time.perf_counter() - began

    print()
    print(f"Machine: {machine(settings)}")
    print(f"Load average (1, 5, 15 min) at each stage: {' | '.join(loads)}")
    print(f"Data loaded with simulate in {loader.seconds:.0f} s; whole run {total / 60:.1f} min")
    pages = page_rows(served.pages, pages_at_largest, (aggregation[1]["votes"], aggregation[2]["votes"]))
    print_table([*served.vote_rows, *pages, *aggregation_rows(aggregation), served.summary_row,
                 worker_summary_row(aggregation[-1]["votes"], through_worker)])


def bench_votes(settings: Settings) -> None:
    """Measure 1 alone (a few minutes), to try a change of the vote path. On the data of `make bench`'s vote path
    (the middle size), whose voters each stay under the per-person write limit."""
    loads = [load()]
    with seeded_database(settings) as (_app, servers):
        Loader(settings).grow_to(settings.vote_sizes[1])
        _gunicorn, base = servers.gunicorn()
        rows = vote_path_rows(settings, base, servers, loads)
    print()
    print(f"Machine: {machine(settings)}")
    print(f"Load average (1, 5, 15 min) before, after the app's votes, after the open loop, after the floors, after"
          f" the limit: {' | '.join(loads)}")
    print_table(rows)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py", description="The figures of issue 8 beside their limits (benchmarks/RESULTS.md)."
    )
    parser.add_argument("--quick", action="store_true", help="the same stages on small data, to check the script")
    commands = parser.add_subparsers(dest="command", metavar="{votes,measure}")
    commands.add_parser("votes", help="measure the vote path alone")
    measure = commands.add_parser("measure", help="one measurement in this process (the bench runs it as a child)")
    measure.add_argument("name", choices=sorted(MEASUREMENTS))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if arguments.command == "measure":
        measure_in_this_process(arguments.name)
        return
    settings = Settings.from_environment(quick=arguments.quick)
    if arguments.command == "votes":
        bench_votes(settings)
    else:
        bench(settings)


if __name__ == "__main__":
    main()
