"""What a request costs in SQL (issue 14 items 2 and 3), counted per real request: the test client
gives every request its own app context (tests/conftest.py), as gunicorn does, and the engine's
``before_cursor_execute`` event counts every statement sent to the database.

- SQLite connections run in WAL mode with synchronous=NORMAL, a busy timeout and foreign keys.
- An autosave reads the user, then the attempt (under a share lock) with its one answer row in one
  statement, and writes the row with one UPDATE: 3 statements, however many questions the attempt
  has, and nothing read back.
- A drill step reads the user, then the attempt with its version (without the drill file) in one
  statement, then writes the attempt and the step: 4 statements, the same after a long history of
  steps and steps back; as the play page's script posts it (answered with the next step), 6.
- The mentor dashboard makes the same number of queries for one mentee as for two, ended pairings
  included.
- A request looks its translations up once, however many strings it translates (and a locale forced
  within it still applies); a lesson's Markdown is rendered once per content version.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from app.clock import local_today
from app.drill import engine, service as drills
from app.extensions import db
from app.models import AttemptAnswer, DrillAttempt, DrillStep, Mentorship, QuizAttempt
from app.quiz import service as quizzes
from tests.conftest import csrf_from

QUIZ = "onboarding-emergency-test"
DRILL = "gas-leak"


@pytest.fixture
def statements(app):
    """The SQL statements sent to the database since the last ``statements.clear()``."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split())[:100])

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def test_sqlite_connections_use_wal_with_normal_sync_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


# --- the quiz autosave -------------------------------------------------------------------------

def _started_quiz(client, login) -> QuizAttempt:
    login("worker")
    response = client.post(f"/quizzes/{QUIZ}/start", data={"csrf_token": csrf_from(client, "/quizzes")})
    return db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))


def test_an_autosave_takes_three_statements_and_answers_with_what_it_wrote(client, content, people, login,
                                                                         statements):
    attempt = _started_quiz(client, login)
    rows = [r for r in attempt.answers if r.spec["type"] == "single"]
    assert len(attempt.answers) >= 10
    token = csrf_from(client, "/quizzes")
    url = f"/quizzes/attempts/{attempt.id}/answer"
    for seq, row in enumerate(rows[:2], start=1):
        form = {"csrf_token": token, "answer_id": row.id, f"seq-{row.id}": seq, f"q-{row.id}": quizzes.right_answer(row)}
        statements.clear()
        response = client.post(url, data=form)
        assert response.status_code == 200, response.get_data(as_text=True)
        # user, attempt (share lock) + answer row, UPDATE; on PostgreSQL first the commit that does not wait for the disk
        postgres = db.engine.dialect.name == "postgresql"
        assert len(statements) == 3 + postgres, "\n".join(s[:90] for s in statements)
        assert (statements[1] == "SET LOCAL synchronous_commit TO OFF") == postgres
        assert response.json["ok"] and not response.json["stale"] and response.json["seq"] == seq
        assert response.json["answer"] == quizzes.right_answer(row)
        stored = db.session.get(AttemptAnswer, row.id)
        assert stored.seq == seq and stored.answer is not None
        assert response.json["saved_at"] == stored.saved_at.isoformat()

    # an older save changes nothing and is answered with what is stored
    row = rows[0]
    response = client.post(url, data={"csrf_token": token, "answer_id": row.id, f"seq-{row.id}": 0,
                                      f"q-{row.id}": quizzes.right_answer(row)})
    assert response.json["ok"] and response.json["stale"] and response.json["seq"] == 1
    assert response.json["answer"] == quizzes.right_answer(row)


