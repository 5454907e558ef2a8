"""Configuration classes, read from the environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{INSTANCE_DIR / 'commonground.sqlite'}"


def _redis_url() -> str:
    """The Redis that several app servers share (cache and rate limits); empty: none."""
    return os.environ.get("CACHE_REDIS_URL") or os.environ.get("REDIS_URL", "")


class Config:
    """Development defaults: embedded SQLite, a file cache in instance/, memory rate-limit storage; Redis if set."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    TRUST_SEALING_KEY = os.environ.get("TRUST_SEALING_KEY", "")  # empty: derived from SECRET_KEY
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_BYTES", str(2 * 1024 * 1024)))
    # The cache (webapp/cache.py): Redis when CACHE_REDIS_URL/REDIS_URL is set, else files shared by this host's workers
    CACHE_REDIS_URL = _redis_url()
    CACHE_TYPE = "RedisCache" if CACHE_REDIS_URL else "FileSystemCache"
    CACHE_DIR = os.environ.get("CACHE_DIR", str(INSTANCE_DIR / "cache"))
    CACHE_THRESHOLD = 20_000  # files before the file cache prunes
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "600"))
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "cg:")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or CACHE_REDIS_URL or "memory://"
    RATELIMIT_KEY_PREFIX = CACHE_KEY_PREFIX
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins only (successes are not counted): per client address, and per account
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 10 minutes")
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none)
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    HSTS_MAX_AGE = 0  # seconds of Strict-Transport-Security; production sends it
    PASSWORD_LINK_DAYS = int(os.environ.get("PASSWORD_LINK_DAYS", "7"))  # how long an invitation or reset link works
    FORGOT_PASSWORD_RATE_LIMIT = os.environ.get(
        "FORGOT_PASSWORD_RATE_LIMIT", "5 per hour"
    )  # per address and per e-mail
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_COOKIE_DAYS", "14")))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # The organisation's locale (dates, numbers, money as its people read them), time zone and currency
    ORG_LOCALE = os.environ.get("ORG_LOCALE", "en_GB")
    ORG_TIMEZONE = os.environ.get("ORG_TIMEZONE", "UTC")
    ORG_CURRENCY = os.environ.get("ORG_CURRENCY", "EUR")
    DIRECTORY_PAGE_SIZE = 25
    NOTIFICATION_POLL_SECONDS = 15
    # Optional e-mail for notifications (off unless MAIL_SERVER is set)
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Common Ground <no-reply@localhost>")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")  # for links in e-mails
    # Optional chat webhook (incoming-webhook URL) that receives published joint wins
    WIN_WEBHOOK_URL = os.environ.get("WIN_WEBHOOK_URL", "")
    # The outbox worker (`flask --app webapp worker`) that delivers e-mail and webhook posts
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "5"))
    OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "100"))  # messages per pass (one SMTP connection)
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))  # then the message is marked failed
    OUTBOX_RETRY_SECONDS = float(os.environ.get("OUTBOX_RETRY_SECONDS", "60"))  # first backoff, doubling


class ProductionConfig(Config):
    """Production: secure cookies, and a real secret key is mandatory."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))


class TestConfig(Config):
    """Tests: a throwaway database given by the fixture, CSRF checked in its own tests."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "1000 per minute"  # the rate-limit tests lower them
    LOGIN_ACCOUNT_RATE_LIMIT = "1000 per minute"
    FORGOT_PASSWORD_RATE_LIMIT = "1000 per minute"  # the rate-limit test lowers it
    CACHE_TYPE = "SimpleCache"  # one per app (tests/conftest.py gives the suite's apps one file cache)
    RATELIMIT_STORAGE_URI = "memory://"
    SQLALCHEMY_DATABASE_URI = "sqlite://"


CONFIGS = {"development": Config, "production": ProductionConfig, "test": TestConfig}


def config_from_environment() -> type[Config]:
    """Pick the config class named by COMMONGROUND_ENV (default: development)."""
    name = os.environ.get("COMMONGROUND_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"COMMONGROUND_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
