"""Rate limits (Flask-Limiter), all in one place: how often one person may sign in, register, vote, comment,
report and propose, and how often one API token may call.

Keyed by the person acting when there is one (whatever the door: page, session, personal or platform token), by
network address otherwise. At a workshop many parents share one school network (one address), so the only limits
keyed by address are on the forms used before signing in (sign-in, registration), and they are generous; an
account's own guesses are stopped by the lockout in `auth.services`, not here."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, has_request_context
from flask_babel import format_timedelta
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter._limits import RuntimeLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from limits.util import WindowStats

# Forms used before signing in, limited per endpoint: (limits, methods limited). Reading a page is never
# limited, only sending its form.
FORM_LIMITS: dict[str, tuple[str, tuple[str, ...]]] = {
    # A class of parents signing in at once on one network, with typos: 60 tries in 5 minutes.
    "auth.login": ("60 per 5 minutes", ("POST",)),
    "auth.register": ("60 per hour", ("POST",)),
    # Each request sends an e-mail: enough for a workshop's forgetful parents, not for flooding a mailbox.
    "auth.forgotten_password": ("20 per hour", ("POST",)),
}
# What one person may do, whatever the door (a page, the API with their session, their personal token, or the
# platform's token acting for them): budget name: (limits, the endpoints that spend it). Every endpoint of a
# budget draws on one count per person.
PERSON_BUDGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    # Changing one's mind is normal: a person rarely votes on more than a few actions a minute.
    "votes": (
        "60 per minute; 1000 per day",
        (
            "voting.cast",
            "voting.withdraw",
            "api_participation.support",
            "api_participation.give_opinion",
            "api_participation.give_grade",
            "api_participation.withdraw_vote",
        ),
    ),
    "comments": ("10 per minute; 100 per day", ("comments.create", "api_participation.add_comment")),
    "reports": ("10 per minute; 50 per day", ("reports.report_action", "reports.report_comment")),
    "proposals": ("5 per minute; 30 per day", ("consultations.propose", "api_participation.propose_action")),
    # Each request e-mails the links the account waits for (to the person, and to a parent before 15).
    "links": ("3 per 10 minutes; 10 per day", ("auth.resend_links",)),
    # A person types the code on their slip, with a typo or two: not enough tries to guess someone else's.
    "participation codes": ("10 per minute; 30 per day", ("codes.enter",)),
}
API_BLUEPRINTS = ("api", "api_participation", "api_moderation", "api_committee")
# Calls to the API, all endpoints together: a platform token speaks for all the platform's users at once, hence
# a high limit per token; a personal token or a session counts as its person.
API_CALLS_PER_TOKEN = "600 per minute"
# Writes through the API, all endpoints together, per person acted for (the platform user, the token's owner or
# the session).
API_WRITES = "60 per minute; 2000 per day"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def person_or_address() -> str:
    """The person acting: the API's actor (resolved before the view: a token's owner, the platform user named,
    or the session), else the person signed in on the page; the network address of anyone else."""
    person = g.get("api_actor") or (current_user if current_user.is_authenticated else None)
    if person is not None:
        return f"participant:{person.id}"
    return f"address:{get_remote_address()}"


def api_caller() -> str:
    """The platform's token is counted as one caller; a personal token or a session is its person."""
    token = g.get("api_token")
    if token is not None and token.acts_for_platform_users:
        return f"token:{token.id}"
    return person_or_address()


