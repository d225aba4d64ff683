"""xAPI out to a Learning Record Store (issue 18 items 4 and 5).

Every statement kind (every registered evidence source's builder) passes the xAPI 1.0.3 rules and
the key rule of Elasticsearch-backed stores and carries no personal data unless allowed; the push
to a small store on loopback (tests/lrs/fake_store.py: the key rule, and 401/404/422/500/503 on
demand) proves acceptance and every failure path: a refusal is found by bisection and kept whole,
an outage backs off and is revived when the store accepts again, ``flask xapi push`` says what
waits and exits non-zero when statements were refused or nothing could be sent, and /profile/lrs
shows every row that is not in the store with its reason and next try.
"""
from __future__ import annotations

import json
import math
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import evidence
from app.clock import local_today, utcnow
from app.compete import service as compete
from app.drill import engine
from app.drill import service as drills
from app.extensions import db
from app.learn.check import credit_lesson, open_lesson, reading_minimum, right_answers
from app.models import (
    CaseSubmission, ClassAttendance, ClassSession, Course, DrillVersion, Entry, Mentorship, Observation, Quiz,
    TrainingClass, User, XapiOutbox,
)
from app.profile import lrs, xapi
from app.profile.export import statements_for, xapi_config
from app.quiz import service as quizzes
from app.quiz.service import right_answer
from tests.conftest import csrf_from
from tests.lrs.fake_store import FakeStore, Served, es_key_errors

NOTE = "入户时先自我介绍再说明来意，居民很配合，台账信息当场核对。"


@pytest.fixture
def records(app, content, people):
    """One result of every kind, made through the real services where there is one: a lesson read
    and checked, a course test taken, a drill played, a practical judged, a mentor's observation with
    a note, an approved case, a class session attended (the demo data would take many seconds)."""
    worker, mentor, tz = people["worker"], people["mentor"], app.config["BABEL_DEFAULT_TIMEZONE"]
    course = db.session.scalar(select(Course).where(Course.slug == "onboarding-policy"))
    for lesson in course.active_lessons[:2]:
        opened = utcnow() - timedelta(days=3)
        state = open_lesson(worker, lesson, now=opened)
        done = opened + timedelta(seconds=reading_minimum(lesson) + 45)
        credit_lesson(worker, course, lesson, right_answers(worker, lesson, now=done), now=done)
    for user, wrong in ((worker, 0), (mentor, 3)):
        quiz = db.session.scalar(select(Quiz).where(Quiz.kind == "course", Quiz.course_slug == "onboarding-policy"))
        when = utcnow() - timedelta(days=2)
        attempt = quizzes.start_attempt(user, quiz, tz, now=when)
        for n, row in enumerate(attempt.answers):
            quizzes.save_answer(user, attempt, row.id, None if n < wrong else right_answer(row.spec), tz,
                                now=when + timedelta(minutes=1))
        quizzes.submit(user, attempt, tz, now=when + timedelta(minutes=12))
    version = db.session.scalar(select(DrillVersion).where(DrillVersion.drill_id == "gas-leak", DrillVersion.active))
    drill, when = drills.drill_of(version), utcnow() - timedelta(days=1)
    attempt = drills.start_attempt(worker, version, now=when)
    best = dict(engine.best_path(drill))
    while not drills.state_of(attempt).finished:
        state = drills.state_of(attempt)
        when += timedelta(seconds=15)
        drills.choose(worker, attempt, best.get(state.node) or engine.available_choices(drill, state)[0].id,
                      attempt.step_count, now=when)
    now = utcnow()
    contest = compete.create_competition(people["organizer"], "网格员技能比武", "", None, [])
    practical = compete.add_round(
        people["organizer"], contest, kind="practical", title="入户走访实操考核", weight=1.0,
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), indicator_ids={"comm.residents", "info.collection"},
        rubric=[{"name": "入户沟通", "max": 10, "indicator": "comm.residents"},
                {"name": "信息采集", "max": 10, "indicator": "info.collection"}])
    compete.enrol(people["organizer"], contest, [worker])
    compete.assign_judges(people["organizer"], practical, [mentor])
    compete.submit_scores(mentor, practical, db.session.scalar(select(Entry)), [8, 7], "")
    start = local_today() - timedelta(days=20)
    pairing = Mentorship(mentor_id=mentor.id, mentee_id=worker.id, start_date=start, planned_end=start + timedelta(
        days=180), status="active", created_by_id=people["organizer"].id)
    db.session.add(pairing)
    db.session.flush()
    db.session.add(Observation(mentorship_id=pairing.id, indicator="comm.residents", rating=4, note=NOTE,
                               observed_on=local_today()))
    db.session.add(CaseSubmission(author_id=worker.id, title="楼道堆放旧家具，劝导住户三天内清走", status="approved",
                                  category="civilized-city", indicators=["comm.residents"], reviewed_at=utcnow()))
    start = utcnow() - timedelta(days=2)
    session = ClassSession(topic="基层治理政策解读", starts_at=start, ends_at=start + timedelta(hours=2), hours=2.0,
                           training_class=TrainingClass(title="2026年网格员集中轮训", tier="annual", area=worker.area,
                                                        starts_on=start.date(), ends_on=start.date(), capacity=30))
    db.session.add(session)
    db.session.flush()
    db.session.add(ClassAttendance(session_id=session.id, user_id=worker.id, status="present", method="manual",
                                   signed_in_at=start, hours=2.0))
    db.session.commit()
    return db.session.scalars(select(User)).all()


