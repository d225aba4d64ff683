"""Quiz attempts stay honest (issue 11, items 1 and 5).

Nothing a learner receives tells the key (pages, review, practice, autosave JSON), and attempts are
atomic under parallel requests fired with threads at a live server: 20 submits grade once and write
one set of evidence; 20 starts never pass the attempt limit; an older autosave never overwrites a
newer one. These run on SQLite and (marked ``db``) on PostgreSQL.
"""
from __future__ import annotations

import http.client
import re
import threading
from collections import Counter
from functools import partial
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AttemptAnswer, EvidenceRecord, Quiz, QuizAttempt, WrongAnswer
from app.quiz import service
from app.quiz.questions import POSITIONAL_IDS, build_question
from app.refusal import Refusal
from tests.conftest import PASSWORD, csrf_from, per_request_removed

QUIZ = "onboarding-emergency-test"
PARALLEL = 20


# --- a live server and a small HTTP client that threads can share -------------------------------

@pytest.fixture
def server(live_server):
    """The session's live server (tests/conftest.py): its base URL."""
    return live_server


class Browser:
    """Cookies and form posts over http.client (no redirects followed); ``copy()`` for another thread."""

    def __init__(self, base: str, cookies: dict | None = None):
        self.base, self.cookies = base, dict(cookies or {})
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port

    def copy(self) -> Browser:
        return Browser(self.base, self.cookies)

    def request(self, method: str, path: str, data=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read().decode("utf-8")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.headers, payload

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)

    def csrf(self, path="/quizzes") -> str:
        page = self.get(path)[2]
        return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def log_in(server, username: str) -> Browser:
    browser = Browser(server)
    status, _headers, _page = browser.post("/login", {"username": username, "password": PASSWORD,
                                                      "csrf_token": browser.csrf("/login")})
    assert status == 302
    return browser


