"""Structured logs: each request writes one JSON line with its request id, which follows the tasks it sends
into the worker's log."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from pedt_participation.extensions import db
from pedt_participation.models import CommitteeSummary, Role, SummaryStatus
from pedt_participation.operations.logs import JsonFormatter, configure_logging
from tests.helpers import login, make_consultation, make_participant, wait_until


@pytest.fixture
def log_lines():
    """What the app's own handler writes, one parsed JSON object a line."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


def _request_lines(lines, path):
    return [line for line in lines if line["logger"] == "pedt_participation.requests" and line["path"] == path]


def test_a_request_writes_one_json_line_with_its_id_and_no_personal_data(client, log_lines):
    parent = make_participant(email="parent.secret@exemple.fr", display_name="Nadia Benali")
    login(client, parent)
    response = client.get("/notifications/")

    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # generated: none was sent
    [line] = _request_lines(log_lines(), "/notifications/")
    assert line["request_id"] == request_id
    assert line["level"] == "INFO" and line["method"] == "GET" and line["status"] == response.status_code
    assert line["participant_id"] == parent.id and isinstance(line["duration_ms"], float)
    assert {"timestamp", "message"} <= line.keys()
    every_line = json.dumps(log_lines())
    assert "parent.secret@exemple.fr" not in every_line and "Nadia" not in every_line


def test_a_sent_request_id_is_echoed_and_a_malicious_one_replaced(client, log_lines):
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-7f3a.01"}).headers["X-Request-ID"] == "proxy-7f3a.01"

    forged = 'x" level=ERROR {"admin": true}'
    for sent in (forged, "a" * 65, ""):
        replaced = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert forged not in json.dumps(log_lines())


def test_text_logs_for_reading_by_eye(app, log_lines):
    configure_logging("text", "INFO")
    try:
        handler = next(h for h in logging.getLogger().handlers if h.filters)
        record = logging.LogRecord("pedt", logging.INFO, __file__, 1, "bonjour", None, None)
        record.request_id = "abc"
        assert handler.format(record).endswith("INFO pedt: bonjour [request_id=abc]")
    finally:
        configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])


def test_the_request_id_reaches_the_worker_log_of_the_task_it_sent(client, start_worker):
    make_consultation(slug="journaux", orientations=1, actions_per_orientation=1)
    login(client, make_participant(role=Role.COMMITTEE))
    response = client.post("/comite/journaux/syntheses", headers={"X-Request-ID": "suivi-synthese-42"})
    assert response.status_code == 303 and response.headers["X-Request-ID"] == "suivi-synthese-42"

    start_worker()
    wait_until(lambda: db.session.scalar(select(CommitteeSummary.status)) == SummaryStatus.DONE,
               message="the summary was not built")
    start_worker.wait_for_sent_tasks()  # the worker logs the task's end after the row is done

    worker_lines = [json.loads(line) for line in start_worker.log_text().splitlines()
                    if line.startswith("{")]
    task_lines = [line for line in worker_lines if line.get("task") == "pedt.committee.build_summary"]
    assert task_lines, worker_lines
    assert all(line["request_id"] == "suivi-synthese-42" for line in task_lines)
    assert any(line["message"].startswith("pedt.committee.build_summary finished") for line in task_lines)