@pytest.fixture
def store():
    fake = FakeStore()
    served = Served(fake)
    fake.url = f"http://127.0.0.1:{served.port}/xapi"
    yield fake
    served.stop()


@pytest.fixture
def lrs_config(app, store):
    """The app pushes to the fake store; the settings are put back afterwards."""
    saved = {key: app.config[key] for key in ("XAPI_LRS_ENDPOINT", "XAPI_LRS_USERNAME", "XAPI_LRS_PASSWORD",
                                              "XAPI_SEND_PERSONAL_DATA")}
    app.config.update(XAPI_LRS_ENDPOINT=store.url, XAPI_LRS_USERNAME=store.username, XAPI_LRS_PASSWORD=store.password)
    yield app.config
    app.config.update(saved)


def _builders():
    return [source for source in evidence.sources() if source.statements is not None]


def test_every_statement_kind_is_valid_private_stable_and_accepted(app, runner, records, store, lrs_config,
                                                                   monkeypatch):
    """One build of the records for four checks (batches of 10, so there are several)."""
    monkeypatch.setattr(lrs, "BATCH", 10)
    _every_kind_passes_xapi_and_the_key_rule(records)
    _no_personal_data_unless_allowed(app, records)
    _a_new_base_keeps_the_ids(app, records)
    _push_every_kind_to_a_store_with_the_key_rule(runner, records, store)


def _every_kind_passes_xapi_and_the_key_rule(records):
    config = xapi_config()
    context = evidence.StatementContext(config=config, user_ids=[p.id for p in records],
                                        actors={p.id: xapi.agent(p.id, config, p.name) for p in records},
                                        scores=evidence.indicator_scores([p.id for p in records]))
    kinds = set()
    for source in _builders():
        statements = list(source.statements(context))
        assert statements, f"no statement from the {source.kind} builder"
        for statement in statements:
            assert xapi.validate_statement(statement, now=utcnow()) == [], statement
            assert es_key_errors(statement) == [], statement
            kinds.add((source.kind, statement["verb"]["id"].rsplit("/", 1)[1],
                       statement["object"]["definition"]["type"].rsplit("/", 1)[1]))
    assert {("quiz_answer", "answered", "question"), ("drill_ending", "answered", "interaction"),
            ("course_completion", "completed", "lesson"), ("mentor_observation", "scored", "performance"),
            ("kb_case", "completed", "performance"), ("competition_judging", "scored", "performance"),
            ("class_attendance", "experienced", "lesson")} <= kinds
    assert {verb for _kind, verb, _type in kinds} >= {"answered", "completed", "scored"}
    assert {verb for kind, verb, _type in kinds if kind == "quiz_answer"} & {"passed", "failed"}
    scored = [s for s in statements_for(records) if s.get("result", {}).get("extensions")]
    key = config.indicator_scores_key
    assert any(s["result"]["extensions"].get(key) for s in scored)
    for statement in scored:
        for item in statement["result"]["extensions"].get(key, []):
            assert set(item) == {"indicator", "score"} and item["indicator"].startswith(config.base + "/activities/")