def fire(calls) -> list:
    """Run the callables in parallel threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def started(browser: Browser, slug: str = QUIZ) -> int | None:
    """POST start; the attempt id it redirects to (None when refused)."""
    status, headers, _ = browser.post(f"/quizzes/{slug}/start", {"csrf_token": browser.csrf()})
    match = re.search(r"/attempts/(\d+)$", headers.get("Location", "")) if status == 302 else None
    return int(match.group(1)) if match else None


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# --- nothing in a page tells the key -----------------------------------------------------------

@pytest.fixture
def begin(client, content, people, login):
    def do(user="worker", slug=QUIZ):
        login(user)
        response = client.post(f"/quizzes/{slug}/start", data={"csrf_token": csrf_from(client, "/quizzes")})
        return db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))

    return do


def key_leaks(html: str, rows) -> list[str]:
    """What in ``html`` could tell a blind learner the key: option ids or true/false as form values,
    a 'correct' marker, an explanation."""
    leaks = [f"value={v!r}" for v in re.findall(r'<input[^>]*type="(?:radio|checkbox)"[^>]*value="([^"]*)"', html)
             if v in POSITIONAL_IDS or v in ("true", "false") or len(v) != 10]
    leaks += ["correct"] * ("correct" in html.lower())
    leaks += [f"explanation of {r.spec['id']}" for r in rows if r.spec["explanation"][:15] in html]
    return leaks


def test_the_take_page_shows_tokens_in_a_random_order_stable_on_reload(client, begin):
    attempt = begin()
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert key_leaks(page, attempt.answers) == []
    reload = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert per_request_removed(reload) == per_request_removed(page)  # the same page, but for its CSRF token
    for row in attempt.answers:
        question = build_question(row.spec)
        tokens = service.row_tokens(row)
        if question.choice_ids:  # the stored order, under this attempt's tokens
            assert sorted(row.option_order) == sorted(question.choice_ids)
            found = [t for t in re.findall(rf'name="q-{row.id}"\s+value="([^"]+)"', page)]
            assert found == [tokens[c] for c in row.option_order]
    # another attempt of the same person: new tokens for the same questions
    token = csrf_from(client, "/quizzes")
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"csrf_token": token})
    again = db.session.get(QuizAttempt, int(client.post(f"/quizzes/{QUIZ}/start", data={"csrf_token": token})
                                              .headers["Location"].rsplit("/", 1)[1]))
    old = {t for r in attempt.answers for t in service.row_tokens(r).values()}
    assert old.isdisjoint(t for r in again.answers for t in service.row_tokens(r).values())


def test_true_false_buttons_come_in_a_random_order_per_attempt(app, content, people):
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "emergency-drill-quiz"))
    tz = app.config["BABEL_DEFAULT_TIMEZONE"]
    orders = Counter()
    for _n in range(12):
        attempt = service.start_attempt(people["worker"], quiz, tz)
        orders.update(tuple(r.option_order) for r in attempt.answers if r.spec["type"] == "truefalse")
        service.submit(people["worker"], attempt, tz)
    db.session.commit()
    assert set(orders) == {("true", "false"), ("false", "true")}


def test_review_practice_and_autosave_answers_carry_no_key_before_submission(client, begin):
    attempt = begin()
    row = next(r for r in attempt.answers if r.spec["type"] == "single")
    token = service.right_answer(row)
    response = client.post(f"/quizzes/attempts/{attempt.id}/answer", data={
        "csrf_token": csrf_from(client, "/quizzes"), "answer_id": row.id, f"seq-{row.id}": 1, f"q-{row.id}": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.json["answer"] == token and response.json["seq"] == 1
    assert "correct" not in body and f'"{build_question(row.spec).correct_ids[0]}"' not in body
    assert "checked" in client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(client, "/quizzes")}
    form.update({f"q-{r.id}": "" for r in attempt.answers if r.spec["type"] == "fill"})
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*type="(?:radio|checkbox)"[^>]*>', review)
    assert boxes and not [b for b in boxes if "value=" in b]  # disabled inputs carry no option value
    # the wrong-answer book: the practice page shuffles under tokens and names no key
    page = client.get("/quizzes/book/practice").get_data(as_text=True)
    assert key_leaks(page, []) == []
    entry = db.session.get(WrongAnswer, int(re.search(r'name="entry_id" value="(\d+)"', page).group(1)))
    question = build_question(entry.question.spec)
    values = re.findall(r'name="answer"\s+value="([^"]+)"', page)
    if question.choice_ids:
        assert len(values) == len(question.choice_ids) and not set(values) & set(question.choice_ids)
        right = question.form_value()
        shown = service.practice_item(entry)
        picked = [o["token"] for o, c in zip(shown["options"], service._practice_order(entry, question))
                  if c in (right if isinstance(right, list) else [right])]
        result = client.post("/quizzes/book/practice", data={"csrf_token": csrf_from(client, "/quizzes"),
                                                              "entry_id": entry.id, "answer": picked})
        assert "回答正确" in result.get_data(as_text=True) or "Right!" in result.get_data(as_text=True)
        days = list(fresh(WrongAnswer, entry.id).right_days)
        bad = client.post("/quizzes/book/practice", data={"csrf_token": csrf_from(client, "/quizzes"),
                                                           "entry_id": entry.id, "answer": question.choice_ids[0]})
        assert bad.status_code == 302 and fresh(WrongAnswer, entry.id).right_days == days  # an option id: refused


def test_a_form_with_option_ids_or_another_attempts_tokens_saves_nothing(client, begin):
    attempt = begin()
    rows = [r for r in attempt.answers if r.spec["type"] in ("single", "multiple", "truefalse")]
    form = {"csrf_token": csrf_from(client, "/quizzes")}
    form.update({f"q-{r.id}": service.right_answer(r.spec) for r in rows})  # what the old pages sent
    response = client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt.id}")  # back to the page, refused
    assert fresh(QuizAttempt, attempt.id).submitted_at is None
    assert all(r.answer is None for r in fresh(QuizAttempt, attempt.id).answers)


# --- attempts are atomic under parallel requests -----------------------------------------------

def test_parallel_submits_grade_once_and_write_one_set_of_evidence(server, content, people):
    from app import signals

    browser = log_in(server, "worker")
    attempt_id = started(browser)
    attempt = fresh(QuizAttempt, attempt_id)
    form = {"csrf_token": browser.csrf()}
    for row in attempt.answers:
        form[f"q-{row.id}"] = service.right_answer(row)
        form[f"seq-{row.id}"] = 1
    sent = []

    def receiver(sender, **_kwargs):
        sent.append(sender.id)

    signals.quiz_submitted.connect(receiver)
    try:
        results = fire([partial(lambda b: b.post(f"/quizzes/attempts/{attempt_id}/submit", form)[0], browser.copy())
                        for _ in range(PARALLEL)])
    finally:
        signals.quiz_submitted.disconnect(receiver)
    assert results == [302] * PARALLEL, results
    assert sent == [attempt_id]  # graded and announced once
    attempt = fresh(QuizAttempt, attempt_id)
    assert attempt.score == 100.0 and attempt.submitted_at is not None
    expected = sum(len(r.spec["indicators"]) for r in attempt.answers)
    assert db.session.scalar(select(func.count(EvidenceRecord.id))
                             .where(EvidenceRecord.source_kind == "quiz_answer")) == expected


def test_parallel_starts_never_pass_the_attempt_limit(server, content, people):
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == QUIZ))
    assert quiz.attempts_allowed == 3
    browser = log_in(server, "worker")

    def start_and_submit(b):
        outcomes = []
        for _round in range(2):
            attempt_id = started(b)
            outcomes.append(attempt_id)
            if attempt_id:
                b.post(f"/quizzes/attempts/{attempt_id}/submit", {"csrf_token": b.csrf()})
        return outcomes

    first = fire([partial(started, browser.copy()) for _ in range(PARALLEL)])
    assert len(set(first)) == 1 and None not in first  # one attempt, resumed by every other start
    results = fire([partial(start_and_submit, browser.copy()) for _ in range(PARALLEL)])
    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id)).all()
    assert len(attempts) <= 3, [(a.id, a.attempt_no) for a in attempts]
    assert sorted(a.attempt_no for a in attempts) == list(range(1, len(attempts) + 1))
    assert started(browser) is None or len(attempts) < 3


def test_an_unlimited_quiz_still_starts_again_and_again(client, begin):
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "emergency-drill-quiz"))
    assert quiz.attempts_allowed == 0
    for n in range(1, 5):
        attempt = begin(slug=quiz.slug) if n == 1 else db.session.get(QuizAttempt, int(client.post(
            f"/quizzes/{quiz.slug}/start", data={"csrf_token": csrf_from(client, "/quizzes")})
            .headers["Location"].rsplit("/", 1)[1]))
        assert (attempt.number, attempt.attempt_no, attempt.period) == (n, n, "")
        client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"csrf_token": csrf_from(client, "/quizzes")})


def test_a_daily_quiz_counts_its_attempts_per_day(app, content, people):
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "daily"))
    tz = app.config["BABEL_DEFAULT_TIMEZONE"]
    attempt = service.start_attempt(people["worker"], quiz, tz)
    assert attempt.period == service.period_of(quiz, attempt.started_at, tz) != ""
    service.submit(people["worker"], attempt, tz)
    with pytest.raises(Refusal, match="attempts|作答次数"):
        service.start_attempt(people["worker"], quiz, tz)
    db.session.rollback()


def test_an_older_autosave_never_overwrites_a_newer_one(server, content, people):
    browser = log_in(server, "worker")
    attempt_id = started(browser)
    attempt = fresh(QuizAttempt, attempt_id)
    row = next(r for r in attempt.answers if r.spec["type"] == "single")
    tokens = service.row_tokens(row)
    order = list(row.option_order)
    url = f"/quizzes/attempts/{attempt_id}/answer"
    csrf = browser.csrf()

    def autosave(b, seq, choice):
        return b.post(url, {"csrf_token": csrf, "answer_id": row.id, f"seq-{row.id}": seq,
                            f"q-{row.id}": tokens[choice]})

    status, _h, body = autosave(browser, 5, order[1])
    assert status == 200
    status, _h, body = autosave(browser, 3, order[0])  # replayed older save: 200, nothing changes
    assert status == 200 and '"stale":true' in body.replace(" ", "") and tokens[order[1]] in body
    assert fresh(AttemptAnswer, row.id).answer == order[1] and fresh(AttemptAnswer, row.id).seq == 5
    # twenty saves racing: whatever order they arrive in, the highest sequence number's answer stays
    results = fire([partial(autosave, browser.copy(), 10 + n, order[n % len(order)]) for n in range(PARALLEL)])
    assert [r[0] if isinstance(r, tuple) else r for r in results] == [200] * PARALLEL, results
    stored = fresh(AttemptAnswer, row.id)
    assert (stored.seq, stored.answer) == (10 + PARALLEL - 1, order[(PARALLEL - 1) % len(order)])
    # an autosave without its sequence number (an old page's script) is refused
    status, _h, body = browser.post(url, {"csrf_token": csrf, "answer_id": row.id, f"q-{row.id}": tokens[order[0]]})
    assert status == 409 and fresh(AttemptAnswer, row.id).answer == order[(PARALLEL - 1) % len(order)]


def test_a_submit_from_an_older_page_keeps_the_newer_saved_answers(client, begin):
    attempt = begin()
    row = next(r for r in attempt.answers if r.spec["type"] == "single")
    order, tokens = list(row.option_order), service.row_tokens(row)
    csrf = csrf_from(client, "/quizzes")
    client.post(f"/quizzes/attempts/{attempt.id}/answer",
                data={"csrf_token": csrf, "answer_id": row.id, f"seq-{row.id}": 7, f"q-{row.id}": tokens[order[2]]})
    client.post(f"/quizzes/attempts/{attempt.id}/submit",  # a page that was open before that save
                data={"csrf_token": csrf, f"seq-{row.id}": 2, f"q-{row.id}": tokens[order[0]]})
    stored = fresh(AttemptAnswer, row.id)
    assert fresh(QuizAttempt, attempt.id).submitted_at is not None and stored.answer == order[2]


# --- the migration numbers existing attempts ---------------------------------------------------

@pytest.fixture
def scratch_database_url(empty_database_url):
    return empty_database_url


def test_migration_0007_numbers_existing_attempts_and_closes_extra_open_ones(scratch_database_url):
    from flask_migrate import downgrade, upgrade

    from app import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_database_url)
    with app.app_context():
        upgrade(revision="0006")
        utc = "+00:00" if db.engine.dialect.name == "postgresql" else ""  # SQLite holds naive UTC text
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO \"user\" (id, username, name, password_hash, must_change_password, active, "
                              f"created_at) VALUES (1, 'w', 'w', 'x', false, true, '2026-11-01 00:00:00{utc}')"))
            for qid, kind in ((1, "course"), (2, "daily")):
                conn.execute(text(
                    "INSERT INTO quiz (id, slug, title, summary, kind, selection, shuffle_questions, shuffle_options, "
                    "attempts_allowed, grading, pass_mark, review_score, review_answers, review_explanations, "
                    "content_hash, active, synced_at) VALUES (:id, :slug, 't', '', :kind, '{}', true, true, 3, "
                    f"'highest', 60, true, true, true, 'h', true, '2026-11-01 00:00:00{utc}')"),
                    {"id": qid, "slug": f"q{qid}", "kind": kind})
            attempts = [(1, 1, 1, "2026-11-01 01:00:00", "2026-11-01 01:10:00"),
                        (2, 1, 2, "2026-11-02 01:00:00", None), (3, 1, 3, "2026-11-03 01:00:00", None),
                        (4, 2, 1, "2026-11-01 15:00:00", "2026-11-01 15:05:00"),  # 23:00 in Shanghai
                        (5, 2, 2, "2026-11-01 17:00:00", "2026-11-01 17:05:00")]  # 01:00 the next day
            for aid, quiz_id, number, started_at, submitted_at in attempts:
                conn.execute(text("INSERT INTO quiz_attempt (id, quiz_id, user_id, number, seed, started_at, "
                                  "submitted_at, auto_submitted) VALUES (:id, :quiz, 1, :n, 's', :s, :sub, false)"),
                             {"id": aid, "quiz": quiz_id, "n": number, "s": started_at + utc,
                              "sub": submitted_at and submitted_at + utc})
        upgrade(revision="0007")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, period, attempt_no, submitted_at IS NULL FROM quiz_attempt "
                                     "ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "", 1, False), (2, "", 2, False), (3, "", 3, True),
                                            (4, "2026-11-01", 1, False), (5, "2026-11-02", 1, False)]
        downgrade(revision="0006")
        upgrade(revision="0007")
        db.session.remove()
        db.engine.dispose()
