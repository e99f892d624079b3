"""Structured logs: one JSON object a line, each tied to the request (or the task it sent) by a request id,
so that an operator can follow one person's click from the web process into the worker. Log lines carry a
participant's id at most, never an e-mail address or a name."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from celery.signals import before_task_publish, task_postrun, task_prerun
from flask import Flask, g, request

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or the platform's id is kept when it is short and plain; anything else could forge log lines.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The record attributes every formatter writes when set (in this order after the four basic ones).
CONTEXT_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "participant_id", "task", "task_id")

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

request_log = logging.getLogger("pedt_participation.requests")
task_log = logging.getLogger("pedt_participation.tasks")


# Path parameters whose value is a secret (a password-reset link's token): never written in a log line.
SECRET_PATH_PARAMETERS = frozenset({"token"})
REDACTED = "[redacted]"
# The routes with such a parameter, as one pattern (see `hide_secret_paths`); None matches nothing.
_secret_paths: re.Pattern[str] | None = None


def hide_secret_paths(app: Flask) -> None:
    """Once every route is registered: the pattern of the addresses that carry a secret, so that every log line
    (the request log, errors, the development server's) shows them with the secret redacted."""
    global _secret_paths
    segment = r"""[^/?#\s"']+"""
    patterns = []
    for rule in app.url_map.iter_rules():
        if rule.arguments & SECRET_PATH_PARAMETERS:
            # Static text and parameter names alternate in what re.split returns; a secret becomes a group.
            parts = re.split(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)
            patterns.append("".join(
                re.escape(part) if index % 2 == 0 else f"({segment})" if part in SECRET_PATH_PARAMETERS else segment
                for index, part in enumerate(parts)
            ))
    _secret_paths = re.compile("|".join(patterns)) if patterns else None


def redact_secrets(text: str) -> str:
    if _secret_paths is None:
        return text
    return _secret_paths.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    text = match.group(0)
    secrets = [match.span(group) for group in range(1, len(match.groups()) + 1) if match.group(group) is not None]
    for begin, end in reversed(secrets):
        text = text[: begin - match.start()] + REDACTED + text[end - match.start() :]
    return text


class SecretRedactingFilter(logging.Filter):
    """Rewrites a record's message and path with the secrets of addresses redacted (`hide_secret_paths`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        path = getattr(record, "path", None)
        if isinstance(path, str):
            record.path = redact_secrets(path)
        return True


class RequestIdFilter(logging.Filter):
    """Stamps every record with the request id of the request or task being served, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (field, getattr(record, field)) for field in CONTEXT_FIELDS if getattr(record, field, None) is not None
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For reading by eye (`LOG_FORMAT=text`): the usual line, then the same context fields as `key=value`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(
            f"{field}={getattr(record, field)}" for field in CONTEXT_FIELDS if getattr(record, field, None) is not None
        )
        line = super().format(record)
        return f"{line} [{context}]" if context else line


def configure_logging(log_format: str, level: str) -> None:
    """Installs one handler on the root logger; calling it again (another app, the worker) replaces its format
    and level instead of adding a second handler."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h.formatter, JsonFormatter | TextFormatter)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(RequestIdFilter())
        handler.addFilter(SecretRedactingFilter())
        root.addHandler(handler)
    handler.setFormatter(TextFormatter() if log_format == "text" else JsonFormatter())
    root.setLevel(level)
    # A line per layout step of every PDF page would drown the rest.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def init_request_logging(app: Flask) -> None:
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_log_request)
    app.teardown_request(_forget_request_id)


def _start_request() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if SAFE_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    g.request_id_token = current_request_id.set(g.request_id)


def _log_request(response):
    response.headers[REQUEST_ID_HEADER] = g.request_id
    # The user Flask-Login already loaded, if any: asking `current_user` would cost a query on pages without one.
    user = g.get("_login_user")
    request_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
            "participant_id": user.id if user is not None and user.is_authenticated else None,
        },
    )
    return response


def _forget_request_id(_error) -> None:
    if "request_id_token" in g:
        current_request_id.reset(g.pop("request_id_token"))


@before_task_publish.connect
def _send_request_id_with_task(headers: dict, **_kwargs) -> None:
    """Tasks sent while serving a request (or another task) carry its id in their message headers."""
    request_id = current_request_id.get()
    if request_id is not None:
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _adopt_request_id(task_id: str, task, **_kwargs) -> None:
    request_id = task.request.get("request_id") or uuid.uuid4().hex
    task.request.request_id_token = current_request_id.set(request_id)
    task_log.info("%s started", task.name, extra={"task": task.name, "task_id": task_id})


@task_postrun.connect
def _forget_task_request_id(task_id: str, task, state: str | None = None, **_kwargs) -> None:
    task_log.info("%s finished: %s", task.name, state, extra={"task": task.name, "task_id": task_id})
    token = task.request.get("request_id_token")
    if token is not None:
        current_request_id.reset(token)