def _no_personal_data_unless_allowed(app, records):
    statements = statements_for(records)
    text = json.dumps(statements, ensure_ascii=False)
    for person in records:
        assert f'"{person.name}"' not in text and f'"{person.username}"' not in text
    assert NOTE not in text
    actors = {json.dumps(s["actor"], sort_keys=True) for s in statements}
    for actor in map(json.loads, actors):
        assert set(actor) == {"objectType", "account"}
        assert actor["account"]["homePage"] == app.config["XAPI_BASE"]
        assert re.fullmatch(r"[0-9a-f]{32}", actor["account"]["name"])
    app.config["XAPI_SEND_PERSONAL_DATA"] = True
    try:
        personal = statements_for(records)
    finally:
        app.config["XAPI_SEND_PERSONAL_DATA"] = False
    text = json.dumps(personal, ensure_ascii=False)
    worker = next(p for p in records if p.username == "worker")
    assert f'"name": "{worker.name}"' in text and NOTE in text
    assert [s["id"] for s in personal] == [s["id"] for s in statements]   # the same facts, the same ids


def _a_new_base_keeps_the_ids(app, records):
    before = [s["id"] for s in statements_for(records)]
    saved = app.config["XAPI_BASE"]
    app.config["XAPI_BASE"] = "https://training.jiangcheng.gov.cn/xapi"
    try:
        after = statements_for(records)
    finally:
        app.config["XAPI_BASE"] = saved
    assert [s["id"] for s in after] == before
    assert after[0]["object"]["id"].startswith("https://training.jiangcheng.gov.cn/xapi/activities/")
    assert lrs.enqueue(statements_for(records)) == len(after)
    assert lrs.enqueue(after) == 0      # nothing queued twice after the move
    db.session.rollback()


def _push_every_kind_to_a_store_with_the_key_rule(runner, records, store):
    result = runner.invoke(args=["xapi", "push"])
    assert result.exit_code == 0, result.output
    ours = statements_for(records)
    assert len(ours) > lrs.BATCH and store.stored == {s["id"]: s for s in ours}
    assert store.posts == [lrs.BATCH] * (len(ours) // lrs.BATCH) + ([len(ours) % lrs.BATCH] if len(ours) % lrs.BATCH
                                                                       else [])
    assert f"queued {len(ours)} new; sent {len(ours)}, refused 0" in result.output
    assert "nothing waits" in result.output
    again = runner.invoke(args=["xapi", "push"])
    assert again.exit_code == 0 and "queued 0 new; sent 0" in again.output and len(store.posts) == math.ceil(
        len(ours) / lrs.BATCH)


# ---------------------------------------------------------------------------------------------
# Failure paths, on statements queued directly (no demo data needed)


