"""Competency scoring: levels, the amount-of-evidence gate, decay, confidence, groups, trend,
weakest/strengths and cohort distributions, all against hand-computed values."""
from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.content.courses import Indicator, load_competency_model
from app.profile import scoring
from app.profile.scoring import (
    Evidence, IndicatorLevel, Profile, ScoringSettings, cohort_summary, quantile, score_indicator,
    score_profile, strengths, trend, weakest,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=timezone.utc)
RES, DEP, EMERG = "comm.residents", "comm.departments", "handling.emergency"
_refs = itertools.count()


def ev(indicator=RES, score=50.0, weight=1.0, days=0.0, kind="quiz_answer", ref=None, at=None):
    created = at if at is not None else NOW - timedelta(days=days)
    return Evidence(indicator, score, weight, created, kind, ref if ref is not None else f"ref-{next(_refs)}")


def refs(*specs):
    """Records on RES with distinct refs: (score, weight, days, kind)."""
    return [Evidence(RES, score, weight, NOW - timedelta(days=days), kind, f"quiz:q:{i}")
            for i, (score, weight, days, kind) in enumerate(specs)]


@pytest.fixture(scope="module")
def model():
    indicators, problems = load_competency_model(ROOT / "courses")
    assert not problems
    return indicators


def test_no_evidence_gives_no_levels_anywhere(model):
    profile = score_profile([], model, NOW)
    assert list(profile.indicators) == [i.id for i in model]
    for value in profile.indicators.values():
        assert (value.level, value.estimate, value.confidence, value.weight, value.records) == (None, None, 0.0, 0.0, 0)
        assert not value.shown
    assert list(profile.groups) == ["policy", "comm", "handling", "info", "resilience"]
    assert all(g.level is None and g.confidence == 0 and g.measured == 0 for g in profile.groups.values())
    assert weakest(profile) == [] and strengths(profile) == []


def test_weighted_mean_of_fresh_evidence():
    value = score_indicator(refs((100, 1, 0, "quiz_answer"), (40, 2, 0, "quiz_answer")), NOW)
    assert value.level == 60.0          # (100·1 + 40·2) / 3
    assert value.weight == 3.0 and value.sources == 2 and value.records == 2


def test_one_source_only_is_not_a_level_however_heavy():
    heavy = [Evidence(RES, 80, 6.0, NOW, "drill_ending", "drill:gas-leak:v3:success")]
    value = score_indicator(heavy, NOW)
    assert value.level is None and value.estimate == 80.0 and value.sources == 1 and value.weight == 6.0
    repeated = [Evidence(RES, 100, 1.0, NOW - timedelta(days=d), "quiz_answer", "quiz:daily:q7") for d in range(5)]
    value = score_indicator(repeated, NOW)
    assert value.level is None and value.sources == 1   # one question answered five times
    second = heavy + [Evidence(RES, 20, 1.0, NOW, "quiz_answer", "quiz:daily:q7")]
    assert score_indicator(second, NOW).level == pytest.approx((80 * 6 + 20) / 7, abs=0.05)


def test_records_without_a_ref_are_sources_of_their_own():
    rows = [Evidence(RES, 50, 1.5, NOW, "mentor_observation"), Evidence(RES, 70, 1.5, NOW, "mentor_observation")]
    assert score_indicator(rows, NOW).level == 60.0


def test_minimum_weight_gate():
    assert score_indicator(refs((90, 1, 0, "quiz_answer"), (90, 1, 0, "quiz_answer")), NOW).level is None
    assert score_indicator(refs(*[(90, 1, 0, "quiz_answer")] * 3), NOW).level == 90.0


def test_half_life_halves_the_weight():
    # 180 days old counts half: W = 2·0.5 + 2 = 3, level = (0·1 + 90·2) / 3
    value = score_indicator(refs((0, 2, 180, "quiz_answer"), (90, 2, 0, "drill_decision")), NOW)
    assert value.weight == pytest.approx(3.0)
    assert value.level == 60.0


