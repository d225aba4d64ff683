"""The data behind the profile and cohort pages, with a fixed number of queries whatever the number
of people or evidence rows (a test counts them at two sizes)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from .. import competency, evidence
from ..clock import utcnow
from ..content.courses import Indicator
from ..extensions import db
from ..learn.catalogue import assignable_courses
from ..learn.progress import learners_query
from ..models import (
    Area, Course, DrillAttempt, DrillVersion, EvidenceRecord, Lesson, LessonProgress, Question, QuestionBank, Quiz,
    QuizAttempt, User,
)
from .recommend import Item, recommend
from .scoring import Profile, cohort_summary, score_profile, strengths, trends, weakest
from .service import levels_for, settings

#: Evidence rows listed per indicator on the profile page.
EVIDENCE_SHOWN = 8


@dataclass
class ProfilePage:
    person: User
    now: Profile
    before: Profile                       # three months ago, for the radar's second polygon
    trends: dict                          # indicator → [TrendPoint]
    weakest: list
    strengths: list
    evidence: dict[str, list[dict]]       # indicator → newest records with a link to their source
    recommendations: list


def catalogue() -> list[Item]:
    """Courses, quizzes and drills with the indicators they train (four queries)."""
    items = [Item("course", c.slug, c.title, tuple(c.indicators or ()))
             for c in db.session.scalars(select(Course).where(Course.active).order_by(Course.sort_order))]
    bank_indicators: dict[str, set[str]] = defaultdict(set)
    for slug, indicators in db.session.execute(select(QuestionBank.slug, Question.indicators).join(Question)
                                               .where(Question.active)):
        bank_indicators[slug].update(indicators or ())
    everything = set().union(*bank_indicators.values()) if bank_indicators else set()
    for quiz in db.session.scalars(select(Quiz).where(Quiz.active, Quiz.kind.not_in(("daily", "competition")))):
        trained: set[str] = set()
        for rule in quiz.selection.get("draw", []):
            trained |= set(rule.get("indicators") or ()) or set().union(
                *(bank_indicators[b] for b in rule.get("banks") or bank_indicators))
        for ref in quiz.selection.get("fixed", []):
            trained |= bank_indicators.get(ref.split("/")[0], set())
        items.append(Item("quiz", quiz.slug, quiz.title, tuple(sorted(trained & everything))))
    items += [Item("drill", v.drill_id, v.title, tuple(v.indicators or ()))
              for v in db.session.scalars(select(DrillVersion).where(DrillVersion.active))]
    return items


def recent_activity(user: User) -> dict[tuple[str, str], datetime]:
    """When the person last did each course, quiz and drill (three queries)."""
    recent = {}
    for slug, when in db.session.execute(select(Course.slug, func.max(LessonProgress.completed_at))
                                         .join(Lesson, Lesson.course_id == Course.id)
                                         .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
                                         .where(LessonProgress.user_id == user.id).group_by(Course.slug)):
        recent[("course", slug)] = when
    for slug, when in db.session.execute(select(Quiz.slug, func.max(QuizAttempt.started_at)).join(QuizAttempt)
                                         .where(QuizAttempt.user_id == user.id).group_by(Quiz.slug)):
        recent[("quiz", slug)] = when
    for drill_id, when in db.session.execute(select(DrillVersion.drill_id, func.max(DrillAttempt.started_at))
                                             .join(DrillAttempt).where(DrillAttempt.user_id == user.id)
                                             .group_by(DrillVersion.drill_id)):
        recent[("drill", drill_id)] = when
    return recent


def profile_page(person: User, now: datetime | None = None) -> ProfilePage:
    now = now or utcnow()
    indicators, knobs = competency.model(), settings()
    records = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.user_id == person.id)
                                 .order_by(EvidenceRecord.created_at.desc())).all()
    current = score_profile(records, indicators, now, knobs)
    earlier = score_profile(records, indicators, now - timedelta(days=91), knobs)
    shown: dict[str, list[EvidenceRecord]] = defaultdict(list)
    for record in records:
        if len(shown[record.indicator]) < EVIDENCE_SHOWN:
            shown[record.indicator].append(record)
    links = evidence.links([r for rows in shown.values() for r in rows])
    listed = {ind: [{"record": r, "link": links.get(r.id)} for r in rows] for ind, rows in shown.items()}
    weak = weakest(current, 3)
    recs = recommend(weak, catalogue(), recent_activity(person), now, skip_days=30, per_kind=2)
    return ProfilePage(person=person, now=current, before=earlier, trends=trends(records, indicators, now, 6),
                       weakest=weak, strengths=strengths(current, 3), evidence=listed, recommendations=recs)


@dataclass
class CohortPage:
    people: list
    levels: dict[int, dict[str, float]]   # person id → indicator → level (absent: not enough evidence)
    summary: object
    weakest: list = field(default_factory=list)


def cohort_page(people: list, threshold: float = 60.0, now: datetime | None = None) -> CohortPage:
    """Levels and distributions of ``people`` (Users, or rows with ``id``), from the sums the evidence
    hub keeps: a fixed number of queries, one row per person and indicator."""
    levels = levels_for([p.id for p in people], now)
    summary = cohort_summary(levels, list(competency.indicators()), threshold=threshold)
    return CohortPage(people=people, levels=levels, summary=summary, weakest=summary.weakest)


def cohort_people(actor: User, area: Area | None = None, hired: int | None = None) -> list[User]:
    """The learners ``actor`` manages, by name; only those at or below ``area`` and hired in ``hired``
    when given."""
    return db.session.scalars(learners_query(actor, within=area, hired=hired).order_by(User.name_key, User.name)).all()


def cohort_rows(actor: User, area: Area | None = None, hired: int | None = None) -> list:
    """``cohort_people`` as light rows (``id``, ``name``, ``hire_date``): what the heatmap shows of
    thousands of people, without loading them as accounts."""
    return db.session.execute(learners_query(actor, within=area, hired=hired)
                              .with_only_columns(User.id, User.name, User.hire_date)
                              .order_by(User.name_key, User.name)).all()


def below_threshold(people: list[User], indicator: str, threshold: float) -> list[User]:
    """The people whose level on ``indicator`` is below ``threshold`` (not those without a level yet)."""
    levels = levels_for([p.id for p in people])
    return [p for p in people if (level := levels[p.id].get(indicator)) is not None and level < threshold]


def training_courses(indicators: list[Indicator]) -> dict[str, list[Course]]:
    """indicator id → the active courses that train it, by tier (one query)."""
    courses = assignable_courses()
    return {i.id: [c for c in courses if i.id in (c.indicators or [])] for i in indicators}


def hire_years(people: list) -> list[int]:
    """The years these people (Users, or rows with ``hire_date``) were hired in, newest first."""
    return sorted({hired.year for hired in {p.hire_date for p in people} if hired}, reverse=True)
