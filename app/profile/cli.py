"""``flask xapi push``: queue every result as xAPI statements and send them to the configured LRS;
``flask xapi status``: what waits and why; ``flask xapi requeue``: try refused and failed ones again.

Exit status of ``push``: 0 when the LRS took everything due (or nothing waits), 1 when no LRS is
configured, 2 when the LRS refused statements in this run (their reasons are printed), 3 when
statements wait and none could be sent in this run (the LRS is down or their next try is later).
"""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import User
from . import lrs, scoring
from .export import statements_for

xapi_cli = click.Group("xapi", help="Records out: xAPI statements to a Learning Record Store.")

#: How many refusals ``push`` prints in full (the rest are counted; /profile/lrs lists them all).
SHOWN_REFUSALS = 20


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def _echo_waiting(waiting: lrs.Waiting) -> None:
    if not waiting.total:
        click.echo("nothing waits: every queued statement is in the LRS")
        return
    parts = []
    if waiting.pending:
        parts.append(f"{waiting.pending} waiting ({waiting.retrying} after an outage), next try at "
                     f"{_when(waiting.next_try_at)}")
    if waiting.failed:
        parts.append(f"{waiting.failed} failed during an outage ({waiting.revivable} will be tried again by "
                     "themselves once the LRS accepts statements)")
    if waiting.refused:
        parts.append(f"{waiting.refused} refused by the LRS (fix the cause, then run `flask xapi requeue`)")
    click.echo("not in the LRS: " + "; ".join(parts))


@xapi_cli.command("push")
@with_appcontext
def push():
    """Queue new statements and post the due ones (run it from cron, e.g. every 10 minutes)."""
    cfg = current_app.config
    if not cfg.get("XAPI_LRS_ENDPOINT"):
        click.echo("XAPI_LRS_ENDPOINT is not set: no Learning Record Store is configured", err=True)
        sys.exit(1)
    people = db.session.scalars(select(User)).all()
    added = lrs.enqueue(statements_for(people))
    db.session.commit()
    sender = lrs.http_sender(cfg["XAPI_LRS_ENDPOINT"], cfg["XAPI_LRS_USERNAME"], cfg["XAPI_LRS_PASSWORD"])
    report = lrs.send_pending(sender, cfg["XAPI_LRS_MAX_TRIES"], max_revivals=cfg["XAPI_LRS_MAX_REVIVALS"])
    db.session.commit()
    click.echo(f"queued {added} new; sent {report.sent}, refused {report.refused}, will retry {report.retrying}, "
               f"failed {report.failed}" + (f", tried again after an outage {report.revived}" if report.revived else ""))
    for statement_id, reason in report.refusals[:SHOWN_REFUSALS]:
        click.echo(f"refused {statement_id}: {reason}", err=True)
    if len(report.refusals) > SHOWN_REFUSALS:
        click.echo(f"... and {len(report.refusals) - SHOWN_REFUSALS} more refused (see /profile/lrs)", err=True)
    if report.outage:
        click.echo(f"the LRS could not take statements: {report.outage}", err=True)
    waiting = lrs.waiting_summary(cfg["XAPI_LRS_MAX_REVIVALS"])
    _echo_waiting(waiting)
    if report.refused:
        sys.exit(2)
    if waiting.pending + waiting.failed and not report.sent:
        sys.exit(3)


@xapi_cli.command("status")
@with_appcontext
def status():
    """What the LRS has, and what waits, until when and why (the newest reasons)."""
    cfg = current_app.config
    counts = lrs.outbox_counts()
    click.echo(f"sent {counts.get('sent', 0)}")
    _echo_waiting(lrs.waiting_summary(cfg["XAPI_LRS_MAX_REVIVALS"]))
    for reason, count in lrs.reasons():
        click.echo(f"{count} held back by: {reason}")


@xapi_cli.command("requeue")
@click.option("--failed-only", is_flag=True, help="Only the statements that failed during an outage.")
@with_appcontext
def requeue(failed_only):
    """Queue refused and failed statements again (after fixing the LRS settings or the cause)."""
    count = lrs.requeue(("failed",) if failed_only else ("refused", "failed"))
    db.session.commit()
    click.echo(f"queued again {count}")


evidence_cli = click.Group("evidence", help="The evidence stream: the sums kept for cohort views.")


@evidence_cli.command("rebuild-sums")
@with_appcontext
def rebuild_sums():
    """Rebuild the per person × indicator sums from the evidence records (after loading records
    around the evidence hub; a changed EVIDENCE_HALF_LIFE_DAYS is rebuilt by the first cohort view)."""
    from .. import evidence_sums

    knobs = evidence_sums.settings()
    if not scoring.sums_usable(knobs):
        click.echo(f"no sums are kept for a half-life of {knobs.half_life_days} days (under "
                   f"{scoring.MIN_SUMS_HALF_LIFE_DAYS:g}): cohort views score the records", err=True)
        sys.exit(1)
    built = evidence_sums.rebuild(db.session, knobs, force=True)
    db.session.commit()
    click.echo(f"rebuilt {built} person × indicator sums (half-life {knobs.half_life_days} days)")
