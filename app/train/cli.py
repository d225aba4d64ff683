"""``flask train remind``: the day-before reminder of every session starting tomorrow (run it daily,
e.g. from cron at 18:00; each person is reminded of each session once however often it runs), in the
app and through the configured reminder sender (``app/train/sender.py``)."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from .report import day_before_reminders
from .sender import send_all

train_cli = click.Group("train", help="Training classes.")


@train_cli.command("remind")
@with_appcontext
def remind():
    """Remind everyone with a place of tomorrow's sessions (in-app notifications)."""
    outbox = day_before_reminders(current_app.config)
    db.session.commit()
    delivered = send_all(current_app.config, outbox)
    click.echo(f"{len(outbox)} reminders sent ({delivered} delivered by the reminder sender)")
