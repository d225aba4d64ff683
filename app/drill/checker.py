"""The drill checker: validates scenario drill files (pure: no Flask, no database).

Every problem is one line naming file, place and problem, e.g.
``scenarios/gas-leak.yaml: nodes.arrive.choices[1].to: unknown node 'sprk'``
(choice positions count from 0, as in ``choices[0]`` for the first choice).

The drill file format
=====================

One YAML file per drill in ``scenarios/``; the file name is the drill id::

    id: gas-leak                 # lowercase letters, digits, hyphens; equals the file stem
    title: 小区燃气泄漏
    summary: 一两句话说明练什么。
    difficulty: 2                # 1 (入门) .. 3 (困难)
    indicators: [handling.emergency, comm.residents]  # ids from courses/competency-model.yaml;
                                 # every score below must use one of these, and each must be scored
    version: 1                   # raise it when the drill changes: attempts record the version
    cites: [zhian-chufa-2025, minfadian-2020]   # optional: ids of courses/law-register.yaml the drill relies on
                                 # (app.content.laws: every law its texts name must be cited, no
                                 # superseded text may be; the engine ignores the field)
    variables:                   # optional: name -> initial value, a whole number or true/false
      called_119: false
      risky_moves: 0
    start: arrive
    nodes:
      arrive:                    # node id: lowercase letters, digits, '-' or '_'
        text: |                  # the situation, Markdown
          你接到居民电话……
        image: images/gas.jpg    # optional, relative to this file
        time_limit_s: 60         # optional: an urgent node, 10..600 s; the server starts the clock
        on_timeout: froze        #   when it shows the node; required with time_limit_s
        timeout_score: {handling.emergency: -10}    # optional
        timeout_feedback: 犹豫会错过最佳处置时机。      # optional
        timeout_set: {delays: {add: 1}}             # optional
        timeout_red_line: 危急时刻不作为              # optional: letting the clock run out breaks a rule
        choices:                 # a decision node has choices (never empty) ...
          - id: bell             # unique within the node and stable: attempts refer to it
            text: 按门铃叫人
            to: spark
            if: {called_119: false}                  # optional condition
            set: {risky_moves: {add: 1}}             # optional effects
            score: {handling.emergency: -30}         # optional, indicator -> whole number
            feedback: 门铃会产生电火花。                # required: shown after the choice
            red_line: 燃气泄漏现场制造电火花           # optional: the rule this move breaks (红线)
          - id: call-119
            text: 退到楼外安全处拨打119和燃气公司抢修电话
            to: outside
            required_step: 报警                        # optional: a safe step the situation requires
            feedback: ……
      end_safe:                  # ... an ending has an outcome and an expert debrief instead
        ending: success          # success | partial | failure
        text: 燃气公司到场处置……
        debrief: |               # 专家点评, Markdown, required
          ……

Conditions (``if``) are mappings, never code. ``{var: value}`` tests equality; ``{var: {op: n}}``
compares with op in eq, ne, lt, lte, gt, gte (lt/lte/gt/gte for whole-number variables only);
several entries must all hold; ``{any: [cond, ...]}`` needs one of them; ``{not: cond}`` negates.
Effects (``set``): ``{var: value}`` sets, ``{var: {add: n}}`` adds n (may be negative) to a
whole-number variable. ``any`` and ``not`` cannot be variable names. Unknown fields are refused.

What is checked, beyond fields and types: the id equals the file stem; duplicate keys anywhere
(so duplicate node ids), duplicate choice ids, duplicate drill ids across files; every ``to``,
``on_timeout`` and ``start`` names a node; every node is reachable from the start and can reach an
ending (a cycle with no way out is named as such); indicators exist in the competency model;
conditions and effects use declared variables with values of the right type; endings have a
debrief; urgent nodes have a sane time limit and on_timeout; there is a success ending.
Then, playing every (node, variables) state with the engine: no choice whose condition can never
hold, no node that conditions make unreachable, no state where no choice is offered or no ending
can be reached any more, a success ending reachable in play, and no loop that changes a score
each time round (make it score-neutral, or bound it with a counter in ``set`` and a guard in
``if``); see ``engine`` for why that keeps best and worst scores finite.

Safety, proven over every reachable (node, variables) state (``engine.safety_problems``):

- **Red lines.** A move that endangers people or breaks a professional rule (passing the buck,
  threats, taking sides before hearing both, disclosing a complainant, entering danger alone,
  confronting suspects, moving or leaving a patient, posting people's images, sparks near gas) is
  marked ``red_line``. No play through a red-line move may reach a success ending, and every play
  that crosses a red line must total strictly less than the best play that crosses none: breaking
  a rule never pays, not even as a tie. (The engine also never reports success after a red line.)
- **Required steps.** A safe step the situation requires (calling 119/120/110, evacuating,
  staying with the patient) is marked ``required_step``. Wherever it is offered, taking it now must
  reach at least the best total of any other fair move there (doing something else first or
  letting the clock run out): taking a required step earlier never scores less than later.
- **Time to read.** An urgent node's ``time_limit_s`` allows reading its text and choices at
  6 汉字 a second (a 42-year-old average reader).
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..content.courses import ID_RE
from ..content.laws import cites_problems
from ..content.yamlfile import ContentError, load_yaml, shown_path
from . import engine

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")        # node and choice ids
VARIABLE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
RESERVED = {"any", "not"}
TIME_LIMIT_S = (10, 600)
#: Longest node title: it must fit a box on the path map and a line of a phone's step list.
TITLE_MAX = 12
DRILL_FIELDS = ("id", "title", "summary", "difficulty", "indicators", "version", "variables", "start", "nodes",
                "cites")
#: Optional top-level fields (every other drill field is required).
OPTIONAL_FIELDS = ("variables", "cites")
NODE_FIELDS = ("title", "text", "image", "choices", "ending", "debrief",
               "time_limit_s", "on_timeout", "timeout_score", "timeout_feedback", "timeout_set", "timeout_red_line")
TIMEOUT_FIELDS = ("on_timeout", "timeout_score", "timeout_feedback", "timeout_set", "timeout_red_line")
CHOICE_FIELDS = ("id", "text", "to", "if", "set", "score", "feedback", "red_line", "required_step")
#: Reading speed the time limits must allow: a 42-year-old average reader, 6 汉字 a second.
HAN_PER_SECOND = 6
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
CONDITION_HINT = "must be a mapping such as {called_119: true} or {visits: {gte: 2}}"


def check_drill_file(path: str | Path, indicator_ids: set[str], *, shown: str | None = None) -> list[str]:
    """Problems of one drill file ([] when it is fine); ``shown`` is the name used in messages."""
    return _check_file(Path(path), indicator_ids, shown or str(path))[1]


def check_drill(data: Any, indicator_ids: set[str], *, shown: str = "drill", stem: str | None = None,
                folder: Path | None = None) -> list[str]:
    """Problems of an already parsed drill; ``stem`` is the file stem the id must equal and
    ``folder`` the directory images are relative to (each check skipped when None)."""
    checker = _DrillChecker(shown, indicator_ids)
    checker.run(data, stem, folder)
    return checker.problems


def check_all(scenarios_dir: str | Path, indicator_ids: set[str]) -> list[str]:
    """Problems of every drill in ``scenarios_dir``, named relative to its parent
    (``scenarios/gas-leak.yaml``), including drill ids used by more than one file."""
    scenarios_dir = Path(scenarios_dir)
    problems: list[str] = []
    owners: dict[str, str] = {}
    for path in sorted(scenarios_dir.glob("*.yml")):
        problems.append(f"{shown_path(path, scenarios_dir)}: drill files must end in .yaml")
    for path in sorted(scenarios_dir.glob("*.yaml")):
        shown = shown_path(path, scenarios_dir)
        data, found = _check_file(path, indicator_ids, shown)
        problems += found
        drill_id = data.get("id") if isinstance(data, Mapping) else None
        if isinstance(drill_id, str):
            if drill_id in owners:
                problems.append(f"{shown}: id: drill id '{drill_id}' is also used by {owners[drill_id]}")
            else:
                owners[drill_id] = shown
    return problems



def _check_file(path: Path, indicator_ids: set[str], shown: str) -> tuple[Any, list[str]]:
    try:
        data = load_yaml(path, shown)
    except ContentError as exc:
        return None, [str(exc)]
    except OSError as exc:
        return None, [f"{shown}: cannot read the file ({exc.strerror})"]
    return data, check_drill(data, indicator_ids, shown=shown, stem=path.stem, folder=path.parent)


def _kind(value: Any) -> str | None:
    """'bool', 'int' or None: the variable types (a YAML true is not the number 1)."""
    if isinstance(value, bool):
        return "bool"
    return "int" if isinstance(value, int) else None


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _reachable(roots: Iterable[str], successors: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(roots)
    queue = deque(seen)
    while queue:
        for nxt in successors(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _show_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, str) else str(value)


class _DrillChecker:
    def __init__(self, shown: str, indicator_ids: set[str]):
        self.shown = shown
        self.indicator_ids = indicator_ids
        self.problems: list[str] = []
        self.declared: set[str] = set()      # the drill's own (valid) indicators
        self.scored: set[str] = set()
        self.variables: dict[str, str | None] = {}  # name -> 'bool' | 'int' (None: ill-typed, reported)
        self.edges: dict[str, list[str]] = {}  # node id -> valid targets
        self.endings: dict[str, Any] = {}    # ending node id -> outcome

    def report(self, where: str | None, problem: str) -> None:
        self.problems.append(f"{self.shown}: {where}: {problem}" if where else f"{self.shown}: {problem}")

    # -- fields --------------------------------------------------------------------------------

    def run(self, data: Any, stem: str | None, folder: Path | None) -> None:
        if data is None:
            self.report(None, "the file is empty")
            return
        if not isinstance(data, Mapping):
            self.report(None, "the top level must be a mapping of fields (id, title, ..., nodes)")
            return
        self.unknown_fields(None, data, DRILL_FIELDS)
        for name in DRILL_FIELDS:
            if name not in data and name not in OPTIONAL_FIELDS:
                self.report(name, "required field is missing")
        self.metadata(data, stem)
        if "cites" in data:
            for path, problem in cites_problems(data["cites"]):
                self.report(path, problem)
        self.declare_variables(data.get("variables"))
        nodes = data.get("nodes")
        if "nodes" in data and (not isinstance(nodes, Mapping) or not nodes):
            self.report("nodes", "must be a mapping of node id to node")
            return
        nodes = nodes or {}
        names = set()
        for node_id in nodes:
            if isinstance(node_id, str) and NAME_RE.match(node_id):
                names.add(node_id)
            else:
                self.report(f"nodes.{node_id}", "node id must be text of lowercase letters, digits, '-' or '_'")
        for node_id, spec in nodes.items():
            if node_id in names:
                self.node(node_id, spec, names, folder)
        start = data.get("start")
        if "start" in data:
            if not isinstance(start, str) or start not in names:
                self.report("start", f"unknown node {start!r}")
            elif start in self.endings:
                self.report("start", f"the start node '{start}' is an ending")
        for name in sorted(self.declared - self.scored):
            self.report("indicators", f"'{name}' is listed but no choice or timeout scores it")
        if names and "success" not in self.endings.values():
            self.report("nodes", "no node has 'ending: success' (the best path needs one)")
        if isinstance(start, str) and start in names and start not in self.endings:
            self.graph(start, [n for n in nodes if n in names])
        if not self.problems:
            self.play(data)

    def unknown_fields(self, where: str | None, spec: Mapping, allowed: tuple[str, ...]) -> None:
        for key in spec:
            if key not in allowed:
                self.report(f"{where}.{key}" if where else str(key), f"unknown field (allowed: {', '.join(allowed)})")

    def metadata(self, data: Mapping, stem: str | None) -> None:
        drill_id = data.get("id")
        if "id" in data:
            if not isinstance(drill_id, str) or not ID_RE.match(drill_id):
                self.report("id", f"{drill_id!r} may only use lowercase letters, digits and hyphens")
            elif stem is not None and drill_id != stem:
                self.report("id", f"'{drill_id}' must equal the file name '{stem}'")
        for name in ("title", "summary"):
            if name in data and not _is_text(data[name]):
                self.report(name, "must be non-empty text")
        difficulty = data.get("difficulty")
        if "difficulty" in data and (_kind(difficulty) != "int" or not 1 <= difficulty <= 3):
            self.report("difficulty", f"must be 1, 2 or 3, not {difficulty!r}")
        version = data.get("version")
        if "version" in data and (_kind(version) != "int" or version < 1):
            self.report("version", f"must be a whole number from 1, not {version!r}")
        indicators = data.get("indicators")
        if "indicators" not in data:
            return
        if not isinstance(indicators, list) or not indicators:
            self.report("indicators", "must be a non-empty list of indicator ids")
            return
        for i, name in enumerate(indicators):
            if not isinstance(name, str) or name not in self.indicator_ids:
                self.report(f"indicators[{i}]", f"unknown indicator id {name!r} (not in the competency model)")
            elif name in self.declared:
                self.report(f"indicators[{i}]", f"duplicate indicator '{name}'")
            else:
                self.declared.add(name)

    def declare_variables(self, variables: Any) -> None:
        if variables is None:
            return
        if not isinstance(variables, Mapping):
            self.report("variables", "must be a mapping of variable name to initial value")
            return
        for name, value in variables.items():
            if not isinstance(name, str) or not VARIABLE_RE.match(name) or name in RESERVED:
                self.report(f"variables.{name}", "name must be lowercase letters, digits and '_' "
                                                 "(and not 'any' or 'not')")
            else:
                if _kind(value) is None:
                    self.report(f"variables.{name}",
                                f"initial value must be a whole number or true/false, not {value!r}")
                self.variables[name] = _kind(value)

    def node(self, node_id: str, spec: Any, names: set[str], folder: Path | None) -> None:
        where = f"nodes.{node_id}"
        self.edges[node_id] = []
        if not isinstance(spec, Mapping):
            self.report(where, "must be a mapping with text and either choices or ending")
            return
        self.unknown_fields(where, spec, NODE_FIELDS)
        if not _is_text(spec.get("text")):
            self.report(f"{where}.text", "required text is missing")
        title = spec.get("title")  # optional: without one, maps show the start of the text
        if "title" in spec and not _is_text(title):
            self.report(f"{where}.title", "must be a few words that name this moment (e.g. 赶到现场)")
        elif _is_text(title) and len(title.strip()) > TITLE_MAX:
            self.report(f"{where}.title", f"is {len(title.strip())} characters; keep it to {TITLE_MAX}")
        if "image" in spec:
            self.image(f"{where}.image", spec["image"], folder)
        if "choices" in spec and "ending" in spec:
            self.report(where, "has both choices and ending: a node is either a decision or an ending")
            self.endings[node_id] = spec["ending"]  # so the graph checks add no follow-on noise
        elif "ending" in spec:
            self.ending(where, node_id, spec)
        elif "choices" in spec:
            self.decision(where, node_id, spec, names)
        else:
            self.report(where, "needs either choices (a decision) or ending (an outcome)")

    def image(self, where: str, image: Any, folder: Path | None) -> None:
        if not _is_text(image) or image.startswith("/") or ".." in Path(image).parts or "://" in image:
            self.report(where, f"must be a path relative to the drill file, not {image!r}")
        elif folder is not None and not (folder / image).is_file():
            self.report(where, f"file not found: {image}")

    def ending(self, where: str, node_id: str, spec: Mapping) -> None:
        outcome = spec["ending"]
        if outcome not in engine.OUTCOMES:
            self.report(f"{where}.ending", f"must be one of {', '.join(engine.OUTCOMES)}, not {outcome!r}")
        self.endings[node_id] = outcome
        if not _is_text(spec.get("debrief")):
            self.report(f"{where}.debrief", "an ending needs a debrief (专家点评)")
        for name in ("time_limit_s", *TIMEOUT_FIELDS):
            if name in spec:
                self.report(f"{where}.{name}", "an ending cannot be urgent")

    def decision(self, where: str, node_id: str, spec: Mapping, names: set[str]) -> None:
        if "debrief" in spec:
            self.report(f"{where}.debrief", "only endings have a debrief")
        self.urgency(where, node_id, spec, names)
        choices = spec["choices"]
        if not isinstance(choices, list) or not choices:
            self.report(f"{where}.choices", "must be a non-empty list of choices")
            return
        first_at: dict[str, int] = {}
        for i, choice in enumerate(choices):
            cwhere = f"{where}.choices[{i}]"
            if not isinstance(choice, Mapping):
                self.report(cwhere, "must be a mapping with id, text, to and feedback")
                continue
            self.unknown_fields(cwhere, choice, CHOICE_FIELDS)
            for name in ("id", "text", "to", "feedback"):
                if name not in choice:
                    self.report(f"{cwhere}.{name}", "required field is missing")
            for name in ("text", "feedback"):
                if name in choice and not _is_text(choice[name]):
                    self.report(f"{cwhere}.{name}", "must be non-empty text")
            choice_id = choice.get("id")
            if "id" in choice:
                if not isinstance(choice_id, str) or not NAME_RE.match(choice_id):
                    self.report(f"{cwhere}.id", "choice id must be text of lowercase letters, digits, '-' or '_'")
                elif choice_id in first_at:
                    self.report(f"{cwhere}.id",
                                f"duplicate choice id '{choice_id}' (also choices[{first_at[choice_id]}])")
                else:
                    first_at[choice_id] = i
            if "to" in choice:
                self.target(f"{cwhere}.to", node_id, choice["to"], names)
            if "if" in choice:
                self.condition(f"{cwhere}.if", choice["if"])
            if "set" in choice:
                self.effects(f"{cwhere}.set", choice["set"])
            if "score" in choice:
                self.score(f"{cwhere}.score", choice["score"])
            for name in ("red_line", "required_step"):
                if name in choice and not _is_text(choice[name]):
                    self.report(f"{cwhere}.{name}", "must be non-empty text naming the rule or the step")
            if "red_line" in choice and "required_step" in choice:
                self.report(cwhere, "a move cannot both cross a red line and be a required step")
        self.reading_time(where, spec)

    def reading_time(self, where: str, spec: Mapping) -> None:
        """An urgent node leaves time to read it and its choices (6 汉字 a second)."""
        limit, (low, high) = spec.get("time_limit_s"), TIME_LIMIT_S
        if _kind(limit) != "int" or not low <= limit <= high:  # absent, or already reported
            return
        texts = [spec.get("text")] + [c.get("text") for c in spec["choices"] if isinstance(c, Mapping)]
        han = sum(len(HAN_RE.findall(t)) for t in texts if isinstance(t, str))
        needed = -(-han // HAN_PER_SECOND)
        if limit < needed:
            self.report(f"{where}.time_limit_s", f"{limit} s is too short to read the situation and the choices "
                                                 f"({han} 汉字 need at least {needed} s at {HAN_PER_SECOND} a second)")

    def urgency(self, where: str, node_id: str, spec: Mapping, names: set[str]) -> None:
        if "time_limit_s" not in spec:
            for name in TIMEOUT_FIELDS:
                if name in spec:
                    self.report(f"{where}.{name}", "only urgent nodes (with time_limit_s) have it")
            return
        limit, (low, high) = spec["time_limit_s"], TIME_LIMIT_S
        if _kind(limit) != "int" or not low <= limit <= high:
            self.report(f"{where}.time_limit_s",
                        f"must be a whole number of seconds from {low} to {high}, not {limit!r}")
        if "on_timeout" not in spec:
            self.report(where, "an urgent node (time_limit_s) needs on_timeout: "
                               "where the drill goes when time runs out")
        else:
            self.target(f"{where}.on_timeout", node_id, spec["on_timeout"], names)
        if "timeout_score" in spec:
            self.score(f"{where}.timeout_score", spec["timeout_score"])
        if "timeout_feedback" in spec and not _is_text(spec["timeout_feedback"]):
            self.report(f"{where}.timeout_feedback", "must be non-empty text")
        if "timeout_set" in spec:
            self.effects(f"{where}.timeout_set", spec["timeout_set"])
        if "timeout_red_line" in spec and not _is_text(spec["timeout_red_line"]):
            self.report(f"{where}.timeout_red_line", "must be non-empty text naming the rule")

    def target(self, where: str, node_id: str, target: Any, names: set[str]) -> None:
        if isinstance(target, str) and target in names:
            self.edges[node_id].append(target)
        else:
            self.report(where, f"unknown node {target!r}")

    def score(self, where: str, score: Any) -> None:
        if not isinstance(score, Mapping):
            self.report(where, "must be a mapping of indicator id to a whole number")
            return
        for name, delta in score.items():
            if name not in self.indicator_ids:
                self.report(where, f"unknown indicator id {name!r} (not in the competency model)")
            elif name not in self.declared:
                self.report(where, f"indicator '{name}' is not listed in the drill's indicators")
            elif _kind(delta) != "int":
                self.report(where, f"'{name}' must be a whole number, not {delta!r}")
            else:
                self.scored.add(name)

    def condition(self, where: str, spec: Any) -> None:
        if not isinstance(spec, Mapping) or not spec:
            self.report(where, CONDITION_HINT)
            return
        for name, test in spec.items():
            here = f"{where}.{name}"
            if name == "any":
                if not isinstance(test, list) or not test:
                    self.report(here, "must be a non-empty list of conditions")
                else:
                    for i, item in enumerate(test):
                        self.condition(f"{here}[{i}]", item)
            elif name == "not":
                self.condition(here, test)
            elif name not in self.variables:
                self.report(where, f"unknown variable {name!r} (declare it under variables)")
            elif isinstance(test, Mapping):
                if not test:
                    self.report(here, CONDITION_HINT)
                for op, value in test.items():
                    self.comparison(f"{here}.{op}", name, op, value)
            else:
                self.comparison(here, name, "eq", test)

    def comparison(self, where: str, name: str, op: Any, value: Any) -> None:
        kind = self.variables[name]
        if op not in engine.COMPARISONS:
            self.report(where, f"unknown comparison {op!r} (use {', '.join(engine.COMPARISONS)})")
        elif kind is None:
            return
        elif kind == "bool" and op not in ("eq", "ne"):
            self.report(where, f"'{op}' needs a number, but '{name}' is true/false")
        elif _kind(value) != kind:
            wanted = "true or false" if kind == "bool" else "a whole number"
            self.report(where, f"must be {wanted} like the variable '{name}', not {value!r}")

    def effects(self, where: str, spec: Any) -> None:
        if not isinstance(spec, Mapping) or not spec:
            self.report(where, "must be a mapping such as {called_119: true} or {visits: {add: 1}}")
            return
        for name, value in spec.items():
            here = f"{where}.{name}"
            kind = self.variables.get(name)
            if name not in self.variables:
                self.report(where, f"unknown variable {name!r} (declare it under variables)")
            elif kind is None:
                continue
            elif isinstance(value, Mapping):
                if list(value) != ["add"] or _kind(value["add"]) != "int":
                    self.report(here, "must be a value or {add: n} with a whole number n")
                elif kind != "int":
                    self.report(here, f"'add' needs a number, but '{name}' is true/false")
            elif _kind(value) != kind:
                wanted = "true or false" if kind == "bool" else "a whole number"
                self.report(here, f"must be {wanted} like the variable '{name}', not {value!r}")

    # -- the node graph (conditions ignored) ---------------------------------------------------

    def graph(self, start: str, order: list[str]) -> None:
        reached = _reachable([start], lambda n: self.edges.get(n, ()))
        for node_id in order:
            if node_id not in reached:
                self.report(f"nodes.{node_id}",
                            f"unreachable: no choice or timeout leads here from the start '{start}'")
        incoming: dict[str, list[str]] = {n: [] for n in order}
        for source, targets in self.edges.items():
            for target in targets:
                incoming[target].append(source)
        can_end = _reachable(self.endings, lambda n: incoming[n])
        trapped = [n for n in order if n in reached and n not in can_end]
        trapped_set = set(trapped)
        in_cycles: set[str] = set()
        for component in engine.strongly_connected(
                trapped, lambda n: (t for t in self.edges[n] if t in trapped_set)):
            if len(component) > 1 or component[0] in self.edges[component[0]]:
                first = min(component, key=order.index)
                cycle = " → ".join(self.cycle(first, set(component)))
                self.report(f"nodes.{first}", f"cycle with no exit: {cycle} (no way out of it leads to an ending)")
                in_cycles.update(component)
        for node_id in trapped:
            if node_id not in in_cycles:
                self.report(f"nodes.{node_id}", "no ending can be reached from this node")

    def cycle(self, first: str, members: set[str]) -> list[str]:
        """A shortest cycle from ``first`` back to itself inside ``members``."""
        came_from: dict[str, str] = {}
        queue = deque([first])
        while queue:
            node_id = queue.popleft()
            for target in self.edges[node_id]:
                if target == first:
                    walk = [first]
                    while node_id != first:
                        walk.append(node_id)
                        node_id = came_from[node_id]
                    return [first, *reversed(walk[1:]), first]
                if target in members and target not in came_from:
                    came_from[target] = node_id
                    queue.append(target)
        return [first]  # not reached: ``members`` is a cyclic component

    # -- play every (node, variables) state ----------------------------------------------------

    def play(self, data: Mapping) -> None:
        try:
            drill = engine.load_drill(data)
            graph = engine.explore(drill)
        except engine.StateSpaceTooLarge:
            self.report("variables", f"more than {engine.MAX_STATES} situations (node + variable values) can "
                                     "be reached: does a counter grow in a loop without a guard?")
            return
        except engine.InvalidDrill as exc:  # the checks above should have caught it: say so, never crash
            self.report(None, str(exc))
            return
        index = {(n.id, c.id): i for n in drill.nodes.values() for i, c in enumerate(n.choices)}

        def place(step: engine.Step) -> str:
            node_id, choice_id = step
            return f"nodes.{node_id}.on_timeout" if choice_id is None else \
                f"nodes.{node_id}.choices[{index[step]}]"

        def situation(key: engine.StateKey) -> str:
            return ", ".join(f"{n}={_show_value(v)}" for n, v in zip(drill.variables, key[1]))

        offered = {edge.step for edges in graph.edges.values() for edge in edges}
        reached = {key[0] for key in graph.edges}
        incoming: dict[engine.StateKey, list[engine.StateKey]] = {key: [] for key in graph.edges}
        for edges in graph.edges.values():
            for edge in edges:
                incoming[edge.target].append(edge.source)
        can_end = _reachable([k for k in graph.edges if drill.nodes[k[0]].is_ending], lambda k: incoming[k])
        blamed: set[str] = set()  # one message per node: a stuck state first, else a trapped one
        for key, edges in graph.edges.items():
            node = drill.nodes[key[0]]
            if node.id not in blamed and not node.is_ending and all(edge.step[1] is None for edge in edges):
                self.report(f"nodes.{node.id}", f"no choice is offered when {situation(key)} "
                                                "(every choice's condition fails)")
                blamed.add(node.id)
        for key in graph.edges:
            if key[0] not in blamed and key not in can_end:
                self.report(f"nodes.{key[0]}", f"when {situation(key)}, no ending can be reached any more "
                                               "(conditions block every way out)")
                blamed.add(key[0])
        for node in drill.nodes.values():
            if node.id not in reached:
                self.report(f"nodes.{node.id}", "never reached in play: the conditions on every way here "
                                                "can never be met")
                continue
            for choice in node.choices:
                if (node.id, choice.id) not in offered:
                    self.report(place((node.id, choice.id)), "never offered: its condition can never be met in play")
        if not any(drill.nodes[n].ending == "success" for n in reached):
            self.report("nodes", "no success ending can be reached in play (conditions block the way)")
        looped: set[str] = set()
        for edge, names in engine.score_loops(drill, graph):
            where = place(edge.step)
            if where not in looped:
                looped.add(where)
                self.report(where, f"on a loop that changes {', '.join(names)} each time round: make the loop "
                                   "score-neutral or bound it with a counter (set + if)")
        if looped:
            return

        def play_text(steps) -> str:
            return " → ".join(f"{n}:{c or 'timeout'}" for n, c in steps)

        for problem in engine.safety_problems(drill, graph):
            where = place(problem.step)
            if problem.kind == "red_line_success":
                self.report(where, f"crosses the red line '{problem.rule}' yet a success ending can still be "
                                   f"reached after it, e.g. {play_text(problem.example)}")
            elif problem.kind == "red_line_pays":
                self.report(where, f"a play crossing the red line '{problem.rule}' totals {problem.totals[0]}, "
                                   f"not less than the best safe play ({problem.totals[1]}): "
                                   f"{play_text(problem.example)}")
            else:
                self.report(where, f"putting off the required step '{problem.rule}' scores {problem.totals[0]}, "
                                   f"more than taking it now ({problem.totals[1]}): {play_text(problem.example)}")
