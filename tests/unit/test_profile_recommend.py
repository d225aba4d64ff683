"""Recommendations: what trains the weakest indicators, skipping what was done recently, ranked,
and capped per kind."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.profile.recommend import REASON_ONE, REASON_SEVERAL, Item, recommend
from app.profile.scoring import IndicatorLevel

NOW = datetime(2025, 6, 15, 12, tzinfo=timezone.utc)
WEAK = ["a", "b", "c"]                 # weakest first

CATALOGUE = [
    Item("course", "c1", "课程一", ("a", "x")),
    Item("quiz", "q1", "测验一", ("b",)),
    Item("drill", "d1", "演练一", ("a", "b")),
    Item("drill", "d2", "演练二", ("c",)),
    Item("course", "c2", "课程二", ("z",)),          # trains nothing weak
    Item("quiz", "q2", "测验二", ("a",)),            # done 5 days ago
    Item("quiz", "q3", "测验三", ("a",)),            # done 60 days ago
]
RECENT = {("quiz", "q2"): NOW - timedelta(days=5), ("quiz", "q3"): NOW - timedelta(days=60),
          ("course", "q1"): NOW - timedelta(days=1)}  # same id, other kind: does not hide quiz q1


def ids(recs):
    return [r.item.id for r in recs]


def test_ranking_reasons_and_skips():
    recs = recommend(WEAK, CATALOGUE, RECENT, NOW, skip_days=30, per_kind=5)
    # d1 trains the weakest and another weak one; q3 and c1 train the weakest, q3 more focused;
    # q1 trains the second weakest, d2 the third; c2 trains nothing weak; q2 was done 5 days ago
    assert ids(recs) == ["d1", "q3", "c1", "q1", "d2"]
    d1, q3, c1 = recs[0], recs[1], recs[2]
    assert (d1.indicator, d1.trains, d1.reason, d1.done_before) == ("a", ("a", "b"), REASON_SEVERAL, False)
    assert (q3.indicator, q3.reason, q3.done_before) == ("a", REASON_ONE, True)
    assert (c1.indicator, c1.trains) == ("a", ("a",))


def test_at_most_k_per_kind_and_a_limit():
    recs = recommend(WEAK, CATALOGUE, RECENT, NOW, per_kind=1)
    assert ids(recs) == ["d1", "q3", "c1"]
    assert ids(recommend(WEAK, CATALOGUE, RECENT, NOW, per_kind=2, limit=2)) == ["d1", "q3"]


def test_skip_window_boundary():
    catalogue = [Item("quiz", "q", "Q", ("a",))]
    assert ids(recommend(["a"], catalogue, {("quiz", "q"): NOW - timedelta(days=30)}, NOW, skip_days=30)) == ["q"]
    assert recommend(["a"], catalogue, {("quiz", "q"): NOW - timedelta(days=29.9)}, NOW, skip_days=30) == []
    assert ids(recommend(["a"], catalogue, {("quiz", "q"): NOW - timedelta(days=3)}, NOW, skip_days=0)) == ["q"]


def test_never_done_beats_done_before_when_otherwise_equal():
    catalogue = [Item("quiz", "old", "Old", ("a",)), Item("quiz", "new", "New", ("a",))]
    recs = recommend(["a"], catalogue, {("quiz", "old"): NOW - timedelta(days=90)}, NOW)
    assert ids(recs) == ["new", "old"] and recs[1].done_before


def test_equal_items_keep_kind_then_catalogue_order():
    catalogue = [Item("drill", "d", "D", ("a",)), Item("quiz", "q2", "Q2", ("a",)), Item("quiz", "q1", "Q1", ("a",)),
                 Item("course", "c", "C", ("a",))]
    assert ids(recommend(["a"], catalogue, {}, NOW, per_kind=3)) == ["c", "q2", "q1", "d"]


def test_accepts_scored_levels_and_nothing_weak_means_nothing():
    weak = [IndicatorLevel("b", 20.0, 20.0, 0.4, 4, 4, 2), IndicatorLevel("a", 30.0, 30.0, 0.4, 4, 4, 2)]
    recs = recommend(weak, CATALOGUE, RECENT, NOW, per_kind=5)
    assert recs[0].item.id == "d1" and recs[0].indicator == "b" and recs[0].trains == ("b", "a")
    assert recommend([], CATALOGUE, RECENT, NOW) == []
    assert recommend(WEAK, [], RECENT, NOW) == []


def test_bad_input():
    with pytest.raises(ValueError, match="kind"):
        Item("video", "v", "V", ("a",))
    with pytest.raises(ValueError, match="naive"):
        recommend(WEAK, CATALOGUE, {}, datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        recommend(WEAK, CATALOGUE, {("quiz", "q1"): datetime(2025, 1, 1)}, NOW)
