"""What a person is told to do next: required courses by tier (onboarding first) and due date, and the
onboarding hours requirement only for new workers."""
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from app.learn.progress import hour_requirements, onboarding_applies, required_courses
from app.models import Course, CourseAssignment


def require(user, slug, due=None):
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    db.session.add(CourseAssignment(course_id=course.id, user_id=user.id, due_date=due))
    db.session.commit()
    return course


def test_required_courses_come_onboarding_first_then_by_due_date(app, content, people):
    worker = people["worker"]
    today = local_today()
    require(worker, "annual-policy", due=today + timedelta(days=5))
    require(worker, "onboarding-policy")
    require(worker, "onboarding-emergency", due=today + timedelta(days=30))
    require(worker, "onboarding-governance", due=today + timedelta(days=10))
    order = [course.slug for course, _a in required_courses(worker)]
    assert order == ["onboarding-governance", "onboarding-emergency", "onboarding-policy", "annual-policy"]


def test_onboarding_hours_only_for_new_workers(app, people):
    today = local_today()
    worker, mentor = people["worker"], people["mentor"]
    assert onboarding_applies(worker, today)  # a worker without a recorded hire date is taken as new
    assert not onboarding_applies(mentor, today)  # mentors are experienced workers
    worker.hire_date = today - timedelta(days=400)
    assert not onboarding_applies(worker, today)
    worker.hire_date = today - timedelta(days=30)
    mentor.hire_date = today - timedelta(days=30)
    assert onboarding_applies(worker, today) and onboarding_applies(mentor, today)
    db.session.commit()
    with current_app.test_request_context():
        tiers = [r.tier for r in hour_requirements(people["worker"], current_app.config)]
    assert tiers == ["onboarding", "annual"]
    people["worker"].hire_date = today - timedelta(days=3 * 365)
    db.session.commit()
    with current_app.test_request_context():
        assert [r.tier for r in hour_requirements(people["worker"], current_app.config)] == ["annual"]


def test_veteran_home_page_does_not_ask_for_onboarding(client, login, people):
    people["mentor"].hire_date = local_today() - timedelta(days=6 * 365)
    db.session.commit()
    login("mentor")
    page = client.get("/").get_data(as_text=True)
    requirements = re.findall(r'<div class="requirement">\s*<h3>([^<]*)</h3>', page)
    assert requirements == ["年度轮训"]


def test_area_tree_counts_everyone_below_and_sorts_grids_by_number(client, login, people, areas, make_user):
    from app.accounts.areas import create_area

    create_area("第三网格", "grid", areas["xingfu"])
    create_area("第十网格", "grid", areas["xingfu"])
    db.session.commit()
    login("admin")
    page = client.get("/manage/areas").get_data(as_text=True)
    tree = page.split('class="tree"', 1)[1]
    positions = [tree.index(f"<strong>{name}</strong>") for name in ("第一网格", "第二网格", "第三网格", "第十网格")]
    assert positions == sorted(positions)
    xingfu = tree.split("<strong>幸福社区</strong>", 1)[1][:200]
    assert "2人" in xingfu.replace(" ", "") or "2 人" in xingfu  # the worker and the mentor of its two grids


def test_people_lists_sort_by_pinyin(client, login, people, areas, make_user):
    for username, name in (("w-wu", "吴芳"), ("w-liu", "刘洋"), ("w-feng", "冯雪")):
        make_user(username, ("worker",), areas["grid1"], name=name)
    login("organizer")
    page = client.get("/manage/users").get_data(as_text=True)
    names = [n for n in re.findall(r">([\u4e00-\u9fff]{2,3})<", page) if n in {"冯雪", "刘洋", "吴芳", "张晓梅", "李建国"}]
    assert names == ["冯雪", "李建国", "刘洋", "吴芳", "张晓梅"]  # feng, li, liu, wu, zhang — not code point order