def test_old_evidence_decays_below_the_gate():
    rows = refs(*[(70, 1, 365, "quiz_answer")] * 3)
    value = score_indicator(rows, NOW)
    assert value.weight == pytest.approx(3 * 0.5 ** (365 / 180), abs=1e-3)
    assert value.level is None and value.estimate == 70.0
    assert value.confidence == pytest.approx(round(value.weight / 12 * (0.5 + 0.5 / 3), 3))
    assert score_indicator(rows, NOW, ScoringSettings(half_life_days=None)).level == 70.0


def test_newer_evidence_outweighs_older():
    value = score_indicator(refs((20, 1, 360, "quiz_answer"), (20, 1, 360, "quiz_answer"),
                                 (80, 1, 0, "quiz_answer"), (80, 1, 0, "quiz_answer")), NOW)
    # old weight 0.25 each: (20·0.5 + 80·2) / 2.5 = 68
    assert value.level is None  # W = 2.5 < 3
    assert value.estimate == 68.0


def test_records_after_now_do_not_exist_yet():
    rows = refs((50, 2, 0, "quiz_answer"), (50, 2, 0, "quiz_answer"), (100, 5, -1, "quiz_answer"))
    value = score_indicator(rows, NOW)
    assert value.level == 50.0 and value.records == 2


@pytest.mark.parametrize("weight, kinds, expected", [
    (3, 1, 0.167),      # 3/12 × (0.5 + 0.5·1/3)
    (6, 2, 0.417),      # 6/12 × (0.5 + 0.5·2/3)
    (12, 3, 1.0),
    (24, 1, 0.667),     # amount capped at 1; one kind alone stops at two thirds
    (24, 4, 1.0),       # diversity capped at 3 kinds
])
def test_confidence_grows_with_weight_and_kinds(weight, kinds, expected):
    names = ["quiz_answer", "drill_decision", "mentor_observation", "competition_judging"][:kinds]
    rows = [Evidence(RES, 50, weight / kinds, NOW, kind, f"r{i}") for i, kind in enumerate(names)]
    assert score_indicator(rows, NOW).confidence == pytest.approx(expected, abs=0.001)


def test_confidence_is_monotonic_in_weight():
    values = [score_indicator(refs(*[(50, 1, 0, "quiz_answer")] * n), NOW).confidence for n in range(1, 16)]
    assert values == sorted(values) and values[-1] == pytest.approx(0.667, abs=0.001)


def test_group_level_is_the_mean_of_indicators_with_a_level(model):
    rows = [Evidence(RES, 60, 2, NOW, "quiz_answer", "a"), Evidence(RES, 60, 2, NOW, "quiz_answer", "b")]
    profile = score_profile(rows, model, NOW)
    comm = profile.groups["comm"]
    assert (comm.level, comm.measured, comm.indicators) == (60.0, 1, (RES, DEP))
    assert comm.confidence == pytest.approx(round((profile.indicators[RES].confidence + 0) / 2, 3))
    rows += [Evidence(DEP, 81, 3, NOW, "mentor_observation", "c"), Evidence(DEP, 81, 1, NOW, "quiz_answer", "d")]
    profile = score_profile(rows, model, NOW)
    assert profile.groups["comm"].level == 70.5 and profile.groups["comm"].measured == 2
    assert profile.groups["comm"].title == "沟通协调能力"
    assert profile.groups["policy"].level is None


def test_unknown_indicators_are_ignored(model):
    rows = [ev("retired.indicator", 10, 5, ref="x"), ev("retired.indicator", 10, 5, ref="y")]
    profile = score_profile(rows, model, NOW)
    assert "retired.indicator" not in profile.indicators
    assert all(v.records == 0 for v in profile.indicators.values())


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="naive"):
        score_indicator([Evidence(RES, 50, 1, datetime(2025, 1, 1), "quiz_answer")], NOW)
    with pytest.raises(ValueError, match="naive"):
        score_indicator([], datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="0-100"):
        score_indicator([Evidence(RES, 101, 1, NOW, "quiz_answer")], NOW)
    with pytest.raises(ValueError, match="positive"):
        score_indicator([Evidence(RES, 50, 0, NOW, "quiz_answer")], NOW)
    with pytest.raises(ValueError):
        ScoringSettings(half_life_days=0)
    with pytest.raises(ValueError):
        ScoringSettings(min_sources=0)


