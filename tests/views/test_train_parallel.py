"""Parallel requests fired with threads at a live server change a training class once: 20 sign-ins with
the same code write one attendance and one evidence record; 20 "move on" posts advance a classroom drill
one step. On SQLite and (marked ``db``) on PostgreSQL."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.extensions import db
from app.models import ClassAttendance, ClassDrill, EvidenceRecord
from tests.views.test_quiz_integrity import PARALLEL, fire, log_in, server  # noqa: F401  (fixture)
from tests.views.test_train import code_link, setup  # noqa: F401  (fixture)


def test_parallel_sign_ins_count_once(client, setup, server):  # noqa: F811
    link = urlsplit(code_link(client, setup["first"])).path
    worker = log_in(server, "worker")
    token = worker.csrf(link)
    results = fire([lambda b=worker.copy(): b.post(link, {"csrf_token": token}) for _ in range(PARALLEL)])
    assert all(not isinstance(r, Exception) and r[0] == 200 for r in results), results[:3]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ClassAttendance.id))) == 1
    assert db.session.scalar(select(func.count(EvidenceRecord.id)).where(
        EvidenceRecord.source_kind == "class_attendance")) == 1


def test_parallel_move_on_advances_once(client, content, setup, server):  # noqa: F811
    worker = log_in(server, "worker")
    link = urlsplit(code_link(client, setup["first"])).path
    worker.post(link, {"csrf_token": worker.csrf(link)})
    organizer = log_in(server, "organizer")
    token = organizer.csrf(f"/train/{setup['class'].id}")
    organizer.post(f"/train/sessions/{setup['first'].id}/drills", {"csrf_token": token, "drill": "gas-leak"})
    row = db.session.scalar(select(ClassDrill))
    page = worker.get(f"/train/room/{row.id}")[2]
    choice = re.search(r'name="choice" value="([^"]+)"', page).group(1)
    worker.post(f"/train/room/{row.id}/vote", {"csrf_token": worker.csrf(f"/train/room/{row.id}"), "step": 0,
                                               "choice": choice})
    results = fire([lambda b=organizer.copy(): b.post(f"/train/room/{row.id}/next", {"csrf_token": token, "step": 0})
                    for _ in range(PARALLEL)])
    assert all(not isinstance(r, Exception) and r[0] == 302 for r in results), results[:3]
    db.session.expire_all()
    assert db.session.get(ClassDrill, row.id).step == 1
