"""flask backup create|restore, end to end on the session's database kind (SQLite or PostgreSQL).

Each test works on a scratch database (``empty_database_url``) and a fresh app bound to it, built by
the real migrations, so the session database is untouched.
"""
import re
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import EvidenceRecord, User
from app.security import hash_password


@pytest.fixture
def scratch_app(empty_database_url, tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _add_data():
    user = User(username="backup_worker", name="张晓梅", password_hash=hash_password("pass1234"), active=True)
    user.set_roles({"worker"})
    db.session.add(user)
    db.session.flush()
    db.session.add(EvidenceRecord(user_id=user.id, indicator="handling.emergency", score=87.5, weight=2.0,
                                  source_kind="drill", source_ref="drill:gas-leak:arrive:ventilate"))
    db.session.commit()


def test_backup_then_restore_brings_back_changed_and_deleted_data(scratch_app):
    runner = scratch_app.test_cli_runner()
    _add_data()

    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    backups = list((Path(scratch_app.instance_path) / "backups").iterdir())
    assert len(backups) == 1
    dialect = db.engine.dialect.name
    suffix = "sqlite3" if dialect == "sqlite" else "dump"
    assert re.fullmatch(rf"gridacademy-\d{{8}}T\d{{6}}Z\.{suffix}", backups[0].name)
    assert str(backups[0]) in result.output and result.output.count("\n") == 1

    # Change and delete after the backup.
    user = db.session.scalar(select(User).where(User.username == "backup_worker"))
    user.name = "改过的名字"
    db.session.execute(EvidenceRecord.__table__.delete())
    later = User(username="after_backup", name="后来的人", password_hash=hash_password("pass1234"), active=True)
    db.session.add(later)
    db.session.commit()
    assert db.session.scalar(select(EvidenceRecord)) is None

    refused = runner.invoke(args=["backup", "restore", str(backups[0])])
    assert refused.exit_code == 1 and "--yes" in refused.output

    result = runner.invoke(args=["backup", "restore", str(backups[0]), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"restored {backups[0]}" in result.output and result.output.count("\n") == 1

    db.session.remove()
    user = db.session.scalar(select(User).where(User.username == "backup_worker"))
    assert user is not None and user.name == "张晓梅"
    assert db.session.scalar(select(User).where(User.username == "after_backup")) is None
    evidence = db.session.scalars(select(EvidenceRecord)).all()
    assert [(e.user_id, e.indicator, e.score, e.source_ref) for e in evidence] == \
        [(user.id, "handling.emergency", 87.5, "drill:gas-leak:arrive:ventilate")]

    # The restored database still takes writes (sequences / schema intact).
    db.session.add(User(username="after_restore", name="恢复后", password_hash="x", active=True))
    db.session.commit()


def test_backup_to_chosen_file_and_production_restore_needs_second_flag(scratch_app, tmp_path):
    runner = scratch_app.test_cli_runner()
    _add_data()
    out = tmp_path / "chosen" / "copy.bak"
    result = runner.invoke(args=["backup", "create", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 0

    scratch_app.config["ENV_NAME"] = "production"
    try:
        refused = runner.invoke(args=["backup", "restore", str(out), "--yes"])
        assert refused.exit_code == 1 and "--yes-production" in refused.output
        result = runner.invoke(args=["backup", "restore", str(out), "--yes", "--yes-production"])
        assert result.exit_code == 0, result.output
    finally:
        scratch_app.config["ENV_NAME"] = "testing"
    assert db.session.scalar(select(User.name).where(User.username == "backup_worker")) == "张晓梅"


def test_restore_of_a_missing_file_is_one_line(scratch_app, tmp_path):
    result = scratch_app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "nope"), "--yes"])
    assert result.exit_code == 1
    assert result.output.strip() == f"backup: {tmp_path / 'nope'} is not a file"


def test_missing_pg_tool_is_one_clear_line(monkeypatch, capsys):
    from app import backup

    monkeypatch.setattr(backup, "find_pg_tool", lambda name: None)
    with pytest.raises(SystemExit) as exited:
        backup._run_pg("pg_dump", ["--dbname", "x"], {})
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pg_dump not found on PATH or under /usr/lib/postgresql/*/bin" in err
