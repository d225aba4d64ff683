"""Moodle GIFT import: text → question specs (the dicts a ``questions/*.yaml`` bank holds).

Pure: no Flask, no database. ``parse_gift(text, defaults)`` returns ``(specs, problems)``; each
problem is one line naming the line number (``line 12: matching questions (=a -> b) are not
supported``). A broken question is reported and skipped; the questions after it still import.

What Moodle documents (docs.moodle.org "GIFT format", question/format/gift/examples.txt) and how
it maps to GridAcademy's four types:

- Questions are separated by at least one blank line; lines starting with ``//`` are comments;
  ``$CATEGORY: ...`` lines are ignored (the importer chooses the bank).
- ``::title::`` names a question: its slug becomes the id (``::Q1::`` → ``q1``); without a usable
  title the id is ``gift-<n>``, n counting questions in the file from 1. Ids never repeat an id in
  ``taken`` or an earlier imported one (``-2``, ``-3`` are added).
- A leading ``[markdown]``, ``[html]``, ``[plain]`` or ``[moodle]`` format tag is dropped; after
  ``[html]`` (as Moodle exports) tags are removed and entities decoded in the whole question.
- ``{~wrong =right ~wrong}`` → ``single``. Text after the answer block makes a missing-word
  question: the block becomes a blank ``____`` in the text.
- ``{~%50%right ~%50%right ~wrong}`` (no ``=``) → ``multiple`` when the positive weights are equal
  (1/k each: our partial-credit rule). Negative weights (``~%-50%``) mark wrong options, which our
  rule penalises by 1/k. Unequal weights are refused, as is partial credit on single choice
  (``{~%50%half =full}``): our grading could not honour them.
- ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` (any case) → ``truefalse``.
- ``{=a =b}`` or ``{a}`` (no ``~``) → ``fill`` with accepted answers; ``=%75%`` partial answers are
  refused (a fill-in answer is right or wrong here).
- Feedback: ``#`` after an answer; ``####`` general feedback. The explanation is the general
  feedback, else the right answers' feedback, else any feedback, else ``defaults.explanation``;
  a question with none of these is refused (every bank question needs an explanation).
- Escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` give the character itself, ``\\n`` a line break.
- Refused with a message naming the line: matching (``=a -> b``), numerical (``{#...}``), essay
  (``{}``), descriptions (no answer block), more than one answer block, unbalanced braces.

Indicators, difficulty and source come from ``defaults`` (the importer asks the organizer).
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from .questions import ImportDefaults, finish_import, join_problem, slug, unique_id

_ESCAPABLE = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005",
              "~": "\ue006", "n": "\ue007"}
_UNESCAPE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPABLE.items()})
_FORMAT_TAG = re.compile(r"\[(html|moodle|plain|markdown)\]")
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_WEIGHT = re.compile(r"\s*%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
BLANK = "____"


class _Rejected(Exception):
    def __init__(self, pos: int, message: str):
        super().__init__(message)
        self.pos = pos
        self.message = message


def parse_gift(text: str, defaults: ImportDefaults, *, taken: Iterable[str] = (), id_prefix: str = "gift",
               shown: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The questions of a GIFT file as bank specs, and one problem line per refused question."""
    taken_ids = set(taken)
    specs: list[dict[str, Any]] = []
    problems: list[str] = []
    prefix = f"{shown}: " if shown else ""
    number = 0
    for start, block in _blocks(text):
        parser = _Block(start, block)
        if parser.empty:
            continue
        number += 1
        try:
            spec, title, feedback = parser.parse()
        except _Rejected as exc:
            problems.append(f"{prefix}line {parser.line_at(exc.pos)}: {exc.message}")
            continue
        wanted = slug(title) if title else ""
        spec = {"id": wanted or f"{id_prefix}-{number}", **spec}
        found = finish_import(spec, defaults, feedback)
        if found:
            problems.extend(f"{prefix}line {parser.line_at(parser.begin)}: {join_problem('', *p)}" for p in found)
            continue
        spec["id"] = unique_id(spec["id"], taken_ids)
        specs.append(spec)
    return specs, problems


