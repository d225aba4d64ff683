"""The cohort page's "assign to those below 60" (issue 15 item 7): a preview names the people first,
leaves out those for whom the course is already required, and the confirmation takes a due date."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.learn.assign import assign_course
from app.models import AuditRecord, Course, CourseAssignment
from tests.conftest import csrf_from
from tests.views.test_profile import add_evidence

pytestmark = pytest.mark.db

DUE = "2027-06-30"


@pytest.fixture
def cohort(content, people, make_user, areas):
    low = [make_user(f"low{i}", ("worker",), areas["grid1"], name=f"低分{i}") for i in range(3)]
    high = make_user("high", ("worker",), areas["grid2"], name="高分")
    for person in low:
        add_evidence(person, 40, score=30.0)
    add_evidence(high, 40, score=90.0)
    add_evidence(people["other_worker"], 40, score=10.0)  # another street: never reached
    course = db.session.scalar(select(Course).where(Course.slug == "onboarding-policy"))
    assign_course(people["organizer"], course, users=[low[0]], due_date=date(2027, 1, 31))
    db.session.commit()
    return low, high, course


def _post(client, course, **extra):
    token = csrf_from(client, "/profile/cohort")
    return client.post("/profile/cohort/assign", data={"csrf_token": token, "indicator": "policy.accuracy",
                                                       "course": course.id, "threshold": "60", **extra},
                       follow_redirects=True)


def _assigned():
    return {a.user_id: a.due_date for a in db.session.scalars(select(CourseAssignment))}


def test_preview_names_who_gets_it_and_skips_those_already_required(client, login, people, cohort):
    low, high, course = cohort
    login("organizer")
    page = _post(client, course).get_data(as_text=True)
    new = page.split('id="cohort-new"')[1].split("</p>")[0]
    assert "低分1" in new and "低分2" in new and "低分0" not in new and "高分" not in page and "周婷" not in page
    assert "低分0" in page.split('id="cohort-already"')[1].split("</p>")[0]
    assert "以下 2 人将须学习本课程" in page and 'name="due_date"' in page
    assert _assigned() == {low[0].id: date(2027, 1, 31)}  # the preview saves nothing


def test_confirm_needs_a_due_date_then_assigns_only_the_new_ones(client, login, people, cohort):
    low, _high, course = cohort
    login("organizer")
    page = _post(client, course, step="confirm").get_data(as_text=True)
    assert "截止日期：请填写截止日期。" in page
    assert len(_assigned()) == 1
    page = _post(client, course, step="confirm", due_date=DUE).get_data(as_text=True)
    assert "已将《" in page
    assert _assigned() == {low[0].id: date(2027, 1, 31), low[1].id: date(2027, 6, 30), low[2].id: date(2027, 6, 30)}
    record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "assignment.create")
                                .order_by(AuditRecord.id.desc())).first()
    assert "低分1" in str(record.after) and "低分0" not in str(record.after)


def test_another_streets_area_is_not_found(client, login, people, cohort, areas):
    _low, _high, course = cohort
    login("organizer")
    response = _post(client, course, area=areas["lh_grid"].id, step="confirm", due_date=DUE)
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(CourseAssignment.id))) == 1


def test_a_past_due_date_is_refused_on_confirm(client, login, people, cohort):
    _low, _high, course = cohort
    login("organizer")
    page = _post(client, course, step="confirm", due_date="2020-01-01").get_data(as_text=True)
    assert "截止日期已过" in page and len(_assigned()) == 1
