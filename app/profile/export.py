"""Records out (学习记录): a person's or a cohort's results as Excel and as xAPI 1.0.3 statements.

Statements are built from the result tables (quiz answers and attempts, drill decisions and
attempts, lesson completions, mentor observations), with the indicator scores of the evidence
stream attached; a fixed number of queries whatever the number of people or results.
"""
from __future__ import annotations

import io
from collections import defaultdict

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import (
    AttemptAnswer, Course, DrillAttempt, DrillStep, EvidenceRecord, Lesson, LessonProgress, Mentorship, Observation,
    Quiz, QuizAttempt, User,
)
from . import xapi
from .pages import cohort_page
from .service import model


def xapi_config() -> xapi.XapiConfig:
    return xapi.XapiConfig(base=current_app.config["XAPI_BASE"], home_page=current_app.config["XAPI_HOME_PAGE"])


def _indicator_scores(user_ids: list[int]) -> dict[tuple[str, int], dict[str, float]]:
    scores: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for kind, source_id, indicator, score in db.session.execute(
            select(EvidenceRecord.source_kind, EvidenceRecord.source_id, EvidenceRecord.indicator,
                   EvidenceRecord.score).where(EvidenceRecord.user_id.in_(user_ids))):
        if source_id is not None:
            scores[(kind, source_id)][indicator] = score
    return scores


def statements_for(people: list[User]) -> list[dict]:
    """Every result of these people as xAPI statements, oldest first."""
    config = xapi_config()
    ids = [p.id for p in people]
    if not ids:
        return []
    actors = {p.id: xapi.agent(p.id, config, p.name) for p in people}
    scores = _indicator_scores(ids)
    out: list[dict] = []

    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id.in_(ids),
                                                            QuizAttempt.submitted_at.is_not(None))).all()
    quizzes = {q.id: q for q in db.session.scalars(select(Quiz))}
    answers = defaultdict(list)
    for row in db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_([a.id for a in attempts]))) \
            if attempts else []:
        answers[row.attempt_id].append(row)
    for attempt in attempts:
        quiz = quizzes[attempt.quiz_id]
        parent = xapi.activity(config.activity_id("quiz", quiz.slug), quiz.title, "assessment")
        version = quiz.content_hash
        for row in answers[attempt.id]:
            obj = xapi.activity(config.activity_id("quiz", quiz.slug, "question", row.spec["id"]),
                                row.spec["text"][:200], "question")
            out.append(xapi.build_statement(
                config, actor=actors[attempt.user_id], verb_key="answered", obj=obj, timestamp=attempt.submitted_at,
                source_ref=f"quiz_answer:{row.id}", parent=parent, content_version=row.content_hash,
                result=xapi.result(raw=round(100 * (row.score or 0), 1), success=(row.score or 0) >= 1.0,
                                   response=_response(row.answer)),
                indicator_scores=scores.get(("quiz_answer", row.id))))
        out.append(xapi.build_statement(
            config, actor=actors[attempt.user_id], verb_key="passed" if attempt.passed else "failed", obj=parent,
            timestamp=attempt.submitted_at, source_ref=f"quiz_attempt:{attempt.id}", content_version=version,
            result=xapi.result(raw=attempt.score, success=bool(attempt.passed), completion=True,
                               duration=attempt.submitted_at - attempt.started_at)))

    drills = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id.in_(ids),
                                                           DrillAttempt.finished_at.is_not(None))).all()
    steps = defaultdict(list)
    for step in db.session.scalars(select(DrillStep).where(DrillStep.attempt_id.in_([d.id for d in drills]),
                                                           ~DrillStep.undone)) if drills else []:
        steps[step.attempt_id].append(step)
    for attempt in drills:
        version = attempt.drill_version
        parent = xapi.activity(config.activity_id("drill", version.drill_id), version.title, "simulation")
        for step in steps[attempt.id]:
            obj = xapi.activity(config.activity_id("drill", version.drill_id, "node", step.node_id), None,
                                "interaction")
            out.append(xapi.build_statement(
                config, actor=actors[attempt.user_id], verb_key="answered", obj=obj, timestamp=step.created_at,
                source_ref=f"drill_decision:{step.id}", parent=parent, content_version=version.content_hash,
                result=xapi.result(response=step.choice_id or "timeout", duration=step.elapsed_ms / 1000),
                indicator_scores=scores.get(("drill_decision", step.id))))
        out.append(xapi.build_statement(
            config, actor=actors[attempt.user_id], verb_key=xapi.verb_for("drill_ending", attempt.outcome), obj=parent,
            timestamp=attempt.finished_at, source_ref=f"drill_attempt:{attempt.id}",
            content_version=version.content_hash,
            result=xapi.result(success=attempt.outcome == "success", completion=True,
                               duration=attempt.finished_at - attempt.started_at,
                               response=attempt.outcome),
            indicator_scores=scores.get(("drill_ending", attempt.id))))

    for progress, lesson, course in db.session.execute(
            select(LessonProgress, Lesson, Course).join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .join(Course, Course.id == Lesson.course_id).where(LessonProgress.user_id.in_(ids))):
        parent = xapi.activity(config.activity_id("course", course.slug), course.title, "course")
        obj = xapi.activity(config.activity_id("course", course.slug, "lesson", lesson.slug), lesson.title, "lesson")
        out.append(xapi.build_statement(
            config, actor=actors[progress.user_id], verb_key="completed", obj=obj, timestamp=progress.completed_at,
            source_ref=f"lesson_progress:{progress.id}", parent=parent, content_version=progress.content_hash,
            result=xapi.result(completion=True)))

    for observation, pairing in db.session.execute(
            select(Observation, Mentorship).join(Mentorship).where(Mentorship.mentee_id.in_(ids))):
        obj = xapi.activity(config.activity_id("observation", observation.indicator), None, "performance")
        out.append(xapi.build_statement(
            config, actor=actors[pairing.mentee_id], verb_key="scored", obj=obj, timestamp=observation.created_at,
            source_ref=f"observation:{observation.id}",
            result=xapi.result(raw=observation.rating, minimum=1, maximum=5, response=observation.note)))
    out.sort(key=lambda s: s["timestamp"])
    return out


def _response(answer) -> str | None:
    if answer is None:
        return None
    if isinstance(answer, list):
        return "[,]".join(map(str, answer))  # the xAPI response pattern for several choices
    return str(answer).lower() if isinstance(answer, bool) else str(answer)


def records_workbook(people: list[User]) -> bytes:
    """Excel: levels per person, then every evidence record."""
    from openpyxl import Workbook

    indicators = model()
    data = cohort_page(people)
    book = Workbook()
    levels = book.active
    levels.title = _("Levels")
    levels.append([_("Name"), _("Worker number"), *[i.title for i in indicators]])
    for person in people:
        profile = data.profiles[person.id]
        levels.append([person.name, person.worker_number or person.username,
                       *[profile.level(i.id) for i in indicators]])
    records = book.create_sheet(_("Evidence"))
    records.append([_("Name"), _("Indicator"), _("Score"), _("Weight"), _("Source"), _("Reference"),
                    _("Content version"), _("Time (UTC)")])
    names = {p.id: p.name for p in people}
    titles = {i.id: i.title for i in indicators}
    for row in db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.user_id.in_(list(names)))
                                  .order_by(EvidenceRecord.user_id, EvidenceRecord.created_at)) if names else []:
        records.append([names[row.user_id], titles.get(row.indicator, row.indicator), row.score, row.weight,
                        row.source_kind, row.source_ref, row.content_version[:12],
                        row.created_at.replace(tzinfo=None)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
