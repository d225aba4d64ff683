#!/usr/bin/env python3
"""The wrk benchmark: the pages a person waits on, each beside a bare endpoint, in one run.

1. Builds a throwaway database through the real migrations (SQLite in a temp folder, or
   ``--database-url``), syncs the shipped content and seeds a city (``bench/seed.py``: 3,200
   workers, 200 mentors, a year of quiz, drill, lesson and mentoring records, 100,000 evidence
   rows, a running competition of everyone).
2. Serves the app with ``gunicorn -w N wsgi:app`` (production config) and, with the same settings
   on another port, a hello-world Flask app: the bare endpoint.
3. Logs in sessions with a Python client (real HTTP: the login form, its CSRF token, the POST) and
   writes a Lua script per page carrying the session cookies and CSRF tokens; writes go to many
   attempts in turn with rising sequence numbers, so every request is a real write, not a replay.
4. For each page: ``wrk -tT -cC -dD`` on the bare endpoint, then on the page; req/s, p50/p99, the
   gunicorn processes' CPU time per request (utime + stime from /proc, before and after) and the
   share of the bare endpoint's req/s measured just before.
5. Query counts: each page requested once more in-process through a fresh test client, in its own
   request context (no outer app context), counting the statements the engine executes.

The load generator shares the machine's cores with the servers: read the shares, not the absolute
numbers, and mind the load average printed with them.

    .venv/bin/python bench/run.py [--duration 5] [--database-url URL] [--pages home,lesson]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

HOST = "127.0.0.1"  # loopback only
TZ = "Asia/Shanghai"

BARE_APP = '''"""Hello-world Flask app: the bare endpoint of bench/run.py."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
'''

#: Printed by every script's done(): wrk's own figures as one JSON line.
LUA_DONE = r'''
function done(summary, latency, requests)
  local unexpected = 0
  for _, t in ipairs(threads) do unexpected = unexpected + (t:get("unexpected") or 0) end
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %f, ' ..
    '"errors": %d, "status_errors": %d, "unexpected": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, unexpected))
end
'''

LUA_THREADS = r'''
threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
'''


def lua_str(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for ASCII text


# --- servers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    def pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        found = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            found += [int(c) for c in children]
        except OSError:
            pass
        return found

    def cpu_seconds(self) -> float:
        return sum(cpu_of(pid) for pid in self.pids())


def cpu_of(pid: int) -> float:
    """utime + stime of a process in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(root_pid: int) -> float:
    """CPU seconds of a process and its descendants (a PostgreSQL postmaster and its backends)."""
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        total += cpu_of(pid)
        try:
            todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            pass
    return total


def start_gunicorn(module: str, workers: int, cwd: Path, env: dict, log: Path) -> Server:
    port = free_port()
    with open(log, "ab") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}",
                                 "--chdir", str(cwd), module], cwd=cwd, env=env, stdout=handle,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Server(proc, port, log)


def wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not ready:\n{server.log.read_text(errors='replace')[-3000:]}")


def stop(server: Server | None) -> None:
    if server is None or server.proc.poll() is not None:
        return
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(timeout=5)


# --- a Python HTTP client that logs in ----------------------------------------------------------

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, form: dict | list | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf(self, path: str = "/") -> str:
        status, _headers, page = self.call("GET", path)
        found = CSRF.search(page)
        if status != 200 or not found:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return found.group(1)

    def log_in(self, username: str, password: str) -> "Client":
        token = self.csrf("/login")
        status, headers, _ = self.call("POST", "/login", {"csrf_token": token, "username": username,
                                                          "password": password, "next": ""})
        if status != 302 or "/login" in urlsplit(headers.get("Location", "")).path:
            raise RuntimeError(f"login of {username} refused ({status})")
        return self


@dataclass
class Session:
    username: str
    cookie: str
    csrf: str


def log_in_all(port: int, usernames: list[str], password: str) -> dict[str, Session]:
    def one(name: str) -> Session:
        client = Client(port).log_in(name, password)
        token = client.csrf("/")  # the session gets its CSRF secret here: take the cookie after
        return Session(name, client.cookie_header(), token)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return {s.username: s for s in pool.map(one, usernames)}


def own_profile(port: int, session: Session) -> str:
    """Where /profile sends a worker: their own profile page (the page measured, not the redirect)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", "/profile", headers={"Cookie": session.cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    location = response.getheader("Location")
    return urlsplit(location).path if response.status in (301, 302, 303) and location else "/profile"


# --- Lua scripts --------------------------------------------------------------------------------

def lua_get(path: str, session: Session) -> str:
    return (f'wrk.method = "GET"\nwrk.path = {lua_str(path)}\n'
            f'wrk.headers["Cookie"] = {lua_str(session.cookie)}\n' + LUA_THREADS + LUA_DONE)


def lua_requests(items: list[tuple[str, str, str]], expect: str | None, per_thread: bool = True,
                 headers: dict[str, str] | None = None) -> str:
    """Cycle through (path, cookie, body-with-{SEQ}) items. With ``per_thread`` thread t takes the items
    with index ≡ t (mod threads), so one item's requests come from one thread in order and its
    sequence numbers rise. ``expect``: a Lua pattern a good response body must contain. ``headers``:
    sent with every request besides the cookie and the form's content type."""
    extra = "".join(f", [{lua_str(k)}] = {lua_str(v)}" for k, v in (headers or {}).items())
    rows = ",\n".join("{" + ", ".join(lua_str(x) for x in item) + "}" for item in items)
    check = (f'  if status >= 400 or not string.find(body, {lua_str(expect)}) then '
             f'unexpected = unexpected + 1 end\n') if expect else '  if status >= 400 then unexpected = unexpected + 1 end\n'
    return LUA_THREADS + f'''
