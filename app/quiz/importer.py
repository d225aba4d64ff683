"""Importing Moodle GIFT or Aiken text into a question bank (creating the bank when missing)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import QuestionBank, User
from ..refusal import Refusal
from ..scope import bank_filter, can_edit_bank
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


def listed_banks(actor: User) -> list[QuestionBank]:
    """The active import banks ``actor`` may add to (those of their own area node), by slug."""
    return [bank for bank in db.session.scalars(select(QuestionBank).where(
        QuestionBank.active, QuestionBank.origin == "import", bank_filter(actor)).order_by(QuestionBank.slug))
        if can_edit_bank(actor, bank)]


def guess_format(filename: str, text: str) -> str:
    if filename.lower().endswith(".gift"):
        return "gift"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "aiken" if any(line.upper().startswith("ANSWER:") for line in lines) and "{" not in text else "gift"


def import_questions(text: str, fmt: str, bank_slug: str, defaults: ImportDefaults,
                     bank_title: str | None = None, shown: str | None = None,
                     actor: User | None = None) -> ImportReport:
    """Parse and add the good questions to ``bank_slug`` (an import bank; created if missing).

    Questions already in the bank keep their ids; new ones get fresh ids. A file bank (one that
    lives in ``questions/``) cannot be imported into: its file is the source of truth.

    ``actor`` is the organizer importing through the web page: a new bank belongs to their area node,
    and an existing one may be added to (or retitled) only by a manager of exactly its area node
    (Refusal otherwise, nothing changed). The CLI passes no actor: its banks are global.
    """
    report = ImportReport(bank=bank_slug)
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug))
    if bank is not None and bank.origin == "file":
        report.problems.append(f"bank '{bank_slug}' comes from questions/{bank_slug}.yaml: add the questions "
                               f"to that file instead, or import into another bank")
        return report
    if actor is not None:
        if bank is None and actor.area is None:
            raise Refusal(_("You have no area: an imported bank belongs to its importer's area."))
        if bank is not None and not can_edit_bank(actor, bank):
            raise Refusal(_("The bank %(bank)s belongs to another area (or is shared by everyone): only its "
                            "own area's organizers may add to it or retitle it. Choose another bank id.",
                            bank=bank_slug))
    taken = {q.key for q in bank.questions} if bank is not None else set()
    parser = parse_gift if fmt == "gift" else parse_aiken
    specs, report.problems = parser(text, defaults, taken=taken, shown=shown)
    questions = [build_question(spec, bank_id=bank_slug) for spec in specs]
    if questions:
        counts = dict.fromkeys(("banks_added", "questions_added", "questions_updated", "questions_deactivated"), 0)
        saved = upsert_bank(bank_slug, bank_title or (bank.title if bank else bank_slug), None, questions,
                            "import", counts, deactivate_missing=False)
        if bank is None and actor is not None:
            saved.area_id = actor.area_id
        report.imported = [(q.id, q.text) for q in questions]
    return report
