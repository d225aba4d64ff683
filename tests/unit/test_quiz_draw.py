"""Seeded draw and shuffle: the same seed gives the same attempt; filters and counts are honoured."""
import pytest

from app.quiz.draw import AttemptItem, DrawRule, NotEnoughQuestions, arrange, draw, shuffled_choices
from app.quiz.questions import build_question


def question(bank, qid, kind="single", difficulty=1, indicators=("policy.accuracy",)):
    spec = {"id": qid, "type": kind, "text": f"{qid}?", "indicators": list(indicators), "difficulty": difficulty,
            "explanation": "解析。"}
    if kind in ("single", "multiple"):
        spec["options"] = [{"text": f"选项{i}", "correct": i < (1 if kind == "single" else 2)} for i in range(5)]
    elif kind == "truefalse":
        spec["answer"] = True
    else:
        spec["answers"] = ["119"]
    return build_question(spec, bank)


POOL = (
    [question("policy", f"p-{i:02d}", difficulty=1 + i % 3) for i in range(12)]
    + [question("emergency", f"e-{i:02d}", kind=k, indicators=("handling.emergency",), difficulty=1 + i % 3)
       for i, k in enumerate(["single", "multiple", "truefalse", "fill"] * 3)]
)


def test_same_seed_same_attempt_whatever_the_pool_order():
    rules = [DrawRule(5), DrawRule(3, indicators={"handling.emergency"})]
    first = draw(POOL, rules, seed="attempt-1")
    assert draw(list(reversed(POOL)), rules, seed="attempt-1") == first
    assert draw(POOL, rules, seed="attempt-2") != first
    assert len(first) == 8 and len({(i.bank_id, i.question_id) for i in first}) == 8


def test_seed_result_is_fixed_across_runs():
    # random.Random seeded with a string hashes it with SHA-512 (not hash()), so the result does not
    # change with PYTHONHASHSEED or between processes: a stored seed rebuilds the same attempt.
    items = draw(POOL, [DrawRule(3, banks={"policy"})], seed="golden")
    assert [(i.question_id, "".join(i.option_order)) for i in items] == [
        ("p-03", "abedc"), ("p-00", "ecbad"), ("p-07", "acebd")]
    items = draw(POOL, [DrawRule(3, banks={"policy"})], seed=42, shuffle_options=False)
    assert all(i.option_order == ("a", "b", "c", "d", "e") for i in items)


def test_filters():
    items = draw(POOL, [DrawRule(4, banks={"policy"}, difficulties={3})], seed="s")
    by_key = {(q.bank_id, q.id): q for q in POOL}
    assert {by_key[(i.bank_id, i.question_id)].difficulty for i in items} == {3}
    assert all(i.bank_id == "policy" for i in items)
    items = draw(POOL, [DrawRule(12, indicators={"handling.emergency"})], seed="s")
    assert {i.bank_id for i in items} == {"emergency"}


def test_choices_shuffled_for_choice_and_true_false_questions():
    items = arrange([q for q in POOL if q.bank_id == "emergency"], seed="s")
    kinds = {q.id: q.type_name for q in POOL}
    for item in items:
        if kinds[item.question_id] in ("single", "multiple"):
            assert sorted(item.option_order) == ["a", "b", "c", "d", "e"]
        elif kinds[item.question_id] == "truefalse":
            assert sorted(item.option_order) == ["false", "true"]
        else:
            assert item.option_order == ()
    orders = {item.option_order for item in items if len(item.option_order) == 5}
    assert len(orders) > 1  # not the same permutation for every question
    truefalse = POOL[-2]
    assert {arrange([truefalse], seed=n)[0].option_order for n in range(20)} == {("true", "false"), ("false", "true")}


def test_a_pinned_option_keeps_its_place_the_others_move():
    spec = {"id": "q-pin", "type": "single", "text": "?", "indicators": ["policy.accuracy"], "difficulty": 1,
            "explanation": "解析。", "options": [{"text": "甲"}, {"text": "乙"}, {"text": "丙"},
                                                {"text": "以上都对", "correct": True, "pinned": True}]}
    pinned = build_question(spec, "policy")
    orders = {shuffled_choices(pinned, n) for n in range(40)}
    assert all(order[3] == "d" for order in orders) and len(orders) == 6  # every order of a, b, c
    middle = build_question({**spec, "options": [{"text": "甲", "correct": True}, {"text": "乙", "pinned": True},
                                                 {"text": "丙"}]}, "policy")
    assert {shuffled_choices(middle, n)[1] for n in range(20)} == {"b"}
    items = draw([pinned], [DrawRule(1)], seed="x")
    assert items[0].option_order[3] == "d"
    assert shuffled_choices(POOL[-1], "s") == ()  # fill-in: nothing to shuffle


def test_a_daily_pick_and_its_order_come_from_different_seeds():
    rules = [DrawRule(5)]
    one = draw(POOL, rules, seed="7:2026-11-29", order_seed="a1")
    two = draw(POOL, rules, seed="7:2026-11-29", order_seed="b2")
    assert {i.question_id for i in one} == {i.question_id for i in two}  # the same questions all day
    assert one != two  # in another order
    assert draw(POOL, rules, seed="x") == draw(POOL, rules, seed="x", order_seed="x")


def test_option_order_depends_only_on_seed_and_question():
    alone = arrange([POOL[0]], seed="s")[0]
    among = [i for i in arrange(POOL, seed="s") if i.question_id == POOL[0].id][0]
    assert alone.option_order == among.option_order


def test_no_shuffle_keeps_order():
    fixed = POOL[:4]
    items = arrange(fixed, seed="s", shuffle_questions=False, shuffle_options=False)
    assert items == [AttemptItem("policy", f"p-{i:02d}", ("a", "b", "c", "d", "e")) for i in range(4)]
    shuffled = arrange(fixed, seed="s")
    assert sorted(i.question_id for i in shuffled) == [q.id for q in fixed]
    assert items[0].to_dict() == {"bank": "policy", "question": "p-00", "options": ["a", "b", "c", "d", "e"]}


def test_narrow_rules_pick_first_and_questions_never_repeat():
    # The emergency bank has 12 questions, exactly 4 of difficulty 3 (i = 2, 5, 8, 11). The broad rule
    # is listed first but the narrow one picks first, so the broad rule cannot take those four.
    rules = [DrawRule(8, banks={"emergency"}), DrawRule(4, banks={"emergency"}, difficulties={3})]
    for seed in range(20):
        items = draw(POOL, rules, seed=seed, shuffle_questions=False)
        assert len(items) == 12 and len({i.question_id for i in items}) == 12
        by_id = {q.id: q for q in POOL}
        assert {by_id[i.question_id].difficulty for i in items[8:]} == {3}  # rule order kept


def test_not_enough_questions():
    with pytest.raises(NotEnoughQuestions, match="rule 1 asks for 5 questions but only 4"):
        draw(POOL, [DrawRule(1), DrawRule(5, banks={"emergency"}, difficulties={1})], seed="s")


def test_duplicates_refused():
    with pytest.raises(ValueError):
        draw(POOL + [POOL[0]], [DrawRule(1)], seed="s")
    with pytest.raises(ValueError):
        arrange([POOL[0], POOL[0]], seed="s")
