"""Sessions that end (issue 13 item 2): logout, a password change, an organizer's reset and
deactivation end every session of the person; a login has a lifetime and an idle timeout."""
import time

from app.auth.sessions import LOGIN_AT, SEEN_AT
from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD, csrf_from


def logged_in(app, username, password=PASSWORD):
    visitor = app.test_client()
    response = visitor.post("/login", data={"username": username, "password": password,
                                            "csrf_token": csrf_from(visitor, "/login")})
    assert response.status_code == 302 and not response.headers["Location"].startswith("/login")
    return visitor


def opens(visitor, path) -> bool:
    response = visitor.get(path)
    return response.status_code == 200


def cookie_of(visitor) -> str:
    return visitor.get_cookie("session").value


def test_cookie_copied_before_logout_no_longer_opens_the_profile(app, client, people):
    worker = logged_in(app, "worker")
    path = f"/profile/{people['worker'].id}"
    assert opens(worker, path)
    copied = cookie_of(worker)
    worker.post("/logout", data={"csrf_token": csrf_from(worker, "/")})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_ends_the_other_sessions_too(app, client, people):
    phone, desk = logged_in(app, "worker"), logged_in(app, "worker")
    phone.post("/logout", data={"csrf_token": csrf_from(phone, "/")})
    assert desk.get("/courses").status_code == 302


def test_password_change_ends_the_other_sessions_but_not_this_one(app, client, people):
    phone, desk = logged_in(app, "worker"), logged_in(app, "worker")
    response = desk.post("/password", data={"current": PASSWORD, "new": "Grid2026ok", "confirm": "Grid2026ok",
                                            "csrf_token": csrf_from(desk, "/password")})
    assert response.status_code == 302
    assert desk.get("/courses").status_code == 200
    response = phone.get("/courses")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "登录已失效" in phone.get("/login").get_data(as_text=True)


def test_organizer_reset_ends_the_workers_sessions(app, client, people):
    worker, organizer = logged_in(app, "worker"), logged_in(app, "organizer")
    assert worker.get("/courses").status_code == 200
    url = f"/manage/users/{people['worker'].id}"
    organizer.post(url + "/reset-password", data={"csrf_token": csrf_from(organizer, url)})
    assert worker.get("/courses").status_code == 302
    assert organizer.get("/courses").status_code == 200


def test_deactivation_ends_the_sessions(app, client, people):
    worker = logged_in(app, "worker")
    user = db.session.get(User, people["worker"].id)
    from app.accounts.service import update_account
    update_account(people["organizer"], user, name=user.name, area=user.area, roles=user.roles, phone=None,
                   hire_date=None, active=False, worker_number=user.worker_number)
    db.session.commit()
    assert user.session_version == 1
    assert worker.get("/courses").status_code == 302


def test_idle_session_ends(app, client, people, login):
    login("worker")
    assert client.get("/courses").status_code == 200
    idle = app.config["SESSION_IDLE_MINUTES"]
    with client.session_transaction() as session:
        session[SEEN_AT] = int(time.time() - idle * 60 + 120)  # two minutes short of the timeout
    assert client.get("/courses").status_code == 200  # and the request counts as activity
    with client.session_transaction() as session:
        assert session[SEEN_AT] >= int(time.time()) - 5
        session[SEEN_AT] = int(time.time() - idle * 60 - 60)
    response = client.get("/courses")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/courses").status_code == 302


def test_session_lifetime_ends_an_active_login(app, client, people, login):
    login("worker")
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    with client.session_transaction() as session:
        session[LOGIN_AT] = int(time.time() - lifetime - 60)
    assert client.get("/courses").status_code == 302


def test_session_settings_have_defaults(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 120
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
