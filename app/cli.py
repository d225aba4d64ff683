"""Command-line groups that are not a feature's own: ``flask demo create`` and ``flask users create-admin``."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .accounts.areas import create_area
from .accounts.service import password_problem
from .demo import DEMO_PASSWORD, create_demo_data
from .extensions import db
from .models import Area, User
from .security import hash_password

demo_cli = click.Group("demo", help="Demo data for development (refused in production).")
users_cli = click.Group("users", help="Account administration.")


@demo_cli.command("create")
@with_appcontext
def demo_create():
    """Create the demo area tree and accounts (idempotent; development and testing only)."""
    if not current_app.config.get("ALLOW_DEMO_ACCOUNTS"):
        click.echo("demo accounts are refused in this configuration (production)", err=True)
        sys.exit(1)
    created = create_demo_data()
    db.session.commit()
    click.echo(f"demo data ready ({created} new accounts); log in as worker, mentor, organizer or "
               f"admin with password {DEMO_PASSWORD}")


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--name", default="管理员", help="Display name.")
@click.option("--city", required=True, help="Name of the city (root area); created if missing.")
@click.password_option(help="Initial password (must be changed at first login).")
@with_appcontext
def create_admin(username, name, city, password):
    """Create the first admin, scoped to the whole city."""
    problem = password_problem(password)
    if problem:
        click.echo(problem, err=True)
        sys.exit(1)
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        click.echo(f"user {username} already exists", err=True)
        sys.exit(1)
    root = db.session.scalar(select(Area).where(Area.parent_id.is_(None), Area.name == city))
    root = root or create_area(city, "city")
    user = User(username=username, name=name, area=root, password_hash=hash_password(password),
                must_change_password=True)
    user.set_roles({"admin", "organizer"})
    db.session.add(user)
    db.session.commit()
    click.echo(f"admin {username} created for {city}")
