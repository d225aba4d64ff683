"""Classroom drills through the views: the instructor starts a drill for a session, attendees signed in
choose on their phones, the projector sees the split (no names), the room moves on by its choice; at
the ending each attendee reads the debrief and their own result, which is practice evidence."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import ClassDrill, EvidenceRecord
from tests.conftest import csrf_from
from tests.views.test_authorization import logged_in
from tests.views.test_train import code_link, setup, sign  # noqa: F401  (fixture)


def choices_on(page: str) -> list[str]:
    return re.findall(r'name="choice" value="([^"]+)"', page)


def test_a_room_plays_a_drill_together(app, client, content, people, setup):
    worker, mentor = logged_in(app, "worker"), logged_in(app, "mentor")
    link = code_link(client, setup["first"])
    sign(worker, link)
    sign(mentor, link)
    token = csrf_from(client, f"/train/{setup['class'].id}")
    started = client.post(f"/train/sessions/{setup['first'].id}/drills", data={"csrf_token": token, "drill": "gas-leak"})
    row = db.session.scalar(select(ClassDrill))
    assert started.headers["Location"].endswith(f"/train/room/{row.id}/screen")
    # an attendee who is not signed in, and another street's organizer, take no part
    outsider = logged_in(app, "linhu_org")
    assert outsider.get(f"/train/room/{row.id}").status_code == 404
    assert outsider.get(f"/train/room/{row.id}/screen").status_code == 404
    assert worker.get(f"/train/room/{row.id}/screen").status_code == 404
    assert "counts" not in worker.get(f"/train/room/{row.id}/state.json").get_json()

    steps = 0
    while True:
        db.session.refresh(row)
        if row.status == "finished":
            break
        page = worker.get(f"/train/room/{row.id}").get_data(as_text=True)
        mine = choices_on(page)
        assert mine and "withdraw-call" not in page   # choices travel as tokens, not ids
        w_token, m_token = csrf_from(worker, f"/train/room/{row.id}"), csrf_from(mentor, f"/train/room/{row.id}")
        worker.post(f"/train/room/{row.id}/vote", data={"csrf_token": w_token, "step": row.step, "choice": mine[0]})
        again = worker.post(f"/train/room/{row.id}/vote", data={"csrf_token": w_token, "step": row.step,
                                                                "choice": mine[-1]}, follow_redirects=True)
        assert "你的选择已提交" in again.get_data(as_text=True)
        mentor.post(f"/train/room/{row.id}/vote", data={"csrf_token": m_token, "step": row.step, "choice": mine[0]})
        counts = client.get(f"/train/room/{row.id}/state.json").get_json()["counts"]
        assert counts[mine[0]] == 2 and sum(counts.values()) == 2
        screen = client.get(f"/train/room/{row.id}/screen").get_data(as_text=True)
        assert "张晓梅" not in screen.split('id="node"')[1]   # counts, never names
        current = row.step
        client.post(f"/train/room/{row.id}/next", data={"csrf_token": token, "step": current})
        stale = client.post(f"/train/room/{row.id}/next", data={"csrf_token": token, "step": current},
                            follow_redirects=True)
        assert "已经进入下一步" in stale.get_data(as_text=True)   # a replayed "move on" changes nothing
        steps += 1
        assert steps < 30
    debrief = worker.get(f"/train/room/{row.id}").get_data(as_text=True)
    assert "你本人的结果" in debrief and "专家点评" in debrief
    evidence = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.source_kind == "class_drill")).all()
    assert {e.user_id for e in evidence} == {people["worker"].id, people["mentor"].id}
    assert all(e.weight == 0.5 and 0 <= e.score <= 100 for e in evidence)


def test_only_attendees_present_choose(app, client, content, people, setup):
    token = csrf_from(client, f"/train/{setup['class'].id}")
    client.post(f"/train/sessions/{setup['first'].id}/drills", data={"csrf_token": token, "drill": "gas-leak"})
    row = db.session.scalar(select(ClassDrill))
    worker = logged_in(app, "worker")   # enrolled but not signed in
    page = worker.get(f"/train/room/{row.id}").get_data(as_text=True)
    assert "请先签到" in page and not choices_on(page)
    refused = worker.post(f"/train/room/{row.id}/vote", data={"csrf_token": csrf_from(worker, "/"), "step": 0,
                                                              "choice": "x"}, follow_redirects=True)
    assert "只有已签到的学员" in refused.get_data(as_text=True)
    nobody = client.post(f"/train/room/{row.id}/next", data={"csrf_token": token, "step": 0}, follow_redirects=True)
    assert "还没有人作出选择" in nobody.get_data(as_text=True)
