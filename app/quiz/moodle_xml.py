"""Question specs → Moodle XML (``qformat_xml``), the format Moodle's question bank imports with
every detail: types ``multichoice`` (``<single>`` true or false), ``truefalse`` and ``shortanswer``,
each answer's ``fraction`` in percent and its ``<feedback>``, the explanation as
``<generalfeedback>``, the id as ``<name>`` and ``<idnumber>``, the indicators as ``<tags>``.

Pure: no Flask, no database. Texts are GridAcademy's Markdown, so they carry ``format="markdown"``
(Moodle's FORMAT_MARKDOWN); short answers are plain. Weights as in ``giftwriter``: the app's ±1/k
rule for multiple choice is written as +100/k and -100/k, which Moodle grades identically.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from .giftwriter import percent

#: Characters XML 1.0 cannot hold (control characters other than tab and line ends).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value or "")


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "markdown") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = _xml_text(value)
    return element


def _answer(parent: ET.Element, fraction: float, text: str, feedback: str, fmt: str = "markdown") -> None:
    answer = ET.SubElement(parent, "answer", {"fraction": percent(fraction), "format": fmt})
    ET.SubElement(answer, "text").text = _xml_text(text)
    _text(answer, "feedback", feedback)


def _question(quiz: ET.Element, spec: Mapping[str, Any]) -> None:
    kind = spec["type"]
    qtype = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse", "fill": "shortanswer"}[kind]
    question = ET.SubElement(quiz, "question", {"type": qtype})
    ET.SubElement(ET.SubElement(question, "name"), "text").text = spec["id"]
    _text(question, "questiontext", spec["text"])
    _text(question, "generalfeedback", spec.get("explanation", ""))
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "1" if kind == "truefalse" else "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = spec["id"]
    if kind in ("single", "multiple"):
        ET.SubElement(question, "single").text = "true" if kind == "single" else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "abc"
        ET.SubElement(question, "showstandardinstruction").text = "0"
        for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(question, name, "", "html")
        options = spec["options"]
        weighted = any("weight" in o for o in options)
        k = sum(1 for o in options if o.get("correct"))
        for option in options:
            if kind == "single":
                fraction = 100.0 if option.get("correct") else float(option.get("weight", 0))
            else:
                fraction = float(option.get("weight", 0)) if weighted else (100 / k if option.get("correct") else -100 / k)
            _answer(question, fraction, option["text"], option.get("feedback", ""))
    elif kind == "truefalse":
        for value, key in ((True, "feedback_true"), (False, "feedback_false")):
            _answer(question, 100.0 if spec["answer"] is value else 0.0, "true" if value else "false",
                    spec.get(key, ""), "moodle_auto_format")
    else:
        ET.SubElement(question, "usecase").text = "0"
        for answer in spec["answers"]:
            entry = answer if isinstance(answer, Mapping) else {"text": answer}
            _answer(question, float(entry.get("weight", 100)), entry["text"], entry.get("feedback", ""),
                    "moodle_auto_format")
    indicators = spec.get("indicators") or ()
    if indicators:
        tags = ET.SubElement(question, "tags")
        for indicator in indicators:
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = indicator


def write_moodle_xml(specs: Iterable[Mapping[str, Any]], category: str = "") -> bytes:
    """A Moodle XML file (UTF-8) of the questions, in a category named ``category`` when given."""
    quiz = ET.Element("quiz")
    if category:
        question = ET.SubElement(quiz, "question", {"type": "category"})
        ET.SubElement(ET.SubElement(question, "category"), "text").text = f"$course$/top/{category}"
    for spec in specs:
        _question(quiz, spec)
    ET.indent(quiz, space="  ")
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"
