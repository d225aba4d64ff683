"""Loading checked content into the database, idempotently (the caller commits once).

Courses are matched by id and lessons by (course, file stem). What changed is updated; what
disappeared from the files is deactivated, never deleted, so learners' progress and old results
keep pointing at the version they were made on.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select

from .. import audit
from ..drill.checker import check_all
from ..extensions import db
from ..kb.checker import Knowledge
from ..kb.sync import check_knowledge, load_knowledge_base
from ..models import ContentSync, Course, DrillVersion, Lesson
from ..quiz.bank import load_banks, pinned_notices
from ..quiz.cues import bank_specs, cue_problems, cue_rates
from ..quiz.quizfile import load_quizzes
from ..quiz.sync import sync_banks, sync_quizzes
from .courses import CourseSpec, lessons_without_check, load_competency_model, load_courses, sha256
from .laws import Citing, Register, Revision, Text, check_citations, cites_of, load_register
from .upsert import add_row, changed_row, deactivate, same_hash
from .yamlfile import ContentError, load_yaml, shown_path


@dataclass
class ContentReport:
    errors: list[str] = field(default_factory=list)
    courses: list[CourseSpec] = field(default_factory=list)
    banks: list = field(default_factory=list)
    quizzes: list = field(default_factory=list)
    indicator_count: int = 0
    drill_count: int = 0
    content_hash: str = ""
    #: The knowledge base (``knowledge/``), when a knowledge folder was given.
    knowledge: Knowledge | None = None
    #: Warnings, one per lesson no bank question is written for (``source: course-id/lesson``): the
    #: lesson has no lesson check, so its hours cannot be credited. Not a problem: such a lesson can be
    #: published and read before its questions are written. Checked only when every bank loaded.
    lessons_without_check: list[str] = field(default_factory=list)
    #: The question bank's answer-cue rates (``app.quiz.cues``); beyond their bounds they are problems.
    cue_rates: Any = None
    #: Notice lines for options pinned in place when options are shuffled (allowed, listed for review).
    notices: list[str] = field(default_factory=list)
    #: The law register (``courses/law-register.yaml``, ``app.content.laws``).
    register: Register | None = None
    #: Items that cite (or name) a superseded law: each is also a problem; listed for revision.
    revisions: list[Revision] = field(default_factory=list)
    #: How many ids lessons, questions, drills and knowledge entries cite in all.
    citation_count: int = 0


def check_content(content_dir: str | Path, scenarios_dir: str | Path | None = None,
                  questions_dir: str | Path | None = None, knowledge_dir: str | Path | None = None) -> ContentReport:
    """Read and check every content file; nothing touches the database."""
    content_dir = Path(content_dir)
    report = ContentReport()
    indicators, errors = load_competency_model(content_dir)
    report.errors.extend(errors)
    report.indicator_count = len(indicators)
    ids = {i.id for i in indicators}
    report.courses, errors = load_courses(content_dir, ids)
    report.errors.extend(errors)
    drill_hashes: list[str] = []
    if scenarios_dir is not None:
        report.drill_count, errors = _check_drills(Path(scenarios_dir), ids)
        report.errors.extend(errors)
        if Path(scenarios_dir).is_dir():
            drill_hashes = [sha256(p.read_text(encoding="utf-8")) for p in sorted(Path(scenarios_dir).glob("*.yaml"))]
    if questions_dir is not None:
        _check_questions(report, Path(questions_dir), ids)
    report.register, errors = load_register(content_dir)
    report.errors.extend(errors)
    if knowledge_dir is not None:
        report.knowledge, errors = check_knowledge(knowledge_dir, ids, report.courses, scenarios_dir, report.register)
        report.errors.extend(errors)
        drill_hashes.append(report.knowledge.content_hash)
    _check_laws(report, Path(scenarios_dir) if scenarios_dir is not None else None)
    report.content_hash = sha256(*(c.content_hash for c in report.courses), *drill_hashes,
                                 *(b.content_hash for b in report.banks), *(q.content_hash for q in report.quizzes))
    return report


def _check_questions(report: ContentReport, questions_dir: Path, indicator_ids: set[str]) -> None:
    if not questions_dir.is_dir():
        return
    lessons = {c.slug: [lesson.slug for lesson in c.lessons] for c in report.courses}
    report.banks, errors = load_banks(questions_dir, indicator_ids, lessons)
    report.errors.extend(errors)
    specs = bank_specs(report.banks)
    report.cue_rates = cue_rates(specs)
    report.errors.extend(f"{questions_dir.name}/: {problem}" for problem in cue_problems(specs))
    report.notices.extend(pinned_notices(report.banks))
    if not errors:
        _check_lesson_checks(report)
    report.quizzes, errors = load_quizzes(questions_dir / "quizzes", report.banks, set(lessons))
    report.errors.extend(errors)


def _check_lesson_checks(report: ContentReport) -> None:
    """Every lesson needs bank questions written for it (``source: course-id/lesson``): its lesson
    check is drawn from them, and without one its hours can never be credited."""
    sources = {q.source for bank in report.banks for q in bank.questions if q.source}
    report.lessons_without_check = lessons_without_check(report.courses, sources)


def _check_laws(report: ContentReport, scenarios_dir: Path | None) -> None:
    """Every lesson, question, drill and knowledge entry against the law register (loaded first):
    unknown or superseded ids, laws named but not cited, laws the register lacks, amounts of money
    without a source (``app.content.laws``)."""
    items = [*_course_citations(report.courses), *_question_citations(report.banks),
             *_drill_citations(scenarios_dir), *_knowledge_citations(report.knowledge)]
    errors, report.revisions = check_citations(items, report.register)
    report.citation_count = sum(len(item.cites) for item in items if item.own_cites)
    report.errors.extend(errors)


def _course_citations(courses: list[CourseSpec]) -> Iterator[Citing]:
    for course in courses:
        folder = PurePosixPath(course.file).parent
        for i, lesson in enumerate(course.lessons):
            yield Citing(course.file, f"lessons[{i}]", f"lesson {lesson.slug}", lesson.cites,
                         (Text(str(folder / lesson.file), "", lesson.body, line_numbers=True),))
        borrowed = tuple(dict.fromkeys(c for lesson in course.lessons for c in lesson.cites))
        yield Citing(course.file, "", f"course {course.slug} (its lessons)", borrowed,
                     (Text(course.file, "title", course.title), Text(course.file, "summary", course.summary)),
                     own_cites=False)


def _question_citations(banks) -> Iterator[Citing]:
    for bank in banks:
        for i, question in enumerate(bank.questions):
            where = f"questions[{i}]"
            texts = [Text(bank.file, f"{where}.text", question.text),
                     Text(bank.file, f"{where}.explanation", question.explanation)]
            texts += [Text(bank.file, f"{where}.options[{j}].text", option.text)
                      for j, option in enumerate(getattr(question, "options", ()))]
            texts += [Text(bank.file, f"{where}.answers[{j}]", answer)
                      for j, answer in enumerate(getattr(question, "answers", ()))]
            yield Citing(bank.file, where, f"question {question.id}", question.cites, tuple(texts))


_DRILL_NODE_TEXTS = ("text", "debrief", "timeout_feedback", "timeout_red_line")
_DRILL_CHOICE_TEXTS = ("text", "feedback", "red_line", "required_step")


def _drill_citations(scenarios_dir: Path | None) -> Iterator[Citing]:
    if scenarios_dir is None or not scenarios_dir.is_dir():
        return
    for path in sorted(scenarios_dir.glob("*.yaml")):
        shown = shown_path(path, scenarios_dir)
        try:
            data = load_yaml(path, shown)
        except (ContentError, OSError):
            continue  # reported by the drill checker
        if not isinstance(data, Mapping):
            continue
        texts = [Text(shown, key, data[key]) for key in ("title", "summary") if isinstance(data.get(key), str)]
        nodes = data.get("nodes") if isinstance(data.get("nodes"), Mapping) else {}
        for node_id, node in nodes.items():
            if not isinstance(node, Mapping):
                continue
            texts += [Text(shown, f"nodes.{node_id}.{key}", node[key]) for key in _DRILL_NODE_TEXTS
                      if isinstance(node.get(key), str)]
            choices = node.get("choices") if isinstance(node.get("choices"), list) else []
            texts += [Text(shown, f"nodes.{node_id}.choices[{i}].{key}", choice[key])
                      for i, choice in enumerate(choices) if isinstance(choice, Mapping)
                      for key in _DRILL_CHOICE_TEXTS if isinstance(choice.get(key), str)]
        yield Citing(shown, "", f"drill {data.get('id', path.stem)}", cites_of(data.get("cites")), tuple(texts))


def _knowledge_citations(knowledge: Knowledge | None) -> Iterator[Citing]:
    if knowledge is None:
        return
    for spec in knowledge.faq:
        texts = (Text(spec.file, f"{spec.where}.question", spec.question),
                 *(Text(spec.file, f"{spec.where}.phrasings[{j}]", p) for j, p in enumerate(spec.phrasings)),
                 Text(spec.file, f"{spec.where}.answer", spec.answer))
        yield Citing(spec.file, spec.where, f"FAQ entry {spec.slug}", tuple(spec.cites), texts,
                     names=tuple((f"{spec.where}.laws[{j}]", law) for j, law in enumerate(spec.named_laws)),
                     amounts=False)
    for case in knowledge.cases:
        texts = (Text(case.file, "title", case.title), *(Text(case.file, part, case.parts[part]) for part in case.parts))
        yield Citing(case.file, "", f"case {case.slug}", tuple(case.cites), texts,
                     names=tuple((f"laws[{j}]", law) for j, law in enumerate(case.named_laws)), amounts=False)


def _check_drills(scenarios_dir: Path, indicator_ids: set[str]) -> tuple[int, list[str]]:
    if not scenarios_dir.is_dir():
        return 0, []
    errors = check_all(scenarios_dir, indicator_ids)
    return len(list(scenarios_dir.glob("*.yaml"))), errors


def sync_courses(courses: list[CourseSpec]) -> dict[str, int]:
    """Upsert ``courses``; deactivate the ones no longer in the files. Returns what changed."""
    counts = dict.fromkeys(
        ("courses_added", "courses_updated", "courses_deactivated",
         "lessons_added", "lessons_updated", "lessons_deactivated"), 0)
    existing = {c.slug: c for c in db.session.scalars(select(Course))}
    for spec in courses:
        course = changed_row(existing, spec.slug, lambda: add_row(Course(slug=spec.slug, content_hash="")),
                             same_hash(spec.content_hash), counts, "courses")
        if course is None:
            continue
        course.title, course.tier, course.hours = spec.title, spec.tier, spec.hours
        course.audience, course.summary, course.sort_order = spec.audience, spec.summary, spec.order
        course.indicators, course.content_hash, course.active = list(spec.indicators), spec.content_hash, True
        _sync_lessons(course, spec, counts)
    deactivate(existing.values(), counts, "courses")
    db.session.flush()
    return counts


def sync_content(report: ContentReport, scenarios_dir: str | Path | None = None) -> dict[str, int]:
    """Load checked courses (and drills) and record a ContentSync row when anything changed."""
    counts = sync_courses(report.courses)
    if scenarios_dir is not None:
        counts.update(sync_drills(scenarios_dir))
    counts.update(sync_banks(report.banks))
    counts.update(sync_quizzes(report.quizzes))
    if report.knowledge is not None:
        counts.update(load_knowledge_base(report.knowledge))
    last = db.session.scalar(select(ContentSync).order_by(ContentSync.id.desc()).limit(1))
    if any(counts.values()) or last is None or last.content_hash != report.content_hash:
        db.session.add(ContentSync(content_hash=report.content_hash, summary=counts))
        audit.record(None, "content.sync", audit.Target("content", "", report.content_hash[:12]),
                     after={"version": report.content_hash[:12], **{k: v for k, v in counts.items() if v}})
    db.session.flush()
    return counts


def sync_drills(scenarios_dir: str | Path) -> dict[str, int]:
    """Store each drill file's current version (a new DrillVersion row when its content changed).

    Only the newest version of each drill is active; attempts keep pointing at the version they
    were played on. Drill files that disappeared are deactivated. Call after a clean check.
    """
    counts = dict.fromkeys(("drills_added", "drills_updated", "drills_deactivated"), 0)
    seen: set[str] = set()
    scenarios_dir = Path(scenarios_dir)
    files = sorted(scenarios_dir.glob("*.yaml")) if scenarios_dir.is_dir() else []
    versions = db.session.scalars(select(DrillVersion)).all()
    for path in files:
        text = path.read_text(encoding="utf-8")
        data = load_yaml(path)
        digest = sha256(text)
        seen.add(data["id"])
        mine = [v for v in versions if v.drill_id == data["id"]]
        current = next((v for v in mine if v.content_hash == digest), None)
        if current is not None and current.active:
            continue
        counts["drills_updated" if mine else "drills_added"] += 1
        for other in mine:
            other.active = False
        if current is None:
            current = DrillVersion(drill_id=data["id"], content_hash=digest, data=data)
            db.session.add(current)
        current.version, current.title, current.summary = data["version"], data["title"], data["summary"]
        current.difficulty, current.indicators, current.active = data["difficulty"], list(data["indicators"]), True
    for version in versions:
        if version.drill_id not in seen and version.active:
            version.active = False
            counts["drills_deactivated"] += 1
    db.session.flush()
    return counts


def _sync_lessons(course: Course, spec: CourseSpec, counts: dict[str, int]) -> None:
    by_slug = {lesson.slug: lesson for lesson in course.lessons}
    for position, lspec in enumerate(spec.lessons, start=1):
        def make(slug=lspec.slug):
            course.lessons.append(Lesson(slug=slug, content_hash=""))
            return course.lessons[-1]

        lesson = changed_row(by_slug, lspec.slug, make,
                             lambda row, l=lspec, p=position: (row.content_hash, row.position, row.hours, row.active)
                             == (l.content_hash, p, l.hours, True), counts, "lessons")
        if lesson is None:
            continue
        lesson.position, lesson.title, lesson.body_md = position, lspec.title, lspec.body
        lesson.hours, lesson.content_hash, lesson.active = lspec.hours, lspec.content_hash, True
    deactivate(by_slug.values(), counts, "lessons")
