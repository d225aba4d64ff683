"""One authorization table: route × role → allowed, checked for every cell.

Every route of the app has a row: a GET page in ``TABLE`` (pages anyone with a role may ask for) or
``OBJECT_TABLE`` (the page of one person, attempt, mentorship or competition), a state-changing POST in
``CSRF_POSTS``, or the endpoint in ``CHECKED_ELSEWHERE`` with the test file that checks it.
``test_every_route_has_a_row`` compares these with ``app.url_map``: a new route without a row fails.
"""
import io
import re
from datetime import timedelta
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.clock import local_today
from app.drill.service import token_of
from app.extensions import db
from app.models import Competition, DrillAttempt, Entry, Mentorship, RosterImport
from app.models.base import utcnow
from tests.conftest import PASSWORD, csrf_from
from tests.views.kb_support import kb_objects

MANAGERS = {"organizer", "admin"}
ROLES = ("worker", "mentor", "organizer", "admin")

#: (path, roles allowed); everyone else gets 403, anonymous visitors are sent to the login page.
TABLE = [
    ("/", set(ROLES)),
    ("/courses", set(ROLES)),
    ("/courses/onboarding-governance", set(ROLES)),
    ("/courses/onboarding-governance/01-grid-and-duties", set(ROLES)),
    ("/password", set(ROLES)),
    ("/manage/users", MANAGERS),
    ("/manage/users/new", MANAGERS),
    ("/manage/roster", MANAGERS),
    ("/manage/roster/template.csv", MANAGERS),
    ("/manage/roster/template.xlsx", MANAGERS),
    ("/manage/assignments", MANAGERS),
    ("/manage/completion", MANAGERS),
    ("/manage/areas", {"admin"}),
    ("/manage/password-requests", MANAGERS),
    ("/audit/", {"admin"}),
    ("/audit/export.xlsx", {"admin"}),
    ("/drills", set(ROLES)),
    ("/drills/gas-leak/map", MANAGERS | {"mentor"}),
    ("/quizzes", set(ROLES)),
    ("/quizzes/book", set(ROLES)),
    ("/quizzes/book/practice", set(ROLES)),
    ("/quizzes/import", MANAGERS),
    ("/quizzes/daily/stats", MANAGERS),
    ("/quizzes/banks", MANAGERS),
    ("/quizzes/banks/emergency", MANAGERS),
    ("/quizzes/banks/emergency/export.gift", MANAGERS),
    ("/quizzes/banks/emergency/export.xml", MANAGERS),
    ("/quizzes/daily/stats.xlsx", MANAGERS),
    ("/profile", set(ROLES)),
    ("/profile/cohort", MANAGERS),
    ("/profile/cohort/records.xlsx", MANAGERS),
    ("/profile/cohort/xapi.json", MANAGERS),
    ("/profile/lrs", {"admin"}),
    ("/mentoring", set(ROLES)),
    ("/mentoring/notifications", set(ROLES)),
    ("/mentoring/new", MANAGERS),
    ("/mentoring/suggestions", MANAGERS),
    ("/mentoring/cohort", MANAGERS),
    ("/compete", set(ROLES)),
    ("/compete/new", MANAGERS),
    ("/kb", set(ROLES)),
    ("/kb/search", set(ROLES)),
    ("/kb/assistant", set(ROLES)),
    ("/kb/cases", set(ROLES)),
    ("/kb/cases/new", set(ROLES)),
    ("/kb/inbox", MANAGERS | {"mentor"}),
    ("/train", set(ROLES)),
    ("/train/new", MANAGERS),
    ("/train/hours", set(ROLES)),
    ("/train/hours.pdf", set(ROLES)),
    ("/train/report", MANAGERS),
    ("/train/report.xlsx", MANAGERS),
]


#: Pages of one object; ``{name}`` is filled from the ``objects`` fixture. The worker (张晓梅, 长青街道)
#: owns the attempts and is the mentee of the mentor; the organizer of 长青街道 set up the competition,
#: enrolled the worker and the mentor and judges its practical round; other_worker and other_organizer
#: belong to 临湖街道. 200 shown; 302 sent on (the owner's unfinished attempt to its play page, a
#: finished one to its results); 403 the role may not; 404 not theirs (nothing leaks that it exists).
#: Anonymous visitors are sent to the login page.
VISITORS = ("worker", "mentor", "organizer", "admin", "other_worker", "other_organizer")


def row(path, *, worker, mentor, organizer, admin, other_worker, other_organizer):
    return path, {"worker": worker, "mentor": mentor, "organizer": organizer, "admin": admin,
                  "other_worker": other_worker, "other_organizer": other_organizer}


