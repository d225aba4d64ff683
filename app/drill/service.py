"""Playing drills on the server: attempts, steps, the clock of urgent nodes, evidence. Callers commit.

The server is the referee: the state after every step is stored on the attempt; a submitted step
must quote the attempt's step count (a replayed or stale form changes nothing); an urgent node's
clock starts when the server moves the attempt onto it, and a choice that arrives after the
deadline takes the node's timeout path instead. Moves check that the attempt is the acting person's
own and raise ``Refusal`` (nothing changed) when they cannot be taken.

Nothing in a page tells the key: each attempt shows a node's choices in its own order and under
opaque tokens (``app.drill.tokens``, keyed by ``SECRET_KEY``); ``shown_choices`` gives them to the
page and ``choose_form`` maps a posted token back to the choice (an unknown token is refused).
``choose`` takes choice ids, as demo data and tests play.

Parallel requests move an attempt once: every move (a choice, a timeout, a step back) first claims
the step with a conditional UPDATE (``… SET step_count = n + 1 WHERE step_count = n``) and only the
request that changed the row writes the step, the new state, and on an ending the outcome and
``drill_finished`` (so evidence is written once); the others change nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from .. import signals
from ..access import check_own
from ..clock import utcnow
from ..extensions import db
from ..models import DrillAttempt, DrillStep, DrillVersion, User
from ..refusal import Refusal
from . import engine, tokens
from .graph import Overlay, path_nodes

#: Extra seconds allowed past an urgent node's limit for the network and a slow phone.
GRACE_SECONDS = 2


#: Parsed drills and their analysis, per (version id, content hash): versions never change.
_drills: dict[tuple[int, str], engine.Drill] = {}
_analyses: dict[tuple[int, str], tuple[dict[str, tuple[int, int]], list[engine.Step]]] = {}


def drill_of(version: DrillVersion) -> engine.Drill:
    """The engine's Drill for a stored version (parsed once per process and version)."""
    key = (version.id, version.content_hash)
    if key not in _drills:
        _drills[key] = engine.load_drill(version.data)
    return _drills[key]


def analysis(version: DrillVersion) -> tuple[dict[str, tuple[int, int]], list[engine.Step]]:
    """(score bounds per indicator, best path) of a version, computed once per process."""
    key = (version.id, version.content_hash)
    if key not in _analyses:
        drill = drill_of(version)
        _analyses[key] = (engine.score_bounds(drill), engine.best_path(drill))
    return _analyses[key]


def offered_drills() -> list[DrillVersion]:
    return db.session.scalars(select(DrillVersion).where(DrillVersion.active)
                              .order_by(DrillVersion.difficulty, DrillVersion.title)).all()


def active_version(drill_id: str):
    """The select of a drill's current (active) version."""
    return select(DrillVersion).where(DrillVersion.drill_id == drill_id, DrillVersion.active)


def current_version(drill_id: str) -> DrillVersion | None:
    return db.session.scalar(active_version(drill_id))


def attempts_by_drill(user: User) -> tuple[dict[str, DrillAttempt], dict[str, DrillAttempt]]:
    """The learner's newest unfinished and newest finished attempt per drill id (any version)."""
    mine = db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id == user.id)
                              .order_by(DrillAttempt.started_at.desc())).all()
    open_attempt, last_done = {}, {}
    for attempt in mine:
        drill_id = attempt.drill_version.drill_id
        if attempt.finished_at is None:
            open_attempt.setdefault(drill_id, attempt)
        else:
            last_done.setdefault(drill_id, attempt)
    return open_attempt, last_done


def state_of(attempt: DrillAttempt) -> engine.State:
    return engine.State.from_dict(attempt.state)


def _arrival(drill: engine.Drill, state: engine.State, now: datetime) -> dict:
    """The attempt's columns for standing on ``state`` from ``now``: the state, and the clock of its node."""
    node = drill.nodes[state.node]
    return {"state": state.to_dict(), "node_started_at": now,
            "deadline": now + timedelta(seconds=node.time_limit_s) if node.is_urgent and not state.finished else None}


def _arrive(attempt: DrillAttempt, drill: engine.Drill, state: engine.State, now: datetime) -> None:
    """Store ``state`` and start the clock of the node it stands on."""
    for key, value in _arrival(drill, state, now).items():
        setattr(attempt, key, value)


def drill_for(attempt: DrillAttempt) -> engine.Drill:
    """The engine's Drill of an attempt; its version row is read without the drill file (``data``) when
    the parsed drill is already in this process."""
    version = attempt.__dict__.get("drill_version")
    if version is None:
        version = db.session.identity_map.get(identity_key(DrillVersion, attempt.drill_version_id))
        if version is None:
            version = db.session.scalar(_VERSION_WITHOUT_FILE, {"version_id": attempt.drill_version_id})
        set_committed_value(attempt, "drill_version", version)  # the attempt's relationship, loaded
    return drill_of(version)


