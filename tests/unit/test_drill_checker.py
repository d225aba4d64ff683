"""The drill checker: one malformed drill per rule, each with the exact messages it must produce,
and the shipped drills, which must pass and meet the content requirements."""
from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from app.content.courses import load_competency_model
from app.drill import engine
from app.drill.checker import check_all, check_drill, check_drill_file

ROOT = Path(__file__).resolve().parents[2]
INDICATORS = {indicator.id for indicator in load_competency_model(ROOT / "courses")[0]}
SHIPPED = ("noise-complaint", "gas-leak", "elderly-emergency", "pyramid-selling", "high-altitude-throwing")
FILE = "scenarios/tiny.yaml"

VALID = """\
id: tiny
title: 小测试
summary: 检查器测试用的最小演练。
difficulty: 1
indicators: [handling.emergency, comm.residents]
version: 1
variables:
  warned: false
  tries: 0
start: arrive
nodes:
  arrive:
    text: 楼道里有燃气味。
    time_limit_s: 30
    on_timeout: end_bad
    timeout_score: {handling.emergency: -10}
    timeout_feedback: 太慢了。
    choices:
      - id: warn
        text: 敲门通知住户
        to: evacuate
        set: {warned: true}
        score: {handling.emergency: 10, comm.residents: 5}
        feedback: 对。
      - id: bell
        text: 按门铃
        to: end_bad
        score: {handling.emergency: -20}
        feedback: 门铃会产生火花。
  evacuate:
    text: 住户都到了楼下。
    choices:
      - id: call
        text: 报警
        if: {warned: true}
        to: end_good
        score: {handling.emergency: 10}
        feedback: 好。
      - id: retry
        text: 再喊一遍
        if: {tries: {lt: 2}}
        set: {tries: {add: 1}}
        to: evacuate
        feedback: 又喊了一遍。
      - id: leave
        text: 离开
        to: end_mid
        score: {comm.residents: -5}
        feedback: 不太好。
  end_good: {ending: success, title: 平安, text: 平安。, debrief: 做得好。}
  end_mid: {ending: partial, title: 一般, text: 一般。, debrief: 还可以更好。}
  end_bad: {ending: failure, title: 爆燃, text: 爆燃。, debrief: 不要按门铃。}
"""


@functools.cache
def _parsed() -> dict:
    return yaml.safe_load(VALID)


def base() -> dict:
    return copy.deepcopy(_parsed())


def write(folder: Path, name: str, data_or_text) -> Path:
    folder.mkdir(exist_ok=True)
    text = data_or_text if isinstance(data_or_text, str) else \
        yaml.safe_dump(data_or_text, allow_unicode=True, sort_keys=False)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def check(tmp_path: Path, change: Callable[[dict], object]) -> list[str]:
    data = base()
    change(data)
    write(tmp_path / "scenarios", "tiny.yaml", data)
    return check_all(tmp_path / "scenarios", INDICATORS)


def node(data: dict, node_id: str) -> dict:
    return data["nodes"][node_id]


def choice(data: dict, node_id: str, index: int) -> dict:
    return data["nodes"][node_id]["choices"][index]


def test_valid_drill_passes(tmp_path):
    assert check(tmp_path, lambda d: None) == []
    path = write(tmp_path, "tiny.yaml", VALID)
    assert check_drill_file(path, INDICATORS) == []
    assert check_drill(base(), INDICATORS) == []


