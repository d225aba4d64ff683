"""Integer and number parameters are bounded (issue 13 item 6): a huge, negative or non-finite value
gives 404 or is clamped, never a 500; the error page survives a failed transaction."""
import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CourseAssignment
from tests.conftest import csrf_from

HUGE = "9" * 30


@pytest.mark.parametrize("path, expected", [
    (f"/profile/{HUGE}", 404),
    (f"/profile/{2**31}", 404),
    (f"/compete/{HUGE}", 404),
    (f"/compete/{2**63}/leaderboard", 404),
    (f"/profile/cohort?area={HUGE}", 404),
    ("/profile/cohort?area=-5", 404),
    (f"/profile/cohort?hired={HUGE}", 404),
    ("/profile/cohort?hired=99999", 404),
    (f"/profile/cohort/records.xlsx?hired={HUGE}", 404),
    (f"/profile/cohort/xapi.json?area={HUGE}", 404),
    (f"/manage/completion?area={HUGE}", 404),
    ("/profile/cohort?threshold=inf", 200),
    ("/profile/cohort?threshold=nan", 200),
    ("/profile/cohort?threshold=-1e999", 200),
    (f"/manage/users?page={HUGE}", 200),
    ("/manage/users?page=-3", 200),
    (f"/manage/completion?page={HUGE}", 200),
])
def test_huge_and_negative_numbers_never_give_500(client, people, login, path, expected):
    login("admin")
    assert client.get(path).status_code == expected, path


def test_cohort_assignment_refuses_an_infinite_threshold(client, content, people, login):
    login("organizer")
    course = db.session.scalar(db.select(__import__("app.models", fromlist=["Course"]).Course))
    token = csrf_from(client, "/profile/cohort")
    for threshold in ("inf", "1e999", "nan", "101", "-1"):
        page = client.post("/profile/cohort/assign", data={
            "csrf_token": token, "threshold": threshold, "indicator": next(iter(_indicators())),
            "course": course.id}, follow_redirects=True).get_data(as_text=True)
        assert "flash-error" in page, threshold
    assert db.session.scalar(db.select(db.func.count(CourseAssignment.id))) == 0


def test_huge_ids_in_forms_are_refused_without_500(client, content, people, login):
    login("organizer")
    token = csrf_from(client, "/profile/cohort")
    response = client.post("/profile/cohort/assign", data={"csrf_token": token, "threshold": "50", "area": HUGE,
                                                          "hired": HUGE, "course": HUGE, "indicator": "x"})
    assert response.status_code == 302


def _indicators():
    from app import competency
    return competency.indicators()


def test_the_error_page_survives_a_failed_transaction(app, client, people, login, monkeypatch):
    """An IntegrityError inside a view leaves the session needing a rollback; the 500 page still renders
    (with the menu, which queries the database) instead of failing with PendingRollbackError."""
    from app.main import views as main_views

    login("worker")

    def broken(*args, **kwargs):
        db.session.add(CourseAssignment(course_id=None, user_id=None))  # violates NOT NULL
        db.session.flush()

    monkeypatch.setattr(main_views, "render_template", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "出错" in page or "错误" in page
    assert "张晓梅" in page  # the layout's user menu rendered after the rollback