def _blocks(text: str) -> Iterable[tuple[int, list[str]]]:
    """(first line number, lines) per blank-line separated block; comment lines become ""."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if not line.strip():
            if block:
                yield start, block
            block, start = [], number + 1
        else:
            block.append("" if line.lstrip().startswith("//") else line)
    if block:
        yield start, block


def _escape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            out.append(_ESCAPABLE[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _clean(text: str, is_html: bool = False) -> str:
    """Placeholders back to characters, each line stripped, no blank lines at either end."""
    text = text.translate(_UNESCAPE)
    if is_html:
        text = html.unescape(_TAG.sub("", _BREAK.sub("\n", text)))
    return "\n".join(line.strip() for line in text.split("\n")).strip()


class _Block:
    """One blank-line separated block; positions index ``self.text`` (escapes already replaced)."""

    def __init__(self, start: int, lines: list[str]):
        self.start = start
        self.text = _escape("\n".join(lines))
        self.begin = len(self.text) - len(self.text.lstrip())
        if self.text[self.begin:].startswith("$CATEGORY:"):
            end = self.text.find("\n", self.begin)
            rest = self.text[end:] if end >= 0 else ""
            self.begin = len(self.text) - len(rest.lstrip()) if rest.strip() else len(self.text)
        self.empty = not self.text[self.begin:].strip()
        self.html = False

    def clean(self, text: str) -> str:
        return _clean(text, self.html)

    def line_at(self, pos: int) -> int:
        return self.start + self.text.count("\n", 0, max(0, pos))

    def parse(self) -> tuple[dict[str, Any], str, str]:
        """(spec without id/defaults, title, feedback for the explanation); raises _Rejected."""
        text, pos, title = self.text, self.begin, ""
        if text.startswith("::", pos):
            end = text.find("::", pos + 2)
            if end < 0:
                raise _Rejected(pos, "'::' starts a question title that is never closed with '::'")
            title = _clean(text[pos + 2:end])
            pos = end + 2
        skipped = len(text[pos:]) - len(text[pos:].lstrip())
        tag = _FORMAT_TAG.match(text, pos + skipped)
        if tag:
            pos = tag.end()
            self.html = tag.group(1) == "html"
        opening, closing = text.find("{", pos), text.find("}", pos)
        if opening < 0 and closing < 0:
            raise _Rejected(pos, "no answer block {...}: a text without answers is a Moodle description, "
                                 "not a question")
        if opening < 0 or (0 <= closing < opening):
            raise _Rejected(closing, "'}' without a '{' before it (write \\} for a literal brace)")
        if closing < 0:
            raise _Rejected(opening, "'{' is never closed with '}'")
        nested = text.find("{", opening + 1)
        if 0 <= nested < closing:
            raise _Rejected(nested, "'{' inside an answer block (write \\{ for a literal brace)")
        extra = min((p for p in (text.find("{", closing + 1), text.find("}", closing + 1)) if p >= 0), default=-1)
        if extra >= 0:
            raise _Rejected(extra, "a second answer block: only one {...} per question; separate questions "
                                   "with a blank line")
        before, after = text[pos:opening], text[closing + 1:]
        question_text = self.clean(before + BLANK + after if after.strip() else before)
        if not question_text:
            raise _Rejected(pos, "the question text is missing")
        spec, feedback = self.answers(opening + 1, text[opening + 1:closing])
        return {"type": spec.pop("type"), "text": question_text, **spec}, title, feedback

    def answers(self, base: int, body: str) -> tuple[dict[str, Any], str]:
        general = ""
        cut = body.rfind("####")
        if cut >= 0:
            general, body = self.clean(body[cut + 4:]), body[:cut]
        stripped = body.strip()
        first = base + len(body) - len(body.lstrip())
        if not stripped:
            raise _Rejected(base, "essay questions ({}) are not supported")
        if stripped.startswith("#"):
            raise _Rejected(first, "numerical questions ({#...}) are not supported")
        if "~" in stripped:
            spec, feedback = self.choice(base, body)
        elif "=" in stripped and "->" in stripped:
            raise _Rejected(first, "matching questions (=item -> match) are not supported")
        elif stripped.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
            spec, feedback = self.true_false(stripped)
        else:
            spec, feedback = self.short_answer(base, body)
        return spec, general or feedback

    def pieces(self, base: int, body: str, markers: str) -> list[tuple[str | None, float | None, str, str, int]]:
        """(marker, weight %, text, feedback, position) per answer; marker None for text before any."""
        starts = [i for i, ch in enumerate(body) if ch in markers]
        found = []
        if body[:starts[0] if starts else len(body)].strip():
            head = body[:starts[0] if starts else len(body)]
            found.append((None, base + len(head) - len(head.lstrip()), head))
        found += [(body[s], base + s, body[s + 1:e]) for s, e in zip(starts, starts[1:] + [len(body)])]
        result = []
        for marker, pos, chunk in found:
            weight = None
            match = _WEIGHT.match(chunk)
            if match:
                weight = float(match.group(1))
                chunk = chunk[match.end():]
                if not -100 <= weight <= 100:
                    raise _Rejected(pos, f"answer weight {match.group(1)}% is outside -100%..100%")
            answer, _, feedback = chunk.partition("#")
            answer = self.clean(answer)
            if not answer:
                raise _Rejected(pos, f"an empty answer after '{marker}'" if marker else "an empty answer")
            result.append((marker, weight, answer, self.clean(feedback), pos))
        return result

    def choice(self, base: int, body: str) -> tuple[dict[str, Any], str]:
        items = self.pieces(base, body, "~=")
        for marker, _weight, answer, _fb, pos in items:
            if marker is None:
                raise _Rejected(pos, f"answer '{answer}' has no '~' (wrong) or '=' (right) in front of it")
        right = [item for item in items if item[0] == "="]
        if right:
            for marker, weight, answer, _fb, pos in items:
                if marker == "=" and weight is not None:
                    raise _Rejected(pos, f"'=%{weight:g}%': '=' marks the one right answer; for partial credit "
                                         "write '~%50%' weights and no '='")
                if marker == "~" and weight:
                    raise _Rejected(pos, f"partial credit ('~%{weight:g}%') on a single-choice question is not "
                                         "supported: single choice is scored all or nothing")
            if len(right) > 1:
                raise _Rejected(right[1][4], f"{len(right)} answers marked '=': a single-choice question has one; "
                                             "for several right answers write '~%50%' weights instead")
            correct = {items.index(right[0])}
            kind = "single"
        else:
            positive = [item for item in items if (item[1] or 0) > 0]
            if not positive:
                raise _Rejected(base, "no right answer: mark it with '=' (or '~%50%' weights for several)")
            share = 100 / len(positive)
            if len(positive) == 1 and positive[0][1] != 100:
                raise _Rejected(positive[0][4], f"the only right answer is worth {positive[0][1]:g}%: give it "
                                                "'=' or 100%")
            unequal = [item for item in positive if abs(item[1] - share) > 1.0]
            if unequal:
                weights = ", ".join(f"{item[1]:g}%" for item in positive)
                raise _Rejected(unequal[0][4], f"right answers weighted {weights}: GridAcademy gives each right "
                                               f"option an equal share, so use {share:g}% each")
            correct = {i for i, item in enumerate(items) if (item[1] or 0) > 0}
            kind = "single" if len(positive) == 1 else "multiple"
        options = [{"text": item[2], "correct": True} if i in correct else {"text": item[2]}
                   for i, item in enumerate(items)]
        feedback = _first_text([items[i][3] for i in sorted(correct)], [item[3] for item in items])
        return {"type": kind, "options": options}, feedback

    def true_false(self, body: str) -> tuple[dict[str, Any], str]:
        value, *feedback = body.split("#", 2)
        wrong, right = (feedback + ["", ""])[:2]
        return ({"type": "truefalse", "answer": _TRUE_FALSE[value.strip().upper()]},
                self.clean(right) or self.clean(wrong))

    def short_answer(self, base: int, body: str) -> tuple[dict[str, Any], str]:
        items = self.pieces(base, body, "=")
        for _marker, weight, answer, _fb, pos in items:
            if weight is not None and weight != 100:
                raise _Rejected(pos, f"partial credit ('=%{weight:g}%{answer}') is not supported: a fill-in "
                                     "answer is either accepted or not")
        answers = list(dict.fromkeys(item[2] for item in items))
        return {"type": "fill", "answers": answers}, _first_text([item[3] for item in items])


def _first_text(*groups: list[str]) -> str:
    """The distinct non-empty texts of the first group that has any, joined by a space."""
    for group in groups:
        texts = list(dict.fromkeys(t for t in group if t))
        if texts:
            return " ".join(texts)
    return ""
