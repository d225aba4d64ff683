"""The production layout of deploy/ run for real: nginx (Debian's package, deploy/nginx.conf with ports and
paths substituted) round-robin in front of two gunicorn instances (deploy/gunicorn.conf.py, production
config) on one PostgreSQL database, and ``flask jobs work --once`` as the job worker.

One HTTP client (one cookie jar, like one phone) goes through nginx over TLS, and every step that matters
is made to land on the other instance than the step before (nginx adds ``X-Upstream`` in this test only,
so each response says which instance served it): the CSRF token of a form from one instance is accepted by
the other, a login made on one is a login on the other, failed logins on both add up to one throttle,
a training-class QR code made by one signs in on the other, a roster import queued through one is run by
the job worker and read as done through the other, an FAQ entry promoted through one is found by the
other's search (whose index it had already loaded), and a copy of the session cookie kept past a logout on
one is refused by the other. The client connects from 127.0.0.5, so the throttle's
address shows that the app takes the client address from nginx's X-Forwarded-For (TRUSTED_PROXIES=1) and
not a forged one.

Runs in the PostgreSQL pass of ``make test`` (scripts/with-postgres.sh), on the session's test database
(migrated by the ``app`` fixture, emptied after the test like every other).
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD
from tests.views.test_train import setup  # noqa: F401  (fixture: a class of 长青街道 whose first session is on)

on_postgresql = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                   reason="the production layout runs on PostgreSQL: make test's PostgreSQL pass runs it")

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
#: The address the client connects from (all of 127.0.0.0/8 is this host): not nginx's 127.0.0.1.
CLIENT_ADDRESS = "127.0.0.5"
FORGED_ADDRESS = "198.51.100.7"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
FAQ_TITLE = "老年助餐点的就餐补贴怎么申领"
FAQ_ANSWER = "带身份证到社区居委会登记，经街道审核后每月按就餐次数发放补贴。"
ROSTER = "姓名,工号,手机号,街道,社区,网格,入职日期\n王小明,CQ501,13800000501,长青街道,幸福社区,第一网格,\n"

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[:4]} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port} after {seconds} s:\n{log.read_text(errors='replace')}")


def wait_until_serving(port: int, process: subprocess.Popen, log: Path) -> None:
    """Until the instance answers a page (its worker loads the app after the port opens)."""
    wait_for_port(port, process, log)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", "/login", headers={"X-Forwarded-Proto": "https"})
        assert connection.getresponse().status == 200, log.read_text(errors="replace")
    finally:
        connection.close()


def run(command: list[str], env: dict, timeout: float = 120) -> str:
    """Run ``command`` in the checkout; its output, or the test fails showing it."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command[-3:])} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def swap(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced; fails when deploy/nginx.conf no longer holds ``old``."""
    assert old in text, f"deploy/nginx.conf no longer contains {old!r}: update this test with it"
    return text.replace(old, new)


