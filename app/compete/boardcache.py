"""The leaderboard cache shared by every app process (``leaderboard_cache``), and what invalidates it.

**Invalidation.** Every flush that changes what a board shows raises the competition's
``board_version`` by one in SQL (``board_version + 1``, so parallel writers never lose a raise), in the
writer's own transaction: a scored round result (quiz submitted or expired, drill finished, practical
judged, a judge swapped out), an entry enrolled, moved to another bracket or removed, a round added,
changed or deleted, a bracket, the competition's settings (freeze time, prizes, publication), a
contestant's name. It is one SQLAlchemy ``before_flush`` listener rather than a call in each writer, so a
writer added later, or a test changing rows directly, cannot forget it. (Rows deleted only by the
database's own cascades, e.g. a user deleted with ``ondelete``, raise nothing: the app deactivates people
rather than deleting them.)

**Reading.** ``lookup`` reads the competition's current version and settings together with the cached
row in one query, *before* any result is read, so a board computed afterwards is at least as new as the
version it is stored under; a row of another version is not used. ``store`` writes in a transaction
and on a connection of its own (a GET does not commit the request's session; ``_writer``), only over a
row of a lower version (``ON CONFLICT … DO UPDATE … WHERE version < excluded.version`` on SQLite and
PostgreSQL alike), so parallel requests on a cold cache store one board and a slow request never
overwrites a newer one. On PostgreSQL the first request to miss ``claim``s the computation (an advisory
lock) and the others ``wait_for`` its board instead of computing it twenty times.

**Time.** A variant's content does not depend on when it is computed: ``live`` holds every result,
``frozen`` the results recorded before ``freeze_at`` (computed before or after the freeze, it is the
same). Which variant a viewer gets is decided at each request from the clock (``is_frozen``), so the
public never gets the live board after the freeze. The ``frozen`` row also carries the ``freeze_at`` it
was cut at and is not used for another. A round's window changes nothing a board shows (a result
appears when it is scored, in whichever round state), so the freeze is the only moment that matters.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import Engine, create_engine, event, inspect, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, attributes
from sqlalchemy.pool import NullPool

from ..extensions import configure_sqlite_connection, db
from ..models import Bracket, Competition, CompetitionRound, Entry, LeaderboardCache, RoundResult, User
from ..models.base import utcnow

log = logging.getLogger(__name__)

LIVE, FROZEN = "live", "frozen"

#: Round result columns a board reads: a change to any of them changes the board.
_RESULT_COLUMNS = ("score", "finished_at", "indicator_scores", "entry_id", "round_id")


# --- invalidation ---------------------------------------------------------------------------------

def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    return any(attributes.get_history(obj, name).has_changes() for name in names)


def _affected(session: Session) -> tuple[set[int], set[int], set[int]]:
    """Competition ids whose boards this flush changes, round ids whose competition is still to be
    found, and ids of people renamed."""
    competitions: set[int] = set()
    rounds: set[int] = set()
    renamed: set[int] = set()
    for obj in session.new:
        if isinstance(obj, RoundResult):
            if obj.score is not None:  # a started attempt scores nothing yet
                rounds.add(obj.round_id if obj.round_id is not None else getattr(obj.round, "id", None))
        elif isinstance(obj, (Entry, Bracket, CompetitionRound)):
            competitions.add(obj.competition_id if obj.competition_id is not None
                             else getattr(obj.competition, "id", None))  # None: a new competition, no board yet
    for obj in session.dirty:
        if isinstance(obj, RoundResult):
            if _changed(obj, _RESULT_COLUMNS):
                rounds.add(obj.round_id)
                rounds.update(v for v in attributes.get_history(obj, "round_id").deleted or () if v is not None)
        elif isinstance(obj, (Entry, Bracket, CompetitionRound)):
            if session.is_modified(obj):
                competitions.add(obj.competition_id)
        elif isinstance(obj, Competition):
            if session.is_modified(obj) and not _changed(obj, ("board_version",)):
                competitions.add(obj.id)
        elif isinstance(obj, User):
            if obj.id is not None and _changed(obj, ("name",)):
                renamed.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, RoundResult):
            rounds.add(obj.round_id)
        elif isinstance(obj, (Entry, Bracket, CompetitionRound)):
            competitions.add(obj.competition_id)
    return {c for c in competitions if c is not None}, {r for r in rounds if r is not None}, renamed


def _raise_versions(session: Session, _flush_context, _instances) -> None:
    """``before_flush``: raise ``board_version`` of every competition whose board this flush changes."""
    competitions, rounds, renamed = _affected(session)
    unknown = set()
    for round_id in rounds:  # the round is usually loaded already (a submit, a judging): no query then
        loaded = session.identity_map.get(inspect(CompetitionRound).identity_key_from_primary_key((round_id,)))
        if loaded is not None and loaded.competition_id is not None:
            competitions.add(loaded.competition_id)
        else:
            unknown.add(round_id)
    if unknown:
        competitions |= set(session.execute(select(CompetitionRound.competition_id)
                                            .where(CompetitionRound.id.in_(unknown))).scalars())
    if renamed:
        competitions |= set(session.execute(select(Entry.competition_id).join(Competition)
                                            .where(Entry.user_id.in_(renamed), Competition.published_at.is_(None)))
                            .scalars())
    elsewhere = []
    for competition_id in competitions:
        loaded = session.identity_map.get(inspect(Competition).identity_key_from_primary_key((competition_id,)))
        if loaded is None:
            elsewhere.append(competition_id)
        elif loaded not in session.deleted:
            loaded.board_version = Competition.board_version + 1  # expired after the flush, read again if used
    if elsewhere:
        session.execute(update(Competition.__table__).where(Competition.__table__.c.id.in_(elsewhere))
                        .values(board_version=Competition.__table__.c.board_version + 1))


def register() -> None:
    """Listen to every session's flushes (once per process, whatever the number of apps)."""
    if not event.contains(Session, "before_flush", _raise_versions):
        event.listen(Session, "before_flush", _raise_versions)


