"""Shared fixtures: one app per session on a database built by the real migrations.

The database is SQLite in a temporary file, or PostgreSQL when ``TEST_DATABASE_URL`` is set
(``scripts/with-postgres.sh`` does that). Fixtures: ``app``, ``client``, ``runner``, ``content``
(the shipped courses synced), ``areas`` (a small tree), ``make_user`` (a factory), ``login`` and
``people`` (one account per role).

The database is used only where a test asks for it: a test whose fixtures include ``app`` (directly
or through ``client``, ``runner``, ``content``, ``areas``, ``make_user``, ``login``, ``people``,
``live_server`` …) runs inside an app context and leaves every table empty afterwards (TRUNCATE on
PostgreSQL); such tests, and any that use ``database_url``, are marked ``db``, which is what the
PostgreSQL pass of ``scripts/run-tests.sh`` selects. Tests that ask for none of these (the pure
unit tests) get no app and no database, and run once, on no database at all. Flask, SQLAlchemy and
the app are imported inside the fixtures, so such a run never loads them on this file's account.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pass1234"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, CONTENT_DIR=str(ROOT / "courses"),
                     SCENARIOS_DIR=str(ROOT / "scenarios"), QUESTIONS_DIR=str(ROOT / "questions"))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections before the interpreter does


def _empty_tables() -> None:
    from sqlalchemy import text

    from app.extensions import db

    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        db.session.commit()
        return
    # SQLite: on one connection (through the session, the ON could land on another pooled connection
    # and leave this one without foreign keys for the next test); the pragma is honoured only outside
    # a transaction, hence the commits around it.
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        for table in tables:
            connection.execute(text(f'DELETE FROM "{table}"'))
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def pytest_collection_modifyitems(items):
    """Mark ``db`` every test that reaches the database (its fixtures include ``database_url``)."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def app_context(app):
    """The test runs inside an app context and leaves every table empty."""
    from app.extensions import db

    with app.app_context():
        yield
        db.session.rollback()
        db.session.close()
        _empty_tables()


@pytest.fixture(autouse=True)
def _database_when_used(request):
    """``app_context`` for every test that uses the app, set up before its other fixtures; nothing
    (no app, no database) for the others."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app_context")


@functools.cache
def _fresh_context_client_class():
    from flask.globals import _cv_app
    from flask.testing import FlaskClient

    from app.extensions import db

    class FreshContextClient(FlaskClient):
        """A test client whose every request gets its own app context, as under a real server.

        Tests run inside an app context (for factories and queries); without this, Flask would reuse
        that context for the client's requests, sharing ``g`` (CSRF tokens) and the database session
        between the test and the views and hiding missing commits.
        """

        def open(self, *args, **kwargs):
            token = _cv_app.set(None)
            try:
                return super().open(*args, **kwargs)
            finally:
                _cv_app.reset(token)
                if _cv_app.get(None) is not None:
                    db.session.expire_all()  # the test sees what the request committed

    return FreshContextClient


@pytest.fixture
def client(app):
    app.test_client_class = _fresh_context_client_class()
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def content_report(app):
    """The shipped content, read and checked once per session (the drill checker plays every state)."""
    from app.content.sync import check_content

    report = check_content(app.config["CONTENT_DIR"], app.config["SCENARIOS_DIR"], app.config["QUESTIONS_DIR"])
    assert not report.errors, report.errors
    return report


@pytest.fixture
def content(app, content_report):
    """The shipped courses and drills, synced into the database."""
    from app.content.sync import sync_content
    from app.extensions import db

    report = content_report
    sync_content(report, app.config["SCENARIOS_DIR"])
    db.session.commit()
    return report


@pytest.fixture
def areas(app_context):
    """A small tree: 江城市 / 滨江区 / {长青街道 / 幸福社区 / {第一网格, 第二网格}, 临湖街道 / 湖光社区 / 第一网格}."""
    from app.accounts.areas import create_area
    from app.extensions import db

    city = create_area("江城市", "city")
    district = create_area("滨江区", "district", city)
    changqing = create_area("长青街道", "street", district)
    xingfu = create_area("幸福社区", "community", changqing)
    grid1 = create_area("第一网格", "grid", xingfu)
    grid2 = create_area("第二网格", "grid", xingfu)
    linhu = create_area("临湖街道", "street", district)
    huguang = create_area("湖光社区", "community", linhu)
    lh_grid = create_area("第一网格", "grid", huguang)
    db.session.commit()
    return {"city": city, "district": district, "changqing": changqing, "xingfu": xingfu, "grid1": grid1,
            "grid2": grid2, "linhu": linhu, "huguang": huguang, "lh_grid": lh_grid}


@pytest.fixture
def make_user(app):
    """Factory: make_user("name", roles={"worker"}, area=..., must_change=False) → committed User."""
    from app.extensions import db
    from app.models import User
    from app.security import hash_password

    def make(username: str, roles=("worker",), area=None, must_change: bool = False, name: str | None = None,
             worker_number: str | None = None, password: str = PASSWORD) -> User:
        user = User(username=username, name=name or username, area=area, worker_number=worker_number,
                    password_hash=hash_password(password), must_change_password=must_change, active=True)
        user.set_roles(roles)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """login("worker") logs the test client in (CSRF is checked: the token is read from the form)."""

    def do(username: str, password: str = PASSWORD, follow_redirects: bool = True):
        return client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(client, "/login")},
                           follow_redirects=follow_redirects)

    return do


def csrf_from(client, url: str) -> str:
    """The CSRF token of the first form on ``url``."""
    import re

    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def people(areas, make_user):
    """One account per role: worker and mentor in 长青街道, organizer of 长青街道, admin of the city,
    plus a worker and an organizer in 临湖街道 (outside 长青街道)."""
    return {
        "worker": make_user("worker", ("worker",), areas["grid1"], worker_number="CQ001", name="张晓梅"),
        "mentor": make_user("mentor", ("mentor", "worker"), areas["grid2"], worker_number="CQ002", name="李建国"),
        "organizer": make_user("organizer", ("organizer",), areas["changqing"], name="王立新"),
        "admin": make_user("admin", ("admin", "organizer"), areas["city"], name="陈静"),
        "other_worker": make_user("linhu1", ("worker",), areas["lh_grid"], worker_number="LH001", name="周婷"),
        "other_organizer": make_user("linhu_org", ("organizer",), areas["linhu"], name="吴磊"),
    }


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served by werkzeug on a free local port, a thread per request (browser tests
    and tests that fire parallel requests); yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def empty_database_url(tmp_path, database_url):
    """A fresh, empty database of the session's kind (for migration tests); dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    import uuid

    from sqlalchemy import create_engine, text

    name = f"scratch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield database_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def per_request_removed(html: str) -> str:
    """A page without what changes on every request: CSRF tokens (they carry a timestamp) and the
    seconds a countdown shows, so two loads of the same page compare equal."""
    import re

    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"|(value=")[^"]*("[^>]*name="csrf_token")', r"\1\2\3", html)
    return re.sub(r'(data-[a-z-]*(?:seconds|deadline|left)[a-z-]*=")[^"]*"', r'\1"', html)
