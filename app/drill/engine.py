"""The drill engine: plays a branching scenario drill (情景模拟) and analyses its graph.

Pure: no Flask, no database; data in, data out. The file format is documented in
``app/drill/checker.py``, which validates a drill before it is loaded.

Playing (the server stores ``state.to_dict()`` after every step)::

    drill = load_drill(data)                      # data: a mapping that passed the checker
    state = initial_state(drill)
    available_choices(drill, state)               # the choices whose ``if`` holds now
    result = choose(drill, state, "call-119")     # StepResult: new state, deltas, feedback, ended
    result = timeout(drill, state)                # the clock of an urgent node ran out
    replay(drill, state.path[:-1])                # one step back (practice mode)

Every refused move raises an ``InvalidMove`` subclass and changes nothing (states are immutable).

Analysis works on the *state graph*: a state is a (node, variable values) pair, an edge is a
choice or a timeout that can be taken in it. The checker requires every loop in that graph to be
score-neutral: the choices around it add up to zero on every indicator (a loop that must not be
repeated for free is broken by state: a counter in ``set`` and a guard in ``if`` make the second
pass a different state). Going round a loop therefore never improves or worsens a total, so the
analysis cuts loops and works over plays that never repeat a state; those are finitely many, and
the extremes are found per strongly connected component in linear time (no path enumeration).
A drill with more than ``MAX_STATES`` reachable states (usually a counter that grows in a loop
without a guard) is refused.

- ``score_bounds(drill)``: the worst and best total per indicator over every complete play
  (start to any ending), for showing a score as a share of the possible.
- ``best_path(drill)``: the steps of a play that ends in a success ending with the highest total
  over all indicators (ties: fewest steps, then the order choices are written in).
"""
from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..content.yamlfile import ContentError, load_yaml

Value = int | bool
#: One step of a play: (node id, choice id), the choice id ``None`` when the clock ran out.
Step = tuple[str, str | None]
#: A state of the state graph: (node id, variable values in the order they are declared).
StateKey = tuple[str, tuple[Value, ...]]

OUTCOMES = ("success", "partial", "failure")
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt,
    "lte": operator.le, "gt": operator.gt, "gte": operator.ge,
}
MAX_STATES = 10_000


class DrillError(Exception):
    """Base of every error raised here."""


class InvalidDrill(DrillError):
    """The drill data cannot be played or analysed; the checker names every problem."""


class StateSpaceTooLarge(InvalidDrill):
    """More than MAX_STATES (node, variables) states are reachable."""


class ScoreLoop(InvalidDrill):
    """A loop of the state graph changes a score each time round; ``edges`` lists (edge, indicators)."""

    def __init__(self, edges: list[tuple[Edge, tuple[str, ...]]]):
        self.edges = edges
        first, names = edges[0]
        super().__init__(f"a loop through node '{first.step[0]}' changes {', '.join(names)} each time round")


class InvalidState(DrillError):
    """A stored state does not belong to this drill (tampered, or taken on another version)."""


class InvalidMove(DrillError):
    """A move the player may not make now; the state is unchanged."""


class InvalidChoice(InvalidMove):
    """The choice id does not exist at the current node, or its condition does not hold."""


class DrillFinished(InvalidMove):
    """The play has already reached an ending."""


class NotUrgent(InvalidMove):
    """A timeout was reported for a node that has no time limit."""


# --- conditions and effects: a tiny language, no eval -------------------------------------------


class Condition(Protocol):
    def holds(self, variables: Mapping[str, Value]) -> bool: ...

    def names(self) -> set[str]: ...


@dataclass(frozen=True)
class Compare:
    """``{var: value}`` (eq) or ``{var: {op: value}}`` with op in COMPARISONS."""

    variable: str
    op: str
    value: Value

    def holds(self, variables: Mapping[str, Value]) -> bool:
        return COMPARISONS[self.op](variables[self.variable], self.value)

    def names(self) -> set[str]:
        return {self.variable}


@dataclass(frozen=True)
class AllOf:
    """Several entries in one mapping: all must hold (an empty one always holds)."""

    terms: tuple[Condition, ...]

    def holds(self, variables: Mapping[str, Value]) -> bool:
        return all(term.holds(variables) for term in self.terms)

    def names(self) -> set[str]:
        return set().union(*(term.names() for term in self.terms))


