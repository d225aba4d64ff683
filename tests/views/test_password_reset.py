"""Self-service password reset (忘记密码, issue 13 item 1): a worker asks, an organizer of their area
confirms who is asking and hands over a one-time code, the worker sets a new password with it."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.audit import action_text
from app.extensions import db
from app.models import AuditRecord, LoginFailure, Notification, PasswordResetRequest, User
from app.security import verify_password
from tests.conftest import PASSWORD, csrf_from

NEW_PASSWORD = "Qiaojie2026night"
RECEIVED = "申请已提交"
WRONG_CODE = "登录名或重置码错误"


def ask(client, username, phone="", address="10.0.0.1"):
    return client.post("/password/forgot", data={"username": username, "phone": phone,
                                                 "csrf_token": csrf_from(client, "/password/forgot")},
                       environ_base={"REMOTE_ADDR": address})


def use_code(client, username, code, password=NEW_PASSWORD, confirm=None, address="10.0.0.1"):
    return client.post("/password/reset", data={
        "username": username, "code": code, "new": password, "confirm": confirm or password,
        "csrf_token": csrf_from(client, "/password/reset")}, environ_base={"REMOTE_ADDR": address})


def requests_of(user) -> list[PasswordResetRequest]:
    db.session.expire_all()
    return db.session.scalars(select(PasswordResetRequest).where(PasswordResetRequest.user_id == user.id)).all()


def confirm(client, request_id):
    token = csrf_from(client, "/manage/password-requests")
    return client.post(f"/manage/password-requests/{request_id}/confirm", data={"csrf_token": token})


def code_on(page: str) -> str:
    match = re.search(r'id="reset-code">([A-Z0-9-]+)<', page)
    assert match, "no code on the slip"
    return match.group(1)


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"', "", page)


def log_out(client):
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})


def issued_code(client, login, people, username="worker") -> tuple[PasswordResetRequest, str]:
    """The worker asks, the organizer confirms: the request and the code on the slip."""
    ask(client, username)
    login("organizer")
    (request,) = requests_of(people[username])
    response = confirm(client, request.id)
    assert response.status_code == 200
    log_out(client)
    return request, code_on(response.get_data(as_text=True))


def test_login_page_links_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "忘记密码" in page


def test_known_and_unknown_names_get_the_same_answer(client, people):
    known = ask(client, "worker", address="10.0.0.1")
    unknown = ask(client, "nobody-here", address="10.0.0.2")
    assert known.status_code == unknown.status_code == 200
    assert RECEIVED in known.get_data(as_text=True)
    assert without_tokens(known.get_data(as_text=True)) == without_tokens(unknown.get_data(as_text=True))
    (request,) = requests_of(people["worker"])
    assert request.status == "pending" and request.phone_matches is None
    assert db.session.scalar(select(PasswordResetRequest).where(PasswordResetRequest.user_id != people["worker"].id)) \
        is None
    # the organizer of 长青街道 is told (the nearest above the grid); the city admin and 临湖街道 are not
    notified = set(db.session.scalars(select(Notification.user_id)
                                      .where(Notification.kind == "password_reset_requested")))
    assert notified == {people["organizer"].id}


def test_asking_again_does_not_open_a_second_request(client, people):
    ask(client, "worker")
    ask(client, "CQ001")  # by worker number: the same person
    assert len(requests_of(people["worker"])) == 1


def test_requests_are_throttled_for_known_and_unknown_names_alike(client, people):
    for name in ("worker", "ghost"):
        pages = [ask(client, name, address=f"10.1.0.{n}").get_data(as_text=True) for n in range(4)]
        assert all(RECEIVED in page for page in pages[:3])
        assert "重置申请次数过多" in pages[3] and "分钟后再试" in pages[3]


def test_requests_are_throttled_per_address(client, people):
    pages = [ask(client, f"name{n}", address="10.2.0.1").get_data(as_text=True) for n in range(11)]
    assert all(RECEIVED in page for page in pages[:10])
    assert "重置申请次数过多" in pages[10]
    assert RECEIVED in ask(client, "worker", address="10.2.0.2").get_data(as_text=True)


def test_phone_typed_is_compared_with_the_phone_on_record(client, login, people):
    people["worker"].phone = "138 0000 1234"
    db.session.commit()
    ask(client, "worker", phone="13800001234")
    assert requests_of(people["worker"])[0].phone_matches is True
    login("organizer")
    assert "所填手机号与登记一致" in client.get("/manage/password-requests").get_data(as_text=True)


def test_organizer_sees_the_request_on_the_people_page_and_the_request_list(client, login, people):
    ask(client, "worker")
    login("organizer")
    people_page = client.get("/manage/users").get_data(as_text=True)
    assert "待您处理的密码重置申请：1条" in people_page
    page = client.get("/manage/password-requests").get_data(as_text=True)
    assert "张晓梅" in page and "已核实身份，生成重置码" in page


def test_organizer_of_another_area_cannot_see_confirm_or_refuse(client, login, people):
    ask(client, "worker")
    (request,) = requests_of(people["worker"])
    login("linhu_org")
    assert "张晓梅" not in client.get("/manage/password-requests").get_data(as_text=True)
    assert "待您处理的密码重置申请" not in client.get("/manage/users").get_data(as_text=True)
    token = csrf_from(client, "/manage/password-requests")
    for action in ("confirm", "refuse"):
        assert client.post(f"/manage/password-requests/{request.id}/{action}",
                           data={"csrf_token": token}).status_code == 404
    assert requests_of(people["worker"])[0].status == "pending"
    # a worker may not open the organizers' page at all
    log_out(client)
    login("mentor")
    assert client.get("/manage/password-requests").status_code == 403


def test_confirm_shows_the_code_once_and_stores_only_its_hash(client, login, people):
    request, code = issued_code(client, login, people)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    db.session.refresh(request)
    assert request.status == "confirmed" and request.decided_by_id == people["organizer"].id
    assert code.replace("-", "") not in request.code_hash
    assert verify_password(request.code_hash, code.replace("-", ""))
    assert timedelta(hours=23, minutes=59) < request.code_expires_at - request.decided_at <= timedelta(hours=24)
    login("organizer")
    page = client.get("/manage/password-requests").get_data(as_text=True)
    assert code not in page and "已发放重置码" in page
    # a second confirmation is refused: the request is no longer waiting
    response = confirm(client, request.id)
    assert response.status_code == 302
    assert "该申请已被处理" in client.get("/manage/password-requests").get_data(as_text=True)
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "password.reset_confirm"))
    assert record.actor_id == people["organizer"].id and record.target_id == str(people["worker"].id)
    assert action_text("password.reset_confirm") == "确认密码重置（发放重置码）"


def test_the_code_resets_the_password_once_and_ends_every_session(client, login, people, app):
    worker = people["worker"]
    elsewhere = app.test_client()  # the worker's session on another phone
    elsewhere.post("/login", data={"username": "worker", "password": PASSWORD,
                                   "csrf_token": csrf_from(elsewhere, "/login")})
    assert elsewhere.get("/").status_code == 200
    request, code = issued_code(client, login, people)

    response = use_code(client, "worker", code.lower())  # case and the hyphen do not matter
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    db.session.expire_all()
    assert verify_password(db.session.get(User, worker.id).password_hash, NEW_PASSWORD)
    assert not db.session.get(User, worker.id).must_change_password
    assert elsewhere.get("/").status_code == 302  # the other session ended
    db.session.refresh(request)
    assert request.status == "done" and request.open_user_id is None and request.code_hash is None
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.action == "password.reset_self")) is not None

    # single use
    page = use_code(client, "worker", code, password="Another2026pass").get_data(as_text=True)
    assert WRONG_CODE in page
    db.session.expire_all()
    assert verify_password(db.session.get(User, worker.id).password_hash, NEW_PASSWORD)
    # and the new password logs in
    login("worker", NEW_PASSWORD)
    assert client.get("/").status_code == 200


def test_wrong_code_unknown_name_and_another_persons_code_are_refused_alike(client, login, people):
    _, code = issued_code(client, login, people)
    answers = [use_code(client, "worker", "ABCDE-23456").get_data(as_text=True),
               use_code(client, "ghost", code).get_data(as_text=True),
               use_code(client, "mentor", code).get_data(as_text=True)]
    assert all(WRONG_CODE in page for page in answers)
    db.session.expire_all()
    for name in ("worker", "mentor"):
        assert verify_password(db.session.get(User, people[name].id).password_hash, PASSWORD)


def test_a_weak_password_is_refused_and_the_code_stays_valid(client, login, people):
    _, code = issued_code(client, login, people)
    page = use_code(client, "worker", code, password="abc12345").get_data(as_text=True)
    assert "新密码至少需要10个字符" in page
    assert WRONG_CODE not in page
    page = use_code(client, "worker", code, password="worker2026abc").get_data(as_text=True)
    assert "新密码不能包含您的登录名" in page and WRONG_CODE not in page
    assert use_code(client, "worker", code).status_code == 302


def test_the_code_expires_after_24_hours_and_a_new_request_can_follow(client, login, people):
    request, code = issued_code(client, login, people)
    request.code_expires_at -= timedelta(hours=24, seconds=1)
    db.session.commit()
    assert WRONG_CODE in use_code(client, "worker", code).get_data(as_text=True)
    ask(client, "worker", address="10.3.0.1")
    statuses = sorted(r.status for r in requests_of(people["worker"]))
    assert statuses == ["expired", "pending"]


def test_wrong_codes_are_throttled_like_passwords(client, login, people):
    _, code = issued_code(client, login, people)
    pages = [use_code(client, "worker", f"WRONG-{n}2345").get_data(as_text=True) for n in range(6)]
    assert all(WRONG_CODE in page for page in pages[:5])
    assert "输错重置码次数过多" in pages[5]
    assert "输错重置码次数过多" in use_code(client, "worker", code).get_data(as_text=True)
    for row in db.session.scalars(select(LoginFailure)):
        row.at -= timedelta(minutes=2)
    db.session.commit()
    assert use_code(client, "worker", code).status_code == 302


def test_refused_request_voids_the_code_and_closes(client, login, people):
    request, code = issued_code(client, login, people)
    login("organizer")
    token = csrf_from(client, "/manage/password-requests")
    response = client.post(f"/manage/password-requests/{request.id}/refuse", data={"csrf_token": token},
                           follow_redirects=True)
    assert "已拒绝张晓梅的密码重置申请" in response.get_data(as_text=True)
    db.session.refresh(request)
    assert request.status == "refused" and request.code_hash is None and request.open_user_id is None
    log_out(client)
    assert WRONG_CODE in use_code(client, "worker", code).get_data(as_text=True)
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.action == "password.reset_refuse")) is not None


def test_only_admins_decide_an_admins_request(client, login, people, make_user, areas):
    second_admin = make_user("admin2", ("admin",), areas["changqing"], name="赵强")
    ask(client, "admin2")
    (request,) = requests_of(second_admin)
    login("organizer")
    token = csrf_from(client, "/manage/password-requests")
    assert client.post(f"/manage/password-requests/{request.id}/confirm",
                       data={"csrf_token": token}).status_code == 404
    log_out(client)
    login("admin")
    assert confirm(client, request.id).status_code == 200


def test_a_disabled_account_gets_no_request(client, people):
    people["worker"].active = False
    db.session.commit()
    assert RECEIVED in ask(client, "worker").get_data(as_text=True)
    assert requests_of(people["worker"]) == []
