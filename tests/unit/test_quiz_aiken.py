"""Aiken import: Moodle's documented example, Chinese punctuation, stems that start like an option,
errors by line with recovery (Moodle's own fixtures: test_quiz_moodle_fixtures.py)."""
from app.quiz.aiken import looks_like_aiken, parse_aiken
from app.quiz.gift import looks_like_gift
from app.quiz.questions import ImportDefaults, build_question, check_spec

DEFAULTS = ImportDefaults(indicators=("handling.emergency",), difficulty=1, explanation="见应急处置课程。")
NO_DEFAULT = ImportDefaults(indicators=("handling.emergency",))

# Quoted from Moodle's Aiken format documentation.
MOODLE_EXAMPLE = """What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def specs_of(text, defaults=DEFAULTS):
    result = parse_aiken(text, defaults)
    assert [i.message for i in result.refused] == []
    return [q.spec for q in result.questions]


def test_moodle_example_imports_without_a_default_explanation():
    first, second = specs_of(MOODLE_EXAMPLE, NO_DEFAULT)
    assert {k: v for k, v in first.items() if k != "id"} == {
        "type": "single", "text": "What is the correct answer to this question?",
        "options": [{"text": "Is it this one?"}, {"text": "Maybe this answer?"}, {"text": "Possibly this one?"},
                    {"text": "Must be this one!", "correct": True}],
        "indicators": ["handling.emergency"], "difficulty": 1, "explanation": "正确答案：Must be this one!"}
    assert second["options"][0] == {"text": "Moodle", "correct": True} and len(second["options"]) == 6
    assert all(check_spec(s, {"handling.emergency"}) == [] for s in (first, second))
    assert specs_of(MOODLE_EXAMPLE)[0]["explanation"] == "见应急处置课程。"


def test_chinese_punctuation_multiline_question_and_no_blank_lines():
    text = ("发现小区燃气泄漏，\n网格员首先应当？\nＡ．按门铃通知住户\nＢ）不碰电器，组织开窗撤离\nC、打开楼道灯查看（看清楚）\n"
            "ANSWER：B\n下列哪些是火灾报警要讲清的？\nA. 地址\nB. 起火物\nC. 自己的爱好\n答案：A, B\n")
    first, second = specs_of(text)
    assert first["text"] == "发现小区燃气泄漏，\\\n网格员首先应当？"
    assert [o["text"] for o in first["options"]] == ["按门铃通知住户", "不碰电器，组织开窗撤离", "打开楼道灯查看（看清楚）"]
    assert first["options"][1]["correct"] is True
    assert second["type"] == "multiple" and [o.get("correct", False) for o in second["options"]] == [True, True, False]


def test_a_stem_that_starts_like_an_option_is_a_question():
    """"A、B两个社区…" where a question is expected is the question text (Moodle's own option marks
    are only "A." and "A)")."""
    text = "A、B两个社区合并网格后，网格员首先应当？\nA. 重新摸排住户信息\nB. 沿用旧台账\nANSWER: A\n"
    (spec,) = specs_of(text)
    assert spec["text"] == "A、B两个社区合并网格后，网格员首先应当？"
    assert [o["text"] for o in spec["options"]] == ["重新摸排住户信息", "沿用旧台账"]


def test_braces_in_an_aiken_file_do_not_make_it_gift():
    text = ("居民问{低保}怎么申请，网格员应？\nA. 承诺一定能批\nB. 讲清条件并协助申请\nANSWER: B\n\n"
            "文件里写着 {=119} 的是什么格式？\nA. GIFT\nB. Aiken\nANSWER: A\n")
    assert looks_like_aiken(text) == 2 and looks_like_gift(text) == 1
    assert len(specs_of(text)) == 2


def test_texts_are_plain_text():
    (spec,) = specs_of("Which tag is <b>?\nA. *bold*\nB. _italic_\nANSWER: A\n")
    question = build_question(spec)
    assert question.text == r"Which tag is \<b\>?"
    assert [o.text for o in question.options] == [r"\*bold\*", r"\_italic\_"]


def test_errors_name_their_line_and_the_next_question_still_imports():
    text = ("第一题？\n"            # 1
            "A. 甲\n"
            "C. 乙\n"              # 3: letter out of order
            "ANSWER: A\n"
            "\n"
            "第二题？\n"           # 6
            "A. 甲\n"
            "B. 乙\n"
            "ANSWER: E\n"          # 9: no such option
            "\n"
            "第三题？\n"           # 11
            "A. 甲\n"
            "B. 乙\n"
            "\n"
            "第四题？\n"           # 15: no ANSWER for the third
            "A. 甲\n"
            "B. 乙\n"
            "ANSWER: b\n"          # lower-case letter is read
            "ANSWER: A\n"          # 19: an ANSWER with no question open
            "第五题？\n"           # 20
            "A. 甲\n"
            "ANSWER: A\n"          # 22: too few options
            "第六题？\n"           # 23
            "A. 甲\n"
            "B. 甲\n"              # 25: same option twice
            "ANSWER: A\n"
            "第七题？\n"           # 27
            "A. 对\n"
            "B. 错\n")             # end of file without ANSWER
    result = parse_aiken(text, DEFAULTS)
    assert [q.spec["text"] for q in result.questions] == ["第四题？"]
    assert result.questions[0].spec["options"][1]["correct"] is True
    assert [(i.line, i.key) for i in result.refused] == [
        (3, "aiken_letter_order"), (9, "aiken_unknown_letter"), (11, "aiken_unfinished"), (19, "aiken_no_question"),
        (22, "aiken_few"), (25, "same_option"), (27, "aiken_no_answer_line")]
    assert result.read == 7


def test_ids_follow_the_question_text():
    first = specs_of("甲？\nA. 1\nB. 2\nANSWER: A\n\n乙？\nA. 1\nB. 2\nANSWER: B\n")
    second = specs_of("乙？\nA. 1\nB. 2\nANSWER: B\n")
    assert second[0]["id"] == first[1]["id"] and first[0]["id"] != first[1]["id"]
