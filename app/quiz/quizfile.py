"""Quiz definitions: reading and checking ``questions/quizzes/*.yaml`` (pure: no Flask, no database).

::

    id: onboarding-policy-test          # equals the file stem
    title: 政策法规与惠民政策 结业测验
    summary: 一句话说明。                  # optional
    course: onboarding-policy           # optional: the course it belongs to
    kind: course                        # course | practice | daily (每日一练: new questions each day)
    questions: [policy-basics/pb-001, policy-basics/pb-002]    # fixed questions, or ...
    draw:                               # ... random draw rules (each: count, optional banks,
      - {count: 5, banks: [policy-basics], difficulty: [1, 2]}   #   indicators, difficulty)
    shuffle_questions: true             # default true
    shuffle_options: true               # default true
    time_limit_min: 15                  # optional; the server enforces it
    opens: 2026-01-01 08:00             # optional, Asia/Shanghai time (or give an offset)
    closes: 2026-12-31 18:00            # optional
    attempts: 3                         # 0 or omitted: unlimited (daily: per day)
    grading: highest                    # highest | last | first | average
    pass_mark: 60                       # percent
    review: {score: true, answers: true, explanations: true}   # shown after submitting

Problems name file, field and problem, like the other content checkers.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from app.content.yamlfile import ContentError, load_yaml

from .bank import Bank
from .draw import DrawRule, NotEnoughQuestions, draw
from .questions import ID_RE
from ..content.courses import sha256

QUIZ_FIELDS = ("id", "title", "summary", "course", "kind", "questions", "draw", "shuffle_questions",
               "shuffle_options", "time_limit_min", "opens", "closes", "attempts", "grading", "pass_mark", "review")
KINDS = ("course", "practice", "daily")
GRADING = ("highest", "last", "first", "average")
RULE_FIELDS = ("count", "banks", "indicators", "difficulty")
REVIEW_FIELDS = ("score", "answers", "explanations")


@dataclass
class QuizSpec:
    id: str
    title: str
    summary: str
    course: str | None
    kind: str
    selection: dict
    shuffle_questions: bool
    shuffle_options: bool
    time_limit_s: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    attempts: int
    grading: str
    pass_mark: float
    review: dict = field(default_factory=dict)
    content_hash: str = ""


def rules_of(selection: Mapping) -> list[DrawRule]:
    return [DrawRule(count=r["count"], banks=r.get("banks"), indicators=r.get("indicators"),
                     difficulties=r.get("difficulty")) for r in selection.get("draw", [])]


def _when(value, tz: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.strip())
    else:
        raise ValueError(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(timezone.utc)


def load_quizzes(folder: Path, banks: list[Bank], course_ids: Collection[str] | None = None,
                 tz: str = "Asia/Shanghai") -> tuple[list[QuizSpec], list[str]]:
    """Every quiz file in ``folder`` checked against the loaded ``banks``."""
    if not folder.is_dir():
        return [], []
    by_key = {(b.id, q.id): q for b in banks for q in b.questions}
    pool = [q for b in banks for q in b.questions]
    quizzes, problems = [], []
    for path in sorted(folder.glob("*.yaml")):
        shown = f"{folder.parent.name}/{folder.name}/{path.name}"
        try:
            data = load_yaml(path, shown)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        found: list[str] = []
        spec = _quiz(data, path.stem, shown, by_key, pool, course_ids, tz, found)
        problems.extend(found)
        if spec is not None and not found:
            spec.content_hash = sha256(path.read_text(encoding="utf-8"))
            quizzes.append(spec)
    return quizzes, problems


def _quiz(data, stem, shown, by_key, pool, course_ids, tz, problems: list[str]) -> QuizSpec | None:
    if not isinstance(data, dict):
        problems.append(f"{shown}: must be a mapping of fields (id, title, ...)")
        return None
    problems.extend(f"{shown}: {key}: unknown field" for key in sorted(set(data) - set(QUIZ_FIELDS), key=str))
    quiz_id = data.get("id")
    if not isinstance(quiz_id, str) or not ID_RE.match(quiz_id):
        problems.append(f"{shown}: id: must be lowercase letters, digits and hyphens")
    elif quiz_id != stem:
        problems.append(f"{shown}: id: '{quiz_id}' must equal the file name '{stem}'")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{shown}: title: required text is missing")
    kind = data.get("kind", "practice")
    if kind not in KINDS:
        problems.append(f"{shown}: kind: unknown kind '{kind}' (use {', '.join(KINDS)})")
    course = data.get("course")
    if course is not None and course_ids is not None and course not in course_ids:
        problems.append(f"{shown}: course: unknown course '{course}'")
    selection = _selection(data, shown, by_key, pool, problems)
    limit = data.get("time_limit_min")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 1 <= limit <= 600):
        problems.append(f"{shown}: time_limit_min: must be a number of minutes from 1 to 600")
    opens = closes = None
    for key in ("opens", "closes"):
        if data.get(key) is not None:
            try:
                moment = _when(data[key], tz)
            except ValueError:
                problems.append(f"{shown}: {key}: '{data[key]}' is not a date and time like 2026-03-01 08:00")
                continue
            opens, closes = (moment, closes) if key == "opens" else (opens, moment)
    if opens and closes and closes <= opens:
        problems.append(f"{shown}: closes: must be after opens")
    attempts = data.get("attempts", 0)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
        problems.append(f"{shown}: attempts: must be a whole number, 0 for unlimited")
    grading = data.get("grading", "highest")
    if grading not in GRADING:
        problems.append(f"{shown}: grading: unknown method '{grading}' (use {', '.join(GRADING)})")
    pass_mark = data.get("pass_mark", 60)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, (int, float)) or not 0 <= pass_mark <= 100:
        problems.append(f"{shown}: pass_mark: must be a percentage from 0 to 100")
    review = data.get("review", {}) or {}
    if not isinstance(review, dict) or set(review) - set(REVIEW_FIELDS) or \
            any(not isinstance(v, bool) for v in review.values()):
        problems.append(f"{shown}: review: must map score/answers/explanations to true or false")
        review = {}
    for key in ("shuffle_questions", "shuffle_options"):
        if not isinstance(data.get(key, True), bool):
            problems.append(f"{shown}: {key}: must be true or false")
    if problems:
        return None
    return QuizSpec(
        id=quiz_id, title=title.strip(), summary=str(data.get("summary", "")).strip(), course=course, kind=kind,
        selection=selection, shuffle_questions=data.get("shuffle_questions", True),
        shuffle_options=data.get("shuffle_options", True),
        time_limit_s=int(limit * 60) if limit is not None else None, opens_at=opens, closes_at=closes,
        attempts=attempts, grading=grading, pass_mark=float(pass_mark),
        review={k: review.get(k, True) for k in REVIEW_FIELDS},
    )


def _selection(data, shown, by_key, pool, problems: list[str]) -> dict:
    fixed, rules = data.get("questions"), data.get("draw")
    if (fixed is None) == (rules is None):
        problems.append(f"{shown}: questions: give either a list of questions or draw rules, not both")
        return {}
    if fixed is not None:
        if not isinstance(fixed, list) or not fixed:
            problems.append(f"{shown}: questions: must be a non-empty list of bank/question ids")
            return {}
        for i, ref in enumerate(fixed):
            parts = ref.split("/") if isinstance(ref, str) else []
            if len(parts) != 2 or tuple(parts) not in by_key:
                problems.append(f"{shown}: questions[{i}]: unknown question '{ref}' (write bank-id/question-id)")
        if len(set(map(str, fixed))) != len(fixed):
            problems.append(f"{shown}: questions: a question is listed twice")
        return {"fixed": list(fixed)}
    if not isinstance(rules, list) or not rules:
        problems.append(f"{shown}: draw: must be a non-empty list of rules")
        return {}
    clean = []
    for i, rule in enumerate(rules):
        where = f"{shown}: draw[{i}]"
        if not isinstance(rule, dict):
            problems.append(f"{where}: must be a mapping with count and filters")
            continue
        problems.extend(f"{where}: {k}: unknown field" for k in sorted(set(rule) - set(RULE_FIELDS), key=str))
        count = rule.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            problems.append(f"{where}: count: must be a whole number of questions, at least 1")
        entry = {"count": count}
        for key in ("banks", "indicators", "difficulty"):
            if key in rule:
                if not isinstance(rule[key], list) or not rule[key]:
                    problems.append(f"{where}: {key}: must be a non-empty list")
                else:
                    entry[key] = list(rule[key])
        clean.append(entry)
    if not problems:
        try:
            draw(pool, rules_of({"draw": clean}), seed="check")
        except NotEnoughQuestions as exc:
            problems.append(f"{shown}: draw: {exc}")
    return {"draw": clean}
