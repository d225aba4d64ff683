"""Competition ranking: weighted totals, the tie-break rule, "1, 2, 2, 4" ranks, brackets, the freeze."""
from datetime import datetime, timedelta, timezone

import pytest

from app.compete.rules import (
    Entry, Result, entries_from_results, frozen_view, is_frozen, rank, rank_by_bracket, visible_results,
)
from app.refusal import RuleBroken

CST = timezone(timedelta(hours=8))
WEIGHTS = {"quiz": 0.4, "drill": 0.3, "practical": 0.3}


def at(hour, minute, second=0):
    return datetime(2024, 5, 10, hour, minute, second, tzinfo=CST)


def entry(eid, name, quiz=None, drill=None, practical=None, finished=None, bracket=None):
    return Entry(eid, name, bracket, {"quiz": quiz, "drill": drill, "practical": practical}, finished)


def table(standings):
    return [(s.rank, s.entry.id, s.total, s.missing) for s in standings]


def test_weighted_totals_and_order():
    entries = [
        entry("A", "张伟", 90, 80, 70, at(11, 0)),    # 36 + 24 + 21 = 81
        entry("B", "王芳", 100, 70, 70, at(11, 0)),   # 40 + 21 + 21 = 82
        entry("C", "李娜", 80, 90, 75, at(11, 0)),    # 32 + 27 + 22.5 = 81.5
        entry("D", "刘洋", 90, 80, None, at(10, 0)),  # 36 + 24 + 0 = 60, one round missing
    ]
    assert table(rank(entries, WEIGHTS)) == [
        (1, "B", 82, 0), (2, "C", 81.5, 0), (3, "A", 81, 0), (4, "D", 60, 1)]


def test_weights_need_not_add_up_to_one():
    entries = [Entry("x", "甲", None, {"r1": 90, "r2": 60}), Entry("y", "乙", None, {"r1": 60, "r2": 90})]
    # x: (2×90 + 1×60)/3 = 80; y: (2×60 + 1×90)/3 = 70
    assert table(rank(entries, {"r1": 2, "r2": 1})) == [(1, "x", 80, 0), (2, "y", 70, 0)]


def test_rounds_not_in_the_weights_are_ignored_and_absent_ones_missing():
    entries = [Entry("x", "甲", None, {"r1": 90, "old": 100}), Entry("y", "乙", None, {})]
    assert table(rank(entries, {"r1": 1, "r2": 1})) == [(1, "x", 45, 1), (2, "y", 0, 2)]


def test_tie_on_total_goes_to_the_earlier_finish():
    entries = [entry("E", "陈静", 90, 80, 70, at(10, 5)),   # 36 + 24 + 21 = 81
               entry("F", "杨帆", 90, 70, 80, at(10, 3))]   # 36 + 21 + 24 = 81, two minutes earlier
    assert table(rank(entries, WEIGHTS)) == [(1, "F", 81, 0), (2, "E", 81, 0)]


def test_finish_times_compare_as_instants_across_time_zones():
    utc = timezone.utc
    early = entry("U", "赵磊", 80, 80, 80, datetime(2024, 5, 10, 2, 2, tzinfo=utc))  # 10:02 in Beijing
    late = entry("B", "孙丽", 80, 80, 80, at(10, 3))
    assert [s.entry.id for s in rank([late, early], WEIGHTS)] == ["U", "B"]


def test_no_finish_time_ranks_after_any_finish():
    entries = [Entry("n", "甲", None, {"r": 0}, None), Entry("t", "乙", None, {"r": 0}, at(23, 59))]
    assert table(rank(entries, {"r": 1})) == [(1, "t", 0, 0), (2, "n", 0, 0)]


def test_then_fewer_missing_rounds():
    weights = {"r1": 1, "r2": 1}
    same_time = at(10, 0)
    g = Entry("G", "甲", None, {"r1": 100, "r2": None}, same_time)   # 50, one missing
    h = Entry("H", "乙", None, {"r1": 50, "r2": 50}, same_time)      # 50, none missing
    assert table(rank([g, h], weights)) == [(1, "H", 50, 0), (2, "G", 50, 1)]


def test_competition_ranking_one_two_two_four():
    same_time = at(10, 0)
    entries = [
        entry("w", "王五", 90, 90, 90, same_time),
        entry("z", "赵六", 80, 80, 80, same_time),
        entry("l", "李四", 80, 80, 80, same_time),
        entry("s", "孙七", 70, 70, 70, same_time),
        entry("q", "钱八", 70, 70, 70, same_time),
        entry("k", "孔九", 60, 60, 60, same_time),
    ]
    standings = rank(entries, WEIGHTS)
    assert [(s.rank, s.entry.name) for s in standings] == [
        (1, "王五"), (2, "李四"), (2, "赵六"), (4, "孙七"), (4, "钱八"), (6, "孔九")]  # tied: listed by name
    assert [s.tied for s in standings] == [False, True, True, True, True, False]


