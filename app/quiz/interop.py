"""What the GIFT and Aiken importers share: the parse result, problems as message keys (so the upload
page and the CLI show them in the reader's language), ids, the explanation, duplicate detection and
reading a file's bytes in whatever encoding a Chinese office saved it.

Pure: no Flask, no database. ``N_`` marks English messages for extraction; the import service
translates each ``Issue`` with ``gettext(MESSAGES[issue.key], **issue.params)``.

- **Counts are questions.** ``ParseResult.read`` counts every question of the file (a blank-line
  separated GIFT block or an Aiken question), each of which ends up in exactly one of ``questions``,
  ``refused`` (one issue each), ``unsupported`` (by type, with its line) or ``duplicates``.
- **Ids** come from the question's title (``::Kanji Origins::`` → ``kanji-origins``), a title without
  Latin letters or digits gives ``q-`` + 8 hex digits of its hash, an untitled question ``q-`` + the
  hash of its text; a second question with the same id in the file gets ``-2``, ``-3`` ... So the same
  file always gives the same ids, and importing it again updates instead of adding.
- **Duplicates**: a question identical to an earlier one of the file (Moodle's examples.txt repeats
  several) is imported once and named in a notice.
- **The explanation** is the general feedback, else the import's default explanation, else generated:
  "正确答案：…" followed by each choice's feedback. A question is never refused for lacking one.
"""
from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass, field
from typing import Any

from .questions import ImportDefaults, check_spec, normalise_text, sha256_json, slug


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


#: Message keys → English text with ``%(name)s`` placeholders (translated by the import service).
MESSAGES: dict[str, str] = {
    "title_open": N_("the question title starts with '::' but is never closed with '::'"),
    "brace_unclosed": N_("'{' is never closed with '}'"),
    "brace_unopened": N_("'}' without a '{' before it (write \\} for a literal brace)"),
    "brace_nested": N_("'{' inside an answer block (write \\{ for a literal brace)"),
    "second_block": N_("a second answer block: one {...} per question; separate questions with a blank line"),
    "no_text": N_("the question text is missing"),
    "few_answers": N_("a choice question needs at least two answers"),
    "many_options": N_("%(count)d answers: at most %(max)d options per question"),
    "empty_answer": N_("an empty answer"),
    "same_option": N_("two answers read '%(text)s'"),
    "weight_range": N_("answer weight %(weight)s%% is outside -100%%..100%%"),
    "weight_on_right": N_("'=%%%(weight)s%%': '=' already marks the right answer (100%%); write '~%%%(weight)s%%' for "
                          "partial credit"),
    "two_right": N_("%(count)d answers marked '=': a single-choice question has one right answer; for several "
                    "right answers write '~%%50%%' weights and no '='"),
    "single_negative": N_("'~%%%(weight)s%%': a negative weight on a single-choice question would give a question "
                          "less than 0 points, which GridAcademy does not do (Moodle would); use 0"),
    "single_full": N_("'~%%%(weight)s%%' on a single-choice question: only the answer marked '=' is worth 100%%"),
    "no_positive": N_("no answer has a positive weight: mark the right answer with '=' or give weights such as "
                      "'~%%50%%'"),
    "weights_sum": N_("the positive weights add up to %(total)s%%, not 100%%: nobody could score full marks (or "
                      "everybody more than full marks); Moodle grades the same way, so correct the weights"),
    "fill_negative": N_("'=%%%(weight)s%%%(text)s': a short answer cannot be worth less than 0"),
    "fill_no_full": N_("no answer is worth 100%%: nobody could score full marks"),
    "fill_long": N_("the answer '%(text)s' is longer than the %(max)d characters a learner may type"),
    "rule": N_("does not fit the question bank: %(detail)s"),
    "aiken_no_question": N_("an option or ANSWER: line without a question before it (Moodle: question not started)"),
    "aiken_unfinished": N_("the question has no ANSWER: line before the next question starts (line %(next)d)"),
    "aiken_no_answer_line": N_("the question has no ANSWER: line (end each question with e.g. 'ANSWER: B')"),
    "aiken_few": N_("a question needs at least two options (A. ..., B. ...) before ANSWER:"),
    "aiken_letter_order": N_("option %(letter)s where %(expected)s was expected (options run A, B, C, ...)"),
    "aiken_empty_option": N_("option %(letter)s has no text"),
    "aiken_bad_answer": N_("ANSWER: must give option letters, e.g. 'ANSWER: B', not '%(answer)s'"),
    "aiken_unknown_letter": N_("ANSWER: %(letter)s is not one of the options %(known)s"),
    "aiken_repeat": N_("ANSWER: repeats a letter ('%(answer)s')"),
    # notices: imported, but something is worth knowing
    "duplicate": N_("the same question as on line %(first)d: imported once"),
    "merged_answers": N_("accepted answers %(texts)s are the same once full-width forms, case and spaces are ignored: "
                         "kept once"),
    "image_left": N_("image %(name)s is stored in Moodle, not in the file: the question shows [图片：%(name)s] instead"),
    "fullwidth": N_("full-width GIFT marks (｛ ＝ ～ ＃ ％ ｝) read as { = ~ # %% }"),
}

#: Question types GridAcademy cannot hold, reported once each with their lines.
UNSUPPORTED: dict[str, str] = {
    "matching": N_("matching questions (=item -> match)"),
    "numerical": N_("numerical questions ({#...})"),
    "essay": N_("essay questions ({})"),
    "description": N_("descriptions (text without an answer block)"),
}


