"""Login, logout, forced password change, safe redirects, CSRF."""
import pytest

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD, csrf_from


def test_login_and_logout(client, people, login):
    page = login("worker").get_data(as_text=True)
    assert "张晓梅" in page and "退出登录" in page
    token = csrf_from(client, "/")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "登录网格学院" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_by_worker_number(client, people, login):
    assert "张晓梅" in login("CQ001").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, people, login):
    page = login("worker", "wrong-pass1").get_data(as_text=True)
    assert "登录名或密码错误" in page
    assert client.get("/").status_code == 302


def test_missing_field_is_named(client, people):
    page = client.post("/login", data={"username": "worker", "password": "",
                                       "csrf_token": csrf_from(client, "/login")}).get_data(as_text=True)
    assert "请输入密码" in page
    assert 'value="worker"' in page  # what was typed is kept


def test_login_without_csrf_token_is_refused(client, people):
    response = client.post("/login", data={"username": "worker", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_disabled_account_cannot_log_in(client, people, login):
    people["worker"].active = False
    db.session.commit()
    assert "账号已停用" in login("worker").get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/courses", "/courses"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirect_stays_on_site(client, people, target, expected):
    token = csrf_from(client, "/login")
    response = client.post("/login", data={"username": "worker", "password": PASSWORD, "next": target,
                                           "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_new_account_must_change_password_first(client, areas, make_user, login):
    make_user("newbie", ("worker",), areas["grid1"], must_change=True)
    response = login("newbie", follow_redirects=False)
    assert response.headers["Location"] == "/password"
    assert client.get("/courses").headers["Location"] == "/password"
    token = csrf_from(client, "/password")
    page = client.post("/password", data={"current": PASSWORD, "new": "short", "confirm": "short",
                                          "csrf_token": token}).get_data(as_text=True)
    assert "至少需要10个字符" in page
    assert db.session.get(User, 2 if False else db.session.query(User).filter_by(username="newbie").one().id
                          ).must_change_password
    page = client.post("/password", data={"current": PASSWORD, "new": "Grid2026ok", "confirm": "Grid2026ok",
                                          "csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "密码已修改" in page
    assert client.get("/courses").status_code == 200
    user = db.session.query(User).filter_by(username="newbie").one()
    db.session.refresh(user)
    assert not user.must_change_password and user.password_hash != PASSWORD


def test_change_password_wrong_current_is_named(client, people, login):
    login("worker")
    token = csrf_from(client, "/password")
    page = client.post("/password", data={"current": "nope", "new": "Grid2026ok", "confirm": "Grid2026ok",
                                          "csrf_token": token}).get_data(as_text=True)
    assert "当前密码" in page and "不正确" in page