def _queue(count: int, bad: set[int] = frozenset()) -> list[XapiOutbox]:
    """``count`` valid statements; those at the positions in ``bad`` carry the old dotted indicator keys."""
    config = xapi_config()
    statements = []
    for n in range(count):
        statement = xapi.build_statement(
            config, actor=xapi.agent(n % 7 + 1, config), verb_key="answered",
            obj=xapi.activity(config.activity_id("quiz", "policy-basics", "question", f"q{n}"), f"第{n}题", "question"),
            timestamp=utcnow() - timedelta(minutes=count - n), source_ref=f"quiz_answer:{n}",
            result=xapi.result(80, success=True), indicator_scores={"policy.accuracy": 80.0})
        if n in bad:
            statement["result"]["extensions"][config.indicator_scores_key] = {
                "policy.accuracy": 80.0, "policy.learning": 60.0, "comm.residents": 70.0, "comm.departments": 50.0}
        statements.append(statement)
    lrs.enqueue(statements)
    db.session.commit()
    return db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()


def test_a_refused_statement_is_found_by_bisection_and_kept_whole(app, runner, store, lrs_config):
    rows = _queue(50, bad={17})
    result = runner.invoke(args=["xapi", "push"])
    assert result.exit_code == 2, result.output
    bad = rows[17]
    db.session.refresh(bad)
    assert bad.status == "refused" and bad.last_status == 422 and bad.tries == 1
    detail = json.loads(bad.last_error.split(": ", 1)[1])["detail"]
    assert len(detail) == 4 and all(d["type"] == "elasticsearch_key_validation" for d in detail)
    assert len(bad.last_error) > 400 and "'.' in 'result.extensions." in bad.last_error   # whole, not 200 characters
    assert f"refused {bad.statement_id}: HTTP 422" in result.output
    assert len(store.stored) == 49 and bad.statement_id not in store.stored
    assert all(row.status == "sent" for row in rows if row is not bad)
    assert len(store.posts) <= 2 * math.ceil(math.log2(50)) + 1      # a bisection, not one request each
    assert "1 refused by the LRS" in result.output
    posts = len(store.posts)
    again = runner.invoke(args=["xapi", "push"])     # not tried again unchanged
    assert again.exit_code == 0 and len(store.posts) == posts and "1 refused" in again.output


@pytest.mark.parametrize("status, says", [(401, "Invalid authentication credentials"), (404, "404 Not Found")])
def test_credentials_or_address_refused_mark_everything_at_once(app, runner, store, lrs_config, status, says):
    rows = _queue(120)
    if status == 401:
        app.config["XAPI_LRS_PASSWORD"] = "a wrong password"
    else:
        store.answer = status
    result = runner.invoke(args=["xapi", "push"])
    assert result.exit_code == 2, result.output
    assert store.posts == [lrs.BATCH]                 # one request tells: the others would get the same answer
    for row in rows:
        db.session.refresh(row)
        assert row.status == "refused" and row.last_status == status and says in row.last_error
    assert "refused 120" in result.output and "120 refused by the LRS" in result.output
    store.answer, app.config["XAPI_LRS_PASSWORD"] = None, store.password   # fixed: the admin queues them again
    assert runner.invoke(args=["xapi", "requeue"]).output.strip() == "queued again 120"
    assert runner.invoke(args=["xapi", "push"]).exit_code == 0 and len(store.stored) == 120