def test_name_order_never_decides_a_rank():
    same_time = at(10, 0)
    entries = [entry(1, "甲", 80, 80, 80, same_time), entry(3, "乙", 80, 80, 80, same_time),
               entry(2, "乙", 80, 80, 80, same_time)]
    standings = rank(entries, WEIGHTS)
    # 乙 (U+4E59) before 甲 (U+7532), then id: display order only, one shared rank
    assert [(s.rank, s.entry.id) for s in standings] == [(1, 2), (1, 3), (1, 1)]


def test_what_is_shown_is_what_is_ranked():
    weights = {"a": 1, "b": 1, "c": 1}
    x = Entry("x", "甲", None, {"a": 85, "b": 85, "c": 85.01}, at(10, 5))  # 85.00333… → 85.00
    y = Entry("y", "乙", None, {"a": 85, "b": 85, "c": 85}, at(10, 1))     # 85.00
    assert table(rank([x, y], weights)) == [(1, "y", 85, 0), (2, "x", 85, 0)]   # equal shown totals: earlier finish


def test_totals_round_half_up_exactly():
    z = Entry("z", "甲", None, {"a": 80.01, "b": 80})         # 80.005 exactly → 80.01
    w = Entry("w", "乙", None, {"a": 0.01, "b": 0})            # 0.005 → 0.01
    assert [s.total for s in rank([z, w], {"a": 1, "b": 1})] == [80.01, 0.01]


@pytest.mark.parametrize(("weights", "key"), [
    ({"r": -1}, "ranking.bad_weight"),
    ({"r": "heavy"}, "ranking.bad_weight"),
    ({"r": float("nan")}, "ranking.bad_weight"),
    ({"r": 0}, "ranking.no_weight"),
    ({}, "ranking.no_weight"),
])
def test_bad_weights(weights, key):
    with pytest.raises(RuleBroken) as error:
        rank([Entry("x", "甲", None, {"r": 50})], weights)
    assert error.value.key == key


@pytest.mark.parametrize("score", [-1, 100.5, "ninety", True])
def test_bad_round_scores(score):
    with pytest.raises(RuleBroken) as error:
        rank([Entry("x", "甲", None, {"r": score})], {"r": 1})
    assert error.value.key == "ranking.bad_score" and error.value.params["entry"] == "x"


def test_per_bracket_ranking():
    same_time = at(10, 0)
    entries = [
        entry(1, "甲", 90, 90, 90, same_time, "新入职"),
        entry(2, "乙", 95, 95, 95, same_time, "资深"),
        entry(3, "丙", 80, 80, 80, same_time, "新入职"),
        entry(4, "丁", 85, 85, 85, same_time, "资深"),
        entry(5, "戊", 85, 85, 85, same_time, "资深"),
        entry(6, "己", 99, 99, 99, same_time),
    ]
    overall = rank(entries, WEIGHTS)
    assert [(s.rank, s.entry.id) for s in overall] == [(1, 6), (2, 2), (3, 1), (4, 4), (4, 5), (6, 3)]
    brackets = rank_by_bracket(entries, WEIGHTS)
    assert list(brackets) == ["新入职", "资深", None]
    assert [(s.rank, s.entry.id) for s in brackets["新入职"]] == [(1, 1), (2, 3)]
    assert [(s.rank, s.entry.id) for s in brackets["资深"]] == [(1, 2), (2, 4), (2, 5)]
    assert [(s.rank, s.entry.id) for s in brackets[None]] == [(1, 6)]


# --- freeze ------------------------------------------------------------------------------------

FREEZE = at(11, 0)
PEOPLE = [Entry("a", "甲"), Entry("b", "乙", "资深"), Entry("c", "丙")]
RESULTS = [
    Result("a", "quiz", 80, at(9, 30)),
    Result("b", "quiz", 70, at(9, 40)),
    Result("a", "practical", 60, at(10, 0), recorded_at=at(10, 30)),
    Result("b", "practical", 95, at(10, 10), recorded_at=at(11, 0)),    # judged exactly at the freeze: hidden
    Result("c", "quiz", 100, at(11, 20)),                                # after the freeze: hidden
    Result("c", "practical", 90, at(10, 50), recorded_at=at(11, 30)),  # performed before, judged after: hidden
]


def test_frozen_view_keeps_what_was_recorded_before_the_freeze():
    kept = frozen_view(RESULTS, FREEZE)
    assert [(r.entry_id, r.round_id) for r in kept] == [("a", "quiz"), ("b", "quiz"), ("a", "practical")]
    assert frozen_view(RESULTS, None) == RESULTS
    just_before = Result("d", "quiz", 50, FREEZE - timedelta(microseconds=1))
    assert frozen_view([just_before], FREEZE) == [just_before]


