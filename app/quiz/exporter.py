"""Exporting a question bank as Moodle GIFT or Moodle XML (the bank page's downloads and
``flask quiz export``): the bank's active questions, in id order, as their specs are stored."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Question, QuestionBank, User
from ..refusal import Refusal
from ..scope import bank_filter
from .giftwriter import write_gift
from .moodle_xml import write_moodle_xml

#: format → (file suffix, MIME type)
EXPORTS = {"gift": (".gift.txt", "text/plain; charset=utf-8"), "xml": (".moodle.xml", "application/xml")}


def visible_banks(actor: User) -> list[QuestionBank]:
    """The active banks ``actor`` may use (shipped ones and those of their area or above), by slug."""
    return list(db.session.scalars(select(QuestionBank).where(QuestionBank.active, bank_filter(actor))
                                   .order_by(QuestionBank.slug)))


def find_bank(slug: str, actor: User | None = None) -> QuestionBank | None:
    """The active bank ``slug`` if ``actor`` (None: the CLI) may see it, else None."""
    query = select(QuestionBank).where(QuestionBank.slug == slug, QuestionBank.active)
    if actor is not None:
        query = query.where(bank_filter(actor))
    return db.session.scalar(query)


def bank_questions(bank: QuestionBank) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.bank_id == bank.id, Question.active)
                                   .order_by(Question.key)))


def export_bank(slug: str, fmt: str, actor: User | None = None) -> tuple[bytes, str]:
    """(file content, file name) of bank ``slug`` in ``fmt`` ("gift" or "xml"). Raises Refusal when
    there is no such bank for ``actor`` or it holds no active question."""
    bank = find_bank(slug, actor)
    if bank is None:
        raise Refusal(_("There is no question bank %(bank)s.", bank=slug))
    specs = [q.spec for q in bank_questions(bank)]
    if not specs:
        raise Refusal(_("The bank %(bank)s has no active questions to export.", bank=slug))
    title = f"{bank.title} ({bank.slug})"
    if fmt == "gift":
        data = write_gift(specs, title=f"GridAcademy {title}").encode("utf-8")
    else:
        data = write_moodle_xml(specs, category=bank.title.replace("/", "／"))
    return data, bank.slug + EXPORTS[fmt][0]