def test_an_outage_backs_off_then_the_failed_are_revived(app, runner, store, lrs_config):
    rows = _queue(60)
    store.answer = 500
    started = utcnow()
    first = runner.invoke(args=["xapi", "push"])
    assert first.exit_code == 3, first.output
    assert "will retry 60" in first.output and "HTTP 500" in first.output
    assert store.posts == [lrs.BATCH]                 # the first answer stops the run
    for row in rows:
        db.session.refresh(row)
        assert row.status == "pending" and row.tries == 1 and row.last_status == 500
        assert timedelta(seconds=55) < row.next_try_at - started < timedelta(seconds=75)
    second = runner.invoke(args=["xapi", "push"])    # the LRS is still down, nothing is due yet
    assert second.exit_code == 3 and len(store.posts) == 1
    assert "queued 0 new; sent 0" in second.output
    assert re.search(r"60 waiting \(60 after an outage\), next try at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", second.output)
    status = runner.invoke(args=["xapi", "status"])
    assert status.exit_code == 0 and "60 held back by: HTTP 500 INTERNAL SERVER ERROR" in status.output
    send = lrs.http_sender(store.url, store.username, store.password)
    moment = started
    for tries in range(2, app.config["XAPI_LRS_MAX_TRIES"] + 1):
        moment += lrs.backoff(tries - 1) + timedelta(seconds=1)
        report = lrs.send_pending(send, app.config["XAPI_LRS_MAX_TRIES"], now=moment)
        db.session.commit()
        assert report.sent == 0 and (report.failed if tries == app.config["XAPI_LRS_MAX_TRIES"] else report.retrying) == 60
    assert {row.status for row in rows} == {"failed"} and {row.tries for row in rows} == {8}
    assert lrs.backoff(7) == timedelta(hours=1)      # capped
    down = runner.invoke(args=["xapi", "push"])       # a probe: still down, nothing changes
    assert down.exit_code == 3 and "60 failed during an outage (60 will be tried again" in down.output
    assert {row.status for row in rows} == {"failed"}
    store.answer = None                               # the LRS is back: the probe is accepted, the rest follow
    back = runner.invoke(args=["xapi", "push"])
    assert back.exit_code == 0, back.output
    assert "tried again after an outage 60" in back.output and len(store.stored) == 60
    for row in rows:
        db.session.refresh(row)
        assert row.status == "sent" and row.revivals == 1


def test_retry_after_and_an_unreachable_lrs(app, runner, store, lrs_config):
    rows = _queue(3)
    store.answer = 503
    now = utcnow()
    report = lrs.send_pending(lrs.http_sender(store.url, "push", "secret"), 8, now=now)
    assert report.retrying == 3 and rows[0].next_try_at == now + timedelta(seconds=120)   # Retry-After: 120 > 1 min
    db.session.commit()
    app.config["XAPI_LRS_ENDPOINT"] = f"http://127.0.0.1:{_closed_port()}/xapi"
    result = runner.invoke(args=["xapi", "push"])
    assert result.exit_code == 3 and "queued 0 new; sent 0" in result.output
    assert lrs.send_pending(lrs.http_sender(app.config["XAPI_LRS_ENDPOINT"], "push", "secret"), 8,
                            now=now + timedelta(minutes=5)).retrying == 3
    assert "cannot reach the LRS" in rows[0].last_error and rows[0].last_status is None and rows[0].tries == 2


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_lrs_page_shows_every_unsent_row(app, client, login, people, store, lrs_config, runner):
    rows = _queue(5, bad={1})
    store.answers = [422, 422]                        # the first batch and its first half: bisection goes on
    runner.invoke(args=["xapi", "push"])
    store.answer = 500
    _queue(7)                                         # two more, then an outage
    runner.invoke(args=["xapi", "push"])
    login("admin")
    page = client.get("/profile/lrs").get_data(as_text=True)
    refused = db.session.scalars(select(XapiOutbox).where(XapiOutbox.status == "refused")).all()
    waiting = db.session.scalars(select(XapiOutbox).where(XapiOutbox.status == "pending")).all()
    assert [r.statement_id for r in refused] == [rows[1].statement_id] and len(waiting) == 2
    assert "被LRS拒收" in page and "HTTP 422" in page and "仅在重新排队后" in page
    assert "elasticsearch-incompatible key" in page                          # the whole reason, in the details
    for row in waiting:
        assert f'id="row-{row.id}"' in page and "HTTP 500" in page and "重试中" in page
    assert 'id="next-try"' in page
    client.post("/profile/lrs", data={"csrf_token": csrf_from(client, "/profile/lrs")})
    db.session.refresh(refused[0])
    assert refused[0].status == "pending" and refused[0].tries == 0
    client.post("/logout", data={"csrf_token": csrf_from(client, "/profile/lrs")})
    login("worker")
    assert client.get("/profile/lrs").status_code == 403
