"""``flask train remind``: the day-before reminder of every session starting tomorrow (run it daily,
e.g. from cron at 18:00; each person is reminded of each session once however often it runs)."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from .report import day_before_reminders

train_cli = click.Group("train", help="Training classes.")


@train_cli.command("remind")
@with_appcontext
def remind():
    """Remind everyone with a place of tomorrow's sessions (in-app notifications)."""
    sent = day_before_reminders(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    db.session.commit()
    click.echo(f"{sent} reminders sent")
