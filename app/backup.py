"""``flask backup create|restore``: a consistent copy of the configured database while the app runs.

SQLite goes through the online backup API (``sqlite3.Connection.backup``), which copies a consistent
snapshot page by page while other connections keep reading and writing; restore runs the same API in
reverse, into the live file, after this process's pooled connections are closed. PostgreSQL goes
through ``pg_dump --format=custom`` (one snapshot, a single transaction) and ``pg_restore --clean
--if-exists --no-owner``, using the host, port, user and database of the connection URL (its password,
if any, through ``PGPASSWORD``). Restore asks for ``--yes``, and in production also for
``--yes-production``.
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from .extensions import db

backup_cli = click.Group("backup", help="Back up and restore the configured database.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        _fail("backup: an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _release_connections() -> None:
    """Close this process's session and pooled connections (restore writes under them)."""
    db.session.remove()
    db.engine.dispose()


def find_pg_tool(name: str) -> str | None:
    """``name`` (pg_dump, pg_restore) from PATH, else the newest /usr/lib/postgresql/<v>/bin."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parts[-3].split(".")])
    on_path = shutil.which(name)
    # Debian's /usr/bin/pg_dump is a wrapper that may refuse without a local cluster: prefer the real
    # binary of the newest installed version (a newer pg_dump reads older servers, not the reverse).
    if candidates and (on_path is None or os.path.realpath(on_path).endswith("pg_wrapper")):
        return candidates[-1]
    return on_path or (candidates[-1] if candidates else None)


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    args += ["--dbname", url.database or ""]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _run_pg(tool: str, args: list[str], env: dict[str, str]) -> None:
    binary = find_pg_tool(tool)
    if binary is None:
        _fail(f"backup: {tool} not found on PATH or under /usr/lib/postgresql/*/bin (install postgresql-client)")
    # pg_dump/pg_restore by absolute path (find_pg_tool), an argument list and no shell: nothing is interpreted
    result = subprocess.run([binary, *args], check=False, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        _fail(f"backup: {tool} failed (exit {result.returncode}): {detail[-1] if detail else ''}")


def default_backup_path(dialect: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if dialect == "sqlite" else "dump"
    return Path(current_app.instance_path) / "backups" / f"gridacademy-{stamp}.{suffix}"


def create_backup(out: Path | None = None) -> Path:
    """Write a backup of the configured database to ``out`` (default: instance/backups/…); return it."""
    url = _url()
    dialect = url.get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        _fail(f"backup: unsupported database {dialect}")
    out = Path(out) if out else default_backup_path(dialect)
    if out.is_dir():
        out = out / default_backup_path(dialect).name
    out.parent.mkdir(parents=True, exist_ok=True)
    if dialect == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            _fail(f"backup: database file {source_path} does not exist")
        _sqlite_copy(sqlite3.connect(source_path), sqlite3.connect(out))
    else:
        args, env = _pg_args(url)
        _run_pg("pg_dump", ["--format=custom", "--file", str(out), *args], env)
    return out


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Copy ``source`` into ``target`` with SQLite's online backup API, then close both."""
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def restore_backup(path: Path) -> None:
    """Replace the configured database's content with the backup at ``path``."""
    url = _url()
    dialect = url.get_backend_name()
    path = Path(path)
    if not path.is_file():
        _fail(f"backup: {path} is not a file")
    _release_connections()
    if dialect == "sqlite":
        target_path = _sqlite_path(url)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.execute("PRAGMA schema_version").fetchone()  # not an SQLite file → DatabaseError
        except sqlite3.DatabaseError as exc:
            source.close()
            _fail(f"backup: {path} is not an SQLite backup ({exc})")
        _sqlite_copy(source, sqlite3.connect(target_path))
    elif dialect == "postgresql":
        args, env = _pg_args(url)
        _run_pg("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                               "--exit-on-error", *args, str(path)], env)
    else:
        _fail(f"backup: unsupported database {dialect}")


def _where(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@backup_cli.command("create")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="File to write (default: instance/backups/gridacademy-<UTC time>.sqlite3|.dump).")
@with_appcontext
def backup_create(out):
    """Write a consistent backup of the configured database while the app runs."""
    written = create_backup(out)
    click.echo(f"backup of {_where(_url())} written to {written} ({written.stat().st_size} bytes)")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the database's current content is replaced.")
@click.option("--yes-production", is_flag=True, help="Also required in production.")
@with_appcontext
def backup_restore(path, yes, yes_production):
    """Restore a backup made by ``flask backup create`` into the configured database."""
    if not yes:
        _fail("restore replaces the database's current content; refused without --yes")
    if current_app.config.get("ENV_NAME") == "production" and not yes_production:
        _fail("restore into the production database refused without --yes-production")
    restore_backup(path)
    click.echo(f"restored {path} into {_where(_url())}")
