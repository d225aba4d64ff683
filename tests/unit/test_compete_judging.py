"""Judging a practical round: score validation, the judges' mean with and without trimming, disagreements."""
from decimal import Decimal
from fractions import Fraction

import pytest

from app.compete.rules import (
    Criterion, check_rubric, criteria, disagreements, judged_score, rubric_indicator_scores, rubric_problems,
    score_problems,
)
from app.refusal import RuleBroken

RUBRIC = (
    Criterion("listen", "倾听与安抚", 10, "comm.residents"),
    Criterion("act", "现场处置", 20, "handling.emergency"),
    Criterion("report", "上报与记录", 10, "handling.emergency"),
)
# three judges; totals 30, 31, 29.5
THREE = {
    "j1": {"listen": 8, "act": 15, "report": 7},
    "j2": {"listen": 7, "act": 16, "report": 8},
    "j3": {"listen": 9, "act": 14.5, "report": 6},
}
# plus a generous judge (total 40, highest) and a harsh one (total 10, lowest)
FIVE = {**THREE, "j4": {"listen": 10, "act": 20, "report": 10}, "j5": {"listen": 2, "act": 5, "report": 3}}


# --- validation ------------------------------------------------------------------------------

def test_valid_scores_in_every_accepted_form():
    for sheet, points in (({"listen": 0, "act": 20, "report": 7.5}, {"listen": 0, "act": 20, "report": 7.5}),
                          ({"listen": "9.5", "act": Decimal("12.0"), "report": Fraction(1, 2)},
                           {"listen": 9.5, "act": 12, "report": 0.5})):
        assert score_problems(RUBRIC, sheet) == []
        assert judged_score(RUBRIC, [sheet]).criteria == points


@pytest.mark.parametrize(("scores", "key", "criterion"), [
    ({"listen": 8, "act": 15}, "score.missing", "report"),
    ({"listen": 8, "act": 15, "report": None}, "score.missing", "report"),
    ({"listen": 8, "act": 15, "report": ""}, "score.missing", "report"),
    ({"listen": 8, "act": 15, "report": 7, "extra": 1}, "score.unknown", "extra"),
    ({"listen": -1, "act": 15, "report": 7}, "score.out_of_range", "listen"),
    ({"listen": -0.5, "act": 15, "report": 7}, "score.out_of_range", "listen"),
    ({"listen": 10.5, "act": 15, "report": 7}, "score.out_of_range", "listen"),
    ({"listen": 8, "act": 21, "report": 7}, "score.out_of_range", "act"),
    ({"listen": 8, "act": 15, "report": 7.3}, "score.not_half", "report"),
    ({"listen": 8, "act": 15.25, "report": 7}, "score.not_half", "act"),
    ({"listen": "八", "act": 15, "report": 7}, "score.not_a_number", "listen"),
    ({"listen": True, "act": 15, "report": 7}, "score.not_a_number", "listen"),
    ({"listen": float("nan"), "act": 15, "report": 7}, "score.not_a_number", "listen"),
    ({"listen": float("inf"), "act": 15, "report": 7}, "score.not_a_number", "listen"),
    ({"listen": [8], "act": 15, "report": 7}, "score.not_a_number", "listen"),
])
def test_score_errors_name_the_criterion(scores, key, criterion):
    error = score_problems(RUBRIC, scores)[0]
    assert isinstance(error, RuleBroken)
    assert error.key == key and error.params["criterion"] == criterion
    assert repr(criterion) in str(error)


def test_out_of_range_message_gives_the_maximum():
    (error,) = score_problems(RUBRIC, {"listen": 8, "act": 21, "report": 7})
    assert str(error) == "criterion 'act': 21 is outside 0..20"
    assert error.params == {"criterion": "act", "value": 21, "max": 20}


