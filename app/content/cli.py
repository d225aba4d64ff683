"""Command-line interface: ``flask content check|sync``."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from .sync import check_content, sync_content

content_cli = click.Group("content", help="Check and load courses, question banks and drills.")


def _report():
    cfg = current_app.config
    return check_content(cfg["CONTENT_DIR"], cfg["SCENARIOS_DIR"], cfg["QUESTIONS_DIR"], cfg.get("KNOWLEDGE_DIR"))


def _list_revisions(report) -> None:
    """Content citing (or naming) a superseded law, listed together: what must be revised, and against what."""
    if report.revisions:
        click.echo(f"{len(report.revisions)} item(s) cite a superseded law; revise them against the current text:",
                   err=True)
        for revision in report.revisions:
            click.echo(f"  revise: {revision}", err=True)


def _warn_lessons_without_check(report) -> None:
    """Lessons without check questions are listed as warnings: they load, but cannot credit hours."""
    for warning in report.lessons_without_check:
        click.echo(f"warning: {warning}", err=True)
    if report.lessons_without_check:
        click.echo(f"{len(report.lessons_without_check)} lesson(s) without check questions: their hours cannot "
                   "be credited until bank questions name them as source.", err=True)


@content_cli.command("check")
@with_appcontext
def content_check():
    """Validate every content file; exit 1 listing each problem (file: field: problem)."""
    report = _report()
    for error in report.errors:
        click.echo(error, err=True)
    _list_revisions(report)
    _warn_lessons_without_check(report)
    if report.errors:
        click.echo(f"{len(report.errors)} problem(s) found; nothing was loaded.", err=True)
        sys.exit(1)
    lessons = sum(len(c.lessons) for c in report.courses)
    questions = sum(len(b.questions) for b in report.banks)
    checked = f"{len(report.lessons_without_check)} without check questions" if report.lessons_without_check \
        else "each with check questions"
    click.echo(f"OK: {len(report.courses)} courses, {lessons} lessons ({checked}), {report.indicator_count} indicators, "
               f"{len(report.banks)} question banks ({questions} questions), {len(report.quizzes)} quizzes, "
               f"{report.drill_count} drills (content {report.content_hash[:12]})")
    if report.knowledge is not None:
        click.echo(f"OK: knowledge base: {len(report.knowledge.faq)} FAQ entries, {len(report.knowledge.cases)} cases")
    if report.cue_rates is not None:
        click.echo(f"OK: {report.cue_rates.summary()}")
    if report.register is not None:
        superseded = sum(not law.current for law in report.register.laws.values())
        click.echo(f"OK: law register: {len(report.register)} texts ({superseded} superseded), "
                   f"{report.citation_count} citations, none of a superseded text")
    for notice in report.notices:
        click.echo(notice)


@content_cli.command("sync")
@with_appcontext
def content_sync():
    """Load the content into the database in one transaction (refused when the check fails)."""
    report = _report()
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        _list_revisions(report)
        click.echo("content check failed; the database was not changed.", err=True)
        sys.exit(1)
    try:
        counts = sync_content(report, current_app.config["SCENARIOS_DIR"])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _warn_lessons_without_check(report)
    changed = ", ".join(f"{k}={v}" for k, v in counts.items() if v) or "no changes"
    click.echo(f"synced content {report.content_hash[:12]}: {changed}")
