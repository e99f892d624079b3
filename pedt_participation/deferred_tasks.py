"""Celery tasks sent only once the transaction that prepared their rows has committed, so a worker
always finds what it is asked to work on, and a rolled-back request sends nothing."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)

PENDING_TASKS = "pedt_tasks_after_commit"
UNSENT_TASKS = "pedt_tasks_not_sent"


def send_after_commit(task_name: str, *args: int | str) -> None:
    db.session.info.setdefault(PENDING_TASKS, []).append((task_name, args))


@event.listens_for(Session, "after_commit")
def _send_pending_tasks(session: Session) -> None:
    """A broker that is down must not undo what the person did: the rows stay (a summary shows as
    queued and can be sent again from its page) and the failure is logged. No result is awaited, so the
    request never waits for the result backend either."""
    for task_name, args in session.info.pop(PENDING_TASKS, []):
        try:
            current_app.extensions["celery"].send_task(task_name, args=list(args), ignore_result=True)
        except Exception:  # noqa: BLE001 — any broker failure
            log.exception("Could not queue %s%s", task_name, args)
            session.info.setdefault(UNSENT_TASKS, []).append(task_name)


def tasks_not_sent() -> list[str]:
    """The tasks of this request's last commit that the broker refused, to tell the person they wait."""
    return db.session.info.get(UNSENT_TASKS, [])


@event.listens_for(Session, "after_rollback")
def _forget_pending_tasks(session: Session) -> None:
    session.info.pop(PENDING_TASKS, None)
