"""Knowledge base operations (callers commit): search, entries, the assistant and its hand-off to a
person, promoting an answer into the FAQ, and cases written in the app with their review.

Every operation takes the acting person and checks what they may do, refusing with ``Refusal``
(nothing changed). Who may see what:

- Entries of the library (FAQ, cases, promoted answers, approved field cases): everyone logged in.
- A question asked of the assistant: the asker, the person it was sent to, the asker's mentor and the
  organizers of the asker's area (``app.access.can_view_person``); nobody else learns it exists.
  It is answered by the person it was sent to or an organizer of the asker's area; promoted into the
  FAQ by an organizer of the asker's area once a person has answered it.
- A case written in the app: the author; once submitted, also the author's mentor and the organizers
  of the author's area, who review it (comment, ask for changes, approve). A draft is the author's alone.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import access, audit, sealing, signals
from ..clock import utcnow
from ..extensions import db
from ..labels import KB_PART_NAMES
from ..models import (
    Area, CaseComment, CaseSubmission, Course, DrillVersion, KbEntry, KbQuestion, Lesson, Mentorship, User, UserRole,
)
from ..notifications import handled, notify
from ..refusal import FieldRefusal, Refusal
from ..scope import can_manage_user, scope_users
from . import assistant, index
from .checker import CASE_PARTS, CATEGORIES
from .search import Hit, snippet

QUESTION_MAX = 500
MIN_QUESTION = 2
#: Search results scoring below this share of the best one are left out (they match a common word only).
RELATIVE_FLOOR = 0.2


# --- search ---------------------------------------------------------------------------------------

@dataclass
class Result:
    hit: Hit
    title: list                      # (piece, is_mark) of the title
    snippet: list                    # (piece, is_mark) of the best window of the text


@dataclass
class Results:
    query: str
    kind: str = ""
    category: str = ""
    results: list[Result] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)       # kind → hits before the kind filter
    suggestions: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _hidden_for(user: User):
    """Documents ``user`` may not see now: explanations of questions from a bank a running competition uses."""
    memo: dict[str, bool] = {}

    def hidden(doc) -> bool:
        if doc.kind != "question" or not doc.gate:
            return False
        if doc.gate not in memo:
            memo[doc.gate] = sealing.practice_blocked(user, "quiz bank", doc.gate)
        return memo[doc.gate]

    return hidden


def search(user: User, text: str, kind: str = "", category: str = "", limit: int = 20) -> Results:
    """Ranked results for ``text`` with highlighted snippets; suggestions when nothing matches."""
    text = (text or "").strip()[:QUESTION_MAX]
    kind = kind if kind in index.KINDS else ""
    category = category if category in CATEGORIES else ""
    results = Results(query=text, kind=kind, category=category)
    if not text:
        return results
    found = index.current()
    query = found.parse(text)
    results.words = query.words
    hits = found.search(query, category=category, hidden=_hidden_for(user), limit=None)
    hits = [hit for hit in hits if hit.score >= RELATIVE_FLOOR * hits[0].score]
    results.counts = dict(Counter(hit.document.kind for hit in hits))
    shown = [hit for hit in hits if not kind or hit.document.kind == kind][:limit]
    for hit in shown:
        marks = found.surfaces(hit.matched)
        results.results.append(Result(hit=hit, title=snippet(hit.document.title, marks, width=200),
                                      snippet=snippet(hit.document.text, marks)))
    if not hits:
        results.suggestions = found.suggest(query)
    return results


# --- related entries ("相关知识" on lessons, drill debriefs and quiz explanations) -------------------

RELATED_KINDS = ("faq", "case")


@dataclass(frozen=True)
class Related:
    kind: str                        # faq or case
    title: str
    url: str


def _page_index():
    """The index for this request: ``index.current()`` once per page (a stamp query), then in memory."""
    from flask import g, has_request_context

    if not has_request_context():
        return index.current()
    found = getattr(g, "_kb_related_index", None)
    if found is None:
        found = g._kb_related_index = index.current()
    return found


def related(kind: str, text_or_ids, limit: int = 3, viewer: User | None = None) -> list[Related]:
    """Up to ``limit`` active FAQ entries and cases related to something a person is reading.

    - ``kind="lesson"``, ``text_or_ids=(ref, title)`` with ``ref`` ``"course-slug/lesson-slug"``: the
      entries whose ``lessons`` link it first, then the best BM25 matches of the lesson title.
    - ``kind="drill"``, ``text_or_ids=(drill_id, title)``: the entries whose ``drills`` link it first,
      then the best matches of the drill title.
    - ``kind="question"``, ``text_or_ids`` the question's text and explanation (a string): the best
      matches of that text (in memory: no database query once the page has the index).

    At most one database query for the links, and the index is read once per request (``_page_index``).
    """
    ref, text = "", ""
    if kind in ("lesson", "drill"):
        ref, text = text_or_ids
    elif kind == "question":
        text = text_or_ids if isinstance(text_or_ids, str) else " ".join(t for t in text_or_ids if t)
    else:
        raise ValueError(f"kind is lesson, drill or question, not {kind!r}")
    out: list[Related] = []
    seen: set[str] = set()
    if ref:
        field_name = "lessons" if kind == "lesson" else "drills"
        rows = db.session.execute(select(KbEntry.slug, KbEntry.kind, KbEntry.title, getattr(KbEntry, field_name))
                                  .where(KbEntry.active, KbEntry.kind.in_(RELATED_KINDS))
                                  .order_by(KbEntry.kind.desc(), KbEntry.title)).all()
        for slug, entry_kind, title, links in rows:
            if ref in (links or []) and len(out) < limit:
                out.append(Related(entry_kind, title, index.entry_url(slug)))
                seen.add(f"{entry_kind}:{slug}")
    text = (text or "").strip()[:QUESTION_MAX]
    if len(out) < limit and text:
        found = _page_index()
        hidden = _hidden_for(viewer) if viewer is not None else None
        hits = found.search(text, kinds=RELATED_KINDS, hidden=hidden, limit=limit + len(seen) + 5)
        hits = [hit for hit in hits if hit.score >= RELATIVE_FLOOR * hits[0].score] if hits else []
        for hit in hits:
            if len(out) >= limit:
                break
            if hit.document.key in seen:
                continue
            seen.add(hit.document.key)
            out.append(Related(hit.document.kind, hit.document.title, hit.document.url))
    return out


# --- entries --------------------------------------------------------------------------------------

def entry_named(slug: str) -> KbEntry | None:
    return db.session.scalar(select(KbEntry).where(KbEntry.slug == slug, KbEntry.active))


def entry_links(entry: KbEntry) -> dict[str, list[tuple[str, str]]]:
    """(title, URL) of the entry's linked lessons and drills that are active."""
    lessons = []
    for ref in entry.lessons or []:
        course_slug, _sep, lesson_slug = ref.partition("/")
        lesson = db.session.scalar(select(Lesson).join(Course).where(
            Course.slug == course_slug, Lesson.slug == lesson_slug, Lesson.active, Course.active))
        if lesson is not None:
            lessons.append((lesson.title, f"/courses/{course_slug}/{lesson_slug}"))
    drills = []
    if entry.drills:
        versions = {v.drill_id: v for v in db.session.scalars(select(DrillVersion).where(
            DrillVersion.drill_id.in_(entry.drills), DrillVersion.active))}
        drills = [(versions[d].title, "/drills") for d in entry.drills if d in versions]
    return {"lessons": lessons, "drills": drills}


