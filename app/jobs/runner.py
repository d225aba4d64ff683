"""Background jobs kept in the ``job`` table, so several workers on several hosts share one queue.

A feature registers a kind at start-up (in its ``hooks.init_app``)::

    runner.register_kind("roster_import", run_roster_import)

and queues work from a service (the caller commits, then calls ``dispatch``)::

    job = runner.enqueue("roster_import", {"import_id": 7}, created_by=actor)
    db.session.commit(); runner.dispatch(job.id)

A handler ``handler(job, run)`` does its work in units, each in its own transaction: it writes the unit,
calls ``run.step(done, total)`` (a conditional update of the job row that also proves the job is still
its own: it raises ``JobLost`` when another worker has taken the job over) and commits. It returns a
JSON-able result; a ``Refusal`` or any other error marks the job failed with a one-line reason.

Claiming is one ``UPDATE job SET status='running', claimed_by=… WHERE id=… AND status='queued'`` per
candidate (the same on SQLite and PostgreSQL): of several workers only one changes the row. A worker
that dies leaves its job running; once its heartbeat (``claimed_at``, renewed by every ``step``) is
older than ``JOBS_STALE_SECONDS`` another worker claims it and the handler resumes (handlers skip the
units already committed). After ``JOBS_MAX_ATTEMPTS`` claims the job is given up.

``JOBS_MODE`` says who runs queued jobs: ``worker`` (production: ``flask jobs work`` processes, any
number, any host), ``thread`` (development: ``dispatch`` starts a thread in the web process, so
``make run`` needs no second process) or ``sync`` (tests: ``dispatch`` runs the job before returning).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..extensions import db
from ..models import Job, User
from ..models.base import utcnow
from ..refusal import Refusal

log = logging.getLogger(__name__)

MODES = ("worker", "thread", "sync")


class JobLost(Exception):
    """Another worker took the job over (this one was too slow to show progress): stop, change nothing."""


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Callable[[Job, "Run"], Any]


_KINDS: dict[str, Kind] = {}


def register_kind(name: str, handler: Callable[[Job, "Run"], Any]) -> None:
    """Register a job kind (once per process; registering the same handler again is harmless)."""
    known = _KINDS.get(name)
    if known is not None and known.handler is not handler:
        raise ValueError(f"job kind {name!r} is already registered")
    _KINDS[name] = Kind(name, handler)


def kinds() -> tuple[str, ...]:
    return tuple(sorted(_KINDS))


def worker_name() -> str:
    """host:pid:random, unique per worker process (or thread)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def enqueue(kind: str, payload: dict, created_by: User | None = None) -> Job:
    """Queue a job of a registered ``kind``; the caller commits and then calls ``dispatch(job.id)``."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, payload=payload, status="queued", created_by_id=created_by.id if created_by else None)
    db.session.add(job)
    db.session.flush()
    return job


class Run:
    """What a handler gets besides its job: progress reports that double as the claim's heartbeat."""

    def __init__(self, job_id: int, worker: str):
        self.job_id = job_id
        self.worker = worker

    def step(self, done: int, total: int | None = None) -> None:
        """Record progress in the current transaction (the caller commits). Raises JobLost when this
        worker no longer holds the job."""
        values: dict[str, Any] = {"done": done, "claimed_at": utcnow()}
        if total is not None:
            values["total"] = total
        changed = db.session.execute(
            update(Job).where(Job.id == self.job_id, Job.claimed_by == self.worker, Job.status == "running")
            .values(**values).execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise JobLost(f"job {self.job_id} is no longer held by {self.worker}")


def _claim(job_id: int, worker: str, *, stale_before=None) -> bool:
    """Take job ``job_id`` if it is queued (or, with ``stale_before``, running with an older heartbeat)."""
    now = utcnow()
    if stale_before is None:
        condition = Job.status == "queued"
    else:
        condition = (Job.status == "running") & (Job.claimed_at < stale_before)
    changed = db.session.execute(
        update(Job).where(Job.id == job_id, condition)
        .values(status="running", claimed_by=worker, claimed_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.execute(update(Job).where(Job.id == job_id, Job.started_at.is_(None)).values(started_at=now)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return bool(changed)


def claim_next(worker: str) -> int | None:
    """Claim the oldest queued job, else the oldest job whose worker stopped; its id, or None."""
    config = current_app.config
    stale_before = utcnow() - timedelta(seconds=config["JOBS_STALE_SECONDS"])
    queued = db.session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(20)).all()
    stale = db.session.scalars(select(Job.id).where(Job.status == "running", Job.claimed_at < stale_before)
                               .order_by(Job.id).limit(20)).all()
    db.session.rollback()  # end the read transaction before claiming
    for job_id in queued:
        if _claim(job_id, worker):
            return job_id
    for job_id in stale:
        if _claim(job_id, worker, stale_before=stale_before):
            return job_id
    return None


def _finish(job_id: int, worker: str, **values) -> None:
    db.session.execute(update(Job).where(Job.id == job_id, Job.claimed_by == worker, Job.status == "running")
                       .values(finished_at=utcnow(), **values).execution_options(synchronize_session=False))
    db.session.commit()


def run_claimed(job_id: int, worker: str) -> str:
    """Run a job this worker has claimed; returns its final status ("done", "failed" or "lost").

    Only ``Exception`` is caught: a ``BaseException`` (the process being stopped) leaves the job running,
    and the next worker resumes it once its heartbeat is stale."""
    job = db.session.get(Job, job_id)
    kind = _KINDS.get(job.kind)
    if kind is None:
        _finish(job_id, worker, status="failed", error=f"unknown job kind {job.kind!r}")
        return "failed"
    if job.attempts > current_app.config["JOBS_MAX_ATTEMPTS"]:
        _finish(job_id, worker, status="failed",
                error=_("the work was interrupted %(n)d times before it could finish", n=job.attempts - 1))
        return "failed"
    try:
        result = kind.handler(job, Run(job_id, worker))
    except JobLost:
        db.session.rollback()
        log.warning("job %s was taken over by another worker", job_id)
        return "lost"
    except Refusal as exc:
        db.session.rollback()
        _finish(job_id, worker, status="failed", error=str(exc))
        return "failed"
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job_id, worker, status="failed",
                error=_("an error on the server (%(error)s)", error=f"{type(exc).__name__}: {exc}"[:500]))
        return "failed"
    _finish(job_id, worker, status="done", result=result)
    return "done"


def work(*, once: bool = False, worker: str | None = None, poll: float | None = None,
         stop: Callable[[], bool] | None = None) -> int:
    """Process jobs: claim, run, repeat. With ``once``, return when no job is left; otherwise sleep
    ``poll`` seconds (``JOBS_POLL_SECONDS``) when idle, until ``stop()`` says so. Returns how many ran."""
    worker = worker or worker_name()
    poll = current_app.config["JOBS_POLL_SECONDS"] if poll is None else poll
    count = 0
    while not (stop and stop()):
        job_id = claim_next(worker)
        if job_id is None:
            if once:
                break
            db.session.remove()
            time.sleep(poll)
            continue
        run_claimed(job_id, worker)
        count += 1
        db.session.remove()
    return count


def run_now(job_id: int) -> str:
    """Claim and run one queued job in this process (the ``sync`` mode); its final status."""
    worker = worker_name()
    if not _claim(job_id, worker):
        return db.session.get(Job, job_id).status
    return run_claimed(job_id, worker)


def dispatch(job_id: int) -> None:
    """Have a committed job run as ``JOBS_MODE`` says: now (``sync``), in a thread of this process
    (``thread``), or by the ``flask jobs work`` processes (``worker``: nothing to do here)."""
    mode = current_app.config["JOBS_MODE"]
    if mode not in MODES:
        raise ValueError(f"JOBS_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "sync":
        run_now(job_id)
    elif mode == "thread":
        app = current_app._get_current_object()

        def run_in_thread():
            with app.app_context():
                try:
                    work(once=True)
                finally:
                    db.session.remove()

        threading.Thread(target=run_in_thread, name=f"job-{job_id}", daemon=True).start()


def progress(job: Job) -> dict:
    """The job's state for a status endpoint (JSON)."""
    return {"id": job.id, "status": job.status, "done": job.done, "total": job.total,
            "finished": job.finished, "failed": job.status == "failed"}
