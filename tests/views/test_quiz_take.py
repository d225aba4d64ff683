"""Taking quizzes through the views: answers saved as you go, the server refuses every tampering.

Forms post what the page shows: opaque per-attempt tokens (``service.right_answer(row)``); the
services take option ids (``ids_right``)."""
import itertools
import re
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttemptAnswer, EvidenceRecord, Quiz, QuizAttempt, WrongAnswer
from app.models.base import utcnow
from app.quiz import service
from app.quiz.questions import build_question
from tests.conftest import csrf_from

QUIZ = "onboarding-emergency-test"


@pytest.fixture
def begin(client, content, people, login):
    def do(user="worker", slug=QUIZ):
        login(user)
        token = csrf_from(client, "/quizzes")
        response = client.post(f"/quizzes/{slug}/start", data={"csrf_token": token})
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
        return db.session.get(QuizAttempt, attempt_id)

    return do


def right_answer(row: AttemptAnswer):
    """A right answer as the page's form sends it (tokens)."""
    return service.right_answer(row)


def ids_right(row: AttemptAnswer):
    """A right answer as the services take it (option ids)."""
    return service.right_answer(row.spec)


def wrong_answer(row: AttemptAnswer):
    """A wrong answer as the page's form sends it (tokens)."""
    question = build_question(row.spec)
    if row.spec["type"] == "fill":
        return "不知道"
    tokens = service.row_tokens(row)
    if row.spec["type"] == "truefalse":
        return tokens["false" if question.correct_answer() else "true"]
    wrong = [tokens[i] for i in question.option_ids if i not in question.correct_ids]
    return wrong[:1] if row.spec["type"] == "multiple" else wrong[0]


SEQ = itertools.count(1)


def save(client, attempt, row_id, value, name=None, seq=None):
    """Autosave as the page's script does: the answer and the question's next sequence number."""
    data = {"csrf_token": csrf_from(client, "/quizzes"), "answer_id": row_id,
            f"seq-{row_id}": next(SEQ) if seq is None else seq}
    data[name or f"q-{row_id}"] = value
    return client.post(f"/quizzes/attempts/{attempt.id}/answer", data=data)


def test_take_page_has_no_key_and_fixed_questions(client, begin):
    attempt = begin()
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert len(attempt.answers) == 10
    for row in attempt.answers:
        assert row.spec["explanation"][:20] not in page
    assert "correct" not in page
    values = re.findall(r'type="(?:radio|checkbox)" name="q-\d+"\s+value="([^"]*)"', page)
    assert values and all(len(v) == 10 for v in values)  # tokens only: no option id, no true/false
    again = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)

    def questions(html):  # what a refresh must keep: the questions, their options and tokens, in order
        html = re.sub(r'name="csrf_token"[^>]*>|data-[a-z-]*seconds[a-z-]*="[^"]*"', "", html)  # new per request
        return re.findall(r'<fieldset.*?</fieldset>', html, re.S)

    assert questions(page) and questions(page) == questions(again)  # the same questions in the same order


def test_answers_are_saved_as_you_go(client, begin):
    attempt = begin()
    row = attempt.answers[0]
    response = save(client, attempt, row.id, right_answer(row))
    assert response.status_code == 200 and response.json["ok"]
    db.session.refresh(row)
    assert row.answer is not None and row.saved_at is not None
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert "已保存" in page or "Saved" in page


def test_tampered_answers_are_refused(client, begin, login):
    other = begin("mentor")
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    attempt = begin("worker")
    choice_rows = [r for r in attempt.answers if r.spec["type"] in ("single", "multiple")]
    row = choice_rows[0]
    for answer_id, value in ((999999, "a"), (other.answers[0].id, "a")):  # unknown; another attempt's
        response = save(client, attempt, answer_id, value, name=f"q-{answer_id}")
        assert response.status_code == 409
    option_id = build_question(row.spec).correct_ids[0]
    other_row = next(r for r in other.answers if r.question_id == row.question_id) \
        if row.question_id in {r.question_id for r in other.answers} else other.answers[0]
    for value in ("zz", option_id, service.right_answer(other_row)):  # made up; an option id; another attempt's
        response = save(client, attempt, row.id, value)
        assert response.status_code == 409 and response.json["ok"] is False and response.json["error"]
    db.session.refresh(row)
    assert row.answer is None
    assert db.session.get(AttemptAnswer, other.answers[0].id).answer is None


def test_someone_elses_attempt_is_not_found(client, begin, login):
    attempt = begin("worker")
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("mentor")
    assert client.get(f"/quizzes/attempts/{attempt.id}").status_code == 404
    assert client.get(f"/quizzes/attempts/{attempt.id}/review").status_code == 404
    token = csrf_from(client, "/quizzes")
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"csrf_token": token}).status_code == 404