def library(category: str = "") -> dict[str, dict[str, list[KbEntry]]]:
    """Active entries by category, then kind (``faq`` / ``case``), in title order."""
    query = select(KbEntry).where(KbEntry.active).order_by(KbEntry.kind.desc(), KbEntry.title)
    if category in CATEGORIES:
        query = query.where(KbEntry.category == category)
    out: dict[str, dict[str, list[KbEntry]]] = {c: {"faq": [], "case": []} for c in CATEGORIES}
    for entry in db.session.scalars(query):
        out.setdefault(entry.category, {"faq": [], "case": []})[entry.kind].append(entry)
    return {c: kinds for c, kinds in out.items() if kinds["faq"] or kinds["case"]}


def entry_answer(entry: KbEntry) -> assistant.Entry:
    """What the assistant may answer from ``entry``: an FAQ's answer, or a case's handling and lessons."""
    if entry.kind == "faq":
        text = entry.answer
    else:
        parts = entry.parts or {}
        text = "\n\n".join(f"**{KB_PART_NAMES[p]}**\n\n{parts.get(p, '')}" for p in ("handling", "lessons_learned"))
    return assistant.Entry(key=f"{entry.kind}:{entry.slug}", kind=entry.kind, title=entry.title,
                           url=index.entry_url(entry.slug), answer=text, local_rules=entry.local_rules)


