"""Knowledge base (知识库): FAQ entries and cases, cases written by workers and their review, the
assistant's questions and their hand-off to a person, and the search index with its version stamp."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class KbEntry(db.Model):
    """One FAQ entry or case of the library: from ``knowledge/`` (origin ``file``), an answer an organizer
    promoted (``promoted``), or a worker's case approved in the app (``field``)."""

    __tablename__ = "kb_entry"
    __table_args__ = (
        CheckConstraint("kind IN ('faq', 'case')", name="kind"),
        CheckConstraint("origin IN ('file', 'promoted', 'field')", name="origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The entry's id in its file (``dibao-apply``), ``promoted-<question id>`` or ``field-<case id>``.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(8), default="file")
    #: An FAQ's question or a case's title.
    title: Mapped[str] = mapped_column(String(300))
    #: An FAQ's other phrasings of the question.
    phrasings: Mapped[list] = mapped_column(JSON, default=list)
    #: An FAQ's answer (Markdown).
    answer: Mapped[str] = mapped_column(Text, default="")
    #: A case's four parts (Markdown): description, handling, lessons_learned, feedback.
    parts: Mapped[dict] = mapped_column(JSON, default=dict)
    category: Mapped[str] = mapped_column(String(32))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    #: The laws the entry relies on (free text until a law register exists).
    laws: Mapped[list] = mapped_column(JSON, default=list)
    #: Rules vary by city: the page says 以当地规定为准.
    local_rules: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Linked lessons (``course-id/lesson``) and drills (ids).
    lessons: Mapped[list] = mapped_column(JSON, default=list)
    drills: Mapped[list] = mapped_column(JSON, default=list)
    #: Credited person: a field case's author, or whoever wrote a promoted answer.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User")


class CaseSubmission(db.Model):
    """A case a worker writes up from their own grid, in the four parts, and its review."""

    __tablename__ = "kb_case_submission"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'changes_requested', 'approved')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(32), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(Text, default="")
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    #: draft (only the author sees it) → submitted → changes_requested → submitted … → approved.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: Who reviewed last (and approved, once approved).
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The library entry made on approval.
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("kb_entry.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    entry = relationship("KbEntry")
    comments: Mapped[list[CaseComment]] = relationship(back_populates="submission", order_by="CaseComment.id",
                                                       cascade="all, delete-orphan")


class CaseComment(db.Model):
    """One step of a case's review: a comment, a request for changes, an approval, or the author's
    (re)submission with a note."""

    __tablename__ = "kb_case_comment"
    __table_args__ = (CheckConstraint("action IN ('comment', 'changes', 'approve', 'submit')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("kb_case_submission.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[CaseSubmission] = relationship(back_populates="comments")
    author = relationship("User")


class KbQuestion(db.Model):
    """A question a worker asked the assistant, its answer, and its hand-off to a person."""

    __tablename__ = "kb_question"
    __table_args__ = (
        CheckConstraint("status IN ('answered', 'unsure', 'waiting', 'replied')", name="status"),
        Index("ix_kb_question_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    #: The assistant's answer (Markdown), "" when it was not sure.
    answer: Mapped[str] = mapped_column(Text, default="")
    #: [{"key", "kind", "title", "url", "confidence"}] of the entries it drew on (or came closest).
    sources: Mapped[list] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    llm: Mapped[bool] = mapped_column(Boolean, default=False)
    local_rules: Mapped[bool] = mapped_column(Boolean, default=False)
    #: answered (by the assistant), unsure (not sent on), waiting (for a person), replied (by a person).
    status: Mapped[str] = mapped_column(String(16))
    #: The mentor (or, without one, an organizer of the asker's area) it was sent to.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The FAQ entry an organizer made of the reply.
    promoted_entry_id: Mapped[int | None] = mapped_column(ForeignKey("kb_entry.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    user = relationship("User", foreign_keys=[user_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    replied_by = relationship("User", foreign_keys=[replied_by_id])
    promoted_entry = relationship("KbEntry")


class KbDocument(db.Model):
    """One searchable document, segmented: every process ranks from these rows (``app.kb.index``)."""

    __tablename__ = "kb_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``faq:<slug>``, ``case:<slug>``, ``lesson:<course>/<lesson>``, ``question:<bank>/<id>``.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    #: Plain text for snippets.
    text: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    #: A question's bank (hidden while a running competition uses it).
    gate: Mapped[str] = mapped_column(String(64), default="")
    #: Space-separated index words of the title and of the body.
    title_tokens: Mapped[str] = mapped_column(Text, default="")
    body_tokens: Mapped[str] = mapped_column(Text, default="")
    #: Digest of the source text and the vocabulary (``app.kb.terms.VERSION``): unchanged → not re-segmented.
    digest: Mapped[str] = mapped_column(String(64), default="")


class KbIndexState(db.Model):
    """The index's version stamp (one row): a new random stamp whenever a document changes, so every
    process reloads its in-memory copy on its next search."""

    __tablename__ = "kb_index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(32))
    documents: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