@dataclass(frozen=True)
class Issue:
    """A problem (the question was refused) or a notice (it was imported) at a line of the file."""

    line: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """In English (logs and tests); the service translates ``MESSAGES[key]`` for people."""
        return MESSAGES[self.key] % self.params


@dataclass
class Parsed:
    """One good question: its first line and its spec (a bank question, id included)."""

    line: int
    spec: dict[str, Any]


@dataclass
class ParseResult:
    read: int = 0
    questions: list[Parsed] = field(default_factory=list)
    refused: list[Issue] = field(default_factory=list)
    unsupported: dict[str, list[int]] = field(default_factory=dict)
    duplicates: list[Issue] = field(default_factory=list)
    notices: list[Issue] = field(default_factory=list)


class Rejected(Exception):
    """Raised inside a parser: the question is refused with ``key`` at ``pos`` (or a line)."""

    def __init__(self, key: str, pos: int = 0, **params: Any):
        super().__init__(MESSAGES[key] % params)
        self.key, self.pos, self.params = key, pos, params


class Unsupported(Exception):
    def __init__(self, kind: str, pos: int = 0):
        super().__init__(kind)
        self.kind, self.pos = kind, pos


def question_id(title: str, text: str) -> str:
    """The id a question's title gives (see the module docstring)."""
    if title.strip():
        return slug(title) or "q-" + hashlib.sha1(title.strip().encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return "q-" + hashlib.sha1(" ".join(text.split()).encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def content_key(spec: dict[str, Any]) -> str:
    """What makes two questions the same, whatever their ids."""
    return sha256_json({k: v for k, v in spec.items() if k != "id"})


def generated_explanation(spec: dict[str, Any]) -> str:
    """"正确答案：…" and each choice's feedback (Markdown), for a question without general feedback."""
    lines: list[str] = []
    kind = spec["type"]
    if kind in ("single", "multiple"):
        options = spec["options"]
        right = [o["text"] for o in options if o.get("correct")]
        lines.append("正确答案：" + "；".join(right))
        for o in options:
            weight = o.get("weight")
            share = f"（{weight:g}%）" if weight not in (None, 0) and not (kind == "single" and o.get("correct")) else ""
            if o.get("feedback") or share:
                lines.append(f"- {o['text']}{share}" + (f"：{o['feedback']}" if o.get("feedback") else ""))
    elif kind == "truefalse":
        lines.append("正确答案：" + ("正确" if spec["answer"] else "错误"))
        for key, label in (("feedback_true", "正确"), ("feedback_false", "错误")):
            if spec.get(key):
                lines.append(f"- 选“{label}”：{spec[key]}")
    else:
        entries = [a if isinstance(a, dict) else {"text": a} for a in spec["answers"]]
        right = [e["text"] for e in entries if e.get("weight", 100) >= 100]
        lines.append("正确答案：" + " / ".join(right))
        for e in entries:
            weight = e.get("weight", 100)
            share = f"（{weight:g}%）" if weight < 100 else ""
            if e.get("feedback") or share:
                lines.append(f"- {e['text']}{share}" + (f"：{e['feedback']}" if e.get("feedback") else ""))
    head, rest = lines[0], lines[1:]
    return head + ("\n\n" + "\n".join(rest) if rest else "")


def finish(spec: dict[str, Any], defaults: ImportDefaults, general: str) -> dict[str, Any]:
    """The spec with the import's indicators, difficulty, source and an explanation; raises Rejected
    when it still breaks a bank rule."""
    spec["indicators"] = list(defaults.indicators)
    spec["difficulty"] = defaults.difficulty
    if defaults.source:
        spec["source"] = defaults.source
    spec["explanation"] = general.strip() or (defaults.explanation or "").strip() or generated_explanation(spec)
    problems = check_spec({"id": "q", **spec})  # the id is given later (add_question)
    if problems:
        path, problem = problems[0]
        raise Rejected("rule", 0, detail=f"{path}: {problem}" if path else problem)
    return spec


def add_question(result: ParseResult, line: int, title: str, raw_text: str, spec: dict[str, Any],
                 seen: dict[str, int], ids: set[str]) -> None:
    """Record a good question: a duplicate of an earlier one becomes a notice, ids never repeat."""
    key = content_key(spec)
    if key in seen:
        result.duplicates.append(Issue(line, "duplicate", {"first": seen[key]}))
        return
    seen[key] = line
    wanted = question_id(title, raw_text)
    candidate, n = wanted, 1
    while candidate in ids:
        n += 1
        candidate = f"{wanted}-{n}"
    ids.add(candidate)
    result.questions.append(Parsed(line, {"id": candidate, **spec}))


def merge_same_answers(texts: list[str]) -> tuple[list[int], list[str]]:
    """Indexes of the answers to keep (the first of each group equal after ``normalise_text``) and the
    groups that were merged, shown as text."""
    first: dict[str, int] = {}
    keep: list[int] = []
    groups: dict[int, list[str]] = {}
    for i, text in enumerate(texts):
        key = normalise_text(text)
        if key in first:
            groups.setdefault(first[key], [texts[first[key]]]).append(text)
        else:
            first[key] = i
            keep.append(i)
    return keep, ["、".join(f"“{t}”" for t in group) for group in groups.values()]


class EncodingError(ValueError):
    """The bytes are neither UTF-8 (with or without BOM), UTF-16 with a BOM, nor GB18030/GBK."""


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an uploaded or read file; line ends stay as they are (the parsers read
    CRLF, CR and LF alike). Raises EncodingError."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise EncodingError(str(exc)) from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise EncodingError("neither UTF-8 nor GB18030")


def lines_of(text: str) -> list[str]:
    """The file's lines whatever its line ends (CRLF, CR or LF), without a BOM."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
