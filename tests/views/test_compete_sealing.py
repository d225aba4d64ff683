"""Sealed means sealed: from a competition's first opening until its organizer publishes the results,
no per-question mark, class, key or explanation reaches a contestant or anyone but its organizers;
competition questions enter the 错题本 only after publication; the drills of a running round cannot be
practised by its contestants; the sealed play page tells no feedback. Everything opens at publication."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import sealing
from app.clock import local_today
from app.drill.service import analysis, current_version, token_of
from app.extensions import db
from app.models import DrillAttempt, Mentorship, QuizAttempt, RoundResult, WrongAnswer
from app.models.base import utcnow
from tests.views.test_compete import as_user, competition, local, take_quiz  # noqa: F401  (fixture)

GAS_LEAK_TIMEOUT_FEEDBACK = "你在单元门口愣住了"


def close_all(comp):
    for round_ in comp.rounds:
        round_.opens_at, round_.closes_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(minutes=1)
    db.session.commit()


def publish(client, login, comp):
    token = as_user(client, login, "organizer")
    page = client.post(f"/compete/{comp.id}/publish", data={"csrf_token": token}, follow_redirects=True)
    db.session.refresh(comp)
    assert comp.published_at is not None, page.get_data(as_text=True)[:2000]


def drill_round(client, login, comp, opens=-5, closes=60):
    """Add a gas-leak drill round opening ``opens`` minutes from now."""
    token = as_user(client, login, "organizer")
    now = utcnow()
    client.post(f"/compete/{comp.id}/rounds", data={
        "csrf_token": token, "kind": "drill", "title": "情景模拟", "weight": "1", "drill_id": "gas-leak",
        "opens_at": local(now + timedelta(minutes=opens)), "closes_at": local(now + timedelta(minutes=closes))})
    db.session.refresh(comp)
    return comp.rounds[-1]


def marks(page: str) -> list[str]:
    """Per-question marks, classes, keys and explanations a review page gives away."""
    found = re.findall(r'class="card question[^"]*"|class="correct-answer"|class="explanation[^"]*"'
                       r'|of 1 point|分（满分1分）|name="q-\d+"', page)
    return found


def test_contestant_review_during_the_round_shows_no_marks(client, competition, login):
    as_user(client, login, "worker")
    attempt = take_quiz(client, competition, right=False)
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert marks(page) == []
    assert "wrong" not in page and 'class="tag bad"' not in page
    assert attempt.answers[0].spec["text"][:12] not in page  # not even the questions


def test_organizer_sees_the_marks_and_everything_opens_at_publication(client, competition, login):
    as_user(client, login, "worker")
    attempt = take_quiz(client, competition, right=False)
    as_user(client, login, "organizer")
    assert marks(client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True))
    close_all(competition)
    as_user(client, login, "worker")
    assert marks(client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)) == []  # closed, unpublished
    publish(client, login, competition)
    as_user(client, login, "worker")
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'class="correct-answer"' in page and 'class="card question wrong"' in page


def test_mentor_contestant_cannot_open_a_mentees_competition_review(client, competition, login, people):
    db.session.add(Mentorship(mentor_id=people["mentor"].id, mentee_id=people["worker"].id,
                              start_date=local_today(), planned_end=local_today() + timedelta(days=120)))
    db.session.commit()
    as_user(client, login, "worker")
    attempt = take_quiz(client, competition, right=True)
    as_user(client, login, "mentor")  # enrolled in the same competition, and the worker's mentor
    response = client.get(f"/quizzes/attempts/{attempt.id}/review")
    page = response.get_data(as_text=True)
    assert marks(page) == [] and attempt.answers[0].spec["text"][:12] not in page
    assert "100.0" not in page  # not even the score: "submitted" only


def test_competition_questions_enter_the_book_only_after_publication(client, competition, login, people):
    as_user(client, login, "worker")
    take_quiz(client, competition, right=False)
    assert db.session.scalar(select(func.count(WrongAnswer.id))) == 0
    assert client.get("/quizzes/book/practice").status_code == 200
    close_all(competition)
    publish(client, login, competition)
    assert db.session.scalar(select(func.count(WrongAnswer.id)).where(
        WrongAnswer.user_id == people["worker"].id)) == 5


def test_a_drill_of_a_running_round_cannot_be_practised_by_its_contestants(client, competition, login):
    drill_round(client, login, competition)
    token = as_user(client, login, "worker")
    for mode in ("practice", "assessed"):
        page = client.post("/drills/gas-leak/start", data={"csrf_token": token, "mode": mode},
                           follow_redirects=True).get_data(as_text=True)
        assert "flash-error" in page
    assert db.session.scalar(select(func.count(DrillAttempt.id))) == 0
    token = as_user(client, login, "linhu1")  # not a contestant
    assert client.post("/drills/gas-leak/start", data={"csrf_token": token, "mode": "practice"}).status_code == 302
    assert db.session.scalar(select(func.count(DrillAttempt.id))) == 1


def test_an_earlier_practice_debrief_is_sealed_for_contestants_while_the_round_runs(client, competition, login):
    token = as_user(client, login, "worker")
    attempt_id = int(client.post("/drills/gas-leak/start", data={"csrf_token": token, "mode": "practice"})
                     .headers["Location"].rsplit("/", 1)[1])
    _bounds, best = analysis(current_version("gas-leak"))
    for step, (node, choice) in enumerate(best):
        client.post(f"/drills/attempts/{attempt_id}/choose", data={
            "csrf_token": token, "choice": token_of(db.session.get(DrillAttempt, attempt_id), choice, node),
            "step": step})
    assert 'id="debrief"' in client.get(f"/drills/attempts/{attempt_id}/result").get_data(as_text=True)
    drill_round(client, login, competition)
    as_user(client, login, "worker")
    page = client.get(f"/drills/attempts/{attempt_id}/result").get_data(as_text=True)
    assert 'id="debrief"' not in page and "<svg" not in page


def test_the_sealed_play_page_does_not_flash_timeout_feedback(client, competition, login):
    round_ = drill_round(client, login, competition)
    token = as_user(client, login, "worker")
    response = client.post(f"/compete/{competition.id}/rounds/{round_.id}/start", data={"csrf_token": token})
    attempt = db.session.get(DrillAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert attempt.deadline is not None  # the first node is timed
    attempt.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/drills/attempts/{attempt.id}", follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page  # the learner is told the time ran out ...
    assert GAS_LEAK_TIMEOUT_FEEDBACK not in page  # ... but not what it led to
    db.session.refresh(attempt)
    assert attempt.step_count == 1


def test_drill_round_stays_sealed_after_close_until_publication(client, competition, login):
    round_ = drill_round(client, login, competition)
    token = as_user(client, login, "worker")
    response = client.post(f"/compete/{competition.id}/rounds/{round_.id}/start", data={"csrf_token": token})
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    _bounds, best = analysis(current_version("gas-leak"))
    for step, (node, choice) in enumerate(best):
        client.post(f"/drills/attempts/{attempt_id}/choose", data={
            "csrf_token": token, "choice": token_of(db.session.get(DrillAttempt, attempt_id), choice, node),
            "step": step})
    close_all(competition)
    assert 'id="debrief"' not in client.get(f"/drills/attempts/{attempt_id}/result").get_data(as_text=True)
    as_user(client, login, "organizer")  # organizers see it
    assert 'id="debrief"' in client.get(f"/drills/attempts/{attempt_id}/result").get_data(as_text=True)
    publish(client, login, competition)
    as_user(client, login, "worker")
    assert 'id="debrief"' in client.get(f"/drills/attempts/{attempt_id}/result").get_data(as_text=True)


def test_the_sealing_api(client, competition, login, people):
    """What other features ask: sealed (per viewer), practice_blocked, book_deferred."""
    as_user(client, login, "worker")
    attempt = take_quiz(client, competition, right=False)
    worker, mentor, organizer = people["worker"], people["mentor"], people["organizer"]
    assert sealing.sealed(attempt) and sealing.sealed(attempt, worker) and sealing.sealed(attempt, mentor)
    assert not sealing.sealed(attempt, organizer)
    assert sealing.book_deferred(attempt)
    bank = competition.rounds[0].quiz.selection["fixed"][0].split("/")[0]
    assert sealing.practice_blocked(worker, "quiz bank", bank)
    assert not sealing.practice_blocked(people["other_worker"], "quiz bank", bank)
    assert not sealing.practice_blocked(worker, "quiz bank", "no-such-bank")
    assert not sealing.practice_blocked(worker, "drill", "gas-leak")  # no drill round
    later = utcnow() + timedelta(days=1)  # the rounds have closed: nothing to practise against
    assert not sealing.practice_blocked(worker, "quiz bank", bank, now=later)
    assert sealing.sealed(attempt, worker, now=later)  # but results stay sealed until publication
    assert db.session.scalar(select(func.count(RoundResult.id))) == 1


@pytest.mark.parametrize("viewer", ["worker", "mentor"])
def test_a_daily_quiz_sharing_paper_questions_is_reviewed_without_keys_during_the_round(
        client, competition, login, people, viewer):
    """A contestant's other attempts that hold a question of a running paper are shown without keys."""
    from app.models import AttemptAnswer, Question, QuestionBank, Quiz

    paper = competition.rounds[0].quiz
    bank_slug, key = paper.selection["fixed"][0].split("/")
    question = db.session.scalar(select(Question).join(QuestionBank).where(QuestionBank.slug == bank_slug,
                                                                            Question.key == key))
    quiz = db.session.scalar(select(Quiz).where(Quiz.kind == "course"))
    attempt = QuizAttempt(quiz=quiz, user_id=people[viewer].id, number=1, seed="x", started_at=utcnow(),
                          submitted_at=utcnow(), score=0.0, passed=False)
    attempt.answers.append(AttemptAnswer(position=1, question_id=question.id, spec=question.spec,
                                         content_hash=question.content_hash, option_order=[], score=0.0))
    db.session.add(attempt)
    db.session.commit()
    as_user(client, login, viewer)
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'class="correct-answer"' not in page and 'class="explanation' not in page
    as_user(client, login, "linhu1")  # not a contestant, not the owner: not found anyway
    assert client.get(f"/quizzes/attempts/{attempt.id}/review").status_code == 404
