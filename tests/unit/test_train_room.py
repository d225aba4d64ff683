"""Classroom drill rules (app/train/room.py): the room's choice, opaque choice tokens, own results."""
from pathlib import Path

import pytest

from app.drill import engine
from app.train import room

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-test-secret-of-some-length"


@pytest.fixture(scope="module")
def drill():
    return engine.load_drill_file(ROOT / "scenarios" / "gas-leak.yaml")


def test_the_room_moves_on_by_its_most_common_choice(drill):
    choices = engine.available_choices(drill, engine.initial_state(drill))
    first, second = choices[0].id, choices[1].id
    assert room.room_choice(choices, [second, first, second]) == second
    assert room.room_choice(choices, [second, first]) == first          # a tie: the first offered
    assert room.room_choice(choices, []) is None                         # nobody chose
    assert room.room_choice(choices, [first, first], follow=second) == second   # the instructor's pick
    assert room.room_choice(choices, [first], follow="no-such-choice") is None
    assert [n for _c, n in room.tally(choices, [second, second])][:2] == [0, 2]


def test_choice_tokens_are_opaque_and_bound_to_room_and_step(drill):
    choices = engine.available_choices(drill, engine.initial_state(drill))
    token = room.choice_token(SECRET, 5, 0, choices[1].id)
    assert choices[1].id not in token and len(token) == room.TOKEN_LENGTH
    assert room.choice_of(SECRET, 5, 0, choices, token) == choices[1].id
    assert room.choice_of(SECRET, 5, 1, choices, token) is None
    assert room.choice_of(SECRET, 6, 0, choices, token) is None
    assert room.choice_of(SECRET, 5, 0, choices, choices[1].id) is None
    assert room.choice_of(SECRET, 5, 0, choices, None) is None


def test_own_result_scores_each_choice_against_the_nodes_offers(drill):
    path = engine.best_path(drill)
    same = room.own_result(drill, path, {i: step[1] for i, step in enumerate(path)})
    assert (same.answered, same.steps, same.matched) == (len(path), len(path), len(path))
    assert same.shares and all(0 <= v <= 100 for v in same.shares.values())
    assert room.own_result(drill, path, {}) == room.OwnResult({}, 0, len(path), [], 0)


def test_a_red_line_choice_is_named_and_scores_lower(drill):
    path = engine.best_path(drill)
    state = engine.initial_state(drill)
    offered = engine.available_choices(drill, state)
    red = next(c for c in offered if c.red_line)
    risky = room.own_result(drill, path, {0: red.id})
    safe = room.own_result(drill, path, {0: path[0][1]})
    assert risky.red_lines == [red.red_line] and safe.red_lines == []
    assert sum(risky.shares.values()) < sum(safe.shares.values())
