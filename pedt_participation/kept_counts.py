"""Counts the pages show, kept a few seconds in the shared cache.

Counting the people who voted in each consultation the home page lists looks up each person's votes (a tenth of a
second for 26,000 voters), and no tally can say how many distinct people they are: those counts are kept
LIVE_COUNTS_SECONDS instead, in the cache every web process shares, and any change shows within
LIVE_COUNTS_SECONDS. (The counts of votes and comments on each action need none of this: the database tallies them
as they are written, `models.ActionTally`.) With LIVE_COUNTS_SECONDS at 0, every view counts afresh.

So that no reader waits for that count while people keep looking, a page that finds counts past half their time
counts them again once its answer is sent (one web process at a time): the next pages read the new counts. Only
counts past LIVE_COUNTS_SECONDS, or never counted, are counted while the reader waits; while a refresh is under
way (slower than LIVE_COUNTS_SECONDS on a busy machine), the counts it replaces are shown instead, as old as the
refresh takes and at most REFRESH_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from flask import Response, after_this_request, current_app, has_request_context

from .extensions import cache

Count = TypeVar("Count")
# How long a refresh that never ended (its process killed) keeps others from counting again, and the oldest counts
# a page shows while a refresh is under way.
REFRESH_TIMEOUT_SECONDS = 15

log = logging.getLogger(__name__)


def _key(kind: str, counted_id: int) -> str:
    return f"live-counts:{kind}:{counted_id}"


def _refresh_key(kind: str, counted_ids: list[int]) -> str:
    digest = hashlib.blake2b(",".join(map(str, sorted(counted_ids))).encode(), digest_size=8).hexdigest()
    return f"live-counts-refresh:{kind}:{digest}"


def _now() -> float:
    """The clock that dates kept counts (a test moves it on instead of waiting)."""
    return time.time()


def kept_counts(
    kind: str, action_ids: list[int], count: Callable[[list[int]], Mapping[int, Count]]
) -> dict[int, Count]:
    """Each action's counts of this `kind` (or each consultation's: any rows counted by id), from the cache while
    they are younger than LIVE_COUNTS_SECONDS, else from `count` (which answers for every id it is given), in one
    call for all the missing ones."""
    max_age = current_app.config["LIVE_COUNTS_SECONDS"]
    if max_age <= 0 or not action_ids:
        every = count(action_ids)
        return {action_id: every[action_id] for action_id in action_ids}
    now = _now()
    refresh_key = _refresh_key(kind, action_ids)
    *kept, refreshing = cache.get_many(*(_key(kind, action_id) for action_id in action_ids), refresh_key)
    counts, ageing = {}, []
    for action_id, entry in zip(action_ids, kept, strict=True):
        # Counts past their time are still shown while they are being counted again: when counting is slower
        # than LIVE_COUNTS_SECONDS (a busy machine), pages do not all count at once.
        if entry is not None and 0 <= now - entry[0] < (REFRESH_TIMEOUT_SECONDS if refreshing else max_age):
            counts[action_id] = entry[1]
            if now - entry[0] >= max_age / 2:
                ageing.append(action_id)
    missing = [action_id for action_id in action_ids if action_id not in counts]
    if missing:
        counts.update(_count_and_keep(kind, missing, count, now))
    if ageing and not refreshing and has_request_context():
        _count_again_once_answered(refresh_key, kind, ageing, count)
    return counts


def _count_and_keep(
    kind: str, action_ids: list[int], count: Callable[[list[int]], Mapping[int, Count]], now: float
) -> dict[int, Count]:
    """The counts of `action_ids` counted afresh and kept, dated `now` (before counting: a vote committed while
    they are counted may be missing from them)."""
    fresh = count(action_ids)
    cache.set_many({_key(kind, action_id): (now, fresh[action_id]) for action_id in action_ids},
                   timeout=REFRESH_TIMEOUT_SECONDS)
    return {action_id: fresh[action_id] for action_id in action_ids}


def _count_again_once_answered(
    key: str, kind: str, action_ids: list[int], count: Callable[[list[int]], Mapping[int, Count]]
) -> None:
    """Counts `action_ids` again after this request's answer is sent (when the server closes it), unless another
    request already does: the first to add the refresh's key to the cache does, and removes it once done (a process
    killed while counting leaves it REFRESH_TIMEOUT_SECONDS). One refresh at a time, so that counts slower than
    usual (a busy machine) are not counted twice at once."""
    if not cache.add(key, True, timeout=REFRESH_TIMEOUT_SECONDS):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def count_again() -> None:
        with app.app_context():
            try:
                _count_and_keep(kind, action_ids, count, _now())
            except Exception:  # noqa: BLE001 — the answer is sent: the next page counts them if they expire
                log.exception("Could not count the kept counts %s of %s again", kind, action_ids)
            finally:
                _forget_refresh(key)

    @after_this_request
    def once_answered(response: Response) -> Response:
        response.call_on_close(count_again)
        return response


def _forget_refresh(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 — any failure of the cache's server: the key expires on its own
        log.exception("Could not remove the refresh's key %s", key)
