"""Configuration classes for GridAcademy.

Every setting can be overridden by an environment variable of the same name (see ``_env``), so a
deployment never edits this file. ``create_app`` picks a class by name ("development", "testing",
"production") or takes a class/object, then applies keyword overrides.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default, cast=str):
    """Read ``name`` from the environment, cast it, or return ``default``."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return cast(raw)


#: The example xAPI base: fine for development and tests, refused in production.
XAPI_EXAMPLE_BASE = "https://gridacademy.example/xapi"


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = _env("SECRET_KEY", None)
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'gridacademy.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: Where course folders and the competency model live.
    CONTENT_DIR = _env("CONTENT_DIR", str(BASE_DIR / "courses"))
    #: Where question banks (``*.yaml``) and quiz definitions (``quizzes/*.yaml``) live.
    QUESTIONS_DIR = _env("QUESTIONS_DIR", str(BASE_DIR / "questions"))
    #: Where branching drills live.
    SCENARIOS_DIR = _env("SCENARIOS_DIR", str(BASE_DIR / "scenarios"))
    #: Where the knowledge base lives (``faq/*.yaml``, ``cases/*.yaml``; format in app/kb/checker.py).
    KNOWLEDGE_DIR = _env("KNOWLEDGE_DIR", str(BASE_DIR / "knowledge"))
    #: The assistant answers when its confidence (0-1) reaches this; below, it offers to ask a person.
    KB_CONFIDENCE_THRESHOLD = _env("KB_CONFIDENCE_THRESHOLD", 0.70, float)
    #: Optional LLM (an OpenAI-compatible chat completions API, e.g. DeepSeek) that phrases the assistant's
    #: answer from the retrieved entries only; empty base URL or model: no LLM, the entry is shown as it is.
    KB_LLM_BASE_URL = _env("KB_LLM_BASE_URL", "")
    KB_LLM_API_KEY = _env("KB_LLM_API_KEY", "")
    KB_LLM_MODEL = _env("KB_LLM_MODEL", "")
    KB_LLM_TIMEOUT = _env("KB_LLM_TIMEOUT", 15.0, float)
    #: zh_CN is the default UI language. Babel parses it as zh_Hans_CN, so its catalog lives in
    #: app/translations/zh_Hans_CN/.
    BABEL_DEFAULT_LOCALE = _env("BABEL_DEFAULT_LOCALE", "zh_CN")
    BABEL_DEFAULT_TIMEZONE = _env("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh_CN", "en")
    #: Credit hours that count as one training day (学时/天).
    TRAINING_HOURS_PER_DAY = _env("TRAINING_HOURS_PER_DAY", 6.0, float)
    #: Onboarding must last at least one week of training days (seed 2.1: 不少于一周).
    ONBOARDING_REQUIRED_DAYS = _env("ONBOARDING_REQUIRED_DAYS", 5.0, float)
    #: Annual rotation: at least 5 days a year (seed 2.1: 每年不少于5天).
    ANNUAL_REQUIRED_DAYS = _env("ANNUAL_REQUIRED_DAYS", 5.0, float)
    #: Evidence loses half its weight in this many days (competency scoring, see README).
    EVIDENCE_HALF_LIFE_DAYS = _env("EVIDENCE_HALF_LIFE_DAYS", 180.0, float)
    #: Workers hired within this many months count as new (they need a mentor).
    NEW_WORKER_MONTHS = _env("NEW_WORKER_MONTHS", 12, int)
    #: xAPI: the stable https address our activity IRIs live under, also the homePage of actor
    #: accounts. Production refuses the example default: set it once, before the first push.
    XAPI_BASE = _env("XAPI_BASE", XAPI_EXAMPLE_BASE)
    #: The secret behind actors' opaque ids (HMAC of the user id); empty: the SECRET_KEY. Keep it for
    #: good: a new key makes every person a new actor in the LRS.
    XAPI_ACTOR_KEY = _env("XAPI_ACTOR_KEY", "")
    #: Statements carry people's names and free-text notes (a mentor's note) only when this is true.
    XAPI_SEND_PERSONAL_DATA = _env("XAPI_SEND_PERSONAL_DATA", False, bool)
    #: Optional external Learning Record Store (``flask xapi push``); empty: none configured.
    XAPI_LRS_ENDPOINT = _env("XAPI_LRS_ENDPOINT", "")
    XAPI_LRS_USERNAME = _env("XAPI_LRS_USERNAME", "")
    XAPI_LRS_PASSWORD = _env("XAPI_LRS_PASSWORD", "")
    #: Tries of a statement while the LRS is down (5xx, 429, no answer), 1, 2, 4 ... minutes apart
    #: (at most an hour); then it waits as failed until the LRS answers again.
    XAPI_LRS_MAX_TRIES = _env("XAPI_LRS_MAX_TRIES", 8, int)
    #: How many times a statement failed by an outage is tried again by itself once the LRS answers.
    XAPI_LRS_MAX_REVIVALS = _env("XAPI_LRS_MAX_REVIVALS", 3, int)
    #: A mentorship's planned term, in months (seed 2.2: 3-6 个月).
    MENTORSHIP_MIN_MONTHS = _env("MENTORSHIP_MIN_MONTHS", 3, int)
    MENTORSHIP_MAX_MONTHS = _env("MENTORSHIP_MAX_MONTHS", 6, int)
    #: Joint household visits a month (seed 2.2: 每月至少2次).
    VISITS_PER_MONTH = _env("VISITS_PER_MONTH", 2, int)
    #: Reading speed behind a lesson's minimum reading time, in 汉字 a minute (hours are credited only
    #: after the lesson was open that long and its lesson check was passed).
    READING_CHARS_PER_MINUTE = _env("READING_CHARS_PER_MINUTE", 300.0, float)
    #: The least reading time of any lesson, in seconds.
    READING_MIN_SECONDS = _env("READING_MIN_SECONDS", 60, int)
    #: A competition's single award needs at least this score on at least half its indicators.
    AWARD_MIN_SCORE = _env("AWARD_MIN_SCORE", 60.0, float)
    #: Werkzeug password hash method; tests use a cheaper one.
    PASSWORD_HASH_METHOD = _env("PASSWORD_HASH_METHOD", "scrypt")
    #: Largest accepted request (any upload), in bytes; each kind of upload has its own smaller limit.
    MAX_CONTENT_LENGTH = _env("MAX_CONTENT_LENGTH", 5 * 1024 * 1024, int)
    #: Roster files (import and competition enrolment, app/uploads.py): bytes, rows, columns.
    ROSTER_UPLOAD_MAX_BYTES = _env("ROSTER_UPLOAD_MAX_BYTES", 2 * 1024 * 1024, int)
    ROSTER_UPLOAD_MAX_ROWS = _env("ROSTER_UPLOAD_MAX_ROWS", 10_000, int)
    ROSTER_UPLOAD_MAX_COLUMNS = _env("ROSTER_UPLOAD_MAX_COLUMNS", 30, int)
    #: An uploaded .xlsx may unpack to at most this many bytes (all zip members).
    XLSX_MAX_UNCOMPRESSED = _env("XLSX_MAX_UNCOMPRESSED", 20 * 1024 * 1024, int)
    #: Who runs background jobs (app/jobs/runner.py): "worker" (`flask jobs work` processes),
    #: "thread" (a thread of the web process: development) or "sync" (at once, in the request: tests).
    JOBS_MODE = _env("JOBS_MODE", "worker")
    #: A running job whose worker showed no progress for this long is taken over by another worker.
    JOBS_STALE_SECONDS = _env("JOBS_STALE_SECONDS", 120.0, float)
    #: An idle worker looks for new jobs this often.
    JOBS_POLL_SECONDS = _env("JOBS_POLL_SECONDS", 2.0, float)
    #: A job claimed this many times without finishing is given up (failed).
    JOBS_MAX_ATTEMPTS = _env("JOBS_MAX_ATTEMPTS", 3, int)
    #: Demo accounts may only be created when this is true (never in production).
    ALLOW_DEMO_ACCOUNTS = False
    SESSION_COOKIE_HTTPONLY = True
    #: A login lasts at most this many hours, however active (then log in again).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env("SESSION_LIFETIME_HOURS", 12.0, float))
    #: A session with no request for this many minutes ends.
    SESSION_IDLE_MINUTES = _env("SESSION_IDLE_MINUTES", 120.0, float)
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none; 1: one nginx).
    #: The login throttle's per-address limit needs the real client address (``app/proxy.py``).
    TRUSTED_PROXIES = _env("TRUSTED_PROXIES", "0")
    WTF_CSRF_TIME_LIMIT = None
    PAGE_SIZE = _env("PAGE_SIZE", 50, int)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = _env("FLASK_DEBUG", False, bool)
    # A development-only key: production refuses to start without a real one.
    SECRET_KEY = _env("SECRET_KEY", "dev-only-not-secret")
    ALLOW_DEMO_ACCOUNTS = True
    #: `make run` needs no second process: jobs run in a thread of the web process.
    JOBS_MODE = _env("JOBS_MODE", "thread")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only"  # noqa: S105 (tests only; production refuses weak keys)
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (a hash method name; fast hashing in tests)
    JOBS_MODE = "sync"
    ALLOW_DEMO_ACCOUNTS = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    #: Never from FLASK_DEBUG: the Werkzeug debugger runs any code a visitor sends (create_app refuses
    #: production with FLASK_DEBUG set or DEBUG overridden).
    DEBUG = False
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", True, bool)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