# --- reading and storing --------------------------------------------------------------------------

class Basis(NamedTuple):
    """What a board is computed from besides the results, read fresh with the cached row."""

    version: int
    freeze_at: datetime | None
    published_at: datetime | None
    prize_mode: str
    prizes: tuple[float, float, float]


def lookup(competition_id: int, variant: str) -> tuple[Basis, dict | None]:
    """The competition's current version and settings, and the board cached for ``variant`` if it was
    computed at that version (else None). One query."""
    row = db.session.execute(
        select(Competition.board_version, Competition.freeze_at, Competition.published_at, Competition.prize_mode,
               Competition.prize_first, Competition.prize_second, Competition.prize_third, LeaderboardCache.version,
               LeaderboardCache.board)
        .outerjoin(LeaderboardCache, (LeaderboardCache.competition_id == Competition.id)
                   & (LeaderboardCache.variant == variant))
        .where(Competition.id == competition_id)).one()
    basis = Basis(row[0] or 0, row[1], row[2], row[3], (row[4], row[5], row[6]))
    return basis, row[8] if row[7] == basis.version else None


#: Advisory lock namespace of board computations (PostgreSQL, two-int form: namespace, board key).
_LOCK_NAMESPACE = 0x6C62  # "lb"
#: How long a request waits for the board another request is computing before computing it itself.
WAIT_SECONDS = 2.0


def claim(competition_id: int, variant: str) -> bool:
    """Become the one request that computes this board now. PostgreSQL: a transaction-level advisory lock
    on (competition, variant), released when the request's transaction ends (False: another request holds
    it); on SQLite (one host) always True. Twenty requests arriving on a stale board then compute it
    once, not twenty times."""
    if db.engine.dialect.name != "postgresql":
        return True
    key = competition_id * 2 + (1 if variant == FROZEN else 0)
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:namespace, :key)"),
                                  {"namespace": _LOCK_NAMESPACE, "key": key}))


def wait_for(competition_id: int, variant: str, version: int) -> tuple[Basis, dict] | None:
    """The board of ``version`` once the request that claimed it has stored it (polled every 20 ms for up
    to ``WAIT_SECONDS``); None when a newer write came first or it took too long: compute it then."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        basis, data = lookup(competition_id, variant)
        if basis.version != version:
            return None
        if data is not None:
            return basis, data
    return None


def _writer() -> Engine:
    """The engine boards are stored through: a connection of its own per store (``NullPool``), so a
    request that holds one of the app pool's connections never waits for a second one (20 parallel
    requests on a cold cache would otherwise exhaust the pool: 5 + 10 per process). An in-memory SQLite
    database (one connection) is written through the app's engine."""
    app = current_app._get_current_object()
    engine = app.extensions.get("compete_board_writer")
    if engine is None:
        url = db.engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            engine = db.engine
        else:
            engine = create_engine(url, poolclass=NullPool)
            event.listen(engine, "connect", configure_sqlite_connection)
        app.extensions["compete_board_writer"] = engine
    return engine


def store(competition_id: int, variant: str, version: int, board: dict) -> bool:
    """Keep ``board`` as the competition's ``variant`` at ``version`` unless a row of that version or a
    newer one is there already; in a transaction of its own. False when the database refused (busy):
    the board is then simply computed again by the next request."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = LeaderboardCache.__table__
    statement = insert(table).values(competition_id=competition_id, variant=variant, version=version, board=board,
                                     computed_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.competition_id, table.c.variant],
        set_={"version": statement.excluded.version, "board": statement.excluded.board,
              "computed_at": statement.excluded.computed_at},
        where=table.c.version < statement.excluded.version)
    try:
        with _writer().begin() as connection:
            connection.execute(statement)
    except SQLAlchemyError as exc:  # e.g. SQLite busy beyond its timeout, or the competition just deleted
        log.warning("leaderboard cache of competition %s not stored: %s", competition_id, exc)
        return False
    return True
