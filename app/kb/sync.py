"""Loading the checked knowledge files into the library (``kb_entry``), idempotently; the caller
commits once (``app.content.sync`` calls this, then rebuilds the search index).

Entries are matched by id. A changed entry is rewritten in place; an entry that left the files is
deactivated, never deleted (questions keep pointing at what answered them). Entries made in the app
(promoted answers, approved field cases) are left alone, except that a promoted answer moved into a
file under its id (``promoted-<n>``) becomes the file's from then on.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select

from ..clock import utcnow
from ..content.laws import Register, load_register
from ..content.upsert import add_row, changed_row, deactivate
from ..extensions import db
from ..models import KbEntry
from . import index
from .checker import CASE_PARTS, CaseSpec, FaqSpec, Knowledge, load_knowledge


def _unchanged(spec_hash: str):
    return lambda row: row.content_hash == spec_hash and row.active and row.origin == "file"


def sync_knowledge(knowledge: Knowledge) -> dict[str, int]:
    """Upsert the FAQ entries and cases of ``knowledge``; deactivate file entries no longer there."""
    counts = dict.fromkeys(("faq_added", "faq_updated", "faq_deactivated",
                            "cases_added", "cases_updated", "cases_deactivated"), 0)
    rows = db.session.scalars(select(KbEntry)).all()
    existing = {row.slug: row for row in rows}
    for spec in knowledge.faq:
        row = changed_row(existing, spec.slug, lambda s=spec: add_row(KbEntry(slug=s.slug, kind="faq", title="")),
                          _unchanged(spec.content_hash), counts, "faq")
        if row is not None:
            _write_faq(row, spec)
    for spec in knowledge.cases:
        row = changed_row(existing, spec.slug, lambda s=spec: add_row(KbEntry(slug=s.slug, kind="case", title="")),
                          _unchanged(spec.content_hash), counts, "cases")
        if row is not None:
            _write_case(row, spec)
    for kind, plural in (("faq", "faq"), ("case", "cases")):
        deactivate([r for r in existing.values() if r.origin == "file" and r.kind == kind], counts, plural)
    db.session.flush()
    return counts


def _common(row: KbEntry, spec: FaqSpec | CaseSpec) -> None:
    row.origin, row.category, row.indicators = "file", spec.category, list(spec.indicators)
    row.laws, row.lessons, row.drills = list(spec.laws), list(spec.lessons), list(spec.drills)
    row.content_hash, row.active, row.updated_at = spec.content_hash, True, utcnow()


def _write_faq(row: KbEntry, spec: FaqSpec) -> None:
    row.kind, row.title, row.phrasings, row.answer = "faq", spec.question, list(spec.phrasings), spec.answer
    row.parts, row.tags, row.local_rules = {}, [], spec.local_rules
    _common(row, spec)


def _write_case(row: KbEntry, spec: CaseSpec) -> None:
    row.kind, row.title, row.tags, row.answer, row.phrasings = "case", spec.title, list(spec.tags), "", []
    row.parts, row.local_rules = {part: spec.parts[part] for part in CASE_PARTS}, False
    _common(row, spec)


def check_knowledge(knowledge_dir: str | Path, indicator_ids: set[str], courses, scenarios_dir,
                    register: Register | None = None) -> tuple[Knowledge, list[str]]:
    """Check ``knowledge_dir`` against the checked courses (lesson links) and drill files (drill links);
    the law register (default, in an app context: the one in ``CONTENT_DIR``) names the laws an entry
    cites for its page."""
    lessons = {f"{course.slug}/{lesson.slug}" for course in courses for lesson in course.lessons}
    scenarios = Path(scenarios_dir) if scenarios_dir is not None else None
    drills = {p.stem for p in scenarios.glob("*.yaml")} if scenarios is not None and scenarios.is_dir() else None
    if register is None and has_app_context():
        register, _problems = load_register(current_app.config["CONTENT_DIR"])  # problems: content check's
    law_names = {law.id: law.name for law in register.laws.values()} if register is not None else {}
    return load_knowledge(knowledge_dir, indicator_ids, lessons, drills, law_names)


def load_knowledge_base(knowledge: Knowledge) -> dict[str, int]:
    """Sync the entries, then bring the search index in line with every synced content (after courses and
    question banks). Callers commit."""
    counts = sync_knowledge(knowledge)
    counts.update(index.rebuild())
    return counts
