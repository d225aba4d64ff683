"""Training classes through the views: classes and timetables, enrolment limits and the waiting list,
QR sign-in and sign-out (late, early, once, expired codes), manual attendance with its audit record,
leave, ratings, completion certificates, hours beside online hours, and scope."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.clock import local, local_today, utcnow
from app.extensions import db
from app.models import (
    AuditRecord, ClassAttendance, ClassEnrolment, ClassSession, EvidenceRecord, LeaveRequest, Notification,
    TrainingClass,
)
from app.train import service, tokens
from tests.conftest import csrf_from
from tests.views.test_authorization import logged_in

TZ = "Asia/Shanghai"


def wall(moment) -> str:
    return local(moment, TZ).strftime("%Y-%m-%dT%H:%M")


def create_class(client, areas, *, capacity=30, title="2026年度集中轮训班", tier="annual", share=80, **extra):
    token = csrf_from(client, "/train/new")
    today = local_today()
    data = {"csrf_token": token, "title": title, "tier": tier, "area": areas["changqing"].id, "place": "街道党群服务中心",
            "starts_on": (today - timedelta(days=1)).isoformat(), "ends_on": (today + timedelta(days=4)).isoformat(),
            "capacity": capacity, "min_attendance": share, **extra}
    response = client.post("/train/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(select(TrainingClass).order_by(TrainingClass.id.desc()))


def add_session(client, training_class, *, starts, minutes=180, hours=3, topic="矛盾纠纷调解实务", sign_out=False,
                **extra):
    token = csrf_from(client, f"/train/{training_class.id}")
    data = {"csrf_token": token, "topic": topic, "starts_at": wall(starts),
            "ends_at": wall(starts + timedelta(minutes=minutes)), "room": "三楼会议室", "hours": hours,
            "instructor_name": "刘明", "instructor_unit": "区司法局", **extra}
    if sign_out:
        data["requires_sign_out"] = "y"
    response = client.post(f"/train/{training_class.id}/sessions", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.scalar(select(ClassSession).where(ClassSession.topic == topic)
                             .order_by(ClassSession.id.desc()))


def enrol(client, training_class, *people):
    token = csrf_from(client, f"/train/{training_class.id}")
    return client.post(f"/train/{training_class.id}/enrol",
                       data={"csrf_token": token, "how": "people", "people": [p.id for p in people]})


def code_link(client, session, purpose="in") -> str:
    data = client.get(f"/train/sessions/{session.id}/code.json?purpose={purpose}").get_json()
    assert data["svg"].startswith("data:image/svg+xml;base64,")
    return urlsplit(data["url"]).path


def sign(visitor, link: str):
    token = csrf_from(visitor, link)
    return visitor.post(link, data={"csrf_token": token})


@pytest.fixture
def setup(app, client, people, login):
    """A class of 长青街道 starting now: a 3-hour session that began 2 minutes ago and one tomorrow;
    the worker and the mentor enrolled."""
    login("organizer")
    training_class = create_class(client, {"changqing": people["organizer"].area})
    now = utcnow()
    first = add_session(client, training_class, starts=now - timedelta(minutes=2), topic="政策法规解读")
    second = add_session(client, training_class, starts=now + timedelta(days=1), topic="矛盾纠纷调解实务",
                         sign_out=True)
    assert enrol(client, training_class, people["worker"], people["mentor"]).status_code == 302
    return {"class": training_class, "first": first, "second": second}


def test_new_class_names_the_wrong_field_and_keeps_what_was_typed(client, people, login):
    login("organizer")
    token = csrf_from(client, "/train/new")
    page = client.post("/train/new", data={"csrf_token": token, "title": "入职培训班", "tier": "onboarding",
                                           "area": people["organizer"].area_id, "starts_on": "2026-13-01",
                                           "ends_on": "2026-12-05", "capacity": 30, "min_attendance": 80})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "第一天" in text and "请以日期（YYYY-MM-DD）填写第一天" in text
    assert 'value="入职培训班"' in text
    assert db.session.scalar(select(TrainingClass)) is None


def test_session_outside_the_class_days_is_refused(client, people, login):
    login("organizer")
    training_class = create_class(client, {"changqing": people["organizer"].area})
    token = csrf_from(client, f"/train/{training_class.id}")
    late = utcnow() + timedelta(days=30)
    page = client.post(f"/train/{training_class.id}/sessions", data={
        "csrf_token": token, "topic": "应急处置", "starts_at": wall(late), "ends_at": wall(late + timedelta(hours=2)),
        "hours": 2, "instructor_name": "张强", "instructor_unit": "区应急管理局"})
    assert page.status_code == 400
    assert "课次必须安排在培训班的日期内" in page.get_data(as_text=True)
    assert db.session.scalar(select(ClassSession)) is None


def test_capacity_and_waiting_list(client, people, login, make_user, areas):
    login("organizer")
    training_class = create_class(client, {"changqing": people["organizer"].area}, capacity=1)
    third = make_user("w3", ("worker",), areas["grid2"], name="赵六")
    enrol(client, training_class, people["worker"], people["mentor"], third)
    rows = {e.user_id: e.status for e in db.session.scalars(select(ClassEnrolment))}
    assert rows == {people["worker"].id: "enrolled", people["mentor"].id: "waiting", third.id: "waiting"}
    kinds = {n.user_id: n.kind for n in db.session.scalars(select(Notification))}
    assert kinds == {people["worker"].id: "class_enrolled", people["mentor"].id: "class_waiting",
                     third.id: "class_waiting"}
    # enrolling again changes nothing; the first in line moves up when a place frees
    enrol(client, training_class, people["worker"])
    assert db.session.scalar(select(db.func.count(ClassEnrolment.id))) == 3
    placed = db.session.scalar(select(ClassEnrolment).where(ClassEnrolment.user_id == people["worker"].id))
    token = csrf_from(client, f"/train/{training_class.id}")
    client.post(f"/train/enrolments/{placed.id}/withdraw", data={"csrf_token": token})
    rows = {e.user_id: e.status for e in db.session.scalars(select(ClassEnrolment))}
    assert rows == {people["mentor"].id: "enrolled", third.id: "waiting"}
    assert db.session.scalar(select(Notification).where(Notification.user_id == people["mentor"].id,
                                                        Notification.kind == "class_place")) is not None


def test_enrolment_stays_in_the_organizers_area(client, people, login):
    login("organizer")
    training_class = create_class(client, {"changqing": people["organizer"].area})
    enrol(client, training_class, people["other_worker"])  # 临湖街道: not the organizer's to choose
    assert db.session.scalar(select(ClassEnrolment)) is None


def test_worker_home_shows_the_class_and_timetable(app, setup):
    worker = logged_in(app, "worker")
    page = worker.get("/").get_data(as_text=True)
    assert "我的培训班" in page and "2026年度集中轮训班" in page
    assert "政策法规解读" in page and "矛盾纠纷调解实务" in page
    note = db.session.scalar(select(Notification).where(Notification.kind == "class_enrolled"))
    assert note is not None and note.link == f"/train/{setup['class'].id}"


def test_sign_in_with_the_code_counts_once_and_credits_hours(app, client, people, setup):
    link = code_link(client, setup["first"])
    worker = logged_in(app, "worker")
    page = worker.get(link)
    assert page.status_code == 200 and "立即签到" in page.get_data(as_text=True)
    assert db.session.scalar(select(ClassAttendance)) is None  # opening the link changes nothing
    done = sign(worker, link)
    assert done.status_code == 200 and "签到时间" in done.get_data(as_text=True)
    again = sign(worker, link)
    assert "已经签到" in again.get_data(as_text=True)
    rows = db.session.scalars(select(ClassAttendance)).all()
    assert len(rows) == 1 and rows[0].user_id == people["worker"].id and rows[0].hours == 3.0
    assert rows[0].late_minutes <= 3
    home = worker.get("/").get_data(as_text=True)
    assert "已计 3 学时" in home or "已计 3.0 学时" in home
    evidence = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.source_kind == "class_attendance")).all()
    assert [(e.indicator, e.score) for e in evidence] == [("policy.learning", 100.0)]


def test_hours_count_towards_the_annual_requirement(app, setup):
    from app.learn.progress import hour_requirements
    from app.models import User
    client = logged_in(app, "organizer")
    worker = logged_in(app, "worker")
    sign(worker, code_link(client, setup["first"]))
    user = db.session.scalar(select(User).where(User.username == "worker"))
    annual = next(r for r in hour_requirements(user, app.config) if r.tier == "annual")
    assert annual.earned == 3.0
    credits = worker.get("/train/hours").get_data(as_text=True)
    assert "政策法规解读" in credits and "扫码签到" in credits


def test_late_sign_in_is_recorded_and_deducted(app, client, setup, monkeypatch):
    later = setup["first"].starts_at + timedelta(minutes=30)   # 30 minutes after the start, however slow the setup
    monkeypatch.setattr(service, "now", lambda: later)
    link = code_link(client, setup["first"])
    worker = logged_in(app, "worker")
    page = sign(worker, link).get_data(as_text=True)
    assert "迟到" in page
    row = db.session.scalar(select(ClassAttendance))
    assert row.late_minutes >= 29 and row.hours == pytest.approx(2.5, abs=0.01)
    assert "× 150/180 min" in row.basis or "× 151/180 min" in row.basis


def test_expired_or_foreign_codes_are_refused(app, client, setup):
    old = tokens.make_token(app.config["SECRET_KEY"], setup["first"].id, "in", utcnow().timestamp() - 120)
    worker = logged_in(app, "worker")
    page = worker.get(f"/train/sign/{setup['first'].id}/in/{old}")
    assert page.status_code == 410 and "签到码已过期" in page.get_data(as_text=True)
    other = tokens.make_token(app.config["SECRET_KEY"], setup["second"].id, "in", utcnow().timestamp())
    page = worker.get(f"/train/sign/{setup['first'].id}/in/{other}")
    assert page.status_code == 410 and "不是本课次的签到码" in page.get_data(as_text=True)
    forged = sign(worker, f"/train/sign/{setup['first'].id}/in/{old}")
    assert forged.status_code == 409
    assert db.session.scalar(select(ClassAttendance)) is None


def test_only_the_person_logged_in_is_signed_in(app, client, people, setup):
    """The link signs in whoever opens it, and only if they have a place: the other street's worker
    with a live code is refused, and a worker cannot mark someone else present."""
    link = code_link(client, setup["first"])
    outsider = logged_in(app, "linhu1")
    assert "你没有这个培训班的名额" in sign(outsider, link).get_data(as_text=True)
    worker = logged_in(app, "worker")
    token = csrf_from(worker, "/")
    response = worker.post(f"/train/sessions/{setup['first'].id}/mark",
                           data={"csrf_token": token, "user": people["mentor"].id, "present": "1", "reason": "x"})
    assert response.status_code == 403
    assert db.session.scalar(select(ClassAttendance)) is None


def test_sign_out_records_early_leaving(app, client, setup, monkeypatch):
    session = setup["second"]
    start = session.starts_at
    monkeypatch.setattr(service, "now", lambda: start + timedelta(minutes=1))
    worker = logged_in(app, "worker")
    sign(worker, code_link(client, session, "in"))
    assert db.session.scalar(select(ClassAttendance)).hours == 0  # waits for the sign-out
    monkeypatch.setattr(service, "now", lambda: start + timedelta(minutes=150))
    page = sign(worker, code_link(client, session, "out")).get_data(as_text=True)
    assert "早退" in page
    row = db.session.scalar(select(ClassAttendance))
    assert row.early_minutes == 30 and row.hours == 2.5


def test_manual_attendance_needs_a_reason_and_is_audited(client, people, setup):
    session = setup["first"]
    token = csrf_from(client, f"/train/sessions/{session.id}")
    client.post(f"/train/sessions/{session.id}/mark", data={"csrf_token": token, "user": people["mentor"].id,
                                                            "present": "1", "reason": ""})
    assert db.session.scalar(select(ClassAttendance)) is None
    client.post(f"/train/sessions/{session.id}/mark", data={"csrf_token": token, "user": people["mentor"].id,
                                                            "present": "1", "reason": "手机没电，现场核实到课"})
    row = db.session.scalar(select(ClassAttendance))
    assert (row.method, row.status, row.hours, row.reason) == ("manual", "present", 3.0, "手机没电，现场核实到课")
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "attendance.mark"))
    assert record is not None and record.after["reason"] == "手机没电，现场核实到课"
    sheet = client.get(f"/train/sessions/{session.id}").get_data(as_text=True)
    assert "手工登记：手机没电" in sheet


def test_leave_request_approved_or_refused(app, client, people, setup):
    worker = logged_in(app, "worker")
    worker_token = csrf_from(worker, f"/train/{setup['class'].id}")
    worker.post(f"/train/sessions/{setup['second'].id}/leave", data={"csrf_token": worker_token, "reason": ""})
    assert db.session.scalar(select(LeaveRequest)) is None
    worker.post(f"/train/sessions/{setup['second'].id}/leave", data={"csrf_token": worker_token, "reason": "社区防汛值班"})
    leave = db.session.scalar(select(LeaveRequest))
    assert leave.status == "pending"
    page = client.get(f"/train/{setup['class'].id}").get_data(as_text=True)
    assert "社区防汛值班" in page
    token = csrf_from(client, f"/train/{setup['class'].id}")
    client.post(f"/train/leave/{leave.id}/decide", data={"csrf_token": token, "decision": "refuse"})
    db.session.refresh(leave)
    assert leave.status == "refused"
    note = db.session.scalar(select(Notification).where(Notification.kind == "leave_decided"))
    assert note.user_id == people["worker"].id and note.params["approved"] is False
    # asked again after a refusal, then approved
    worker.post(f"/train/sessions/{setup['second'].id}/leave", data={"csrf_token": worker_token, "reason": "家中老人住院"})
    db.session.refresh(leave)
    assert leave.status == "pending"
    client.post(f"/train/leave/{leave.id}/decide", data={"csrf_token": token, "decision": "approve"})
    db.session.refresh(leave)
    assert leave.status == "approved"
    other = logged_in(app, "linhu_org")
    assert other.post(f"/train/leave/{leave.id}/decide",
                      data={"csrf_token": csrf_from(other, "/"), "decision": "refuse"}).status_code == 404


def test_another_streets_organizer_gets_404(app, setup):
    other = logged_in(app, "linhu_org")
    class_id, session_id = setup["class"].id, setup["first"].id
    for path in (f"/train/{class_id}", f"/train/sessions/{session_id}", f"/train/sessions/{session_id}/projector",
                 f"/train/sessions/{session_id}/code.json", f"/train/sessions/{session_id}/ratings"):
        assert other.get(path).status_code == 404, path
    token = csrf_from(other, "/")
    assert other.post(f"/train/{class_id}/enrol", data={"csrf_token": token, "how": "people"}).status_code == 404
    assert other.post(f"/train/{class_id}/complete", data={"csrf_token": token}).status_code == 404
    assert "2026年度集中轮训班" not in other.get("/train").get_data(as_text=True)
    outsider = logged_in(app, "linhu1")
    assert outsider.get(f"/train/{class_id}").status_code == 404


def test_completion_certificate_and_ratings(app, client, people, setup, monkeypatch):
    training_class = setup["class"]
    for session in training_class.sessions:
        token = csrf_from(client, f"/train/sessions/{session.id}")
        client.post(f"/train/sessions/{session.id}/mark", data={"csrf_token": token, "user": people["worker"].id,
                                                                "present": "1", "reason": "现场点名"})
    after = max(s.ends_at for s in training_class.sessions) + timedelta(minutes=1)
    token = csrf_from(client, f"/train/{training_class.id}")
    assert "最后一个课次结束后" in client.post(f"/train/{training_class.id}/complete", data={"csrf_token": token},
                                                 follow_redirects=True).get_data(as_text=True)
    monkeypatch.setattr(service, "now", lambda: after)
    client.post(f"/train/{training_class.id}/complete", data={"csrf_token": token})
    mine = db.session.scalar(select(ClassEnrolment).where(ClassEnrolment.user_id == people["worker"].id))
    other = db.session.scalar(select(ClassEnrolment).where(ClassEnrolment.user_id == people["mentor"].id))
    year = local(after, TZ).year
    assert mine.certificate_serial == f"{year}-长青街道-培训-001" and other.certificate_serial is None
    told = db.session.scalars(select(Notification).where(Notification.kind == "class_completed")).all()
    assert [(n.user_id, n.params["serial"]) for n in told] == [(people["worker"].id, mine.certificate_serial)]
    token = csrf_from(client, f"/train/sessions/{setup['first'].id}")
    changed = client.post(f"/train/sessions/{setup['first'].id}/mark", data={
        "csrf_token": token, "user": people["worker"].id, "present": "0", "reason": "补录"}, follow_redirects=True)
    assert "证书上的出勤保持颁发时的记录" in changed.get_data(as_text=True)
    worker = logged_in(app, "worker")
    pdf = worker.get(f"/train/enrolments/{mine.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert worker.get(f"/train/enrolments/{mine.id}/certificate.pdf").data == pdf.data
    mentor = logged_in(app, "mentor")
    assert mentor.get(f"/train/enrolments/{mine.id}/certificate.pdf").status_code == 404
    assert logged_in(app, "linhu_org").get(f"/train/enrolments/{mine.id}/certificate.pdf").status_code == 404
    # a rating, anonymous to an instructor with an account, named for the organizer
    token = csrf_from(worker, f"/train/{training_class.id}")
    worker.post(f"/train/sessions/{setup['first'].id}/rate", data={
        "csrf_token": token, "session_score": 5, "instructor_score": 4, "comment": "案例贴近实际"})
    refused = mentor.post(f"/train/sessions/{setup['first'].id}/rate", data={  # the mentor did not attend
        "csrf_token": csrf_from(mentor, "/"), "session_score": 1, "instructor_score": 1}, follow_redirects=True)
    assert "只有到课的学员才能评价该课次" in refused.get_data(as_text=True)
    ratings = client.get(f"/train/sessions/{setup['first'].id}/ratings").get_data(as_text=True)
    assert "案例贴近实际" in ratings and "张晓梅" in ratings and ratings.count("<tr>") == 2
    session = db.session.get(ClassSession, setup["first"].id)
    session.instructor_id = people["mentor"].id
    db.session.commit()
    seen = mentor.get(f"/train/sessions/{setup['first'].id}/ratings").get_data(as_text=True)
    assert "案例贴近实际" in seen and "张晓梅" not in seen
    statement = worker.get(f"/train/hours.pdf?year={year}")
    assert statement.status_code == 200 and statement.data.startswith(b"%PDF")


def test_projector_for_organizer_and_instructor_only(app, client, people, setup):
    page = client.get(f"/train/sessions/{setup['first'].id}/projector").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page and "train-projector.js" in page and "<script>" not in page
    match = re.search(r'id="code-link" href="([^"]+)"', page)
    assert match and f"/train/sign/{setup['first'].id}/in/" in match.group(1)
    assert logged_in(app, "worker").get(f"/train/sessions/{setup['first'].id}/projector").status_code == 404
    assert client.get(f"/train/sessions/{setup['first'].id}/projector?purpose=out").status_code == 404


def test_attendance_is_evidence_in_the_profile_and_xapi(app, client, people, setup):
    worker = logged_in(app, "worker")
    sign(worker, code_link(client, setup["first"]))
    profile = worker.get(f"/profile/{people['worker'].id}").get_data(as_text=True)
    assert "参加培训课次" in profile
    statements = worker.get(f"/profile/{people['worker'].id}/xapi.json").get_json()
    items = statements if isinstance(statements, list) else statements.get("statements", [])
    attended = [s for s in items if "class-session" in s["object"]["id"]]
    assert len(attended) == 1 and attended[0]["verb"]["id"].endswith("/experienced")
    assert attended[0]["object"]["definition"]["name"]["zh-CN"] == "政策法规解读"


def test_enrol_a_cohort_or_a_roster(client, people, login, make_user, areas):
    import io
    from datetime import date
    login("organizer")
    training_class = create_class(client, {"changqing": people["organizer"].area})
    hired = make_user("new1", ("worker",), areas["grid2"], name="钱新", worker_number="CQ009")
    hired.hire_date = date(2026, 3, 1)
    db.session.commit()
    token = csrf_from(client, f"/train/{training_class.id}")
    client.post(f"/train/{training_class.id}/enrol", data={"csrf_token": token, "how": "cohort",
                                                           "area": areas["xingfu"].id, "hired": 2026})
    assert [e.user_id for e in db.session.scalars(select(ClassEnrolment))] == [hired.id]
    roster = "姓名,工号\n张晓梅,CQ001\n周婷,LH001\n".encode()
    page = client.post(f"/train/{training_class.id}/enrol", data={
        "csrf_token": token, "how": "roster", "roster": (io.BytesIO(roster), "roster.csv")},
        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "LH001" in page  # 周婷 is of another street: named as not found
    assert sorted(e.user_id for e in db.session.scalars(select(ClassEnrolment))) == sorted([hired.id, people["worker"].id])
