"""Latency at a steady arrival rate (open loop): parents answering a school's message arrive on their own schedule and
do not wait for each other. Request number i leaves at start + i / rate, whatever the answers before it, each on a
connection of its own (gunicorn's sync workers close the connection after each answer), and its latency is
counted from that scheduled time, so time spent queued behind a slow answer is counted too.

wrk cannot do this (its Lua `delay` spaces the requests of each connection, which still waits for its answer
before sending the next: a closed loop), and wrk2 is not packaged: hence this small asyncio generator, which
needs a few percent of a core at a few hundred requests a second."""

from __future__ import annotations

import asyncio
import json
import time
from itertools import cycle
from urllib.parse import urlsplit

from benchmarks.report import percentile

ANSWER_TIMEOUT_SECONDS = 30


async def _put(host: str, port: int, path: str, token: str, body: bytes) -> int:
    """One HTTP/1.1 PUT on a new connection; the answer's status code."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the rest, until the server closes
        return int(status_line.split()[1])
    finally:
        writer.close()


async def _run(base: str, tokens: list[str], actions: list[int], rate: float, seconds: float) -> dict:
    address = urlsplit(base)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    latencies: list[float] = []
    failures: dict[str, int] = {}

    async def vote(scheduled: float, token: str, action_id: int, value: int) -> None:
        try:
            status = await asyncio.wait_for(
                _put(host, port, f"/api/v1/actions/{action_id}/votes/opinion", token,
                     json.dumps({"value": value}).encode()),
                ANSWER_TIMEOUT_SECONDS,
            )
        except (OSError, TimeoutError) as error:
            failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
            return
        latencies.append(time.perf_counter() - scheduled)
        if not 200 <= status < 300:
            failures[f"HTTP {status}"] = failures.get(f"HTTP {status}", 0) + 1

    requests = int(rate * seconds)
    start = time.perf_counter() + 0.1
    sent = []
    voters = cycle(tokens)
    for number in range(requests):
        scheduled = start + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append(asyncio.create_task(vote(scheduled, next(voters), actions[number % len(actions)], number % 3 - 1)))
    late_start = max(0.0, time.perf_counter() - (start + (requests - 1) / rate))
    await asyncio.gather(*sent)
    return {
        "rate": rate,
        "requests": requests,
        "p50": percentile(latencies, 0.50) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "failures": ", ".join(f"{count} {kind}" for kind, count in sorted(failures.items())),
        # How far behind its schedule the generator itself sent the last request (should stay near 0).
        "generator_lag_ms": late_start * 1000,
    }


def open_loop_votes(base: str, tokens: list[str], actions: list[int], rate: float, seconds: float) -> dict:
    """`rate` API opinions a second for `seconds`, the voters' tokens in turn: p50 and p99 from the scheduled
    times, in ms, and the failures (errors and answers other than 2xx)."""
    return asyncio.run(_run(base, tokens, actions, rate, seconds))
