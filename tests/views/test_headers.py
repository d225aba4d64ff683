"""Security headers (issue 13 item 3) on every GET route of the authorization table, downloads,
static files, redirects and error pages; HSTS in production only."""
from app import create_app
from app.headers import CONTENT_SECURITY_POLICY
from tests.conftest import csrf_from
from tests.views import test_authorization as authorization
from tests.views.test_authorization import OBJECT_TABLE, TABLE, logged_in

objects = authorization.objects  # the authorization table's objects, made through the views (a fixture)


def header_problems(response, url) -> list[str]:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ") if part}
    wrong = []
    if directives.get("script-src") != ["'self'"] or directives.get("default-src") != ["'self'"]:
        wrong.append("scripts not limited to this site's files")
    if directives.get("frame-ancestors") != ["'none'"]:
        wrong.append("frame-ancestors not 'none'")
    for name, value in (("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                        ("Referrer-Policy", "same-origin")):
        if headers.get(name) != value:
            wrong.append(f"{name}: {headers.get(name)!r}")
    if "Strict-Transport-Security" in headers:
        wrong.append("HSTS outside production")
    return [f"{url} ({response.status_code}): {w}" for w in wrong]


def test_every_get_route_of_the_table_sends_the_headers(app, objects):
    wrong = []
    anonymous = app.test_client()
    visitors = {name: logged_in(app, name) for name in ("worker", "organizer", "admin")}
    paths = [path for path, _allowed in TABLE] + [path.format(**objects) for path, _statuses in OBJECT_TABLE]
    statuses = set()
    for path in paths:
        for visitor in (anonymous, *visitors.values()):
            response = visitor.get(path)
            statuses.add(response.status_code)
            wrong += header_problems(response, path)
    assert {200, 302, 403, 404} <= statuses
    assert not wrong, "\n".join(wrong)


def test_downloads_static_files_and_error_pages_send_the_headers(app, client, content, people, login):
    login("admin")
    responses = {
        "/profile/cohort/records.xlsx": client.get("/profile/cohort/records.xlsx"),
        "/quizzes/daily/stats.xlsx": client.get("/quizzes/daily/stats.xlsx"),
        "/static/app.css": client.get("/static/app.css"),
        "/static/lesson.js": client.get("/static/lesson.js"),
        "/no-such-page": client.get("/no-such-page"),
        "POST /logout without CSRF": client.post("/logout", data={}),
        "PUT /": client.put("/"),
    }
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 200, 404, 400, 405]
    wrong = [problem for url, response in responses.items() for problem in header_problems(response, url)]
    assert not wrong, "\n".join(wrong)
    for response in responses.values():
        response.close()


def test_pages_hold_no_inline_script(app, client, content, people, login):
    """What the CSP would block in a browser: <script> without src, on…= handlers, javascript: links."""
    import re

    login("worker")
    for path in ("/", "/courses/onboarding-governance/01-grid-and-duties", "/quizzes", "/drills", "/profile",
                 "/kb", "/password"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\son[a-z]+\s*=", page), path
        assert "javascript:" not in page, path


def test_hsts_in_production_only(database_url, tmp_path):
    production = create_app("production", SECRET_KEY="k7#Qz9!vLx2@Rm4$Tp8^Wn",
                            SQLALCHEMY_DATABASE_URI=database_url, XAPI_BASE="https://training.jiangcheng.gov.cn/xapi")
    response = production.test_client().get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    testing = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    assert "Strict-Transport-Security" not in testing.test_client().get("/login").headers


def test_login_page_sends_the_headers(client):
    response = client.get("/login")
    assert not header_problems(response, "/login")
    assert csrf_from(client, "/login")