def test_trend_replays_the_rule_at_each_month_end():
    april = datetime(2025, 4, 10, tzinfo=timezone.utc)
    june = datetime(2025, 6, 1, tzinfo=timezone.utc)
    rows = [Evidence(RES, 60, 2, april, "quiz_answer", f"quiz:q:{i}") for i in range(3)]
    rows.append(Evidence(RES, 90, 6, june, "drill_ending", "drill:d:v1:success"))
    rows.append(Evidence(EMERG, 0, 9, april, "quiz_answer", "other"))
    points = trend(rows, RES, NOW, months=4)
    assert [p.month for p in points] == ["2025-03", "2025-04", "2025-05", "2025-06"]
    assert points[0].level is None and points[0].confidence == 0.0
    assert points[1].at == datetime(2025, 4, 30, 23, 59, 59, 999999, tzinfo=timezone.utc)
    assert points[1].level == 60.0 and points[2].level == 60.0
    assert points[3].at == NOW
    old = 6 * 0.5 ** ((NOW - april).total_seconds() / 86400 / 180)
    new = 6 * 0.5 ** ((NOW - june).total_seconds() / 86400 / 180)
    assert points[3].level == round((60 * old + 90 * new) / (old + new), 1)
    assert points[2].confidence < points[1].confidence   # the same evidence, a month older


def test_trend_months_follow_the_local_time_zone():
    shanghai = timezone(timedelta(hours=8))
    late_may_utc = datetime(2025, 5, 31, 20, 0, tzinfo=timezone.utc)  # 1 June 04:00 in Shanghai
    rows = [Evidence(RES, 70, 2, late_may_utc, "quiz_answer", f"r{i}") for i in range(2)]
    in_utc = trend(rows, RES, NOW, months=2)
    in_shanghai = trend(rows, RES, NOW, months=2, tz=shanghai)
    assert in_utc[0].month == in_shanghai[0].month == "2025-05"
    assert in_utc[0].level == 70.0 and in_shanghai[0].level is None
    assert in_shanghai[0].at == datetime(2025, 5, 31, 23, 59, 59, 999999, tzinfo=shanghai)


def test_trend_crosses_the_year_and_sees_evidence_fade():
    now = datetime(2026, 2, 10, tzinfo=timezone.utc)
    rows = [Evidence(RES, 40, 1, datetime(2025, 1, 5, tzinfo=timezone.utc), "quiz_answer", f"r{i}") for i in range(4)]
    points = trend(rows, RES, now, months=14)
    assert points[0].month == "2025-01" and points[-1].month == "2026-02"
    shown = [p.level is not None for p in points]
    assert shown[0] and not shown[-1]           # 4 units fall under 3 after 0.415 half-lives
    assert shown == sorted(shown, reverse=True)  # once gone, gone


def test_trend_needs_a_month():
    with pytest.raises(ValueError):
        trend([], RES, NOW, months=0)


def lvl(indicator, level, confidence=0.5):
    return IndicatorLevel(indicator, level, level, confidence, 5.0, 5, 2, ("quiz_answer",))


def profile_of(*levels):
    return Profile(at=NOW, indicators={v.indicator: v for v in levels})


def test_weakest_orders_by_level_then_lower_confidence_then_model_order():
    profile = profile_of(lvl("a", 40, 0.5), lvl("b", 40, 0.2), lvl("c", 30), lvl("d", None), lvl("e", 90),
                         lvl("f", 70), lvl("g", 40, 0.2))
    assert [v.indicator for v in weakest(profile)] == ["c", "b", "g"]
    assert [v.indicator for v in weakest(profile, k=10)] == ["c", "b", "g", "a", "f", "e"]


def test_strengths_leave_out_the_weakest():
    profile = profile_of(lvl("a", 40), lvl("b", 95, 0.3), lvl("c", 30), lvl("e", 95, 0.9), lvl("f", 70), lvl("g", 50))
    assert [v.indicator for v in strengths(profile)] == ["e", "b", "f"]
    few = profile_of(lvl("a", 40), lvl("b", 95), lvl("c", None))
    assert [v.indicator for v in weakest(few)] == ["a", "b"] and strengths(few) == []