# Statements of every step, built once: a statement object reused keeps its cache key, so SQLAlchemy
# neither rebuilds nor re-keys it on every request (the values travel as bound parameters).
_VERSION_WITHOUT_FILE = (select(DrillVersion).where(DrillVersion.id == bindparam("version_id"))
                         .options(defer(DrillVersion.data)))
_ATTEMPT_AND_VERSION = (select(DrillAttempt, DrillVersion)
                        .join(DrillVersion, DrillVersion.id == DrillAttempt.drill_version_id)
                        .where(DrillAttempt.id == bindparam("attempt_id")).options(defer(DrillVersion.data)))


def attempt_by_id(attempt_id: int) -> DrillAttempt | None:
    """The attempt with that id (from this session when it holds it already), or None; read with its
    version (without the drill file) in one statement."""
    attempt = db.session.identity_map.get(identity_key(DrillAttempt, attempt_id))
    if attempt is not None:
        return attempt
    found = db.session.execute(_ATTEMPT_AND_VERSION, {"attempt_id": attempt_id}).first()
    if found is None:
        return None
    attempt, version = found
    if "drill_version" not in attempt.__dict__:
        set_committed_value(attempt, "drill_version", version)  # the attempt's relationship, loaded
    return attempt


def start_attempt(user: User, version: DrillVersion, mode: str = "practice", now: datetime | None = None) -> DrillAttempt:
    if mode not in ("practice", "assessed"):
        raise Refusal(_("Unknown drill mode."))
    now = now or utcnow()
    drill = drill_of(version)
    attempt = DrillAttempt(user_id=user.id, drill_version=version, mode=mode, step_count=0, started_at=now,
                           state={})
    _arrive(attempt, drill, engine.initial_state(drill), now)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def is_overdue(attempt: DrillAttempt, now: datetime | None = None, grace: bool = True) -> bool:
    """Past the deadline; with ``grace``, past it by more than a late form's travel time."""
    allowance = timedelta(seconds=GRACE_SECONDS if grace else 0)
    return attempt.deadline is not None and (now or utcnow()) >= attempt.deadline + allowance


@dataclass
class Move:
    """What a submitted move did: the feedback to show, and whether the clock had run out."""

    feedback: str
    timed_out: bool
    finished: bool


def _stale() -> Refusal:
    return Refusal(_("This page was out of date (the step was already taken or replayed). "
                     "Here is where your drill stands now."))


def _check_turn(user: User, attempt: DrillAttempt, step_no: int | None) -> None:
    check_own(user, attempt)
    if attempt.finished_at is not None:
        raise Refusal(_("This drill is already finished."))
    if step_no is None or step_no != attempt.step_count:
        raise _stale()


def _claim(attempt: DrillAttempt, **values) -> bool:
    """Take the next step of the attempt if nobody has since it was read: a conditional UPDATE of the
    step count (and of ``values``, the attempt's other columns after the step), so of parallel
    requests exactly one changes the row (PostgreSQL makes the others wait, then finds the count
    moved on; SQLite runs one writer at a time). True if this request did (``attempt`` then holds
    the written values, not read back); else ``attempt`` is reloaded as the winner left it and
    nothing is written."""
    expected = attempt.step_count
    result = db.session.execute(_claim_statement(tuple(sorted(values))), {
        "claim_id": attempt.id, "claim_expected": expected, "claim_next": expected + 1,
        **{f"new_{key}": value for key, value in values.items()}})
    if result.rowcount != 1:
        db.session.refresh(attempt)
        return False
    set_committed_value(attempt, "step_count", expected + 1)
    for key, value in values.items():
        set_committed_value(attempt, key, value)
    return True


#: The claim UPDATE per set of columns it writes besides the step count (a move, an ending, a step back).
_claims: dict[tuple[str, ...], Any] = {}


def _claim_statement(columns: tuple[str, ...]):
    """``UPDATE drill_attempt SET step_count = :claim_next, <columns> WHERE id = :claim_id AND
    step_count = :claim_expected AND finished_at IS NULL``, built once per set of columns."""
    statement = _claims.get(columns)
    if statement is None:
        table = DrillAttempt.__table__  # on the table: an ORM-enabled UPDATE is copied per execution and keyed again
        statement = _claims[columns] = (
            update(table)
            .where(table.c.id == bindparam("claim_id"), table.c.step_count == bindparam("claim_expected"),
                   table.c.finished_at.is_(None))
            .values(step_count=bindparam("claim_next"),
                    **{column: bindparam(f"new_{column}", type_=table.c[column].type) for column in columns}))
    return statement


