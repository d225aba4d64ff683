"""Publishing a competition: after every round has closed; ranking prizes (一等奖/二等奖/三等奖) by count
or by share; single awards need a minimum score; sealing lasts from the first opening to publication;
readable certificate numbers."""
from datetime import datetime, timedelta, timezone

import pytest

from app.compete.rules import (
    AWARD_MIN_SCORE, Entry, certificate_number, certificate_series, check_can_publish, check_prize_settings,
    is_sealed, prize_cutoffs, rank, ranking_prizes, single_awards,
)
from app.refusal import RuleBroken

UTC = timezone.utc
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
GROUPS = {"policy": ("policy.learning", "policy.accuracy"),
          "comm": ("comm.residents", "comm.departments"),
          "handling": ("handling.detection", "handling.emergency"),
          "resilience": ("resilience.stress", "resilience.emotion")}


# --- publication window ------------------------------------------------------------------------

def test_publish_only_after_every_round_closed_and_once():
    check_can_publish(closes_at=[NOW - timedelta(days=2), NOW], now=NOW, published=False)  # closed at the instant
    with pytest.raises(RuleBroken) as error:
        check_can_publish(closes_at=[NOW - timedelta(days=2), NOW + timedelta(seconds=1)], now=NOW, published=False)
    assert error.value.key == "publish.not_closed" and error.value.params["closes_at"] == NOW + timedelta(seconds=1)
    with pytest.raises(RuleBroken) as error:
        check_can_publish(closes_at=[], now=NOW, published=False)
    assert error.value.key == "publish.no_rounds"
    with pytest.raises(RuleBroken) as error:
        check_can_publish(closes_at=[NOW - timedelta(days=1)], now=NOW, published=True)
    assert error.value.key == "publish.already"


def test_sealed_from_the_first_opening_until_publication():
    opens = NOW - timedelta(hours=1)
    assert not is_sealed(first_opens_at=NOW + timedelta(hours=1), published_at=None, now=NOW)  # nothing ran yet
    assert is_sealed(first_opens_at=opens, published_at=None, now=NOW)
    assert is_sealed(first_opens_at=opens, published_at=NOW + timedelta(minutes=1), now=NOW)  # not yet
    assert not is_sealed(first_opens_at=opens, published_at=NOW, now=NOW)
    assert not is_sealed(first_opens_at=None, published_at=None, now=NOW)  # no round at all


# --- ranking prizes ----------------------------------------------------------------------------

def board(*totals):
    entries = [Entry(id=i, name=f"p{i}", round_scores={"r": t}) for i, t in enumerate(totals, 1)]
    return rank(entries, {"r": 1})


def test_prizes_by_count():
    standings = board(95, 90, 85, 80, 75, 70, 65)
    assert ranking_prizes(standings, "count", (1, 2, 3)) == {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 3}
    assert ranking_prizes(standings, "count", (0, 0, 2)) == {1: 3, 2: 3}


def test_prizes_by_share_of_the_contestants_with_a_score():
    standings = board(*range(100, 80, -1))  # 20 contestants
    prizes = ranking_prizes(standings, "share", (10, 20, 30))
    assert [sum(1 for p in prizes.values() if p == level) for level in (1, 2, 3)] == [2, 4, 6]
    assert prize_cutoffs("share", (10, 20, 30), 3) == [0, 1, 2]  # 0.3, 0.9, 1.8 rounded half up
    assert prize_cutoffs("share", (10, 20, 30), 5) == [1, 2, 3]  # 0.5, 1.5, 3.0
    assert prize_cutoffs("count", (1, 2, 3), 2) == [1, 2, 2]  # never more places than contestants


def test_a_tie_across_the_boundary_shares_the_better_prize():
    standings = board(90, 80, 80, 70)
    assert ranking_prizes(standings, "count", (2, 1, 0)) == {1: 1, 2: 1, 3: 1}  # the tie took place 3 too
    assert ranking_prizes(standings, "count", (2, 2, 0)) == {1: 1, 2: 1, 3: 1, 4: 2}


def test_no_prize_for_a_zero_total_or_no_score():
    standings = rank([Entry(1, "a", round_scores={"r": 50}), Entry(2, "b", round_scores={"r": 0}),
                      Entry(3, "c", round_scores={})], {"r": 1})
    assert ranking_prizes(standings, "count", (3, 3, 3)) == {1: 1}
    # shares count only the contestants with a score above 0
    assert ranking_prizes(standings, "share", (100, 0, 0)) == {1: 1}


@pytest.mark.parametrize(("mode", "levels", "key"), [
    ("best", (1, 2, 3), "prize.bad_mode"),
    ("count", (1, -2, 3), "prize.bad_number"),
    ("count", (1, 1.5, 3), "prize.bad_number"),
    ("count", (1, 2), "prize.bad_number"),
    ("share", (50, 40, 20), "prize.share_over"),
    ("share", (float("nan"), 0, 0), "prize.bad_number"),
])
def test_bad_prize_settings(mode, levels, key):
    with pytest.raises(RuleBroken) as error:
        check_prize_settings(mode, levels)
    assert error.value.key == key


def test_good_prize_settings():
    check_prize_settings("count", (1, 2, 3))
    check_prize_settings("share", (10, 20, 30.5))
    check_prize_settings("share", (0, 0, 100))


# --- single awards need a minimum score ------------------------------------------------------------

def test_no_single_award_for_a_zero_score():
    awards = {a.key: a for a in single_awards({"p": {"policy.learning": 0.0, "policy.accuracy": 0.0}}, GROUPS)}
    assert awards["policy_expert"].winners == ()


def test_the_minimum_on_at_least_half_the_indicators():
    assert AWARD_MIN_SCORE == 60
    scores = {"a": {"policy.learning": 59.99, "policy.accuracy": 100},   # 1 of 2 at 60 or more: enough
              "b": {"comm.residents": 100, "comm.departments": 59, "resilience.emotion": 59},  # 1 of 3: not
              "c": {"comm.residents": 61, "comm.departments": 60, "resilience.emotion": 0}}   # 2 of 3
    awards = {a.key: a for a in single_awards(scores, GROUPS)}
    assert awards["policy_expert"].winners == ("a",) and awards["policy_expert"].score == 80
    assert awards["mediator"].winners == ("c",) and awards["mediator"].score == 40.33
    strict = {a.key: a for a in single_awards(scores, GROUPS, min_score=80)}
    assert strict["policy_expert"].winners == ("a",) and strict["mediator"].winners == ()
    assert {a.key: a for a in single_awards(scores, GROUPS, min_score=0)}["mediator"].winners == ("b",)


def test_even_without_a_minimum_a_zero_never_qualifies():
    awards = {a.key: a for a in single_awards({"p": {"policy.learning": 0}}, GROUPS, min_score=0)}
    assert awards["policy_expert"].winners == ()


# --- certificate numbers -----------------------------------------------------------------------------

def test_readable_certificate_numbers():
    series = certificate_series(2026, "长青街道")
    assert series == "2026-长青街道-比武"
    assert certificate_number(series, 1) == "2026-长青街道-比武-001"
    assert certificate_number(series, 42) == "2026-长青街道-比武-042"
    assert certificate_number(series, 1234) == "2026-长青街道-比武-1234"
    with pytest.raises(RuleBroken):
        certificate_number(series, 0)
