#!/usr/bin/env python3
"""Benchmark: the quiz round of a skill competition with 3,200 contestants, over HTTP, under gunicorn.

Builds a throwaway database through the real migrations (SQLite in a temp folder, or
``--database-url``), syncs the shipped content, creates an area tree, an organizer and the
contestants (bulk insert, cheap password hash), a competition with one open quiz round drawn from
the question banks, and enrols everyone through the competition service. Then it serves the app
with ``gunicorn -w N wsgi:app`` (production config, same database) and, on a second port with the
same worker count, a hello-world Flask app written to the temp folder: the bare endpoint.

Load (loopback only, bounded by ``--duration`` and by the number of contestants): ``--concurrency``
virtual users take contestants in turn; each one logs in (GET+POST /login), opens the competition
page, starts the round (POST .../start), opens the quiz page (answer ids and CSRF token), saves
every answer (POST /quizzes/attempts/<id>/answer, ``--think`` seconds apart) and submits. Meanwhile
``--pollers`` contestants poll the leaderboard every ``--poll-every`` seconds. Then the bare
endpoint is loaded by as many threads, with the same think time, for ``--bare-duration`` seconds.
Prints count, errors, throughput and p50/p95/p99 per request type, the ratio of the app's p50 to
the bare one, and the SQL queries of one leaderboard request (in-process, against the same
database) before and after the load, to show the count does not grow with the answers.

The load generator is Python threads on the same 2 cores as gunicorn: read the ratios, not the
absolute numbers (they drift between runs and machines, see /work/shared/TOOLING.md). With the
default ``--think 0`` the load is closed-loop at saturation (as ``wrk -c20``): a p50 is mostly time
queued behind other requests, about concurrency / throughput, so the p50 ratio to the bare endpoint
is a cost ratio; give ``--think`` (real people: several seconds) to see latency at a lower rate.
The CPU line splits the run's CPU time between gunicorn, the load generator, a local PostgreSQL
and everything else: other jobs on a shared machine show there, and the figures are clean only
when that is small.

    .venv/bin/python scripts/bench_competition.py [--contestants 3200] [--concurrency 20] [--duration 30]

PostgreSQL is the realistic target (SQLite serialises writers across the gunicorn workers):

    scripts/with-postgres.sh bash -c \
        'BENCH_DATABASE_URL=$TEST_DATABASE_URL .venv/bin/python scripts/bench_competition.py'
"""
from __future__ import annotations

import argparse
import html
import http.client
import json
import math
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

HOST = "127.0.0.1"  # loopback only: never point this benchmark at another machine
PASSWORD = "bench1234"
HASH_METHOD = "pbkdf2:sha256:1000"
#: Request types in the order of a contestant's visit, then the poll.
KINDS = ("login form", "login", "competition", "start", "quiz page", "answer", "submit", "leaderboard")

BARE_APP = '''"""Hello-world Flask app: the bare endpoint of scripts/bench_competition.py."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
'''


# --- setup, in-process, through the app's services and models ----------------------------------

