"""Login throttling (issue 13 item 1): failed logins per account and per client address are counted
in the database, so every worker process sees them; the right password is refused while locked."""
from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginFailure
from tests.conftest import PASSWORD, csrf_from
from tests.views.test_quiz_integrity import Browser, fire

LOCKED = "登录失败次数过多"


def post_login(client, username, password, address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(client, "/login")},
                       environ_base={"REMOTE_ADDR": address})


def age_failures(minutes: int) -> None:
    for row in db.session.scalars(select(LoginFailure)):
        row.at -= timedelta(minutes=minutes)
    db.session.commit()


def failures() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(LoginFailure.id)))


def test_thirty_wrong_passwords_lock_the_account_until_the_wait_is_over(client, people):
    pages = [post_login(client, "worker", f"wrong-{n}").get_data(as_text=True) for n in range(30)]
    assert all("登录名或密码错误" in page for page in pages[:4])
    assert all(LOCKED in page and "分钟后再试" in page for page in pages[4:])
    assert failures() == 5  # attempts refused while locked are not tried, so not counted
    response = post_login(client, "worker", PASSWORD)
    assert response.status_code == 200 and LOCKED in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # the right password did not log in
    # by worker number it is the same account, and another address does not help
    assert LOCKED in post_login(client, "CQ001", PASSWORD, address="10.9.9.9").get_data(as_text=True)
    age_failures(2)  # the one-minute wait is over
    assert post_login(client, "worker", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    assert failures() == 0  # a success clears the account's counter


def test_the_wait_grows_with_each_further_failure(client, people):
    for n in range(5):
        post_login(client, "worker", f"wrong-{n}")
    age_failures(2)
    page = post_login(client, "worker", "wrong-again").get_data(as_text=True)
    assert "2 分钟后再试" in page  # the sixth failure: two minutes
    age_failures(1)
    assert LOCKED in post_login(client, "worker", PASSWORD).get_data(as_text=True)


def test_many_accounts_from_one_address_are_throttled(client, people):
    for n in range(20):
        assert LOCKED not in post_login(client, f"nobody{n}", "wrong-pass1").get_data(as_text=True) or n == 19
    page = post_login(client, "mentor", PASSWORD).get_data(as_text=True)
    assert LOCKED in page
    assert post_login(client, "mentor", PASSWORD, address="10.0.0.2").status_code == 302


def test_unknown_login_names_are_throttled_like_known_ones(client, people):
    pages = [post_login(client, "ghost", "wrong-pass1").get_data(as_text=True) for _ in range(6)]
    assert LOCKED in pages[-1]


def test_parallel_wrong_passwords_are_all_counted(live_server, people):
    def attempt(password):
        browser = Browser(live_server)
        token = browser.csrf("/login")
        return browser.post("/login", {"username": "worker", "password": password, "csrf_token": token})

    results = fire([partial(attempt, f"wrong-{n}") for n in range(12)])
    pages = [r[2] for r in results]
    tried = sum("登录名或密码错误" in p for p in pages)
    limit = 5 if db.engine.dialect.name == "sqlite" else 7  # PostgreSQL may commit ids out of order
    assert tried <= limit and sum(LOCKED in p for p in pages) >= 12 - limit, [r[0] for r in results]
    assert LOCKED in attempt(PASSWORD)[2]
