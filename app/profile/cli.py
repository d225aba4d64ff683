"""``flask xapi push``: queue every result as xAPI statements and send them to the configured LRS."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import User
from . import lrs
from .export import statements_for

xapi_cli = click.Group("xapi", help="Records out: xAPI statements to a Learning Record Store.")


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
    sender = lrs.http_sender(cfg["XAPI_LRS_ENDPOINT"], cfg["XAPI_LRS_USERNAME"], cfg["XAPI_LRS_PASSWORD"])
    counts = lrs.send_pending(sender, cfg["XAPI_LRS_MAX_TRIES"])
    db.session.commit()
    click.echo(f"queued {added}; sent {counts['sent']}, will retry {counts['retrying']}, failed {counts['failed']}")
    if counts["failed"]:
        sys.exit(2)