# Each rule: a change to the valid drill and exactly the messages it must produce.
RULES: dict[str, tuple[Callable[[dict], object], list[str]]] = {
    "missing field": (lambda d: d.pop("title"), ["title: required field is missing"]),
    "missing node text": (lambda d: node(d, "evacuate").pop("text"), ["nodes.evacuate.text: required text is missing"]),
    "missing choice fields": (
        lambda d: [choice(d, "arrive", 1).pop(k) for k in ("to", "feedback")],
        ["nodes.arrive.choices[1].to: required field is missing",
         "nodes.arrive.choices[1].feedback: required field is missing"]),
    "ill-typed difficulty": (lambda d: d.update(difficulty=5), ["difficulty: must be 1, 2 or 3, not 5"]),
    "ill-typed version": (lambda d: d.update(version="1"), ["version: must be a whole number from 1, not '1'"]),
    "ill-typed text": (lambda d: d.update(summary=["a"]), ["summary: must be non-empty text"]),
    "ill-typed score": (lambda d: choice(d, "arrive", 0)["score"].update({"comm.residents": "5"}),
                        ["nodes.arrive.choices[0].score: 'comm.residents' must be a whole number, not '5'"]),
    "ill-typed variable": (lambda d: d["variables"].update(tries="0"),
                           ["variables.tries: initial value must be a whole number or true/false, not '0'"]),
    "reserved variable name": (lambda d: d["variables"].update({"not": True}),
                               ["variables.not: name must be lowercase letters, digits and '_' "
                                "(and not 'any' or 'not')"]),
    "unknown field": (lambda d: choice(d, "arrive", 0).update(best=True),
                      ["nodes.arrive.choices[0].best: unknown field "
                       "(allowed: id, text, to, if, set, score, feedback, red_line, required_step)"]),
    "id is not the file stem": (lambda d: d.update(id="tiny-2"), ["id: 'tiny-2' must equal the file name 'tiny'"]),
    "id format": (lambda d: d.update(id="Tiny"), ["id: 'Tiny' may only use lowercase letters, digits and hyphens"]),
    "duplicate choice id": (lambda d: choice(d, "arrive", 1).update(id="warn"),
                            ["nodes.arrive.choices[1].id: duplicate choice id 'warn' (also choices[0])"]),
    "unknown target": (lambda d: choice(d, "arrive", 1).update(to="end_bda"),
                       ["nodes.arrive.choices[1].to: unknown node 'end_bda'"]),
    "target that is not a node id": (lambda d: choice(d, "arrive", 1).update(to=["end_bad"]),
                                     ["nodes.arrive.choices[1].to: unknown node ['end_bad']"]),
    "unknown timeout target": (lambda d: node(d, "arrive").update(on_timeout="froze"),
                               ["nodes.arrive.on_timeout: unknown node 'froze'"]),
    "unknown start": (lambda d: d.update(start="lobby"), ["start: unknown node 'lobby'"]),
    "start is an ending": (lambda d: d.update(start="end_good"),
                           ["start: the start node 'end_good' is an ending"]),
    "unreachable node": (
        lambda d: d["nodes"].update(orphan={"ending": "partial", "text": "x", "debrief": "y"}),
        ["nodes.orphan: unreachable: no choice or timeout leads here from the start 'arrive'"]),
    "no ending reachable": (
        lambda d: (node(d, "evacuate")["choices"].append(
                       {"id": "look", "text": "四处看看", "to": "lobby", "feedback": "f"}),
                   d["nodes"].update(
            lobby={"text": "大堂", "choices": [{"id": "on", "text": "往里走", "to": "maze", "feedback": "f"}]},
            maze={"text": "走廊", "choices": [{"id": "on", "text": "继续", "to": "hall", "feedback": "f"}]},
            hall={"text": "大厅", "choices": [{"id": "back", "text": "回去", "to": "maze", "feedback": "f"}]})),
        ["nodes.maze: cycle with no exit: maze → hall → maze (no way out of it leads to an ending)",
         "nodes.lobby: no ending can be reached from this node"]),
    "cycle with no exit": (
        lambda d: (node(d, "evacuate")["choices"].append(
                       {"id": "turn", "text": "转身", "to": "spin", "feedback": "f"}),
                   d["nodes"].update(spin={"text": "原地打转", "choices": [
                       {"id": "again", "text": "再转", "to": "spin", "feedback": "f"}]})),
        ["nodes.spin: cycle with no exit: spin → spin (no way out of it leads to an ending)"]),
    "unknown indicator in metadata": (
        lambda d: d["indicators"].append("handling.emergecy"),
        ["indicators[2]: unknown indicator id 'handling.emergecy' (not in the competency model)"]),
    "duplicate indicator": (lambda d: d["indicators"].append("comm.residents"),
                            ["indicators[2]: duplicate indicator 'comm.residents'"]),
    "unknown indicator in a score": (
        lambda d: choice(d, "arrive", 0)["score"].update({"comm.resident": 5}),
        ["nodes.arrive.choices[0].score: unknown indicator id 'comm.resident' (not in the competency model)"]),
    "unknown indicator in a timeout score": (
        lambda d: node(d, "arrive")["timeout_score"].update({"speed": -1}),
        ["nodes.arrive.timeout_score: unknown indicator id 'speed' (not in the competency model)"]),
    "score on an undeclared indicator": (
        lambda d: choice(d, "arrive", 0)["score"].update({"info.collection": 5}),
        ["nodes.arrive.choices[0].score: indicator 'info.collection' is not listed in the drill's indicators"]),
    "declared indicator never scored": (
        lambda d: d["indicators"].append("info.collection"),
        ["indicators: 'info.collection' is listed but no choice or timeout scores it"]),
    "condition on an undefined variable": (
        lambda d: choice(d, "evacuate", 0).update({"if": {"warnd": True}}),
        ["nodes.evacuate.choices[0].if: unknown variable 'warnd' (declare it under variables)"]),
    "condition inside any/not on an undefined variable": (
        lambda d: choice(d, "evacuate", 0).update({"if": {"any": [{"warned": True}, {"not": {"trys": 1}}]}}),
        ["nodes.evacuate.choices[0].if.any[1].not: unknown variable 'trys' (declare it under variables)"]),
    "effect on an undefined variable": (
        lambda d: choice(d, "arrive", 0).update(set={"warnd": True}),
        ["nodes.arrive.choices[0].set: unknown variable 'warnd' (declare it under variables)"]),
    "condition of the wrong type": (
        lambda d: choice(d, "evacuate", 0).update({"if": {"warned": 1}}),
        ["nodes.evacuate.choices[0].if.warned: must be true or false like the variable 'warned', not 1"]),
    "unknown comparison": (
        lambda d: choice(d, "evacuate", 1).update({"if": {"tries": {"ge": 2}}}),
        ["nodes.evacuate.choices[1].if.tries.ge: unknown comparison 'ge' (use eq, ne, lt, lte, gt, gte)"]),
    "order comparison on a true/false variable": (
        lambda d: choice(d, "evacuate", 0).update({"if": {"warned": {"gt": False}}}),
        ["nodes.evacuate.choices[0].if.warned.gt: 'gt' needs a number, but 'warned' is true/false"]),
    "condition that is not a mapping": (
        lambda d: choice(d, "evacuate", 0).update({"if": "warned == true"}),
        ["nodes.evacuate.choices[0].if: must be a mapping such as {called_119: true} or {visits: {gte: 2}}"]),
    "add to a true/false variable": (
        lambda d: choice(d, "arrive", 0).update(set={"warned": {"add": 1}}),
        ["nodes.arrive.choices[0].set.warned: 'add' needs a number, but 'warned' is true/false"]),
    "effect of the wrong type": (
        lambda d: choice(d, "evacuate", 1).update(set={"tries": True}),
        ["nodes.evacuate.choices[1].set.tries: must be a whole number like the variable 'tries', not True"]),
    "ending without debrief": (lambda d: node(d, "end_good").pop("debrief"),
                               ["nodes.end_good.debrief: an ending needs a debrief (专家点评)"]),
    "unknown outcome": (lambda d: node(d, "end_mid").update(ending="draw"),
                        ["nodes.end_mid.ending: must be one of success, partial, failure, not 'draw'"]),
    "no success ending": (lambda d: node(d, "end_good").update(ending="partial"),
                          ["nodes: no node has 'ending: success' (the best path needs one)"]),
    "both choices and ending": (
        lambda d: node(d, "end_mid").update(choices=[]),
        ["nodes.end_mid: has both choices and ending: a node is either a decision or an ending"]),
    "neither choices nor ending": (
        lambda d: d["nodes"].update(end_mid={"text": "一般。"}),
        ["nodes.end_mid: needs either choices (a decision) or ending (an outcome)",
         "nodes.end_mid: no ending can be reached from this node"]),
    "empty choices": (lambda d: node(d, "evacuate").update(choices=[]),
                      ["nodes.evacuate.choices: must be a non-empty list of choices",
                       "nodes.end_good: unreachable: no choice or timeout leads here from the start 'arrive'",
                       "nodes.end_mid: unreachable: no choice or timeout leads here from the start 'arrive'",
                       "nodes.evacuate: no ending can be reached from this node"]),
    "debrief on a decision node": (lambda d: node(d, "evacuate").update(debrief="x"),
                                   ["nodes.evacuate.debrief: only endings have a debrief"]),
    "urgent ending": (lambda d: node(d, "end_bad").update(time_limit_s=30),
                      ["nodes.end_bad.time_limit_s: an ending cannot be urgent"]),
    "urgent node without on_timeout": (
        lambda d: node(d, "arrive").pop("on_timeout"),
        ["nodes.arrive: an urgent node (time_limit_s) needs on_timeout: where the drill goes when time runs out"]),
    "time limit too short": (lambda d: node(d, "arrive").update(time_limit_s=0),
                             ["nodes.arrive.time_limit_s: must be a whole number of seconds from 10 to 600, not 0"]),
    "time limit not a number": (
        lambda d: node(d, "arrive").update(time_limit_s="30s"),
        ["nodes.arrive.time_limit_s: must be a whole number of seconds from 10 to 600, not '30s'"]),
    "timeout fields without time limit": (
        lambda d: node(d, "arrive").pop("time_limit_s"),
        ["nodes.arrive.on_timeout: only urgent nodes (with time_limit_s) have it",
         "nodes.arrive.timeout_score: only urgent nodes (with time_limit_s) have it",
         "nodes.arrive.timeout_feedback: only urgent nodes (with time_limit_s) have it"]),
    "image outside the drill folder": (lambda d: node(d, "arrive").update(image="../secret.png"),
                                       ["nodes.arrive.image: must be a path relative to the drill file, "
                                        "not '../secret.png'"]),
    "image file missing": (lambda d: node(d, "arrive").update(image="images/stairs.jpg"),
                           ["nodes.arrive.image: file not found: images/stairs.jpg"]),
    "node id format": (
        lambda d: (d["nodes"].update({"End Mid": d["nodes"].pop("end_mid")}),
                   choice(d, "evacuate", 2).update(to="End Mid")),
        ["nodes.End Mid: node id must be text of lowercase letters, digits, '-' or '_'",
         "nodes.evacuate.choices[2].to: unknown node 'End Mid'"]),
    # -- found by playing every (node, variables) state --
    "choice never offered": (
        lambda d: node(d, "evacuate")["choices"].append(
            {"id": "shout", "text": "大喊", "to": "end_mid", "if": {"tries": {"gt": 5}}, "feedback": "f"}),
        ["nodes.evacuate.choices[3]: never offered: its condition can never be met in play"]),
    "node never reached in play": (
        lambda d: choice(d, "evacuate", 0).update({"if": {"warned": False}}),
        ["nodes.evacuate.choices[0]: never offered: its condition can never be met in play",
         "nodes.end_good: never reached in play: the conditions on every way here can never be met",
         "nodes: no success ending can be reached in play (conditions block the way)"]),
    "no choice offered": (
        lambda d: [choice(d, "evacuate", i).update({"if": {"tries": 0}}) for i in (0, 2)],
        ["nodes.evacuate: no choice is offered when warned=true, tries=2 (every choice's condition fails)"]),
    "trapped by conditions": (
        lambda d: ([choice(d, "evacuate", i).update({"if": {"tries": 0}}) for i in (0, 2)],
                   choice(d, "evacuate", 1).pop("if"), choice(d, "evacuate", 1).update(set={"tries": 1})),
        ["nodes.evacuate: when warned=true, tries=1, no ending can be reached any more "
         "(conditions block every way out)"]),
    "loop that changes a score": (
        lambda d: (choice(d, "evacuate", 1).pop("if"), choice(d, "evacuate", 1).pop("set"),
                   choice(d, "evacuate", 1).update(score={"comm.residents": 1})),
        ["nodes.evacuate.choices[1]: on a loop that changes comm.residents each time round: make the loop "
         "score-neutral or bound it with a counter (set + if)"]),
    "counter without a bound": (
        lambda d: choice(d, "evacuate", 1).pop("if"),
        [f"variables: more than {engine.MAX_STATES} situations (node + variable values) can be reached: "
         "does a counter grow in a loop without a guard?"]),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_names_file_place_and_problem(tmp_path, rule):
    change, expected = RULES[rule]
    assert check(tmp_path, change) == [f"{FILE}: {message}" for message in expected]


def _places(value, path=()):
    """Every place in a parsed drill: (path of keys and indexes, value)."""
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _places(item, (*path, key))


@pytest.mark.parametrize("junk", [None, "", "x", 0, -1, True, 3.5, [], ["end_good"], {}, {"a": 1}])
def test_checker_reports_rather_than_crashes_on_any_ill_typed_value(junk):
    for path, _ in _places(base()):
        if not path:
            continue
        data = base()
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = junk
        problems = check_drill(data, INDICATORS, shown="t.yaml", stem="tiny")
        assert all(isinstance(p, str) and p.startswith("t.yaml: ") for p in problems), (path, junk)


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = VALID.replace("    text: 住户都到了楼下。", "    text: [住户都到了楼下。")
    write(tmp_path / "scenarios", "tiny.yaml", text)
    assert check_all(tmp_path / "scenarios", INDICATORS) == [
        f"{FILE}: line 32: YAML error: did not find expected ',' or ']'"]


def test_duplicate_node_id_is_a_duplicate_yaml_key(tmp_path):
    text = VALID + "  end_mid: {ending: partial, text: 又一个。, debrief: 重复。}\n"
    write(tmp_path / "scenarios", "tiny.yaml", text)
    assert check_all(tmp_path / "scenarios", INDICATORS) == [
        f"{FILE}: line 53: YAML error: duplicate key 'end_mid' (first at line 51)"]


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("- id: tiny\n", "the top level must be a mapping of fields (id, title, ..., nodes)"),
])
def test_file_that_is_not_a_drill(tmp_path, text, message):
    write(tmp_path / "scenarios", "tiny.yaml", text)
    assert check_all(tmp_path / "scenarios", INDICATORS) == [f"{FILE}: {message}"]


