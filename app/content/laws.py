"""The law register and citations by id (pure: no Flask, no database).

Content teaches the law, and the law changes: the 治安管理处罚法 revised on 2025-06-27 (in force
2026-01-01) made throwing objects from height punishable without injury. So every law, regulation
and rule the content relies on is an entry of one register, ``courses/law-register.yaml``
(``REGISTER_FILE`` in the content folder, beside ``competency-model.yaml``), each revision under its
own stable id; content cites entries by id, and ``flask content check`` fails on content that cites a
revision a newer one has replaced, naming the item and what replaced it, so it is revised.

The register file::

    laws:
      - id: zhian-chufa-2025              # stable: lowercase letters, digits, hyphens; never reused
        name: 中华人民共和国治安管理处罚法    # the full official name, without 《》
        kind: law                         # constitution | law | regulation | rule | policy (宪法, 法律,
                                          #   行政法规, 部门规章, 党中央/国务院及部门的规范性文件)
        revision: 2025年修订               # which text: year and 通过/公布 (first text), 修订 or 修正
        adopted: 2025-06-27               # optional: the day this text was adopted (法律: 通过;
                                          #   行政法规, 规章 and 文件: 公布/印发, the day it was issued)
        in_force: 2026-01-01              # optional: the day this text took effect (施行)
        aliases: [治安处罚法]               # optional: other names content uses for the same law
        note: 第四十三条第五项: 高空抛物……    # optional, for reviewers
      - id: zhian-chufa-2012
        name: 中华人民共和国治安管理处罚法
        kind: law
        revision: 2012年修正
        adopted: 2012-10-26
        in_force: 2013-01-01
        superseded_by: zhian-chufa-2025   # the id of the text that replaced this one

Leave a date out when you are not sure of it: no check depends on a date (a revision is current
until an entry names it in ``superseded_by``). A law replaced by one with another name (the
环境噪声污染防治法 by the 噪声污染防治法) is superseded the same way.

Register checks (``load_register``): unknown fields; ids; required name, kind and revision; dates
are dates, and a text is not in force before it was adopted; ``superseded_by`` names another entry,
no chain of replacements loops, and a successor is not adopted before what it replaces; and at most
one current (not superseded) entry answers to each name.

Citing (``check_citations``): lessons (``cites`` on a lesson entry of ``course.yaml``), questions
(``cites`` on a question), drills (``cites`` at the top of the drill file) and knowledge entries
(``cites`` on an FAQ entry or case) list the ids they rely on. For every such item:

- an id not in the register is a problem (file, item, id);
- an id a newer revision replaced is a problem naming the item, the law and revision cited, what
  replaced it and when that took effect: the content must be revised against the current text
  (``Revision`` lists them for the check's summary);
- a law the item's text names in 《…》, or by a register name of three or more characters without
  brackets, must be cited: the item cites that entry or another revision of it;
- a 《…》 title that reads as a law (ends in 法, 法典, 条例, 办法, 规定, 规则, 细则, 决定, 解释 or
  修正案) but answers to no entry is a problem: the register lacks it (add it) or the name is wrong;
- an amount of money in 元 (500元, 一千元) must stand in a paragraph that names a law the item
  cites, or that says the local rules decide (以当地规定为准): content never invents a local figure.

A course's title and summary count as naming what its lessons cite. Messages read
``file: place: problem`` like every content check, e.g.
``courses/topical-civilized-city/course.yaml: lessons[1].cites[0]: lesson 02-persuasion cites
'zhian-chufa-2012' (中华人民共和国治安管理处罚法, 2012年修正), superseded by 'zhian-chufa-2025'
(2025年修订, in force 2026-01-01): revise this content against the current text and cite 'zhian-chufa-2025'``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .yamlfile import ContentError, load_yaml, shown_path

REGISTER_FILE = "law-register.yaml"
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KINDS = ("constitution", "law", "regulation", "rule", "policy")
LAW_FIELDS = ("id", "name", "kind", "revision", "adopted", "in_force", "superseded_by", "aliases", "note")
PREFIX = "中华人民共和国"
#: A 《…》 title ending so (after a trailing （…）) reads as a law, regulation or rule.
LAW_SUFFIXES = ("法", "法典", "条例", "办法", "规定", "规则", "细则", "决定", "解释", "修正案")
TITLE_RE = re.compile(r"《([^《》]{1,80})》")
TRAILING_NOTE_RE = re.compile(r"[（(][^（）()]*[）)]$")
#: A name named without brackets is looked for only when it is at least this long (宪法, 刑法 are not).
BARE_MIN = 3
#: An amount of money: digits or Chinese numerals, optional 万/千/百, then 元.
AMOUNT_RE = re.compile(r"(?:\d[\d,，.]*|[零一二两三四五六七八九十百千万亿几]+)\s*[万千百]?\s*元")
#: Wording that leaves the figure to the local rules (以当地规定为准, 按当地规定, 以参保地政策为准 ...).
LOCAL_RE = re.compile(r"(?:当地|本地|参保地|户籍地|居住地)[^。\n]{0,16}为准|按(?:当地|本地|参保地)")
PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Law:
    """One text of a law, regulation or rule: a revision under its own id."""

    id: str
    name: str
    kind: str
    revision: str
    adopted: dt.date | None = None
    in_force: dt.date | None = None
    superseded_by: str | None = None
    aliases: tuple[str, ...] = ()
    note: str = ""

    @property
    def current(self) -> bool:
        return self.superseded_by is None

    def title(self) -> str:
        """``中华人民共和国治安管理处罚法, 2025年修订``"""
        return f"{self.name}, {self.revision}"


@dataclass
class Register:
    laws: dict[str, Law] = field(default_factory=dict)
    file: str = REGISTER_FILE  # as messages show it, e.g. courses/law-register.yaml

    def __contains__(self, law_id: object) -> bool:
        return law_id in self.laws

    def __getitem__(self, law_id: str) -> Law:
        return self.laws[law_id]

    def __len__(self) -> int:
        return len(self.laws)

    def replacement(self, law: Law) -> Law | None:
        """The entry that directly replaced ``law`` (None when current or unknown)."""
        return self.laws.get(law.superseded_by) if law.superseded_by else None

    def current_of(self, law: Law) -> Law:
        """The end of ``law``'s chain of replacements (``law`` itself when current)."""
        seen = {law.id}
        while law.superseded_by in self.laws and law.superseded_by not in seen:
            law = self.laws[law.superseded_by]
            seen.add(law.id)
        return law

    def by_name(self) -> dict[str, list[Law]]:
        """Normalised name or alias → the entries answering to it (every revision)."""
        names: dict[str, list[Law]] = {}
        for law in self.laws.values():
            for name in {normalise_name(law.name), *(normalise_name(a) for a in law.aliases)}:
                names.setdefault(name, []).append(law)
        return names

    def named(self, name: str) -> list[Law]:
        """The entries (every revision) a name as content writes it answers to; [] when none."""
        return self.by_name().get(normalise_name(name), [])


