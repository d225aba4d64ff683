"""The knowledge base as files: the format of ``knowledge/`` and its checker (pure: no Flask, no database).

``flask content check`` reports every problem as ``file: field: problem``; ``flask content sync``
loads the entries only when there is none (idempotently: an unchanged entry is not touched, an
entry that left the files is deactivated, never deleted).

Layout::

    knowledge/
      faq/<topic>.yaml      any number of files, each a list of FAQ entries (e.g. faq/policy-medical.yaml)
      cases/<id>.yaml       one typical case per file; the file name is the case id

FAQ file (``knowledge/faq/*.yaml``)::

    entries:
      - id: dibao-apply                  # required; lowercase letters, digits, hyphens; unique across
                                         # every FAQ entry and case (it is the page address /kb/entries/<id>)
        question: 低保怎么申请？           # required: the question as a worker or resident asks it
        phrasings:                       # optional: other ways people ask the same (searched like the question)
          - 家里困难能不能吃低保
          - 最低生活保障去哪里办
        answer: |                        # required Markdown: the general process and where to go;
          1. 由共同生活的家庭成员向户籍所在地的街道办事处提出书面申请……
                                         # never a local figure: an amount of money (500元, 一千元)
                                         # is refused unless cites (or laws) names where it comes from
        category: policy                 # required, one of CATEGORIES below
        indicators: [policy.accuracy]    # required: 1+ indicator ids of courses/competency-model.yaml
        cites: [shehui-jiuzhu-2019]      # optional: ids of the law register (courses/law-register.yaml) the
                                         # answer relies on; the page names them (the register's names).
                                         # Checked by app.content.laws: unknown or superseded ids, and every
                                         # law the entry names in 《…》 (or in laws) must be cited
        laws: [社会救助暂行办法]            # optional, older form: law names to show instead; each must answer
                                         # to a register entry the entry cites (cites alone is enough)
        local_rules: true                # optional (default false): rules vary by city; the page says 以当地规定为准
        lessons: [onboarding-policy/03-subsistence-and-social-assistance]   # optional: course-id/lesson-file-stem
        drills: [hardship-family]        # optional: drill ids (scenarios/<id>.yaml)

Case file (``knowledge/cases/<id>.yaml``), the four parts of the street's 《网格员工作案例汇编》::

    id: gas-smell-at-night               # required; equals the file name without .yaml
    title: 深夜楼道闻到燃气味             # required
    category: emergency                  # required, one of CATEGORIES
    tags: [燃气, 夜间, 老旧小区]          # optional list of short words (searched like the title)
    indicators: [handling.emergency]     # required: 1+ indicator ids
    description: |                       # required Markdown: 问题描述 (what happened, who, where)
    handling: |                          # required Markdown: 处置过程 (what the worker did, step by step)
    lessons_learned: |                   # required Markdown: 经验教训
    feedback: |                          # required Markdown: 群众反馈
    cites: [...]                         # optional, as for FAQ
    laws: [...]                          # optional, as for FAQ
    lessons: [...]                       # optional, as for FAQ
    drills: [gas-leak]                   # optional, as for FAQ

Rules: unknown fields are refused; texts must be non-empty; lists must be lists of non-empty texts
without repeats; YAML syntax errors and duplicate keys are reported with their line. Ids starting
with ``field-`` are reserved for cases written in the app; an FAQ entry promoted in the app has the id
``promoted-<n>`` and may be moved into a file under that id (``flask kb export-promoted``), after which
the file owns it.

Example messages::

    knowledge/faq/policy.yaml: entries[3].indicators[0]: unknown indicator id 'policy.speed'
    knowledge/cases/noisy-neighbour.yaml: handling: required text is missing
    knowledge/faq/policy.yaml: entries[5].id: duplicate id 'dibao-apply' (also in knowledge/faq/policy.yaml)
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.laws import AMOUNT_RE
from ..content.laws import ID_RE as LAW_ID_RE
from ..content.yamlfile import ContentError, load_yaml, shown_path

#: Category codes (the pages show their names, see ``app.labels.KB_CATEGORY_NAMES``).
CATEGORIES = ("policy", "dispute", "emergency", "special-groups", "civilized-city", "duties", "career",
              "wellbeing")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LESSON_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*/[\w-]+$")
MONEY_RE = AMOUNT_RE
FAQ_FIELDS = ("id", "question", "phrasings", "answer", "category", "indicators", "cites", "laws", "local_rules",
              "lessons", "drills")
CASE_FIELDS = ("id", "title", "category", "tags", "indicators", "description", "handling", "lessons_learned",
               "feedback", "cites", "laws", "lessons", "drills")
#: The four parts of a case, in order.
CASE_PARTS = ("description", "handling", "lessons_learned", "feedback")
RESERVED_PREFIX = "field-"


@dataclass
class FaqSpec:
    slug: str
    question: str
    phrasings: list[str]
    answer: str
    category: str
    indicators: list[str]
    #: The law names the page shows: ``laws`` as written, else the register's names of ``cites``.
    laws: list[str] = field(default_factory=list)
    local_rules: bool = False
    lessons: list[str] = field(default_factory=list)
    drills: list[str] = field(default_factory=list)
    file: str = ""
    content_hash: str = ""
    #: Law register ids (``app.content.laws``), the names written in ``laws`` (checked against the
    #: cites), and the entry's place in its file (``entries[3]``).
    cites: list[str] = field(default_factory=list)
    named_laws: list[str] = field(default_factory=list)
    where: str = ""


@dataclass
class CaseSpec:
    slug: str
    title: str
    category: str
    tags: list[str]
    indicators: list[str]
    parts: dict[str, str]            # CASE_PARTS → Markdown
    laws: list[str] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)
    drills: list[str] = field(default_factory=list)
    file: str = ""
    content_hash: str = ""
    cites: list[str] = field(default_factory=list)
    named_laws: list[str] = field(default_factory=list)


@dataclass
class Knowledge:
    faq: list[FaqSpec] = field(default_factory=list)
    cases: list[CaseSpec] = field(default_factory=list)
    content_hash: str = ""


def digest(*parts: Any) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(repr(part).encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()


class _Fields:
    """Reads one mapping's fields, collecting ``shown: where.field: problem`` messages."""

    def __init__(self, data: dict, shown: str, where: str, errors: list[str]):
        self.data, self.shown, self.where, self.errors = data, shown, where, errors

    def problem(self, key: str, text: str) -> None:
        self.errors.append(f"{self.shown}: {self.where}{key}: {text}")

    def text(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(key, "required text is missing" if value in (None, "") else "must be text")
            return ""
        return value.strip()

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, "must be a list of texts")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, (str, int)) or isinstance(item, bool) or not str(item).strip():
                self.problem(f"{key}[{i}]", "must be a non-empty text")
            elif str(item).strip() in out:
                self.problem(f"{key}[{i}]", f"'{item}' is listed twice")
            else:
                out.append(str(item).strip())
        return out

    def refs(self, key: str, known: Collection[str] | None, what: str, pattern: re.Pattern) -> list[str]:
        values = self.texts(key)
        for i, value in enumerate(values):
            if not pattern.match(value):
                self.problem(f"{key}[{i}]", f"'{value}' is not a {what}")
            elif known is not None and value not in known:
                self.problem(f"{key}[{i}]", f"unknown {what} '{value}'")
        return values

    def choice(self, key: str, allowed: Collection[str]) -> str:
        value = self.data.get(key)
        if value not in allowed:
            self.problem(key, f"unknown {key} {value!r} (use {', '.join(allowed)})")
            return ""
        return value

    def indicators(self, known: Collection[str]) -> list[str]:
        values = self.texts("indicators")
        if not values and "indicators" in self.data and isinstance(self.data["indicators"], list):
            self.problem("indicators", "list at least one indicator id")
        elif "indicators" not in self.data:
            self.problem("indicators", "required: list at least one indicator id")
        for i, value in enumerate(values):
            if value not in known:
                self.problem(f"indicators[{i}]", f"unknown indicator id '{value}'")
        return values

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return False
        return value

    def unknown(self, allowed: Collection[str]) -> None:
        for key in sorted(set(self.data) - set(allowed), key=str):
            self.problem(str(key), "unknown field")

    def slug(self) -> str:
        slug = self.text("id")
        if slug and not ID_RE.match(slug):
            self.problem("id", f"'{slug}' may only use lowercase letters, digits and hyphens")
            return ""
        if slug.startswith(RESERVED_PREFIX):
            self.problem("id", f"ids starting with '{RESERVED_PREFIX}' are reserved for cases written in the app")
            return ""
        return slug