def test_quantile_interpolates_between_closest_ranks():
    assert quantile([1, 2, 3, 4], 0.25) == 1.75 and quantile([1, 2, 3, 4], 0.75) == 3.25
    assert quantile([7], 0.5) == 7
    with pytest.raises(ValueError):
        quantile([], 0.5)


def test_cohort_summary_against_hand_computed_values():
    cohort = {
        1: {"x": 10, "y": 50},
        2: {"x": 20, "y": 70, "z": None},
        3: {"x": 40},
        4: {"x": 80},
        5: {"x": 100},
        6: {"x": None},
    }
    summary = cohort_summary(cohort, threshold=60)
    assert summary.people == 6
    assert list(summary.indicators) == ["x", "y", "z"]
    x = summary.indicators["x"]
    assert (x.count, x.missing, x.mean, x.median, x.q1, x.q3, x.low, x.high) == (5, 1, 50.0, 40.0, 20.0, 80.0, 10, 100)
    assert x.histogram == (1, 1, 1, 0, 2)       # 100 falls in the last bin
    assert x.below == 3
    y = summary.indicators["y"]
    assert (y.count, y.missing, y.mean, y.median, y.q1, y.q3, y.histogram, y.below) == \
        (2, 4, 60.0, 60.0, 55.0, 65.0, (0, 0, 1, 1, 0), 1)
    z = summary.indicators["z"]
    assert (z.count, z.mean, z.median, z.histogram) == (0, None, None, (0, 0, 0, 0, 0))
    assert summary.weakest == ["x", "y"]        # z has no levels and is not ranked
    assert cohort_summary(cohort, min_count=3).weakest == ["x"]


def test_cohort_weakest_ties_and_profiles(model):
    # means: r 40; p, q and s 50. Medians: p 60, q 30, s 60 → r, q (lower median), then p before s
    cohort = {"a": {"p": 0, "q": 30, "r": 50, "s": 60}, "b": {"p": 60, "q": 30, "r": 30, "s": 0},
              "c": {"p": 90, "q": 90, "r": 40, "s": 90}}
    assert cohort_summary(cohort, indicators=["s", "r", "q", "p"], weakest_k=4).weakest == ["r", "q", "s", "p"]
    rows = [ev(RES, 30, 2, ref="a"), ev(RES, 30, 2, ref="b"), ev(EMERG, 90, 2, ref="c"), ev(EMERG, 90, 2, ref="d")]
    people = {1: score_profile(rows, model, NOW), 2: score_profile([], model, NOW)}
    summary = cohort_summary(people)
    assert list(summary.indicators) == [i.id for i in model]
    assert cohort_summary(people, model) == summary   # the model's indicators work as well as ids
    assert summary.indicators[RES].count == 1 and summary.indicators[RES].missing == 1
    assert summary.weakest == [RES, EMERG]


def test_cohort_summary_of_nobody():
    summary = cohort_summary({})
    assert summary.people == 0 and summary.indicators == {} and summary.weakest == []


def test_settings_decay_is_exponential():
    settings = ScoringSettings(half_life_days=90)
    assert settings.decay(0) == 1 and settings.decay(-5) == 1
    assert settings.decay(90) == pytest.approx(0.5) and settings.decay(270) == pytest.approx(0.125)
    assert math.isclose(scoring.DEFAULT_SETTINGS.decay(180), 0.5)


def test_indicator_dataclass_from_content_is_accepted():
    model = [Indicator("a.x", "X", "a", "A"), Indicator("a.y", "Y", "a", "A")]
    rows = [Evidence("a.x", 40, 2, NOW, "quiz_answer", "1"), Evidence("a.x", 60, 2, NOW, "quiz_answer", "2")]
    profile = score_profile(rows, model, NOW)
    assert profile.level("a.x") == 50.0 and profile.level("a.y") is None and profile.level("nope") is None
    assert profile.levels() == {"a.x": 50.0, "a.y": None}
