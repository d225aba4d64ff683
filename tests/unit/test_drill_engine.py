"""The drill engine: playing (branching, conditions, effects, timeouts, refused moves, stored
state) and analysis (score bounds with loops, best path), on a small hand-made drill and, checked
against brute-force enumeration, on the shipped drills."""
from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path

import pytest

from app.drill import engine
from app.drill.engine import (
    DrillFinished, InvalidChoice, InvalidDrill, InvalidMove, InvalidState, NotUrgent, ScoreLoop,
    State, StateSpaceTooLarge, available_choices, best_path, choose, initial_state, load_drill,
    load_drill_file, replay, score_bounds, timeout,
)

ROOT = Path(__file__).resolve().parents[2]
EMERGENCY, RESIDENTS = "handling.emergency", "comm.residents"


def door_data() -> dict:
    """Knock up to twice (a loop guarded by a counter), call 120 once, then wait; waiting has an
    unguarded but score-neutral self-loop. The door is urgent."""
    return {
        "id": "door", "title": "敲门", "summary": "测试用", "difficulty": 1,
        "indicators": [EMERGENCY, RESIDENTS], "version": 3,
        "variables": {"knocks": 0, "called": False},
        "start": "door",
        "nodes": {
            "door": {
                "text": "门里没有回应。", "time_limit_s": 30, "on_timeout": "fail",
                "timeout_score": {EMERGENCY: -5}, "timeout_feedback": "太慢了。",
                "timeout_set": {"knocks": {"add": 5}},
                "choices": [
                    {"id": "knock", "text": "再敲一次", "to": "door", "if": {"knocks": {"lt": 2}},
                     "set": {"knocks": {"add": 1}}, "score": {RESIDENTS: 2}, "feedback": "还是没人应。"},
                    {"id": "call", "text": "打120", "to": "wait", "if": {"called": False},
                     "set": {"called": True}, "score": {EMERGENCY: 10}, "feedback": "对。"},
                    {"id": "leave", "text": "离开", "to": "fail", "score": {EMERGENCY: -10}, "feedback": "不行。"},
                ],
            },
            "wait": {"text": "等救护车。", "choices": [
                {"id": "back", "text": "回门口", "to": "door", "feedback": "回到门口。"},
                {"id": "listen", "text": "再听听", "to": "wait", "feedback": "很安静。"},
                {"id": "enter", "text": "进门", "to": "win", "if": {"knocks": {"gte": 1}},
                 "score": {RESIDENTS: 5}, "feedback": "邻居开了门。"},
                {"id": "force", "text": "撞门", "to": "meh", "if": {"not": {"knocks": {"gte": 1}}},
                 "score": {RESIDENTS: -5}, "feedback": "太冲动。"},
            ]},
            "win": {"ending": "success", "text": "得救了。", "debrief": "好。"},
            "meh": {"ending": "partial", "text": "还行。", "debrief": "一般。"},
            "fail": {"ending": "failure", "text": "晚了。", "debrief": "不好。"},
        },
    }


@pytest.fixture
def drill() -> engine.Drill:
    return load_drill(door_data())


def play(drill, *choice_ids: str | None) -> State:
    state = initial_state(drill)
    for choice_id in choice_ids:
        state = (timeout(drill, state) if choice_id is None else choose(drill, state, choice_id)).state
    return state


def ids(choices) -> list[str]:
    return [choice.id for choice in choices]


def complete_plays(drill):
    """Oracle: every play through the public API that never repeats a (node, variables) situation."""
    stack = [(initial_state(drill), frozenset())]
    while stack:
        state, seen = stack.pop()
        if state.finished:
            yield state
            continue
        here = (state.node, tuple(state.variables.values()))
        results = [choose(drill, state, c.id) for c in available_choices(drill, state)]
        if drill.nodes[state.node].is_urgent:
            results.append(timeout(drill, state))
        for result in results:
            there = (result.state.node, tuple(result.state.variables.values()))
            if there != here and there not in seen:
                stack.append((result.state, seen | {here}))