def test_score_problems_lists_every_problem_in_rubric_order():
    problems = score_problems(RUBRIC, {"listen": 11, "report": 7.3, "bogus": 1})
    assert [(p.key, p.params["criterion"]) for p in problems] == [
        ("score.out_of_range", "listen"), ("score.missing", "act"), ("score.not_half", "report"),
        ("score.unknown", "bogus")]
    assert score_problems(RUBRIC, THREE["j1"]) == []


@pytest.mark.parametrize(("rubric", "key"), [
    ((), "rubric.empty"),
    ((Criterion("a", "A", 10), Criterion("a", "A again", 5)), "rubric.duplicate"),
    ((Criterion("a", "A", 0),), "rubric.bad_max"),
    ((Criterion("a", "A", -5),), "rubric.bad_max"),
    ((Criterion("a", "A", 7.3),), "rubric.bad_max"),
    ((Criterion("a", "A", "ten"),), "rubric.bad_max"),
])
def test_bad_rubrics(rubric, key):
    with pytest.raises(RuleBroken) as error:
        check_rubric(rubric)
    assert error.value.key == key
    assert check_rubric((Criterion("a", "A", 7.5),)) == {"a": Fraction(15, 2)}


# --- the judges' mean --------------------------------------------------------------------------

def test_single_judge():
    result = judged_score(RUBRIC, {"j1": THREE["j1"]})
    assert result.criteria == {"listen": 8, "act": 15, "report": 7}
    assert result.points == 30 and result.total == 75.0 and result.dropped == ()


def test_mean_of_three_judges_without_trimming():
    result = judged_score(RUBRIC, THREE)
    # listen (8+7+9)/3 = 8; act (15+16+14.5)/3 = 15.1666… → 15.17; report (7+8+6)/3 = 7
    assert result.criteria == {"listen": 8, "act": 15.17, "report": 7}
    # points 90.5/3 = 30.1666… → 30.17; total = 30.1666…/40 × 100 = 75.4166… → 75.42 (from the exact means)
    assert result.points == 30.17 and result.total == 75.42
    assert result.judges == ("j1", "j2", "j3") and result.dropped == ()
    assert result.judge_totals == {"j1": 30, "j2": 31, "j3": 29.5}


def test_four_judges_are_all_counted():
    four = {**THREE, "j4": FIVE["j4"]}
    result = judged_score(RUBRIC, four)
    assert result.dropped == () and len(result.judges) == 4
    # listen 34/4 = 8.5; act 65.5/4 = 16.375 → 16.38 (half up); report 31/4 = 7.75; total 130.5/160 = 81.5625 → 81.56
    assert result.criteria == {"listen": 8.5, "act": 16.38, "report": 7.75}
    assert result.total == 81.56


def test_five_judges_drop_the_highest_and_lowest_total():
    result = judged_score(RUBRIC, FIVE)
    assert result.dropped == ("j5", "j4")              # (lowest total 10, highest total 40)
    assert result.judges == ("j1", "j2", "j3")
    assert result == judged_score(RUBRIC, THREE)._replace(
        dropped=("j5", "j4"), judge_totals={"j1": 30, "j2": 31, "j3": 29.5, "j4": 40, "j5": 10})


def test_five_judges_untrimmed_when_the_organizer_turns_it_off():
    result = judged_score(RUBRIC, FIVE, trim=False)
    # listen 36/5 = 7.2; act 70.5/5 = 14.1; report 34/5 = 6.8; points 28.1; total 28.1/40 = 70.25
    assert result.criteria == {"listen": 7.2, "act": 14.1, "report": 6.8}
    assert result.points == 28.1 and result.total == 70.25 and result.dropped == ()


def test_trim_threshold_is_a_setting():
    assert judged_score(RUBRIC, THREE, trim_from=3).judges == ("j1",)   # 29.5 and 31 dropped
    assert judged_score(RUBRIC, FIVE, trim_from=6).dropped == ()
    with pytest.raises(RuleBroken) as error:
        judged_score(RUBRIC, THREE, trim_from=2)
    assert error.value.key == "judging.bad_trim"


