"""Measure 3: the consultation page and a busy action page, their queries counted in this process through the
test client and their times taken over HTTP through gunicorn."""

from __future__ import annotations

import logging
import statistics
import time

import requests
from flask import Flask

from benchmarks.report import mark, percentile
from benchmarks.settings import TARGET_PAGE_GROWTH, TARGET_PAGE_P95_MS, TARGET_PAGE_QUERIES, Settings
from pedt_participation.extensions import db
from pedt_participation.operations.logs import request_log
from tests.helpers import count_queries


def page_figures(settings: Settings, app: Flask, base: str, paths: dict[str, str]) -> dict[str, dict]:
    request_log.setLevel(logging.WARNING)  # the in-process requests' log lines would land in the bench's table
    figures = {}
    client = app.test_client()
    session = requests.Session()
    for name, path in paths.items():
        client.get(path)
        with count_queries(db.engine) as statements:
            assert client.get(path).status_code == 200
        times = []
        for _ in range(settings.page_requests):
            start = time.perf_counter()
            session.get(base + path, timeout=30).raise_for_status()
            times.append(time.perf_counter() - start)
        figures[name] = {"queries": len(statements), "p95": percentile(times, 0.95) * 1000,
                         "p50": statistics.median(times) * 1000, "p99": percentile(times, 0.99) * 1000}
    return figures


def page_rows(middle: dict[str, dict], largest: dict[str, dict], sizes: tuple[int, int]) -> list[tuple[str, ...]]:
    """Each page at the middle and the largest data size (issue 21: flat as the votes grow)."""
    rows = []
    for name, small in middle.items():
        large = largest[name]
        growth = large["p95"] / small["p95"]
        rows.append((
            f"3. {name}, {sizes[1]:,} votes",
            f"p50 {large['p50']:.0f} / p95 {large['p95']:.0f} / p99 {large['p99']:.0f} ms, {large['queries']} queries",
            f"at {sizes[0]:,} votes: p50 {small['p50']:.0f} / p95 {small['p95']:.0f} / p99 {small['p99']:.0f} ms,"
            f" {small['queries']} queries",
            f"p95 ×{growth:.2f}",
            f"p95 ≤ {TARGET_PAGE_P95_MS} ms {mark(large['p95'] <= TARGET_PAGE_P95_MS)}, "
            f"×{growth:.2f} ≤ {TARGET_PAGE_GROWTH} {mark(growth <= TARGET_PAGE_GROWTH)}, "
            f"≤ {TARGET_PAGE_QUERIES} queries {mark(large['queries'] <= TARGET_PAGE_QUERIES)}",
        ))
    return rows