def test_only_the_autosaves_transaction_commits_without_waiting_for_the_disk(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    with db.engine.connect() as connection:  # a connection of its own: the tests' session never really commits
        connection.execute(text("SET synchronous_commit TO on"))  # the default (the test cluster runs with off)
        connection.commit()
        connection.execute(quizzes._ASYNC_COMMIT)
        assert connection.execute(text("SHOW synchronous_commit")).scalar() == "off"
        connection.commit()  # SET LOCAL: the next transaction (a submit's, say) waits for the disk again
        assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
        connection.rollback()
        connection.execute(text("RESET synchronous_commit"))
        connection.commit()


def test_an_autosave_of_another_attempts_question_saves_nothing(client, content, people, login):
    attempt = _started_quiz(client, login)
    other = quizzes.start_attempt(people["mentor"], attempt.quiz, "Asia/Shanghai")
    db.session.commit()
    row = other.answers[0]
    response = client.post(f"/quizzes/attempts/{attempt.id}/answer", data={
        "csrf_token": csrf_from(client, "/quizzes"), "answer_id": row.id, f"seq-{row.id}": 1,
        f"q-{row.id}": quizzes.right_answer(row)})
    assert response.status_code == 409 and not response.json["ok"]
    assert db.session.get(AttemptAnswer, row.id).answer is None


# --- the drill step ----------------------------------------------------------------------------

def _first_choice(attempt: DrillAttempt) -> str:
    drill = drills.drill_of(attempt.drill_version)
    return engine.available_choices(drill, drills.state_of(attempt))[0].id


def _step_statements(client, attempt: DrillAttempt, statements) -> tuple[int, list[str]]:
    db.session.expire_all()
    attempt = db.session.get(DrillAttempt, attempt.id)
    form = {"csrf_token": csrf_from(client, "/drills"), "step": attempt.step_count,
            "choice": drills.token_of(attempt, _first_choice(attempt))}
    statements.clear()
    response = client.post(f"/drills/attempts/{attempt.id}/choose", data=form)
    assert response.status_code == 302
    return len(statements), list(statements)


def test_a_drill_step_takes_four_statements_however_long_its_history(client, content, people, login,
                                                                     statements):
    login("worker")
    worker = people["worker"]
    version = drills.current_version(DRILL)
    short = drills.start_attempt(worker, version, "practice")
    long = drills.start_attempt(worker, version, "practice")
    db.session.commit()
    for _n in range(40):  # a decision and a step back, 40 times: 80 rows of history
        drills.choose(worker, long, _first_choice(long), long.step_count)
        drills.step_back(worker, long, long.step_count)
    db.session.commit()
    assert db.session.scalar(select(func.count(DrillStep.id)).where(DrillStep.attempt_id == long.id)) == 40

    few, few_sql = _step_statements(client, short, statements)
    many, many_sql = _step_statements(client, long, statements)
    assert few == many == 4, "\n".join(s[:100] for s in few_sql + ["--"] + many_sql)  # user, attempt + version, UPDATE attempt, INSERT step
    db.session.expire_all()
    newest = db.session.scalars(select(DrillStep).where(DrillStep.attempt_id == long.id)
                                .order_by(DrillStep.seq.desc())).first()
    assert newest.seq == 41 and not newest.undone
    assert db.session.get(DrillAttempt, long.id).step_count == 81
    assert [s.seq for s in db.session.get(DrillAttempt, short.id).steps] == [1]


def test_a_drill_step_shown_in_the_page_costs_what_the_post_and_redirect_cost_less_the_page(
        client, content, people, login, statements):
    """drill.js's step answers with the next step: the post's statements, the competition check of
    what the step may show, and no page load after it."""
    login("worker")
    attempt = drills.start_attempt(people["worker"], drills.current_version(DRILL), "practice")
    db.session.commit()
    form = {"csrf_token": csrf_from(client, "/drills"), "step": 0,
            "choice": drills.token_of(attempt, _first_choice(attempt))}
    statements.clear()
    response = client.post(f"/drills/attempts/{attempt.id}/choose", data=form, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200 and "html" in response.json
    in_page = list(statements)
    statements.clear()
    client.get(f"/drills/attempts/{attempt.id}")
    page_load = list(statements)
    assert len(in_page) <= 7 and not any("notification" in s for s in in_page), "\n".join(s[:100] for s in in_page)  # the 4 of a step, the sealing check (≤ 3)
    assert len(page_load) > len(in_page) - 5, "\n".join(s[:100] for s in page_load)


def test_a_drill_step_in_the_same_session_as_a_loaded_history_sees_the_new_step(content, people):
    worker = people["worker"]
    attempt = drills.start_attempt(worker, drills.current_version(DRILL), "practice")
    db.session.commit()
    drills.choose(worker, attempt, _first_choice(attempt), 0)
    assert [s.seq for s in attempt.steps] == [1]  # the history is loaded here
    drills.choose(worker, attempt, _first_choice(attempt), 1)
    assert [s.seq for s in attempt.steps] == [1, 2]


# --- the mentor dashboard ----------------------------------------------------------------------

def _pair(mentor, mentee, status="active", days=30):
    start = local_today() - timedelta(days=days)
    pairing = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, start_date=start,
                         planned_end=start + timedelta(days=150), status=status,
                         ended_on=start + timedelta(days=100) if status == "ended" else None)
    db.session.add(pairing)
    db.session.commit()
    return pairing


def _dashboard_statements(client, statements) -> tuple[int, str]:
    client.get("/mentoring")  # warm up
    statements.clear()
    response = client.get("/mentoring")
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_the_mentor_dashboard_makes_as_many_queries_for_two_mentees_as_for_one(client, content, people, login,
                                                                              make_user, areas, statements):
    mentor = people["mentor"]
    first = people["worker"]
    second = make_user("mentee2", ("worker",), areas["grid2"], worker_number="CQ010", name="赵小川")
    gone = make_user("mentee3", ("worker",), areas["grid2"], worker_number="CQ011", name="钱多多")
    _pair(mentor, first)
    for user in (first, second):
        attempt = quizzes.start_attempt(user, db.session.scalar(select(quizzes.Quiz).where(quizzes.Quiz.slug == QUIZ)),
                                        "Asia/Shanghai")
        quizzes.submit(user, attempt, "Asia/Shanghai")
        drills.start_attempt(user, drills.current_version(DRILL), "practice")
    db.session.commit()
    login("mentor")
    one, page = _dashboard_statements(client, statements)
    first_sql = list(statements)
    assert "张晓梅" in page
    _pair(mentor, second)
    _pair(mentor, gone, status="ended", days=200)
    two, page = _dashboard_statements(client, statements)
    second_sql = list(statements)
    assert "张晓梅" in page and "赵小川" in page
    assert two == one, "\n".join(first_sql + ["--"] + second_sql)


# --- translations and lesson bodies --------------------------------------------------------------

def test_translations_are_looked_up_once_per_request_and_follow_a_forced_locale(app, monkeypatch):
    import flask_babel
    from flask_babel import force_locale, gettext

    calls = []
    original = flask_babel.Domain.get_translations

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting)
    with app.app_context(), app.test_request_context("/"):  # a request of its own, as under a server
        texts = [gettext("Mentoring") for _n in range(40)]
        assert texts == ["导师带教"] * 40 and len(calls) == 1
        with force_locale("en"):
            assert gettext("Mentoring") == "Mentoring"
        assert gettext("Mentoring") == "导师带教" and len(calls) == 2
    with app.app_context(), app.test_request_context("/"):
        gettext("Mentoring")
        assert len(calls) == 3  # a new request looks them up again


