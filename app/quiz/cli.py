"""``flask quiz import FILE --bank ID``: import Moodle GIFT or Aiken questions into a bank."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from .importer import FORMATS, guess_format, import_questions
from .questions import ImportDefaults

quiz_cli = click.Group("quiz", help="Quizzes and question banks.")


@quiz_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--bank", required=True, help="Bank id; created when it does not exist.")
@click.option("--title", help="Title for a new bank.")
@click.option("--format", "fmt", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True)
@click.option("--indicator", "indicators", multiple=True, required=True,
              help="Competency indicator id for the imported questions (repeatable).")
@click.option("--difficulty", type=click.IntRange(1, 3), default=1, show_default=True)
@click.option("--explanation", help="Explanation for questions that carry no feedback.")
@with_appcontext
def import_command(path, bank, title, fmt, indicators, difficulty, explanation):
    """Import the good questions of PATH; report each rejected one with its line number."""
    text = Path(path).read_text(encoding="utf-8-sig")
    fmt = guess_format(path, text) if fmt == "auto" else fmt
    defaults = ImportDefaults(indicators=tuple(indicators), difficulty=difficulty, explanation=explanation)
    report = import_questions(text, fmt, bank, defaults, bank_title=title, shown=path)
    db.session.commit()
    for qid, question_text in report.imported:
        click.echo(f"imported {bank}/{qid}: {question_text[:50]}")
    for problem in report.problems:
        click.echo(f"rejected {problem}", err=True)
    click.echo(f"{len(report.imported)} imported into {bank}, {len(report.problems)} rejected ({fmt})")
    if not report.imported and report.problems:
        sys.exit(1)
