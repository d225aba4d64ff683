"""Behind nginx (TRUSTED_PROXIES): the login throttle counts the real client's address, taken from the
X-Forwarded-For entry the trusted proxy added; with no proxy configured the header is ignored, so a
visitor cannot pick a fresh address for each guess."""
from __future__ import annotations

import pytest
from flask import request, url_for
from sqlalchemy import select

from app import ConfigError, create_app
from app.extensions import db
from app.models import LoginFailure
from tests.conftest import PASSWORD, csrf_from

NGINX = "127.0.0.1"


def wrong_login(client, forwarded_for: str, username: str = "worker"):
    return client.post("/login", data={"username": username, "password": "wrong-pass1",
                                       "csrf_token": csrf_from(client, "/login")},
                       # over https Flask-WTF also checks the Referer, as a browser sends it
                       headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https",
                                "Referer": "https://localhost/login"},
                       environ_base={"REMOTE_ADDR": NGINX})


def addresses() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(LoginFailure.address)))


@pytest.fixture
def proxied_app(app, database_url):
    """The app as deployed behind one nginx (its own engine on the session's database, closed after)."""
    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, TRUSTED_PROXIES="1")
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def behind_nginx(app, proxied_app):
    proxied_app.test_client_class = type(app.test_client())
    return proxied_app.test_client()


def test_behind_one_proxy_the_client_address_is_the_forwarded_one(behind_nginx, people):
    # a client that forges its own X-Forwarded-For: nginx appends the real address, and only that is trusted
    wrong_login(behind_nginx, "6.6.6.6, 203.0.113.7")
    wrong_login(behind_nginx, "198.51.100.20")
    assert addresses() == {"203.0.113.7", "198.51.100.20"}


def test_behind_one_proxy_one_client_is_throttled_not_everyone_behind_nginx(behind_nginx, people):
    pages = [wrong_login(behind_nginx, "203.0.113.7", username=f"guess{n}").get_data(as_text=True)
             for n in range(21)]
    assert "登录失败次数过多" in pages[-1]
    other = behind_nginx.post("/login", data={"username": "mentor", "password": PASSWORD,
                                              "csrf_token": csrf_from(behind_nginx, "/login")},
                              headers={"X-Forwarded-For": "198.51.100.20"}, environ_base={"REMOTE_ADDR": NGINX})
    assert other.status_code == 302  # another resident's phone behind the same nginx logs in


def test_behind_one_proxy_scheme_and_address_come_from_the_proxy(proxied_app):
    proxied = proxied_app
    proxied.add_url_rule("/probe", "probe", lambda: f"{request.scheme} {request.remote_addr} "
                                                    f"{url_for('auth.reset_password', _external=True)}")
    page = proxied.test_client().get("/probe", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
        "Host": "training.example.cn"}, environ_base={"REMOTE_ADDR": NGINX}).get_data(as_text=True)
    # the Host header nginx passes, never a client's X-Forwarded-Host
    assert page == "https 203.0.113.7 https://training.example.cn/password/reset"


def test_without_a_proxy_the_header_is_ignored(client, people):
    for forged in ("10.0.0.1", "10.0.0.2"):
        wrong_login(client, forged)
    assert addresses() == {NGINX}


@pytest.mark.parametrize("value", ["two", "-1", "9", "1.5"])
def test_a_nonsense_setting_is_refused_in_one_line(value):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app("testing", TRUSTED_PROXIES=value)
