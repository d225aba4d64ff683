"""Migrations: upgrade builds exactly the models' schema; downgrade removes it; upgrade again works."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db




def test_upgrade_matches_models_then_downgrade_and_upgrade_again(empty_database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "lesson_progress" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_a_batch_migration_on_sqlite_keeps_the_rows_that_refer_to_its_table(tmp_path):
    """Alembic's batch mode rebuilds a SQLite table (copy, DROP, rename). With foreign keys on, the DROP
    deleted the table's rows first and ON DELETE CASCADE emptied every table referring to it: going
    down past 0012 (a column of ``user``) and up again wiped everyone's evidence and progress."""
    from sqlalchemy import text

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'batch.db'}")
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO area (id, name, level, path, created_at) "
                              "VALUES (1, 'A', 'street', '/1/', '2026-01-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO user (id, username, name, password_hash, must_change_password, active, area_id, "
                "created_at) VALUES (7, 'w', 'W', 'x', 0, 1, 1, '2026-01-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO evidence_record (user_id, indicator, score, weight, source_kind, source_ref, "
                "content_version, created_at) "
                "VALUES (7, 'comm.listening', 80, 1, 'quiz', 'q1', '', '2026-01-01 00:00:00')"))
        downgrade(revision="0011")
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM evidence_record WHERE user_id = 7")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # back on for the app's use
        db.session.remove()
        db.engine.dispose()