# --- loading ---------------------------------------------------------------------------------


def test_load_drill_builds_typed_nodes(drill):
    assert drill.id == "door" and drill.version == 3 and drill.start == "door"
    assert list(drill.nodes) == ["door", "wait", "win", "meh", "fail"]
    door = drill.nodes["door"]
    assert door.is_urgent and door.time_limit_s == 30 and not door.is_ending
    assert door.on_timeout.to == "fail" and door.on_timeout.score == {EMERGENCY: -5}
    assert ids(door.choices) == ["knock", "call", "leave"]
    assert drill.nodes["win"].ending == "success" and drill.nodes["win"].debrief == "好。"


@pytest.mark.parametrize("breakage, message", [
    (lambda d: d.pop("nodes"), "not a valid drill (KeyError: 'nodes')"),
    (lambda d: d.update(start="nowhere"), "start node 'nowhere' does not exist"),
    (lambda d: d["nodes"]["wait"]["choices"][0].update(to="hall"), "node 'wait' leads to unknown node 'hall'"),
    (lambda d: d["nodes"]["wait"]["choices"][2].update({"if": {"knock": 1}}), "undefined variable(s) ['knock']"),
    (lambda d: d["nodes"]["door"].pop("on_timeout"), "needs both time_limit_s and on_timeout"),
    (lambda d: d["nodes"]["win"].update(ending="won"), "unknown ending 'won'"),
])
def test_load_drill_refuses_data_that_cannot_be_played(breakage, message):
    data = door_data()
    breakage(data)
    with pytest.raises(InvalidDrill, match="run the drill checker") as caught:
        load_drill(data)
    assert message in str(caught.value)


