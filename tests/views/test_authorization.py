"""One authorization table: route × role → allowed, checked for every cell."""
import pytest

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
    ("/manage/assignments", MANAGERS),
    ("/manage/completion", MANAGERS),
    ("/manage/areas", {"admin"}),
    ("/drills", set(ROLES)),
    ("/drills/gas-leak/map", MANAGERS | {"mentor"}),
    ("/quizzes", set(ROLES)),
    ("/quizzes/book", set(ROLES)),
    ("/quizzes/book/practice", set(ROLES)),
    ("/quizzes/import", MANAGERS),
    ("/quizzes/daily/stats", MANAGERS),
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
]


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


@pytest.mark.parametrize("path", ["/manage/assignments/1/delete", "/manage/users/1/reset-password",
                                  "/manage/areas/1/delete", "/manage/areas/1/rename",
                                  "/courses/onboarding-governance/01-grid-and-duties/done", "/logout", "/language",
                                  "/drills/gas-leak/start", "/drills/attempts/1/choose", "/drills/attempts/1/back",
                                  "/drills/attempts/1/timeout", "/quizzes/daily/start",
                                  "/quizzes/attempts/1/answer", "/quizzes/attempts/1/submit", "/quizzes/book/practice",
                                  "/quizzes/import", "/profile/cohort/assign", "/profile/lrs", "/mentoring/new",
                                  "/mentoring/accept", "/mentoring/cohort", "/mentoring/1/visits",
                                  "/mentoring/visits/1/confirm", "/mentoring/1/observations", "/mentoring/1/signoff",
                                  "/mentoring/1/confirm", "/mentoring/1/extend", "/mentoring/1/end",
                                  "/mentoring/steps/1/comment", "/compete/new", "/compete/1/rounds",
                                  "/compete/1/enrol", "/compete/1/rounds/1/judges", "/compete/1/rounds/1/start",
                                  "/compete/1/rounds/1/judge/1"])
def test_state_changing_posts_need_csrf(client, content, people, login, path):
    login("admin")
    assert client.post(path, data={}).status_code == 400


def test_unknown_course_and_lesson_are_404(client, content, people, login):
    login("worker")
    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get("/courses/onboarding-governance/99-none").status_code == 404
