"""The level from kept sums equals the row rule (``score_indicator``) on random evidence: random times
over several years, weights, scores, repeated and missing source refs, several kinds and half-lives."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from app.profile.scoring import (
    MIN_SUMS_HALF_LIFE_DAYS, SUMS_EPOCH, Evidence, ScoringSettings, Sums, _round, growth, level_from_sums, level_of_ratio, levels_from_sums, profile_from_sums,
    score_indicator, score_profile, sums_of, sums_usable,
)

START = datetime(2021, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = 6 * 365 * 86400          # records between 2021 and 2027
KINDS = ("quiz_answer", "drill_decision", "drill_ending", "mentor_observation", "competition_judging")
INDICATORS = ("comm.residents", "handling.emergency")


class Ind:
    def __init__(self, id, group_id):
        self.id, self.group_id, self.group_title = id, group_id, group_id


MODEL = [Ind("comm.residents", "comm"), Ind("comm.departments", "comm"), Ind("handling.emergency", "handling")]

scores = st.one_of(st.integers(0, 100).map(float), st.floats(0, 100, allow_nan=False),
                   st.sampled_from([72.45, 0.05, 33.35, 99.95]))
weights = st.one_of(st.sampled_from([1.0, 2.0, 3.0, 0.5, 1.5]), st.floats(0.01, 10, allow_nan=False))
records = st.builds(
    lambda indicator, score, weight, offset, kind, ref: Evidence(
        indicator, score, weight, START + timedelta(seconds=offset), kind, ref),
    st.sampled_from(INDICATORS), scores, weights, st.integers(0, SPAN_SECONDS), st.sampled_from(KINDS),
    st.one_of(st.just(""), st.sampled_from(["q:1", "q:2", "drill:gas:v3:arrive", "mentor:note:7"])))
half_lives = st.one_of(st.none(), st.sampled_from([30.0, 90.0, 180.0, 365.0]),
                       st.floats(MIN_SUMS_HALF_LIFE_DAYS, 3650, allow_nan=False))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=40), half_lives, st.integers(0, 400 * 86400))
def test_the_level_from_sums_equals_the_row_rule(rows, half_life, after_last):
    knobs = ScoringSettings(half_life_days=half_life)
    latest = max((r.created_at for r in rows), default=START)
    now = latest + timedelta(seconds=after_last)
    sums = sums_of(rows, knobs)
    for indicator in INDICATORS:
        mine = [r for r in rows if r.indicator == indicator]
        assert level_from_sums(sums.get(indicator), now, knobs, indicator) == \
            score_indicator(mine, now, knobs, indicator)
    assert profile_from_sums(sums, MODEL, now, knobs) == score_profile(rows, MODEL, now, knobs)
    fast = levels_from_sums([(s.indicator, s.weight, s.scored, s.sources) for s in sums.values()], now, knobs)
    assert fast == {key: score_indicator([r for r in rows if r.indicator == key], now, knobs).level for key in sums}


@settings(max_examples=200, deadline=None)
@given(st.lists(records, min_size=1, max_size=30), st.lists(records, min_size=1, max_size=30), half_lives)
def test_sums_add_up_batch_by_batch(first, second, half_life):
    """What the evidence hub does: add a batch's sums to the kept ones (sources counted once)."""
    knobs = ScoringSettings(half_life_days=half_life)
    now = max(r.created_at for r in first + second)
    whole = sums_of(first + second, knobs)
    before, batch = sums_of(first, knobs), sums_of(second, knobs)
    for indicator, total in whole.items():
        a, b = before.get(indicator), batch.get(indicator)
        parts = [s for s in (a, b) if s is not None]
        known = {r.source_ref for r in first if r.indicator == indicator and r.source_ref}
        new_sources = (sum(1 for r in second if r.indicator == indicator and not r.source_ref)
                       + len({r.source_ref for r in second if r.indicator == indicator and r.source_ref} - known))
        added = Sums(indicator, sum(s.weight for s in parts), sum(s.scored for s in parts),
                     sum(s.records for s in parts), (a.sources if a else 0) + new_sources,
                     tuple(sorted({k for s in parts for k in s.kinds})), max(s.latest for s in parts))
        assert added.sources == total.sources and added.kinds == total.kinds
        assert level_from_sums(added, now, knobs) == level_from_sums(total, now, knobs)