# --- the assistant --------------------------------------------------------------------------------

def llm_config(config) -> assistant.LlmConfig:
    return assistant.LlmConfig(base_url=config.get("KB_LLM_BASE_URL", ""), api_key=config.get("KB_LLM_API_KEY", ""),
                               model=config.get("KB_LLM_MODEL", ""), timeout=float(config.get("KB_LLM_TIMEOUT", 15)))


def ask(user: User, text: str, config) -> KbQuestion:
    """Answer ``text`` from the library: the best entry with its sources when sure enough, else a
    question the asker may send to a person. Stored either way (the asker's chat history)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) < MIN_QUESTION:
        raise FieldRefusal(_("Ask your question in a few words."), "question")
    if len(text) > QUESTION_MAX:
        raise FieldRefusal(_("Keep the question under %(n)d characters.", n=QUESTION_MAX), "question")
    found = index.current()
    hits = found.search(text, kinds=assistant.ANSWER_KINDS, limit=10)
    slugs = [hit.document.key.split(":", 1)[1] for hit in hits]
    rows = db.session.scalars(select(KbEntry).where(KbEntry.slug.in_(slugs), KbEntry.active)).all() if slugs else []
    entries = {f"{row.kind}:{row.slug}": entry_answer(row) for row in rows}
    reply = assistant.reply(hits, entries, float(config.get("KB_CONFIDENCE_THRESHOLD", 0.6)))
    reply = assistant.rephrase(reply, llm_config(config), text, entries)
    question = KbQuestion(user_id=user.id, text=text, answer=reply.text, sources=reply.sources,
                          confidence=reply.confidence, llm=reply.llm, local_rules=reply.local_rules,
                          status="answered" if reply.sure else "unsure", reply="", created_at=utcnow())
    db.session.add(question)
    db.session.flush()
    return question


def history(user: User, limit: int = 20) -> list[KbQuestion]:
    """The person's latest questions, oldest first (a chat)."""
    rows = db.session.scalars(select(KbQuestion).where(KbQuestion.user_id == user.id)
                              .order_by(KbQuestion.created_at.desc(), KbQuestion.id.desc()).limit(limit)).all()
    return rows[::-1]


def responder_for(user: User) -> User | None:
    """Who answers for ``user``: their current mentor, else the organizer nearest above their area."""
    mentor = db.session.scalar(select(User).join(Mentorship, Mentorship.mentor_id == User.id).where(
        Mentorship.mentee_id == user.id, Mentorship.status == "active", User.active)
        .order_by(Mentorship.start_date.desc(), Mentorship.id.desc()).limit(1))
    if mentor is not None:
        return mentor
    if user.area is None:
        return None
    above = [int(part) for part in user.area.path.strip("/").split("/") if part]
    if not above:
        return None
    candidates = db.session.execute(
        select(User, Area.path).join(Area, User.area_id == Area.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "organizer", User.active, User.id != user.id, Area.id.in_(above))).all()
    if not candidates:
        return None
    return sorted(candidates, key=lambda row: (-len(row[1]), row[0].id))[0][0]


def can_view_question(actor: User, question: KbQuestion) -> bool:
    return actor.id == question.assignee_id or access.can_view_person(actor, question.user)


def can_reply(actor: User, question: KbQuestion) -> bool:
    """The person it was sent to (while still the asker's mentor or an organizer above them), or an
    organizer of the asker's area."""
    if question.status != "waiting" or actor.id == question.user_id:
        return False
    if actor.id == question.assignee_id and (access.is_mentor_of(actor, question.user)
                                             or can_manage_user(actor, question.user)):
        return True
    return can_manage_user(actor, question.user)


