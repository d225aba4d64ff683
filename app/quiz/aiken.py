"""Moodle Aiken import: text → question specs (the dicts a ``questions/*.yaml`` bank holds).

Pure: no Flask, no database. ``parse_aiken(text, defaults)`` returns ``(specs, problems)``; each
problem names its line, a broken question is skipped and the next one still imports.

The format, as Moodle documents it (docs.moodle.org "Aiken format")::

    What is the correct answer to this question?
    A. Is it this one?
    B. Maybe this answer?
    C. Possibly this one?
    D. Must be this one!
    ANSWER: D

- The question text, then options, one a line: a capital letter, ``.`` or ``)``, a space, the
  text; letters run A, B, C, ... Then ``ANSWER: <letter>`` ends the question. Blank lines between
  questions are customary, not required (Moodle ignores them).
- Tolerated for Chinese authors: full-width letters and punctuation (``Ａ．`` ``Ｂ）`` ``ANSWER：B``,
  read through NFKC), ``A、``, and question text over several lines (before the first option).
- Beyond Moodle (which reads only the first letter): ``ANSWER: AC`` or ``ANSWER: A,C`` makes a
  ``multiple`` question.

Aiken has no feedback, so the explanation is ``defaults.explanation``; without one every
question is refused (bank questions need an explanation). Ids are ``aiken-<n>``, n counting
questions in the file from 1, never repeating an id in ``taken``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .questions import ImportDefaults, finish_import, join_problem, unique_id

_OPTION = re.compile(r"^([A-ZＡ-Ｚ])\s*[.)、．）]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)
_LETTERS = re.compile(r"^[A-Z](\s*[,、]?\s*[A-Z])*$")


@dataclass
class _Draft:
    line: int
    text: list[str] = field(default_factory=list)
    options: list[tuple[str, str, int]] = field(default_factory=list)  # letter, text, line
    broken: bool = False


def parse_aiken(text: str, defaults: ImportDefaults, *, taken: Iterable[str] = (), id_prefix: str = "aiken",
                shown: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The questions of an Aiken file as bank specs, and one problem line per refused question."""
    taken_ids = set(taken)
    specs: list[dict[str, Any]] = []
    problems: list[str] = []
    prefix = f"{shown}: " if shown else ""
    draft: _Draft | None = None
    number = 0

    def reject(line: int, message: str) -> None:
        problems.append(f"{prefix}line {line}: {message}")

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        plain = unicodedata.normalize("NFKC", line)
        option, answer = _OPTION.match(line), _ANSWER.match(plain)
        if answer:
            if draft is None:
                reject(lineno, "ANSWER: line without a question before it")
                continue
            number += 1
            if not draft.broken:
                spec, problem = _finish(draft, answer.group(1).strip())
                if problem:
                    reject(lineno, problem)
                else:
                    spec = {"id": f"{id_prefix}-{number}", **spec}
                    found = finish_import(spec, defaults, None)
                    if found:
                        problems.extend(f"{prefix}line {draft.line}: {join_problem('', *p)}" for p in found)
                    else:
                        spec["id"] = unique_id(spec["id"], taken_ids)
                        specs.append(spec)
            draft = None
        elif option and draft is not None and draft.text:
            letter, body = unicodedata.normalize("NFKC", option.group(1)), option.group(2).strip()
            expected = chr(ord("A") + len(draft.options))
            if draft.broken:
                continue
            if letter != expected:
                draft.broken = True
                reject(lineno, f"option {letter} where {expected} was expected (options run A, B, C, ...)")
            elif not body:
                draft.broken = True
                reject(lineno, f"option {letter} has no text")
            else:
                draft.options.append((letter, body, lineno))
        elif draft is not None and draft.options:
            number += 1
            if not draft.broken:
                reject(draft.line, "the question has no ANSWER: line (end each question with e.g. 'ANSWER: B')")
            draft = _Draft(lineno, [line])
            if option:
                draft.broken = True
                reject(lineno, "an option line where a question was expected")
        elif draft is None:
            draft = _Draft(lineno, [line])
            if option:
                draft.broken = True
                reject(lineno, "an option line where a question was expected")
        else:
            draft.text.append(line)
    if draft is not None:
        number += 1
        if not draft.broken:
            reject(draft.line, "the question has no ANSWER: line (end each question with e.g. 'ANSWER: B')")
    return specs, problems


def _finish(draft: _Draft, answer: str) -> tuple[dict[str, Any], str | None]:
    if len(draft.options) < 2:
        return {}, "a question needs at least two options (A. ..., B. ...) before ANSWER:"
    letters_text = unicodedata.normalize("NFKC", answer)
    if not _LETTERS.match(letters_text):
        return {}, f"ANSWER: must give capital option letters, e.g. 'ANSWER: B', not '{answer}'"
    letters = re.findall(r"[A-Z]", letters_text)
    known = [letter for letter, _text, _line in draft.options]
    unknown = [letter for letter in letters if letter not in known]
    if unknown:
        return {}, f"ANSWER: {unknown[0]} is not one of the options {', '.join(known)}"
    if len(set(letters)) != len(letters):
        return {}, f"ANSWER: repeats a letter ('{answer}')"
    options = [{"text": text, "correct": True} if letter in letters else {"text": text}
               for letter, text, _line in draft.options]
    kind = "single" if len(letters) == 1 else "multiple"
    return {"type": kind, "text": "\n".join(draft.text), "options": options}, None