#: A step's INSERT, numbered ``MAX(seq) + 1`` by the database (the history is not read).
_STEP_TABLE = DrillStep.__table__
_INSERT_STEP = insert(_STEP_TABLE).values(
    attempt_id=bindparam("s_attempt_id"),
    seq=(select(func.coalesce(func.max(_STEP_TABLE.c.seq), 0) + 1)
         .where(_STEP_TABLE.c.attempt_id == bindparam("s_attempt_id")).scalar_subquery()),
    node_id=bindparam("s_node_id"), choice_id=bindparam("s_choice_id"), timed_out=bindparam("s_timed_out"),
    elapsed_ms=bindparam("s_elapsed_ms"), deltas=bindparam("s_deltas", type_=_STEP_TABLE.c.deltas.type),
    feedback=bindparam("s_feedback"), undone=bindparam("s_undone"),
    created_at=bindparam("s_created_at", type_=_STEP_TABLE.c.created_at.type))


def _record(attempt: DrillAttempt, drill: engine.Drill, result: engine.StepResult, now: datetime) -> Move | None:
    """Claim the step and write it; None when a parallel request took this step first.

    Two statements: the claim UPDATE, which also stores the new state (and on an ending the outcome),
    and the step's INSERT, numbered ``MAX(seq) + 1`` by the database (the history is not read)."""
    values = {**_arrival(drill, result.state, now), "just_undone": False}
    if result.ended:
        values.update(finished_at=now, outcome=result.outcome)
    elapsed = int((now - attempt.node_started_at).total_seconds() * 1000)
    if not _claim(attempt, **values):
        return None
    node_id, choice_id = result.step
    db.session.execute(_INSERT_STEP, {
        "s_attempt_id": attempt.id, "s_node_id": node_id, "s_choice_id": choice_id, "s_timed_out": result.timed_out,
        "s_elapsed_ms": max(elapsed, 0), "s_deltas": dict(result.deltas), "s_feedback": result.feedback,
        "s_undone": False, "s_created_at": now})
    if "steps" in attempt.__dict__:
        db.session.expire(attempt, ["steps"])  # loaded before this step: read again when asked
    if result.ended:
        signals.drill_finished.send(attempt, drill=drill)
        db.session.flush()
    return Move(feedback=result.feedback, timed_out=result.timed_out, finished=result.ended)


def choose(user: User, attempt: DrillAttempt, choice_id: str, step_no: int | None,
           now: datetime | None = None) -> Move:
    """Take a choice (by id). After the deadline of an urgent node the timeout path is taken instead.

    Raises Refusal (another person's attempt, finished, stale or replayed step, taken meanwhile by a
    parallel request, choice not offered here).
    """
    now = now or utcnow()
    _check_turn(user, attempt, step_no)
    drill = drill_for(attempt)
    state = state_of(attempt)
    if is_overdue(attempt, now):
        result = engine.timeout(drill, state)
    else:
        try:
            result = engine.choose(drill, state, choice_id)
        except engine.InvalidMove as exc:
            raise _not_offered() from exc
    move = _record(attempt, drill, result, now)
    if move is None:
        raise _stale()
    return move


def _not_offered() -> Refusal:
    return Refusal(_("That choice is not offered at this point of the drill."))


def choose_form(user: User, attempt: DrillAttempt, token: str, step_no: int | None,
                now: datetime | None = None) -> Move:
    """Take the choice the play page posted under ``token`` (see ``shown_choices``). Raises Refusal as
    ``choose`` does, and for a token that stands for no choice of this node in this attempt."""
    _check_turn(user, attempt, step_no)
    choice_id = tokens.choice_of(_node_tokens(attempt), token)
    if choice_id is None:
        raise _not_offered()
    return choose(user, attempt, choice_id, step_no, now)


def expire(attempt: DrillAttempt, now: datetime | None = None, grace: bool = True) -> Move | None:
    """Take the timeout path if the current urgent node's clock has run out; else None (also when a
    parallel request moved the attempt first).

    ``grace=False`` when the page itself reports that its countdown reached zero.
    """
    now = now or utcnow()
    if attempt.finished_at is not None or not is_overdue(attempt, now, grace):
        return None
    drill = drill_for(attempt)
    return _record(attempt, drill, engine.timeout(drill, state_of(attempt)), now)


def time_out(user: User, attempt: DrillAttempt, step_no: int | None, now: datetime | None = None) -> Move | None:
    """The page's countdown reached zero at step ``step_no``: the server decides whether the time is
    really up (then the timeout path is taken, without grace). None when it is not, or the page was stale.
    Raises Refusal for another person's attempt."""
    check_own(user, attempt)
    if attempt.finished_at is not None or step_no != attempt.step_count:
        return None
    return expire(attempt, now, grace=False)