OBJECT_TABLE = [
    row("/manage/roster/imports/{roster_import}",  # uploaded by the street's organizer
        worker=403, mentor=403, organizer=200, admin=200, other_worker=403, other_organizer=404),
    row("/manage/roster/imports/{roster_import}/status.json",
        worker=403, mentor=403, organizer=200, admin=200, other_worker=403, other_organizer=404),
    row("/manage/users/{worker}",
        worker=403, mentor=403, organizer=200, admin=200, other_worker=403, other_organizer=404),
    row("/profile/{worker}",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/profile/{worker}/records.xlsx",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/profile/{worker}/xapi.json",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/mentoring/{pairing}",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/mentoring/mentees/{worker}/drills",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/quizzes/attempts/{quiz_open}",
        worker=200, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
    row("/quizzes/attempts/{quiz_done}",
        worker=302, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
    row("/quizzes/attempts/{quiz_open}/review",
        worker=302, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
    row("/quizzes/attempts/{quiz_done}/review",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/drills/attempts/{drill_open}",
        worker=200, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
    row("/drills/attempts/{drill_done}",
        worker=302, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
    row("/drills/attempts/{drill_open}/result",
        worker=302, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
    row("/drills/attempts/{drill_done}/result",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/compete/{competition}",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/compete/{competition}/leaderboard",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/compete/{competition}/results.xlsx",
        worker=403, mentor=403, organizer=200, admin=200, other_worker=403, other_organizer=404),
    row("/compete/{competition}/certificates.pdf",  # not published: drafts for organizers, nothing for others
        worker=404, mentor=404, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/compete/{competition}/results",
        worker=403, mentor=403, organizer=200, admin=200, other_worker=403, other_organizer=404),
    row("/compete/{competition}/rounds/{practical}/judge",
        worker=404, mentor=404, organizer=200, admin=404, other_worker=404, other_organizer=404),
    row("/compete/{competition}/rounds/{practical}/judge/{entry}",
        worker=404, mentor=404, organizer=200, admin=404, other_worker=404, other_organizer=404),
    # knowledge base: the worker sent a question to the mentor, sent a case for review and keeps a draft
    row("/kb/entries/{kb_entry}",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=200, other_organizer=200),
    row("/kb/questions/{kb_question}",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/kb/cases/{kb_case}",
        worker=200, mentor=200, organizer=200, admin=200, other_worker=404, other_organizer=404),
    row("/kb/cases/{kb_draft}",
        worker=200, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
    row("/kb/cases/{kb_draft}/edit",
        worker=200, mentor=404, organizer=404, admin=404, other_worker=404, other_organizer=404),
]

#: State-changing requests: without a CSRF token each is refused (400) before anything happens.
CSRF_POSTS = [
    "/login", "/logout", "/language", "/password", "/password/forgot", "/password/reset",
    "/manage/password-requests/1/confirm", "/manage/password-requests/1/refuse",
    "/manage/users/new", "/manage/users/1", "/manage/users/1/reset-password", "/manage/roster",
    "/manage/roster/imports/1/slips",
    "/manage/assignments", "/manage/assignments/1/delete",
    "/manage/areas", "/manage/areas/1/delete", "/manage/areas/1/rename",
    "/courses/onboarding-governance/01-grid-and-duties/done",
    "/drills/gas-leak/start", "/drills/attempts/1/choose", "/drills/attempts/1/back", "/drills/attempts/1/timeout",
    "/quizzes/daily/start", "/quizzes/attempts/1/answer", "/quizzes/attempts/1/submit", "/quizzes/book/practice",
    "/quizzes/import",
    "/profile/cohort/assign", "/profile/lrs",
    "/mentoring/new", "/mentoring/accept", "/mentoring/cohort", "/mentoring/1/visits", "/mentoring/visits/1/confirm",
    "/mentoring/1/observations", "/mentoring/1/signoff", "/mentoring/1/confirm", "/mentoring/1/extend",
    "/mentoring/1/end", "/mentoring/steps/1/comment",
    "/compete/new", "/compete/1/rounds", "/compete/1/enrol", "/compete/1/rounds/1/judges",
    "/compete/1/rounds/1/start", "/compete/1/rounds/1/judge/1", "/compete/1/rounds/1/swap", "/compete/1/settings",
    "/compete/1/publish", "/compete/1/rounds/1/edit", "/compete/1/rounds/1/delete",
    "/kb/assistant", "/kb/questions/1/send", "/kb/questions/1/reply", "/kb/questions/1/promote", "/kb/cases/new",
    "/kb/cases/1/edit", "/kb/cases/1/review",
    "/train/new", "/train/1/sessions", "/train/1/enrol", "/train/enrolments/1/withdraw", "/train/sessions/1/mark",
    "/train/sign/1/in/x", "/train/sessions/1/leave", "/train/leave/1/decide", "/train/sessions/1/rate",
    "/train/1/complete", "/train/report/remind", "/train/sessions/1/drills", "/train/room/1/vote", "/train/room/1/next",
]

#: Endpoints whose access is checked elsewhere, with the test that checks it.
CHECKED_ELSEWHERE = {
    "auth.login": "the public login page: tests/views/test_auth.py",
    "auth.forgot_password": "the public 忘记密码 page: tests/views/test_password_reset.py",
    "auth.reset_password": "the public reset-with-a-code page: tests/views/test_password_reset.py",
    "kb.casebook": "the monthly 案例汇编 PDF: organizers and admins, their area's cases; workers and mentors 403: tests/views/test_kb_casebook.py",
    "train.detail": "a class: its organizers, enrolled people and instructors; another street's organizer gets 404: tests/views/test_train.py",
    "train.session_sheet": "a session's attendance: organizers of the class only: tests/views/test_train.py",
    "train.projector": "the sign-in code: organizers and the session's instructor: tests/views/test_train.py",
    "train.code": "the current sign-in code (JSON): organizers and the session's instructor: tests/views/test_train.py",
    "train.sign": "the QR link signs in only the person logged in, with a place: tests/views/test_train.py",
    "train.ratings": "named for organizers, anonymous for the instructor: tests/views/test_train.py",
    "train.certificate": "a certificate: its holder and the class's organizers: tests/views/test_train.py",
    "train.room_screen": "a classroom drill's projector: its runners only: tests/views/test_train_room.py",
    "train.room_page": "a classroom drill on the phone: the class's people, choices only when signed in: tests/views/test_train_room.py",
    "train.room_state": "where the room stands; counts only for its runners: tests/views/test_train_room.py",
}


@pytest.mark.parametrize("path, allowed", TABLE)
@pytest.mark.parametrize("role", (None, *ROLES))
def test_route_access(client, content, people, login, path, allowed, role):
    if role is None:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        return
    login(role)
    response = client.get(path, follow_redirects=path == "/profile")
    assert response.status_code == (200 if role in allowed else 403), (role, path)


def logged_in(app, username: str):
    """A new test client logged in as ``username``."""
    visitor = app.test_client()
    token = csrf_from(visitor, "/login")
    response = visitor.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and not response.headers["Location"].startswith("/login"), username
    return visitor


def started(response) -> int:
    """The id of the attempt a start request redirected to."""
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def local(moment) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def objects(app, client, content, people):
    """The objects of ``OBJECT_TABLE``, made through the views; returns their ids by name."""
    organizer = logged_in(app, "organizer")
    token = csrf_from(organizer, "/mentoring/new")
    today = local_today()
    organizer.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                           "mentees": [people["worker"].id], "start": today.isoformat(),
                                           "planned_end": (today + timedelta(days=120)).isoformat()})
    organizer.post("/compete/new", data={"csrf_token": token, "title": "网格员技能比武", "brackets": ""})
    competition = db.session.scalar(select(Competition))
    now = utcnow()
    organizer.post(f"/compete/{competition.id}/rounds", data={
        "csrf_token": token, "kind": "practical", "title": "实操考核", "weight": "1",
        "opens_at": local(now - timedelta(hours=1)), "closes_at": local(now + timedelta(hours=2)),
        "rubric": "入户沟通 | 10 | comm.residents"})
    organizer.post(f"/compete/{competition.id}/enrol", data={"csrf_token": token, "how": "people",
                                                             "people": [people["worker"].id, people["mentor"].id]})
    db.session.refresh(competition)
    practical = competition.rounds[0]
    organizer.post(f"/compete/{competition.id}/rounds/{practical.id}/judges",
                   data={"csrf_token": token, "judges": [people["organizer"].id]})

    worker = logged_in(app, "worker")
    token = csrf_from(worker, "/quizzes")
    quiz_done = started(worker.post("/quizzes/onboarding-emergency-test/start", data={"csrf_token": token}))
    worker.post(f"/quizzes/attempts/{quiz_done}/submit", data={"csrf_token": token})
    quiz_open = started(worker.post("/quizzes/daily/start", data={"csrf_token": token}))
    drill_open = started(worker.post("/drills/noise-complaint/start", data={"csrf_token": token, "mode": "practice"}))
    drill_done = started(worker.post("/drills/gas-leak/start", data={"csrf_token": token, "mode": "practice"}))
    attempt = db.session.get(DrillAttempt, drill_done)
    for choice in BEST_GAS_LEAK:
        db.session.refresh(attempt)
        worker.post(f"/drills/attempts/{drill_done}/choose",
                    data={"csrf_token": token, "choice": token_of(attempt, choice), "step": attempt.step_count})
    db.session.refresh(attempt)
    assert attempt.finished_at is not None
    ids = {"worker": people["worker"].id, "pairing": db.session.scalar(select(Mentorship.id)),
           "competition": competition.id, "practical": practical.id,
           "entry": db.session.scalar(select(Entry.id).where(Entry.user_id == people["worker"].id)),
           "quiz_open": quiz_open, "quiz_done": quiz_done, "drill_open": drill_open, "drill_done": drill_done}
    organizer.post("/manage/roster", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(organizer, "/manage/roster"), "file": (
        io.BytesIO("姓名,工号,手机号,街道,社区,网格\n甲,CQ900,13800000009,长青街道,幸福社区,第一网格\n".encode()), "r.csv")})
    ids["roster_import"] = db.session.scalar(select(RosterImport.id))
    ids.update(kb_objects(app, worker))
    assert all(ids.values()), ids
    return ids


BEST_GAS_LEAK = ["withdraw-call", "shout-warn", "shout-stop", "hold-line", "brief-full", "care-120", "wait-all-clear",
                 "report-and-prevent"]
USERNAMES = {"worker": "worker", "mentor": "mentor", "organizer": "organizer", "admin": "admin",
             "other_worker": "linhu1", "other_organizer": "linhu_org"}


@pytest.mark.parametrize("visitor", (None, *VISITORS))
def test_object_access(app, objects, visitor):
    """Each page of OBJECT_TABLE, as each visitor: all differences are reported at once."""
    browser = app.test_client() if visitor is None else logged_in(app, USERNAMES[visitor])
    wrong = []
    for path, statuses in OBJECT_TABLE:
        url = path.format(**objects)
        response = browser.get(url)
        if visitor is None:
            if response.status_code != 302 or not response.headers["Location"].startswith("/login"):
                wrong.append(f"{path}: {response.status_code}, not sent to the login page")
        elif response.status_code != statuses[visitor]:
            wrong.append(f"{path}: {response.status_code}, expected {statuses[visitor]}")
    assert not wrong, f"as {visitor or 'anonymous'}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", CSRF_POSTS)
def test_state_changing_posts_need_csrf(client, content, people, login, path):
    login("admin")
    assert client.post(path, data={}).status_code == 400


def test_unknown_course_and_lesson_are_404(client, content, people, login):
    login("worker")
    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get("/courses/onboarding-governance/99-none").status_code == 404


def _endpoint(adapter, path: str, method: str) -> str:
    try:
        endpoint, _args = adapter.match(path, method=method)
    except RequestRedirect as redirect:
        raise AssertionError(f"{method} {path} in the table redirects to {redirect.new_url}: use that path") from None
    except HTTPException as exc:
        raise AssertionError(f"{method} {path} in the table matches no route ({exc.code})") from None
    return endpoint


def test_every_route_has_a_row(app):
    """Each rule of ``app.url_map`` (but static files) is checked: its GET by a row of TABLE or
    OBJECT_TABLE, every other method by CSRF_POSTS, or the whole endpoint by the test named in
    CHECKED_ELSEWHERE."""
    adapter = app.url_map.bind("localhost")
    placeholder = {name: 1 for path, _statuses in OBJECT_TABLE for _text, name, _spec, _conv in Formatter().parse(path)
                   if name}
    covered = {(_endpoint(adapter, path, "GET"), "GET") for path, _allowed in TABLE}
    covered |= {(_endpoint(adapter, path.format(**placeholder), "GET"), "GET") for path, _statuses in OBJECT_TABLE}
    covered |= {(_endpoint(adapter, path, "POST"), "POST") for path in CSRF_POSTS}
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static") or rule.endpoint in CHECKED_ELSEWHERE:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} (endpoint {rule.endpoint})")
    assert not missing, (
        "routes without a row in tests/views/test_authorization.py: add each GET page to TABLE (or to OBJECT_TABLE "
        "for the page of one object, with the status each visitor gets), each POST to CSRF_POSTS, or the endpoint "
        "to CHECKED_ELSEWHERE naming the test that checks its access:\n  " + "\n  ".join(missing))
    stale = sorted(set(CHECKED_ELSEWHERE) - endpoints)
    assert not stale, f"CHECKED_ELSEWHERE names endpoints the app no longer has: {stale}"
    root = Path(__file__).resolve().parents[2]
    for endpoint, reason in CHECKED_ELSEWHERE.items():
        named = re.findall(r"tests/[\w/]+\.py", reason)
        assert named and all((root / name).exists() for name in named), \
            f"CHECKED_ELSEWHERE[{endpoint!r}] must name the test file that checks it: {reason!r}"