# Every moving window a request counts, in one Redis round trip: ARGV holds the time, then (limit, seconds, cost)
# per key. Either every window has room and each gets the request's entries, or none is touched. Answers, per key:
# 1 if it had room, the oldest entry still in its window and how many entries it holds. Same lists (newest first,
# one timestamp per entry) as the `limits` library's own moving window, so both read each other's counts.
_COUNT_IN_ONE_TRIP = """
local now = tonumber(ARGV[1])
local refused = false
for i = 1, #KEYS do
    local limit, expiry, cost = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
    local entry = redis.call('lindex', KEYS[i], limit - cost)
    if cost > limit or (entry and tonumber(entry) >= now - expiry) then refused = true end
end
local answers = {}
for i = 1, #KEYS do
    local limit, expiry, cost = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
    local room = 0
    if not refused then
        for _ = 1, cost do redis.call('lpush', KEYS[i], now) end
        redis.call('ltrim', KEYS[i], 0, limit - 1)
        redis.call('expire', KEYS[i], expiry)
        room = 1
    end
    -- The window's entries are the first ones of the list (newest first): find the last of them by halving.
    local count, low, high = 0, 0, limit - 1
    while low <= high do
        local middle = math.floor((low + high) / 2)
        local entry = redis.call('lindex', KEYS[i], middle)
        if entry and tonumber(entry) >= now - expiry then count = middle + 1; low = middle + 1 else high = middle - 1 end
    end
    local oldest = now
    if count > 0 then oldest = tonumber(redis.call('lindex', KEYS[i], count - 1)) end
    answers[i] = {room, tostring(oldest), count}
end
return answers
"""


@dataclass
class _NotedHit:
    item: RateLimitItem
    identifiers: tuple[str, ...]
    cost: int


class MovingWindowInOneTrip(MovingWindowRateLimiter):
    """Flask-Limiter counts a request's limits one after the other (a Redis script each, and one more for the
    headers' window): a vote spends three budgets, five windows. In a request, this strategy notes each hit and
    answers "allowed"; `count_noted_hits`, which runs just before the view, then counts them all in one script
    (`_COUNT_IN_ONE_TRIP`) and refuses the request if one window is full. Outside Redis (the memory storage of
    tests and of a single process) the same is done with `limits`' own calls."""

    _script: Any = None  # redis-py's Script, registered at the first count

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        if not has_request_context():
            return super().hit(item, *identifiers, cost=cost)
        g.setdefault("rate_limit_hits", []).append(_NotedHit(item, identifiers, cost))
        return True

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        known = g.get("rate_limit_windows", {}).get(item.key_for(*identifiers)) if has_request_context() else None
        return known or super().get_window_stats(item, *identifiers)

    def count_noted_hits(self) -> _NotedHit | None:
        """Counts the request's noted hits; the first whose window was full, if any."""
        hits: list[_NotedHit] = g.pop("rate_limit_hits", [])
        if not hits:
            return None
        if not isinstance(self.storage, RedisStorage):
            full = next((hit for hit in hits if not self.test(hit.item, *hit.identifiers, cost=hit.cost)), None)
            if full is None:
                for hit in hits:
                    super().hit(hit.item, *hit.identifiers, cost=hit.cost)
            return full
        keys = [hit.item.key_for(*hit.identifiers) for hit in hits]
        arguments: list[float] = [time.time()]
        for hit in hits:
            arguments += [hit.item.amount, hit.item.get_expiry(), hit.cost]
        if self._script is None:
            # Sent once, then called by its digest (EVALSHA).
            self._script = self.storage.get_connection().register_script(_COUNT_IN_ONE_TRIP)
        answers = self._script(keys=[self.storage.prefixed_key(key) for key in keys], args=arguments)
        g.rate_limit_windows = {
            key: WindowStats(float(oldest) + hit.item.get_expiry(), max(0, hit.item.amount - count))
            for key, hit, (_room, oldest, count) in zip(keys, hits, answers, strict=True)
        }
        return None if answers[0][0] else next(
            (hit for hit, (_room, _oldest, count) in zip(hits, answers, strict=True) if count + hit.cost > hit.item.amount),
            hits[0],
        )