def build(contestants: int, questions: int) -> dict:
    """Areas, an organizer, ``contestants`` workers, a competition with an open quiz round, everyone enrolled."""
    from benchdata import area_tree_and_organizer
    from app.compete import service
    from app.models import QuestionBank, User, UserRole
    from app.models.base import utcnow

    organizer, grids, password = area_tree_and_organizer(PASSWORD)
    db.session.flush()
    now = utcnow()
    rows = [{"username": f"C{i:05d}", "name": f"参赛者{i:04d}", "worker_number": f"C{i:05d}",
             "area_id": grids[i % len(grids)].id, "password_hash": password, "must_change_password": False,
             "active": True, "mentor_capacity": 2, "created_at": now} for i in range(contestants)]
    db.session.execute(insert(User), rows)
    ids = list(db.session.scalars(select(User.id).where(User.username.like("C%")).order_by(User.username)))
    db.session.execute(insert(UserRole), [{"user_id": uid, "role": "worker"} for uid in ids])
    db.session.commit()

    banks = list(db.session.scalars(select(QuestionBank.slug).where(QuestionBank.active)))
    competition = service.create_competition(organizer, "基准测试技能比武", "", None, [])
    round_ = service.add_round(organizer, competition, kind="quiz", title="知识竞赛", weight=1.0,
                               opens_at=now - timedelta(minutes=10), closes_at=now + timedelta(hours=6),
                               banks=banks, count=questions, time_limit_min=120)
    people = db.session.scalars(select(User).where(User.id.in_(ids))).all()
    added = service.enrol(organizer, competition, people)
    db.session.commit()
    assert added == contestants, (added, contestants)
    assert round_.quiz is not None
    return {"competition": competition.id, "round": round_.id, "usernames": [f"C{i:05d}" for i in range(contestants)]}


def saved_counts() -> tuple[int, int]:
    from app.models import AttemptAnswer, RoundResult

    answers = db.session.scalar(select(func.count(AttemptAnswer.id)).where(AttemptAnswer.saved_at.is_not(None)))
    results = db.session.scalar(select(func.count(RoundResult.id)).where(RoundResult.score.is_not(None)))
    return answers, results


def leaderboard_queries(app, competition_id: int, username: str) -> tuple[int, float, int, int, int]:
    """(SQL queries, ms, saved answers, scored results, KiB) of one leaderboard request, in-process."""
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD})
    url = f"/compete/{competition_id}/leaderboard"
    assert client.get(url).status_code == 200  # warm up
    counted = {"n": 0}

    def count(*_args, **_kwargs):
        counted["n"] += 1

    with app.app_context():
        answers, results = saved_counts()
        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.status_code
    return counted["n"], elapsed, answers, results, len(response.data) // 1024


# --- servers -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(module: str, workers: int, cwd: Path, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    handle = open(log, "ab")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}",
                             "--chdir", str(cwd), module], cwd=cwd, env=env, stdout=handle,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    handle.close()
    return proc, port


