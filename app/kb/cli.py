"""``flask kb export-promoted`` (promoted answers in the FAQ file format) and ``flask kb reindex``."""
from __future__ import annotations

import sys

import click
import yaml
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import KbEntry
from . import index

kb_cli = click.Group("kb", help="Knowledge base: export promoted answers, rebuild the search index.")


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks (``|``), as authors write them."""


def _text(dumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def promoted_entries() -> list[dict]:
    """The active promoted answers as FAQ file entries (format: ``app.kb.checker``)."""
    rows = db.session.scalars(select(KbEntry).where(KbEntry.origin == "promoted", KbEntry.active)
                              .order_by(KbEntry.id)).all()
    out = []
    for row in rows:
        entry = {"id": row.slug, "question": row.title}
        if row.phrasings:
            entry["phrasings"] = list(row.phrasings)
        entry.update(answer=row.answer.rstrip() + "\n", category=row.category, indicators=list(row.indicators))
        out.append(entry)
    return out


@kb_cli.command("export-promoted")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (e.g. knowledge/faq/promoted.yaml) instead of standard output.")
@with_appcontext
def export_promoted(out):
    """Print the answers organizers promoted in the app as an FAQ file. Review them (indicators,
    phrasings, 以当地规定为准), put them in knowledge/faq/ and run `flask content sync`: from then on
    the files own them (same ids)."""
    entries = promoted_entries()
    text = yaml.dump({"entries": entries}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"wrote {len(entries)} promoted entries to {out}", err=True)
    else:
        sys.stdout.write(text)


@kb_cli.command("reindex")
@with_appcontext
def reindex():
    """Bring the search index in line with the database (only changed documents are re-segmented)."""
    counts = index.rebuild()
    db.session.commit()
    click.echo(", ".join(f"{k}={v}" for k, v in counts.items() if v) or "index up to date")
