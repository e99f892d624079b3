"""A worker killed (SIGKILL) in the middle of a summary build: the unacknowledged task comes back from Redis
after the visibility timeout, a new worker takes the `running` row over once its time limit has passed,
and the snapshot ends done exactly once, e-mailed at most once."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import func, select, text

from pedt_participation.committee import services
from pedt_participation.extensions import db
from pedt_participation.models import (
    CommitteeSummary,
    CommitteeSummaryFile,
    Role,
    SummaryFileKind,
    SummaryStatus,
    SummaryTrigger,
)
from tests.helpers import make_consultation, make_participant, wait_until

pytestmark = pytest.mark.faults

# Short on purpose (production's are in config.py). The visibility timeout stays above the time limit.
FAST_RECOVERY = {"SUMMARY_BUILD_TIME_LIMIT_SECONDS": "12", "CELERY_VISIBILITY_TIMEOUT": "15"}


def _waiting_to_write_its_files(summary_id: int) -> bool:
    building = db.session.get(CommitteeSummary, summary_id)
    return building.status == SummaryStatus.RUNNING and building.progress == 90


def test_a_summary_whose_worker_was_killed_ends_done_once(celery_settings, smtp_server, start_worker):
    if not celery_settings["broker_url"].startswith("redis"):
        pytest.skip("the visibility timeout is Redis's redelivery")
    port, inbox = smtp_server
    make_participant(role=Role.COMMITTEE, email="comite@exemple.fr")
    summary = services.queue_summary(make_consultation(), SummaryTrigger.WEEKLY, period="2026-W01")
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}

    # While this lock is held, a build stops when it writes its files: the first worker is killed there, in the
    # middle of the build (running, its figures counted, its progress reported).
    with db.engine.connect() as files_lock:
        files_lock.execute(text("LOCK TABLE committee_summary_files IN SHARE MODE"))
        doomed = start_worker(**FAST_RECOVERY, **mail)
        db.session.commit()  # sends the build task, which the first worker takes
        wait_until(lambda: _waiting_to_write_its_files(summary.id))
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        files_lock.rollback()

    start_worker(**FAST_RECOVERY, **mail)
    done = wait_until(lambda: db.session.get(CommitteeSummary, summary.id).emailed_at, seconds=120)
    assert done
    row = db.session.get(CommitteeSummary, summary.id)
    assert (row.status, row.attempts) == (SummaryStatus.DONE, 2)
    assert db.session.scalar(select(func.count()).select_from(CommitteeSummary)) == 1
    # One file of each kind (PDF, CSV, spreadsheet): none twice from the killed attempt.
    assert db.session.scalar(select(func.count()).select_from(CommitteeSummaryFile)) == len(SummaryFileKind)
    assert len(inbox.messages) == 1
