"""Importing Moodle GIFT or Aiken text into a question bank (creating the bank when missing)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import QuestionBank
from .aiken import parse_aiken
from .gift import parse_gift
from .questions import ImportDefaults, build_question
from .sync import upsert_bank

FORMATS = ("gift", "aiken")


@dataclass
class ImportReport:
    bank: str
    imported: list[tuple[str, str]] = field(default_factory=list)  # (question id, text)
    problems: list[str] = field(default_factory=list)


def listed_banks() -> list:
    """(slug, title, origin) of every active bank, by slug: where an import may go."""
    return db.session.execute(select(QuestionBank.slug, QuestionBank.title, QuestionBank.origin)
                              .where(QuestionBank.active).order_by(QuestionBank.slug)).all()


def guess_format(filename: str, text: str) -> str:
    if filename.lower().endswith(".gift"):
        return "gift"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "aiken" if any(line.upper().startswith("ANSWER:") for line in lines) and "{" not in text else "gift"


def import_questions(text: str, fmt: str, bank_slug: str, defaults: ImportDefaults,
                     bank_title: str | None = None, shown: str | None = None) -> ImportReport:
    """Parse and add the good questions to ``bank_slug`` (an import bank; created if missing).

    Questions already in the bank keep their ids; new ones get fresh ids. A file bank (one that
    lives in ``questions/``) cannot be imported into: its file is the source of truth.
    """
    report = ImportReport(bank=bank_slug)
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug))
    if bank is not None and bank.origin == "file":
        report.problems.append(f"bank '{bank_slug}' comes from questions/{bank_slug}.yaml: add the questions "
                               f"to that file instead, or import into another bank")
        return report
    taken = {q.key for q in bank.questions} if bank is not None else set()
    parser = parse_gift if fmt == "gift" else parse_aiken
    specs, report.problems = parser(text, defaults, taken=taken, shown=shown)
    questions = [build_question(spec, bank_id=bank_slug) for spec in specs]
    if questions:
        counts = dict.fromkeys(("banks_added", "questions_added", "questions_updated", "questions_deactivated"), 0)
        upsert_bank(bank_slug, bank_title or (bank.title if bank else bank_slug), None, questions,
                    "import", counts, deactivate_missing=False)
        report.imported = [(q.id, q.text) for q in questions]
    return report