def test_trimming_with_tied_totals_drops_first_and_last_by_judge_id():
    tied = {  # every total is 30
        "e": {"listen": 10, "act": 20, "report": 0},
        "b": {"listen": 5, "act": 15, "report": 10},
        "a": {"listen": 10, "act": 10, "report": 10},
        "d": {"listen": 0, "act": 20, "report": 10},
        "c": {"listen": 10, "act": 15, "report": 5},
    }
    result = judged_score(RUBRIC, tied)
    assert result.dropped == ("a", "e") and result.judges == ("b", "c", "d")
    # listen (5+10+0)/3 = 5; act 50/3 = 16.67; report 25/3 = 8.33; total 30/40 = 75
    assert result.criteria == {"listen": 5, "act": 16.67, "report": 8.33} and result.total == 75


def test_numeric_judge_ids_order_numerically():
    same = {"listen": 5, "act": 10, "report": 5}
    result = judged_score(RUBRIC, {judge: same for judge in (10, 2, 9, 1, 3)})
    assert result.dropped == (1, 10) and result.judges == (2, 3, 9)


def test_judge_errors_name_judge_and_criterion():
    with pytest.raises(RuleBroken) as error:
        judged_score(RUBRIC, {**THREE, "j9": {"listen": 8, "act": 25, "report": 7}})
    assert error.value.key == "score.out_of_range"
    assert error.value.params["judge"] == "j9" and error.value.params["criterion"] == "act"
    assert str(error.value).startswith("judge 'j9': criterion 'act'")
    with pytest.raises(RuleBroken) as none:
        judged_score(RUBRIC, {})
    assert none.value.key == "judging.no_scores"


# --- disagreements -----------------------------------------------------------------------------

def test_no_disagreement_within_the_threshold():
    # listen spread 2 ≤ 2.5; act 1.5 ≤ 5; report 2 ≤ 2.5
    assert disagreements(RUBRIC, THREE) == []


def test_spread_exactly_at_the_limit_is_not_flagged_just_above_is():
    at_limit = {"x": {"listen": 5, "act": 10, "report": 5}, "y": {"listen": 7.5, "act": 15, "report": 5}}
    assert disagreements(RUBRIC, at_limit) == []               # 2.5 = 0.25 × 10, 5 = 0.25 × 20
    above = {"x": {"listen": 5, "act": 10, "report": 5}, "y": {"listen": 8, "act": 15.5, "report": 5}}
    flagged = disagreements(RUBRIC, above)
    assert [(d.criterion, d.low, d.high, d.spread, d.limit) for d in flagged] == [
        ("listen", 5, 8, 3, 2.5), ("act", 10, 15.5, 5.5, 5)]
    assert flagged[0].low_judges == ("x",) and flagged[0].high_judges == ("y",)


def test_disagreements_count_trimmed_judges_too():
    flagged = disagreements(RUBRIC, FIVE)
    assert [d.criterion for d in flagged] == ["listen", "act", "report"]
    assert flagged[0].low_judges == ("j5",) and flagged[0].high_judges == ("j4",)
    assert flagged[1].spread == 15 and flagged[1].limit == 5


def test_disagreement_threshold_is_a_setting():
    assert [d.criterion for d in disagreements(RUBRIC, THREE, threshold=0.1)] == ["listen", "report"]
    assert disagreements(RUBRIC, FIVE, threshold=1) == []
    for bad in (-0.1, 1.5, "high"):
        with pytest.raises(RuleBroken) as error:
            disagreements(RUBRIC, THREE, threshold=bad)
        assert error.value.key == "judging.bad_threshold"


def test_several_judges_at_the_extremes():
    scores = {"a": {"listen": 2, "act": 10, "report": 5}, "b": {"listen": 2, "act": 10, "report": 5},
              "c": {"listen": 9, "act": 10, "report": 5}}
    (flag,) = disagreements(RUBRIC, scores)
    assert flag.low_judges == ("a", "b") and flag.high_judges == ("c",)


