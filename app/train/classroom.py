"""Classroom drills on the server (callers commit): the instructor (or an organizer of the class) starts
a drill for a session, attendees present choose on their phones, the instructor moves the room on; at
the ending every attendee's own result is written as practice evidence through the evidence hub."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..drill import engine
from ..evidence import Item, Source, record_all, register_source
from ..extensions import db
from ..models import ClassAttendance, ClassDrill, ClassDrillVote, ClassSession, DrillVersion, User
from ..refusal import Refusal
from . import room, service

KIND = "class_drill"
#: A classroom drill is practice: it weighs half a drill played alone.
WEIGHT = 0.5


def register() -> None:
    register_source(Source(KIND, _l("classroom drill"), verb="attempted", activity_type="simulation",
                           links=lambda records: {r.id: f"/train/room/{r.source_id}" for r in records
                                                  if r.source_id is not None}))


def runs(user: User, session: ClassSession) -> bool:
    """The session's instructor and the class's organizers run its drills."""
    return session.instructor_id == user.id or service.is_organizer(user, session.training_class)


def present(user: User, session: ClassSession) -> bool:
    return db.session.scalar(select(ClassAttendance.id).where(
        ClassAttendance.session_id == session.id, ClassAttendance.user_id == user.id,
        ClassAttendance.status == "present")) is not None


def drills_offered() -> list[DrillVersion]:
    return db.session.scalars(select(DrillVersion).where(DrillVersion.active).order_by(DrillVersion.title)).all()


def drill_titles() -> dict[str, str]:
    """Drill id → title of the drills offered (for the timetable's linked drills)."""
    return {d.drill_id: d.title for d in drills_offered()}


def start(actor: User, session: ClassSession, drill_id: str) -> ClassDrill:
    if not runs(actor, session):
        raise Refusal(_("Only the session's instructor and the class's organizers run its drills."))
    version = db.session.scalar(select(DrillVersion).where(DrillVersion.drill_id == drill_id, DrillVersion.active)
                                .order_by(DrillVersion.id.desc()).limit(1))
    if version is None:
        raise Refusal(_("Choose a drill from the list."))
    if db.session.scalar(select(ClassDrill.id).where(ClassDrill.session_id == session.id,
                                                     ClassDrill.status == "open")) is not None:
        raise Refusal(_("A drill is running in this session already: finish it first."))
    drill = engine.load_drill(version.data)
    row = ClassDrill(session_id=session.id, drill_version_id=version.id,
                     state=engine.initial_state(drill).to_dict(), step=0, status="open", started_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class Now:
    """Where the room stands: the drill, its state, the node and the choices offered."""

    drill: engine.Drill
    state: engine.State
    node: engine.Node
    choices: list


def now_of(row: ClassDrill) -> Now:
    drill = engine.load_drill(row.version.data)
    state = engine.State.from_dict(row.state)
    return Now(drill, state, drill.nodes[state.node], engine.available_choices(drill, state))


def votes_at(row: ClassDrill, step: int) -> list[ClassDrillVote]:
    return db.session.scalars(select(ClassDrillVote).where(ClassDrillVote.class_drill_id == row.id,
                                                           ClassDrillVote.step == step)).all()


def my_vote(user: User, row: ClassDrill) -> ClassDrillVote | None:
    return db.session.scalar(select(ClassDrillVote).where(ClassDrillVote.class_drill_id == row.id,
                                                          ClassDrillVote.step == row.step,
                                                          ClassDrillVote.user_id == user.id))


def vote(user: User, row: ClassDrill, step: int | None, token: str, secret: str) -> bool:
    """Record an attendee's choice at the current step (once). False when they had chosen already."""
    if not present(user, row.session):
        raise Refusal(_("Only attendees signed in to this session take part in its drill."))
    if row.status != "open" or step != row.step:
        raise Refusal(_("The room has moved on: choose at the current step."))
    current = now_of(row)
    choice_id = room.choice_of(secret, row.id, row.step, current.choices, token)
    if choice_id is None:
        raise Refusal(_("Choose one of the choices shown."))
    savepoint = db.session.begin_nested()
    try:
        db.session.add(ClassDrillVote(class_drill_id=row.id, step=row.step, user_id=user.id, choice_id=choice_id))
        db.session.flush()
        savepoint.commit()
    except IntegrityError:   # chosen already (or a parallel post): the first choice stands
        savepoint.rollback()
        return False
    return True


def move_on(actor: User, row: ClassDrill, step: int | None, follow: str | None, secret: str) -> None:
    """Move the room on by its most common choice, or by the choice the instructor follows (a token)."""
    if not runs(actor, row.session):
        raise Refusal(_("Only the session's instructor and the class's organizers run its drills."))
    if row.status != "open" or step != row.step:
        raise Refusal(_("The room has moved on already."))
    current = now_of(row)
    followed = room.choice_of(secret, row.id, row.step, current.choices, follow) if follow else None
    choice_id = room.room_choice(current.choices, [v.choice_id for v in votes_at(row, row.step)], followed)
    if choice_id is None:
        raise Refusal(_("Nobody has chosen yet: wait, or pick the choice to follow."))
    result = engine.choose(current.drill, current.state, choice_id)
    claimed = db.session.execute(update(ClassDrill).where(ClassDrill.id == row.id, ClassDrill.step == row.step)
                                 .values(step=row.step + 1, state=result.state.to_dict(),
                                         status="finished" if result.ended else "open",
                                         finished_at=service.now() if result.ended else None)
                                 .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise Refusal(_("The room has moved on already."))
    db.session.expire(row)
    if result.ended:
        _record(row, current.drill, result.state)


def _record(row: ClassDrill, drill: engine.Drill, state: engine.State) -> None:
    votes: dict[int, dict[int, str]] = {}
    for v in db.session.scalars(select(ClassDrillVote).where(ClassDrillVote.class_drill_id == row.id)):
        votes.setdefault(v.user_id, {})[v.step] = v.choice_id
    items = []
    for user_id, mine in votes.items():
        result = room.own_result(drill, state.path, mine)
        items += [Item(user_id=user_id, indicator=indicator, score=share, weight=WEIGHT, source_id=row.id,
                       source_ref=f"{KIND}:{row.id}", content_version=f"{drill.id}:v{drill.version}")
                  for indicator, share in result.shares.items()]
    record_all(KIND, items)


@dataclass
class StepView:
    index: int
    node: engine.Node
    counts: list          # (choice, n)
    taken: str | None     # the room's choice id
    feedback: str


def history(row: ClassDrill) -> list[StepView]:
    """Every step the room took: the node, how the room chose (counts), what it followed and the feedback."""
    drill = engine.load_drill(row.version.data)
    state = engine.initial_state(drill)
    all_votes = db.session.scalars(select(ClassDrillVote).where(ClassDrillVote.class_drill_id == row.id)).all()
    out = []
    for index, step in enumerate(engine.State.from_dict(row.state).path):
        offered = engine.available_choices(drill, state)
        counts = room.tally(offered, [v.choice_id for v in all_votes if v.step == index])
        result = engine.choose(drill, state, step[1]) if step[1] is not None else engine.timeout(drill, state)
        out.append(StepView(index, drill.nodes[step[0]], counts, step[1], result.feedback))
        state = result.state
    return out


def own(user: User, row: ClassDrill) -> room.OwnResult:
    drill = engine.load_drill(row.version.data)
    mine = {v.step: v.choice_id for v in db.session.scalars(select(ClassDrillVote).where(
        ClassDrillVote.class_drill_id == row.id, ClassDrillVote.user_id == user.id))}
    return room.own_result(drill, engine.State.from_dict(row.state).path, mine)


def drills_of(session: ClassSession) -> list[ClassDrill]:
    return db.session.scalars(select(ClassDrill).where(ClassDrill.session_id == session.id)
                              .order_by(ClassDrill.id)).all()