local items = {{
{rows}
}}
local mine = {{}}
local n = 0
local seq = 1000
unexpected = 0
function init(args)
  local threads_total = tonumber(args[1]) or 1
  for i, item in ipairs(items) do
    if {"true" if per_thread else "false"} == false or (i - 1) % threads_total == tid then table.insert(mine, item) end
  end
end
function request()
  n = n + 1
  local item = mine[((n - 1) % #mine) + 1]
  if n % #mine == 1 or #mine == 1 then seq = seq + 1 end
  local body = string.gsub(item[3], "{{SEQ}}", tostring(seq))
  return wrk.format("POST", item[1], {{["Cookie"] = item[2], ["Content-Type"] = "application/x-www-form-urlencoded"{extra}}}, body)
end
function response(status, headers, body)
{check}end
''' + LUA_DONE


def pace(connections: int, rate: float) -> str:
    """A wrk ``delay()`` so that ``connections`` connections send at most ``rate`` requests a second."""
    return f"\nfunction delay()\n  return {max(1, round(connections * 1000 / rate))}\nend\n"


def run_wrk(script: Path, port: int, args, path: str = "/") -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s",
               "-s", str(script), f"http://{HOST}:{port}{path}", "--", str(args.threads)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.split(" ", 1)[1])


# --- measuring ----------------------------------------------------------------------------------

@dataclass
class Row:
    page: str
    rps: float
    p50: float
    p99: float
    cpu_ms: float
    db_cpu_ms: float | None
    share: float
    bare_rps: float
    errors: int
    unexpected: int
    requests: int
    queries: int | None = None
    note: str = ""


def drain(server: Server, limit: float = 120.0) -> None:
    """Wait until the server has finished what wrk left queued (its CPU use falls under 5% of a core
    for half a second), so no run pays for the previous one's backlog."""
    end = time.monotonic() + limit
    before = server.cpu_seconds()
    while time.monotonic() < end:
        time.sleep(0.5)
        now = server.cpu_seconds()
        if now - before < 0.025:
            return
        before = now


def measure(name: str, script: Path, server: Server, args, db_pid: int | None, path: str = "/") -> dict:
    drain(server)
    cpu0 = server.cpu_seconds()
    db0 = tree_cpu(db_pid) if db_pid else 0.0
    figures = run_wrk(script, server.port, args, path)
    drain(server)  # requests wrk sent but did not wait for still cost the server: counted, then idle
    figures["cpu_s"] = server.cpu_seconds() - cpu0
    figures["db_cpu_s"] = tree_cpu(db_pid) - db0 if db_pid else None
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["in_flight"] = args.connections  # closed loop: each connection had one request out at the end
    return figures


def row_of(page: str, app: dict, bare: dict, queries: int | None, note: str = "") -> Row:
    n = max(app["requests"] + app["in_flight"], 1)  # CPU is counted until the server is idle again
    return Row(page=page, rps=app["rps"], p50=app["p50_us"] / 1000, p99=app["p99_us"] / 1000,
               cpu_ms=app["cpu_s"] * 1000 / n,
               db_cpu_ms=None if app["db_cpu_s"] is None else app["db_cpu_s"] * 1000 / n,
               share=app["rps"] / bare["rps"], bare_rps=bare["rps"], errors=app["errors"],
               unexpected=app["unexpected"], requests=app["requests"], queries=queries, note=note)


def print_table(rows: list[Row], bare_rows: list[dict], title: str) -> str:
    bare_rps = statistics.median(b["rps"] for b in bare_rows)
    bare_cpu = statistics.median(b["cpu_s"] * 1000 / max(b["requests"] + b["in_flight"], 1) for b in bare_rows)
    bare_p50 = statistics.median(b["p50_us"] for b in bare_rows) / 1000
    bare_p99 = statistics.median(b["p99_us"] for b in bare_rows) / 1000
    db_col = any(r.db_cpu_ms is not None for r in rows)
    lines = [f"### {title}", "",
             "| page | req/s | p50 / p99 | server CPU per request" + (" | database CPU per request" if db_col else "")
             + " | share of bare | SQL queries |",
             "|---|---|---|---|" + ("---|" if db_col else "") + "---|---|",
             f"| bare hello-world (median of {len(bare_rows)}) | {bare_rps:,.0f} | {bare_p50:.0f} / {bare_p99:.0f} ms | "
             f"{bare_cpu:.2f} ms" + (" | —" if db_col else "") + " | 100% | — |"]
    for r in rows:
        flag = f" ({r.errors + r.unexpected} of {r.requests} not as expected)" if r.errors or r.unexpected else ""
        lines.append(f"| {r.page}{flag} | {r.rps:,.0f} | {r.p50:.0f} / {r.p99:.0f} ms | {r.cpu_ms:.1f} ms"
                     + (f" | {r.db_cpu_ms:.1f} ms" if db_col and r.db_cpu_ms is not None else (" | —" if db_col else ""))
                     + f" | {100 * r.share:.1f}% | {r.queries if r.queries is not None else '—'} |")
    text = "\n".join(lines)
    print("\n" + text, flush=True)
    return text


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} × {cpu}, {platform.system()} {platform.release()}, Python {platform.python_version()}")


# --- main ---------------------------------------------------------------------------------------

#: The header drill.js sends with a step: the server answers with the next step, not a redirect.
IN_PAGE = {"X-Requested-With": "fetch"}

PAGES = ("login", "home", "lesson", "answer save", "quiz submit", "drill step", "profile", "mentor dashboard",
         "cohort heatmap", "leaderboard", "search")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="default: SQLite in a temp folder ($BENCH_DATABASE_URL if set)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page (and per bare run)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated, from: " + ", ".join(PAGES))
    parser.add_argument("--workers-city", type=int, default=3200, dest="city_workers")
    parser.add_argument("--evidence", type=int, default=100_000)
    parser.add_argument("--rate", type=float, help="paced writes: each connection waits connections/RATE s after "
                        "each response (wrk has no fixed rate: RATE is an upper bound of what is offered)")
    parser.add_argument("--markdown", help="append the table to this file")
    parser.add_argument("--db-pid", type=int, default=int(os.environ.get("BENCH_DB_PID", "0")) or None,
                        help="PostgreSQL postmaster pid: its CPU per request is reported too")
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed: run scripts/install-system-deps.sh")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    folder = Path(tempfile.mkdtemp(prefix="gridacademy-bench-"))
    servers: list[Server] = []
    try:
        return run(args, pages, folder, servers)
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def run(args, pages: list[str], folder: Path, servers: list) -> int:
    from app import create_app
    from app.extensions import db
    from seed import LOGIN_USER, PASSWORD, build_city

    url = args.database_url or f"sqlite:///{folder}/bench.db"
    secret = secrets.token_urlsafe(32)
    settings = dict(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secret, SESSION_COOKIE_SECURE=False,
                    CONTENT_DIR=str(ROOT / "courses"), SCENARIOS_DIR=str(ROOT / "scenarios"),
                    QUESTIONS_DIR=str(ROOT / "questions"), KNOWLEDGE_DIR=str(ROOT / "knowledge"),
                    XAPI_BASE="https://bench.gridacademy.cn/xapi", XAPI_HOME_PAGE="https://bench.gridacademy.cn")
    app = create_app("production", **settings)
    started = time.perf_counter()
    with app.app_context():
        from flask_migrate import upgrade

        from app.content.sync import check_content, sync_content

        upgrade()
        report = check_content(app.config["CONTENT_DIR"], app.config["SCENARIOS_DIR"], app.config["QUESTIONS_DIR"],
                               app.config["KNOWLEDGE_DIR"])
        sync_content(report, app.config["SCENARIOS_DIR"])
        db.session.commit()
        print(f"seeding on {db.engine.dialect.name} ...", flush=True)
        city = build_city(workers=args.city_workers, mentors=max(1, min(200, args.city_workers // 16)),
                          evidence=args.evidence, open_contestants=min(600, args.city_workers // 4),
                          finished_contestants=min(300, args.city_workers // 8))
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    print(f"seeded in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{v:,} {k}" for k, v in city.counts.items()), flush=True)

    env = {**os.environ, "GRIDACADEMY_CONFIG": "production", "DATABASE_URL": url, "SECRET_KEY": secret,
           "SESSION_COOKIE_SECURE": "0", "PYTHONUNBUFFERED": "1", "CONTENT_DIR": settings["CONTENT_DIR"],
           "SCENARIOS_DIR": settings["SCENARIOS_DIR"], "QUESTIONS_DIR": settings["QUESTIONS_DIR"],
           "KNOWLEDGE_DIR": settings["KNOWLEDGE_DIR"], "XAPI_BASE": settings["XAPI_BASE"],
           "XAPI_HOME_PAGE": settings["XAPI_HOME_PAGE"]}
    (folder / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    app_server = start_gunicorn("wsgi:app", args.workers, ROOT, env, folder / "app.log")
    servers.append(app_server)
    bare_server = start_gunicorn("bare_app:app", args.workers, folder, env, folder / "bare.log")
    servers.append(bare_server)
    wait_ready(app_server, "/login")
    wait_ready(bare_server, "/")

    # Sessions, logged in over HTTP.
    answering = city.open_contestants[:40]
    submitting = city.open_contestants[40:]
    drillers = city.workers[-40:]
    start = time.perf_counter()
    names = {city.organizer, city.mentors[0], city.workers[-1], *answering, *drillers}
    if "quiz submit" in pages:
        names.update(submitting)
    sessions = log_in_all(app_server.port, sorted(names), PASSWORD)
    print(f"{len(sessions)} sessions logged in over HTTP in {time.perf_counter() - start:.0f} s", flush=True)

    scripts = folder / "lua"
    scripts.mkdir()
    bare_script = scripts / "bare.lua"
    bare_script.write_text(lua_get("/", Session("", "", "")).replace('wrk.headers["Cookie"] = ""\n', ""))
    worker = sessions[city.workers[-1]]
    leaderboard = f"/compete/{city.competition_id}/leaderboard"
    profile = own_profile(app_server.port, worker)
    get_pages = {"home": ("/", worker), "lesson": (city.lesson_url, worker), "profile": (profile, worker),
                 "mentor dashboard": ("/mentoring", sessions[city.mentors[0]]),
                 "cohort heatmap": ("/profile/cohort", sessions[city.organizer]),
                 "leaderboard": (leaderboard, sessions[answering[0]]),
                 "search": ("/kb/search?q=" + urlencode({"": "居住证怎么办理"})[1:], worker)}

    load = os.getloadavg()
    print(f"\nload average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s; gunicorn -w {args.workers}", flush=True)
    rows: list[Row] = []
    bares: list[dict] = []
    for page in pages:
        bare = measure("bare", bare_script, bare_server, args, None)
        bares.append(bare)
        script = scripts / f"{page.replace(' ', '-')}.lua"
        note = ""
        with app.app_context():
            if page in get_pages:
                path, session = get_pages[page]
                script.write_text(lua_get(path, session))
            elif page == "login":
                anonymous = Client(app_server.port)
                token = anonymous.csrf("/login")
                body = urlencode({"csrf_token": token, "username": LOGIN_USER, "password": PASSWORD, "next": ""})
                script.write_text(lua_requests([("/login", anonymous.cookie_header(), body)], "^$", per_thread=False)
                                  .replace('if status >= 400 or not string.find(body, "^$")',
                                           'if status ~= 302'))
            elif page == "answer save":
                script.write_text(lua_requests(answer_items(sessions, answering), '"stale":false'))
            elif page == "quiz submit":
                items = submit_items(sessions, submitting)
                script.write_text(lua_requests(items, None))
                note = f"{len(items)} open attempts"
            elif page == "drill step":
                items, steps = drill_items(sessions, drillers)
                # as the play page's script posts it: answered with the next step (or where to go)
                script.write_text(lua_requests(items, None, headers=IN_PAGE))
                note = f"{steps} prepared steps"
            db.session.remove()
        if args.rate and page not in get_pages and page != "login":
            script.write_text(script.read_text() + pace(args.connections, args.rate))
        before = counts_of(app)
        figures = measure(page, script, app_server, args, args.db_pid)
        after = counts_of(app)
        if page == "quiz submit":
            note = (f"{after['submitted'] - before['submitted']} real submits of {figures['requests']} requests "
                    f"(+{figures['in_flight']} in flight at the end)")
        elif page == "drill step":
            note = (f"{after['steps'] - before['steps']} real steps of {figures['requests']} requests "
                    f"(+{figures['in_flight']} in flight at the end)")
        elif page == "answer save":
            note = f"{figures['requests'] - figures['unexpected']} applied saves of {figures['requests']} requests"
        rows.append(row_of(page, figures, bare, None, note))
        print(f"  {page:<17} {figures['rps']:8.0f} req/s  p50 {figures['p50_us'] / 1000:6.1f}  "
              f"p99 {figures['p99_us'] / 1000:6.1f} ms  cpu {rows[-1].cpu_ms:5.1f} ms  "
              f"share {100 * rows[-1].share:5.1f}% (bare {bare['rps']:.0f}/s)  {note}", flush=True)
    load_after = os.getloadavg()
    for server in servers:
        stop(server)

    queries = query_counts(app, city, pages, get_pages, answering, submitting, drillers)
    for row in rows:
        row.queries = queries.get(row.page)
    title = (f"{dialect}, {machine_line()}; load average {load[0]:.1f} before, {load_after[0]:.1f} after; "
             f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, gunicorn -w {args.workers}"
             + (f", writes paced to at most {args.rate:g}/s" if args.rate else ""))
    text = print_table(rows, bares, title)
    notes = [f"- {r.page}: {r.note}" for r in rows if r.note]
    if notes:
        print("\n".join(notes))
    log_errors = [ln for ln in app_server.log.read_text(errors="replace").splitlines()
                  if "Traceback" in ln or "WORKER TIMEOUT" in ln]
    if log_errors:
        lines = app_server.log.read_text(errors="replace").splitlines()
        first = next(i for i, ln in enumerate(lines) if "Traceback" in ln or "WORKER TIMEOUT" in ln)
        print(f"\ngunicorn log of the app: {len(log_errors)} error lines; the first:\n" + "\n".join(lines[first:first + 40]))
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as out:
            out.write(text + "\n\n" + "\n".join(notes) + "\n\n")
    return 0


def counts_of(app) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import DrillStep, QuizAttempt

    with app.app_context():
        found = {"submitted": db.session.scalar(select(func.count(QuizAttempt.id))
                                                .where(QuizAttempt.submitted_at.is_not(None))),
                 "steps": db.session.scalar(select(func.count(DrillStep.id)))}
        db.session.remove()
    return found


# --- what the write scripts post ----------------------------------------------------------------

def _user(username: str):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    return db.session.scalar(select(User).where(User.username == username))


def _round_attempt(user):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import QuizAttempt

    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                                       QuizAttempt.submitted_at.is_(None)))


def answer_items(sessions: dict, usernames: list[str]) -> list[tuple[str, str, str]]:
    """One item per question of each contestant's open round attempt: the right answer under its
    tokens, sequence number {SEQ}."""
    from app.quiz import service as quizzes

    items = []
    for name in usernames:
        session = sessions[name]
        attempt = _round_attempt(_user(name))
        for row in attempt.answers:
            value = quizzes.right_answer(row)
            values = value if isinstance(value, list) else [value]
            fields = [("csrf_token", session.csrf), ("answer_id", row.id)] + [(f"q-{row.id}", v) for v in values]
            items.append((f"/quizzes/attempts/{attempt.id}/answer", session.cookie,
                          urlencode(fields) + f"&seq-{row.id}={{SEQ}}"))
    return items


def submit_items(sessions: dict, usernames: list[str]) -> list[tuple[str, str, str]]:
    items = []
    for name in usernames:
        session = sessions[name]
        attempt = _round_attempt(_user(name))
        if attempt is not None:
            items.append((f"/quizzes/attempts/{attempt.id}/submit", session.cookie,
                          urlencode({"csrf_token": session.csrf})))
    return items


def drill_items(sessions: dict, usernames: list[str], per_person: int = 12) -> tuple[list, int]:
    """Fresh practice attempts (started now, so no urgent node's clock has run out) and, for each, the
    posts of one whole play in order; items interleave the attempts, so consecutive requests (and
    the requests in flight at once) move different attempts and each attempt's steps go in order."""
    from app.drill import engine, service as drills
    from app.extensions import db

    versions = drills.offered_drills()
    plays = []
    for i, name in enumerate(usernames):
        session, user = sessions[name], _user(name)
        for k in range(per_person):
            version = versions[(i + k) % len(versions)]
            attempt = drills.start_attempt(user, version, "practice")
            db.session.flush()
            drill = drills.drill_of(version)
            state, posts = engine.initial_state(drill), []
            while True:
                choices = engine.available_choices(drill, state)
                if not choices:
                    break
                choice = choices[(len(posts) + k) % len(choices)]
                posts.append((f"/drills/attempts/{attempt.id}/choose", session.cookie,
                              urlencode({"csrf_token": session.csrf, "step": len(posts),
                                         "choice": drills.token_of(attempt, choice.id, state.node)})))
                result = engine.choose(drill, state, choice.id)
                state = result.state
                if result.ended:
                    break
            plays.append(posts)
    db.session.commit()
    items = []
    for step in range(max(len(p) for p in plays)):
        items += [p[step] for p in plays if step < len(p)]
    return items, len(items)


# --- query counts, one real request each, in its own request context ----------------------------

def query_counts(app, city, pages, get_pages, answering, submitting, drillers) -> dict[str, int]:
    from sqlalchemy import event

    from app.extensions import db
    from seed import LOGIN_USER, PASSWORD

    app.config["WTF_CSRF_ENABLED"] = False
    counted = {"n": 0}

    def count(*_args, **_kwargs):
        counted["n"] += 1

    def client_of(username: str | None):
        client = app.test_client()
        if username:
            response = client.post("/login", data={"username": username, "password": PASSWORD})
            assert response.status_code == 302, (username, response.status_code)
        return client

    def once(client, method: str, path: str, data=None) -> int:
        if method == "GET":
            client.get(path)  # warm up: templates compiled, per-process caches filled
        counted["n"] = 0
        response = client.open(path, method=method, data=data)
        assert response.status_code in (200, 302), (path, response.status_code)
        return counted["n"]

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    found: dict[str, int] = {}
    try:
        for page in pages:
            if page in get_pages:
                path, session = get_pages[page]
                found[page] = once(client_of(session.username), "GET", path)
            elif page == "login":
                found[page] = once(client_of(None), "POST", "/login",
                                   {"username": LOGIN_USER, "password": PASSWORD})
            elif page == "answer save":
                name = answering[-1]
                with app.app_context():
                    items = answer_items({name: _FakeSession()}, [name])
                    db.session.remove()
                path, _cookie, body = items[-1]
                found[page] = _post_body(client_of(name), path, body.replace("{SEQ}", str(10**9)), counted)
            elif page == "quiz submit":
                with app.app_context():
                    open_ = [n for n in submitting if _round_attempt(_user(n)) is not None]
                    db.session.remove()
                if open_:
                    with app.app_context():
                        path = submit_items({open_[-1]: _FakeSession()}, [open_[-1]])[0][0]
                        db.session.remove()
                    found[page] = _post_body(client_of(open_[-1]), path, "", counted)
            elif page == "drill step":
                with app.app_context():
                    items, _n = drill_items({drillers[0]: _FakeSession()}, [drillers[0]], per_person=1)
                    db.session.remove()
                path, _cookie, body = items[0]
                found[page] = _post_body(client_of(drillers[0]), path, body, counted, IN_PAGE)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return found


@dataclass
class _FakeSession:
    cookie: str = ""
    csrf: str = ""


def _post_body(client, path: str, body: str, counted: dict, headers: dict | None = None) -> int:
    counted["n"] = 0
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded", headers=headers or {})
    assert response.status_code in (200, 302), (path, response.status_code, response.get_data(as_text=True)[:300])
    return counted["n"]


if __name__ == "__main__":
    sys.exit(main())