def load_knowledge(folder: str | Path, indicator_ids: Collection[str], lessons: Collection[str] | None = None,
                   drills: Collection[str] | None = None,
                   law_names: Mapping[str, str] | None = None) -> tuple[Knowledge, list[str]]:
    """Read ``folder``'s FAQ and case files: (what loaded, problems). ``lessons`` (``course/lesson``)
    and ``drills`` (ids), when given, are what links may name. ``law_names`` (register id → name) names
    the laws of an entry that cites without writing ``laws``. A missing folder is no knowledge."""
    folder = Path(folder)
    knowledge, errors = Knowledge(), []
    if not folder.is_dir():
        return knowledge, []
    seen: dict[str, str] = {}
    texts: list[str] = []
    for path in sorted((folder / "faq").glob("*.yaml")) if (folder / "faq").is_dir() else []:
        texts.append(path.name + path.read_bytes().decode("utf-8", "replace"))
        knowledge.faq.extend(_faq_file(path, folder, indicator_ids, lessons, drills, seen, errors, law_names))
    for path in sorted((folder / "cases").glob("*.yaml")) if (folder / "cases").is_dir() else []:
        texts.append(path.name + path.read_bytes().decode("utf-8", "replace"))
        case = _case_file(path, folder, indicator_ids, lessons, drills, seen, errors, law_names)
        if case is not None:
            knowledge.cases.append(case)
    for path in sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in ("faq", "cases")
                       and not p.name.startswith(".")):
        errors.append(f"{shown_path(path, folder)}: unknown folder (use faq/ and cases/)")
    knowledge.content_hash = digest(*texts)
    return knowledge, errors