#: Secret keys that must never reach production (compared in lower case).
WEAK_SECRET_KEYS = {None, "", "dev-only-not-secret", "testing-only", "changeme", "change-me", "secret",
                    "secret-key", "secretkey", "your-secret-key", "my-secret-key", "super-secret-key",
                    "supersecretkey", "password", "flask-secret-key", "gridacademy", "default"}
#: A production SECRET_KEY needs at least this many characters, this many different ones, and this
#: much entropy (bits, from the frequencies of its characters) - so 16 × "a" or "abab…" are refused.
SECRET_KEY_MIN_LENGTH = 16
SECRET_KEY_MIN_DISTINCT = 10
SECRET_KEY_MIN_BITS = 64


def secret_key_problem(key) -> str | None:
    """Why ``key`` is not fit for production (one line), or None. Suggests how to make a good one."""
    advice = ("set SECRET_KEY to a random string, e.g. the output of: "
              "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if not key:
        return f"production needs a SECRET_KEY: {advice}"
    key = str(key)
    if key.lower() in WEAK_SECRET_KEYS:
        return f"the SECRET_KEY is a well-known example or development value: {advice}"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"the SECRET_KEY is shorter than {SECRET_KEY_MIN_LENGTH} characters: {advice}"
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if len(counts) < SECRET_KEY_MIN_DISTINCT or bits < SECRET_KEY_MIN_BITS:
        return f"the SECRET_KEY is too predictable (too few different characters): {advice}"
    return None


#: Hosts that name no real site (RFC 2606 and RFC 6761 names): an xAPI base there is an example.
_EXAMPLE_HOSTS = ("example", "example.com", "example.net", "example.org", "localhost", "invalid", "test")


def xapi_base_problem(base) -> str | None:
    """Why ``base`` cannot be production's XAPI_BASE (one line), or None."""
    advice = ("set XAPI_BASE to the stable https address your xAPI activities and learner accounts live "
              "under, e.g. https://training.your-city.gov.cn/xapi (set it once: it names every activity)")
    if not base:
        return f"production needs XAPI_BASE: {advice}"
    if str(base).rstrip("/") == XAPI_EXAMPLE_BASE:
        return f"XAPI_BASE is the example default {XAPI_EXAMPLE_BASE}: {advice}"
    parts = urlsplit(str(base))
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"XAPI_BASE {base!r} is not an http(s) address: {advice}"
    if any(host == name or host.endswith("." + name) for name in _EXAMPLE_HOSTS):
        return f"XAPI_BASE {base!r} names an example host, not a real site: {advice}"
    return None
