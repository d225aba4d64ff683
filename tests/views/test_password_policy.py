"""The password policy (issue 13 item 1): length ≥ 10, not common, not the login name, phone or
worker number; each refusal names its rule."""
import pytest

from app.accounts.service import common_passwords, password_problem
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from


@pytest.mark.parametrize("password, rule", [
    ("aaaaaaa1", "至少需要10个字符"),
    ("abcdefghijk", "必须同时包含字母和数字"),
    ("woaini1314", "最常见的密码"),
    ("qq123456789", "最常见的密码"),
    ("a123456789", "最常见的密码"),
    ("Password123", "最常见的密码"),
    ("CQ001-secret9", "不能包含您的登录名、手机号或工号"),
    ("Worker2026x", "不能包含您的登录名、手机号或工号"),
    ("x13800138000", "不能包含您的登录名、手机号或工号"),
])
def test_weak_passwords_are_refused_naming_the_rule(client, people, login, password, rule):
    people["worker"].phone = "13800138000"
    db.session.commit()
    login("worker")
    page = client.post("/password", data={"current": PASSWORD, "new": password, "confirm": password,
                                          "csrf_token": csrf_from(client, "/password")}).get_data(as_text=True)
    assert rule in page


def test_a_good_password_is_accepted(client, people, login):
    login("worker")
    page = client.post("/password", data={"current": PASSWORD, "new": "Lantern-river7", "confirm": "Lantern-river7",
                                          "csrf_token": csrf_from(client, "/password")},
                       follow_redirects=True).get_data(as_text=True)
    assert "密码已修改" in page


def test_the_common_list_is_shipped(app):
    common = common_passwords()
    assert len(common) >= 1000 and {"woaini1314", "qq123456", "a123456789", "123456"} <= common
    assert password_problem("woaini1314") is not None
