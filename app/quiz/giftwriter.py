"""Question specs → Moodle GIFT text, so a bank moves into Moodle (or another GridAcademy) and back.

Pure: no Flask, no database. Written the way Moodle's own exporter writes (``writequestion`` in
``question/format/gift/format.php``): a ``// question:`` comment, ``::id::`` as the name, the text
tagged ``[markdown]`` (what GridAcademy stores; answers and feedback inherit the question's format),
control characters escaped, the explanation as general feedback (``####``).

- ``single``: ``=`` the right option, ``~%50%`` partial credit, ``~`` the others.
- ``multiple``: Moodle's weights; the app's ±1/k rule is written as +100/k on right and -100/k on
  wrong options, which Moodle grades identically (and ``parse_gift`` reads back as the same rule).
- ``truefalse``: ``{TRUE#feedback for a wrong answer#feedback for the right answer}``.
- ``fill``: short answer, ``=%50%answer#feedback`` where an answer has a weight.
- A fill-in blank (``_____``) inside the text takes the answer block's place (Moodle's missing-word
  format); otherwise the block ends the question.

The comment before each question carries Moodle's ``[id:…]`` and ``[tag:…]`` marks: the indicators and
``difficulty-N``, which Moodle keeps as tags and ``parse_gift`` (given the indicator ids) reads back.
``parse_gift(write_gift(...))`` gives the same questions back (``tests/unit/test_quiz_export.py``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .gift import BLANK

_RESERVED = {"\\": "\\\\", "#": "\\#", "=": "\\=", "~": "\\~", "{": "\\{", "}": "\\}", ":": "\\:", "\n": "\\n",
             "\r": ""}


def escape(text: str) -> str:
    """Moodle's ``repchar``: GIFT's control characters escaped, line breaks as ``\\n``."""
    return "".join(_RESERVED.get(ch, ch) for ch in text)


def percent(value: float) -> str:
    """100 → "100", 100/3 → "33.33333", -50.0 → "-50"."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def write_gift(specs: Iterable[Mapping[str, Any]], title: str = "") -> str:
    """A GIFT file of the questions (specs as a bank holds them)."""
    out = []
    if title:
        out.append(f"// {title}\n")
    for spec in specs:
        out.append(write_question(spec))
    return "\n".join(out)


def write_question(spec: Mapping[str, Any]) -> str:
    block = "{" + _answers(spec)
    if spec.get("explanation"):
        general = "####" + escape(spec["explanation"])
        block += f"\t{general}\n" if block.endswith("\n") else general
    block += "}"
    text = spec["text"]
    before, found, after = text.partition(BLANK)
    if found and after.strip():
        body = escape(before) + block + escape(after)
    else:
        body = escape(text) + block
    tags = " ".join(f"[tag:{i}]" for i in (*spec.get("indicators", ()), f"difficulty-{spec.get('difficulty', 1)}"))
    return (f"// question: {spec['id']}  type: {spec['type']}\n"
            f"// [id:{spec['id']}] {tags}\n"
            f"::{escape(spec['id'])}::[markdown]{body}\n")


def _feedback(item: Mapping[str, Any]) -> str:
    return "#" + escape(item["feedback"]) if item.get("feedback") else ""


def _answers(spec: Mapping[str, Any]) -> str:
    kind = spec["type"]
    if kind == "truefalse":
        right = spec.get("feedback_true" if spec["answer"] else "feedback_false", "")
        wrong = spec.get("feedback_false" if spec["answer"] else "feedback_true", "")
        out = "TRUE" if spec["answer"] else "FALSE"
        if wrong:
            out += "#" + escape(wrong)
        elif right:
            out += "#"
        if right:
            out += "#" + escape(right)
        return out
    lines = []
    if kind == "fill":
        for answer in spec["answers"]:
            entry = answer if isinstance(answer, Mapping) else {"text": answer}
            weight = f"%{percent(entry['weight'])}%" if entry.get("weight") is not None else ""
            lines.append(f"\t={weight}{escape(entry['text'])}{_feedback(entry)}")
        return "\n" + "\n".join(lines) + "\n"
    options = spec["options"]
    weighted = any("weight" in o for o in options)
    k = sum(1 for o in options if o.get("correct"))
    for option in options:
        if kind == "single":
            mark = "=" if option.get("correct") else (f"~%{percent(option['weight'])}%" if option.get("weight") else "~")
        else:
            weight = option.get("weight", 0) if weighted else (100 / k if option.get("correct") else -100 / k)
            mark = f"~%{percent(weight)}%" if weight else "~"
        lines.append(f"\t{mark}{escape(option['text'])}{_feedback(option)}")
    return "\n" + "\n".join(lines) + "\n"
