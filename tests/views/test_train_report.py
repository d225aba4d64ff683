"""参训率 by area node and tier, who missed sessions or is short of hours, reminders (once each), the
Excel export, the day-before reminder command, and scope."""
from __future__ import annotations

import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from openpyxl import load_workbook
from sqlalchemy import select

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import Notification
from app.train import service
from tests.conftest import csrf_from
from tests.views.test_authorization import logged_in
from tests.views.test_train import add_session, create_class, enrol, setup  # noqa: F401  (fixture)


def held(client, setup, monkeypatch, people):
    """The first session is over: the worker attended it, the mentor did not."""
    session = setup["first"]
    token = csrf_from(client, f"/train/sessions/{session.id}")
    client.post(f"/train/sessions/{session.id}/mark", data={"csrf_token": token, "user": people["worker"].id,
                                                            "present": "1", "reason": "现场点名"})
    after = session.ends_at + timedelta(minutes=5)
    monkeypatch.setattr(service, "now", lambda: after)
    return after


def test_rates_by_area_and_tier(app, client, people, setup, monkeypatch):
    held(client, setup, monkeypatch, people)
    page = client.get("/train/report").get_data(as_text=True)
    assert "幸福社区 · 年度轮训" in page
    assert "50.0% 到课" in page and "2 人次中到课 1 人次" in page
    assert "李建国" in page.split('id="missed"')[1]
    workbook = load_workbook(io.BytesIO(client.get("/train/report.xlsx").data))
    rates = list(workbook["参训率"].iter_rows(values_only=True))
    assert rates[1][:7] == ("幸福社区", "年度轮训", 2, 2, 1, 0, 0.5)
    assert rates[-1][0] == "合计"
    missed = list(workbook["缺课名单"].iter_rows(values_only=True))
    assert [row[0] for row in missed[1:]] == ["李建国"]


def test_reminders_go_once(app, client, people, setup, monkeypatch):
    held(client, setup, monkeypatch, people)
    token = csrf_from(client, "/train/report")
    client.post("/train/report/remind", data={"csrf_token": token})
    client.post("/train/report/remind", data={"csrf_token": token})
    notes = db.session.scalars(select(Notification).where(Notification.kind.in_(("class_missed", "hours_short")))).all()
    assert sorted((n.user_id, n.kind) for n in notes) == sorted([
        (people["mentor"].id, "class_missed"), (people["mentor"].id, "hours_short"),
        (people["worker"].id, "hours_short")])
    mentor = logged_in(app, "mentor")
    assert "你缺了" in mentor.get("/mentoring/notifications").get_data(as_text=True)


def test_another_street_sees_none_of_it(app, people, setup, monkeypatch, client):
    held(client, setup, monkeypatch, people)
    other = logged_in(app, "linhu_org")
    page = other.get("/train/report").get_data(as_text=True)
    assert "李建国" not in page and "幸福社区" not in page
    assert logged_in(app, "worker").get("/train/report").status_code == 403


def test_day_before_reminder_command(app, runner, people, setup):
    first = runner.invoke(args=["train", "remind"])
    assert first.exit_code == 0 and "2 reminders sent (2 delivered" in first.output
    again = runner.invoke(args=["train", "remind"])
    assert "0 reminders sent" in again.output
    note = db.session.scalar(select(Notification).where(Notification.kind == "class_reminder"))
    assert note.link == f"/train/{setup['class'].id}#session-{setup['second'].id}"
    assert note.params["topic"] == "矛盾纠纷调解实务"


@pytest.fixture
def fake_robot():
    """A group-robot webhook on loopback that records what it is sent."""
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test", received
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_reminders_go_out_through_the_configured_webhook(app, runner, people, setup, fake_robot, monkeypatch):
    url, received = fake_robot
    people["worker"].phone = "13800000001"
    db.session.commit()
    monkeypatch.setitem(app.config, "REMINDER_SENDER", "wecom")
    monkeypatch.setitem(app.config, "REMINDER_WEBHOOK_URL", url)
    result = runner.invoke(args=["train", "remind"])
    assert "2 reminders sent (2 delivered" in result.output
    bodies = [body for _path, body in received]
    assert all(b["msgtype"] == "text" for b in bodies) and len(bodies) == 2
    mine = next(b for b in bodies if b["text"]["mentioned_mobile_list"] == ["13800000001"])
    assert mine["text"]["content"].startswith("张晓梅：提醒：") and "矛盾纠纷调解实务" in mine["text"]["content"]


def test_a_dead_webhook_is_logged_and_changes_nothing(app, client, people, setup, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REMINDER_SENDER", "dingtalk")
    monkeypatch.setitem(app.config, "REMINDER_WEBHOOK_URL", "http://127.0.0.1:9/robot/send")
    monkeypatch.setitem(app.config, "REMINDER_TIMEOUT", "1")
    token = csrf_from(client, "/train/report")
    page = client.post("/train/report/remind", data={"csrf_token": token}, follow_redirects=True)
    assert "已发送 2 条催学提醒" in page.get_data(as_text=True)   # both short of the annual hours
    assert db.session.scalar(select(db.func.count(Notification.id)).where(Notification.kind == "hours_short")) == 2
    assert "reminder webhook failed" in caplog.text


def test_the_sender_payloads_and_fallback():
    from app.train.sender import LogSender, Message, WebhookSender, sender_from
    message = Message("张晓梅", "13800000001", "提醒：明天上课")
    ding = WebhookSender("http://127.0.0.1/x", "dingtalk").payload(message)
    assert ding["at"]["atMobiles"] == ["13800000001"] and ding["text"]["content"] == "张晓梅：提醒：明天上课"
    assert isinstance(sender_from({"REMINDER_SENDER": "sms-somewhere", "REMINDER_WEBHOOK_URL": "x"}), LogSender)
    assert isinstance(sender_from({"REMINDER_SENDER": "wecom", "REMINDER_WEBHOOK_URL": "ftp://x"}), LogSender)
    assert isinstance(sender_from({}), LogSender)