def test_public_board_is_frozen_organizers_see_the_truth():
    weights = {"quiz": 1, "practical": 1}
    public = rank(entries_from_results(PEOPLE, visible_results(RESULTS, FREEZE, organizer=False)), weights)
    assert table(public) == [(1, "a", 70, 0), (2, "b", 35, 1), (3, "c", 0, 2)]
    truth = rank(entries_from_results(PEOPLE, visible_results(RESULTS, FREEZE, organizer=True)), weights)
    assert table(truth) == [(1, "c", 95, 0), (2, "b", 82.5, 0), (3, "a", 70, 0)]


def test_is_frozen_from_the_exact_instant():
    assert not is_frozen(FREEZE, FREEZE - timedelta(microseconds=1))
    assert is_frozen(FREEZE, FREEZE)
    assert not is_frozen(None, FREEZE)


def test_entries_from_results_finish_at_their_latest_round():
    a, b, c = entries_from_results(PEOPLE, RESULTS)
    assert a.round_scores == {"quiz": 80, "practical": 60} and a.finished_at == at(10, 0)
    assert b.bracket == "资深" and b.finished_at == at(10, 10)
    assert c.finished_at == at(11, 20)
    (nobody,) = entries_from_results([Entry("z", "无")], RESULTS)
    assert nobody.round_scores == {} and nobody.finished_at is None


def test_duplicate_results_are_an_error():
    with pytest.raises(RuleBroken) as error:
        entries_from_results(PEOPLE, RESULTS + [Result("a", "quiz", 90, at(9, 50))])
    assert error.value.key == "results.duplicate" and error.value.params == {"entry": "a", "round": "quiz"}


def test_naive_freeze_is_refused():
    with pytest.raises(RuleBroken) as error:
        frozen_view(RESULTS, FREEZE.replace(tzinfo=None))
    assert error.value.key == "time.naive"


def test_frozen_view_takes_rows_without_recorded_at():
    from collections import namedtuple
    Row = namedtuple("Row", "entry_id round_id score finished_at")
    rows = [Row("a", "quiz", 80, at(10, 59)), Row("b", "quiz", 90, at(11, 0))]
    assert frozen_view(rows, FREEZE) == rows[:1]


def _reference_total(entry_, weights):
    """The module doc's rule spelled out with Fractions, one cell at a time (what ``rank`` must equal)."""
    from fractions import Fraction
    from decimal import Decimal
    import math

    def exact(value):
        return Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)

    total = sum((exact(w) * exact(entry_.round_scores[r]) for r, w in weights.items()
                 if entry_.round_scores.get(r) is not None), Fraction(0))
    return math.floor(total / sum(exact(w) for w in weights.values()) * 100 + Fraction(1, 2)) / 100


def test_whole_number_ranking_equals_the_fraction_rule_on_thousands_of_random_boards():
    """``rank`` sums in whole numbers over a common denominator; on random boards (floats with many
    decimals, halves, ints, Fractions, odd weights, missing rounds) every total equals the rule worked
    out cell by cell with Fractions, including the half-up rounding at x.xx5."""
    import random
    from fractions import Fraction

    chance = random.Random(20261129)
    for trial in range(60):
        weights = {f"r{i}": chance.choice([1, 0.3, 2, 0.45, Fraction(1, 3), 7, 0.1])
                   for i in range(chance.randint(1, 4))}
        entries = []
        for n in range(50):
            scores = {r: chance.choice([None, round(chance.uniform(0, 100), chance.randint(0, 14)), chance.randint(0, 100),
                                        Fraction(chance.randint(0, 300), 3), 100 * chance.randint(0, 2) / 3, 12.345])
                      for r in weights}
            entries.append(Entry(n, f"p{n}", None, scores, at(10, n % 60)))
        for standing in rank(entries, weights):
            assert standing.total == _reference_total(standing.entry, weights), (trial, standing)


def test_a_board_of_thousands_ranks_quickly():
    """3,200 contestants over three rounds, every drill score a different float, rank in well under half a
    second even on a loaded machine (about 0.05 s on an idle core; a Fraction sum per cell took 0.2-0.4 s)."""
    import random
    import time

    chance = random.Random(7)
    entries = [entry(n, f"p{n}", chance.choice([None, 5 * chance.randint(0, 20)]), chance.uniform(0, 100),
                     chance.choice([None, chance.randint(0, 200) / 2]), at(10, n % 60)) for n in range(3200)]
    started = time.perf_counter()
    rank(entries, WEIGHTS)
    assert time.perf_counter() - started < 0.5


def test_an_unhashable_score_is_refused_like_any_other_non_number():
    with pytest.raises(RuleBroken) as caught:
        rank([Entry("x", "甲", None, {"r1": [90]})], {"r1": 1})
    assert caught.value.key == "ranking.bad_score"
