"""Profiles and the cohort view: constant query counts, access, assigning a course to the weakest,
records out as Excel and valid xAPI, and the LRS outbox with retries."""
import re
import json
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

from app.drill.service import token_of
from app.extensions import db
from app.models import CourseAssignment, DrillAttempt, EvidenceRecord
from app.models.base import utcnow
from app.profile.xapi import validate_statement
from tests.conftest import csrf_from

INDICATORS = ["policy.learning", "policy.accuracy", "comm.residents", "comm.departments", "handling.detection",
              "handling.emergency", "info.collection", "info.analysis", "resilience.stress", "resilience.emotion"]


def add_evidence(user, n, score=50.0):
    """``n`` records through the evidence hub (which keeps the sums the cohort views read)."""
    from app import evidence

    now = utcnow()
    for kind in ("drill_decision", "quiz_answer"):
        evidence.record_all(kind, [
            evidence.Item(user_id=user.id, indicator=INDICATORS[i % 10], score=score, weight=1.0,
                          source_ref=f"test:{user.id}:{i}", at=now - timedelta(days=i % 90))
            for i in range(n) if (kind == "quiz_answer") == bool(i % 2)])
    db.session.commit()


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_profile_queries_do_not_grow_with_evidence(client, content, people, login):
    login("worker")
    worker = people["worker"]
    counts = []
    for n in (20, 400):
        add_evidence(worker, n)
        client.get(f"/profile/{worker.id}")  # warm caches (model file, compiled templates)
        with count_queries() as counter:
            assert client.get(f"/profile/{worker.id}").status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], counts


def bulk_people(area, count, start):
    """``count`` workers in ``area`` with 10 evidence records each, inserted in bulk."""
    from sqlalchemy import insert

    from app.models import User, UserRole

    now = utcnow()
    db.session.execute(insert(User), [{"username": f"bulk{start + i}", "name": f"bulk{start + i}", "area_id": area.id,
                                       "password_hash": "x", "must_change_password": False, "active": True,
                                       "mentor_capacity": 2, "created_at": now} for i in range(count)])
    ids = list(db.session.scalars(select(User.id).where(User.username.like("bulk%"),
                                                        ~User.role_rows.any())))
    db.session.execute(insert(UserRole), [{"user_id": uid, "role": "worker"} for uid in ids])
    db.session.execute(insert(EvidenceRecord), [
        {"user_id": uid, "indicator": INDICATORS[k], "score": 40.0, "weight": 1.0, "source_kind": "quiz_answer",
         "source_ref": f"bulk:{uid}:{k}", "content_version": "", "created_at": now - timedelta(days=k)}
        for uid in ids for k in range(10)])
    rebuild_sums()


def rebuild_sums():
    """Records inserted around the evidence hub: rebuild the sums the cohort views read."""
    from app import evidence_sums

    evidence_sums.rebuild(db.session, evidence_sums.settings(), force=True)
    db.session.commit()


def test_cohort_queries_do_not_grow_with_people(client, content, people, login, areas):
    """3 people, then over 500 (where per-batch eager loads would start to add queries)."""
    login("organizer")
    counts = []
    for size in (3, 520):
        bulk_people(areas["grid1"], size, start=len(counts) * 1000)
        client.get("/profile/cohort")
        with count_queries() as counter:
            page = client.get("/profile/cohort")
        assert page.status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], counts


def test_levels_and_weakest_show_on_the_profile(client, content, people, login):
    add_evidence(people["worker"], 60)
    login("worker")
    page = client.get(f"/profile/{people['worker'].id}").get_data(as_text=True)
    assert 'id="radar-groups"' in page and "<svg" in page and 'id="weakest"' in page
    assert "50</strong>" in page


def test_cohort_assigns_a_course_to_everyone_below_the_threshold(client, content, people, login, make_user, areas):
    from app.models import Course

    low = [make_user(f"low{i}", ("worker",), areas["grid1"]) for i in range(2)]
    high = make_user("high", ("worker",), areas["grid2"])
    for person in low:
        add_evidence(person, 40, score=30.0)
    add_evidence(high, 40, score=90.0)
    add_evidence(people["other_worker"], 40, score=10.0)  # another street: never touched
    login("organizer")
    course = db.session.scalar(select(Course).where(Course.slug == "onboarding-policy"))
    token = csrf_from(client, "/profile/cohort")
    client.post("/profile/cohort/assign", data={"csrf_token": token, "indicator": "policy.accuracy",
                                                "course": course.id, "threshold": "60", "step": "confirm",
                                                "due_date": "2027-06-30"})
    assigned = {a.user_id for a in db.session.scalars(select(CourseAssignment))}
    assert assigned == {p.id for p in low}


def test_xapi_export_is_valid(client, content, people, login):
    token = csrf_from(client, "/login")
    login("worker")
    token = csrf_from(client, "/drills")
    response = client.post("/drills/gas-leak/start", data={"csrf_token": token, "mode": "practice"})
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    for step, choice in enumerate(["knock-ventilate", "let-hood"]):
        client.post(f"/drills/attempts/{attempt_id}/choose", data={
            "csrf_token": token, "choice": token_of(db.session.get(DrillAttempt, attempt_id), choice), "step": step})
    response = client.get(f"/profile/{people['worker'].id}/xapi.json")
    statements = json.loads(response.data)
    assert len(statements) == 3  # two decisions and the attempt
    for statement in statements:
        assert validate_statement(statement) == [], statement
    assert statements[-1]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert len({s["id"] for s in statements}) == 3
    again = json.loads(client.get(f"/profile/{people['worker'].id}/xapi.json").data)
    assert [s["id"] for s in again] == [s["id"] for s in statements]  # stable ids
    excel = client.get(f"/profile/{people['worker'].id}/records.xlsx")
    assert excel.status_code == 200 and excel.data[:2] == b"PK"


def test_profile_reads_for_a_person(client, content, people, login):
    """Evidence sections say how to open them, trends have axes once two months have levels, each
    recommendation gives its own reason, no indicator id or source kind reaches the text, and only
    managers are offered the xAPI download."""
    add_evidence(people["worker"], 60)
    login("worker")
    page = client.get(f"/profile/{people['worker'].id}").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\b(comm|policy|handling|info|care)\.[a-z_]+\b", text), "indicator id in the page"
    assert "quiz_answer" not in text and "drill_decision" not in text
    assert 'class="expander"' in page and "证据（" in page
    assert 'class="trend"' in page and ">0</text>" in page and "月</text>" in page
    reasons = [re.sub(r"<[^>]+>", "", r).strip() for r in re.findall(r'<span class="muted reason">(.*?)</span></li>', page, re.S)]
    assert len(reasons) >= 2 and all("还没" in r or "已" in r for r in reasons)
    assert "xapi.json" not in page
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("organizer")
    assert "xapi.json" in client.get(f"/profile/{people['worker'].id}").get_data(as_text=True)
