"""Flask extensions, created once and bound to an app in ``create_app`` with ``init_app``."""
import sqlite3
from functools import cached_property

import flask_babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: Stable constraint names, so migrations name the same things on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RequestTranslationsDomain(flask_babel.Domain):
    """Flask-Babel's message domain, with the translations looked up once per app context (request).

    Flask-Babel 4 keeps the loaded catalogues in a process-wide cache but resolves the locale and
    that cache on every ``gettext`` (dozens per page). This keeps the result on the context, in the
    attribute Flask-Babel's own ``refresh()`` and ``force_locale()`` reset and restore, so a locale
    switched within a request still takes effect."""

    def get_translations(self):
        ctx = flask_babel._get_current_context()
        if ctx is None:
            return super().get_translations()
        cached = getattr(ctx, "babel_translations", None)
        if cached is None:
            cached = ctx.babel_translations = super().get_translations()
        return cached


class Babel(flask_babel.Babel):
    """Flask-Babel with ``RequestTranslationsDomain`` as its default domain."""

    @cached_property
    def domain_instance(self):
        return RequestTranslationsDomain(domain=self.domain)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


#: Milliseconds a SQLite connection waits for another writer's lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000


def configure_sqlite_connection(dbapi_connection, _record) -> None:
    """Every new SQLite connection (a ``connect`` event of the engine):

    - ``foreign_keys=ON``: SQLite ignores foreign keys unless asked; PostgreSQL always enforces them.
    - ``journal_mode=WAL``: readers never wait for the writer and a commit appends to the log instead
      of rewriting pages (kept in the database file; an in-memory database stays in memory mode).
    - ``synchronous=NORMAL``: in WAL mode a commit is not synced to disk; the log is synced at each
      checkpoint. The database can never be corrupted by it, but a power loss or OS crash (not an
      app crash) can lose the last commits before the checkpoint (README, "Performance").
    - ``busy_timeout``: a writer waits up to ``SQLITE_BUSY_TIMEOUT_MS`` for another's lock.

    PostgreSQL connections are left alone.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def begin_before_savepoint(conn, _name) -> None:
    """A ``savepoint`` event of the engine: on SQLite, open the transaction first when none is open.

    Python's sqlite3 (3.11, legacy transaction control) begins a transaction only before INSERT,
    UPDATE or DELETE, so a SAVEPOINT issued after nothing but reads runs outside any transaction:
    SQLite then treats it as BEGIN, and RELEASE commits it, so what the savepoint wrote survives a
    later rollback of the request's transaction. ``BEGIN IMMEDIATE`` takes the write lock at once
    (waiting up to the busy timeout), as the write inside the savepoint would. PostgreSQL is left alone.
    """
    raw = conn.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")