def test_duplicate_drill_ids_across_files(tmp_path):
    folder = tmp_path / "scenarios"
    write(folder, "tiny.yaml", VALID)
    write(folder, "copy.yaml", VALID)  # sorted first: copy.yaml claims the id
    assert check_all(folder, INDICATORS) == [
        "scenarios/copy.yaml: id: 'tiny' must equal the file name 'copy'",
        "scenarios/tiny.yaml: id: drill id 'tiny' is also used by scenarios/copy.yaml",
    ]


def test_drill_file_with_the_wrong_extension(tmp_path):
    folder = tmp_path / "scenarios"
    write(folder, "tiny.yaml", VALID)
    write(folder, "old.yml", VALID)
    assert check_all(folder, INDICATORS) == ["scenarios/old.yml: drill files must end in .yaml"]


def test_image_next_to_the_drill_is_accepted(tmp_path):
    (tmp_path / "scenarios" / "images").mkdir(parents=True)
    (tmp_path / "scenarios" / "images" / "stairs.jpg").write_bytes(b"jpeg")
    assert check(tmp_path, lambda d: node(d, "arrive").update(image="images/stairs.jpg")) == []


def test_check_drill_file_names_the_file_as_asked(tmp_path):
    path = write(tmp_path, "tiny.yaml", VALID.replace("difficulty: 1", "difficulty: 0"))
    assert check_drill_file(path, INDICATORS) == [f"{path}: difficulty: must be 1, 2 or 3, not 0"]
    assert check_drill_file(path, INDICATORS, shown="x.yaml") == ["x.yaml: difficulty: must be 1, 2 or 3, not 0"]
    assert check_drill_file(tmp_path / "missing.yaml", INDICATORS) == [
        f"{tmp_path / 'missing.yaml'}: cannot read the file (No such file or directory)"]