def can_promote(actor: User, question: KbQuestion) -> bool:
    return (question.status == "replied" and question.promoted_entry_id is None and actor.is_manager
            and can_manage_user(actor, question.user))


def send_to_person(user: User, question: KbQuestion) -> User:
    """Send the asker's question to their mentor (or an organizer of their area); they are notified."""
    access.check_own(user, question)
    if question.status in ("waiting", "replied"):
        raise Refusal(_("This question has already been sent."))
    person = responder_for(user)
    if person is None:
        raise Refusal(_("There is nobody to send it to: you have no mentor and no organizer of your area has an "
                        "account yet."))
    claimed = db.session.execute(update(KbQuestion).where(KbQuestion.id == question.id,
                                                          KbQuestion.status.in_(("answered", "unsure")))
                                 .values(status="waiting", assignee_id=person.id, sent_at=utcnow()))
    if not claimed.rowcount:
        raise Refusal(_("This question has already been sent."))
    db.session.refresh(question)
    notify(person.id, "kb_question", f"/kb/questions/{question.id}", subject=f"kb_question:{question.id}",
           asker=user.name, question=question.text[:60])
    db.session.flush()
    return person


def reply(actor: User, question: KbQuestion, text: str) -> None:
    """A person answers a question sent to them; the asker is notified."""
    if not can_view_question(actor, question):
        raise Refusal(_("Not found"))
    if not can_reply(actor, question):
        raise Refusal(_("Only the person it was sent to or an organizer of the asker's area answers this "
                        "question, once.") if question.status == "waiting" else _("This question is not waiting "
                                                                                   "for an answer."))
    text = (text or "").strip()
    if len(text) < 2:
        raise FieldRefusal(_("Write the answer."), "text")
    claimed = db.session.execute(update(KbQuestion).where(KbQuestion.id == question.id,
                                                          KbQuestion.status == "waiting")
                                 .values(status="replied", reply=text[:5000], replied_by_id=actor.id,
                                         replied_at=utcnow()))
    if not claimed.rowcount:
        raise Refusal(_("This question is not waiting for an answer."))
    db.session.refresh(question)
    handled(f"kb_question:{question.id}")
    notify(question.user_id, "kb_reply", f"/kb/questions/{question.id}", by=actor.name, question=question.text[:60])
    db.session.flush()


def promote(actor: User, question: KbQuestion, title: str, answer: str, category: str,
            indicators: list[str], known_indicators) -> KbEntry:
    """An organizer makes an FAQ entry (``promoted-<question id>``) of a person's answer; it is searched
    at once. ``flask kb export-promoted`` writes such entries in the file format for ``knowledge/faq/``."""
    if not can_view_question(actor, question):
        raise Refusal(_("Not found"))
    if not can_promote(actor, question):
        raise Refusal(_("Only an organizer of the asker's area promotes an answer a person gave, once."))
    title, answer = (title or "").strip(), (answer or "").strip()
    if len(title) < 4:
        raise FieldRefusal(_("Write the question as the FAQ should show it."), "title")
    if len(answer) < 10:
        raise FieldRefusal(_("Write the answer as the FAQ should show it (at least 10 characters)."), "answer")
    if category not in CATEGORIES:
        raise FieldRefusal(_("Choose a category."), "category")
    unknown = [i for i in indicators if i not in known_indicators]
    if unknown:
        raise FieldRefusal(_("Unknown indicator."), "indicators")
    entry = KbEntry(slug=f"promoted-{question.id}", kind="faq", origin="promoted", title=title[:300], answer=answer,
                    phrasings=[question.text] if question.text != title else [], category=category,
                    indicators=list(indicators), author_id=question.replied_by_id, content_hash="", active=True)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise Refusal(_("This answer has already been promoted.")) from None
    question.promoted_entry_id = entry.id
    audit.record(actor, "kb.promote", audit.Target("kb_entry", entry.id, entry.title),
                 after={"question": question.text[:200], "category": category})
    index.put_entry(entry)
    if question.replied_by_id and question.replied_by_id != actor.id:
        notify(question.replied_by_id, "kb_promoted", index.entry_url(entry.slug), question=question.text[:60])
    db.session.flush()
    return entry


