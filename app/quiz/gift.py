"""Moodle GIFT import: text → question specs (the dicts a ``questions/*.yaml`` bank holds).

Pure: no Flask, no database. ``parse_gift(text, defaults)`` returns an ``interop.ParseResult``: the
good questions with their lines, one issue per refused question, the unsupported types with their
lines and the notices. It reads a file as Moodle's own importer does
(``question/format/gift/format.php``; ``tests/fixtures/moodle/`` holds Moodle's fixtures and
``tests/unit/test_quiz_moodle_fixtures.py`` mirrors Moodle's ``giftformat_test.php``):

- Questions are separated by blank lines; ``//`` lines are comments; a ``$CATEGORY:`` block is
  skipped (the importer chooses the bank). ``::title::`` names a question (see ``interop`` for ids).
- The answer block is the first ``{`` to the first ``}``. When the question does not end with it the
  block becomes a blank ``_____`` (Moodle's missing-word format).
- The type, as Moodle decides it: ``{}`` essay, ``{#…}`` numerical, a ``~`` anywhere multiple choice,
  ``=`` with ``->`` matching, exactly ``T``/``TRUE``/``F``/``FALSE`` (upper case: ``{true}`` is a
  short answer whose answer is "true", as in Moodle) true/false, anything else a short answer; no
  block at all is a description. Essay, numerical, matching and description are reported, once per
  question, with their line.
- Multiple choice with an ``=`` → ``single``: ``=`` is 100 %, ``~%50%`` partial credit (kept as
  the option's ``weight`` and graded as Moodle grades it). Without ``=`` → ``multiple`` graded by
  Moodle's sum-and-cap rule on the weights (``~%50%`` …, ``~%-100%``); weights that are exactly
  +100/k on the k right answers and -100/k on the others are GridAcademy's own ±1/k rule and stored
  without weights. Weights the app cannot honour are refused with the reason (see ``MESSAGES``).
- Short answers → ``fill`` with each answer's weight (``=%50%Cat``) and feedback; ``*`` matches
  anything, as in Moodle. Answers equal once full-width forms, case and spaces are ignored
  (``{=120 =１２０}``) are kept once, with a notice.
- Feedback: ``#`` after an answer belongs to that answer (shown only to those who chose it);
  true/false ``{FALSE#for a wrong answer#for the right answer}``; ``####`` general feedback becomes
  the explanation (else the import's default, else a generated "正确答案：…").
- Format tags (``[html]``, ``[moodle]``, ``[plain]``, ``[markdown]``) are honoured per piece as in
  Moodle: an untagged answer or feedback has the question text's format (``textformat``).
- Escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` give the character itself, ``\\n`` a line break.
- Full-width marks, as Chinese keyboards type them: a question written with ``｛ ｝`` and no ASCII
  braces, or an answer block with ``＝ ～`` and no ASCII marks, is read with ``{ } = ~ # %``
  (a notice says so).
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any

from .interop import (
    Issue, ParseResult, Rejected, Unsupported, add_question, finish, lines_of, merge_same_answers,
)
from .questions import MAX_FILL_ANSWER, MAX_OPTIONS, ImportDefaults, normalise_text
from .textformat import split_format, to_markdown

_ESCAPABLE = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005",
              "~": "\ue006", "n": "\ue007"}
_UNESCAPE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPABLE.items()})
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_FULL_BRACES = str.maketrans({"｛": "{", "｝": "}"})
_FULL_MARKS = str.maketrans({"＝": "=", "～": "~", "＃": "#", "％": "%", "｛": "{", "｝": "}"})
_FULL_MARK_AT_START = re.compile(r"(^|\s)([＝～](?:％-?\d+(?:\.\d*)?％)?)")
_BLANK_MARK = "\ue010"
BLANK = "_____"


def parse_gift(text: str, defaults: ImportDefaults, indicator_ids: Collection[str] = ()) -> ParseResult:
    """The questions of a GIFT file (see the module docstring). With ``indicator_ids`` (the model's),
    a question whose comment carries Moodle tags naming indicators (``// [tag:policy.accuracy]``, as
    ``giftwriter`` writes them) keeps those indicators, and ``[tag:difficulty-2]`` its difficulty."""
    result = ParseResult()
    seen: dict[str, int] = {}
    ids: set[str] = set()
    for start, block in _blocks(text):
        parser = _Block(start, block)
        if parser.empty:
            continue
        result.read += 1
        try:
            spec, title, raw_text, general = parser.parse()
            spec = finish(spec, _tagged(defaults, _tags(block), indicator_ids), general)
        except Unsupported as exc:
            result.unsupported.setdefault(exc.kind, []).append(parser.line_at(exc.pos))
            continue
        except Rejected as exc:
            result.refused.append(Issue(parser.line_at(exc.pos or parser.begin), exc.key, exc.params))
            continue
        line = parser.line_at(parser.begin)
        result.notices.extend(Issue(line, key, params) for key, params in parser.notices)
        add_question(result, line, title, raw_text, spec, seen, ids)
    return result


def looks_like_gift(text: str) -> int:
    """How many blocks have the structure of a GIFT question (an answer block with GIFT's marks)."""
    count = 0
    for _start, block in _blocks(text):
        body = _escape("\n".join(line for line in block if not line.lstrip().startswith("//"))).translate(_FULL_MARKS)
        match = re.search(r"\{([^{}]*)\}", body)
        if match and (not match.group(1).strip() or re.search(r"(^|\s)[~=#]|^\s*(T|F|TRUE|FALSE)\s*(#|$)",
                                                               match.group(1))):
            count += 1
    return count


def _blocks(text: str) -> Iterable[tuple[int, list[str]]]:
    """(first line number, lines) per blank-line separated block; comment lines start with "//"
    (``_Block`` reads them as empty lines, ``_tags`` reads their Moodle tags)."""
    block: list[str] = []
    start = 1
    for number, line in enumerate(lines_of(text), 1):
        if not line.strip():
            if block:
                yield start, block
            block, start = [], number + 1
        else:
            block.append(line)
    if block:
        yield start, block


def _tags(block: list[str]) -> list[str]:
    """Moodle's ``[tag:…]`` marks in the block's comment lines (``\\]`` escapes a bracket)."""
    comments = " ".join(line for line in block if line.lstrip().startswith("//"))
    return [" ".join(t.replace("\\]", "]").split()) for t in re.findall(r"\[tag:((?:\\\]|[^\]])*)\]", comments)]


def _tagged(defaults: ImportDefaults, tags: list[str], indicator_ids: Collection[str]) -> ImportDefaults:
    """The defaults, with the indicators and difficulty the question's own tags name."""
    indicators = tuple(dict.fromkeys(t for t in tags if t in indicator_ids))
    levels = [int(t[-1]) for t in tags if re.fullmatch(r"difficulty-[123]", t)]
    if not indicators and not levels:
        return defaults
    return replace(defaults, indicators=indicators or defaults.indicators,
                   difficulty=levels[0] if levels else defaults.difficulty)


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


def _raw(text: str) -> str:
    """Placeholders back to the characters they stand for."""
    return text.translate(_UNESCAPE)


class _Block:
    """One blank-line separated block; positions index ``self.text`` (escapes already replaced)."""

    def __init__(self, start: int, lines: list[str]):
        self.start = start
        self.text = _escape("\n".join("" if line.lstrip().startswith("//") else line for line in lines))
        self.notices: list[tuple[str, dict[str, Any]]] = []
        if "{" not in self.text and "}" not in self.text and ("｛" in self.text or "｝" in self.text):
            self.text = self.text.translate(_FULL_BRACES)
            self.notices.append(("fullwidth", {}))
        self.begin = len(self.text) - len(self.text.lstrip())
        if self.text[self.begin:].startswith("$CATEGORY:"):
            end = self.text.find("\n", self.begin)
            rest = self.text[end:] if end >= 0 else ""
            self.begin = len(self.text) - len(rest.lstrip()) if rest.strip() else len(self.text)
        self.empty = not self.text[self.begin:].strip()

    def line_at(self, pos: int) -> int:
        return self.start + self.text.count("\n", 0, max(0, pos))

    def markdown(self, piece: str, default: str) -> str:
        """A piece of the question (format tag honoured) as Markdown; images left behind noted."""
        fmt, body = split_format(piece, default)
        markdown, images = to_markdown(_raw(body), fmt)
        self.notices.extend(("image_left", {"name": name}) for name in images)
        return markdown

    def parse(self) -> tuple[dict[str, Any], str, str, str]:
        """(spec without id/defaults, title, raw question text, general feedback as Markdown);
        raises Rejected or Unsupported."""
        text, pos, title = self.text, self.begin, ""
        if text.startswith("::", pos) or text.startswith("：：", pos):
            closing = "::" if text.startswith("::", pos) else "：："
            end = text.find(closing, pos + 2)
            if end < 0:
                raise Rejected("title_open", pos)
            title = " ".join(_raw(text[pos + 2:end]).split())
            pos = end + 2
        opening, closing_at = text.find("{", pos), text.find("}", pos)
        if opening < 0 and closing_at < 0:
            raise Unsupported("description", pos)
        if opening < 0 or 0 <= closing_at < opening:
            raise Rejected("brace_unopened", closing_at)
        if closing_at < 0:
            raise Rejected("brace_unclosed", opening)
        nested = text.find("{", opening + 1)
        if 0 <= nested < closing_at:
            raise Rejected("brace_nested", nested)
        extra = min((p for p in (text.find("{", closing_at + 1), text.find("}", closing_at + 1)) if p >= 0),
                    default=-1)
        if extra >= 0:
            raise Rejected("second_block", extra)
        before, after = text[pos:opening], text[closing_at + 1:]
        question = (before + _BLANK_MARK + after) if after.strip() else before
        fmt, question_body = split_format(question, "moodle")
        if not question_body.replace(_BLANK_MARK, "").strip():
            raise Rejected("no_text", pos)
        self.question_format = fmt
        question_text = self.markdown(question_body, fmt)
        if not question_text.replace(_BLANK_MARK, "").strip():  # e.g. [html]<p></p>
            raise Rejected("no_text", pos)
        question_text = question_text.replace(_BLANK_MARK, BLANK)
        body = text[opening + 1:closing_at]
        if not re.search(r"[~=#]", body) and re.search(r"[～＝]", body):
            body = body.translate(_FULL_MARKS)
            self.notices.append(("fullwidth", {}))
        elif _FULL_MARK_AT_START.search(body):  # {=119 ～110}: a full-width mark where an answer starts
            body = _FULL_MARK_AT_START.sub(lambda m: m.group(1) + m.group(2).translate(_FULL_MARKS), body)
            self.notices.append(("fullwidth", {}))
        general = ""
        cut = body.rfind("####")
        if cut >= 0:
            general, body = self.markdown(body[cut + 4:], fmt), body[:cut]
        spec = self.answers(opening + 1, body)
        return {"type": spec.pop("type"), "text": question_text, **spec}, title, _raw(question_body), general

    def answers(self, base: int, body: str) -> dict[str, Any]:
        stripped = body.strip()
        first = base + len(body) - len(body.lstrip())
        if not stripped:
            raise Unsupported("essay", base)
        if stripped.startswith("#"):
            raise Unsupported("numerical", first)
        if "~" in stripped:
            return self.choice(first, stripped)
        if "=" in stripped and "->" in stripped:
            raise Unsupported("matching", first)
        check = stripped.split("#", 1)[0].strip() if stripped.find("#") > 0 else stripped
        if check in _TRUE_FALSE:
            return self.true_false(stripped)
        return self.short_answer(first, stripped)

    def pieces(self, base: int, body: str, markers: str) -> list[tuple[str, int, str]]:
        """(marker, position, rest) per answer, as Moodle splits them (text before the first marker
        is dropped when blank)."""
        starts = [i for i, ch in enumerate(body) if ch in markers]
        found = []
        head = body[:starts[0]] if starts else body
        if head.strip():
            found.append(("", base, head))
        found += [(body[s], base + s, body[s + 1:e]) for s, e in zip(starts, starts[1:] + [len(body)])]
        return found

    def weight(self, chunk: str, pos: int) -> tuple[float | None, str]:
        match = _WEIGHT.match(chunk.strip())
        if not match:
            return None, chunk
        weight = float(match.group(1))
        if not -100 <= weight <= 100:
            raise Rejected("weight_range", pos, weight=match.group(1))
        return weight, chunk.strip()[match.end():]

    def answer_and_feedback(self, chunk: str, pos: int) -> tuple[str, str]:
        answer, _, feedback = chunk.partition("#")
        fmt = self.question_format
        text = self.markdown(answer, fmt)
        if not text:
            raise Rejected("empty_answer", pos)
        return text, self.markdown(feedback, fmt) if feedback.strip() else ""

    def choice(self, base: int, body: str) -> dict[str, Any]:
        single = "=" in body
        options: list[dict[str, Any]] = []
        right: list[int] = []
        for marker, pos, chunk in self.pieces(base, body, "~="):
            if marker == "=":
                if _WEIGHT.match(chunk.strip()):
                    raise Rejected("weight_on_right", pos, weight=_WEIGHT.match(chunk.strip()).group(1))
                weight: float | None = 100.0
                right.append(len(options))
            else:
                weight, chunk = self.weight(chunk, pos)
            text, feedback = self.answer_and_feedback(chunk, pos)
            option: dict[str, Any] = {"text": text, "_weight": weight or 0.0, "_pos": pos}
            if feedback:
                option["feedback"] = feedback
            options.append(option)
        if len(options) < 2:
            raise Rejected("few_answers", base)
        if len(options) > MAX_OPTIONS:
            raise Rejected("many_options", base, count=len(options), max=MAX_OPTIONS)
        texts: dict[str, int] = {}
        for option in options:
            key = normalise_text(option["text"])
            if key in texts:
                raise Rejected("same_option", option["_pos"], text=option["text"])
            texts[key] = 1
        return self._single(options, right) if single else self._multiple(options, base)

    @staticmethod
    def _clean(option: dict[str, Any], **extra: Any) -> dict[str, Any]:
        out = {k: v for k, v in option.items() if not k.startswith("_")}
        return {"text": out.pop("text"), **extra, **out}

    def _single(self, options: list[dict[str, Any]], right: list[int]) -> dict[str, Any]:
        if len(right) > 1:
            raise Rejected("two_right", options[right[1]]["_pos"], count=len(right))
        result = []
        for i, option in enumerate(options):
            weight = option["_weight"]
            if i in right:
                result.append(self._clean(option, correct=True))
            elif weight < 0:
                raise Rejected("single_negative", option["_pos"], weight=f"{weight:g}")
            elif weight >= 100:
                raise Rejected("single_full", option["_pos"], weight=f"{weight:g}")
            else:
                result.append(self._clean(option, **({"weight": weight} if weight else {})))
        return {"type": "single", "options": result}

    def _multiple(self, options: list[dict[str, Any]], base: int) -> dict[str, Any]:
        weights = [o["_weight"] for o in options]
        positive = [w for w in weights if w > 0]
        if not positive:
            raise Rejected("no_positive", base)
        total = sum(positive)
        if abs(total - 100) > 0.5:
            raise Rejected("weights_sum", base, total=f"{total:g}")
        k = len(positive)
        own_rule = k >= 2 and all(abs(w - (100 / k if w > 0 else -100 / k)) < 0.01 for w in weights)
        result = []
        for option, weight in zip(options, weights):
            extra: dict[str, Any] = {"correct": True} if weight > 0 else {}
            if not own_rule:
                extra["weight"] = weight
            result.append(self._clean(option, **extra))
        return {"type": "multiple", "options": result}

    def true_false(self, body: str) -> dict[str, Any]:
        value, *feedback = body.split("#", 2)
        wrong, right = (feedback + ["", ""])[:2]
        fmt = self.question_format
        wrong_md = self.markdown(wrong, fmt) if wrong.strip() else ""
        right_md = self.markdown(right, fmt) if right.strip() else ""
        answer = _TRUE_FALSE[value.strip()]
        spec: dict[str, Any] = {"type": "truefalse", "answer": answer}
        feedback_true, feedback_false = (right_md, wrong_md) if answer else (wrong_md, right_md)
        if feedback_true:
            spec["feedback_true"] = feedback_true
        if feedback_false:
            spec["feedback_false"] = feedback_false
        return spec

    def short_answer(self, base: int, body: str) -> dict[str, Any]:
        entries: list[dict[str, Any]] = []
        for _marker, pos, chunk in self.pieces(base, body, "="):
            weight, chunk = self.weight(chunk, pos)
            weight = 100.0 if weight is None else weight
            answer, _, feedback = chunk.partition("#")
            _fmt, answer_text = split_format(_raw(answer), self.question_format)
            answer_text = " ".join(answer_text.split())
            if not answer_text:
                raise Rejected("empty_answer", pos)
            if weight < 0:
                raise Rejected("fill_negative", pos, weight=f"{weight:g}", text=answer_text)
            if len(answer_text) > MAX_FILL_ANSWER:
                raise Rejected("fill_long", pos, text=answer_text[:30] + "…", max=MAX_FILL_ANSWER)
            entry: dict[str, Any] = {"text": answer_text, "_pos": pos}
            if weight != 100:
                entry["weight"] = weight
            if feedback.strip():
                entry["feedback"] = self.markdown(feedback, self.question_format)
            entries.append(entry)
        if not any(e.get("weight", 100) >= 100 for e in entries):
            raise Rejected("fill_no_full", base)
        keep, merged = merge_same_answers([e["text"] for e in entries])
        self.notices.extend(("merged_answers", {"texts": texts}) for texts in merged)
        entries = [{k: v for k, v in entries[i].items() if k != "_pos"} for i in keep]
        if all(set(e) == {"text"} for e in entries):
            return {"type": "fill", "answers": [e["text"] for e in entries]}
        return {"type": "fill", "answers": entries}