def wait_ready(proc: subprocess.Popen, port: int, path: str, log: Path, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} not ready after {timeout:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (gunicorn master and workers), from /proc; 0 if unknown."""
    total = 0.0
    try:
        tick = os.sysconf("SC_CLK_TCK")
        pids = [pid]
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    except (OSError, ValueError, IndexError):
        pass
    return total


def machine_cpu() -> float:
    """Busy CPU seconds of all cores since boot, from /proc/stat; 0 if unknown."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def postmaster_pid() -> int | None:
    """The local PostgreSQL server's process (from postmaster.pid in its data directory), or None."""
    if db.engine.dialect.name != "postgresql":
        return None
    try:
        with db.engine.connect() as conn:
            folder = conn.exec_driver_sql("SHOW data_directory").scalar()
        return int((Path(folder) / "postmaster.pid").read_text().split()[0])
    except Exception:  # noqa: BLE001  (not local, not readable: the line just leaves it out)
        return None


def cpu_line(seconds: float, server: float, client: float, machine: float, database: float | None = None) -> str:
    """Where the CPU went: the server, this load generator, the database server when it is a local
    PostgreSQL, and everything else (other jobs on a shared machine: the figures are only clean
    when that is small)."""
    other = machine - server - client - (database or 0.0)
    return (f"CPU in {seconds:.1f} s on {os.cpu_count()} cores: gunicorn {server:.1f} s, load generator "
            f"{client:.1f} s, " + (f"PostgreSQL {database:.1f} s, " if database is not None else "")
            + f"everything else {max(0.0, other):.1f} s")


# --- the HTTP client -----------------------------------------------------------------------------

class Failed(Exception):
    """A request did not give the expected answer; the contestant is abandoned."""


class Recorder:
    """Latencies and errors of one thread (merged at the end, so no lock on the hot path)."""

    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.samples: dict[tuple, str] = {}

    def error(self, kind: str, why: str, sample: str = "") -> None:
        self.errors[(kind, why)] += 1
        self.samples.setdefault((kind, why), sample[:300])


class Session:
    """One browser: a cookie jar and requests over fresh loopback connections (gunicorn's sync
    workers close the connection after each response, as they do behind nginx)."""

    def __init__(self, port: int, recorder: Recorder):
        self.port, self.recorder, self.cookies = port, recorder, {}

    def call(self, kind: str, method: str, path: str, form: dict | list | None = None,
             expect: int = 200) -> tuple[int, dict, str]:
        body = urlencode(form, doseq=True) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.error(kind, type(exc).__name__, str(exc))
            raise Failed(kind) from exc
        elapsed = (time.perf_counter() - start) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = data.decode("utf-8", "replace")
        if response.status != expect:
            self.recorder.error(kind, f"HTTP {response.status}", text)
            raise Failed(kind)
        self.recorder.times[kind].append(elapsed)
        return response.status, dict(response.headers), text


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
FIELDSET = re.compile(r'data-answer-id="(\d+)"')
INPUT = re.compile(r'<input type="(radio|checkbox|text)" name="(q-\d+)"(?: value="([^"]*)")?')


def csrf_of(page: str, kind: str, recorder: Recorder) -> str:
    found = CSRF.search(page)
    if not found:
        recorder.error(kind, "no CSRF token in the page", page)
        raise Failed(kind)
    return html.unescape(found.group(1) or found.group(2))


def answers_of(page: str, rng: random.Random) -> list[list[tuple[str, str]]]:
    """One plausible answer per question of the quiz page, as form pairs (answer_id, q-<id>...)."""
    chunks = FIELDSET.split(page)[1:]
    result = []
    for answer_id, chunk in zip(chunks[::2], chunks[1::2]):
        inputs = INPUT.findall(chunk.split("</fieldset>", 1)[0])
        if not inputs:
            continue
        kind, name = inputs[0][0], inputs[0][1]
        values = [html.unescape(v) for _k, _n, v in inputs]
        if kind == "text":
            picked = ["不知道"]
        elif kind == "checkbox":
            picked = rng.sample(values, k=min(len(values), rng.choice((1, 2))))
        else:
            picked = [rng.choice(values)]
        # each question is saved once, so sequence number 1 (the page's own first value) is the newest
        result.append([("answer_id", answer_id), (f"seq-{answer_id}", "1")] + [(name, v) for v in picked])
    return result


def log_in(session: Session, username: str) -> None:
    _status, _headers, page = session.call("login form", "GET", "/login")
    token = csrf_of(page, "login form", session.recorder)
    _status, headers, _page = session.call("login", "POST", "/login", {
        "csrf_token": token, "username": username, "password": PASSWORD, "next": ""}, expect=302)
    if "/login" in urlsplit(headers.get("Location", "")).path:
        session.recorder.error("login", "refused", headers.get("Location", ""))
        raise Failed("login")


def take_round(session: Session, username: str, ids: dict, think: float, submit: bool, deadline: float,
               rng: random.Random) -> int:
    """One contestant's visit; returns the number of answers saved."""
    log_in(session, username)
    competition = f"/compete/{ids['competition']}"
    _status, _headers, page = session.call("competition", "GET", competition)
    token = csrf_of(page, "competition", session.recorder)
    _status, headers, _page = session.call("start", "POST", f"{competition}/rounds/{ids['round']}/start",
                                           {"csrf_token": token}, expect=302)
    take = urlsplit(headers.get("Location", "")).path
    if not take.startswith("/quizzes/attempts/"):
        session.recorder.error("start", "refused", headers.get("Location", ""))
        raise Failed("start")
    _status, _headers, page = session.call("quiz page", "GET", take)
    token = csrf_of(page, "quiz page", session.recorder)
    answers = answers_of(page, rng)
    if len(answers) != ids["questions"]:
        session.recorder.error("quiz page", f"{len(answers)} questions on the page", page)
        raise Failed("quiz page")
    saved = 0
    for form in answers:
        if time.monotonic() >= deadline:
            return saved
        if think:
            time.sleep(think)
        _status, _headers, text = session.call("answer", "POST", f"{take}/answer",
                                               [("csrf_token", token)] + form)
        if not json.loads(text).get("ok"):
            session.recorder.error("answer", "not ok", text)
        saved += 1
    if submit and time.monotonic() < deadline:
        session.call("submit", "POST", f"{take}/submit", {"csrf_token": token}, expect=302)
    return saved


def contestant_worker(port: int, todo: queue.Queue, ids: dict, args, deadline: float, recorder: Recorder,
                      saved: list, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        try:
            username = todo.get_nowait()
        except queue.Empty:
            return
        try:
            saved.append(take_round(Session(port, recorder), username, ids, args.think, not args.no_submit,
                                    deadline, rng))
        except Failed:
            pass
        except Exception as exc:  # noqa: BLE001  (a bug here must not hang the run)
            recorder.error("client", type(exc).__name__, repr(exc))


def poller(port: int, username: str, ids: dict, every: float, deadline: float, done: threading.Event,
           recorder: Recorder) -> None:
    session = Session(port, recorder)
    try:
        log_in(session, username)
    except Failed:
        return
    while not done.is_set() and time.monotonic() < deadline:
        try:
            session.call("leaderboard", "GET", f"/compete/{ids['competition']}/leaderboard")
        except Failed:
            pass
        done.wait(every)


def bare_worker(port: int, think: float, deadline: float, recorder: Recorder) -> None:
    session = Session(port, recorder)
    while time.monotonic() < deadline:
        try:
            session.call("bare", "GET", "/")
        except Failed:
            pass
        if think:
            time.sleep(think)


# --- figures -------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def row(label: str, times: list[float], errors: int, seconds: float) -> str:
    return (f"{label:<14}{len(times):>8}{errors:>7}{len(times) / seconds:>9.1f}"
            f"{percentile(times, 50):>9.1f}{percentile(times, 95):>9.1f}{percentile(times, 99):>9.1f}"
            f"{(max(times) if times else float('nan')):>9.1f}")


HEADER = f"{'request':<14}{'count':>8}{'errors':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"


def merge(recorders: list[Recorder]) -> Recorder:
    total = Recorder()
    for r in recorders:
        for kind, times in r.times.items():
            total.times[kind] += times
        total.errors.update(r.errors)
        for key, sample in r.samples.items():
            total.samples.setdefault(key, sample)
    return total


# --- main ----------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contestants", type=int, default=3200)
    parser.add_argument("--concurrency", type=int, default=20, help="virtual users taking the round at once")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load on the app (upper bound)")
    parser.add_argument("--questions", type=int, default=20, help="questions in the round's paper")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="default: SQLite in a temp folder ($BENCH_DATABASE_URL if set)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a contestant waits before each answer (also between bare requests)")
    parser.add_argument("--pollers", type=int, default=2, help="contestants polling the leaderboard")
    parser.add_argument("--poll-every", type=float, default=1.0, help="seconds between two polls of one poller")
    parser.add_argument("--bare-duration", type=float, default=5.0, help="seconds of load on the bare endpoint")
    parser.add_argument("--no-submit", action="store_true", help="save the answers but do not submit")
    args = parser.parse_args()
    if not 0 < args.duration <= 600 or not 0 < args.bare_duration <= 60:
        parser.error("--duration must be in (0, 600] and --bare-duration in (0, 60] seconds")
    if not 1 <= args.concurrency <= 200 or args.contestants < 1 or args.questions < 1:
        parser.error("--concurrency must be 1..200; --contestants and --questions at least 1")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    folder = Path(tempfile.mkdtemp(prefix="bench-competition-"))
    servers: list[subprocess.Popen] = []
    try:
        return run(args, folder, servers)
    finally:
        for proc in servers:
            stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


def run(args, folder: Path, servers: list) -> int:
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, CONTENT_DIR=str(ROOT / "courses"),
                     SCENARIOS_DIR=str(ROOT / "scenarios"), QUESTIONS_DIR=str(ROOT / "questions"),
                     PASSWORD_HASH_METHOD=HASH_METHOD, WTF_CSRF_ENABLED=False)
    started = time.perf_counter()
    with app.app_context():
        from flask_migrate import upgrade

        from app.content.sync import check_content, sync_content

        upgrade()
        report = check_content(app.config["CONTENT_DIR"], app.config["SCENARIOS_DIR"], app.config["QUESTIONS_DIR"])
        sync_content(report, app.config["SCENARIOS_DIR"])
        db.session.commit()
        ids = build(args.contestants, args.questions)
        ids["questions"] = args.questions
        dialect = db.engine.dialect.name
        database_pid = postmaster_pid()
        db.session.remove()
        db.engine.dispose()
    print(f"built {args.contestants} contestants, a {args.questions}-question round, everyone enrolled, "
          f"in {time.perf_counter() - started:.1f} s on {dialect}")
    usernames = ids.pop("usernames")
    before = leaderboard_queries(app, ids["competition"], usernames[-1])

    env = {**os.environ, "GRIDACADEMY_CONFIG": "production", "DATABASE_URL": url,
           "SECRET_KEY": secrets.token_hex(24), "PASSWORD_HASH_METHOD": HASH_METHOD,
           "XAPI_BASE": "https://training.jiangcheng.gov.cn/xapi",
           "SESSION_COOKIE_SECURE": "0", "PYTHONUNBUFFERED": "1"}
    (folder / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    app_log, bare_log = folder / "gunicorn-app.log", folder / "gunicorn-bare.log"
    app_proc, app_port = start_gunicorn("wsgi:app", args.workers, ROOT, env, app_log)
    servers.append(app_proc)
    bare_proc, bare_port = start_gunicorn("bare_app:app", args.workers, folder, env, bare_log)
    servers.append(bare_proc)
    wait_ready(app_proc, app_port, "/login", app_log)
    wait_ready(bare_proc, bare_port, "/", bare_log)
    print(f"load average before the run: {os.getloadavg()[0]:.2f} (other jobs on this machine skew the figures)")
    print(f"gunicorn -w {args.workers}: app on {HOST}:{app_port}, bare endpoint on {HOST}:{bare_port}; "
          f"{args.concurrency} virtual users, think {args.think:g} s, {args.pollers} leaderboard pollers "
          f"every {args.poll_every:g} s, up to {args.duration:g} s")

    # The quiz round: contestants in turn, leaderboard pollers beside them.
    todo: queue.Queue = queue.Queue()
    for name in usernames:
        todo.put(name)
    recorders = [Recorder() for _ in range(args.concurrency + args.pollers)]
    saved: list[int] = []
    done = threading.Event()
    cpu_app, cpu_self, machine = cpu_seconds(app_proc.pid), time.process_time(), machine_cpu()
    cpu_db = cpu_seconds(database_pid) if database_pid else None
    start = time.monotonic()
    deadline = start + args.duration
    users = [threading.Thread(target=contestant_worker, daemon=True,
                              args=(app_port, todo, ids, args, deadline, recorders[i], saved, i))
             for i in range(args.concurrency)]
    pollers = [threading.Thread(target=poller, daemon=True, args=(
        app_port, usernames[-1 - i % len(usernames)], ids, args.poll_every, deadline, done,
        recorders[args.concurrency + i])) for i in range(args.pollers)]
    for t in users + pollers:
        t.start()
    for t in users:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + 90)
    done.set()
    for t in pollers:
        t.join(timeout=90)
    load_seconds = time.monotonic() - start
    cpu_app, cpu_self = cpu_seconds(app_proc.pid) - cpu_app, time.process_time() - cpu_self
    machine = machine_cpu() - machine
    cpu_db = cpu_seconds(database_pid) - cpu_db if database_pid else None
    load = merge(recorders)

    # The bare endpoint, same server, same concurrency and think time.
    bare_recorders = [Recorder() for _ in range(args.concurrency)]
    bare_start = time.monotonic()
    bare_deadline = bare_start + args.bare_duration
    cpu_bare, cpu_self_bare, machine_bare = cpu_seconds(bare_proc.pid), time.process_time(), machine_cpu()
    threads = [threading.Thread(target=bare_worker, daemon=True, args=(bare_port, args.think, bare_deadline, r))
               for r in bare_recorders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.bare_duration + 90)
    bare_seconds = time.monotonic() - bare_start
    cpu_bare, cpu_self_bare = cpu_seconds(bare_proc.pid) - cpu_bare, time.process_time() - cpu_self_bare
    machine_bare = machine_cpu() - machine_bare
    bare = merge(bare_recorders)
    for proc in servers:
        stop(proc)

    after = leaderboard_queries(app, ids["competition"], usernames[-1])

    # Figures.
    errors = Counter()
    for (kind, _why), n in load.errors.items():
        errors[kind] += n
    print(f"\nquiz round: {load_seconds:.1f} s, {len(saved)} contestants reached the quiz "
          f"({sum(1 for s in saved if s == args.questions)} saved all {args.questions} answers), "
          f"{sum(saved)} answers saved")
    print(cpu_line(load_seconds, cpu_app, cpu_self, machine, cpu_db))
    print(HEADER)
    everything: list[float] = []
    for kind in KINDS:
        if load.times.get(kind) or errors.get(kind):
            print(row(kind, load.times.get(kind, []), errors.get(kind, 0), load_seconds))
            everything += load.times.get(kind, [])
    for kind in sorted(set(load.times) - set(KINDS)):
        print(row(kind, load.times[kind], errors.get(kind, 0), load_seconds))
    print(row("all app", everything, sum(errors.values()), load_seconds))
    bare_errors = sum(bare.errors.values())
    print("bare endpoint: " + cpu_line(bare_seconds, cpu_bare, cpu_self_bare, machine_bare))
    print(HEADER)
    print(row("bare", bare.times.get("bare", []), bare_errors, bare_seconds))
    bare_p50 = percentile(bare.times.get("bare", []), 50)
    if bare_p50 and not math.isnan(bare_p50):
        ratios = ", ".join(f"{kind} {percentile(load.times[kind], 50) / bare_p50:.1f}x"
                           for kind in ("answer", "start", "quiz page", "leaderboard") if load.times.get(kind))
        print(f"p50 / bare p50: all app {percentile(everything, 50) / bare_p50:.1f}x; {ratios}")
    if load.errors or bare.errors:
        print("\nerrors:")
        for (kind, why), n in (load.errors + bare.errors).most_common(10):
            sample = " ".join((load.samples.get((kind, why)) or bare.samples.get((kind, why)) or "").split())
            print(f"  {n:>6} {kind}: {why}  {sample[:160]}")
    print("\nleaderboard (one in-process request as a contestant, same database):")
    for label, (queries, ms, answers, results, size) in (("before the load", before), ("after the load", after)):
        print(f"  {label:<15}: {answers:>6} saved answers, {results:>5} scored results -> {queries} SQL queries, "
              f"{ms:.0f} ms, {size} KiB")
    log_errors = [line for line in app_log.read_text(errors="replace").splitlines()
                  if "Traceback" in line or "Error" in line or "WORKER TIMEOUT" in line]
    if log_errors:
        print(f"\ngunicorn log of the app: {len(log_errors)} error lines, first: {log_errors[0][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
