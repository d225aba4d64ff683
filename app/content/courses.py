"""Reading and checking course folders and the competency model (pure: no Flask, no database).

``load_courses`` returns the course specs and a list of problems, each naming the file, the field
and what is wrong, e.g. ``courses/onboarding-policy/course.yaml: lessons[3]: file lessons/04.md not
found``. Nothing is loaded into the database here; ``sync`` does that only when there are no
problems. ``lessons_without_check`` warns of the lessons no bank question is written for (``source:
course-id/lesson``): such a lesson has no lesson check, so its hours cannot be credited.

A lesson's entry may list the laws it relies on by register id (``cites: [zhian-chufa-2025]``, see
``app.content.laws``); here only the shape of that list is checked, the ids against the register by
``app.content.sync.check_content``. Citations live in course.yaml, not in the lesson file, so citing
never changes a lesson's content hash (a learner's progress records the lesson text it was made on).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from .cjk import TEXT_RULES_VERSION, join_soft_breaks
from .laws import cites_problems
from .yamlfile import ContentError, load_yaml, shown_path

TIERS = ("onboarding", "annual", "topical")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COURSE_FIELDS = {"id", "title", "tier", "hours", "audience", "summary", "order", "indicators", "lessons"}
LESSON_FIELDS = {"file", "hours", "cites"}
MODEL_FILE = "competency-model.yaml"


@dataclass
class LessonSpec:
    slug: str
    file: str
    title: str
    body: str
    hours: float
    content_hash: str
    #: Law register ids the lesson relies on (``cites:`` on its entry in course.yaml; see app.content.laws).
    cites: tuple[str, ...] = ()


@dataclass
class CourseSpec:
    slug: str
    title: str
    tier: str
    hours: float
    audience: str
    summary: str
    order: int
    indicators: list[str]
    lessons: list[LessonSpec] = field(default_factory=list)
    content_hash: str = ""
    file: str = ""  # course.yaml as messages show it, e.g. courses/onboarding-policy/course.yaml


@dataclass
class Indicator:
    id: str
    title: str
    group_id: str
    group_title: str
    description: str = ""
    assessment: str = ""


def sha256(*parts: str) -> str:
    """Digest of content files' text, salted with the version of the text rules the loader applies
    (app.content.cjk): when those rules change, the next sync rewrites what the database holds."""
    digest = hashlib.sha256(TEXT_RULES_VERSION.encode("utf-8") + b"\0")
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()



def load_competency_model(content_dir: Path) -> tuple[list[Indicator], list[str]]:
    """The indicators of ``<content_dir>/competency-model.yaml`` and the problems found."""
    path = content_dir / MODEL_FILE
    shown = shown_path(path, content_dir)
    if not path.is_file():
        return [], [f"{shown}: file not found"]
    try:
        data = load_yaml(path, shown)
    except ContentError as exc:
        return [], [str(exc)]
    errors: list[str] = []
    indicators: list[Indicator] = []
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not groups:
        return [], [f"{shown}: groups: must be a non-empty list"]
    seen: set[str] = set()
    for gi, group in enumerate(groups):
        where = f"{shown}: groups[{gi}]"
        if not isinstance(group, dict) or not group.get("id") or not group.get("title"):
            errors.append(f"{where}: needs an id and a title")
            continue
        items = group.get("indicators")
        if not isinstance(items, list) or not items:
            errors.append(f"{where}.indicators: must be a non-empty list")
            continue
        for ii, item in enumerate(items):
            iwhere = f"{where}.indicators[{ii}]"
            if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
                errors.append(f"{iwhere}: needs an id and a title")
                continue
            if item["id"] in seen:
                errors.append(f"{iwhere}.id: duplicate indicator id '{item['id']}'")
                continue
            seen.add(item["id"])
            indicators.append(Indicator(
                id=str(item["id"]), title=str(item["title"]), group_id=str(group["id"]),
                group_title=str(group["title"]), description=str(item.get("description", "")),
                assessment=str(item.get("assessment", "")),
            ))
    return indicators, errors


_model_cache: dict[tuple[str, float], dict[str, Indicator]] = {}


def indicators_by_id(content_dir: Path) -> dict[str, Indicator]:
    """The model's indicators by id, read again only when the file changes."""
    path = content_dir / MODEL_FILE
    key = (str(path), path.stat().st_mtime if path.exists() else 0.0)
    if key not in _model_cache:
        _model_cache[key] = {i.id: i for i in load_competency_model(content_dir)[0]}
    return _model_cache[key]


