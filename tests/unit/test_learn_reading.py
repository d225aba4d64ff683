"""The reading-time rule and the lesson check's tokens (app.learn.reading, pure)."""
import subprocess
import sys
from pathlib import Path

import pytest

from app.learn.reading import check_answer, check_options, han_count, minimum_seconds, token, tokens_of
from app.quiz.questions import build_question

ROOT = Path(__file__).resolve().parents[2]

SINGLE = build_question({"id": "q-1", "type": "single", "text": "哪个对？", "indicators": ["x.y"], "difficulty": 1,
                         "explanation": "因为。", "options": [{"text": "甲"}, {"text": "乙", "correct": True},
                                                             {"text": "丙"}]})
MULTIPLE = build_question({"id": "q-2", "type": "multiple", "text": "哪些对？", "indicators": ["x.y"], "difficulty": 1,
                           "explanation": "因为。", "options": [{"text": "甲", "correct": True}, {"text": "乙"},
                                                               {"text": "丙", "correct": True}]})
TRUEFALSE = build_question({"id": "q-3", "type": "truefalse", "text": "对吗？", "indicators": ["x.y"], "difficulty": 1,
                            "explanation": "因为。", "answer": False})
FILL = build_question({"id": "q-4", "type": "fill", "text": "报警电话是____。", "indicators": ["x.y"], "difficulty": 1,
                       "explanation": "因为。", "answers": ["110"]})


def test_han_characters_only():
    assert han_count("# 标题\n\n网格员 **Grid** 123，。！") == 5
    assert han_count("𠀀㐀豈") == 3  # extension B, extension A, compatibility ideograph
    assert han_count("") == 0


@pytest.mark.parametrize("chars, per_minute, floor, expected", [
    (3000, 300, 60, 600),    # 10 minutes
    (301, 300, 60, 61),      # rounded up to the next second
    (100, 300, 60, 60),      # a short lesson still asks for the floor
    (3000, 10 ** 6, 5, 5),   # a test setting: almost no reading time
])
def test_minimum_seconds(chars, per_minute, floor, expected):
    assert minimum_seconds("字" * chars + " some English", per_minute, floor) == expected


def test_minimum_seconds_needs_a_speed():
    with pytest.raises(ValueError):
        minimum_seconds("字", 0)


def test_tokens_are_opaque_per_person_and_stable():
    one = check_options(SINGLE, "secret", "1:2:3")
    assert check_options(SINGLE, "secret", "1:2:3") == one                        # stable on reload
    assert [t for t, _text in one] == sorted(t for t, _text in one)           # shown in token order
    assert {t for t, _ in check_options(SINGLE, "secret", "9:2:3")}.isdisjoint({t for t, _ in one})
    assert {t for t, _ in check_options(SINGLE, "other", "1:2:3")}.isdisjoint({t for t, _ in one})
    assert all(len(t) == 16 and t not in ("a", "b", "c") for t, _ in one)
    assert token("secret", "1:2:3", "a") != token("secret", "1:2:3", "b")
    assert check_options(FILL, "secret", "1:2:3") == []
    labels = [text for _t, text in check_options(TRUEFALSE, "secret", "1:2:3", ("对", "错"))]
    assert sorted(labels) == ["对", "错"]


def test_option_order_is_shuffled_across_people():
    orders = {tuple(text for _t, text in check_options(SINGLE, "secret", f"{uid}:1:1")) for uid in range(30)}
    assert len(orders) > 1


def _by_key(question, context="1:2:3"):
    return {key: value for value, key in tokens_of(question, "secret", context).items()}


def test_check_answer_grades_tokens():
    keys = _by_key(SINGLE)
    tokens = tokens_of(SINGLE, "secret", "1:2:3")
    assert check_answer(SINGLE, keys["b"], tokens) is True
    assert check_answer(SINGLE, keys["a"], tokens) is False
    assert check_answer(SINGLE, "b", tokens) is False          # the plain option id is not a token
    assert check_answer(SINGLE, token("secret", "9:9:9", "b"), tokens) is False  # another page's token
    assert check_answer(SINGLE, None, tokens) is None and check_answer(SINGLE, "", tokens) is None


def test_check_answer_needs_full_marks_for_multiple_choice():
    keys, tokens = _by_key(MULTIPLE), tokens_of(MULTIPLE, "secret", "1:2:3")
    assert check_answer(MULTIPLE, [keys["a"], keys["c"]], tokens) is True
    assert check_answer(MULTIPLE, [keys["a"]], tokens) is False  # half the credit is not a pass
    assert check_answer(MULTIPLE, [keys["a"], keys["b"], keys["c"]], tokens) is False
    assert check_answer(MULTIPLE, [], tokens) is None


def test_check_answer_true_false_and_fill():
    keys, tokens = _by_key(TRUEFALSE), tokens_of(TRUEFALSE, "secret", "1:2:3")
    assert check_answer(TRUEFALSE, keys["false"], tokens) is True
    assert check_answer(TRUEFALSE, keys["true"], tokens) is False
    assert check_answer(TRUEFALSE, "false", tokens) is False
    assert check_answer(FILL, "１１０", {}) is True
    assert check_answer(FILL, "120", {}) is False
    assert check_answer(FILL, "   ", {}) is None
    assert check_answer(FILL, "x" * 500, {}) is False


def test_reading_rules_load_without_flask():
    code = ("import sys, app.learn.reading; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy') or m == 'app.models'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