def test_a_tie_at_the_displayed_precision_rounds_the_same_way_from_rows_and_sums():
    at = START + timedelta(days=100)
    rows = [Evidence("comm.residents", 72.4, 1.0, at, "quiz_answer", "a"),
            Evidence("comm.residents", 72.5, 1.0, at, "quiz_answer", "b"),
            Evidence("comm.residents", 72.45, 1.0, at, "drill_decision", "c")]
    knobs = ScoringSettings(half_life_days=180.0)
    now = at + timedelta(days=33)
    from_rows = score_indicator(rows, now, knobs, "comm.residents")
    assert from_rows.estimate == 72.5 and from_rows.level is None  # decayed below 3 units of weight
    assert level_from_sums(sums_of(rows, knobs)["comm.residents"], now, knobs) == from_rows
    from_rows = score_indicator(rows, at, knobs, "comm.residents")
    assert from_rows.level == 72.5
    assert level_from_sums(sums_of(rows, knobs)["comm.residents"], at, knobs) == from_rows


def test_repeated_refs_count_once_and_a_record_without_a_ref_counts_alone():
    at = START
    rows = [Evidence("comm.residents", 50, 1, at, "quiz_answer", "q:1"),
            Evidence("comm.residents", 60, 1, at, "quiz_answer", "q:1"),
            Evidence("comm.residents", 70, 1, at, "mentor_observation", ""),
            Evidence("comm.residents", 80, 1, at, "mentor_observation", "")]
    found = sums_of(rows, ScoringSettings(half_life_days=None))["comm.residents"]
    assert (found.records, found.sources, found.kinds) == (4, 3, ("mentor_observation", "quiz_answer"))
    assert found.weight == 4 and found.scored == 260


def test_a_record_after_now_cannot_be_scored_from_sums():
    rows = [Evidence("comm.residents", 50, 1, START + timedelta(days=2), "quiz_answer", "q")]
    sums = sums_of(rows)["comm.residents"]
    with pytest.raises(ValueError, match="after now"):
        level_from_sums(sums, START + timedelta(days=1))
    assert level_from_sums(sums, START + timedelta(days=2)).records == 1


def test_no_sums_is_no_evidence():
    now = START
    assert level_from_sums(None, now, indicator="comm.residents") == score_indicator([], now, indicator="comm.residents")


def test_growth_doubles_every_half_life_from_the_epoch_and_refuses_to_overflow():
    knobs = ScoringSettings(half_life_days=180.0)
    assert growth(SUMS_EPOCH, knobs) == 1.0
    assert growth(SUMS_EPOCH + timedelta(days=360), knobs) == pytest.approx(4.0)
    assert growth(SUMS_EPOCH - timedelta(days=180), knobs) == pytest.approx(0.5)
    assert growth(SUMS_EPOCH + timedelta(days=9999), ScoringSettings(half_life_days=None)) == 1.0
    with pytest.raises(ValueError, match="too far"):
        growth(SUMS_EPOCH + timedelta(days=1001 * 30), ScoringSettings(half_life_days=30.0))
    with pytest.raises(ValueError, match="naive"):
        growth(datetime(2026, 1, 1), knobs)


def test_sums_are_kept_only_for_half_lives_that_cannot_overflow_this_century():
    assert sums_usable(ScoringSettings(half_life_days=None))
    assert sums_usable(ScoringSettings(half_life_days=MIN_SUMS_HALF_LIFE_DAYS))
    assert not sums_usable(ScoringSettings(half_life_days=7.0))
    # at the shortest half-life kept, the factor stays far below the float limit until 2100
    assert growth(datetime(2100, 1, 1, tzinfo=timezone.utc), ScoringSettings(half_life_days=MIN_SUMS_HALF_LIFE_DAYS)) < 1e300


@given(st.one_of(st.floats(0, 100, allow_nan=False), st.integers(0, 1000).map(lambda n: n / 10 + 0.05),
                 st.integers(0, 10000).map(lambda n: n / 100)))
def test_the_quick_rounding_of_a_ratio_is_the_rules_rounding(ratio):
    assert level_of_ratio(ratio) == _round(ratio, 1)
    for near in (ratio + 1e-12, ratio - 1e-12, ratio * (1 + 1e-15)):
        assert level_of_ratio(near) == _round(near, 1)
