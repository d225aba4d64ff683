"""Moodle Aiken import: text → question specs (the dicts a ``questions/*.yaml`` bank holds).

Pure: no Flask, no database. ``parse_aiken(text, defaults)`` returns an ``interop.ParseResult``
(good questions with their lines, one issue per refused question). It reads a file as Moodle's
importer does (``question/format/aiken/format.php``; Moodle's fixtures are in
``tests/fixtures/moodle/``)::

    What is the correct answer to this question?
    A. Is it this one?
    B. Maybe this answer?
    C) Possibly this one?
    D)Must be this one!
    ANSWER: D

- A question line, then options, one a line: a capital letter, ``.`` or ``)``, optionally a space,
  the text; letters run A, B, C, ... Then ``ANSWER: <letter>`` ends the question. Blank lines
  between questions are customary, not required. Texts are plain text (Moodle escapes them):
  ``<html class="cool"> & images`` is shown exactly so.
- As in Moodle: an option or ANSWER: line with no question open is refused ("question not
  started"); a question with fewer than two options is refused; a new question line while one is
  still open (options but no ANSWER:) refuses the open one, naming the line where the next began.
- Tolerated for Chinese authors: full-width letters and punctuation (``Ａ．`` ``Ｂ）`` ``ANSWER：B``,
  read through NFKC) and ``A、`` as option marks; a question text over several lines (before its
  first option). A line such as "A、B两个社区……" where a question is expected is a question text, not
  an option (only Moodle's own marks ``A.`` ``A)`` there mean "an option without a question").
- Beyond Moodle (which reads only the first letter): ``ANSWER: AC`` or ``ANSWER: A,C`` makes a
  ``multiple`` question (the app's ±1/k rule).

Aiken carries no feedback: the explanation is the import's default, else a generated
"正确答案：…". Ids are ``q-`` + a hash of the question text (``interop.question_id``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .interop import Issue, ParseResult, Rejected, add_question, finish, lines_of
from .questions import MAX_OPTIONS, ImportDefaults, normalise_text
from .textformat import escape_markdown

_OPTION = re.compile(r"^([A-ZＡ-Ｚ])\s*([.)、．）])\s*(.*)$")
_MOODLE_OPTION = re.compile(r"^[A-Z][).]")
_ANSWER = re.compile(r"^(?:ANSWER|答案)\s*:\s*(.*)$")
_LETTERS = re.compile(r"^[A-Z](\s*[,、，]?\s*[A-Z])*$")


@dataclass
class _Draft:
    line: int
    text: list[str] = field(default_factory=list)
    options: list[tuple[str, str, int]] = field(default_factory=list)  # letter, text, line
    broken: Issue | None = None


def parse_aiken(text: str, defaults: ImportDefaults) -> ParseResult:
    """The questions of an Aiken file (see the module docstring)."""
    result = ParseResult()
    seen: dict[str, int] = {}
    ids: set[str] = set()
    draft: _Draft | None = None

    def close(current: _Draft, issue: Issue) -> None:
        result.read += 1
        result.refused.append(current.broken or issue)

    for lineno, raw in enumerate(lines_of(text), 1):
        line = raw.strip()
        if not line:
            continue
        plain = unicodedata.normalize("NFKC", line)
        option, answer = _OPTION.match(line), _ANSWER.match(plain)
        if answer:
            if draft is None:
                result.refused.append(Issue(lineno, "aiken_no_question"))
                continue
            result.read += 1
            if draft.broken:
                result.refused.append(draft.broken)
            else:
                try:
                    spec = finish(_spec(draft, answer.group(1).strip(), lineno), defaults, "")
                except Rejected as exc:
                    result.refused.append(Issue(exc.pos or draft.line, exc.key, exc.params))
                else:
                    add_question(result, draft.line, "", "\n".join(draft.text), spec, seen, ids)
            draft = None
        elif option and draft is not None and draft.text:
            letter, body = unicodedata.normalize("NFKC", option.group(1)), option.group(3).strip()
            expected = chr(ord("A") + len(draft.options))
            if draft.broken:
                continue
            if letter != expected:
                draft.broken = Issue(lineno, "aiken_letter_order", {"letter": letter, "expected": expected})
            elif not body:
                draft.broken = Issue(lineno, "aiken_empty_option", {"letter": letter})
            else:
                draft.options.append((letter, body, lineno))
        elif draft is None and _MOODLE_OPTION.match(plain):
            result.refused.append(Issue(lineno, "aiken_no_question"))
        elif draft is not None and draft.options:
            close(draft, Issue(draft.line, "aiken_unfinished", {"next": lineno}))
            draft = _Draft(lineno, [line])
        elif draft is None:
            draft = _Draft(lineno, [line])
        else:
            draft.text.append(line)
    if draft is not None:
        close(draft, Issue(draft.line, "aiken_no_answer_line"))
    return result


def looks_like_aiken(text: str) -> int:
    """How many ANSWER: lines follow option lines (the structure of an Aiken question)."""
    count, options = 0, 0
    for line in lines_of(text):
        plain = unicodedata.normalize("NFKC", line.strip())
        if _OPTION.match(line.strip()):
            options += 1
        elif _ANSWER.match(plain):
            count += options >= 2
            options = 0
    return count


def _spec(draft: _Draft, answer: str, lineno: int) -> dict:
    if len(draft.options) < 2:
        raise Rejected("aiken_few", lineno)
    if len(draft.options) > MAX_OPTIONS:
        raise Rejected("many_options", lineno, count=len(draft.options), max=MAX_OPTIONS)
    letters_text = unicodedata.normalize("NFKC", answer).upper()
    if not _LETTERS.match(letters_text):
        raise Rejected("aiken_bad_answer", lineno, answer=answer)
    letters = re.findall(r"[A-Z]", letters_text)
    known = [letter for letter, _text, _line in draft.options]
    unknown = [letter for letter in letters if letter not in known]
    if unknown:
        raise Rejected("aiken_unknown_letter", lineno, letter=unknown[0], known=", ".join(known))
    if len(set(letters)) != len(letters):
        raise Rejected("aiken_repeat", lineno, answer=answer)
    texts: set[str] = set()
    for _letter, text, line in draft.options:
        if normalise_text(text) in texts:
            raise Rejected("same_option", line, text=text)
        texts.add(normalise_text(text))
    options = [{"text": escape_markdown(text), "correct": True} if letter in letters else {"text": escape_markdown(text)}
               for letter, text, _line in draft.options]
    kind = "single" if len(letters) == 1 else "multiple"
    return {"type": kind, "text": escape_markdown("\n".join(draft.text)), "options": options}