def test_after_the_deadline_only_saved_answers_count(client, begin):
    attempt = begin()
    first, second = attempt.answers[0], attempt.answers[1]
    save(client, attempt, first.id, right_answer(first))
    attempt.deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = save(client, attempt, second.id, right_answer(second))
    assert response.status_code == 409 and response.json["submitted"]
    db.session.refresh(attempt)
    assert attempt.auto_submitted and attempt.score == 10.0
    db.session.refresh(second)
    assert second.answer is None


def test_second_submission_counts_once(client, begin):
    attempt = begin()
    token = csrf_from(client, "/quizzes")
    form = {"csrf_token": token}
    for row in attempt.answers:
        value = right_answer(row)
        form[f"q-{row.id}"] = value
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    db.session.refresh(attempt)
    first_time, score = attempt.submitted_at, attempt.score
    assert score == 100.0 and attempt.passed
    evidence = db.session.scalar(select(func.count(EvidenceRecord.id)))
    page = client.post(f"/quizzes/attempts/{attempt.id}/submit",
                       data={**form, f"q-{attempt.answers[0].id}": wrong_answer(attempt.answers[0])},
                       follow_redirects=True).get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.submitted_at == first_time and attempt.score == score
    assert db.session.scalar(select(func.count(EvidenceRecord.id))) == evidence
    assert "解析" in page or "Explanation" in page  # the review shows explanations


def test_wrong_answers_enter_the_book_and_leave_after_two_days(app, client, begin):
    attempt = begin()
    token = csrf_from(client, "/quizzes")
    form = {"csrf_token": token}
    for row in attempt.answers:
        form[f"q-{row.id}"] = wrong_answer(row)
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    entries = db.session.scalars(select(WrongAnswer)).all()
    assert len(entries) == 10
    entry = entries[0]
    row = next(r for r in attempt.answers if r.question_id == entry.question_id)
    tz = app.config["BABEL_DEFAULT_TIMEZONE"]
    # local 10:00 tomorrow, so that "an hour later" is the same local day whatever time the test runs
    here = utcnow().astimezone(ZoneInfo(tz)) + timedelta(days=1)
    day1 = here.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
    assert service.practise(attempt.user, entry.id, ids_right(row), tz, now=day1).cleared is False
    assert service.practise(attempt.user, entry.id, ids_right(row), tz, now=day1 + timedelta(minutes=1)).cleared \
        is False  # the same day twice does not count (a minute later: an hour crossed midnight at 23:00 local)
    assert entry not in service.due_entries(attempt.user, tz, now=day1)  # spaced: not again today
    result = service.practise(attempt.user, entry.id, ids_right(row), tz, now=day1 + timedelta(days=1))
    assert result.cleared
    db.session.commit()
    assert len(service.book_entries(attempt.user)) == 9


def test_attempt_limit_and_window(client, begin, login):
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == QUIZ))
    quiz.attempts_allowed = 1
    db.session.commit()
    attempt = begin()
    token = csrf_from(client, "/quizzes")
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"csrf_token": token})
    page = client.post(f"/quizzes/{QUIZ}/start", data={"csrf_token": token}, follow_redirects=True)
    assert "次数" in page.get_data(as_text=True) or "attempts" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    quiz.attempts_allowed, quiz.closes_at = 0, utcnow() - timedelta(days=1)
    db.session.commit()
    client.post(f"/quizzes/{QUIZ}/start", data={"csrf_token": token})
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_statistics_and_excel_for_organizers(client, begin, login):
    attempt = begin("worker")
    token = csrf_from(client, "/quizzes")
    form = {"csrf_token": token, **{f"q-{r.id}": right_answer(r) for r in attempt.answers[:5]}}
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("organizer")
    page = client.get(f"/quizzes/{QUIZ}/stats").get_data(as_text=True)
    assert "50.0" in page  # the one attempt's mean
    response = client.get(f"/quizzes/{QUIZ}/stats.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.data))
    assert book.worksheets[1].max_row == 11  # header + 10 questions


def test_the_service_refuses_another_persons_attempt(app, begin, people):
    from app.refusal import Refusal

    attempt = begin("worker")
    row, tz = attempt.answers[0], app.config["BABEL_DEFAULT_TIMEZONE"]
    with pytest.raises(Refusal):
        service.save_answer(people["mentor"], attempt, row.id, ids_right(row), tz)
    with pytest.raises(Refusal):
        service.submit(people["mentor"], attempt, tz, answers={row.id: ids_right(row)})
    assert row.answer is None and attempt.submitted_at is None


def test_a_malformed_answer_at_submit_saves_nothing(client, begin):
    attempt = begin()
    first, choice = attempt.answers[0], next(r for r in attempt.answers if r.spec["type"] in ("single", "multiple"))
    form = {"csrf_token": csrf_from(client, "/quizzes"), f"q-{first.id}": right_answer(first), f"q-{choice.id}": "zz"}
    response = client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt.id}")  # back to the attempt
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and all(r.answer is None for r in attempt.answers)
