"""Export back: GIFT written as Moodle writes it reads back as the same questions (one test per type,
weights and per-answer feedback included), and Moodle XML has Moodle's structure (qformat_xml)."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.quiz.gift import parse_gift
from app.quiz.giftwriter import write_gift, write_question
from app.quiz.moodle_xml import write_moodle_xml
from app.quiz.questions import ImportDefaults, build_question

DEFAULTS = ImportDefaults(indicators=("policy.learning",), difficulty=1)  # the tags in the file win
BASE = {"indicators": ["handling.emergency"], "difficulty": 2}

SPECS = {
    "single": {"id": "gas-1", "type": "single", "text": "燃气泄漏时**首先**应当？见 [规程](https://example.org/a)",
               "options": [{"text": "开灯查看", "feedback": "开关会产生电火花。"},
                           {"text": "开窗通风并撤离", "correct": True},
                           {"text": "先打电话报修", "weight": 25.0, "feedback": "要到室外再打：= ~ # { } : \\ 都要转义"}],
               "explanation": "燃气泄漏：不开灯、不打电话，开窗并撤离。\n\n到室外再报警。", **BASE},
    "multiple": {"id": "fire-2", "type": "multiple", "text": "报火警时要讲清哪些？",
                 "options": [{"text": "地址", "correct": True}, {"text": "起火物", "correct": True},
                             {"text": "自己的爱好"}],
                 "explanation": "地址和起火物。", "indicators": ["handling.emergency", "comm.departments"],
                 "difficulty": 3},
    "multiple-weighted": {"id": "fire-3", "type": "multiple", "text": "哪些人埋在格兰特墓？",
                          "options": [{"text": "无人", "weight": 0.0}, {"text": "格兰特", "correct": True, "weight": 50.0},
                                      {"text": "格兰特夫人", "correct": True, "weight": 50.0,
                                       "feedback": "对"}, {"text": "父亲", "weight": -100.0}],
                          "explanation": "格兰特和夫人。", **BASE},
    "truefalse": {"id": "tf-1", "type": "truefalse", "text": "网格员可以承诺低保一定能批。", "answer": False,
                  "feedback_true": "不能承诺：由民政部门审批。", "feedback_false": "对。", "explanation": "见低保政策。", **BASE},
    "fill": {"id": "fill-1", "type": "fill", "text": "火警电话是_____，请牢记。",
             "answers": [{"text": "119", "feedback": "对"}, {"text": "一一九", "weight": 50.0},
                         {"text": "*", "weight": 0.0, "feedback": "再想想"}],
             "explanation": "火警119。", **BASE},
    "fill-plain": {"id": "fill-2", "type": "fill", "text": "急救电话是", "answers": ["120", "幺二零"],
                   "explanation": "急救120。", **BASE},
}


@pytest.mark.parametrize("name", list(SPECS))
def test_gift_round_trip_gives_the_same_question(name):
    spec = SPECS[name]
    original = build_question(spec)
    result = parse_gift(write_gift([spec], title="题库"), DEFAULTS, indicator_ids=INDICATORS)
    assert result.refused == [] and result.unsupported == {}
    (back,) = [q.spec for q in result.questions]
    assert build_question(back) == original  # same id, text, key, weights, feedback, explanation: same hash


def test_a_whole_bank_round_trips():
    text = write_gift(SPECS.values(), title="GridAcademy 应急 (emergency)")
    result = parse_gift(text, DEFAULTS, indicator_ids=INDICATORS)
    assert [build_question(q.spec).to_spec() for q in result.questions] == [
        build_question(s).to_spec() for s in SPECS.values()]


def test_gift_looks_like_moodles_export():
    text = write_question(SPECS["truefalse"])
    assert "::tf-1::[markdown]网格员可以承诺低保一定能批。{FALSE#不能承诺：由民政部门审批。#对。####见低保政策。}" in text
    text = write_question(SPECS["multiple"])
    assert "// [id:fire-2] [tag:handling.emergency] [tag:comm.departments] [tag:difficulty-3]\n" in text
    assert "\t~%50%地址\n\t~%50%起火物\n\t~%-50%自己的爱好\n\t####地址和起火物。\n}" in text


def test_shipped_banks_export_and_read_back():
    """Every question GridAcademy ships reads back with the same text, key, explanation, indicators and
    difficulty (GIFT has no place for option ids, pinned options or the course link: they come back
    positional, unpinned and without a source)."""
    from app.quiz.bank import load_banks

    banks, problems = load_banks(Path(__file__).resolve().parents[2] / "questions", INDICATORS)
    assert problems == [] and banks

    def comparable(spec):
        spec = build_question(spec).to_spec()
        for option in spec.get("options", ()):
            option.pop("id"), option.pop("pinned", None)
        return {k: v for k, v in spec.items() if k != "source"}

    for bank in banks:
        specs = [q.to_spec() for q in bank.questions]
        result = parse_gift(write_gift(specs), ImportDefaults(indicators=("policy.learning",)), INDICATORS)
        assert result.refused == [] and result.duplicates == []
        back = {q.spec["id"]: q.spec for q in result.questions}
        for spec in specs:
            assert comparable(back[spec["id"]]) == comparable(spec), spec["id"]


INDICATORS = {"policy.learning", "policy.accuracy", "comm.residents", "comm.departments", "handling.detection",
              "handling.emergency", "info.collection", "info.analysis", "resilience.stress", "resilience.emotion"}


def _answers(question):
    return [(a.get("fraction"), a.get("format"), a.findtext("text"), a.findtext("feedback/text") or "")
            for a in question.findall("answer")]


def test_moodle_xml_has_moodles_structure():
    data = write_moodle_xml(SPECS.values(), category="应急")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    quiz = ET.fromstring(data)
    assert quiz.tag == "quiz"
    category, single, multiple, weighted, truefalse, fill, plain = quiz.findall("question")
    assert category.get("type") == "category" and category.findtext("category/text") == "$course$/top/应急"
    assert [q.get("type") for q in (single, multiple, weighted, truefalse, fill, plain)] == [
        "multichoice", "multichoice", "multichoice", "truefalse", "shortanswer", "shortanswer"]
    assert single.findtext("name/text") == "gas-1" and single.findtext("idnumber") == "gas-1"
    assert single.find("questiontext").get("format") == "markdown"
    assert single.findtext("questiontext/text") == SPECS["single"]["text"]
    assert single.findtext("generalfeedback/text") == SPECS["single"]["explanation"]
    assert single.findtext("single") == "true" and multiple.findtext("single") == "false"
    assert [a[0] for a in _answers(single)] == ["0", "100", "25"]
    assert _answers(single)[2][3] == "要到室外再打：= ~ # { } : \\ 都要转义"
    assert [a[0] for a in _answers(multiple)] == ["50", "50", "-50"]       # the ±1/k rule in Moodle's terms
    assert [a[0] for a in _answers(weighted)] == ["0", "50", "50", "-100"]
    assert _answers(truefalse) == [("0", "moodle_auto_format", "true", "不能承诺：由民政部门审批。"),
                                   ("100", "moodle_auto_format", "false", "对。")]
    assert fill.findtext("usecase") == "0"
    assert _answers(fill) == [("100", "moodle_auto_format", "119", "对"), ("50", "moodle_auto_format", "一一九", ""),
                              ("0", "moodle_auto_format", "*", "再想想")]
    assert [t.text for t in single.findall("tags/tag/text")] == ["handling.emergency"]
    for question in (single, multiple, weighted):
        for name in ("shuffleanswers", "answernumbering", "correctfeedback", "partiallycorrectfeedback",
                     "incorrectfeedback"):
            assert question.find(name) is not None


def test_moodle_xml_drops_characters_xml_cannot_hold():
    spec = {**SPECS["fill-plain"], "text": "急救\x0b电话\x00是"}
    quiz = ET.fromstring(write_moodle_xml([spec]))
    assert quiz.find("question").findtext("questiontext/text") == "急救电话是"
