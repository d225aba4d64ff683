"""Importing Moodle GIFT or Aiken files into a question bank (creating the bank when missing), for the
upload page and ``flask quiz import`` alike: the same decoding, format detection, checks and report.

- **Bytes in**: UTF-8 (with or without BOM), UTF-16 with a BOM, or GBK/GB18030 as Chinese Windows
  saves it; CRLF, CR or LF. Anything else is refused in one sentence, never a traceback.
- **Format** by structure when not given: ``.gift`` files are GIFT; otherwise whichever of GIFT's
  answer blocks or Aiken's "options then ANSWER:" the file has more of (a ``{`` in an Aiken
  question does not make it GIFT).
- **Idempotent**: questions are matched by id (from their title, ``interop.question_id``) and
  content hash. The same file imported again changes nothing; a changed question is updated in
  place (attempts keep their own snapshot); a question already in the bank under another id is not
  added twice. The report says which questions were added, updated or already there.
- **Checked as the form checks**: the bank id's form, known indicator ids, difficulty 1-3, and that a
  file bank (``questions/<id>.yaml``) is never imported into; on the page, the bank's area too.
- **Reported in the reader's language**, counting questions: imported, already there, refused (one
  line each), unsupported types once each with their lines, and notices.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit, competency
from ..extensions import db
from ..models import QuestionBank, User
from ..refusal import Refusal
from ..scope import bank_filter, can_edit_bank
from .aiken import looks_like_aiken, parse_aiken
from .gift import looks_like_gift, parse_gift
from .interop import MESSAGES, UNSUPPORTED, EncodingError, Issue, ParseResult, content_key, decode
from .questions import ID_RE, ImportDefaults, build_question
from .sync import upsert_bank

FORMATS = ("gift", "aiken")
BANK_ID_MAX = 64


@dataclass
class ImportReport:
    bank: str
    fmt: str = "gift"
    #: Questions the file holds (every question counted once, whatever became of it).
    read: int = 0
    added: list[tuple[str, str]] = field(default_factory=list)      # (question id, text)
    updated: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    #: Translated lines: one per refused question (or stray line), one per unsupported type, notices.
    problems: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    #: How many questions were not imported (refused or of an unsupported type).
    not_imported: int = 0
    duplicates: int = 0

    @property
    def imported(self) -> list[tuple[str, str]]:
        """Questions now in the bank from this file (added, updated or already there)."""
        return self.added + self.updated + self.unchanged


def listed_banks(actor: User) -> list[QuestionBank]:
    """The active import banks ``actor`` may add to (those of their own area node), by slug."""
    return [bank for bank in db.session.scalars(select(QuestionBank).where(
        QuestionBank.active, QuestionBank.origin == "import", bank_filter(actor)).order_by(QuestionBank.slug))
        if can_edit_bank(actor, bank)]


def read_file(data: bytes) -> str:
    """The text of an uploaded or named file. Raises Refusal (not a text file in a known encoding)."""
    try:
        return decode(data)[0]
    except EncodingError as exc:
        raise Refusal(_("The file is neither UTF-8 nor GBK/GB18030 text: save it as UTF-8 (or 'ANSI' on Chinese "
                        "Windows) and upload it again.")) from exc


def guess_format(filename: str, text: str) -> str:
    if filename.lower().endswith(".gift"):
        return "gift"
    return "aiken" if looks_like_aiken(text) > looks_like_gift(text) else "gift"


def check_options(bank_slug: str, indicators: tuple[str, ...], difficulty: int) -> None:
    """The checks the upload form makes, for callers without the form (the CLI). Raises Refusal."""
    if not bank_slug or len(bank_slug) > BANK_ID_MAX or not ID_RE.match(bank_slug):
        raise Refusal(_("Bank id '%(bank)s': use lowercase letters, digits and hyphens (at most %(max)d "
                        "characters), e.g. street-training-2026.", bank=bank_slug, max=BANK_ID_MAX))
    if not indicators:
        raise Refusal(_("Choose at least one indicator."))
    known = competency.indicators()
    unknown = [i for i in indicators if i not in known]
    if unknown:
        raise Refusal(_("Unknown competency indicator %(id)s; known: %(known)s.", id=unknown[0],
                        known=", ".join(known)))
    if difficulty not in (1, 2, 3):
        raise Refusal(_("Difficulty is 1, 2 or 3."))


def issue_text(issue: Issue) -> str:
    return _("Line %(line)d: %(problem)s", line=issue.line, problem=_(MESSAGES[issue.key]) % issue.params)


def import_questions(text: str, fmt: str, bank_slug: str, defaults: ImportDefaults,
                     bank_title: str | None = None, actor: User | None = None) -> ImportReport:
    """Parse and store the good questions in ``bank_slug`` (an import bank; created if missing).

    ``actor`` is the organizer importing through the web page: a new bank belongs to their area node,
    and an existing one may be added to (or retitled) only by a manager of exactly its area node.
    The CLI passes no actor: its banks are global. Raises Refusal (nothing changed) for a bad bank
    id or indicator, a file bank, or another area's bank.
    """
    check_options(bank_slug, defaults.indicators, defaults.difficulty)
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug))
    if bank is not None and bank.origin == "file":
        raise Refusal(_("The bank %(bank)s comes from questions/%(bank)s.yaml: add the questions to that file, or "
                        "import into another bank.", bank=bank_slug))
    if actor is not None:
        if bank is None and actor.area is None:
            raise Refusal(_("You have no area: an imported bank belongs to its importer's area."))
        if bank is not None and not can_edit_bank(actor, bank):
            raise Refusal(_("The bank %(bank)s belongs to another area (or is shared by everyone): only its "
                            "own area's organizers may add to it or retitle it. Choose another bank id.",
                            bank=bank_slug))
    if fmt == "gift":  # a GridAcademy export names each question's indicators and difficulty in Moodle tags
        parsed: ParseResult = parse_gift(text, defaults, indicator_ids=set(competency.indicators()))
    else:
        parsed = parse_aiken(text, defaults)
    report = _report(parsed, bank_slug, fmt)
    existing = {q.key: q for q in bank.questions} if bank is not None else {}
    by_content = {content_key(q.spec): q.key for q in existing.values() if q.active}
    questions = []
    for item in parsed.questions:
        question = build_question(item.spec, bank_id=bank_slug)
        shown = (question.id, question.text)
        row = existing.get(question.id)
        if row is not None and row.content_hash == question.content_hash and row.active:
            report.unchanged.append(shown)
        elif row is not None:
            report.updated.append(shown)
            questions.append(question)
        elif content_key(item.spec) in by_content:
            report.unchanged.append((by_content[content_key(item.spec)], question.text))
        else:
            report.added.append(shown)
            questions.append(question)
    was = {"title": bank.title, "questions": _active(bank)} if bank is not None else None
    if questions or (bank is not None and bank_title and bank_title != bank.title):
        counts = dict.fromkeys(("banks_added", "questions_added", "questions_updated", "questions_deactivated"), 0)
        saved = upsert_bank(bank_slug, bank_title or (bank.title if bank else bank_slug), None, questions,
                            "import", counts, deactivate_missing=False)
        if bank is None and actor is not None:
            saved.area_id = actor.area_id
        audit.record(actor, "bank.import", saved, was, {"title": saved.title, "questions": _active(saved),
                     "questions_added": len(report.added), "questions_updated": len(report.updated)},
                     area=actor.area if actor is not None and bank is None else saved.area)
    return report


def _active(bank: QuestionBank) -> int:
    return sum(1 for q in bank.questions if q.active)


def _report(parsed: ParseResult, bank_slug: str, fmt: str) -> ImportReport:
    report = ImportReport(bank=bank_slug, fmt=fmt, read=parsed.read, duplicates=len(parsed.duplicates))
    report.problems = [issue_text(issue) for issue in parsed.refused]
    for kind, lines in parsed.unsupported.items():
        report.unsupported.append(_("%(what)s are not supported: %(count)d (line %(lines)s)", what=_(UNSUPPORTED[kind]),
                                    count=len(lines), lines=", ".join(str(n) for n in lines)))
    report.notices = [issue_text(issue) for issue in parsed.notices + parsed.duplicates]
    report.not_imported = parsed.read - len(parsed.questions) - len(parsed.duplicates)
    return report


def summary(report: ImportReport) -> str:
    """One sentence counting questions: read, added, updated, already there, not imported."""
    return _("%(read)d questions in the file: %(added)d added to %(bank)s, %(updated)d updated, %(same)d already "
             "there, %(dup)d repeated in the file, %(bad)d not imported.", read=report.read, added=len(report.added),
             bank=report.bank, updated=len(report.updated), same=len(report.unchanged), dup=report.duplicates,
             bad=report.not_imported)