def step_back(user: User, attempt: DrillAttempt, step_no: int | None, now: datetime | None = None) -> None:
    """Practice mode: take the last step back (once in a row). Raises Refusal."""
    now = now or utcnow()
    _check_turn(user, attempt, step_no)
    if attempt.mode != "practice":
        raise Refusal(_("Assessed drills cannot go back a step."))
    kept = kept_steps(attempt)
    if not kept or attempt.just_undone:
        raise Refusal(_("You can go back one step at a time, and only after a new decision."))
    drill = drill_of(attempt.drill_version)
    state = engine.replay(drill, [(s.node_id, s.choice_id) for s in kept[:-1]])
    if not _claim(attempt):  # a back step also invalidates forms still open elsewhere
        raise _stale()
    kept[-1].undone = True
    attempt.just_undone = True
    _arrive(attempt, drill, state, now)
    db.session.flush()


# --- what a page shows: the choices in the attempt's order, under its tokens ---------------------

@dataclass(frozen=True)
class ShownChoice:
    """A choice as the play page shows it: the token it posts and its text (never its id)."""

    token: str
    text: str


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _node_tokens(attempt: DrillAttempt, node_id: str | None = None) -> dict[str, str]:
    """Choice id → token for every choice of ``node_id`` (default: the node the attempt stands on)."""
    drill = drill_for(attempt)
    node = drill.nodes[node_id or state_of(attempt).node]
    return tokens.node_tokens(_secret(), attempt.id, node.id, [choice.id for choice in node.choices])


def shown_choices(attempt: DrillAttempt) -> list[ShownChoice]:
    """The choices offered now, in this attempt's order for the node, each with its token."""
    drill = drill_of(attempt.drill_version)
    state = state_of(attempt)
    offered = {choice.id: choice for choice in engine.available_choices(drill, state)}
    node_tokens = _node_tokens(attempt, state.node)
    return [ShownChoice(node_tokens[choice_id], offered[choice_id].text)
            for choice_id in tokens.ordered(_secret(), attempt.id, state.node, offered)]


def token_of(attempt: DrillAttempt, choice_id: str, node_id: str | None = None) -> str:
    """The token the play page sends for ``choice_id`` at ``node_id`` (default: the current node), for
    tests and scripts that play by choice id through the pages. KeyError if the node has no such choice."""
    return _node_tokens(attempt, node_id)[choice_id]


def kept_steps(attempt: DrillAttempt) -> list[DrillStep]:
    return [step for step in attempt.steps if not step.undone]


def choice_texts(drill: engine.Drill) -> dict[tuple[str, str], str]:
    """(node id, choice id) → the choice's text."""
    return {(n.id, c.id): c.text for n in drill.nodes.values() for c in n.choices}


@dataclass(frozen=True)
class RedLine:
    """A red line a play crossed: the rule, the choice's text (None when the clock ran out) and
    the feedback that explains it."""

    rule: str
    choice: str | None
    feedback: str


@dataclass
class Debrief:
    """A finished attempt as its debrief shows it."""

    drill: engine.Drill
    ending: engine.Node
    shares: dict[str, float | None]  # indicator → total as 0-100 of the possible (None: cannot move)
    steps: list[DrillStep]
    choice_text: dict[tuple[str, str], str]
    overlay: Overlay  # the path taken and a best path, for the map
    best_steps: list[tuple[engine.Node, str]]  # a best path: node and the choice's text
    red_lines: list[RedLine]  # the red lines the play crossed, in order


def debrief(attempt: DrillAttempt) -> Debrief:
    version = attempt.drill_version
    drill = drill_of(version)
    bounds, best = analysis(version)
    state = state_of(attempt)
    kept = kept_steps(attempt)
    path = [(s.node_id, s.choice_id) for s in kept]
    taken = path_nodes(drill, path)
    choice_text = choice_texts(drill)
    red_lines = [RedLine(rule, None if step[1] is None else choice_text.get(step, step[1]),
                         engine.transition_of(drill, step).feedback)
                 for step, rule in engine.red_lines_crossed(drill, path)]
    return Debrief(
        drill=drill, ending=drill.nodes[state.node], steps=kept, choice_text=choice_text,
        shares={ind: engine.share(state.scores.get(ind, 0), bounds[ind]) for ind in drill.indicators},
        overlay=Overlay(taken=taken, best=path_nodes(drill, best)),
        best_steps=[(drill.nodes[n], choice_text.get((n, c), "")) for n, c in best], red_lines=red_lines)
