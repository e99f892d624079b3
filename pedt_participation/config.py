"""Settings: the embedded default needs no server; production overrides come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

INSECURE_DEFAULT_SECRET_KEY = "dev-insecure-secret-key"


def _instance_secret_key(instance_path: Path) -> str | None:
    """`make run` writes a random key here once, so a demo machine needs no environment at all."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip() or None
    return None


def build_config(instance_path: str) -> dict:
    instance = Path(instance_path)
    env = os.environ
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret_key(instance) or INSECURE_DEFAULT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or f"sqlite:///{instance / 'pedt.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CELERY": {
            "broker_url": env.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{instance / 'celery-broker.sqlite3'}",
            "result_backend": env.get("CELERY_RESULT_BACKEND")
            or f"db+sqlite:///{instance / 'celery-results.sqlite3'}",
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "timezone": "Europe/Paris",
            "beat_schedule": {
                "close-ended-consultations": {
                    "task": "pedt.consultations.close_ended",
                    "schedule": 60.0,
                },
                # Weekly snapshots and the one at closing; queued once each, however often this runs.
                "queue-scheduled-summaries": {
                    "task": "pedt.committee.queue_scheduled_summaries",
                    "schedule": 300.0,
                },
            },
        },
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "").lower() in {"1", "true", "yes"},
        # E-mail is sent only when MAIL_SERVER is set; otherwise notifications stay in the app.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_STARTTLS": env.get("MAIL_USE_STARTTLS", "").lower() in {"1", "true", "yes"},
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Consultation éducative <ne-pas-repondre@localhost>"),
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Sign-in through the host platform (OAuth2 authorization code + PKCE), on when a client id is
        # set. Decidim's paths are the default: /oauth/authorize, /oauth/token, /oauth/me.
        "PLATFORM_NAME": env.get("PLATFORM_NAME", "la plateforme de la ville"),
        "PLATFORM_URL": env.get("PLATFORM_URL", "").rstrip("/"),
        "PLATFORM_OAUTH_CLIENT_ID": env.get("PLATFORM_OAUTH_CLIENT_ID", ""),
        "PLATFORM_OAUTH_CLIENT_SECRET": env.get("PLATFORM_OAUTH_CLIENT_SECRET", ""),
        "PLATFORM_OAUTH_SCOPES": env.get("PLATFORM_OAUTH_SCOPES", "public"),
        "PLATFORM_OAUTH_AUTHORIZE_URL": env.get("PLATFORM_OAUTH_AUTHORIZE_URL", ""),
        "PLATFORM_OAUTH_TOKEN_URL": env.get("PLATFORM_OAUTH_TOKEN_URL", ""),
        "PLATFORM_OAUTH_PROFILE_URL": env.get("PLATFORM_OAUTH_PROFILE_URL", ""),
        "API_PAGE_SIZE": 20,
        "API_MAX_PAGE_SIZE": 100,
    }
