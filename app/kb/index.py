"""The search index: segmented documents in the database (``kb_document``) and each process's copy.

What is searched: the active FAQ entries and cases (files, promoted answers, approved field cases),
the active lessons of active courses, and the active questions of active banks (their text and
explanation). ``rebuild`` re-segments only the documents whose text (or the vocabulary,
``app.kb.terms.VERSION``) changed, drops those that went, and when anything changed writes a new
random stamp to ``kb_index_state``; ``put_entry`` does the same for one entry (an approved case, a
promoted answer). ``current`` returns this process's in-memory ``app.kb.search.Index``, rebuilt from
the rows whenever the stamp in the database differs from the one it was built at: one small query per
search, and every process (gunicorn workers, the CLI) ranks the same documents after a sync or an
approval. Ranking happens in Python, so SQLite and PostgreSQL give the same results.
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update

from ..clock import utcnow
from ..extensions import db
from ..models import Course, KbDocument, KbEntry, KbIndexState, Lesson, Question, QuestionBank
from . import terms
from .checker import CASE_PARTS, digest
from .search import Document, Index, default_segmenter, plain

KINDS = ("faq", "case", "lesson", "question")
#: How documents are segmented (part of each row's digest: a change re-segments every document).
#: 2: title lines kept apart (``search.LINE_BREAK``), jieba without its HMM guesses.
FORMAT = "2"
_STATE_ID = 1


@dataclass(frozen=True)
class Source:
    """A document before segmentation: what to index (``title_text``, ``body_text``) and what to show."""

    key: str
    kind: str
    title: str
    title_text: str
    body_text: str
    category: str = ""
    url: str = ""
    gate: str = ""

    @property
    def digest(self) -> str:
        return digest(self.key, self.kind, self.title, self.title_text, self.body_text, self.category, self.url,
                      self.gate, terms.VERSION, FORMAT)[:64]


def entry_url(slug: str) -> str:
    return f"/kb/entries/{slug}"


def entry_source(entry: KbEntry) -> Source:
    if entry.kind == "faq":
        return Source(key=f"faq:{entry.slug}", kind="faq", title=entry.title,
                      title_text="\n".join([entry.title, *entry.phrasings]), body_text=plain(entry.answer),
                      category=entry.category, url=entry_url(entry.slug))
    parts = entry.parts or {}
    return Source(key=f"case:{entry.slug}", kind="case", title=entry.title,
                  title_text="\n".join([entry.title, *entry.tags]),
                  body_text="\n".join(plain(parts.get(p, "")) for p in CASE_PARTS),
                  category=entry.category, url=entry_url(entry.slug))


def sources() -> list[Source]:
    """Every document that should be searchable now."""
    out = [entry_source(e) for e in db.session.scalars(select(KbEntry).where(KbEntry.active).order_by(KbEntry.id))]
    for lesson, course in db.session.execute(
            select(Lesson, Course).join(Course, Course.id == Lesson.course_id)
            .where(Lesson.active, Course.active).order_by(Course.sort_order, Course.id, Lesson.position)):
        body = lesson.body_md.split("\n", 1)[1] if lesson.body_md.startswith("# ") else lesson.body_md
        out.append(Source(key=f"lesson:{course.slug}/{lesson.slug}", kind="lesson", title=lesson.title,
                          title_text=lesson.title, body_text=plain(body), category="",
                          url=f"/courses/{course.slug}/{lesson.slug}"))
    for question, bank in db.session.execute(
            select(Question, QuestionBank).join(QuestionBank, QuestionBank.id == Question.bank_id)
            .where(Question.active, QuestionBank.active).order_by(QuestionBank.slug, Question.id)):
        spec = question.spec or {}
        explanation = (spec.get("explanation") or "").strip()
        if not explanation:
            continue
        source = spec.get("source") or ""
        out.append(Source(key=f"question:{bank.slug}/{question.key}", kind="question", title=spec.get("text", ""),
                          title_text=spec.get("text", ""), body_text=plain(explanation),
                          url=f"/courses/{source}" if source else "", gate=bank.slug))
    return out


_token_memo: dict[str, tuple[str, str]] = {}
_MEMO_LIMIT = 20_000


def _segment(source: Source) -> tuple[str, str]:
    """Space-separated index words of the title and the body (memoised per process by digest)."""
    key = source.digest
    found = _token_memo.get(key)
    if found is None:
        segmenter = default_segmenter()
        found = (" ".join(segmenter.title_tokens(source.title_text)), " ".join(segmenter.tokens(source.body_text)))
        if len(_token_memo) >= _MEMO_LIMIT:
            _token_memo.clear()
        _token_memo[key] = found
    return found


def _write(row: KbDocument, source: Source) -> None:
    row.kind, row.title, row.text = source.kind, source.title[:300], source.body_text
    row.category, row.url, row.gate = source.category, source.url, source.gate
    row.title_tokens, row.body_tokens = _segment(source)
    row.digest = source.digest


def rebuild() -> dict[str, int]:
    """Bring ``kb_document`` in line with the content (only what changed is re-segmented). Callers commit."""
    counts = dict.fromkeys(("index_added", "index_updated", "index_removed"), 0)
    existing = {row.key: row for row in db.session.scalars(select(KbDocument))}
    for source in sources():
        row = existing.pop(source.key, None)
        if row is None:
            row = KbDocument(key=source.key)
            db.session.add(row)
            counts["index_added"] += 1
        elif row.digest == source.digest:
            continue
        else:
            counts["index_updated"] += 1
        _write(row, source)
    for row in existing.values():
        db.session.delete(row)
        counts["index_removed"] += 1
    if any(counts.values()) or _stamp() == "":
        bump()
    db.session.flush()
    return counts


def put_entry(entry: KbEntry) -> None:
    """Index (or, when inactive, drop) one entry and bump the stamp. Callers commit."""
    source = entry_source(entry)
    row = db.session.scalar(select(KbDocument).where(KbDocument.key == source.key))
    if not entry.active:
        if row is not None:
            db.session.delete(row)
    else:
        if row is None:
            row = KbDocument(key=source.key)
            db.session.add(row)
        _write(row, source)
    bump()
    db.session.flush()


def _stamp() -> str:
    return db.session.scalar(select(KbIndexState.stamp).where(KbIndexState.id == _STATE_ID)) or ""


def bump() -> str:
    """A new stamp: every process reloads its copy on its next search."""
    db.session.flush()
    stamp = uuid.uuid4().hex
    count = db.session.scalar(select(func.count(KbDocument.id))) or 0
    done = db.session.execute(update(KbIndexState).where(KbIndexState.id == _STATE_ID)
                              .values(stamp=stamp, documents=count, built_at=utcnow()))
    if not done.rowcount:
        db.session.add(KbIndexState(id=_STATE_ID, stamp=stamp, documents=count, built_at=utcnow()))
    db.session.flush()
    return stamp


_copies: dict[str, tuple[str, Index]] = {}
_lock = threading.Lock()


def current() -> Index:
    """This process's index, reloaded from ``kb_document`` when the database's stamp has changed."""
    stamp = _stamp()
    where = db.engine.url.render_as_string(hide_password=True)
    copy = _copies.get(where)
    if copy is not None and copy[0] == stamp:
        return copy[1]
    with _lock:
        copy = _copies.get(where)
        if copy is not None and copy[0] == stamp:
            return copy[1]
        documents = [Document(key=row.key, kind=row.kind, title=row.title, text=row.text,
                              title_tokens=tuple(row.title_tokens.split()), body_tokens=tuple(row.body_tokens.split()),
                              category=row.category, url=row.url, gate=row.gate)
                     for row in db.session.scalars(select(KbDocument).order_by(KbDocument.key))]
        index = Index(documents, default_segmenter())
        _copies[where] = (stamp, index)
        return index