def site_config(ports: tuple[int, int], http_port: int, https_port: int, cert: Path, key: Path,
                static: Path) -> str:
    """deploy/nginx.conf with this test's ports, certificate and static files instead of the production ones."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    text = swap(text, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http_port};\n")
    text = swap(text, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
                f"    listen 127.0.0.1:{https_port} ssl http2;\n")
    text = swap(text, "server 127.0.0.1:8001 ", f"server 127.0.0.1:{ports[0]} ")
    text = swap(text, "server 127.0.0.1:8002 ", f"server 127.0.0.1:{ports[1]} ")
    text = swap(text, "/etc/ssl/gridacademy/fullchain.pem", str(cert))
    text = swap(text, "/etc/ssl/gridacademy/privkey.pem", str(key))
    return swap(text, "/srv/gridacademy/app/static/", f"{static}/")


def main_config(tmp: Path, site: Path) -> str:
    """nginx's own frame around the site: one worker process (so round-robin alternates exactly), everything
    under ``tmp``, and the X-Upstream header that names the instance behind each response."""
    return f"""
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    add_header X-Upstream $upstream_addr always;
    include {site};
}}
"""


class Front:
    """One client (one cookie jar) talking to nginx, steering each request to a chosen instance."""

    def __init__(self, port: int, instances: tuple[str, str]):
        import requests
        from requests.adapters import HTTPAdapter

        class FromClientAddress(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                kwargs["source_address"] = (CLIENT_ADDRESS, 0)
                super().init_poolmanager(*args, **kwargs)

        self.base = f"https://127.0.0.1:{port}"
        self.instances = instances
        self.http = requests.Session()
        self.http.mount("https://", FromClientAddress())
        self.http.verify = False
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False
        self.last: str | None = None

    def other(self, instance: str) -> str:
        return self.instances[1] if instance == self.instances[0] else self.instances[0]

    def send(self, method: str, path: str, on: str | None = None, **kwargs):
        """``method path`` served by instance ``on`` (round-robin: after a request to ``on`` comes one to
        the other, so a cheap GET goes first when needed); asserts where it landed."""
        while on is not None and self.last != self.other(on):
            self.send("GET", "/login")
        if method == "POST":  # as a browser does: Flask-WTF checks it over https
            kwargs["headers"] = {"Referer": self.base + "/", **kwargs.get("headers", {})}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the test's self-signed certificate
            response = self.http.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
        served_by = response.headers.get("X-Upstream")
        assert served_by in self.instances, (path, served_by)
        if on is not None:
            assert served_by == on, f"{method} {path} landed on {served_by}, not {on}"
        self.last = served_by
        return response

    def csrf(self, path: str, on: str) -> str:
        page = self.send("GET", path, on=on)
        assert page.status_code == 200, (path, page.status_code)
        match = CSRF_RE.search(page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, username: str, password: str, token_from: str, post_to: str):
        token = self.csrf("/login", on=token_from)
        return self.send("POST", "/login", on=post_to,
                         data={"csrf_token": token, "username": username, "password": password})

    def log_out(self, on: str) -> None:
        token = self.csrf("/", on=self.other(on))
        assert self.send("POST", "/logout", on=on, data={"csrf_token": token}).status_code == 302


def test_nginx_refuses_what_the_app_would_refuse():
    """client_max_body_size in deploy/nginx.conf is the app's MAX_CONTENT_LENGTH."""
    from config import Config

    size = re.search(r"client_max_body_size (\d+)([km]?);", (DEPLOY / "nginx.conf").read_text()).groups()
    assert int(size[0]) * {"": 1, "k": 1024, "m": 1024 * 1024}[size[1]] == Config.MAX_CONTENT_LENGTH


@on_postgresql
def test_two_instances_behind_nginx_share_everything(app, database_url, people, setup):  # noqa: F811
    from app.extensions import db
    from app.models import KbQuestion
    from app.models.base import utcnow

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: scripts/install-system-deps.sh installs Debian's nginx"
    # A worker's question, answered by their mentor, waiting for an organizer to make it an FAQ entry.
    now = utcnow()
    question = KbQuestion(user_id=people["worker"].id, text=FAQ_TITLE, answer="", sources=[], confidence=0.1,
                          status="replied", assignee_id=people["mentor"].id, sent_at=now, reply=FAQ_ANSWER,
                          replied_by_id=people["mentor"].id, replied_at=now)
    db.session.add(question)
    db.session.commit()
    seeded = {"question": question.id, "session": setup["first"].id}
    db.session.close()  # nothing of this process stays open while the instances work

    # nginx's prefix: its worker processes (www-data when started as root) must reach their temp paths, so
    # a directory of its own in /tmp rather than pytest's (private to the user running the tests).
    tmp_path = Path(tempfile.mkdtemp(prefix="gridacademy-scaleout-"))
    tmp_path.chmod(0o755)
    processes: list[subprocess.Popen] = []
    logs = []
    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_DEBUG", "TEST_DATABASE_URL")}
    production = {**env, "GRIDACADEMY_CONFIG": "production", "FLASK_APP": "wsgi.py", "DATABASE_URL": database_url,
                  "SECRET_KEY": secrets.token_urlsafe(32), "XAPI_BASE": "https://training.jiangcheng.gov.cn/xapi",
                  "TRUSTED_PROXIES": "1", "JOBS_MODE": "worker", "GUNICORN_WORKERS": "1",
                  "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    try:
        ports = (free_port(), free_port())
        instances = tuple(f"127.0.0.1:{port}" for port in ports)
        for port in ports:
            logs.append((tmp_path / f"gunicorn-{port}.log").open("wb"))
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"], cwd=ROOT,
                env={**production, "GUNICORN_BIND": f"127.0.0.1:{port}"}, stdout=logs[-1], stderr=subprocess.STDOUT))
        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], env)
        http_port, https_port = free_port(), free_port()
        site = tmp_path / "gridacademy.conf"
        # A copy of app/static under the prefix: nginx's www-data workers may not reach into the checkout
        # (a clone under a private temp folder), as they reach /srv/gridacademy in production.
        static = tmp_path / "static"
        shutil.copytree(ROOT / "app" / "static", static)
        site.write_text(site_config(ports, http_port, https_port, cert, key, static), encoding="utf-8")
        (tmp_path / "nginx.conf").write_text(main_config(tmp_path, site), encoding="utf-8")
        nginx_command = [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e",
                         str(tmp_path / "error.log")]
        run(nginx_command + ["-t"], env)
        logs.append((tmp_path / "nginx.out").open("wb"))
        processes.append(subprocess.Popen(nginx_command + ["-g", "daemon off;"], stdout=logs[-1],
                                          stderr=subprocess.STDOUT))
        for port, process in zip(ports, processes):
            wait_until_serving(port, process, tmp_path / f"gunicorn-{port}.log")
        wait_for_port(https_port, processes[2], tmp_path / "error.log")

        run_layout(Front(https_port, instances), instances, https_port, http_port, production, seeded)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
        shutil.rmtree(tmp_path, ignore_errors=True)


