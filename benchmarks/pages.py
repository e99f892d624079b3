"""Measure 3: the consultation page and a busy action page, their queries counted in this process through the
test client and their times taken over HTTP through gunicorn."""

from __future__ import annotations

import logging
import statistics
import time

import requests
from flask import Flask

from benchmarks.report import mark, percentile
from benchmarks.settings import TARGET_PAGE_P95_MS, TARGET_PAGE_QUERIES, Settings
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
                         "p50": statistics.median(times) * 1000}
    return figures


def page_rows(figures: dict[str, dict]) -> list[tuple[str, ...]]:
    return [
        (f"3. {name}", f"p50 {page['p50']:.0f} / p95 {page['p95']:.0f} ms, {page['queries']} queries", "", "",
         f"p95 ≤ {TARGET_PAGE_P95_MS} ms {mark(page['p95'] <= TARGET_PAGE_P95_MS)}, "
         f"≤ {TARGET_PAGE_QUERIES} queries {mark(page['queries'] <= TARGET_PAGE_QUERIES)}")
        for name, page in figures.items()
    ]