def test_a_drill_that_passes_the_checker_loads_and_analyses(tmp_path):
    drill = engine.load_drill(base())
    assert engine.score_bounds(drill) == {"handling.emergency": (-20, 20), "comm.residents": (0, 5)}
    assert engine.best_path(drill) == [("arrive", "warn"), ("evacuate", "call")]


# --- the shipped drills ----------------------------------------------------------------------


def test_shipped_drills_pass_the_checker():
    assert check_all(ROOT / "scenarios", INDICATORS) == []


def test_the_five_original_drills_are_shipped():
    assert set(SHIPPED) <= {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}


@pytest.mark.parametrize("drill_id", SHIPPED)
def test_shipped_drill_meets_the_content_requirements(drill_id):
    drill = engine.load_drill_file(ROOT / "scenarios" / f"{drill_id}.yaml")
    nodes = list(drill.nodes.values())
    assert len(nodes) >= 12
    assert len([n for n in nodes if n.is_ending]) >= 3
    assert len([n for n in nodes if n.is_urgent]) >= 2
    assert {n.ending for n in nodes if n.is_ending} >= {"success", "failure"}
    conditional = [c for n in nodes for c in n.choices if c.condition is not engine.ALWAYS]
    assert drill.variables and conditional, "state variables must steer the drill"
    assert all(c.feedback.strip() for n in nodes for c in n.choices)
    assert all("专家点评" in n.debrief for n in nodes if n.is_ending)
    bounds = engine.score_bounds(drill)
    assert set(bounds) == set(drill.indicators) and all(low < high for low, high in bounds.values())
    state = engine.replay(drill, engine.best_path(drill))
    assert state.outcome == "success"
    assert all(step[1] is not None for step in state.path), "the best path never lets the clock run out"


def test_node_titles_are_short_words(tmp_path):
    def long_title(data):
        node(data, "arrive")["title"] = "楼道里有很浓很浓的燃气味道怎么办"
    assert check(tmp_path, long_title) == ["scenarios/tiny.yaml: nodes.arrive.title: is 16 characters; keep it to 12"]

    def empty_title(data):
        node(data, "arrive")["title"] = ""
    assert check(tmp_path, empty_title) == [
        "scenarios/tiny.yaml: nodes.arrive.title: must be a few words that name this moment (e.g. 赶到现场)"]
