"""Answer cues (app.quiz.cues): each rate failing and passing on a small synthetic bank, and its bounds.

The rules: the key of a single-choice question is the uniquely longest option (by stripped length) in
at most 40% of them, the first option in at most 40%, and 35%-65% of true/false questions are keyed
true; a rate equal to its bound passes.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.quiz.cues import DEFAULT_LIMITS, CueLimits, bank_specs, cue_problems, cue_rates
from app.quiz.questions import build_question

ROOT = Path(__file__).resolve().parents[2]


def single(qid, key, *texts):
    """A single-choice spec whose options have ``texts`` and whose key is ``texts[key]``."""
    return {"id": qid, "type": "single", "text": "题目?", "indicators": ["x.y"], "difficulty": 1,
            "explanation": "解析。",
            "options": [{"text": t, **({"correct": True} if i == key else {})} for i, t in enumerate(texts)]}


def tf(qid, answer):
    return {"id": qid, "type": "truefalse", "text": "判断。", "answer": answer, "indicators": ["x.y"],
            "difficulty": 1, "explanation": "解析。"}


def longest_key(qid):  # key is the uniquely longest option, not first
    return single(qid, 1, "短的", "最长的那个选项", "也短", "不长")


def first_key(qid):  # key first, not longest
    return single(qid, 0, "短的", "最长的那个选项", "也短", "不长")


def plain(qid):  # key neither first nor longest
    return single(qid, 2, "短的", "最长的那个选项", "也短", "不长")


def problems_about(specs, word, limits=DEFAULT_LIMITS):
    return [p for p in cue_problems(specs, limits) if word in p]


# -- longest -----------------------------------------------------------------------------------

def test_key_longest_at_the_bound_passes_and_one_more_fails():
    at_bound = [longest_key("q1"), longest_key("q2"), plain("q3"), plain("q4"), plain("q5")]  # 2/5 = 40%
    assert cue_rates(at_bound).longest == pytest.approx(0.4)
    assert problems_about(at_bound, "longest") == []
    over = [longest_key("q1"), longest_key("q2"), longest_key("q3"), plain("q4"), plain("q5")]  # 3/5
    (message,) = problems_about(over, "longest")
    assert "60% (3/5)" in message and "40% maximum" in message
    assert "q1" in message and "q2" in message and "q3" in message and "q4" not in message


def test_a_tie_for_longest_is_no_cue_and_whitespace_is_stripped():
    tie = single("tie", 1, "四个汉字", "同样四字", "短")
    assert cue_rates([tie]).key_longest.count == 0
    padded = single("pad", 1, "四个汉字    ", "  三个字  ", "二字")  # stripped: 4 > 3, key is not longest
    assert cue_rates([padded]).key_longest.count == 0
    padded_key = single("pad2", 1, "三个字  ", "   四个汉字   ", "二字")
    assert cue_rates([padded_key]).key_longest.ids == ("pad2",)


def test_longest_offenders_are_listed_by_length_gap_worst_first():
    small_gap = single("small", 1, "一二三", "一二三四", "一二")
    big_gap = single("big", 1, "一", "一二三四五六七八九十", "二")
    rates = cue_rates([small_gap, big_gap])
    assert rates.key_longest.ids == ("big", "small")
    (message,) = problems_about([small_gap, big_gap], "longest")
    assert message.index("big") < message.index("small")


def test_offender_list_is_capped():
    specs = [longest_key(f"q{i:02d}") for i in range(20)]
    (message,) = problems_about(specs, "longest")
    assert "and 12 more" in message


# -- first -------------------------------------------------------------------------------------

def test_key_first_at_the_bound_passes_and_one_more_fails():
    at_bound = [first_key("a"), first_key("b"), plain("c"), plain("d"), plain("e")]
    assert cue_rates(at_bound).first == pytest.approx(0.4)
    assert problems_about(at_bound, "first option") == []
    over = [first_key("a"), first_key("b"), first_key("c"), plain("d"), plain("e")]
    (message,) = problems_about(over, "first option")
    assert "60% (3/5)" in message and "40% maximum" in message and "a, b, c" in message


def test_first_offenders_that_are_also_longest_come_first():
    both = single("both", 0, "最长的正确选项", "短", "短短")
    only_first = single("only", 0, "短", "长一点的错误", "短短")
    rates = cue_rates([only_first, both])
    assert rates.key_first.ids == ("both", "only")


# -- true/false --------------------------------------------------------------------------------

@pytest.mark.parametrize("true_count, fails", [
    (6, "below"),   # 30%
    (7, None),      # 35%: the lower bound itself passes
    (10, None),     # 50%
    (13, None),     # 65%: the upper bound itself passes
    (14, "above"),  # 70%
])
def test_true_false_share_bounds(true_count, fails):
    specs = [tf(f"t{i:02d}", i < true_count) for i in range(20)]
    found = problems_about(specs, "true/false")
    if fails is None:
        assert found == []
    else:
        (message,) = found
        assert f"{true_count * 5}% ({true_count}/20)" in message and fails in message
        assert "35%-65%" in message
        # names the questions to rewrite: the false-keyed ones when too few are true, and vice versa
        if fails == "below":
            assert "keyed false: t06, t07" in message and "t00" not in message
        else:
            assert "keyed true: t00, t01" in message and "t19" not in message


# -- what is measured --------------------------------------------------------------------------

def test_empty_and_other_types_are_not_measured():
    assert cue_problems([]) == []
    rates = cue_rates([])
    assert (rates.longest, rates.first, rates.true) == (None, None, None)
    multiple = {"id": "m", "type": "multiple", "options": [{"text": "很长很长的选项", "correct": True},
                                                          {"text": "短", "correct": True}, {"text": "短短"}]}
    fill = {"id": "f", "type": "fill", "answers": ["119"]}
    rates = cue_rates([multiple, fill])
    assert rates.key_longest.total == 0 and rates.keyed_true.total == 0
    assert cue_problems([multiple, fill]) == []


def test_malformed_singles_are_skipped():
    two_keys = single("two", 0, "甲", "乙乙")
    two_keys["options"][1]["correct"] = True
    no_options = {"id": "none", "type": "single"}
    assert cue_rates([two_keys, no_options, "not a spec"]).key_first.total == 0


def test_custom_limits():
    specs = [first_key("a"), plain("b"), plain("c"), plain("d")]  # 25% first
    assert cue_problems(specs) == []
    (message,) = cue_problems(specs, CueLimits(first_max=0.2))
    assert "25% (1/4)" in message and "20% maximum" in message


def test_built_questions_and_banks_are_read_through_to_spec():
    specs = [longest_key("q1"), first_key("q2"), tf("t1", True), tf("t2", False)]
    built = [build_question(s, "demo") for s in specs]
    assert cue_rates(built).as_dict() == cue_rates(specs).as_dict() == {"longest": 0.5, "first": 0.5, "true": 0.5}

    class FakeBank:
        questions = built

    assert bank_specs([FakeBank(), FakeBank()]) == [q.to_spec() for q in built] * 2


def test_summary_line_names_all_three_rates_and_bounds():
    specs = [longest_key("q1"), plain("q2"), tf("t1", True), tf("t2", False)]
    line = cue_rates(specs).summary()
    assert "longest option 50% (1/2) [max 40%]" in line
    assert "first option 0% (0/2) [max 40%]" in line
    assert "keyed true 50% (1/2) [35%-65%]" in line


def test_cues_import_alone():
    """Pure: importing the module loads neither Flask, SQLAlchemy nor app.models."""
    probe = ("import json, sys; import app.quiz.cues; print(json.dumps(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('flask', 'sqlalchemy') or m.startswith('flask_') or m.startswith('app.models'))))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
