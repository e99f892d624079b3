"""What a run prints: its progress on stderr, then the machine, the load and one table of figures beside their
limits and targets, one row a measurement."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psycopg

from benchmarks.settings import Settings

HEADER = ("measure", "figure", "limit / beside it", "ratio", "target")


def progress(message: str) -> None:
    """What the run is doing, on stderr, so that a long run shows where it is."""
    print(f"[bench {time.strftime('%H:%M:%S')}, load {load()}] {message}", file=sys.stderr, flush=True)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def machine(settings: Settings) -> str:
    with psycopg.connect(f"{settings.postgres}/postgres") as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return f"{os.cpu_count()} CPU, {memory_kb / 1024**2:.1f} GiB, PostgreSQL {postgres}, Python {sys.version.split()[0]}"


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in (HEADER, *rows)) for i in range(len(HEADER))]
    print()
    for row in (HEADER, *rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
