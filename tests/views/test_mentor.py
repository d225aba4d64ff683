"""Mentoring through the views: pairing rules, visits, observations, comments, sign-off, and every
access boundary (a mentor sees only their own mentees, a worker only their own mentorship).

Records are plausible: sign-off not before ``MENTORSHIP_MIN_MONTHS`` (or an organizer's override with a
reason), visits and observations dated within the pairing and not in the future, nothing new on an
ended pairing; the sign-off shows where the mentee stands."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import local_today, utcnow
from app.drill.service import token_of
from app.extensions import db
from app.mentor.rules import add_months
from app.models import (
    DrillAttempt, DrillComment, DrillStep, EvidenceRecord, JointVisit, Mentorship, MentorshipEvent, Notification,
    Observation, Quiz, QuizAttempt, User,
)
from tests.conftest import csrf_from


@pytest.fixture
def pair(client, content, people, login, make_user, areas):
    """pair(start, months=4): the organizer pairs mentor 李建国 with new worker 张晓梅 through the form,
    the term starting on ``start`` (today by default); returns the pairing, logged out."""

    def do(start: date | None = None, months: int = 4) -> Mentorship:
        login("organizer")
        token = csrf_from(client, "/mentoring/new")
        start = start or local_today()
        client.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                            "mentees": [people["worker"].id], "start": start.isoformat(),
                                            "planned_end": add_months(start, months).isoformat()})
        client.post("/logout", data={"csrf_token": token})
        pairing = db.session.scalar(select(Mentorship))
        assert pairing is not None and pairing.start_date == start
        return pairing

    return do


@pytest.fixture
def paired(pair):
    """A pairing that starts today."""
    return pair()


def as_user(client, login, username):
    """Log out whoever is logged in, log in as ``username``; returns a CSRF token."""
    if client.get("/").status_code == 200:
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login(username)
    return csrf_from(client, "/")


def test_pairing_rules(client, content, people, login, make_user, areas):
    login("organizer")
    token = csrf_from(client, "/mentoring/new")
    start = local_today()
    bad_terms = [add_months(start, 2), add_months(start, 7)]
    for end in bad_terms:
        page = client.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                                   "mentees": [people["worker"].id], "start": start.isoformat(),
                                                   "planned_end": end.isoformat()}, follow_redirects=True)
        assert "3" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mentorship.id))) == 0
    extra = [make_user(f"new{i}", ("worker",), areas["grid1"]) for i in range(3)]
    page = client.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                               "mentees": [u.id for u in extra], "start": start.isoformat(),
                                               "planned_end": add_months(start, 3).isoformat()}, follow_redirects=True)
    assert db.session.scalar(select(func.count(Mentorship.id))) == 0  # three mentees: refused
    people["mentor"].mentor_capacity = 1
    db.session.commit()
    client.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                        "mentees": [extra[0].id, extra[1].id], "start": start.isoformat(),
                                        "planned_end": add_months(start, 3).isoformat()})
    assert db.session.scalar(select(func.count(Mentorship.id))) == 0  # capacity 1: refused
    client.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                        "mentees": [people["other_worker"].id], "start": start.isoformat(),
                                        "planned_end": add_months(start, 3).isoformat()})
    assert db.session.scalar(select(func.count(Mentorship.id))) == 0  # outside the street: refused


def test_visit_logged_by_one_confirmed_by_the_other(client, paired, login):
    token = as_user(client, login, "mentor")
    client.post(f"/mentoring/{paired.id}/visits", data={
        "csrf_token": token, "visit_date": local_today().isoformat(), "household": "3号楼2单元", "purpose": "走访独居老人"})
    visit = db.session.scalar(select(JointVisit))
    assert visit.logged_by_id == paired.mentor_id and visit.confirmed_at is None
    client.post(f"/mentoring/visits/{visit.id}/confirm", data={"csrf_token": token})
    db.session.refresh(visit)
    assert visit.confirmed_at is None  # the logger cannot confirm their own visit
    future = (local_today() + timedelta(days=3)).isoformat()
    client.post(f"/mentoring/{paired.id}/visits", data={"csrf_token": token, "visit_date": future,
                                                        "household": "x", "purpose": "y"})
    assert db.session.scalar(select(func.count(JointVisit.id))) == 1
    token = as_user(client, login, "worker")
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == paired.mentee_id)) >= 1
    client.post(f"/mentoring/visits/{visit.id}/confirm", data={"csrf_token": token})
    db.session.refresh(visit)
    assert visit.confirmed_at is not None


def test_observation_becomes_evidence(client, paired, login):
    token = as_user(client, login, "mentor")
    client.post(f"/mentoring/{paired.id}/observations", data={
        "csrf_token": token, "indicator": "comm.residents", "rating": "4", "note": "入户时先自我介绍，耐心倾听"})
    observation = db.session.scalar(select(Observation))
    record = db.session.scalar(select(EvidenceRecord).where(EvidenceRecord.source_kind == "mentor_observation"))
    assert observation.rating == 4 and record.user_id == paired.mentee_id and record.score == 75
    token = as_user(client, login, "worker")
    client.post(f"/mentoring/{paired.id}/observations", data={
        "csrf_token": token, "indicator": "comm.residents", "rating": "5", "note": "我自己给自己打分"})
    assert db.session.scalar(select(func.count(Observation.id))) == 1  # only the mentor observes


def test_signoff_and_confirmation_record_time_to_independence(client, pair, login):
    today = local_today()
    paired = pair(add_months(today, -3))  # exactly the minimum term ago
    token = as_user(client, login, "mentor")
    assert 'id="readiness"' in client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
    client.post(f"/mentoring/{paired.id}/signoff", data={"csrf_token": token, "assessment": "能独立完成入户走访和矛盾初步调解"})
    token = as_user(client, login, "worker")
    assert 'id="readiness"' not in client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
    client.post(f"/mentoring/{paired.id}/confirm", data={"csrf_token": token})
    db.session.refresh(paired)
    assert paired.signed_off_at is not None and paired.confirmed_at is None  # a worker cannot confirm
    token = as_user(client, login, "organizer")
    page = client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
    assert 'id="readiness"' in page and 'id="override"' not in page  # the confirm step shows the mentee's state
    client.post(f"/mentoring/{paired.id}/confirm", data={"csrf_token": token})
    db.session.refresh(paired)
    assert paired.status == "independent" and paired.independence_days == (today - paired.start_date).days
    assert paired.events[-1].kind == "confirmed" and paired.events[-1].reason == ""
    assert 'id="independence"' in client.get("/mentoring").get_data(as_text=True)


def test_signoff_before_the_minimum_term_is_refused(client, pair, login):
    """Day 20 of a 3-6-month pairing, and the day before the minimum term ends: the mentor cannot sign off."""
    today = local_today()
    latest = add_months(today, -3)  # the latest start whose minimum term has not ended by today
    while add_months(latest, 3) <= today:  # (month ends clamp: 08-31 + 3 months is 11-30)
        latest += timedelta(days=1)
    for start in (today - timedelta(days=20), latest):
        paired = pair(start)
        token = as_user(client, login, "mentor")
        page = client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
        earliest = add_months(start, 3).isoformat()
        assert 'id="signoff-from"' in page and 'name="assessment"' not in page and earliest in page
        page = client.post(f"/mentoring/{paired.id}/signoff", follow_redirects=True,
                           data={"csrf_token": token, "assessment": "能独立完成入户走访和矛盾初步调解"})
        assert earliest in page.get_data(as_text=True)  # the message names the earliest date
        db.session.refresh(paired)
        assert paired.signed_off_at is None and [e.kind for e in paired.events] == ["created"]
        token = as_user(client, login, "organizer")
        client.post(f"/mentoring/{paired.id}/confirm", data={"csrf_token": token})  # no reason: refused
        db.session.refresh(paired)
        assert paired.status == "active" and paired.confirmed_at is None
        client.post("/logout", data={"csrf_token": token})
        db.session.delete(paired)
        db.session.commit()


def test_organizer_overrides_the_minimum_term_with_a_reason(client, pair, login, people):
    start = local_today() - timedelta(days=20)
    paired = pair(start)
    token = as_user(client, login, "organizer")
    page = client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
    assert 'id="override"' in page and 'id="readiness"' in page and add_months(start, 3).isoformat() in page
    client.post(f"/mentoring/{paired.id}/confirm", data={"csrf_token": token, "reason": "  "})
    db.session.refresh(paired)
    assert paired.status == "active"
    reason = "原为社区专职网格员，调岗前已独立工作三年"
    client.post(f"/mentoring/{paired.id}/confirm", data={"csrf_token": token, "reason": reason})
    db.session.refresh(paired)
    assert paired.status == "independent" and paired.independence_days == 20
    assert paired.confirmed_by_id == people["organizer"].id and paired.signed_off_at is None
    event = paired.events[-1]
    assert (event.kind, event.reason, event.by_id) == ("confirmed", reason, people["organizer"].id)
    assert reason in client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
    token = as_user(client, login, "mentor")  # nothing more to sign off
    client.post(f"/mentoring/{paired.id}/signoff", data={"csrf_token": token, "assessment": "能独立完成入户走访和矛盾初步调解"})
    db.session.refresh(paired)
    assert paired.signed_off_at is None


def test_a_worker_cannot_override(client, pair, login):
    paired = pair(local_today() - timedelta(days=20))
    token = as_user(client, login, "worker")
    client.post(f"/mentoring/{paired.id}/confirm", data={"csrf_token": token, "reason": "我觉得我可以了"})
    token = as_user(client, login, "mentor")
    client.post(f"/mentoring/{paired.id}/confirm", data={"csrf_token": token, "reason": "我觉得他可以了"})
    db.session.refresh(paired)
    assert paired.status == "active" and db.session.scalar(
        select(func.count(MentorshipEvent.id)).where(MentorshipEvent.kind == "confirmed")) == 0


def test_readiness_shows_courses_hours_quizzes_and_drills(client, pair, people, app):
    """What the sign-off rests on, from the same data as the dashboard."""
    from app.drill import service as drills
    from app.learn.progress import mark_done
    from app.mentor.dashboard import readiness
    from app.models import Course, CourseAssignment, DrillVersion, Quiz
    from app.quiz import service as quizzes

    paired = pair(add_months(local_today(), -3))
    worker = people["worker"]
    onboarding = db.session.scalars(select(Course).where(Course.tier == "onboarding", Course.active)
                                    .order_by(Course.id)).all()
    db.session.add_all(CourseAssignment(course_id=c.id, user_id=worker.id) for c in onboarding[:2])
    db.session.commit()
    empty = readiness(paired, app.config)
    assert (empty.courses_done, empty.courses_total, empty.quizzes, empty.drills_finished, empty.sealed) == \
        (0, 2, 0, 0, 0)
    assert empty.hours.tier == "onboarding" and empty.hours.earned == 0
    assert empty.hours.required == app.config["ONBOARDING_REQUIRED_DAYS"] * app.config["TRAINING_HOURS_PER_DAY"]
    course = onboarding[0]
    for lesson in course.active_lessons:
        mark_done(worker, lesson)
    quiz = db.session.scalar(select(Quiz).where(Quiz.kind == "course").order_by(Quiz.id))
    tz = app.config["BABEL_DEFAULT_TIMEZONE"]
    quizzes.submit(worker, quizzes.start_attempt(worker, quiz, tz), tz)   # nothing answered: 0, not passed
    versions = db.session.scalars(select(DrillVersion).where(DrillVersion.active).order_by(DrillVersion.id)).all()
    for version, outcome in zip(versions, ("success", "failure", None)):
        attempt = drills.start_attempt(worker, version)
        attempt.outcome, attempt.finished_at = outcome, attempt.started_at if outcome else None
    db.session.commit()
    state = readiness(paired, app.config)
    assert (state.courses_done, state.courses_total) == (1, 2)
    assert state.hours.earned == pytest.approx(sum(lesson.hours for lesson in course.active_lessons))
    assert (state.quizzes, state.quizzes_passed, state.quiz_mean) == (1, 0, 0)
    assert state.drills == {"success": 1, "failure": 1} and state.drills_finished == 2   # unfinished left out


def test_observation_and_visit_dates_lie_within_the_pairing(client, pair, login):
    """Observations dated in 2027 or 2020, tomorrow, or before the start are refused; the start day and
    today are taken; the message names the date and the allowed range."""
    today = local_today()
    start = today - timedelta(days=20)
    paired = pair(start)
    token = as_user(client, login, "mentor")
    page = client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
    assert f'min="{start}" max="{today}"' in page  # the date fields offer the window
    for day in (date(2027, 3, 1), date(2020, 3, 1), today + timedelta(days=1), start - timedelta(days=1)):
        page = client.post(f"/mentoring/{paired.id}/observations", follow_redirects=True, data={
            "csrf_token": token, "indicator": "comm.residents", "rating": "4", "note": "入户时先自我介绍",
            "observed_on": day.isoformat()}).get_data(as_text=True)
        assert day.isoformat() in page and start.isoformat() in page and today.isoformat() in page
        page = client.post(f"/mentoring/{paired.id}/visits", follow_redirects=True, data={
            "csrf_token": token, "visit_date": day.isoformat(), "household": "3号楼2单元", "purpose": "走访独居老人"})
        assert day.isoformat() in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Observation.id))) == 0
    assert db.session.scalar(select(func.count(JointVisit.id))) == 0
    assert db.session.scalar(select(func.count(EvidenceRecord.id))) == 0
    for day in (start, today):
        client.post(f"/mentoring/{paired.id}/observations", data={
            "csrf_token": token, "indicator": "comm.residents", "rating": "4", "note": "入户时先自我介绍",
            "observed_on": day.isoformat()})
        client.post(f"/mentoring/{paired.id}/visits", data={
            "csrf_token": token, "visit_date": day.isoformat(), "household": "3号楼2单元", "purpose": "走访独居老人"})
    assert sorted(db.session.scalars(select(Observation.observed_on))) == [start, today]
    assert sorted(db.session.scalars(select(JointVisit.visit_date))) == [start, today]


def test_no_record_after_the_planned_end(client, pair, login):
    """A pairing past its planned end (not yet ended by the organizer) takes records up to that day only."""
    start = add_months(local_today(), -4)
    paired = pair(start, months=3)
    token = as_user(client, login, "mentor")
    for day, taken in ((paired.planned_end + timedelta(days=1), 0), (paired.planned_end, 1)):
        client.post(f"/mentoring/{paired.id}/observations", data={
            "csrf_token": token, "indicator": "comm.residents", "rating": "4", "note": "入户时先自我介绍",
            "observed_on": day.isoformat()})
        assert db.session.scalar(select(func.count(Observation.id))) == taken


def test_an_ended_pairing_takes_no_observation_or_visit(client, pair, login):
    """A former mentor no longer writes weight-2 evidence."""
    paired = pair(local_today() - timedelta(days=20))
    token = as_user(client, login, "organizer")
    client.post(f"/mentoring/{paired.id}/end", data={"csrf_token": token, "reason": "导师调岗"})
    token = as_user(client, login, "mentor")
    page = client.get(f"/mentoring/{paired.id}").get_data(as_text=True)
    assert 'name="observed_on"' not in page and 'name="visit_date"' not in page
    client.post(f"/mentoring/{paired.id}/observations", data={
        "csrf_token": token, "indicator": "comm.residents", "rating": "2", "note": "调岗后补记一条",
        "observed_on": (local_today() - timedelta(days=1)).isoformat()})
    client.post(f"/mentoring/{paired.id}/visits", data={
        "csrf_token": token, "visit_date": local_today().isoformat(), "household": "3号楼", "purpose": "回访"})
    assert db.session.scalar(select(func.count(Observation.id))) == 0
    assert db.session.scalar(select(func.count(JointVisit.id))) == 0
    assert db.session.scalar(select(func.count(EvidenceRecord.id))) == 0


def test_extend_and_end_need_reasons(client, paired, login):
    token = as_user(client, login, "organizer")
    new_end = add_months(paired.start_date, 6).isoformat()
    client.post(f"/mentoring/{paired.id}/extend", data={"csrf_token": token, "new_end": new_end, "reason": ""})
    db.session.refresh(paired)
    assert paired.planned_end == add_months(paired.start_date, 4)
    client.post(f"/mentoring/{paired.id}/extend", data={"csrf_token": token, "new_end": new_end, "reason": "多次走访不足"})
    db.session.refresh(paired)
    assert paired.planned_end.isoformat() == new_end
    client.post(f"/mentoring/{paired.id}/end", data={"csrf_token": token, "reason": "导师调岗"})
    db.session.refresh(paired)
    assert paired.status == "ended" and paired.end_reason == "导师调岗"


def test_access_boundaries(client, paired, login, make_user, areas, people):
    outsider_mentor = make_user("mentor2", ("mentor", "worker"), areas["grid2"])
    for username in ("mentor2", "linhu1", "linhu_org"):
        as_user(client, login, username)
        assert client.get(f"/mentoring/{paired.id}").status_code == 404, username
        assert client.get(f"/profile/{paired.mentee_id}").status_code == 404, username
    as_user(client, login, "worker")
    assert client.get(f"/mentoring/{paired.id}").status_code == 200
    assert client.get(f"/profile/{people['mentor'].id}").status_code == 404  # a mentee cannot open the mentor
    assert client.get(f"/profile/{outsider_mentor.id}").status_code == 404
    as_user(client, login, "mentor")
    assert client.get(f"/profile/{paired.mentee_id}").status_code == 200
    assert client.get(f"/profile/{people['other_worker'].id}").status_code == 404
    assert client.get("/mentoring/suggestions").status_code == 403
    as_user(client, login, "organizer")
    assert client.get(f"/mentoring/{paired.id}").status_code == 200


def _submitted_quiz_attempt(user_id: int) -> QuizAttempt:
    quiz = db.session.scalar(select(Quiz).where(Quiz.kind == "course"))
    attempt = QuizAttempt(quiz=quiz, user_id=user_id, number=1, seed="x", started_at=utcnow(),
                          submitted_at=utcnow(), score=100.0, passed=True)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def test_an_ended_pairing_ends_the_former_mentors_access_to_records(client, paired, login, make_user, areas):
    """Issue 13 item 7: a mentor sees the mentee's records only while the pairing is active; the pairing
    page (and what the mentor wrote there) stays for the record."""
    attempt = _submitted_quiz_attempt(paired.mentee_id)
    token = as_user(client, login, "mentor")
    assert client.get(f"/profile/{paired.mentee_id}").status_code == 200
    assert client.get(f"/quizzes/attempts/{attempt.id}/review").status_code == 200
    assert client.get(f"/mentoring/mentees/{paired.mentee_id}/drills").status_code == 200
    client.post(f"/mentoring/{paired.id}/visits", data={
        "csrf_token": token, "visit_date": local_today().isoformat(), "household": "3号楼", "purpose": "燃气回访"})
    assert db.session.scalar(select(func.count(JointVisit.id))) == 1
    token = as_user(client, login, "organizer")
    client.post(f"/mentoring/{paired.id}/end", data={"csrf_token": token, "reason": "导师调岗"})
    db.session.refresh(paired)
    assert paired.status == "ended"
    as_user(client, login, "mentor")
    assert client.get(f"/profile/{paired.mentee_id}").status_code == 404
    assert client.get(f"/quizzes/attempts/{attempt.id}/review").status_code == 404
    assert client.get(f"/mentoring/mentees/{paired.mentee_id}/drills").status_code == 404
    page = client.get(f"/mentoring/{paired.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "燃气回访" in text and 'id="records-closed"' in text
    assert f"/quizzes/attempts/{attempt.id}/review" not in text and f"/profile/{paired.mentee_id}" not in text
    # a new current mentor sees the records; the organizer still does
    make_user("mentor3", ("mentor", "worker"), areas["grid1"])
    token = as_user(client, login, "organizer")
    assert client.get(f"/profile/{paired.mentee_id}").status_code == 200
    current = Mentorship(mentor_id=db.session.scalar(select(User.id).where(User.username == "mentor3")),
                         mentee_id=paired.mentee_id, start_date=local_today(),
                         planned_end=add_months(local_today(), 4), status="active")
    db.session.add(current)
    db.session.commit()
    as_user(client, login, "mentor3")
    assert client.get(f"/profile/{paired.mentee_id}").status_code == 200
    assert client.get(f"/quizzes/attempts/{attempt.id}/review").status_code == 200


def test_mentor_comments_on_a_drill_decision(client, paired, login):
    token = as_user(client, login, "worker")
    response = client.post("/drills/gas-leak/start", data={"csrf_token": token, "mode": "practice"})
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(DrillAttempt, attempt_id)
    client.post(f"/drills/attempts/{attempt_id}/choose", data={
        "csrf_token": token, "choice": token_of(attempt, "bell-and-light"), "step": 0})
    step = db.session.scalar(select(DrillStep))
    token = as_user(client, login, "linhu_org")
    assert client.post(f"/mentoring/steps/{step.id}/comment", data={"csrf_token": token, "text": "x"}).status_code == 404
    token = as_user(client, login, "mentor")
    client.post(f"/mentoring/steps/{step.id}/comment", data={"csrf_token": token, "text": "门铃也会打火花，要用手敲门"})
    comment = db.session.scalar(select(DrillComment))
    assert comment.author_id == paired.mentor_id
    assert db.session.scalar(select(Notification).where(Notification.kind == "drill_comment")).user_id == \
        paired.mentee_id
    for url in (f"/mentoring/{paired.id}", "/mentoring"):  # the mentee's drill shows on the dashboard
        page = client.get(url).get_data(as_text=True)
        assert step.attempt.drill_version.title in page


def test_suggestions_and_cohort_assignment(client, content, people, login, make_user, areas):
    newbies = [make_user(f"n{i}", ("worker",), areas["grid1"], name=f"新人{i}") for i in range(2)]
    login("organizer")
    page = client.get("/mentoring/suggestions").get_data(as_text=True)
    for person in newbies:
        assert f'id="suggest-{person.id}"' in page
    token = csrf_from(client, "/mentoring/cohort")
    page = client.get("/mentoring/cohort").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mentorship.id))) == 0  # a proposal saves nothing
    pairs = re.findall(r'name="pair" value="([0-9:]+)"', page)
    assert len(pairs) == 2  # the demo mentor has 2 places
    client.post("/mentoring/cohort", data={"csrf_token": token, "pair": pairs})
    assert db.session.scalar(select(func.count(Mentorship.id))) == 2


def test_form_input_checked_before_any_change(client, paired, login, people):
    """A visit without a household, an extension without a date, a malformed cohort pair or an
    unknown person change nothing; reading the notifications marks them read."""
    token = as_user(client, login, "mentor")
    client.post(f"/mentoring/{paired.id}/visits", data={"csrf_token": token, "visit_date": local_today().isoformat(),
                                                        "household": "   ", "purpose": "走访"})
    client.post(f"/mentoring/{paired.id}/visits", data={"csrf_token": token, "visit_date": "not a date",
                                                        "household": "3号楼", "purpose": "走访"})
    assert db.session.scalar(select(func.count(JointVisit.id))) == 0
    client.post(f"/mentoring/{paired.id}/observations", data={"csrf_token": token, "indicator": "comm.residents",
                                                              "rating": "x", "note": "评分无效"})
    assert db.session.scalar(select(func.count(Observation.id))) == 0
    client.get("/mentoring/notifications")
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == paired.mentor_id, Notification.read_at.is_(None))) == 0
    token = as_user(client, login, "organizer")
    client.post(f"/mentoring/{paired.id}/extend", data={"csrf_token": token, "new_end": "", "reason": "走访不足"})
    client.post(f"/mentoring/{paired.id}/extend", data={"csrf_token": token, "reason": "走访不足",
                                                        "new_end": add_months(paired.start_date, 7).isoformat()})
    client.post(f"/mentoring/{paired.id}/end", data={"csrf_token": token, "reason": " "})
    db.session.refresh(paired)
    assert paired.planned_end == add_months(paired.start_date, 4) and paired.status == "active"
    assert client.post("/mentoring/cohort", data={"csrf_token": token, "pair": ["1:x"]}).status_code == 400
    response = client.post("/mentoring/accept", data={"csrf_token": token, "mentor": people["mentor"].id,
                                                      "mentee": 999999})
    assert response.headers["Location"].endswith("/mentoring/suggestions")
    page = client.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                               "mentees": ["abc"], "start": local_today().isoformat()})
    assert page.status_code == 200 and 'name="planned_end"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mentorship.id))) == 1


def test_a_visit_to_confirm_waits_on_the_home_page_until_handled(client, paired, login):
    """A notification that asks for an action is a pending action on the reader's home page and shows
    "待处理" in the list; once done it shows "已处理" and leaves the home page. The header counts unread."""
    token = as_user(client, login, "mentor")
    client.post(f"/mentoring/{paired.id}/visits", data={
        "csrf_token": token, "visit_date": local_today().isoformat(), "household": "3号楼2单元", "purpose": "走访独居老人"})
    visit = db.session.scalar(select(JointVisit))
    token = as_user(client, login, "worker")
    home = client.get("/").get_data(as_text=True)
    assert 'id="pending"' in home and "请确认" in home.split('id="pending"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'id="unread"[^>]*>\d+<', home)
    listing = client.get("/mentoring/notifications").get_data(as_text=True)
    assert "待处理" in listing and "已处理" not in listing
    client.post(f"/mentoring/visits/{visit.id}/confirm", data={"csrf_token": token})
    assert 'id="pending"' not in client.get("/").get_data(as_text=True)
    listing = client.get("/mentoring/notifications").get_data(as_text=True)
    assert "已处理" in listing and "待处理" not in listing and "已读" in listing
    assert db.session.scalar(select(Notification.handled_at).where(Notification.subject == f"visit:{visit.id}"))
