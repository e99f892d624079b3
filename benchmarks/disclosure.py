"""The summaries' disclosure control alone (committee/disclosure.py and its auditor): `benchmarks/disclosure.py`
prints the CPU its protections take, the HiGHS runs they make and a fingerprint of the cells they withhold, for

- the demo's `pedt` summary: `seed-demo` and 300 simulated participants (seed 1, as `make run` loads them) in a
  temporary SQLite database, at a fixed date so that every run reads the same figures, then `aggregate`;
- the random consultations of tests/test_disclosure.py's property test, the same ones in the same order (its own
  test is run, without its files' checks, which need a database).

Two runs that print the same fingerprints made the same decisions; for the demo, also how many actions have a
breakdown left out (too small to detail, or named by a refusal) and whether the participants' total is printed.
Figures printed, nothing judged; CPU time of this process (the machine is shared: wall time would measure the
others)."""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import highspy

from pedt_participation.committee import disclosure

DEMO_DATE = datetime(2026, 12, 1, 12, tzinfo=UTC)
DEMO_PARTICIPANTS = 300


class Meter:
    """Every protection's CPU time and the HiGHS runs of its audits, and the decisions they made."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.runs = 0  # of the protections only (the property test audits their results again)
        self.protecting = False
        self.decisions: list[str] = []

    def __enter__(self) -> Meter:
        meter = self
        protect, run = disclosure.Disclosure.protect, highspy.Highs.run

        def counted_run(highs: highspy.Highs) -> Any:
            meter.runs += meter.protecting
            return run(highs)

        def timed_protect(figures: disclosure.Disclosure, max_rounds: int) -> None:
            start, meter.protecting = time.process_time(), True
            try:
                protect(figures, max_rounds)
                meter.decisions.append(fingerprint(sorted((str(key), label) for key, label in figures.withheld.items())))
            except disclosure.DisclosureRefused as refused:
                meter.decisions.append(fingerprint(["refused", *sorted(str(finding.key) for finding in refused.findings)]))
                raise
            finally:
                meter.seconds += time.process_time() - start
                meter.protecting = False

        self._restore: list[Callable[[], None]] = [
            lambda: setattr(disclosure.Disclosure, "protect", protect),
            lambda: setattr(highspy.Highs, "run", run),
        ]
        disclosure.Disclosure.protect = timed_protect  # type: ignore[method-assign]
        highspy.Highs.run = counted_run  # type: ignore[method-assign]
        disclosure._decisions.clear()
        return self

    def __exit__(self, *_exception: object) -> None:
        for restore in self._restore:
            restore()

    def line(self, name: str) -> str:
        return (f"{name}: {len(self.decisions)} protections, CPU {self.seconds:.2f} s, {self.runs} HiGHS runs, "
                f"decisions {fingerprint(self.decisions)}")


def fingerprint(items: list) -> str:
    return hashlib.sha256(repr(items).encode()).hexdigest()[:16]


def demo_summary() -> str:
    from pedt_participation import create_app
    from pedt_participation.committee.aggregation import aggregate, printed_cells
    from pedt_participation.demo.services import seed_demo, simulate
    from pedt_participation.extensions import db
    from pedt_participation.models import Consultation

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.sqlite3", "SECRET_KEY": "bench-only"})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            seed_demo(DEMO_DATE, with_accounts=False)
            simulate(DEMO_PARTICIPANTS, seed=1, now=DEMO_DATE)
            db.session.commit()
            consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == "pedt"))
            with Meter() as meter:
                data = aggregate(consultation, DEMO_DATE)
            withheld = [(str(key), figure["display"]) for key, figure in printed_cells(data) if figure["value"] is None]
            db.session.remove()
    actions = [action for orientation in data["orientations"] for action in orientation["actions"]]
    # Per action, how many of its two sets of breakdowns (supports, opinions) are left out.
    undetailed = [sum(not action[figures]["detailed"] for figures in ("supports", "opinions")) for action in actions]
    return (f"{meter.line('demo pedt summary')}, {len(withheld)} printed figures withheld {fingerprint(withheld)}, "
            f"actions with a breakdown left out {sum(map(bool, undetailed))} of {len(actions)} (both: "
            f"{undetailed.count(2)}), participants {data['participation']['participants']['display']}")


def random_consultations() -> str:
    from tests import test_disclosure

    test_disclosure._written = lambda plan, figures: None
    test_disclosure.assert_the_files_carry_the_figures = lambda data, pdf: None
    with Meter() as meter:
        test_disclosure.test_random_consultations_hide_every_withheld_figure()
    return meter.line(f"property test's {test_disclosure.EXAMPLES} random consultations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-random", action="store_true")
    arguments = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not arguments.skip_demo:
        print(demo_summary(), flush=True)
    if not arguments.skip_random:
        print(random_consultations(), flush=True)


if __name__ == "__main__":
    main()