@dataclass(frozen=True)
class AnyOf:
    """``{any: [cond, ...]}``: at least one must hold."""

    terms: tuple[Condition, ...]

    def holds(self, variables: Mapping[str, Value]) -> bool:
        return any(term.holds(variables) for term in self.terms)

    def names(self) -> set[str]:
        return set().union(*(term.names() for term in self.terms))


@dataclass(frozen=True)
class Not:
    """``{not: cond}``."""

    term: Condition

    def holds(self, variables: Mapping[str, Value]) -> bool:
        return not self.term.holds(variables)

    def names(self) -> set[str]:
        return self.term.names()


ALWAYS = AllOf(())


def parse_condition(spec: Mapping[str, Any]) -> Condition:
    """Build a Condition from its (checked) mapping form."""
    terms: list[Condition] = []
    for key, test in spec.items():
        if key == "any":
            terms.append(AnyOf(tuple(parse_condition(item) for item in test)))
        elif key == "not":
            terms.append(Not(parse_condition(test)))
        elif isinstance(test, Mapping):
            terms.extend(Compare(key, op, value) for op, value in test.items())
        else:
            terms.append(Compare(key, "eq", test))
    return terms[0] if len(terms) == 1 else AllOf(tuple(terms))


@dataclass(frozen=True)
class Effect:
    """``{var: value}`` sets the variable; ``{var: {add: n}}`` adds to a number variable."""

    variable: str
    value: Value
    add: bool = False

    def apply(self, variables: dict[str, Value]) -> None:
        variables[self.variable] = variables[self.variable] + self.value if self.add else self.value


def parse_effects(spec: Mapping[str, Any] | None) -> tuple[Effect, ...]:
    return tuple(
        Effect(name, value["add"], add=True) if isinstance(value, Mapping) else Effect(name, value)
        for name, value in (spec or {}).items()
    )


# --- the drill ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """Where a choice or a timeout leads, what it scores and sets, and the feedback shown after."""

    to: str
    score: Mapping[str, int]
    feedback: str
    effects: tuple[Effect, ...]
    #: The professional or safety rule this move breaks (红线), in a few words; None for a fair move.
    red_line: str | None
    #: A safe step the situation requires (e.g. 拨打119), marked so the checker can prove that
    #: taking it as soon as it is offered never scores less than putting it off.
    required_step: str | None


@dataclass(frozen=True)
class Choice(Transition):
    id: str
    text: str
    condition: Condition

    def available(self, variables: Mapping[str, Value]) -> bool:
        return self.condition.holds(variables)


@dataclass(frozen=True)
class Node:
    id: str
    #: A few words naming the moment (赶到现场, 老人失去反应): what maps and step lists show.
    title: str
    text: str
    image: str | None
    choices: tuple[Choice, ...]
    ending: str | None            # success | partial | failure, None for a decision node
    debrief: str | None           # 专家点评, endings only
    time_limit_s: int | None      # urgent nodes only
    on_timeout: Transition | None

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    @property
    def is_urgent(self) -> bool:
        return self.time_limit_s is not None


@dataclass(frozen=True)
class Drill:
    id: str
    title: str
    summary: str
    difficulty: int
    indicators: tuple[str, ...]
    version: int
    variables: Mapping[str, Value]  # name -> initial value, in declaration order
    start: str
    nodes: Mapping[str, Node]       # in file order