def load_courses(content_dir: Path, indicator_ids: set[str]) -> tuple[list[CourseSpec], list[str]]:
    """Every course folder under ``content_dir`` (folders holding no course.yaml are reported)."""
    courses: list[CourseSpec] = []
    errors: list[str] = []
    if not content_dir.is_dir():
        return [], [f"{content_dir}: content folder not found"]
    seen: dict[str, str] = {}
    for folder in sorted(p for p in content_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        path = folder / "course.yaml"
        if not path.is_file():
            errors.append(f"{shown_path(folder, content_dir)}: course.yaml not found")
            continue
        course, problems = load_course(path, content_dir, indicator_ids)
        errors.extend(problems)
        if course is None:
            continue
        if course.slug in seen:
            errors.append(f"{shown_path(path, content_dir)}: id: duplicate course id '{course.slug}' "
                          f"(also in {seen[course.slug]})")
            continue
        seen[course.slug] = shown_path(path, content_dir)
        courses.append(course)
    return courses, errors


def load_course(path: Path, content_dir: Path, indicator_ids: set[str]) -> tuple[CourseSpec | None, list[str]]:
    """One course.yaml and its lessons: (spec or None, problems)."""
    shown = shown_path(path, content_dir)
    try:
        data = load_yaml(path, shown)
    except ContentError as exc:
        return None, [str(exc)]
    if not isinstance(data, dict):
        return None, [f"{shown}: must be a mapping of fields (id, title, tier, ...)"]
    errors = [f"{shown}: {key}: unknown field" for key in sorted(set(data) - COURSE_FIELDS, key=str)]

    def need_text(key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"{shown}: {key}: required text is missing")
            return ""
        return value.strip()

    slug = need_text("id")
    if slug and not ID_RE.match(slug):
        errors.append(f"{shown}: id: '{slug}' may only use lowercase letters, digits and hyphens")
    elif slug and slug != path.parent.name:
        errors.append(f"{shown}: id: '{slug}' must equal the folder name '{path.parent.name}'")
    title = need_text("title")
    summary = need_text("summary")
    tier = data.get("tier")
    if tier not in TIERS:
        errors.append(f"{shown}: tier: unknown tier '{tier}' (use {', '.join(TIERS)})")
    hours = data.get("hours")
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
        errors.append(f"{shown}: hours: must be a positive number of credit hours, not {hours!r}")
        hours = 0.0
    audience = data.get("audience", "")
    if not isinstance(audience, str):
        errors.append(f"{shown}: audience: must be text")
        audience = ""
    order = data.get("order", 0)
    if isinstance(order, bool) or not isinstance(order, int):
        errors.append(f"{shown}: order: must be a whole number")
        order = 0
    indicators = data.get("indicators", []) or []
    if not isinstance(indicators, list):
        errors.append(f"{shown}: indicators: must be a list of indicator ids")
        indicators = []
    for i, ind in enumerate(indicators):
        if ind not in indicator_ids:
            errors.append(f"{shown}: indicators[{i}]: unknown indicator id '{ind}'")
    lessons = _load_lessons(data.get("lessons"), path, shown, float(hours), errors)
    if errors:
        return None, errors
    text = path.read_text(encoding="utf-8")
    course = CourseSpec(slug=slug, title=title, tier=tier, hours=float(hours), audience=audience.strip(),
                        summary=summary, order=order, indicators=list(indicators), lessons=lessons, file=shown)
    course.content_hash = sha256(text, *(lesson.content_hash for lesson in lessons))
    return course, []


def lessons_without_check(courses: list[CourseSpec], sources: Collection[str]) -> list[str]:
    """A warning for each lesson that no question names as its ``source`` (``course-id/lesson``):
    the lesson check draws from those questions, and a lesson without a check cannot credit hours."""
    sources = set(sources)
    return [f"{course.file or course.slug}: lessons[{i}]: no check question (no bank question has "
            f"source: {course.slug}/{lesson.slug}); a lesson without one cannot credit hours"
            for course in courses for i, lesson in enumerate(course.lessons)
            if f"{course.slug}/{lesson.slug}" not in sources]


def _load_lessons(items, path: Path, shown: str, course_hours: float, errors: list[str]) -> list[LessonSpec]:
    if not isinstance(items, list) or not items:
        errors.append(f"{shown}: lessons: must be a non-empty list of lesson files")
        return []
    folder = path.parent.resolve()
    lessons: list[LessonSpec] = []
    given_hours: list[float | None] = []
    seen_files: set[str] = set()
    for i, item in enumerate(items):
        where = f"{shown}: lessons[{i}]"
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            errors.append(f"{where}: needs a file (e.g. file: lessons/01-intro.md)")
            continue
        for key in sorted(set(item) - LESSON_FIELDS, key=str):
            errors.append(f"{where}: {key}: unknown field")
        rel = item["file"]
        target = (folder / rel).resolve()
        if not target.is_relative_to(folder):
            errors.append(f"{where}: file {rel} lies outside the course folder")
            continue
        if not rel.endswith(".md"):
            errors.append(f"{where}: file {rel} is not a Markdown (.md) file")
            continue
        if not target.is_file():
            errors.append(f"{where}: file {rel} not found")
            continue
        if rel in seen_files:
            errors.append(f"{where}: file {rel} is listed twice")
            continue
        seen_files.add(rel)
        hours = item.get("hours")
        if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0):
            errors.append(f"{where}: hours: must be a number of hours, not {hours!r}")
            hours = None
        cites = item.get("cites", [])
        shape = cites_problems(cites)
        errors.extend(f"{where}.{sub}: {problem}" for sub, problem in shape)
        try:
            body = target.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            errors.append(f"{where}: file {rel} is not UTF-8 text")
            continue
        first = body.lstrip("\ufeff").splitlines()[0].strip() if body.strip() else ""
        if not first.startswith("# ") or not first[2:].strip():
            errors.append(f"{where}: file {rel}: the first line must be the lesson title ('# 标题')")
            continue
        lessons.append(LessonSpec(slug=Path(rel).stem, file=rel, title=first[2:].strip(),
                                  body=join_soft_breaks(body.lstrip("\ufeff")), hours=0.0, content_hash=sha256(body),
                                  cites=() if shape else tuple(cites)))
        given_hours.append(None if hours is None else float(hours))
    slugs = [lesson.slug for lesson in lessons]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        errors.append(f"{shown}: lessons: two lesson files share the name '{slug}'")
    fixed = sum(h for h in given_hours if h is not None)
    free = [i for i, h in enumerate(given_hours) if h is None]
    if fixed > course_hours + 1e-9:
        errors.append(f"{shown}: lessons: lesson hours add up to {fixed:g}, more than the course's {course_hours:g}")
    share = (course_hours - fixed) / len(free) if free else 0.0
    for lesson, hours in zip(lessons, given_hours):
        lesson.hours = round(share if hours is None else hours, 2)
    return lessons