def _counting_noted_hits(limiter: Limiter, view: Callable[..., Any]) -> Callable[..., Any]:
    """The view, run once the request's limits are counted (MovingWindowInOneTrip); a 429 if one is spent."""

    @wraps(view)
    def counted(*args: Any, **kwargs: Any) -> Any:
        strategy = limiter.limiter if limiter.enabled else None
        if isinstance(strategy, MovingWindowInOneTrip) and (refused := strategy.count_noted_hits()) is not None:
            key = refused.item.key_for(*refused.identifiers)
            for request_limit in limiter.context.view_rate_limits:
                if request_limit.key == key:
                    request_limit.breached = True
                    limiter.context.view_rate_limit = request_limit
            raise RateLimitExceeded(RuntimeLimit(refused.item, key_func=lambda: key, scope=None, shared=True))
        return view(*args, **kwargs)

    return counted


def _parse_limits_once(limiter: Limiter) -> None:
    """Flask-Limiter parses a view's limit strings again at each request (`Limit.__iter__`), about a tenth of an
    API vote's CPU with the rest of its per-request resolution. Ours are fixed strings registered with the
    views, before the first request: each view's parsed limits are kept from its first request on."""
    manager = limiter.limit_manager
    parse = manager.decorated_limits
    parsed: dict[str, list[RuntimeLimit]] = {}

    def decorated_limits(callable_name: str) -> list[RuntimeLimit]:
        if callable_name not in parsed:
            parsed[callable_name] = parse(callable_name)
        return list(parsed[callable_name])

    manager.decorated_limits = decorated_limits  # type: ignore[method-assign]


def init_rate_limits(app: Flask) -> None:
    """One limiter per app (its on/off and storage are the app's), wrapping the registered views so that the
    views themselves stay unaware of the limits. Each limited view is first wrapped in `_counting_noted_hits`,
    so that the limiter's decorators, around it, note the request's hits before it counts them."""
    limiter = Limiter(key_func=person_or_address, app=app)
    if limiter.enabled:
        # Flask-Limiter builds its strategy from RATELIMIT_STRATEGY ("moving-window") and has no setting for one of
        # ours: the same strategy, in one round trip, in its place.
        limiter._limiter = MovingWindowInOneTrip(limiter.storage)
        manager = limiter.limit_manager
        if not (manager.application_limits or manager.default_limits or limiter._meta_limits):
            # Every limit here is a decorator's, counted when its view is called. The limiter's pass before each
            # request looks for application-wide, default and meta limits only: with none of them it would find
            # nothing, at every request.
            app.before_request_funcs[None].remove(limiter._check_request_limit)
    _parse_limits_once(limiter)
    app.extensions["rate_limiter"] = limiter
    limited = set(FORM_LIMITS) | {endpoint for _limits, endpoints in PERSON_BUDGETS.values() for endpoint in endpoints}
    limited |= {endpoint for endpoint in app.view_functions if endpoint.partition(".")[0] in API_BLUEPRINTS}
    for endpoint in limited:
        app.view_functions[endpoint] = _counting_noted_hits(limiter, app.view_functions[endpoint])
    for endpoint, (limits, methods) in FORM_LIMITS.items():
        limited = limiter.limit(limits, methods=list(methods))
        app.view_functions[endpoint] = limited(app.view_functions[endpoint])
    for budget, (limits, endpoints) in PERSON_BUDGETS.items():
        shared = limiter.shared_limit(limits, scope=budget, methods=list(WRITE_METHODS))
        for endpoint in endpoints:
            app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.partition(".")[0] in API_BLUEPRINTS:
            view = limiter.shared_limit(API_CALLS_PER_TOKEN, scope="api_calls", key_func=api_caller)(view)
            view = limiter.shared_limit(API_WRITES, scope="api_writes", methods=list(WRITE_METHODS))(view)
            app.view_functions[endpoint] = view


def wait_before_retrying() -> str:
    """How long until the limit that was hit lets the person in again, in words of their language."""
    limit = current_app.extensions["rate_limiter"].current_limit
    seconds = max(1, round(limit.reset_at - time.time())) if limit is not None else 60
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5, add_direction=False)