def load_drill(data: Mapping[str, Any]) -> Drill:
    """Build a Drill from a mapping that passed ``checker.check_drill``.

    Raises InvalidDrill when the data is not shaped like a drill or refers to a node or variable
    that does not exist (the checker gives the full list of problems).
    """
    try:
        drill = Drill(
            id=data["id"], title=data["title"], summary=data["summary"],
            difficulty=data["difficulty"], indicators=tuple(data["indicators"]),
            version=data["version"], variables=dict(data.get("variables") or {}),
            start=data["start"],
            nodes={node_id: _node(node_id, spec) for node_id, spec in data["nodes"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidDrill(f"not a valid drill ({type(exc).__name__}: {exc}); run the drill checker") from exc
    _check_references(drill)
    return drill


def load_drill_file(path: str | Path) -> Drill:
    """Read a drill file (strict YAML) and load it; raises InvalidDrill. Does not run the checker."""
    try:
        data = load_yaml(Path(path))
    except (ContentError, OSError) as exc:
        raise InvalidDrill(str(exc)) from exc
    if not isinstance(data, Mapping):
        raise InvalidDrill(f"{path}: not a drill (the top level must be a mapping)")
    return load_drill(data)


def _node(node_id: str, spec: Mapping[str, Any]) -> Node:
    on_timeout = None
    if "on_timeout" in spec:
        on_timeout = Transition(
            to=spec["on_timeout"], score=dict(spec.get("timeout_score") or {}),
            feedback=spec.get("timeout_feedback", ""), effects=parse_effects(spec.get("timeout_set")),
            red_line=spec.get("timeout_red_line"), required_step=None,
        )
    choices = tuple(
        Choice(
            id=c["id"], text=c["text"], to=c["to"], score=dict(c.get("score") or {}),
            feedback=c["feedback"], effects=parse_effects(c.get("set")),
            red_line=c.get("red_line"), required_step=c.get("required_step"),
            condition=parse_condition(c["if"]) if "if" in c else ALWAYS,
        )
        for c in spec.get("choices") or ()
    )
    return Node(
        id=node_id, title=spec.get("title") or _title_from(spec["text"]), text=spec["text"],
        image=spec.get("image"), choices=choices,
        ending=spec.get("ending"), debrief=spec.get("debrief"),
        time_limit_s=spec.get("time_limit_s"), on_timeout=on_timeout,
    )


def _title_from(text: str, limit: int = 10) -> str:
    """A stand-in title for a node without one (shipped drills give every node a title: see
    tests/unit/test_drill_content.py): the start of its first sentence."""
    first = " ".join(str(text).split()).lstrip("#> ").replace("**", "")
    for stop in "。！？；：，":
        first = first.split(stop, 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _check_references(drill: Drill) -> None:
    """Guard the invariant that play never meets a missing node, variable or indicator."""
    def fail(problem: str) -> None:
        raise InvalidDrill(f"drill '{drill.id}': {problem}; run the drill checker")

    if drill.start not in drill.nodes:
        fail(f"start node '{drill.start}' does not exist")
    for node in drill.nodes.values():
        if (node.ending is None) == (not node.choices):
            fail(f"node '{node.id}' must have either choices or an ending")
        if node.ending is not None and node.ending not in OUTCOMES:
            fail(f"node '{node.id}' has unknown ending '{node.ending}'")
        if node.is_urgent != (node.on_timeout is not None):
            fail(f"node '{node.id}' needs both time_limit_s and on_timeout, or neither")
        for transition in _transitions(node):
            if transition.to not in drill.nodes:
                fail(f"node '{node.id}' leads to unknown node '{transition.to}'")
            names = {effect.variable for effect in transition.effects}
            if isinstance(transition, Choice):
                names |= transition.condition.names()
            if names - set(drill.variables):
                fail(f"node '{node.id}' uses undefined variable(s) {sorted(names - set(drill.variables))}")
            if set(transition.score) - set(drill.indicators):
                fail(f"node '{node.id}' scores indicator(s) not listed in the drill's indicators")


def _transitions(node: Node) -> Iterable[Transition]:
    yield from node.choices
    if node.on_timeout is not None:
        yield node.on_timeout


# --- playing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """Where a play stands. Immutable; JSON-serialisable through to_dict / from_dict."""

    drill: str
    version: int
    node: str
    variables: Mapping[str, Value]
    scores: Mapping[str, int]       # accumulated total per indicator
    path: tuple[Step, ...] = ()     # every step taken so far
    outcome: str | None = None      # the ending's outcome once finished

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "drill": self.drill, "version": self.version, "node": self.node,
            "variables": dict(self.variables), "scores": dict(self.scores),
            "path": [[node, choice] for node, choice in self.path],
            "outcome": self.outcome, "finished": self.finished,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> State:
        """Rebuild a stored state; raises InvalidState when it is not shaped like one."""
        try:
            state = cls(
                drill=data["drill"], version=data["version"], node=data["node"],
                variables=dict(data["variables"]), scores=dict(data["scores"]),
                path=tuple((node, choice) for node, choice in data["path"]),
                outcome=data["outcome"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidState(f"stored drill state is malformed ({type(exc).__name__}: {exc})") from exc
        kinds = [(state.drill, str), (state.node, str), (state.version, int)]
        kinds += [(value, (int, bool)) for value in state.variables.values()]
        kinds += [(value, int) for value in state.scores.values()]
        kinds += [(part, (str, type(None))) for step in state.path for part in step]
        if any(not isinstance(value, kind) for value, kind in kinds) or state.outcome not in (*OUTCOMES, None) \
                or data.get("finished", state.finished) != state.finished:
            raise InvalidState("stored drill state is malformed (a field has the wrong type)")
        return state


@dataclass(frozen=True)
class StepResult:
    state: State                   # the state after the step
    step: Step
    deltas: Mapping[str, int]      # score change per indicator caused by this step
    feedback: str
    timed_out: bool = False

    @property
    def ended(self) -> bool:
        return self.state.finished

    @property
    def outcome(self) -> str | None:
        return self.state.outcome


def initial_state(drill: Drill) -> State:
    return State(
        drill=drill.id, version=drill.version, node=drill.start, variables=dict(drill.variables),
        scores=dict.fromkeys(drill.indicators, 0),
    )


def available_choices(drill: Drill, state: State) -> list[Choice]:
    """The choices offered now, in file order ([] once finished). Raises InvalidState."""
    node = _node_of(drill, state)
    if state.finished:
        return []
    return [choice for choice in node.choices if choice.available(state.variables)]


def choose(drill: Drill, state: State, choice_id: str) -> StepResult:
    """Take the choice ``choice_id`` at the current node.

    Raises InvalidChoice (unknown or not available now), DrillFinished, or InvalidState.
    """
    node = _playable_node(drill, state)
    for choice in node.choices:
        if choice.id == choice_id:
            if not choice.available(state.variables):
                raise InvalidChoice(f"choice '{choice_id}' is not available at node '{node.id}' now")
            return _take(drill, state, choice, (node.id, choice.id))
    raise InvalidChoice(f"node '{node.id}' has no choice {choice_id!r}")


def timeout(drill: Drill, state: State) -> StepResult:
    """Take the on_timeout path of the current (urgent) node.

    The clock itself is the caller's: the engine does not know the time. Raises NotUrgent,
    DrillFinished, or InvalidState.
    """
    node = _playable_node(drill, state)
    if node.on_timeout is None:
        raise NotUrgent(f"node '{node.id}' has no time limit")
    return _take(drill, state, node.on_timeout, (node.id, None))


def replay(drill: Drill, steps: Iterable[Sequence[str | None]]) -> State:
    """The state reached by playing ``steps`` from the start; raises InvalidMove on a wrong step."""
    state = initial_state(drill)
    for node_id, choice_id in steps:
        if node_id != state.node:
            raise InvalidMove(f"step at node '{node_id}' but the play is at node '{state.node}'")
        state = (timeout(drill, state) if choice_id is None else choose(drill, state, choice_id)).state
    return state


def transition_of(drill: Drill, step: Step) -> Transition:
    """The choice (or the timeout path, for a step with choice None) a step took."""
    node_id, choice_id = step
    node = drill.nodes[node_id]
    if choice_id is None:
        if node.on_timeout is None:
            raise InvalidMove(f"node '{node_id}' has no time limit")
        return node.on_timeout
    for choice in node.choices:
        if choice.id == choice_id:
            return choice
    raise InvalidMove(f"node '{node_id}' has no choice {choice_id!r}")


def red_lines_crossed(drill: Drill, path: Iterable[Step]) -> list[tuple[Step, str]]:
    """The steps of a play that crossed a red line, with the rule each broke, in order."""
    crossed = []
    for step in path:
        rule = transition_of(drill, step).red_line
        if rule:
            crossed.append((step, rule))
    return crossed


def _node_of(drill: Drill, state: State) -> Node:
    if (state.drill, state.version) != (drill.id, drill.version):
        raise InvalidState(
            f"state belongs to drill '{state.drill}' version {state.version}, "
            f"not '{drill.id}' version {drill.version}")
    node = drill.nodes.get(state.node)
    if node is None:
        raise InvalidState(f"drill '{drill.id}' has no node '{state.node}'")
    if set(state.variables) != set(drill.variables) or set(state.scores) != set(drill.indicators):
        raise InvalidState(f"state variables or scores do not match drill '{drill.id}'")
    if state.finished != node.is_ending:
        raise InvalidState(f"state at node '{node.id}' has the wrong outcome")
    return node


def _playable_node(drill: Drill, state: State) -> Node:
    node = _node_of(drill, state)
    if state.finished:
        raise DrillFinished(f"the drill has already ended ({state.outcome})")
    return node


def _apply(effects: Iterable[Effect], variables: Mapping[str, Value]) -> dict[str, Value]:
    after = dict(variables)
    for effect in effects:
        effect.apply(after)
    return after


def _take(drill: Drill, state: State, transition: Transition, step: Step) -> StepResult:
    target = drill.nodes[transition.to]
    path = (*state.path, step)
    outcome = target.ending
    if outcome == "success" and red_lines_crossed(drill, path):
        outcome = "failure"  # never reached in a checked drill (the checker proves it); a safety net
    new = State(
        drill=state.drill, version=state.version, node=target.id,
        variables=_apply(transition.effects, state.variables),
        scores={name: total + transition.score.get(name, 0) for name, total in state.scores.items()},
        path=path, outcome=outcome,
    )
    return StepResult(state=new, step=step, deltas=dict(transition.score), feedback=transition.feedback,
                      timed_out=step[1] is None)


# --- analysis ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    source: StateKey
    target: StateKey
    step: Step
    score: Mapping[str, int]
    red_line: str | None = None
    required_step: str | None = None


@dataclass(frozen=True)
class StateGraph:
    start: StateKey
    edges: Mapping[StateKey, list[Edge]]  # every reachable state (breadth-first order) -> its moves


def explore(drill: Drill, max_states: int = MAX_STATES) -> StateGraph:
    """Every (node, variables) state reachable from the start; raises StateSpaceTooLarge."""
    names = tuple(drill.variables)
    start: StateKey = (drill.start, tuple(drill.variables.values()))
    edges: dict[StateKey, list[Edge]] = {}
    seen = {start}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        node = drill.nodes[key[0]]
        variables = dict(zip(names, key[1]))
        moves: list[tuple[Step, Transition]] = [
            ((node.id, choice.id), choice) for choice in node.choices if choice.available(variables)]
        if node.on_timeout is not None:
            moves.append(((node.id, None), node.on_timeout))
        out = []
        for step, transition in moves:
            after = _apply(transition.effects, variables)
            target: StateKey = (transition.to, tuple(after[name] for name in names))
            out.append(Edge(key, target, step, transition.score, transition.red_line, transition.required_step))
            if target not in seen:
                if len(seen) >= max_states:
                    raise StateSpaceTooLarge(
                        f"drill '{drill.id}' has more than {max_states} reachable (node, variables) states")
                seen.add(target)
                queue.append(target)
        edges[key] = out
    return StateGraph(start, edges)


V = TypeVar("V")


def strongly_connected(vertices: Iterable[V], successors: Callable[[V], Iterable[V]]) -> list[list[V]]:
    """Tarjan's algorithm, iterative. A component is listed after every component it can reach."""
    index: dict[V, int] = {}
    low: dict[V, int] = {}
    stack: list[V] = []
    on_stack: set[V] = set()
    components: list[list[V]] = []
    for root in vertices:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors(root)))]
        while work:
            vertex, pending = work[-1]
            for nxt in pending:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(successors(nxt))))
                    break
                if nxt in on_stack:
                    low[vertex] = min(low[vertex], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[vertex])
                if low[vertex] == index[vertex]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == vertex:
                            break
                    components.append(component)
    return components


Vector = tuple[int, ...]
Weigh = Callable[[Edge], Vector]


def _components(graph: StateGraph) -> list[list[StateKey]]:
    return strongly_connected(graph.edges, lambda key: (edge.target for edge in graph.edges[key]))


def _potentials(component: list[StateKey], graph: StateGraph, weigh: Weigh,
                width: int) -> tuple[dict[StateKey, Vector], list[tuple[Edge, Vector]]]:
    """Score totals from the component's first state along its own edges, and the edges that
    contradict them (those lie on a loop that changes a score; the vector says which parts)."""
    members = set(component)
    potential: dict[StateKey, Vector] = {component[0]: (0,) * width}
    queue = deque([component[0]])
    while queue:
        key = queue.popleft()
        for edge in graph.edges[key]:
            if edge.target in members and edge.target not in potential:
                potential[edge.target] = tuple(map(operator.add, potential[key], weigh(edge)))
                queue.append(edge.target)
    conflicts = []
    for key in component:
        for edge in graph.edges[key]:
            if edge.target in members:
                gain = tuple(p + w - q for p, w, q in zip(potential[key], weigh(edge), potential[edge.target]))
                if any(gain):
                    conflicts.append((edge, gain))
    return potential, conflicts


def score_loops(drill: Drill, graph: StateGraph | None = None) -> list[tuple[Edge, tuple[str, ...]]]:
    """Edges on loops that change a score each time round, with the indicators they change."""
    graph = explore(drill) if graph is None else graph
    weigh = _indicator_weights(drill)
    found = []
    for component in _components(graph):
        for edge, gain in _potentials(component, graph, weigh, len(drill.indicators))[1]:
            found.append((edge, tuple(name for name, g in zip(drill.indicators, gain) if g)))
    return found


def _extremes(graph: StateGraph, components: list[list[StateKey]], weigh: Weigh, width: int,
              is_goal: Callable[[StateKey], bool], pick: Callable[[Iterable[int]], int],
              names: Sequence[str]) -> dict[StateKey, Vector]:
    """For each state from which a goal can be reached: per weight part, the ``pick`` (max or min)
    total over the plays from there to a goal. Components come sinks first, so every edge leaving
    a component has its target's value already; inside a component totals are path-independent
    (potentials), so a state's value is the best exit measured from it."""
    value: dict[StateKey, Vector] = {}
    for component in components:
        potential, conflicts = _potentials(component, graph, weigh, width)
        if conflicts:
            raise ScoreLoop([(edge, tuple(n for n, g in zip(names, gain) if g)) for edge, gain in conflicts])
        members = set(component)
        exits: list[Vector] = []  # potential of the exit point + what the exit is worth
        for key in component:
            if is_goal(key):
                exits.append(potential[key])
            for edge in graph.edges[key]:
                if edge.target not in members and edge.target in value:
                    exits.append(tuple(p + w + v for p, w, v in
                                       zip(potential[key], weigh(edge), value[edge.target])))
        if exits:
            best = tuple(pick(parts) for parts in zip(*exits))
            for key in component:
                value[key] = tuple(b - p for b, p in zip(best, potential[key]))
    return value


def _indicator_weights(drill: Drill) -> Weigh:
    return lambda edge: tuple(edge.score.get(name, 0) for name in drill.indicators)


def score_bounds(drill: Drill) -> dict[str, tuple[int, int]]:
    """Indicator -> (worst, best) total over every play from the start to any ending.

    Raises InvalidDrill when no ending can be reached, ScoreLoop, or StateSpaceTooLarge.
    """
    graph = explore(drill)
    components = _components(graph)
    weigh, width = _indicator_weights(drill), len(drill.indicators)

    def is_ending(key: StateKey) -> bool:
        return drill.nodes[key[0]].is_ending

    low = _extremes(graph, components, weigh, width, is_ending, min, drill.indicators)
    high = _extremes(graph, components, weigh, width, is_ending, max, drill.indicators)
    if graph.start not in high:
        raise InvalidDrill(f"drill '{drill.id}': no ending can be reached from the start")
    return {name: (low[graph.start][i], high[graph.start][i]) for i, name in enumerate(drill.indicators)}


def best_path(drill: Drill) -> list[Step]:
    """A play to a success ending with the highest total score (summed over indicators).

    Raises InvalidDrill when no success ending can be reached, ScoreLoop, or StateSpaceTooLarge.
    """
    graph = explore(drill)

    def weigh(edge: Edge) -> Vector:
        return (sum(edge.score.values()),)

    def is_success(key: StateKey) -> bool:
        return drill.nodes[key[0]].ending == "success"

    best = _extremes(graph, _components(graph), weigh, 1, is_success, max, ("total",))
    if graph.start not in best:
        raise InvalidDrill(f"drill '{drill.id}': no success ending can be reached from the start")
    # Breadth-first along the edges that keep the best total: the first success found is optimal
    # (totals telescope along such edges) and the walk is loop-free.
    path = _tight_path(graph, best, weigh, is_success, graph.start)
    if not path and not is_success(graph.start):  # an invariant, checked even under python -O
        raise RuntimeError("unreachable: the start has a best total, so a tight path exists")
    return list(path)


def share(total: int, bounds: tuple[int, int]) -> float | None:
    """A total as 0-100 of the possible range (worst..best), or None when the range is empty."""
    low, high = bounds
    if high == low:
        return None
    return round(100 * (total - low) / (high - low), 1)


def outcome_shares(totals: Mapping[str, int], bounds: Mapping[str, tuple[int, int]]) -> tuple[dict[str, float], float]:
    """How well a finished play did: each indicator's total as a share of its possible range
    (indicators no choice can move are left out), and the whole play's share over those indicators."""
    moving = {name: bound for name, bound in bounds.items() if bound[1] > bound[0]}
    shares = {name: share(totals.get(name, 0), bound) for name, bound in moving.items()}
    low = sum(lo for lo, _hi in moving.values())
    high = sum(hi for _lo, hi in moving.values())
    total = sum(totals.get(name, 0) for name in moving)
    overall = round(100 * (total - low) / (high - low), 1) if high > low else 0.0
    return shares, overall


# --- safety: red lines and required steps ------------------------------------------------------


@dataclass(frozen=True)
class SafetyProblem:
    """A way a drill could teach the wrong move. ``kind``: ``red_line_success`` (a red-line move
    can still end in success), ``red_line_pays`` (a play crossing a red line scores as much as the
    best safe play) or ``deferral_pays`` (putting off a required step scores more than taking it)."""

    kind: str
    step: Step                 # the move concerned
    rule: str                  # the red line or the required step
    example: tuple[Step, ...]  # a play that shows it, from the start
    totals: tuple[int, int] = (0, 0)  # red_line_pays: (red play, best safe play); deferral_pays: (deferring, taking)


def _total_weights(drill: Drill) -> Weigh:
    return lambda edge: (sum(edge.score.get(name, 0) for name in drill.indicators),)


def _flagged(graph: StateGraph) -> StateGraph:
    """The state graph with one more bit per state: has the play crossed a red line yet?"""
    start = (graph.start, False)
    edges: dict = {}
    queue = deque([start])
    seen = {start}
    while queue:
        key = queue.popleft()
        state, crossed = key
        out = []
        for edge in graph.edges[state]:
            target = (edge.target, crossed or bool(edge.red_line))
            out.append(Edge(key, target, edge.step, edge.score, edge.red_line, edge.required_step))
            if target not in seen:
                seen.add(target)
                queue.append(target)
        edges[key] = out
    return StateGraph(start, edges)


def _steps_to(came_by: Mapping, key) -> tuple[Step, ...]:
    """The steps of the breadth-first tree ``came_by`` (state → the edge it was reached by) to ``key``."""
    steps: list[Step] = []
    while (edge := came_by[key]) is not None:
        steps.append(edge.step)
        key = edge.source
    return tuple(steps[::-1])


def _tight_path(graph: StateGraph, value: Mapping, weigh: Weigh, is_goal: Callable, start) -> tuple[Step, ...]:
    """A play from ``start`` to a goal whose total equals ``value[start]`` (breadth-first along
    edges that keep the total; loops are score-neutral, so the walk is loop-free and finite)."""
    came_by: dict = {start: None}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        if is_goal(key):
            return _steps_to(came_by, key)
        for edge in graph.edges[key]:
            target = edge.target
            if target in value and target not in came_by and value[key][0] == weigh(edge)[0] + value[target][0]:
                came_by[target] = edge
                queue.append(target)
    return ()


def _path_to(graph: StateGraph, goal) -> tuple[Step, ...]:
    """A shortest play from the start to the state ``goal``."""
    came_by: dict = {graph.start: None}
    queue = deque([graph.start])
    while queue:
        key = queue.popleft()
        if key == goal:
            return _steps_to(came_by, key)
        for edge in graph.edges[key]:
            if edge.target not in came_by:
                came_by[edge.target] = edge
                queue.append(edge.target)
    return ()


def safety_problems(drill: Drill, graph: StateGraph | None = None) -> list[SafetyProblem]:
    """Prove, over every reachable (node, variables) state, the three safety rules of a drill:

    1. No play through a red-line move reaches a success ending.
    2. Every play that crosses a red line totals strictly less (summed over indicators) than the
       best play that crosses none: breaking a rule never pays, not even as a tie.
    3. A required step pays at once: wherever a move marked ``required_step`` is offered, the best
       total reachable by taking it now is at least the best total reachable by any move there that
       takes no required step and crosses no red line (doing something else first, or letting the
       clock run out; red-line moves are rule 2's). So taking a safe, required step earlier never
       scores less than taking it later.

    Returns the problems found ([] for a safe drill), each with a play that shows it. Raises
    ScoreLoop or StateSpaceTooLarge like the other analyses.
    """
    graph = explore(drill) if graph is None else graph
    problems: list[SafetyProblem] = []
    incoming: dict[StateKey, list[StateKey]] = {key: [] for key in graph.edges}
    for edges in graph.edges.values():
        for edge in edges:
            incoming[edge.target].append(edge.source)
    wins = {key for key in graph.edges if drill.nodes[key[0]].ending == "success"}
    can_win = set(wins)
    queue = deque(wins)
    while queue:
        for source in incoming[queue.popleft()]:
            if source not in can_win:
                can_win.add(source)
                queue.append(source)
    reported: set[Step] = set()
    weigh = _total_weights(drill)
    win_value: dict = {}
    for key, edges in graph.edges.items():
        for edge in edges:
            if edge.red_line and edge.target in can_win and edge.step not in reported:
                reported.add(edge.step)
                win_value = win_value or _extremes(graph, _components(graph), weigh, 1, lambda k: k in wins, max,
                                                   ("total",))
                tail = _tight_path(graph, win_value, weigh, lambda k: k in wins, edge.target)
                problems.append(SafetyProblem("red_line_success", edge.step, edge.red_line,
                                              (*_path_to(graph, key), edge.step, *tail)))

    flagged = _flagged(graph)
    components = _components(flagged)

    def ending(key) -> bool:
        return drill.nodes[key[0][0]].is_ending

    safe = _extremes(flagged, components, weigh, 1, lambda k: ending(k) and not k[1], max, ("total",))
    red = _extremes(flagged, components, weigh, 1, lambda k: ending(k) and k[1], max, ("total",))
    start = flagged.start
    if start in red and (start not in safe or red[start][0] >= safe[start][0]):
        play = _tight_path(flagged, red, weigh, lambda k: ending(k) and k[1], start)
        crossing = next(step for step in play if transition_of(drill, step).red_line)
        problems.append(SafetyProblem("red_line_pays", crossing, transition_of(drill, crossing).red_line or "",
                                      play, (red[start][0], safe[start][0] if start in safe else 0)))

    best = _extremes(graph, _components(graph), weigh, 1, lambda k: drill.nodes[k[0]].is_ending, max, ("total",))
    for key, edges in graph.edges.items():
        taking = [e for e in edges if e.required_step and e.target in best]
        others = [e for e in edges if not e.required_step and not e.red_line and e.target in best]
        if not taking or not others:
            continue
        take_best = max(weigh(e)[0] + best[e.target][0] for e in taking)
        defer = max(others, key=lambda e: weigh(e)[0] + best[e.target][0])
        defer_best = weigh(defer)[0] + best[defer.target][0]
        if defer_best > take_best:
            step = max(taking, key=lambda e: weigh(e)[0] + best[e.target][0]).step
            if step not in reported:
                reported.add(step)
                play = (*_path_to(graph, key), defer.step,
                        *_tight_path(graph, best, weigh, lambda k: drill.nodes[k[0]].is_ending, defer.target))
                problems.append(SafetyProblem("deferral_pays", step, transition_of(drill, step).required_step or "",
                                              play, (defer_best, take_best)))
    return problems
