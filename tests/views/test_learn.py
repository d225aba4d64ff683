"""Catalogue, lessons, earning hours (reading clock and lesson check), hours; organizers' assignments
and completion."""
import re
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app import signals
from app.clock import utcnow
from app.extensions import db
from app.models import Course, CourseAssignment, EvidenceRecord, Lesson, LessonProgress, Question, QuestionBank, Quiz
from app.models.course import LessonReading
from app.refusal import Refusal
from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]
LESSON = "/courses/onboarding-governance/01-grid-and-duties"
SOURCE = "onboarding-governance/01-grid-and-duties"


def lesson_row(slug="01-grid-and-duties", course="onboarding-governance") -> Lesson:
    return db.session.scalar(select(Lesson).join(Course).where(Course.slug == course, Lesson.slug == slug))


def read_for_an_hour(user) -> None:
    """Move the learner's reading clocks an hour back, as if they had been reading since."""
    db.session.execute(update(LessonReading).where(LessonReading.user_id == user.id)
                       .values(opened_at=utcnow() - timedelta(hours=1)))
    db.session.commit()


def check_form(client, user, lesson, url, right=True) -> dict:
    """The answers a learner sends from the lesson page: right ones, or a wrong pick for each question."""
    from app.learn.check import right_answers

    token = csrf_from(client, url)
    answers = right_answers(user, lesson)
    data = {"csrf_token": token}
    page = client.get(url).get_data(as_text=True)
    for name in answers:
        values = answers.getlist(name)
        if right:
            data[name] = values
            continue
        offered = re.findall(rf'name="{name}" value="([0-9a-f]+)"', page)
        data[name] = [v for v in offered if v not in values][:1] or ["不知道"]  # a wrong option, or a wrong blank
    return data


# -- catalogue and lesson pages ------------------------------------------------------------------

def test_catalogue_lists_three_tiers(client, content, people, login):
    login("worker")
    page = client.get("/courses").get_data(as_text=True)
    for tier in ("tier-onboarding", "tier-annual", "tier-topical"):
        assert tier in page
    assert "社区治理基础" in page and "矛盾纠纷调解" in page


def test_lesson_renders_sanitised_markdown(client, content, people, login):
    login("worker")
    page = client.get(LESSON).get_data(as_text=True)
    assert "<h2>" in page and "案例" in page


def test_markdown_is_sanitised(app):
    from app.templating import render_markdown

    html = render_markdown("<script>alert(1)</script>\n\n[x](javascript:alert(1)) **ok**")
    assert "<script" not in html and 'href="javascript' not in html and "<strong>ok</strong>" in html


# -- earning hours -------------------------------------------------------------------------------