def test_load_drill_file_reads_strict_yaml(tmp_path):
    path = tmp_path / "door.yaml"
    path.write_text(json.dumps(door_data(), ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    assert load_drill_file(path) == load_drill(door_data())
    path.write_text("id: a\nid: b\n", encoding="utf-8")
    with pytest.raises(InvalidDrill, match="line 2: YAML error: duplicate key 'id'"):
        load_drill_file(path)


# --- playing ---------------------------------------------------------------------------------


def test_initial_state(drill):
    state = initial_state(drill)
    assert (state.drill, state.version, state.node) == ("door", 3, "door")
    assert state.variables == {"knocks": 0, "called": False}
    assert state.scores == {EMERGENCY: 0, RESIDENTS: 0}
    assert state.path == () and not state.finished and state.outcome is None


def test_choose_branches_scores_and_gives_feedback(drill):
    result = choose(drill, initial_state(drill), "call")
    assert result.state.node == "wait" and result.step == ("door", "call")
    assert result.deltas == {EMERGENCY: 10} and result.feedback == "对。"
    assert not result.ended and result.outcome is None and not result.timed_out
    result = choose(drill, result.state, "force")
    assert result.ended and result.outcome == "partial"
    assert result.state.scores == {EMERGENCY: 10, RESIDENTS: -5}
    assert result.state.path == (("door", "call"), ("wait", "force"))


def test_effects_set_and_add(drill):
    state = play(drill, "knock", "knock", "call")
    assert state.variables == {"knocks": 2, "called": True}
    assert state.scores == {EMERGENCY: 10, RESIDENTS: 4}


def test_conditions_decide_which_choices_are_offered(drill):
    assert ids(available_choices(drill, initial_state(drill))) == ["knock", "call", "leave"]
    assert ids(available_choices(drill, play(drill, "knock", "knock"))) == ["call", "leave"]  # knocks < 2 fails
    assert ids(available_choices(drill, play(drill, "call"))) == ["back", "listen", "force"]  # not knocks >= 1
    assert ids(available_choices(drill, play(drill, "knock", "call"))) == ["back", "listen", "enter"]
    assert ids(available_choices(drill, play(drill, "call", "back"))) == ["knock", "leave"]  # called once only


def test_unavailable_choice_is_refused_and_state_unchanged(drill):
    state = play(drill, "call")
    before = state.to_dict()
    with pytest.raises(InvalidChoice, match="choice 'enter' is not available at node 'wait' now"):
        choose(drill, state, "enter")
    assert state.to_dict() == before


@pytest.mark.parametrize("choice_id", ["nope", "knock", "", None, 7])
def test_unknown_choice_or_one_from_another_node_is_refused(drill, choice_id):
    state = play(drill, "call")  # at 'wait': 'knock' belongs to 'door'
    with pytest.raises(InvalidChoice, match=f"node 'wait' has no choice {choice_id!r}"):
        choose(drill, state, choice_id)


def test_finished_play_refuses_every_move(drill):
    state = play(drill, "leave")
    assert state.finished and state.outcome == "failure"
    assert available_choices(drill, state) == []
    with pytest.raises(DrillFinished, match=r"already ended \(failure\)"):
        choose(drill, state, "knock")
    with pytest.raises(DrillFinished):
        timeout(drill, state)


def test_timeout_takes_the_on_timeout_path(drill):
    result = timeout(drill, play(drill, "knock"))
    assert result.timed_out and result.step == ("door", None)
    assert result.deltas == {EMERGENCY: -5} and result.feedback == "太慢了。"
    assert result.state.variables["knocks"] == 6  # 1 knock + timeout_set add 5
    assert result.ended and result.outcome == "failure"
    assert result.state.path == (("door", "knock"), ("door", None))


def test_timeout_on_a_node_without_time_limit_is_refused(drill):
    with pytest.raises(NotUrgent, match="node 'wait' has no time limit"):
        timeout(drill, play(drill, "call"))


def test_state_round_trips_through_json(drill):
    state = play(drill, "knock", None)
    stored = json.loads(json.dumps(state.to_dict()))
    assert stored["path"] == [["door", "knock"], ["door", None]] and stored["finished"] is True
    assert State.from_dict(stored) == state
    middle = play(drill, "knock", "call")
    again = State.from_dict(json.loads(json.dumps(middle.to_dict())))
    assert choose(drill, again, "enter").state == choose(drill, middle, "enter").state


@pytest.mark.parametrize("tamper", [
    lambda d: d.pop("scores"),
    lambda d: d.update(path="door"),
    lambda d: d.update(version="3"),
    lambda d: d["scores"].update({EMERGENCY: "10"}),
    lambda d: d["variables"].update(knocks=None),
    lambda d: d.update(outcome="won"),
    lambda d: d.update(finished=True),
])
def test_malformed_stored_state_is_refused(drill, tamper):
    data = play(drill, "knock").to_dict()
    tamper(data)
    with pytest.raises(InvalidState, match="stored drill state is malformed"):
        State.from_dict(data)


@pytest.mark.parametrize("tamper, message", [
    (lambda d: d.update(version=2), "state belongs to drill 'door' version 2, not 'door' version 3"),
    (lambda d: d.update(drill="gas-leak"), "state belongs to drill 'gas-leak'"),
    (lambda d: d.update(node="attic"), "drill 'door' has no node 'attic'"),
    (lambda d: d["variables"].pop("called"), "state variables or scores do not match"),
    (lambda d: d.update(node="win"), "state at node 'win' has the wrong outcome"),
])
def test_state_that_does_not_fit_the_drill_is_refused(drill, tamper, message):
    data = initial_state(drill).to_dict()
    tamper(data)
    state = State.from_dict(data)
    for move in (lambda: choose(drill, state, "knock"), lambda: timeout(drill, state),
                 lambda: available_choices(drill, state)):
        with pytest.raises(InvalidState, match=message):
            move()


def test_replay_rebuilds_a_state_and_steps_back(drill):
    state = play(drill, "knock", "call", "listen")
    assert replay(drill, state.path) == state
    back = replay(drill, state.path[:-1])  # practice mode: one step back
    assert back == play(drill, "knock", "call") and back.scores == {EMERGENCY: 10, RESIDENTS: 2}
    assert replay(drill, json.loads(json.dumps(state.to_dict()))["path"]) == state


def test_replay_refuses_a_step_at_the_wrong_node(drill):
    with pytest.raises(InvalidMove, match="step at node 'wait' but the play is at node 'door'"):
        replay(drill, [("wait", "listen")])
    with pytest.raises(InvalidChoice):
        replay(drill, [("door", "call"), ("wait", "enter")])


@pytest.mark.parametrize("spec, variables, holds", [
    ({"called": True}, {"called": True, "knocks": 0}, True),
    ({"knocks": {"gte": 1, "lt": 3}}, {"called": False, "knocks": 3}, False),
    ({"knocks": {"ne": 0}, "called": False}, {"called": False, "knocks": 2}, True),
    ({"any": [{"knocks": 5}, {"called": True}]}, {"called": True, "knocks": 0}, True),
    ({"any": [{"knocks": 5}, {"called": True}]}, {"called": False, "knocks": 0}, False),
    ({"not": {"knocks": {"gt": 1}, "called": True}}, {"called": True, "knocks": 2}, False),
    ({"not": {"knocks": {"gt": 1}, "called": True}}, {"called": False, "knocks": 2}, True),
])
def test_condition_language(spec, variables, holds):
    condition = engine.parse_condition(spec)
    assert condition.holds(variables) is holds
    assert condition.names() <= {"called", "knocks"}


# --- analysis --------------------------------------------------------------------------------


def test_score_bounds_handle_guarded_and_neutral_loops(drill):
    # emergency: leave at once -10 .. call then end at 'wait' +10; residents: call, force -5 ..
    # knock twice, call, enter 2+2+5 = 9. The unguarded 'listen' loop scores nothing and is cut.
    assert score_bounds(drill) == {EMERGENCY: (-10, 10), RESIDENTS: (-5, 9)}


def test_best_path_reaches_success_with_the_highest_total(drill):
    path = best_path(drill)
    assert path == [("door", "knock"), ("door", "knock"), ("door", "call"), ("wait", "enter")]
    state = replay(drill, path)
    assert state.outcome == "success" and sum(state.scores.values()) == 19


def _oracle(drill):
    plays = list(complete_plays(drill))
    bounds = {name: (min(p.scores[name] for p in plays), max(p.scores[name] for p in plays))
              for name in drill.indicators}
    best = max(sum(p.scores.values()) for p in plays if p.outcome == "success")
    return bounds, best


def test_analysis_matches_enumeration_on_the_hand_made_drill(drill):
    bounds, best = _oracle(drill)
    assert score_bounds(drill) == bounds
    assert sum(replay(drill, best_path(drill)).scores.values()) == best


#: Complete plays enumerated per shipped drill; past this the oracle checks those plays only.
ORACLE_PLAYS = 3_000


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_analysis_matches_enumeration_on_shipped_drills(path):
    """Small drills: bounds and best total equal the enumeration of every play. Large drills (millions
    of plays): no enumerated play falls outside the bounds or beats the best path."""
    drill = load_drill_file(path)
    plays = list(itertools.islice(complete_plays(drill), ORACLE_PLAYS + 1))
    bounds, state = score_bounds(drill), replay(drill, best_path(drill))
    best = sum(state.scores.values())
    assert state.outcome == "success"
    if len(plays) <= ORACLE_PLAYS:
        assert bounds == {name: (min(p.scores[name] for p in plays), max(p.scores[name] for p in plays))
                          for name in drill.indicators}
        assert best == max(sum(p.scores.values()) for p in plays if p.outcome == "success")
    else:
        for play in plays:
            assert all(bounds[name][0] <= play.scores[name] <= bounds[name][1] for name in drill.indicators)
            assert play.outcome != "success" or sum(play.scores.values()) <= best


def test_loop_that_changes_a_score_is_refused():
    data = door_data()
    data["nodes"]["wait"]["choices"][1]["score"] = {RESIDENTS: 1}  # 'listen' farms points
    drill = load_drill(data)
    loops = engine.score_loops(drill)
    assert {(edge.step, names) for edge, names in loops} == {(("wait", "listen"), (RESIDENTS,))}
    assert sorted(edge.source[1] for edge, _ in loops) == [(0, True), (1, True), (2, True)]  # one per situation
    with pytest.raises(ScoreLoop, match="a loop through node 'wait' changes comm.residents each time round"):
        score_bounds(drill)
    with pytest.raises(ScoreLoop):
        best_path(drill)


def test_loop_through_several_nodes_that_changes_a_score_is_found():
    data = door_data()
    data["nodes"]["door"]["choices"][1].pop("if")  # call again and again: door -> wait -> door, +10 each time
    loops = engine.score_loops(load_drill(data))
    assert {edge.step for edge, _ in loops} <= {("door", "call"), ("wait", "back")}
    assert loops and all(names == (EMERGENCY,) for _, names in loops)


def test_counter_growing_without_bound_is_refused():
    data = door_data()
    data["nodes"]["wait"]["choices"][1]["set"] = {"knocks": {"add": 1}}  # 'listen' counts forever
    drill = load_drill(data)
    with pytest.raises(StateSpaceTooLarge, match="more than 50 reachable"):
        engine.explore(drill, max_states=50)
    with pytest.raises(StateSpaceTooLarge):
        score_bounds(drill)


def test_best_path_needs_a_reachable_success_ending():
    data = copy.deepcopy(door_data())
    data["nodes"]["wait"]["choices"][2]["if"] = {"knocks": {"gt": 5}}  # 'enter' never offered
    with pytest.raises(InvalidDrill, match="no success ending can be reached from the start"):
        best_path(load_drill(data))


def test_strongly_connected_lists_a_component_after_those_it_reaches():
    graph = {"a": ["b"], "b": ["c", "a"], "c": ["d"], "d": ["c"], "e": ["a"]}
    components = engine.strongly_connected(graph, graph.__getitem__)
    assert sorted(map(sorted, components)) == [["a", "b"], ["c", "d"], ["e"]]
    order = {v: i for i, comp in enumerate(components) for v in comp}
    assert order["c"] < order["a"] < order["e"]


def test_map_uses_titles_and_graphviz_layout_without_crossing_boxes():
    """The map's boxes carry the authors' titles (never node ids); with dot installed every edge is
    routed by Graphviz, and the fallback row layout draws the same boxes without it."""
    import shutil
    import re as _re
    from pathlib import Path

    from app.drill import graph
    from app.drill.engine import load_drill_file

    drill = load_drill_file(Path(__file__).resolve().parents[2] / "scenarios" / "gas-leak.yaml")
    for layout in (graph.dot_layout(drill), graph.row_layout(drill)):
        if layout is None:
            assert shutil.which("dot") is None
            continue
        svg = graph.render_svg(drill, layout=layout)
        texts = _re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert drill.nodes["door_301"].title in texts and not any("door_301" in t or "end_flash" in t for t in texts)
        boxes = list(layout.pos.values())
        for i, (x1, y1) in enumerate(boxes):  # no two boxes overlap
            for x2, y2 in boxes[i + 1:]:
                assert abs(x1 - x2) >= graph.BOX_W or abs(y1 - y2) >= graph.BOX_H
    if shutil.which("dot"):
        assert set(graph.dot_layout(drill).paths) == {(s, t) for s, t, _c in graph.edges(drill)}