def waiting_for(user: User) -> list[KbQuestion]:
    """Questions sent to ``user`` and not answered yet, oldest first."""
    return db.session.scalars(select(KbQuestion).where(KbQuestion.assignee_id == user.id,
                                                       KbQuestion.status == "waiting")
                              .order_by(KbQuestion.sent_at, KbQuestion.id)).all()


def answered_by(user: User, limit: int = 20) -> list[KbQuestion]:
    return db.session.scalars(select(KbQuestion).where(KbQuestion.replied_by_id == user.id)
                              .order_by(KbQuestion.replied_at.desc()).limit(limit)).all()


def promotable(actor: User, limit: int = 50) -> list[KbQuestion]:
    """Answered questions of the organizer's area not promoted yet, newest first."""
    if not actor.is_manager:
        return []
    query = scope_users(actor, select(KbQuestion).join(User, KbQuestion.user_id == User.id)).where(
        KbQuestion.status == "replied", KbQuestion.promoted_entry_id.is_(None))
    return db.session.scalars(query.order_by(KbQuestion.replied_at.desc()).limit(limit)).all()


# --- cases written in the app ---------------------------------------------------------------------

def can_view_case(actor: User, case: CaseSubmission) -> bool:
    if actor.id == case.author_id:
        return True
    return case.status != "draft" and _reviewer_of(actor, case.author)


def _reviewer_of(actor: User, author: User) -> bool:
    return actor.id != author.id and (access.is_mentor_of(actor, author) or can_manage_user(actor, author))


def can_review_case(actor: User, case: CaseSubmission) -> bool:
    return case.status == "submitted" and _reviewer_of(actor, case.author)


def can_edit_case(actor: User, case: CaseSubmission) -> bool:
    return actor.id == case.author_id and case.status in ("draft", "changes_requested")


def split_tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in re.split(r"[,，、;；\s]+", text or "") if t.strip()))[:10]


def save_case(user: User, case: CaseSubmission | None, *, title: str, category: str, tags: list[str],
              indicators: list[str], parts: dict[str, str], known_indicators, submit: bool,
              note: str = "") -> CaseSubmission:
    """Write or change one's own case (a draft, or one sent back for changes); ``submit`` sends it for
    review, which needs every part, a category and an indicator. The reviewer is notified."""
    if case is None:
        case = CaseSubmission(author_id=user.id, status="draft", created_at=utcnow())
        db.session.add(case)
    else:
        access.check_own(user, case, "author_id")
        if not can_edit_case(user, case):
            raise Refusal(_("This case is under review or approved: it can no longer be changed."))
    title = (title or "").strip()
    if len(title) < 4:
        raise FieldRefusal(_("Give the case a title (at least 4 characters)."), "title")
    unknown = [i for i in indicators if i not in known_indicators]
    if unknown or (category and category not in CATEGORIES):
        raise Refusal(_("Choose the category and indicators from the lists."))
    case.title, case.category, case.tags, case.indicators = title[:200], category, list(tags), list(indicators)
    for part in CASE_PARTS:
        setattr(case, part, (parts.get(part) or "").strip())
    case.updated_at = utcnow()
    if submit:
        missing = [part for part in CASE_PARTS if len(getattr(case, part)) < 10]
        if missing:
            raise FieldRefusal(_("Write each of the four parts (at least 10 characters) before sending the case "
                                 "for review."), missing[0])
        if not category:
            raise FieldRefusal(_("Choose a category."), "category")
        if not indicators:
            raise FieldRefusal(_("Tick at least one indicator the case shows."), "indicators")
        reviewer = responder_for(user)
        if reviewer is None:
            raise Refusal(_("There is nobody to review your case: you have no mentor and no organizer of your area "
                            "has an account yet."))
        case.status, case.submitted_at = "submitted", utcnow()
        db.session.flush()
        case.comments.append(CaseComment(author_id=user.id, action="submit", text=(note or "").strip()[:2000]))
        notify(reviewer.id, "kb_case_submitted", f"/kb/cases/{case.id}", subject=f"kb_case:{case.id}",
               author=user.name, title=case.title[:60])
    db.session.flush()
    return case