def test_credit_right_after_opening_is_refused(client, content, people, login):
    """Issue 11: "mark as done" credited the hours 0.2 s after the lesson opened. Now the reading time
    must be over (and the check passed): the request is refused, says what is missing, saves nothing."""
    login("worker")
    token = csrf_from(client, LESSON)  # opens the lesson
    reading = db.session.scalar(select(LessonReading))
    before = (reading.tries, reading.failed_at, list(reading.questions))
    response = client.post(LESSON + "/done", data={"csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    assert "还需阅读约" in page or "min of reading left" in page
    db.session.expire_all()
    assert (reading.tries, reading.failed_at, list(reading.questions)) == before


def test_done_for_a_lesson_never_opened_is_refused(client, content, people, login):
    login("worker")
    token = csrf_from(client, "/courses/onboarding-governance")
    page = client.post(LESSON + "/done", data={"csrf_token": token}, follow_redirects=False)
    assert page.status_code == 302
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    assert db.session.scalar(select(func.count(LessonReading.id))) == 0  # refused: nothing saved


def test_right_answers_before_the_time_are_refused_too(client, content, people, login):
    login("worker")
    lesson = lesson_row()
    data = check_form(client, people["worker"], lesson, LESSON)
    response = client.post(LESSON + "/done", data=data, follow_redirects=True)
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    assert "还需阅读约" in response.get_data(as_text=True) or "min of reading left" in response.get_data(as_text=True)
    assert db.session.scalar(select(LessonReading.tries)) == 0


def test_lesson_page_shows_time_left_and_check_without_key(client, content, people, login):
    from app.learn.check import check_pool
    from app.quiz.questions import build_question

    login("worker")
    page = client.get(LESSON).get_data(as_text=True)
    assert 'id="reading-left"' in page and 'id="check-form"' in page
    offered = re.compile(r'name="(check-\d+)" value="([^"]+)"')
    assert offered.findall(client.get(LESSON).get_data(as_text=True)) == offered.findall(page)  # stable on reload
    reading = db.session.scalar(select(LessonReading))
    assert 1 <= len(reading.questions) <= 3
    pool = check_pool(lesson_row())
    form = page[page.index('id="check-form"'):page.index("</form>", page.index('id="check-form"'))]
    values = re.findall(r'<input type="(?:radio|checkbox)" name="check-\d+" value="([^"]+)"', form)
    for qid in reading.questions:
        question = build_question(pool[qid].spec)
        assert question.text in page
        assert question.explanation not in page
        if question.type_name == "fill":
            assert all(answer not in form for answer in question.answers if len(answer) > 1)
    assert values and all(re.fullmatch(r"[0-9a-f]{16}", v) for v in values)  # tokens, never a, b, true ...
    assert "correct" not in form
    # the same lesson for someone else: other tokens
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("mentor")
    other = client.get(LESSON).get_data(as_text=True)
    assert not set(values) & set(re.findall(r'name="check-\d+" value="([0-9a-f]+)"', other))


def test_reading_time_boundary_with_a_given_now(app, content, people):
    from app.learn.check import credit_lesson, open_lesson, reading_minimum, right_answers

    worker, lesson = people["worker"], lesson_row()
    t0 = utcnow()
    state = open_lesson(worker, lesson, now=t0)
    minimum = reading_minimum(lesson)
    assert state.seconds_left == minimum and minimum >= 60
    assert open_lesson(worker, lesson, now=t0 + timedelta(seconds=90)).seconds_left == minimum - 90
    db.session.commit()
    answers = right_answers(worker, lesson)
    with pytest.raises(Refusal, match="还需阅读约"):
        credit_lesson(worker, lesson.course, lesson, answers, now=t0 + timedelta(seconds=minimum - 1))
    db.session.rollback()
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    credit = credit_lesson(worker, lesson.course, lesson, answers, now=t0 + timedelta(seconds=minimum))
    db.session.commit()
    assert credit.new and credit.passed
    record = db.session.scalar(select(LessonProgress))
    assert record.reading_seconds == minimum and record.hours == 2
    assert record.check_right == record.check_asked == len(answers) and record.check_tries == 1
    # opening again later does not restart the clock; asking again changes nothing
    assert open_lesson(worker, lesson, now=t0 + timedelta(days=1)).record.id == record.id
    again = credit_lesson(worker, lesson.course, lesson, answers, now=t0 + timedelta(days=1))
    assert not again.new and db.session.scalar(select(func.count(LessonProgress.id))) == 1


def test_reading_minimum_follows_the_setting(app, content, people):
    from app.learn.check import reading_minimum
    from app.learn.reading import han_count

    lesson = lesson_row()
    chars = han_count(lesson.body_md)
    assert chars > 1000
    assert reading_minimum(lesson) == -(-chars * 60 // 300)
    app.config["READING_CHARS_PER_MINUTE"] = 10 ** 6
    try:
        assert reading_minimum(lesson) == app.config["READING_MIN_SECONDS"] == 60
    finally:
        app.config["READING_CHARS_PER_MINUTE"] = 300


def test_wrong_answer_gives_no_credit_and_a_new_set_after_the_wait(app, content, people):
    from werkzeug.datastructures import MultiDict

    from app.learn.check import RETRY_SECONDS, credit_lesson, open_lesson, reading_minimum, right_answers

    worker, lesson = people["worker"], lesson_row()
    t0 = utcnow()
    open_lesson(worker, lesson, now=t0)
    db.session.commit()
    done = t0 + timedelta(seconds=reading_minimum(lesson) + 5)
    first_set = list(db.session.scalar(select(LessonReading)).questions)
    right = right_answers(worker, lesson)
    wrong = MultiDict({name: "不对" for name in right})  # not a token of the page: a wrong answer
    credit = credit_lesson(worker, lesson.course, lesson, wrong, now=done)
    db.session.commit()
    assert not credit.passed and credit.retry_in == RETRY_SECONDS
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    # no instant retry: the spent set takes no answers, right ones included
    with pytest.raises(Refusal, match="换一组新题"):
        credit_lesson(worker, lesson.course, lesson, right, now=done + timedelta(seconds=5))
    db.session.rollback()
    waiting = open_lesson(worker, lesson, now=done + timedelta(seconds=RETRY_SECONDS - 1))
    assert waiting.retry_in == 1 and waiting.items == [] and waiting.explained
    assert all(e.explanation for e in waiting.explained)
    fresh = open_lesson(worker, lesson, now=done + timedelta(seconds=RETRY_SECONDS))
    db.session.commit()
    reading = db.session.scalar(select(LessonReading))
    assert fresh.items and fresh.retry_in == 0 and reading.draw == 2
    assert not set(reading.questions) & set(first_set)  # the bank has enough for other questions
    credit = credit_lesson(worker, lesson.course, lesson, right_answers(worker, lesson),
                           now=done + timedelta(seconds=RETRY_SECONDS + 60))
    db.session.commit()
    assert credit.new
    assert db.session.scalar(select(LessonProgress.check_tries)) == 2


def test_wrong_answer_over_http_shows_explanation(client, content, people, login):
    login("worker")
    lesson = lesson_row()
    client.get(LESSON)
    read_for_an_hour(people["worker"])
    data = check_form(client, people["worker"], lesson, LESSON, right=False)
    page = client.post(LESSON + "/done", data=data, follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    assert 'id="retry"' in page and "check-form" not in page and "explained" in page
    again = client.post(LESSON + "/done", data=data, follow_redirects=True)  # a replay changes nothing
    assert db.session.scalar(select(LessonReading.tries)) == 1 and again.status_code == 200


def test_unanswered_check_after_the_time_is_refused(client, content, people, login):
    login("worker")
    token = csrf_from(client, LESSON)
    read_for_an_hour(people["worker"])
    page = client.post(LESSON + "/done", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    assert db.session.scalar(select(LessonReading.tries)) == 0
    assert "check question" in page or "检查题" in page


def test_earned_hours_once_and_progress_rises(client, content, people, login):
    login("worker")
    lesson = lesson_row()
    client.get(LESSON)
    read_for_an_hour(people["worker"])
    data = check_form(client, people["worker"], lesson, LESSON)
    response = client.post(LESSON + "/done", data=data)
    assert response.headers["Location"].endswith("/courses/onboarding-governance/02-community-organizations")
    client.post(LESSON + "/done", data=data)  # a second click changes nothing
    rows = db.session.scalars(select(LessonProgress)).all()
    assert len(rows) == 1 and rows[0].hours == 2 and rows[0].reading_seconds >= 3600
    page = client.get("/courses/onboarding-governance").get_data(as_text=True)
    assert "33%" in page and 'class="muted earned"' in page
    assert 'id="lesson-credited"' in client.get(LESSON).get_data(as_text=True)


def test_twenty_parallel_right_answers_credit_once(app, client, content, people, login):
    login("worker")
    lesson = lesson_row()
    client.get(LESSON)
    read_for_an_hour(people["worker"])
    data = check_form(client, people["worker"], lesson, LESSON)
    cookie = client.get_cookie("session").value
    statuses, sent, lock = [], [], threading.Lock()

    def count(sender, **kwargs):
        with lock:
            sent.append(kwargs["lesson"].id)

    def hit():
        other = app.test_client()
        other.set_cookie("session", cookie)
        status = other.post(LESSON + "/done", data=data).status_code
        with lock:
            statuses.append(status)

    signals.lesson_completed.connect(count)
    try:
        threads = [threading.Thread(target=hit) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        signals.lesson_completed.disconnect(count)
    assert statuses == [302] * 20
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
    assert sent == [lesson.id]


def test_course_completion_becomes_evidence_once(app, content, people):
    from app.learn.check import credit_lesson, open_lesson, reading_minimum, right_answers

    worker = people["worker"]
    course = db.session.scalar(select(Course).where(Course.slug == "onboarding-governance"))
    completed = []
    signals.course_completed.connect(receiver := lambda sender, **kw: completed.append(kw["course"].slug))
    try:
        t0 = utcnow() - timedelta(hours=2)
        results = []
        for lesson in course.active_lessons:
            open_lesson(worker, lesson, now=t0)
            when = t0 + timedelta(seconds=reading_minimum(lesson))
            results.append(credit_lesson(worker, course, lesson, right_answers(worker, lesson), now=when))
            db.session.commit()
        first = course.active_lessons[0]
        credit_lesson(worker, course, first, right_answers(worker, first))
        db.session.commit()
    finally:
        signals.course_completed.disconnect(receiver)
    assert [r.course_complete for r in results] == [False, False, True]
    assert completed == ["onboarding-governance"]
    records = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.source_kind == "course_completion")).all()
    assert sorted(r.indicator for r in records) == sorted(course.indicators)


def test_lesson_without_check_questions_cannot_credit(client, content, people, login):
    login("worker")
    for question in db.session.scalars(select(Question)):
        if question.spec.get("source") == SOURCE:
            question.active = False
    db.session.commit()
    token = csrf_from(client, LESSON)
    assert 'id="no-check"' in client.get(LESSON).get_data(as_text=True)
    read_for_an_hour(people["worker"])
    page = client.post(LESSON + "/done", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    assert 'id="no-check"' in page


def test_questions_of_an_open_competition_paper_are_not_asked(app, content, people):
    from app.learn.check import check_pool

    lesson = lesson_row()
    pool = check_pool(lesson)
    assert len(pool) >= 3
    rows = db.session.execute(select(QuestionBank.slug, Question.key, Question.id).join(QuestionBank)
                              .where(Question.id.in_(list(pool)))).all()
    kept = rows[0]
    db.session.add(Quiz(slug="competition-x", title="比武", kind="competition", content_hash="x",
                        selection={"fixed": [f"{bank}/{key}" for bank, key, _id in rows[1:]]},
                        opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(days=7)))
    db.session.commit()
    assert list(check_pool(lesson)) == [kept.id]
    assert len(check_pool(lesson, now=utcnow() + timedelta(days=8))) == len(pool)  # asked again once it closed


def test_content_check_warns_of_lessons_without_check_questions(runner, app, tmp_path):
    """Listed as warnings (the lesson loads, but cannot credit hours), each naming file and lesson."""
    from app.content.sync import check_content

    shutil.copytree(ROOT / "courses", tmp_path / "courses")
    shutil.copytree(ROOT / "questions", tmp_path / "questions")
    for path in (tmp_path / "questions").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"source: {SOURCE}\n", "source: onboarding-governance\n"), encoding="utf-8")
    old = app.config["CONTENT_DIR"], app.config["QUESTIONS_DIR"]
    app.config["CONTENT_DIR"], app.config["QUESTIONS_DIR"] = str(tmp_path / "courses"), str(tmp_path / "questions")
    try:
        result = runner.invoke(args=["content", "check"])
    finally:
        app.config["CONTENT_DIR"], app.config["QUESTIONS_DIR"] = old
    warning = ("warning: courses/onboarding-governance/course.yaml: lessons[0]: no check question (no bank question "
               f"has source: {SOURCE}); a lesson without one cannot credit hours")
    assert warning in result.output.splitlines()
    assert re.search(r"^\d+ lesson\(s\) without check questions", result.output, re.MULTILINE)
    report = check_content(tmp_path / "courses", None, tmp_path / "questions")
    assert [w for w in report.lessons_without_check if SOURCE in w] and not [e for e in report.errors if SOURCE in e]


# -- hours and assignments -----------------------------------------------------------------------

def test_hours_count_against_requirements(app, content, people):
    from app.learn.progress import hour_requirements, mark_done

    worker = people["worker"]
    for lesson in db.session.scalars(select(Lesson).join(Course).where(Course.tier == "onboarding")):
        mark_done(worker, lesson)
    db.session.commit()
    onboarding, annual = hour_requirements(worker, app.config)
    assert onboarding.required == 30 and onboarding.earned == 32 and onboarding.met
    assert annual.earned == 0 and not annual.met and annual.required == 30


def test_role_assignment_reaches_only_people_below(client, content, people, login):
    from app.learn.progress import required_courses

    login("organizer")
    course = db.session.scalar(select(Course).where(Course.slug == "annual-mediation"))
    token = csrf_from(client, "/manage/assignments")
    client.post("/manage/assignments", data={"csrf_token": token, "course": course.id, "target": "area",
                                              "role": "worker", "due_date": "2026-12-31", "step": "confirm"})
    assert db.session.scalar(select(CourseAssignment)).area_id == people["organizer"].area_id
    assert [c.slug for c, _a in required_courses(people["worker"])] == ["annual-mediation"]
    assert required_courses(people["other_worker"]) == []
    page = client.get("/manage/completion").get_data(as_text=True)
    assert "矛盾纠纷调解" in page and "张晓梅" in page and "周婷" not in page


def test_assignment_to_person_outside_scope_is_refused(client, content, people, login):
    login("organizer")
    course = db.session.scalar(select(Course).where(Course.slug == "annual-mediation"))
    token = csrf_from(client, "/manage/assignments")
    client.post("/manage/assignments", data={"csrf_token": token, "course": course.id, "target": "list",
                                              "people_list": "LH001", "due_date": "2026-12-31", "step": "confirm"})
    assert db.session.scalar(select(CourseAssignment)) is None


def test_home_says_what_to_do_next(client, content, people, login):
    from app.learn.assign import assign_course

    course = db.session.scalar(select(Course).where(Course.slug == "onboarding-governance"))
    assign_course(people["admin"], course, role="worker")
    db.session.commit()
    page = login("worker").get_data(as_text=True)
    assert LESSON in page and "下一课" in page or LESSON in page
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    page = login("organizer").get_data(as_text=True)
    assert "/manage/roster" in page and "/manage/completion" in page
    assert LESSON not in page  # an organizer-only account has no learning to do
