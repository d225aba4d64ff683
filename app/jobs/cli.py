"""``flask jobs work``: the worker process that runs queued background jobs (production)."""
from __future__ import annotations

import signal

import click
from flask.cli import AppGroup

from ..extensions import db
from . import runner

jobs_cli = AppGroup("jobs", help="Background jobs (roster imports, ...).")


@jobs_cli.command("work")
@click.option("--once", is_flag=True, help="Run every job waiting now, then exit.")
@click.option("--poll", type=float, default=None, help="Seconds to wait when idle (JOBS_POLL_SECONDS).")
def work_command(once: bool, poll: float | None) -> None:
    """Claim and run queued jobs; any number of these may run, on any host, against one database.

    SIGTERM or Ctrl-C stops the loop after the current job (a job cut short is resumed by the next worker)."""
    stopping = {"now": False}

    def stop(*_):
        stopping["now"] = True

    previous = signal.signal(signal.SIGTERM, stop)
    worker = runner.worker_name()
    click.echo(f"worker {worker}: {'running what is queued' if once else 'waiting for jobs'}")
    try:
        count = runner.work(once=once, worker=worker, poll=poll, stop=lambda: stopping["now"])
    except KeyboardInterrupt:
        count = None
    finally:
        signal.signal(signal.SIGTERM, previous)
        db.session.remove()
    if count is not None:
        click.echo(f"{count} job(s) run")
