#!/usr/bin/env python3
"""Benchmark: the profile page and the cohort heatmap with 3,200 workers and 100,000 evidence rows.

Builds a throwaway database (SQLite in a temp folder, or ``--database-url`` for PostgreSQL) through
the real migrations, bulk-inserts the people and evidence, then requests the pages through the app
(in-process test client, so only the server side is timed) and prints the median and worst time
and the number of SQL queries of each page.

    .venv/bin/python scripts/bench_profiles.py [--workers 3200] [--evidence 100000] [--runs 5]
"""
from __future__ import annotations

import argparse
import shutil
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

INDICATORS = ["policy.learning", "policy.accuracy", "comm.residents", "comm.departments", "handling.detection",
              "handling.emergency", "info.collection", "info.analysis", "resilience.stress", "resilience.emotion"]
KINDS = ["quiz_answer", "drill_decision", "drill_ending", "mentor_observation"]


def build(workers: int, evidence: int) -> tuple[int, int]:
    """The area tree, a city organizer, ``workers`` workers and ``evidence`` records; (organizer, a worker)."""
    from benchdata import area_tree_and_organizer
    from app.models import EvidenceRecord, User, UserRole
    from app.models.base import utcnow

    organizer, grids, password = area_tree_and_organizer("bench1234")
    db.session.flush()
    rows = [{"username": f"W{i:05d}", "name": f"网格员{i}", "worker_number": f"W{i:05d}",
             "area_id": grids[i % len(grids)].id, "password_hash": password, "must_change_password": False,
             "active": True, "mentor_capacity": 2, "created_at": utcnow()} for i in range(workers)]
    db.session.execute(insert(User), rows)
    ids = [uid for (uid,) in db.session.execute(db.select(User.id).where(User.username.like("W%")))]
    db.session.execute(insert(UserRole), [{"user_id": uid, "role": "worker"} for uid in ids])
    rng, now = random.Random(7), utcnow()
    batch = []
    for n in range(evidence):
        uid = ids[n % len(ids)]
        batch.append({"user_id": uid, "indicator": INDICATORS[rng.randrange(10)], "score": rng.uniform(20, 100),
                      "weight": 1.0, "source_kind": KINDS[n % 4], "source_ref": f"bench:{n}",
                      "content_version": "", "created_at": now - timedelta(days=rng.randrange(365))})
        if len(batch) == 10_000:
            db.session.execute(insert(EvidenceRecord), batch)
            batch = []
    if batch:
        db.session.execute(insert(EvidenceRecord), batch)
    db.session.commit()
    return organizer.id, ids[0]


def timed(client, url: str, runs: int) -> tuple[list[float], int, int]:
    queries = {"n": 0}

    def count(*_args, **_kwargs):
        queries["n"] += 1

    client.get(url)  # warm up (templates, model file)
    times = []
    for _ in range(runs):
        queries["n"] = 0
        event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return times, queries["n"], len(response.data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3200)
    parser.add_argument("--evidence", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-profiles-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    root = Path(__file__).resolve().parent.parent
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, CONTENT_DIR=str(root / "courses"),
                     SCENARIOS_DIR=str(root / "scenarios"), QUESTIONS_DIR=str(root / "questions"),
                     WTF_CSRF_ENABLED=False)
    with app.app_context():
        from flask_migrate import upgrade

        from app.content.sync import check_content, sync_content

        upgrade()
        report = check_content(app.config["CONTENT_DIR"], app.config["SCENARIOS_DIR"], app.config["QUESTIONS_DIR"])
        sync_content(report, app.config["SCENARIOS_DIR"])
        db.session.commit()
        start = time.perf_counter()
        organizer_id, worker_id = build(args.workers, args.evidence)
        print(f"built {args.workers} workers and {args.evidence} evidence rows in {time.perf_counter() - start:.1f} s"
              f" on {db.engine.dialect.name}")
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', login)
    client.post("/login", data={"username": "bench-organizer", "password": "bench1234",
                                "csrf_token": token.group(1) if token else ""})
    try:
        time_pages(app, client, args, worker_id)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def time_pages(app, client, args, worker_id: int) -> None:
    for label, url in (("profile page (one worker, ~31 records)", f"/profile/{worker_id}"),
                       (f"cohort heatmap ({args.workers} people, {args.evidence} records)", "/profile/cohort")):
        with app.app_context():
            times, queries, size = timed(client, url, args.runs)
        print(f"{label}: median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms, "
              f"{queries} SQL queries, {size // 1024} KiB")


if __name__ == "__main__":
    sys.exit(main())
