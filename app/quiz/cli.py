"""``flask quiz import FILE --bank ID`` and ``flask quiz export BANK``: Moodle GIFT/Aiken in, GIFT or
Moodle XML out. The import reads files as the upload page does (UTF-8, GBK/GB18030, BOM, any line
ends), checks the bank id and indicators as the form does, and prints the same report."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..refusal import Refusal
from .exporter import EXPORTS, export_bank
from .importer import FORMATS, guess_format, import_questions, read_file, summary
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
@click.option("--explanation", help="Explanation for questions without general feedback (else one is generated "
                                    "from the key and the answers' feedback).")
@with_appcontext
def import_command(path, bank, title, fmt, indicators, difficulty, explanation):
    """Import the good questions of PATH; report each refused one with its line number."""
    try:
        text = read_file(Path(path).read_bytes())
        fmt = guess_format(path, text) if fmt == "auto" else fmt
        defaults = ImportDefaults(indicators=tuple(indicators), difficulty=difficulty, explanation=explanation)
        report = import_questions(text, fmt, bank, defaults, bank_title=title)
    except Refusal as exc:
        db.session.rollback()
        click.echo(f"{path}: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    for label, rows in (("+", report.added), ("~", report.updated), ("=", report.unchanged)):
        for qid, question_text in rows:
            click.echo(f"{label} {bank}/{qid}: {question_text[:50]}")
    for line in report.problems + report.unsupported:
        click.echo(f"{path}: {line}", err=True)
    for line in report.notices:
        click.echo(f"{path}: {line}")
    click.echo(f"{summary(report)} ({fmt})")
    if not report.imported and report.read:
        sys.exit(1)


@quiz_cli.command("export")
@click.argument("bank")
@click.option("--format", "fmt", type=click.Choice(list(EXPORTS)), default="gift", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="File to write (default: standard output).")
@with_appcontext
def export_command(bank, fmt, out):
    """Write BANK's active questions as GIFT or Moodle XML (for Moodle or another GridAcademy)."""
    try:
        data, _filename = export_bank(bank, fmt)
    except Refusal as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if out:
        Path(out).write_bytes(data)
        click.echo(out)
    else:
        click.echo(data.decode("utf-8"), nl=False)