def measure(front: Front, seconds: str) -> None:
    """With SCALEOUT_WRK_SECONDS set: wrk (-t2 -c20) through nginx on the login page and the logged-in
    worker's home page, printed (run with -s); the README's capacity figures come from such a run."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in front.http.cookies)
    for label, path, headers in (("login page", "/login", []), ("worker home", "/", ["-H", f"Cookie: {cookie}"])):
        done = subprocess.run(["wrk", "-t2", "-c20", f"-d{seconds}s", "--latency", *headers, front.base + path],
                              capture_output=True, text=True, timeout=int(seconds) + 60, check=True).stdout
        rate = re.search(r"Requests/sec:\s+([\d.]+)", done).group(1)
        latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", done, re.MULTILINE))
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done)
        print(f"\n{label} through nginx: {rate} req/s, p50 {latency.get('50')}, p99 {latency.get('99')}, "
              f"non-2xx: {non_2xx.group(1) if non_2xx else 0}")


def rows(sql: str) -> list[tuple]:
    """What the instances committed, read through a connection of this process."""
    from sqlalchemy import text

    from app.extensions import db

    try:
        return [tuple(row) for row in db.session.execute(text(sql))]
    finally:
        db.session.rollback()


def run_layout(front: Front, instances, https_port, http_port, production, seeded) -> None:
    a, b = instances

    # nginx itself: plain http is sent to https; static files come from disk (no instance behind them);
    # a body above the app's limit is refused before any instance reads it.
    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    plain.request("GET", "/login")
    redirect = plain.getresponse()
    assert redirect.status == 301 and redirect.getheader("Location") == "https://127.0.0.1/login"
    plain.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        css = front.http.get(front.base + "/static/app.css", timeout=10)
    assert css.status_code == 200 and "X-Upstream" not in css.headers
    assert css.headers["Cache-Control"] == "max-age=3600"
    assert css.content == (ROOT / "app" / "static" / "app.css").read_bytes()
    big = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=10,
                                      context=ssl._create_unverified_context())  # noqa: S323 (own test cert)
    big.putrequest("POST", "/manage/roster")
    big.putheader("Content-Type", "multipart/form-data; boundary=x")
    big.putheader("Content-Length", str(5 * 1024 * 1024 + 1))
    big.endheaders()
    refused = big.getresponse()
    assert refused.status == 413 and not refused.getheader("X-Upstream")
    big.close()

    # Login throttle: failed logins on both instances count together (the failures are rows in the
    # database), under the client's real address from X-Forwarded-For, never one the client forged.
    for attempt in range(5):
        instance = instances[attempt % 2]
        token = front.csrf("/login", on=front.other(instance))
        failed = front.send("POST", "/login", on=instance, headers={"X-Forwarded-For": FORGED_ADDRESS},
                            data={"csrf_token": token, "username": "mentor", "password": "wrong-password"})
        assert failed.status_code == 200 and "/logout" not in failed.text
    refused = front.log_in("mentor", PASSWORD, token_from=b, post_to=a)
    assert refused.status_code == 200 and "登录失败次数过多" in refused.text
    assert rows("SELECT address FROM login_failure") == [(CLIENT_ADDRESS,)] * 5

    # Session and CSRF: the form from A, the login on B; the page after it on A knows who it is.
    logged_in = front.log_in("organizer", PASSWORD, token_from=a, post_to=b)
    assert logged_in.status_code == 302, logged_in.text
    home = front.send("GET", "/", on=a)
    assert home.status_code == 200 and "王立新" in home.text

    # Background job: the roster upload queued through B (JOBS_MODE=worker: no instance runs it), the
    # worker process runs it, and A reports it done.
    token = front.csrf("/manage/roster", on=a)
    upload = front.send("POST", "/manage/roster", on=b, data={"csrf_token": token},
                        files={"file": ("名单.csv", ROSTER.encode("utf-8"), "text/csv")})
    assert upload.status_code == 302, upload.text
    status_url = urlsplit(upload.headers["Location"]).path + "/status.json"
    assert front.send("GET", status_url, on=a).json()["status"] == "queued"
    worked = run([sys.executable, "-m", "flask", "jobs", "work", "--once"], production)
    assert "1 job(s) run" in worked, worked
    assert front.send("GET", status_url, on=b).json()["status"] == "done"
    assert front.send("GET", status_url, on=a).json()["status"] == "done"
    assert rows("""SELECT name FROM "user" WHERE worker_number = 'CQ501'""") == [("王小明",)]

    # Search index: both instances load it (the FAQ is not there yet); promoted through B, A's next search
    # finds it, and so does B's.
    search = "/kb/search?q=" + FAQ_TITLE
    entry_link = f"/kb/entries/promoted-{seeded['question']}"
    for instance in (a, b):
        page = front.send("GET", search, on=instance)
        assert page.status_code == 200 and entry_link not in page.text
    token = front.csrf(f"/kb/questions/{seeded['question']}", on=a)
    promoted = front.send("POST", f"/kb/questions/{seeded['question']}/promote", on=b,
                          data={"csrf_token": token, "title": FAQ_TITLE, "answer": FAQ_ANSWER, "category": "policy"})
    assert promoted.status_code == 302 and promoted.headers["Location"].endswith(entry_link), promoted.text
    for instance in (a, b):
        assert entry_link in front.send("GET", search, on=instance).text, instance

    # QR sign-in: the projector's code comes from A (over https, as nginx told the app); the worker opens it
    # on B and confirms on A. Sessions end on every instance at logout.
    code = front.send("GET", f"/train/sessions/{seeded['session']}/code.json", on=a).json()
    assert code["url"].startswith(front.base + "/train/sign/")
    sign_path = urlsplit(code["url"]).path
    stale = Front(https_port, instances)
    stale.http.cookies.update(front.http.cookies)  # a copy of the session cookie, kept past the logout
    front.log_out(on=b)
    assert front.send("GET", "/", on=a).status_code == 302
    stale.last = front.last  # one nginx, one round-robin for both clients
    assert stale.send("GET", "/", on=a).headers["Location"].startswith("/login")  # ended on A as well
    front.last = stale.last
    assert front.log_in("worker", PASSWORD, token_from=a, post_to=b).status_code == 302
    page = front.send("GET", sign_path, on=b)
    assert page.status_code == 200, page.text
    token = CSRF_RE.search(page.text).group(1)
    signed = front.send("POST", sign_path, on=a, data={"csrf_token": token})
    assert signed.status_code == 200, signed.text
    assert rows(f"""SELECT a.status, a.method FROM class_attendance a JOIN "user" u ON u.id = a.user_id
                    WHERE u.username = 'worker' AND a.session_id = {int(seeded["session"])}""") == [("present", "qr")]
    if os.environ.get("SCALEOUT_WRK_SECONDS"):
        measure(front, os.environ["SCALEOUT_WRK_SECONDS"])
