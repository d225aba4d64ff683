"""Question banks: reading and checking ``questions/*.yaml`` (pure: no Flask, no database).

The format is ``docs/authoring-questions.md``: one YAML file per bank, the file stem is the bank id.
Every problem is one line naming file, place and problem, e.g.
``questions/policy-basics.yaml: questions[3].options: a single-choice question needs exactly one
option with correct: true (found 2)`` (positions count from 0, so ``questions[3]`` is the fourth
question). A bank with any problem is not returned, so ``sync`` never loads half a bank.

Each question gets a ``content_hash`` over its normalised spec (not the file's formatting), so an
attempt records the version of every question it was taken on; the bank has a hash over all of them.

Pinned options (``pinned: true``: kept in place when options are shuffled) are allowed but worth a
second look, since a fixed position is a cue. They are not problems; the content checker reports
them as a notice::

    banks, problems = load_banks(questions_dir, indicator_ids, course_ids)
    for line in pinned_notices(banks):     # [] when no option is pinned
        print(line)                        # "notice: questions/x.yaml: questions[3].options[4] ..."
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.content.yamlfile import ContentError, load_yaml, shown_path

from .questions import ID_RE, SOURCE_RE, Question, build_question, check_spec, join_problem, sha256_json

BANK_FIELDS = ("id", "title", "course", "questions")

CourseIds = Collection[str] | Mapping[str, Collection[str]]
"""Known course ids; a mapping course id → lesson slugs also checks the lesson part of ``source``."""


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    course: str | None
    questions: tuple[Question, ...]
    file: str  # as shown in messages, e.g. questions/policy-basics.yaml
    content_hash: str

    def question(self, question_id: str) -> Question:
        """The question with that id; raises KeyError."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"bank {self.id} has no question '{question_id}'")


def load_banks(questions_dir: Path | str, indicator_ids: Collection[str],
               course_ids: CourseIds | None = None) -> tuple[list[Bank], list[str]]:
    """Every ``*.yaml`` bank in ``questions_dir`` (sorted by id) and the problems found in them."""
    folder = Path(questions_dir)
    if not folder.is_dir():
        return [], [f"{folder}: question bank folder not found"]
    banks: list[Bank] = []
    problems: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        shown = shown_path(path, folder)
        if path.suffix == ".yml":
            problems.append(f"{shown}: bank files end in .yaml; rename it to {path.stem}.yaml")
        elif path.suffix == ".yaml":
            bank, found = load_bank(path, indicator_ids, course_ids, shown=shown)
            problems.extend(found)
            if bank is not None:
                banks.append(bank)
    return banks, problems


def load_bank(path: Path | str, indicator_ids: Collection[str], course_ids: CourseIds | None = None,
              *, shown: str | None = None) -> tuple[Bank | None, list[str]]:
    """One bank file: (bank, []) or (None, problems). ``course_ids`` given: ``course``/``source`` checked."""
    path = Path(path)
    shown = shown or shown_path(path, path.parent)
    try:
        data = load_yaml(path, shown)
    except ContentError as exc:
        return None, [str(exc)]
    if not isinstance(data, Mapping):
        return None, [f"{shown}: must be a mapping of fields (id, title, questions)"]
    problems = [f"{shown}: {key}: unknown field" for key in sorted(set(data) - set(BANK_FIELDS), key=str)]
    bank_id = data.get("id")
    if not isinstance(bank_id, str) or not bank_id.strip():
        problems.append(f"{shown}: id: required text is missing (the file name without .yaml: {path.stem})")
    elif not ID_RE.match(bank_id):
        problems.append(f"{shown}: id: '{bank_id}' may only use lowercase letters, digits and hyphens")
    elif bank_id != path.stem:
        problems.append(f"{shown}: id: '{bank_id}' must equal the file name '{path.stem}'")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{shown}: title: required text is missing")
    course = data.get("course")
    if course is not None:
        if not isinstance(course, str) or not ID_RE.match(course):
            problems.append(f"{shown}: course: must be a course id, not {course!r}")
        elif course_ids is not None and course not in course_ids:
            problems.append(f"{shown}: course: unknown course id '{course}'")
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        problems.append(f"{shown}: questions: must be a non-empty list of questions")
        items = []
    seen: dict[str, int] = {}
    for i, spec in enumerate(items):
        where = f"questions[{i}]"
        problems.extend(f"{shown}: {join_problem(where, *p)}" for p in check_spec(spec, indicator_ids))
        if not isinstance(spec, Mapping):
            continue
        qid = spec.get("id")
        if isinstance(qid, str) and qid in seen:
            problems.append(f"{shown}: {where}.id: duplicate question id '{qid}' (also questions[{seen[qid]}])")
        elif isinstance(qid, str):
            seen[qid] = i
        problem = _source_problem(spec.get("source"), course_ids)
        if problem:
            problems.append(f"{shown}: {where}.source: {problem}")
    if problems:
        return None, problems
    questions = tuple(build_question(spec, bank_id) for spec in items)
    digest = sha256_json({"id": bank_id, "title": title.strip(), "course": course,
                          "questions": [q.content_hash for q in questions]})
    return Bank(id=bank_id, title=title.strip(), course=course, questions=questions, file=shown,
                content_hash=digest), []


@dataclass(frozen=True)
class PinnedOption:
    """An option that keeps its place in the file when the options of its question are shuffled."""

    file: str            # as shown in messages, e.g. questions/policy-basics.yaml
    bank_id: str
    question_index: int  # position in the bank's questions list, from 0
    question_id: str
    option_index: int    # position in the question's options list, from 0
    option_id: str
    text: str

    def __str__(self) -> str:
        return (f"{self.file}: questions[{self.question_index}].options[{self.option_index}] "
                f"({self.question_id}, option {self.option_id} '{self.text}')")


def pinned_options(banks: Iterable[Bank]) -> list[PinnedOption]:
    """Every pinned option of the banks, in bank and file order."""
    return [PinnedOption(file=bank.file, bank_id=bank.id, question_index=qi, question_id=question.id,
                         option_index=oi, option_id=option.id, text=option.text)
            for bank in banks for qi, question in enumerate(bank.questions)
            for oi, option in enumerate(getattr(question, "options", ())) if option.pinned]


def pinned_notices(banks: Iterable[Bank]) -> list[str]:
    """Notice lines for the content checker: a summary line, then one line per pinned option ([] when
    none). Not problems: a pinned option is allowed where its position carries meaning ("以上都对")."""
    pinned = pinned_options(banks)
    if not pinned:
        return []
    return [f"notice: {len(pinned)} option{'s' * (len(pinned) != 1)} pinned in place when options are shuffled; "
            "check that the order carries meaning (e.g. 以上都对):",
            *(f"notice: {p}" for p in pinned)]


def _source_problem(source: object, course_ids: CourseIds | None) -> str | None:
    if course_ids is None or not isinstance(source, str) or not SOURCE_RE.match(source):
        return None
    course, _, lesson = source.partition("/")
    if course not in course_ids:
        return f"unknown course id '{course}'"
    if lesson and isinstance(course_ids, Mapping) and lesson not in course_ids[course]:
        return f"course '{course}' has no lesson '{lesson}'"
    return None
