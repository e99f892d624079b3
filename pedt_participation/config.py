"""Settings: the embedded default needs no server; production overrides come from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app

# Bind key of the read replica (DATABASE_REPLICA_URL), which only the committee's summaries read.
REPLICA_BIND = "replica"

INSECURE_DEFAULT_SECRET_KEY = "dev-insecure-secret-key"


def town_time_zone() -> ZoneInfo:
    """The town's time zone: dates people type or read are the town's, stored in UTC."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])

DEFAULT_PASSWORD_HASH_METHOD = "scrypt"


def _instance_secret_key(instance_path: Path) -> str | None:
    """`make run` writes a random key here once, so a demo machine needs no environment at all."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip() or None
    return None


def _flag(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes"}


def _words(value: str) -> frozenset[str]:
    return frozenset(word for word in re.split(r"[\s,]+", value) if word)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url.rstrip("/")


def _embed_allowed_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """The platform pages allowed to frame the embeds: a list separated by spaces or commas, else the
    platform's own origin."""
    listed = env.get("EMBED_ALLOWED_ORIGINS") or env.get("PLATFORM_URL", "")
    return tuple(_origin(origin) for origin in re.split(r"[\s,]+", listed) if origin)


def _allowed_internal_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    """Hosts, as written in a webhook's address, separated by spaces or commas; `[::1]` and `::1` alike."""
    listed = env.get("WEBHOOK_ALLOWED_INTERNAL_HOSTS", "")
    return tuple(host.strip("[]").lower() for host in re.split(r"[\s,]+", listed) if host)


def _trusted_hosts(env: Mapping[str, str], public_url: str) -> list[str]:
    """The names the site answers to (any other Host header is refused, so that none is written in a link): a list
    separated by spaces or commas, else PUBLIC_URL's and the loopback names, which no outsider can make point
    elsewhere."""
    listed = [host for host in re.split(r"[\s,]+", env.get("TRUSTED_HOSTS", "")) if host]
    return listed or [urlsplit(public_url).hostname or "localhost", "localhost", "127.0.0.1"]