# --- judged result as indicator evidence -------------------------------------------------------

def test_rubric_indicator_scores():
    result = judged_score(RUBRIC, {"j1": THREE["j1"]})
    # comm.residents: listen 8/10 = 80; handling.emergency: (15 + 7) / (20 + 10) = 73.33
    assert rubric_indicator_scores(RUBRIC, result.criteria) == {"comm.residents": 80, "handling.emergency": 73.33}
    unmapped = (Criterion("listen", "倾听", 10), Criterion("act", "处置", 20, "handling.emergency"))
    assert rubric_indicator_scores(unmapped, {"listen": 5, "act": 10}) == {"handling.emergency": 50}


# --- rubrics and sheets as stored in JSON ------------------------------------------------------

JSON_RUBRIC = [{"name": "倾听与安抚", "max": 10, "indicator": "comm.residents"},
               {"name": "现场处置", "max": 20, "indicator": "handling.emergency"},
               {"name": "上报与记录", "max": 10, "indicator": "handling.emergency"}]


def test_json_rubric_and_sheets_in_rubric_order():
    sheets = [[8, 15, 7], [7, 16, 8], [9, 14.5, 6]]               # THREE, as lists
    result = judged_score(JSON_RUBRIC, sheets)
    assert result.total == 75.42 and result.judges == (0, 1, 2)
    assert result.criteria == {"倾听与安抚": 8, "现场处置": 15.17, "上报与记录": 7}
    assert score_problems(JSON_RUBRIC, [10, 20, 0]) == []
    assert judged_score(JSON_RUBRIC, [[10, 20, 0]]).criteria == {"倾听与安抚": 10, "现场处置": 20, "上报与记录": 0}
    assert disagreements(JSON_RUBRIC, [[2, 10, 5], [9, 10, 5]])[0].criterion == "倾听与安抚"


def test_judged_indicator_scores_come_from_the_exact_means():
    result = judged_score(RUBRIC, THREE)
    # comm.residents 8/10 = 80; handling.emergency (45.5/3 + 7) / 30 = 66.5/90 = 73.888… → 73.89
    assert result.indicator_scores == {"comm.residents": 80, "handling.emergency": 73.89}


def test_a_sheet_of_the_wrong_length():
    problems = score_problems(JSON_RUBRIC, [8, 15])
    assert [(p.key, p.params.get("criterion")) for p in problems] == [
        ("score.count", None), ("score.missing", "上报与记录")]
    assert problems[0].params == {"expected": 3, "got": 2}
    assert [p.key for p in score_problems(JSON_RUBRIC, [8, 15, 7, 1])] == ["score.count"]
    with pytest.raises(RuleBroken) as error:
        score_problems(JSON_RUBRIC, "8,15,7")
    assert error.value.key == "score.bad_sheet"


def test_rubric_problems_lists_all_and_checks_indicators():
    bad = [{"name": "倾听", "max": 10, "indicator": "comm.residents"}, {"name": "", "max": 5},
           {"name": "倾听", "max": 7.3, "indicator": "comm.nonsense"}]
    problems = rubric_problems(bad, {"comm.residents", "handling.emergency"})
    assert [(p.key, p.params.get("criterion", p.params.get("position"))) for p in problems] == [
        ("rubric.no_id", 2), ("rubric.duplicate", "倾听"), ("rubric.bad_max", "倾听"),
        ("rubric.unknown_indicator", "倾听")]
    assert rubric_problems(bad[:1], {"comm.residents"}) == []
    assert rubric_problems(bad[2:])[-1].key == "rubric.bad_max"       # indicators unchecked without the model
    assert criteria(bad[:1]) == (Criterion("倾听", "倾听", 10, "comm.residents"),)