def review_case(actor: User, case: CaseSubmission, action: str, text: str) -> KbEntry | None:
    """The author's mentor or an organizer of their area comments, asks for changes or approves. An
    approved case joins the library (``field-<id>``, the author credited), is searched at once, and
    ``signals.case_approved`` is sent (evidence for its indicators). Returns the entry on approval."""
    if not can_view_case(actor, case):
        raise Refusal(_("Not found"))
    text = (text or "").strip()
    if action == "comment":
        if not _reviewer_of(actor, case.author) or case.status == "approved":
            raise Refusal(_("Only the author's mentor or an organizer of their area reviews this case."))
        if len(text) < 2:
            raise FieldRefusal(_("Write the comment."), "text")
        case.comments.append(CaseComment(author_id=actor.id, action="comment", text=text[:2000]))
        notify(case.author_id, "kb_case_comment", f"/kb/cases/{case.id}", by=actor.name, title=case.title[:60])
        db.session.flush()
        return None
    if action not in ("changes", "approve"):
        raise Refusal(_("Unknown action."))
    if not can_review_case(actor, case):
        raise Refusal(_("Only the author's mentor or an organizer of their area reviews a submitted case."))
    if action == "changes" and len(text) < 2:
        raise FieldRefusal(_("Say what should change."), "text")
    new_status = "changes_requested" if action == "changes" else "approved"
    claimed = db.session.execute(update(CaseSubmission).where(CaseSubmission.id == case.id,
                                                              CaseSubmission.status == "submitted")
                                 .values(status=new_status, reviewer_id=actor.id, reviewed_at=utcnow()))
    if not claimed.rowcount:
        raise Refusal(_("Someone else has just reviewed this case."))
    db.session.refresh(case)
    handled(f"kb_case:{case.id}")
    case.comments.append(CaseComment(author_id=actor.id, action=action, text=text[:2000]))
    if action == "changes":
        notify(case.author_id, "kb_case_changes", f"/kb/cases/{case.id}", by=actor.name, title=case.title[:60])
        db.session.flush()
        return None
    entry = KbEntry(slug=f"field-{case.id}", kind="case", origin="field", title=case.title, category=case.category,
                    tags=list(case.tags), indicators=list(case.indicators), author_id=case.author_id,
                    parts={part: getattr(case, part) for part in CASE_PARTS}, content_hash="", active=True)
    db.session.add(entry)
    db.session.flush()
    case.entry_id = entry.id
    audit.record(actor, "case.approve", audit.Target("kb_entry", entry.id, entry.title),
                 after={"author": case.author.name, "category": case.category}, area=case.author.area)
    index.put_entry(entry)
    signals.case_approved.send(case, entry=entry, reviewer=actor)
    notify(case.author_id, "kb_case_approved", index.entry_url(entry.slug), title=case.title[:60])
    db.session.flush()
    return entry


def my_cases(user: User) -> list[CaseSubmission]:
    return db.session.scalars(select(CaseSubmission).where(CaseSubmission.author_id == user.id)
                              .order_by(CaseSubmission.updated_at.desc())).all()


def cases_to_review(user: User) -> list[CaseSubmission]:
    """Submitted cases of the person's current mentees and (for organizers) of people in their area, oldest first."""
    found: dict[int, CaseSubmission] = {}
    mentees = access.current_mentees(user)
    for case in db.session.scalars(select(CaseSubmission).where(CaseSubmission.status == "submitted",
                                                                CaseSubmission.author_id.in_(mentees))):
        found[case.id] = case
    if user.is_manager:
        query = scope_users(user, select(CaseSubmission).join(User, CaseSubmission.author_id == User.id))
        for case in db.session.scalars(query.where(CaseSubmission.status == "submitted")):
            found[case.id] = case
    return sorted((c for c in found.values() if c.author_id != user.id), key=lambda c: (c.submitted_at, c.id))


def waiting_summary(user) -> dict:
    """What waits for ``user`` (the mentor's dashboard, the home page): questions sent to them and
    cases they may review."""
    if not getattr(user, "is_authenticated", False):
        return {"questions": [], "cases": []}
    return {"questions": waiting_for(user), "cases": cases_to_review(user)}

