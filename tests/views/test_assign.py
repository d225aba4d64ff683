"""Course assignments (issue 15 item 7): by area node, hire year or a list, each with a due date and a
preview of who gets what before anything is saved; inherited requirements from above listed read-only;
an organizer reaches nobody outside their street."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.extensions import db
from app.models import AuditRecord, Course, CourseAssignment
from tests.conftest import csrf_from

pytestmark = pytest.mark.db


def _course(slug="annual-mediation"):
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _due():
    return date(local_today().year + 1, 3, 31)


def _post(client, step="preview", **data):
    token = csrf_from(client, "/manage/assignments")
    return client.post("/manage/assignments", data={"csrf_token": token, "step": step, **data},
                       follow_redirects=True).get_data(as_text=True)


def _count():
    return db.session.scalar(select(func.count(CourseAssignment.id)))


def test_hire_year_preview_names_the_people_then_confirm_assigns_with_the_due_date(
        client, content, people, login, make_user, areas):
    from app.learn.progress import required_courses

    hired = [make_user(f"h{i}", ("worker",), areas["grid1"], name=f"新人{i}") for i in range(2)]
    older = make_user("old", ("worker",), areas["grid2"], name="老网格员")
    outsider = make_user("lhnew", ("worker",), areas["lh_grid"], name="临湖新人")
    for person in hired + [outsider]:
        person.hire_date = date(2025, 3, 1)
    older.hire_date = date(2015, 3, 1)
    db.session.commit()
    login("organizer")
    course = _course()
    fields = {"course": course.id, "target": "hired", "hired": "2025", "due_date": _due().isoformat()}
    page = _post(client, **fields)
    assert 'id="preview"' in page and "以下 2 人将须学习本课程" in page
    assert "新人0" in page and "新人1" in page and "老网格员" not in page and "临湖新人" not in page
    assert _count() == 0  # a preview saves nothing
    page = _post(client, step="confirm", **fields)
    rows = db.session.scalars(select(CourseAssignment)).all()
    assert {a.user_id for a in rows} == {p.id for p in hired}
    assert {a.due_date for a in rows} == {_due()}
    assert [c.slug for c, _a in required_courses(hired[0])] == ["annual-mediation"]
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "assignment.create"))
    assert record is not None and "新人0" in str(record.after)


def test_preview_skips_people_for_whom_the_course_is_already_required(client, content, people, login):
    from app.learn.assign import assign_course

    course = _course()
    assign_course(people["organizer"], course, users=[people["worker"]], due_date=_due())
    db.session.commit()
    login("organizer")
    fields = {"course": course.id, "target": "list", "people_list": "CQ001\n李建国", "due_date": _due().isoformat()}
    page = _post(client, **fields)
    assert 'id="preview-already"' in page and "张晓梅" in page.split('id="preview-already"')[1][:200]
    assert "李建国" in page.split('id="preview-new"')[1][:200]
    _post(client, step="confirm", **fields)
    assert {a.user_id for a in db.session.scalars(select(CourseAssignment))} == {
        people["worker"].id, people["mentor"].id}
    assert _count() == 2


def test_role_at_an_area_node_reaches_that_node_only(client, content, people, login, areas):
    from app.learn.progress import required_courses

    login("organizer")
    fields = {"course": _course().id, "target": "area", "role": "worker", "area": areas["grid2"].id,
              "due_date": _due().isoformat()}
    page = _post(client, **fields)
    assert "李建国" in page and "张晓梅" not in page.split('id="preview"')[1].split("</section>")[0]
    _post(client, step="confirm", **fields)
    assignment = db.session.scalar(select(CourseAssignment))
    assert assignment.area_id == areas["grid2"].id and assignment.role == "worker" and assignment.due_date == _due()
    assert required_courses(people["worker"]) == [] and len(required_courses(people["mentor"])) == 1


def test_another_street_is_out_of_reach(client, content, people, login, areas):
    login("organizer")
    course = _course()
    page = _post(client, step="confirm", course=course.id, target="area", role="worker", area=areas["linhu"].id,
                 due_date=_due().isoformat())
    assert "请在您的辖区内选择区域" in page
    page = _post(client, step="confirm", course=course.id, target="hired", hired="2025", area=areas["lh_grid"].id,
                 due_date=_due().isoformat())
    assert "请在您的辖区内选择区域" in page
    page = _post(client, step="confirm", course=course.id, target="list", people_list="LH001",
                 due_date=_due().isoformat())
    assert "您的辖区内找不到：LH001" in page
    assert _count() == 0


def test_a_due_date_and_a_known_list_are_required(client, content, people, login):
    login("organizer")
    page = _post(client, step="confirm", course=_course().id, target="list", people_list="CQ001")
    assert "请填写截止日期" in page
    page = _post(client, step="confirm", course=_course().id, target="list", people_list="无此人",
                 due_date=_due().isoformat())
    assert "无此人" in page and 'class="error"' in page
    assert _count() == 0


def test_city_requirements_show_as_inherited_and_read_only(client, content, people, login, areas):
    course = _course("onboarding-policy")
    db.session.add(CourseAssignment(course=course, role="worker", area=areas["city"], due_date=_due()))
    db.session.commit()
    login("organizer")
    page = client.get("/manage/assignments").get_data(as_text=True)
    inherited = page.split('id="inherited"')[1].split("</section>")[0]
    assert course.title in inherited and "江城市" in inherited and "2人" in inherited  # worker and mentor
    assert "delete" not in inherited
    current = page.split('id="current"')[1]
    assert course.title not in current


def test_the_demo_organizer_sees_the_citys_four_onboarding_courses(client, content):
    from app.demo import DEMO_PASSWORD, create_demo_data

    create_demo_data()
    db.session.commit()
    client.post("/login", data={"username": "organizer", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_from(client, "/login")})
    page = client.get("/manage/assignments").get_data(as_text=True)
    inherited = page.split('id="inherited"')[1].split("</section>")[0]
    assert inherited.count("入职培训 · ") == 4 and "上级未对" not in inherited


def test_an_unreadable_hire_year_is_refused_in_chinese(client, content, people, login):
    login("organizer")
    page = _post(client, step="confirm", course=_course().id, target="hired", hired="二〇二五",
                 due_date=_due().isoformat())
    error = page.split('class="error"')[1].split("</p>")[0]
    assert "入职年份" in error and "Not a valid" not in page
    assert _count() == 0


def test_a_past_due_date_is_refused(client, content, people, login):
    from datetime import timedelta

    login("organizer")
    page = _post(client, step="confirm", course=_course().id, target="list", people_list="CQ001",
                 due_date=(local_today() - timedelta(days=1)).isoformat())
    assert "截止日期已过" in page and _count() == 0