def _claim(slug: str, shown: str, seen: dict[str, str], fields: _Fields) -> bool:
    if slug in seen:
        fields.problem("id", f"duplicate id '{slug}' (also in {seen[slug]})")
        return False
    seen[slug] = shown
    return True


def _shown_laws(named: list[str], cites: list[str], law_names: Mapping[str, str] | None) -> list[str]:
    """What the page names: the laws written, else the register's names of the cited ids."""
    return list(named) or [law_names[c] for c in cites if law_names and c in law_names]


def _faq_file(path: Path, root: Path, indicator_ids, lessons, drills, seen, errors, law_names=None) -> list[FaqSpec]:
    shown = shown_path(path, root)
    try:
        data = load_yaml(path, shown)
    except ContentError as exc:
        errors.append(str(exc))
        return []
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list) or not data["entries"]:
        errors.append(f"{shown}: entries: must be a non-empty list of FAQ entries")
        return []
    for key in sorted(set(data) - {"entries"}, key=str):
        errors.append(f"{shown}: {key}: unknown field")
    out = []
    for i, item in enumerate(data["entries"]):
        if not isinstance(item, dict):
            errors.append(f"{shown}: entries[{i}]: must be a mapping of fields (id, question, answer, ...)")
            continue
        before = len(errors)
        fields = _Fields(item, shown, f"entries[{i}].", errors)
        fields.unknown(FAQ_FIELDS)
        slug = fields.slug()
        question = fields.text("question")
        phrasings = fields.texts("phrasings")
        for j, phrasing in enumerate(phrasings):
            if phrasing == question:
                fields.problem(f"phrasings[{j}]", "repeats the question")
        answer = fields.text("answer")
        laws = fields.texts("laws")
        cites = fields.refs("cites", None, "law id", LAW_ID_RE)
        money = MONEY_RE.search(answer)
        if money and not laws and not cites:
            fields.problem("answer", f"states an amount of money ('{money.group(0).strip()}'): cite the law it "
                                     "comes from (cites), or leave the figure out and say where to find the local "
                                     "one (local_rules: true)")
        entry = FaqSpec(slug=slug, question=question, phrasings=phrasings, answer=answer,
                        category=fields.choice("category", CATEGORIES), indicators=fields.indicators(indicator_ids),
                        laws=_shown_laws(laws, cites, law_names), local_rules=fields.flag("local_rules"),
                        lessons=fields.refs("lessons", lessons, "lesson (course-id/lesson)", LESSON_RE),
                        drills=fields.refs("drills", drills, "drill id", ID_RE), file=shown, cites=cites,
                        named_laws=laws, where=f"entries[{i}]")
        if slug and not _claim(slug, shown, seen, fields):
            continue
        if len(errors) == before:
            entry.content_hash = digest("faq", entry.slug, entry.question, entry.phrasings, entry.answer,
                                        entry.category, entry.indicators, entry.laws, entry.local_rules,
                                        entry.lessons, entry.drills, *(("cites", entry.cites) if cites else ()))
            out.append(entry)
    return out


def _case_file(path: Path, root: Path, indicator_ids, lessons, drills, seen, errors, law_names=None) -> CaseSpec | None:
    shown = shown_path(path, root)
    try:
        data = load_yaml(path, shown)
    except ContentError as exc:
        errors.append(str(exc))
        return None
    if not isinstance(data, dict):
        errors.append(f"{shown}: must be a mapping of fields (id, title, description, ...)")
        return None
    before = len(errors)
    fields = _Fields(data, shown, "", errors)
    fields.unknown(CASE_FIELDS)
    slug = fields.slug()
    if slug and slug != path.stem:
        fields.problem("id", f"'{slug}' must equal the file name '{path.stem}'")
    named = fields.texts("laws")
    cites = fields.refs("cites", None, "law id", LAW_ID_RE)
    case = CaseSpec(slug=slug, title=fields.text("title"), category=fields.choice("category", CATEGORIES),
                    tags=fields.texts("tags"), indicators=fields.indicators(indicator_ids),
                    parts={part: fields.text(part) for part in CASE_PARTS}, laws=_shown_laws(named, cites, law_names),
                    lessons=fields.refs("lessons", lessons, "lesson (course-id/lesson)", LESSON_RE),
                    drills=fields.refs("drills", drills, "drill id", ID_RE), file=shown, cites=cites,
                    named_laws=named)
    if slug and not _claim(slug, shown, seen, fields):
        return None
    if len(errors) > before:
        return None
    case.content_hash = digest("case", case.slug, case.title, case.category, case.tags, case.indicators,
                               [case.parts[p] for p in CASE_PARTS], case.laws, case.lessons, case.drills,
                               *(("cites", case.cites) if case.cites else ()))
    return case
