"""What quizzes record: every graded answer as evidence on the question's indicators, and the
answers and attempts as xAPI statements."""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import sealing, signals
from ..evidence import Item, Source, StatementContext, register_source, source
from ..extensions import db
from ..models import AttemptAnswer, Quiz, QuizAttempt
from ..profile import xapi
from .questions import build_question


def answer_evidence(attempt, **_kwargs) -> list[Item]:
    """One record per answer and indicator: the answer's score as 0-100. Nothing while the attempt's
    results are sealed (a competition paper before publication: ``attempt_published`` comes later)."""
    if not isinstance(attempt, QuizAttempt) or sealing.evidence_deferred(attempt):
        return []
    items = []
    for row in attempt.answers:
        for indicator in build_question(row.spec).indicators:
            items.append(Item(user_id=attempt.user_id, indicator=indicator, score=round(100 * (row.score or 0), 1),
                              source_id=row.id, source_ref=f"quiz:{attempt.quiz.slug}:{row.spec['id']}",
                              content_version=row.content_hash, at=attempt.submitted_at))
    return items


def answer_links(records) -> dict[int, str]:
    ids = {r.source_id for r in records if r.source_id is not None}
    attempts = dict(db.session.execute(select(AttemptAnswer.id, AttemptAnswer.attempt_id)
                                       .where(AttemptAnswer.id.in_(ids))).all()) if ids else {}
    return {r.id: f"/quizzes/attempts/{attempts[r.source_id]}/review" for r in records if r.source_id in attempts}


def answer_descriptions(records) -> dict[int, str]:
    slugs = {r.source_ref.split(":")[1] for r in records if r.source_ref.count(":") >= 2}
    titles = dict(db.session.execute(select(Quiz.slug, Quiz.title).where(Quiz.slug.in_(slugs))).all())
    return {r.id: _("quiz “%(title)s”", title=titles[r.source_ref.split(":")[1]])
            for r in records if r.source_ref.count(":") >= 2 and r.source_ref.split(":")[1] in titles}


def _response(answer) -> str | None:
    if answer is None:
        return None
    if isinstance(answer, list):
        return "[,]".join(map(str, answer))  # the xAPI response pattern for several choices
    return str(answer).lower() if isinstance(answer, bool) else str(answer)


def quiz_statements(context: StatementContext) -> list[dict]:
    """Each answer ("answered", with indicator scores) and each submitted attempt ("passed"/"failed")."""
    config, actors, out = context.config, context.actors, []
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id.in_(context.user_ids),
                                                            QuizAttempt.submitted_at.is_not(None))).all()
    if not attempts:
        return out
    quizzes = {q.id: q for q in db.session.scalars(select(Quiz))}
    answers = defaultdict(list)
    for row in db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_([a.id for a in attempts]))):
        answers[row.attempt_id].append(row)
    for attempt in attempts:
        quiz = quizzes[attempt.quiz_id]
        parent = xapi.activity(config.activity_id("quiz", quiz.slug), quiz.title, "assessment")
        for row in answers[attempt.id]:
            obj = xapi.activity(config.activity_id("quiz", quiz.slug, "question", row.spec["id"]),
                                row.spec["text"][:200], "question")
            out.append(xapi.build_statement(
                config, actor=actors[attempt.user_id], verb_key="answered", obj=obj, timestamp=attempt.submitted_at,
                source_ref=f"quiz_answer:{row.id}", parent=parent, content_version=row.content_hash,
                result=xapi.result(raw=round(100 * (row.score or 0), 1), success=(row.score or 0) >= 1.0,
                                   response=_response(row.answer)),
                indicator_scores=context.scores.get(("quiz_answer", row.id))))
        out.append(xapi.build_statement(
            config, actor=actors[attempt.user_id], verb_key="passed" if attempt.passed else "failed", obj=parent,
            timestamp=attempt.submitted_at, source_ref=f"quiz_attempt:{attempt.id}", content_version=quiz.content_hash,
            result=xapi.result(raw=attempt.score, success=bool(attempt.passed), completion=True,
                               duration=attempt.submitted_at - attempt.started_at)))
    return out


def register() -> None:
    register_source(Source("quiz_answer", _l("quiz answer"), verb="answered", activity_type="question",
                           links=answer_links, describe=answer_descriptions, statements=quiz_statements),
                    signal=signals.quiz_submitted, collect=answer_evidence)
    register_source(source("quiz_answer"), signal=signals.attempt_published, collect=answer_evidence)