def test_the_locale_is_parsed_once_per_process_and_follows_the_choice(client, people, login, monkeypatch):
    from babel import Locale

    parsed = []
    real = Locale.parse

    def counting(identifier, *args, **kwargs):
        if isinstance(identifier, str):
            parsed.append(identifier)
        return real(identifier, *args, **kwargs)

    monkeypatch.setattr(Locale, "parse", counting)
    login("worker")
    assert "退出" in client.get("/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(client, "/"), "lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en' in page and "Log out" in page
    client.post("/language", data={"csrf_token": csrf_from(client, "/"), "lang": "zh_CN", "next": "/"})
    assert "退出" in client.get("/").get_data(as_text=True)
    for _n in range(5):
        client.get("/")
    assert parsed.count("zh_CN") <= 1 and parsed.count("en") <= 1, parsed  # each name parsed once at most


def test_a_lesson_body_is_rendered_once_per_content_version(client, content, people, login, monkeypatch):
    from app.learn import rendering
    from app.models import Course, Lesson

    rendered = []
    real = rendering.render_markdown

    def counting(text):
        rendered.append(text)
        return real(text)

    monkeypatch.setattr(rendering, "render_markdown", counting)
    rendering._rendered.cache_clear()
    lesson = db.session.scalars(select(Lesson).join(Course).where(Lesson.active, Course.active)
                                .order_by(Course.sort_order, Lesson.position)).first()
    url = f"/courses/{lesson.course.slug}/{lesson.slug}"
    login("worker")
    first = client.get(url).get_data(as_text=True)
    second = client.get(url).get_data(as_text=True)
    assert len(rendered) == 1 and 'class="prose"' in first and "<p>" in second
    lesson = db.session.get(Lesson, lesson.id)
    lesson.body_md = "# 标题\n\n新版本的**正文**。"
    lesson.content_hash = "bench-new-version"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert len(rendered) == 2 and "新版本的<strong>正文</strong>。" in page
