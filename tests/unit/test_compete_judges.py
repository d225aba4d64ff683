"""Who judges whom: nobody scores their own entry; conflicts of interest (mentee, mentor, same grid) are
named; a judge is swapped for one entry; only sheets not superseded count."""
import pytest

from app.compete.rules import (
    MENTEE, MENTOR, SAME_GRID, Person, check_can_judge, check_swap, entry_judges, judge_conflicts,
)
from app.refusal import RuleBroken


def test_nobody_scores_their_own_entry():
    check_can_judge(assigned=True, enrolled=True, own=False)
    with pytest.raises(RuleBroken) as error:
        check_can_judge(assigned=True, enrolled=True, own=True)
    assert error.value.key == "judge.own_entry"
    with pytest.raises(RuleBroken) as error:  # not being a judge is said first
        check_can_judge(assigned=False, enrolled=True, own=True)
    assert error.value.key == "judge.not_assigned"


def test_conflicts_of_interest():
    judge, mentee, mentor = Person(1, grid=10), Person(2, grid=20), Person(3, grid=30)
    pairs = [(1, 2), (3, 1)]  # (mentor, mentee): the judge mentors 2 and is mentored by 3
    assert judge_conflicts(judge, mentee, pairs) == [MENTEE]
    assert judge_conflicts(judge, mentor, pairs) == [MENTOR]
    assert judge_conflicts(judge, Person(4, grid=10), pairs) == [SAME_GRID]
    assert judge_conflicts(judge, Person(2, grid=10), pairs) == [MENTEE, SAME_GRID]  # in order, all of them
    assert judge_conflicts(judge, Person(5, grid=50), pairs) == []


def test_no_grid_is_no_same_grid_conflict():
    assert judge_conflicts(Person(1, grid=None), Person(2, grid=None), []) == []
    assert judge_conflicts(Person(1), Person(2, grid=7), []) == []


def test_the_own_entry_is_not_a_conflict_but_refused_elsewhere():
    assert judge_conflicts(Person(1, grid=10), Person(1, grid=10), [(1, 1)]) == []


def test_entry_judges_apply_the_swaps_in_order():
    assert entry_judges([1, 2, 3], []) == [1, 2, 3]
    assert entry_judges([1, 2, 3], [(2, 9)]) == [1, 9, 3]  # in the replaced judge's place
    assert entry_judges([1, 2, 3], [(2, 9), (9, 2)]) == [1, 2, 3]
    assert entry_judges([1, 2], [(5, 6)]) == [1, 2]  # a swap of someone no longer judging changes nothing


@pytest.mark.parametrize(("out", "new", "key"), [
    (7, 8, "swap.not_a_judge"),
    (1, 1, "swap.same"),
    (1, 2, "swap.already_judge"),
    (1, 5, "swap.own_entry"),
])
def test_swaps_that_make_no_sense(out, new, key):
    with pytest.raises(RuleBroken) as error:
        check_swap(judges=[1, 2], out=out, new=new, contestant=5)
    assert error.value.key == key


def test_a_judge_who_scored_before_cannot_come_back():
    check_swap(judges=[1, 2], out=1, new=3, contestant=5)
    with pytest.raises(RuleBroken) as error:
        check_swap(judges=[1, 2], out=1, new=3, contestant=5, scored_before=True)
    assert error.value.key == "swap.scored_before"