def build_config(instance_path: str) -> dict:
    instance = Path(instance_path)
    env = os.environ
    # A platform on another site frames the embeds as a third party: the browser sends the session only
    # with SameSite=None, which it accepts only on a Secure (HTTPS) cookie.
    embed_across_sites = _flag(env.get("EMBED_ACROSS_SITES"))
    secure_cookies = embed_across_sites or _flag(env.get("SESSION_COOKIE_SECURE"))
    cookie_same_site = "None" if embed_across_sites else "Lax"
    summary_build_time_limit = int(env.get("SUMMARY_BUILD_TIME_LIMIT_SECONDS", "660"))
    broker_url = env.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{instance / 'celery-broker.sqlite3'}"
    # Only Redis and SQS know it (the SQLAlchemy broker would hand it to create_engine and fail).
    visibility_timeout = int(env.get("CELERY_VISIBILITY_TIMEOUT", "900"))
    redelivering_broker = broker_url.startswith(("redis", "rediss", "sqs"))
    remember_me_days = int(env.get("REMEMBER_ME_DAYS", "14"))
    public_url = env.get("PUBLIC_URL", "http://127.0.0.1:5000")
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret_key(instance) or INSECURE_DEFAULT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or f"sqlite:///{instance / 'pedt.sqlite3'}",
        # How many rounds of complementary suppression a summary may take (committee/disclosure.py) before the
        # worker refuses it rather than publish figures a reader could work out.
        "DISCLOSURE_MAX_ROUNDS": int(env.get("DISCLOSURE_MAX_ROUNDS", "500")),
        # The demo machine: the embedded default (no DATABASE_URL), where `seed-demo` also creates the demo accounts
        # with their published password. DEMO_MODE=1 asks for them on a server database too (a public demo site).
        "DEMO_MODE": _flag(env["DEMO_MODE"]) if "DEMO_MODE" in env else not env.get("DATABASE_URL"),
        # A streaming read replica of DATABASE_URL for the committee's summaries (README, "Scaling").
        "SQLALCHEMY_BINDS": (
            {REPLICA_BIND: {"url": env["DATABASE_REPLICA_URL"]}}
            if env.get("DATABASE_REPLICA_URL")
            else {}
        ),
        # How often a worker on the embedded SQLite broker looks for a new task (kombu's default; Redis pushes
        # tasks to the worker instead). Applied by the worker's entry point, tasks/celery_app.py.
        "EMBEDDED_BROKER_POLLING_SECONDS": float(env.get("EMBEDDED_BROKER_POLLING_SECONDS", "1")),
        "CELERY": {
            "broker_url": broker_url,
            "result_backend": env.get("CELERY_RESULT_BACKEND")
            or f"db+sqlite:///{instance / 'celery-results.sqlite3'}",
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            # Redis (and SQS) hand a task that was not acknowledged to another worker after this many seconds:
            # how long a summary whose worker was killed waits before it is built again (Redis's default is an
            # hour). Kept above the build's time limit so that a live build is never handed out twice.
            # Side effect: a task delayed longer than this (late webhook retries) may be delivered twice; the
            # delivery's state on its row (and X-PEDT-Delivery for the receiver) makes that harmless.
            "broker_transport_options": {"visibility_timeout": visibility_timeout} if redelivering_broker else {},
            "task_annotations": {
                "pedt.committee.build_summary": {
                    "time_limit": summary_build_time_limit,
                    # The soft limit leaves a tenth of the time to record the failure on the row.
                    "soft_time_limit": summary_build_time_limit * 10 // 11,
                },
            },
            "worker_prefetch_multiplier": 1,
            # Where tasks are sent and read: deployments (or test processes) sharing one broker each use their own.
            "task_default_queue": env.get("CELERY_QUEUE", "celery"),
            "broker_connection_retry_on_startup": True,
            "timezone": "Europe/Paris",
            "beat_schedule": {
                # Publication and closing on their dates.
                "advance-consultation-phases": {
                    "task": "pedt.consultations.advance_phases",
                    "schedule": 60.0,
                },
                # Weekly snapshots and the one at closing; queued once each, however often this runs.
                "queue-scheduled-summaries": {
                    "task": "pedt.committee.queue_scheduled_summaries",
                    "schedule": 300.0,
                },
                # Webhook deliveries whose task was lost (broker down at commit, worker died mid-attempt).
                "resend-due-webhooks": {
                    "task": "pedt.webhooks.resend_due",
                    "schedule": 60.0,
                },
                # Sign-in sessions past their lifetimes whose browser never came back.
                "forget-expired-sign-ins": {
                    "task": "pedt.auth.forget_expired_sign_ins",
                    "schedule": 3600.0,
                },
                # Under-15s' accounts that no parent consented to within PARENTAL_CONSENT_DAYS.
                "erase-accounts-without-parental-consent": {
                    "task": "pedt.privacy.erase_without_parental_consent",
                    "schedule": 3600.0,
                },
                # Personal data of people whose consultations all closed long ago (RETENTION_DAYS_AFTER_CLOSING).
                "erase-accounts-past-retention": {
                    "task": "pedt.privacy.erase_past_retention",
                    "schedule": 86400.0,
                },
            },
        },
        # A summary still `running` after this long lost its worker (the build is stopped at this limit).
        "SUMMARY_BUILD_TIME_LIMIT_SECONDS": summary_build_time_limit,
        # One JSON object a line (for a log collector), or `text` to read by eye; `make run` sets text.
        "LOG_FORMAT": env.get("LOG_FORMAT", "json"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        # The largest request body accepted (bytes), answered 413 beyond; the open-data import has its own.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # The longest address (path and query) answered; a longer one gets a 414. gunicorn.conf.py lets up to 8190
        # bytes through to the app for that.
        "MAX_URL_LENGTH": int(env.get("MAX_URL_LENGTH", "4096")),
        # Sign-in sessions (README, "Sessions and request limits"): a session unused this long, or this old, is
        # ended, as the site is used on shared computers; "stay signed in" keeps one this many days at most.
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(env.get("SESSION_MAX_HOURS", "12")),
        "REMEMBER_ME_DAYS": remember_me_days,
        "REMEMBER_COOKIE_DURATION": timedelta(days=remember_me_days),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": cookie_same_site,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": cookie_same_site,
        "SESSION_COOKIE_SECURE": secure_cookies,
        # Rate limits (see `ratelimits`): counted in memory by default, which is per process; in production set
        # RATELIMIT_STORAGE_URI=redis://… so that every web process shares the counts.
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED", "1")),
        # The home page's count of the people who voted is kept this many seconds (kept_counts); 0 counts at each view.
        "LIVE_COUNTS_SECONDS": int(env.get("LIVE_COUNTS_SECONDS", "3")),
        # Where they are kept: Redis when the rate limits are counted there (shared by every web process), else
        # in each process's memory.
        **(
            {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": env["RATELIMIT_STORAGE_URI"], "CACHE_KEY_PREFIX": "pedt:"}
            if env.get("RATELIMIT_STORAGE_URI", "").startswith(("redis://", "rediss://"))
            else {"CACHE_TYPE": "SimpleCache"}
        ),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Behind a reverse proxy, how many proxies set X-Forwarded-For/-Proto: the limits by address then see the
        # person's address, not the proxy's (0: the site is reached directly).
        "TRUSTED_PROXY_COUNT": int(env.get("TRUSTED_PROXY_COUNT", "0")),
        # Sign-in lockout: after this many wrong passwords in a row, the account refuses passwords for a while.
        "SIGN_IN_MAX_FAILURES": int(env.get("SIGN_IN_MAX_FAILURES", "10")),
        "SIGN_IN_LOCKOUT_MINUTES": int(env.get("SIGN_IN_LOCKOUT_MINUTES", "15")),
        # A reset link works once, this long after it is sent; once opened, its form is valid this long.
        "PASSWORD_RESET_LINK_MINUTES": int(env.get("PASSWORD_RESET_LINK_MINUTES", "20")),
        "PASSWORD_RESET_FORM_MINUTES": int(env.get("PASSWORD_RESET_FORM_MINUTES", "10")),
        # Werkzeug's method for new password hashes: scrypt, slow on purpose against guessing from a stolen
        # database. The tests choose a cheap one; a hash records its method, so any stored hash still checks.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH_METHOD),
        # A new account's e-mail confirmation link lasts this long (the person can ask for a new one); until it is
        # opened, the account's votes are held.
        "EMAIL_CONFIRMATION_LINK_DAYS": int(env.get("EMAIL_CONFIRMATION_LINK_DAYS", "7")),
        # An under-15's parent has this long to consent through the link e-mailed to them; without an answer, the
        # account and what it holds are erased.
        "PARENTAL_CONSENT_DAYS": int(env.get("PARENTAL_CONSENT_DAYS", "14")),
        # E-mail is sent only when MAIL_SERVER is set; otherwise notifications stay in the app, and the messages
        # about a person's own account (links to confirm an address, a parent's consent) are written to MAIL_FOLDER.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_STARTTLS": _flag(env.get("MAIL_USE_STARTTLS")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_FOLDER": env.get("MAIL_FOLDER") or str(instance / "mail"),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Consultation éducative <ne-pas-repondre@localhost>"),
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": _trusted_hosts(env, public_url),
        # Where people report an accessibility problem (an e-mail address or a page), on /accessibilite.
        "ACCESSIBILITY_CONTACT": env.get("ACCESSIBILITY_CONTACT", ""),
        # Privacy notice (/confidentialite): who is responsible for the data, and whom to write to.
        "PRIVACY_CONTROLLER": env.get("PRIVACY_CONTROLLER", "la mairie"),
        "PRIVACY_CONTACT": env.get("PRIVACY_CONTACT", ""),
        # Accounts whose consultations all closed more than this many days ago are anonymised like an erasure.
        "RETENTION_DAYS_AFTER_CLOSING": int(env.get("RETENTION_DAYS_AFTER_CLOSING", "365")),
        # Sign-in through the host platform (OAuth2 authorization code + PKCE), on when a client id is set.
        # PLATFORM_PROVIDER says which kind: `decidim` (Decidim's paths by default: /oauth/authorize,
        # /oauth/token, /oauth/me) or `oidc` (any OpenID Connect provider, from PLATFORM_OIDC_ISSUER's discovery
        # document). The scopes default to the kind's (see auth/platform.py); the token endpoint's client
        # authentication (client_secret_basic or client_secret_post) to Authlib's for Decidim, to what discovery
        # offers for OpenID Connect.
        "PLATFORM_PROVIDER": env.get("PLATFORM_PROVIDER", "decidim").strip().lower(),
        "PLATFORM_NAME": env.get("PLATFORM_NAME", "la plateforme de la ville"),
        "PLATFORM_URL": env.get("PLATFORM_URL", "").rstrip("/"),
        "PLATFORM_OIDC_ISSUER": env.get("PLATFORM_OIDC_ISSUER", "").rstrip("/"),
        "PLATFORM_OAUTH_CLIENT_ID": env.get("PLATFORM_OAUTH_CLIENT_ID", ""),
        "PLATFORM_OAUTH_CLIENT_SECRET": env.get("PLATFORM_OAUTH_CLIENT_SECRET", ""),
        "PLATFORM_OAUTH_SCOPES": env.get("PLATFORM_OAUTH_SCOPES", ""),
        "PLATFORM_OAUTH_TOKEN_AUTH_METHOD": env.get("PLATFORM_OAUTH_TOKEN_AUTH_METHOD", ""),
        "PLATFORM_OAUTH_AUTHORIZE_URL": env.get("PLATFORM_OAUTH_AUTHORIZE_URL", ""),
        "PLATFORM_OAUTH_TOKEN_URL": env.get("PLATFORM_OAUTH_TOKEN_URL", ""),
        "PLATFORM_OAUTH_PROFILE_URL": env.get("PLATFORM_OAUTH_PROFILE_URL", ""),
        # The staff roles (moderator, committee, admin; separated by spaces or commas) the platform's API token
        # may act for through X-Platform-User. None by default: the platform speaks for participants only.
        "PLATFORM_TOKEN_STAFF_ROLES": _words(env.get("PLATFORM_TOKEN_STAFF_ROLES", "")),
        "EMBED_ALLOWED_ORIGINS": _embed_allowed_origins(env),
        "EMBED_ACROSS_SITES": embed_across_sites,
        # Webhooks: a delivery not answered 2xx is tried again after base, 2×base, 4×base… seconds, up to
        # WEBHOOK_MAX_ATTEMPTS tries in all (defaults: 8 tries over about two hours), then marked failed.
        "WEBHOOK_TIMEOUT_SECONDS": float(env.get("WEBHOOK_TIMEOUT_SECONDS", "10")),
        "WEBHOOK_RETRY_BASE_SECONDS": float(env.get("WEBHOOK_RETRY_BASE_SECONDS", "60")),
        "WEBHOOK_MAX_ATTEMPTS": int(env.get("WEBHOOK_MAX_ATTEMPTS", "8")),
        # Webhooks go to public addresses only (webhooks/destinations.py); these hosts, named as in the address
        # (e.g. `decidim.mairie.local 10.1.2.3`), may be internal, for a platform on the town's own network.
        "WEBHOOK_ALLOWED_INTERNAL_HOSTS": _allowed_internal_hosts(env),
    }
