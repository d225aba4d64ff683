"""Aiken import: Moodle's documented example, Chinese punctuation, errors by line with recovery."""
from app.quiz.aiken import parse_aiken
from app.quiz.questions import ImportDefaults, check_spec

DEFAULTS = ImportDefaults(indicators=("handling.emergency",), difficulty=1, explanation="见应急处置课程。")

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


def test_moodle_example():
    specs, problems = parse_aiken(MOODLE_EXAMPLE, DEFAULTS)
    assert problems == []
    first, second = specs
    assert first == {
        "id": "aiken-1", "type": "single", "text": "What is the correct answer to this question?",
        "options": [{"text": "Is it this one?"}, {"text": "Maybe this answer?"}, {"text": "Possibly this one?"},
                    {"text": "Must be this one!", "correct": True}],
        "indicators": ["handling.emergency"], "difficulty": 1, "explanation": "见应急处置课程。"}
    assert second["options"][0] == {"text": "Moodle", "correct": True} and len(second["options"]) == 6
    assert all(check_spec(s, {"handling.emergency"}) == [] for s in specs)


def test_chinese_punctuation_multiline_question_and_no_blank_lines():
    text = ("发现小区燃气泄漏,\n"
            "网格员首先应当?\n"
            "Ａ．按门铃通知住户\n"
            "Ｂ）不碰电器,组织开窗撤离\n"
            "C、打开楼道灯查看（看清楚）\n"
            "ANSWER：B\n"
            "下列哪些是火灾报警要讲清的?\n"
            "A. 地址\n"
            "B. 起火物\n"
            "C. 自己的爱好\n"
            "ANSWER: A, B\n")
    specs, problems = parse_aiken(text, DEFAULTS, taken={"aiken-2"})
    assert problems == []
    first, second = specs
    assert first["text"] == "发现小区燃气泄漏,\n网格员首先应当?"
    assert [o["text"] for o in first["options"]] == ["按门铃通知住户", "不碰电器,组织开窗撤离", "打开楼道灯查看（看清楚）"]
    assert first["options"][1]["correct"] is True
    assert second["id"] == "aiken-2-2"
    assert second["type"] == "multiple" and [o.get("correct", False) for o in second["options"]] == [True, True, False]


def test_errors_name_the_line_and_good_questions_still_import():
    text = ("Letters out of order\n"      # 1
            "A. x\n"
            "C. y\n"                      # 3
            "ANSWER: A\n"
            "\n"
            "No answer line\n"            # 6
            "A. x\n"
            "B. y\n"
            "\n"
            "Good one\n"                  # 10
            "A. right\n"
            "B. wrong\n"
            "ANSWER: A\n"
            "\n"
            "Unknown letter\n"            # 15
            "A. x\n"
            "B. y\n"
            "ANSWER: E\n"                 # 18
            "\n"
            "One option only\n"
            "A. x\n"
            "ANSWER: A\n"                 # 22
            "\n"
            "ANSWER: B\n"                 # 24
            "\n"
            "Not a letter\n"
            "A. x\n"
            "B. y\n"
            "ANSWER: yes\n"               # 29
            "\n"
            "Empty option\n"
            "A.\n"                        # 32
            "B. y\n"
            "ANSWER: B\n"
            "\n"
            "Last good one\n"             # 36
            "A. a\n"
            "B. b\n"
            "ANSWER: B\n"
            "\n"
            "Unfinished at the end\n"     # 41
            "A. a\n"
            "B. b\n")
    specs, problems = parse_aiken(text, DEFAULTS, shown="bank.txt")
    assert [(s["id"], s["text"]) for s in specs] == [("aiken-3", "Good one"), ("aiken-8", "Last good one")]
    assert problems == [
        "bank.txt: line 3: option C where B was expected (options run A, B, C, ...)",
        "bank.txt: line 6: the question has no ANSWER: line (end each question with e.g. 'ANSWER: B')",
        "bank.txt: line 18: ANSWER: E is not one of the options A, B",
        "bank.txt: line 22: a question needs at least two options (A. ..., B. ...) before ANSWER:",
        "bank.txt: line 24: ANSWER: line without a question before it",
        "bank.txt: line 29: ANSWER: must give capital option letters, e.g. 'ANSWER: B', not 'yes'",
        "bank.txt: line 32: option A has no text",
        "bank.txt: line 41: the question has no ANSWER: line (end each question with e.g. 'ANSWER: B')",
    ]


def test_no_explanation_default_refuses_every_question():
    specs, problems = parse_aiken(MOODLE_EXAMPLE, ImportDefaults(indicators=("handling.emergency",)))
    assert specs == []
    assert problems == [
        "line 1: no explanation: give feedback in the question (#...) or a default explanation for the import",
        "line 8: no explanation: give feedback in the question (#...) or a default explanation for the import",
    ]


def test_duplicate_option_texts_are_caught_by_the_bank_rules():
    specs, problems = parse_aiken("Q\nA. same\nB. same\nANSWER: A\n", DEFAULTS)
    assert specs == [] and problems == ["line 1: options[1].text: same text as options[0]"]