@dataclass(frozen=True)
class Revision:
    """An item that cites a superseded text: what the check lists as content to revise."""

    file: str
    place: str      # e.g. lessons[1] or questions[12]; "" for a whole drill
    label: str      # e.g. lesson 02-persuasion, question cc-018, drill high-altitude-throwing
    cited: Law
    replaced_by: Law | None  # the direct successor (None if it is missing from the register)
    current: Law             # the end of the chain (what to cite now)

    def __str__(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        now = self.current
        since = f", in force {now.in_force.isoformat()}" if now.in_force else ""
        return f"{where} ({self.label}): {self.cited.id} → {now.id} ({now.name}, {now.revision}{since})"


@dataclass(frozen=True)
class Text:
    """A text of a citing item: where it is (file and place inside it) and what it says."""

    file: str
    place: str          # e.g. "questions[3].explanation", "nodes.arrive.text"; "" for a lesson file
    text: str
    line_numbers: bool = False  # a Markdown file: places are "line N"


@dataclass(frozen=True)
class Citing:
    """An item that cites laws by id: a lesson, question, drill or knowledge entry."""

    file: str                 # where its cites list is written
    place: str                # the item inside that file: lessons[1], questions[3], entries[0], "" (drill)
    label: str                # lesson 02-persuasion, question cc-018, drill gas-leak, FAQ entry dibao-apply
    cites: tuple[str, ...]    # the ids as written (shape already checked by the format's loader)
    texts: tuple[Text, ...] = ()
    #: Law names the item states outright (a knowledge entry's ``laws`` list): each must be cited.
    names: tuple[tuple[str, str], ...] = ()   # (place, name)
    #: Check amounts of money in its texts (knowledge entries have their own, stricter rule).
    amounts: bool = True
    #: False for an item whose cites are borrowed (a course's summary counts what its lessons cite):
    #: its ids are checked where they are written, not again here.
    own_cites: bool = True

    def cites_place(self, i: int) -> str:
        return f"{self.place}.cites[{i}]" if self.place else f"cites[{i}]"


# -- the register file -------------------------------------------------------------------------

def normalise_name(name: str) -> str:
    """A law's name as content may write it: no spaces, no 《》, no trailing （…） (so 刑法修正案（十一）
    answers to 刑法修正案), without the 中华人民共和国 prefix."""
    name = TRAILING_NOTE_RE.sub("", re.sub(r"\s+", "", name).strip("《》"))
    return name[len(PREFIX):] if name.startswith(PREFIX) and len(name) > len(PREFIX) else name


def reads_as_law(title: str) -> bool:
    """Does a 《…》 title read as a law, regulation or rule (rather than a book, list or form)?"""
    title = TRAILING_NOTE_RE.sub("", re.sub(r"\s+", "", title))
    return title.endswith(LAW_SUFFIXES)


def _date(value: Any) -> dt.date | None | str:
    """A YAML date (2025-06-27, quoted or not) → date; anything else → an error message."""
    if isinstance(value, dt.datetime):
        return "must be a date (YYYY-MM-DD), not a time"
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    return f"must be a date written YYYY-MM-DD, not {value!r}"


def load_register(content_dir: str | Path) -> tuple[Register, list[str]]:
    """The register in ``<content_dir>/law-register.yaml`` and its problems. No file: an empty
    register (then every cited id is unknown and every law named is missing from it)."""
    content_dir = Path(content_dir)
    path = content_dir / REGISTER_FILE
    shown = shown_path(path, content_dir)
    register = Register(file=shown)
    if not path.is_file():
        return register, []
    try:
        data = load_yaml(path, shown)
    except ContentError as exc:
        return register, [str(exc)]
    return parse_register(data, shown)


def parse_register(data: Any, shown: str = REGISTER_FILE) -> tuple[Register, list[str]]:
    """A register from parsed YAML (``{laws: [...]}``) and its problems; bad entries are left out."""
    register = Register(file=shown)
    if not isinstance(data, Mapping) or not isinstance(data.get("laws"), list) or not data["laws"]:
        return register, [f"{shown}: laws: must be a non-empty list of laws"]
    errors = [f"{shown}: {key}: unknown field" for key in sorted(set(data) - {"laws"}, key=str)]
    places: dict[str, str] = {}
    for i, item in enumerate(data["laws"]):
        where = f"laws[{i}]"
        law = _law(item, f"{shown}: {where}", errors)
        if law is None:
            continue
        if law.id in register.laws:
            errors.append(f"{shown}: {where}.id: duplicate law id '{law.id}' (also {places[law.id]})")
            continue
        register.laws[law.id] = law
        places[law.id] = where
    errors.extend(f"{shown}: {places[law_id]}.{problem}" for law_id, problem in _chain_problems(register))
    current: dict[str, str] = {}
    for law in register.laws.values():
        if not law.current:
            continue
        for name in {normalise_name(law.name), *(normalise_name(a) for a in law.aliases)}:
            if name in current:
                errors.append(f"{shown}: {places[law.id]}: '{law.id}' and '{current[name]}' both answer to "
                              f"'{name}' and neither is superseded: mark the older one superseded_by the newer")
            else:
                current[name] = law.id
    return register, errors


def _law(item: Any, where: str, errors: list[str]) -> Law | None:
    if not isinstance(item, Mapping):
        errors.append(f"{where}: must be a mapping of fields (id, name, kind, revision, ...)")
        return None
    before = len(errors)
    errors.extend(f"{where}.{key}: unknown field (allowed: {', '.join(LAW_FIELDS)})"
                  for key in sorted(set(item) - set(LAW_FIELDS), key=str))
    law_id = item.get("id")
    if not isinstance(law_id, str) or not ID_RE.match(law_id):
        errors.append(f"{where}.id: {law_id!r} must be lowercase letters, digits and hyphens (e.g. zhian-chufa-2025)")
    texts = {}
    for key in ("name", "revision"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"{where}.{key}: required text is missing")
        texts[key] = value.strip() if isinstance(value, str) else ""
    if "《" in texts["name"] or "》" in texts["name"]:
        errors.append(f"{where}.name: write the name without 《》")
    kind = item.get("kind")
    if kind not in KINDS:
        errors.append(f"{where}.kind: unknown kind {kind!r} (use {', '.join(KINDS)})")
    dates: dict[str, dt.date | None] = {}
    for key in ("adopted", "in_force"):
        value = _date(item[key]) if item.get(key) is not None else None
        if isinstance(value, str):
            errors.append(f"{where}.{key}: {value}")
            value = None
        dates[key] = value
    if dates["adopted"] and dates["in_force"] and dates["in_force"] < dates["adopted"]:
        errors.append(f"{where}.in_force: {dates['in_force']} is before it was adopted ({dates['adopted']})")
    successor = item.get("superseded_by")
    if successor is not None and (not isinstance(successor, str) or not ID_RE.match(successor)):
        errors.append(f"{where}.superseded_by: must be a law id, not {successor!r}")
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        errors.append(f"{where}.aliases: must be a list of names")
        aliases = []
    note = item.get("note", "")
    if not isinstance(note, str):
        errors.append(f"{where}.note: must be text")
    if len(errors) > before:
        return None
    return Law(id=law_id, name=texts["name"], kind=kind, revision=texts["revision"], adopted=dates["adopted"],
               in_force=dates["in_force"], superseded_by=successor, aliases=tuple(a.strip() for a in aliases),
               note=note.strip())


def _chain_problems(register: Register) -> list[tuple[str, str]]:
    problems = []
    for law in register.laws.values():
        if law.superseded_by is None:
            continue
        successor = register.laws.get(law.superseded_by)
        if law.superseded_by == law.id:
            problems.append((law.id, "superseded_by: a law cannot replace itself"))
        elif successor is None:
            problems.append((law.id, f"superseded_by: unknown law id '{law.superseded_by}'"))
        elif law.adopted and successor.adopted and successor.adopted < law.adopted:
            problems.append((law.id, f"superseded_by: '{successor.id}' was adopted ({successor.adopted}) before "
                                     f"the text it replaces ({law.adopted})"))
        else:
            seen, step = {law.id}, successor
            while step is not None and step.superseded_by is not None:
                if step.id in seen:
                    problems.append((law.id, f"superseded_by: the chain of replacements from '{law.id}' loops"))
                    break
                seen.add(step.id)
                step = register.laws.get(step.superseded_by)
    return problems


# -- cites, as a content format writes them ----------------------------------------------------

def cites_problems(value: Any) -> list[tuple[str, str]]:
    """Shape problems of a ``cites`` value, as (path inside the field, problem): a list of law ids
    without repeats. Whether the ids are in the register is ``check_citations``' business."""
    if not isinstance(value, list):
        return [("cites", "must be a list of law ids from the law register, e.g. [zhian-chufa-2025]")]
    problems: list[tuple[str, str]] = []
    for i, law_id in enumerate(value):
        if not isinstance(law_id, str) or not ID_RE.match(law_id):
            problems.append((f"cites[{i}]", f"{law_id!r} is not a law id (lowercase letters, digits, hyphens)"))
        elif law_id in value[:i]:
            problems.append((f"cites[{i}]", f"'{law_id}' is listed twice"))
    return problems


def cites_of(value: Any) -> tuple[str, ...]:
    """The ids of a ``cites`` value that passed ``cites_problems`` (() when absent)."""
    return tuple(value) if isinstance(value, list) and not cites_problems(value) else ()


# -- checking citations ------------------------------------------------------------------------

def check_citations(items: Iterable[Citing], register: Register) -> tuple[list[str], list[Revision]]:
    """Problems of every item's citations, and the items that cite a superseded text (to revise).
    A law an item names in several places is reported once, at the first, with the count of the rest."""
    problems: list[str] = []
    revisions: list[Revision] = []
    names = register.by_name()
    bare = sorted((n for n in names if len(n) >= BARE_MIN), key=len, reverse=True)
    for item in items:
        cited = {law_id for law_id in item.cites if law_id in register}
        if item.own_cites:
            for i, law_id in enumerate(item.cites):
                _check_cite(item, i, law_id, register, problems, revisions)
        cited_names = {normalise_name(n) for law_id in cited
                       for n in (register[law_id].name, *register[law_id].aliases)}
        mentions = [(item.file, place, name, True) for place, name in item.names]
        for text in item.texts:
            for place, chunk in _paragraphs(text):
                found = _names_in(chunk, names, bare)
                mentions += [(text.file, place, name, bracketed) for name, bracketed in found]
                if item.amounts:
                    _check_amount(item, text.file, place, chunk, found, cited_names, problems)
        named: dict[str, list] = {}  # normalised name -> [message, revision, places after the first]
        for file, place, name, bracketed in mentions:
            key = normalise_name(name)
            if key in named:
                named[key][2] += 1
            else:
                found_problem = _check_named(item, file, place, name, bracketed, names, cited_names, register)
                named[key] = [*(found_problem or (None, None)), 0]
        for message, revision, more in named.values():
            if message:
                problems.append(message + (f" (named in {more} more place{'s' * (more != 1)})" if more else ""))
            if revision:
                revisions.append(revision)
    return problems, revisions


def _check_cite(item: Citing, i: int, law_id: str, register: Register, problems: list[str],
                revisions: list[Revision]) -> None:
    where = f"{item.file}: {item.cites_place(i)}"
    if law_id not in register:
        problems.append(f"{where}: {item.label} cites unknown law id '{law_id}' (not in {register.file})")
        return
    law = register[law_id]
    if law.current:
        return
    successor, now = register.replacement(law), register.current_of(law)
    revisions.append(Revision(item.file, item.place, item.label, law, successor, now))
    replaced = f"superseded by '{law.superseded_by}'"
    if successor is not None:
        since = f", in force {successor.in_force.isoformat()}" if successor.in_force else ""
        shown_name = "" if successor.name == law.name else f"{successor.name}, "
        replaced += f" ({shown_name}{successor.revision}{since})"
    if now is not successor:
        replaced += f", itself replaced: the current text is '{now.id}' ({now.title()})"
    problems.append(f"{where}: {item.label} cites '{law.id}' ({law.title()}), {replaced}: revise this content "
                    f"against the current text and cite '{now.id}'")


def _paragraphs(text: Text) -> list[tuple[str, str]]:
    """(place, paragraph) of a text; a Markdown file's places are its line numbers."""
    out = []
    start = 0
    body = text.text
    for match in [*PARAGRAPH_RE.finditer(body), None]:
        end = match.start() if match else len(body)
        chunk = body[start:end]
        if chunk.strip():
            if text.line_numbers:
                first = start + len(chunk) - len(chunk.lstrip())
                out.append((f"line {body.count(chr(10), 0, first) + 1}", chunk))
            else:
                out.append((text.place, chunk))
        if match:
            start = match.end()
    return out


def _names_in(chunk: str, names: Mapping[str, list[Law]], bare: Sequence[str]) -> list[tuple[str, bool]]:
    """The law names a paragraph states: (name as written, in brackets?), in order, each once."""
    found: list[tuple[str, bool]] = []
    for match in TITLE_RE.finditer(chunk):
        title = match.group(1).strip()
        if (normalise_name(title) in names or reads_as_law(title)) and (title, True) not in found:
            found.append((title, True))
    rest = TITLE_RE.sub(lambda m: "\0" * len(m.group(0)), chunk)
    for name in bare:
        if name in rest:
            rest = rest.replace(name, "\0" * len(name))
            if (name, False) not in found:
                found.append((name, False))
    return found


def _check_named(item: Citing, file: str, place: str, name: str, bracketed: bool,
                 names: Mapping[str, list[Law]], cited_names: set[str],
                 register: Register) -> tuple[str, Revision | None] | None:
    """The problem (and the revision it calls for) of one law an item names; None when it is fine."""
    shown = f"《{name}》" if bracketed else f"'{name}'"
    where = f"{file}: {place}" if place else file
    laws = names.get(normalise_name(name))
    if not laws:
        return (f"{where}: names {shown}, which the law register ({register.file}) lacks: add it there "
                f"(or correct the name), then cite it in {item.label}"), None
    current = sorted({register.current_of(law).id for law in laws})
    if not any(law.current for law in laws):
        now = register[current[0]]
        since = f", in force {now.in_force.isoformat()}" if now.in_force else ""
        return (f"{where}: {item.label} names {shown}, a law since replaced by '{now.id}' ({now.title()}{since}): "
                "revise this content against the current text",
                Revision(item.file, item.place, item.label, laws[0], register.replacement(laws[0]), now))
    if normalise_name(name) in cited_names:
        return None
    where_cites = f"{item.place}.cites" if item.place else "cites"
    if item.own_cites:
        hint = f"add {' or '.join(repr(c) for c in current)} to {where_cites} in {item.file}"
    else:
        hint = f"cite {' or '.join(repr(c) for c in current)} in the lesson that teaches it"
    return f"{where}: names {shown} but {item.label} does not cite it: {hint}", None


def _check_amount(item: Citing, file: str, place: str, chunk: str, found: list[tuple[str, bool]],
                  cited_names: set[str], problems: list[str]) -> None:
    amount = AMOUNT_RE.search(chunk)
    if amount is None or LOCAL_RE.search(chunk):
        return
    if any(normalise_name(name) in cited_names for name, _bracketed in found):
        return
    where = f"{file}: {place}" if place else file
    problems.append(f"{where}: {item.label} states an amount of money ('{amount.group(0).strip()}') in a paragraph "
                    "that names no law it cites: name the cited law it comes from there, or leave the figure to "
                    "the local rules (以当地规定为准) without inventing one")
