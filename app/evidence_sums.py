"""The evidence hub's kept sums: per person × indicator what the scoring rule needs
(``IndicatorSums``), so the cohort heatmap, distributions, pairing and the mentor dashboard read one
row per person and indicator instead of every evidence record.

- **Writing** (``on_written``, called by ``app.evidence.record_all`` after each batch is flushed):
  the batch is noted in the session and its sums are written at the transaction's COMMIT (a
  ``before_commit`` hook, ``_apply``), all batches of the transaction at once: one statement locks
  (or creates empty) every person × indicator row the transaction changes, in one sorted order, so
  two transactions that write several batches (a drill ending's decisions then its outcome, a quiz
  submit's kinds, judging many contestants) never hold rows the other waits for in the opposite
  order (they deadlocked when each batch locked its own rows); then each row gets what was written:
  ``Σ w·2^(t/H)``, ``Σ w·score·2^(t/H)`` (``scoring.growth``), record count, kinds and newest
  time, and the new source refs, looked up among the person's earlier records on that indicator
  only after the lock (an indexed query that sees what concurrent writers committed before it was
  granted), so a repeated ref counts once even when two requests write it at the same moment. The
  pairs that lost records (``on_repeat="replace"``) are recomputed from the records. A batch written
  in a SAVEPOINT that rolls back is forgotten with it; a rollback forgets them all. Until COMMIT a
  reader in the same transaction scores the people it wrote for from their rows (``sums_for``,
  ``levels_for``), which hold what it wrote.
- **State** (``IndicatorSumsState``): the half-life and epoch the sums were built with. Writers take
  a share lock on it (PostgreSQL) at COMMIT, before the rows, and skip the sums while it is missing or
  differs from the settings; ``rebuild`` takes it exclusively, so a rebuild never misses a concurrent write.
- **Reading** (``sums_for``): people with a record dated after the moment scored (a clock ahead on
  another host, or a moment in the past) are returned apart, for the caller to score from rows; when
  the sums are stale (a changed EVIDENCE_HALF_LIFE_DAYS; a database upgraded with records already in
  it, whose first hub write then marks the sums unbuilt) the first reader rebuilds and commits them,
  unless its transaction has written something (then it scores rows this once: a rebuild must not
  commit someone else's half-done work).

``flask evidence rebuild-sums`` rebuilds them by hand: needed after loading records around the hub
(a restore of only some tables, a bulk import such as ``bench/seed.py``), which nothing detects.
"""
from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import bindparam, event, exists, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import SessionTransaction

from .clock import utcnow
from .extensions import db
from .models import EvidenceRecord, IndicatorSums, IndicatorSumsState
from .profile.scoring import (
    SUMS_EPOCH, ScoringSettings, Sums, level_cut, level_of_ratio, sums_of, sums_usable,
)

STATE_ID = 1
#: ``Session.info`` key: the ``_Batch``es of evidence this session's transaction wrote, whose sums are
#: written at its COMMIT.
PENDING = "evidence_sums_pending"
#: ``latest_at`` of a row created empty (to be locked): before any record, so the newest record wins.
NO_RECORD = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: Rows per INSERT of a rebuild.
CHUNK = 5000

SUMS = IndicatorSums.__table__
STATE = IndicatorSumsState.__table__


def settings() -> ScoringSettings:
    return ScoringSettings(half_life_days=current_app.config["EVIDENCE_HALF_LIFE_DAYS"])


def _insert(executor, table):
    dialect = executor.get_bind().dialect.name if hasattr(executor, "get_bind") else executor.dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _fresh(state, knobs: ScoringSettings) -> bool:
    return (state is not None and state.built_at is not None and state.epoch == SUMS_EPOCH
            and state.half_life_days == knobs.half_life_days)


def _kinds(text_value: str) -> tuple[str, ...]:
    return tuple(sorted(part for part in text_value.split("|") if part))


def _kinds_text(kinds: Iterable[str]) -> str:
    return "|" + "".join(f"{kind}|" for kind in sorted(kinds))


# --- writing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    """What the sums need of a written record (a copy: the row may be replaced later in the transaction)."""

    id: int
    user_id: int
    indicator: str
    score: float
    weight: float
    created_at: datetime
    source_kind: str
    source_ref: str


@dataclass
class _Batch:
    """One ``record_all`` batch waiting for COMMIT."""

    records: list[_Record]
    removed: set[tuple[int, str]]
    #: The SAVEPOINT it was written in (None: the transaction itself); dropped when that one rolls back.
    savepoint: SessionTransaction | None


def on_written(kind: str, written: Sequence[EvidenceRecord], removed: set[tuple[int, str]]) -> None:
    """Note the flushed records ``written`` (all of ``kind``) and the person × indicator pairs in
    ``removed`` (records deleted in this batch) for the sums; they are written at COMMIT (``_apply``)."""
    if not (written or removed) or not sums_usable(settings()):
        return
    session = db.session()
    session.info.setdefault(PENDING, []).append(_Batch(
        [_Record(r.id, r.user_id, r.indicator, r.score, r.weight, r.created_at, kind, r.source_ref or "")
         for r in written], set(removed), session.get_nested_transaction()))


def _written_people(session) -> set[int]:
    """The people whose sums this session's transaction changes at COMMIT: until then their rows score them."""
    batches = session.info.get(PENDING) or ()
    return {r.user_id for batch in batches for r in batch.records} | {
        user_id for batch in batches for user_id, _indicator in batch.removed}


def _apply(session, batches: list[_Batch], knobs: ScoringSettings) -> None:
    """Write the sums of every batch of the transaction: lock (or create empty) every person ×
    indicator row it changes in one statement, in one order (so two transactions never wait for each
    other's rows in opposite orders), then add what was written, and recompute the pairs that lost
    records from the records."""
    records = [r for batch in batches for r in batch.records]
    written_ids = [r.id for r in records]
    lock = select(STATE).where(STATE.c.id == STATE_ID)
    if session.get_bind().dialect.name == "postgresql":
        lock = lock.with_for_update(read=True)
    state = session.execute(lock).first()
    if state is None:
        # First write since the tables were created or emptied: the sums are complete (and these records
        # can be added) only when there are no other records; otherwise a reader rebuilds them.
        others = session.scalar(select(exists().where(EvidenceRecord.id.not_in(written_ids))))
        session.execute(_insert(session, STATE).values(
            id=STATE_ID, half_life_days=knobs.half_life_days, epoch=SUMS_EPOCH,
            built_at=None if others else utcnow()).on_conflict_do_nothing(index_elements=["id"]))
        state = session.execute(lock).first()
    if not _fresh(state, knobs):
        return  # a rebuild will count these records
    recompute: set[tuple[int, str]] = set().union(*(batch.removed for batch in batches))
    groups: dict[tuple[int, str], list[_Record]] = defaultdict(list)
    for row in records:  # a record replaced later in the transaction is on a pair recomputed from the rows
        if (row.user_id, row.indicator) not in recompute:
            groups[(row.user_id, row.indicator)].append(row)
    keys = sorted(recompute | groups.keys())
    if not keys:
        return
    stmt = _insert(session, SUMS)
    stmt = stmt.on_conflict_do_update(index_elements=["user_id", "indicator"], set_={"records": SUMS.c.records})
    current = {(row.user_id, row.indicator): row for row in session.execute(stmt.returning(*SUMS.c), [
        {"user_id": u, "indicator": i, "weight_sum": 0.0, "score_sum": 0.0, "records": 0, "sources": 0,
         "kinds": "|", "latest_at": NO_RECORD} for u, i in keys])}
    # The rows are locked now: which of the new refs did the person have on that indicator before (records
    # committed by others up to this moment included)?
    refs = {r.source_ref for rows in groups.values() for r in rows if r.source_ref}
    seen: set[tuple[int, str, str]] = set()
    if refs:
        seen = set(session.execute(
            select(EvidenceRecord.user_id, EvidenceRecord.indicator, EvidenceRecord.source_ref).distinct()
            .where(EvidenceRecord.user_id.in_({k[0] for k in groups}),
                   EvidenceRecord.indicator.in_({k[1] for k in groups}),
                   EvidenceRecord.source_ref.in_(refs), EvidenceRecord.id.not_in(written_ids))).all())
    fresh: dict[tuple[int, str], list] = defaultdict(list)
    if recompute:
        for row in session.execute(_rows_query().where(EvidenceRecord.user_id.in_({k[0] for k in recompute}),
                                                       EvidenceRecord.indicator.in_({k[1] for k in recompute}))):
            if (row.user_id, row.indicator) in recompute:
                fresh[(row.user_id, row.indicator)].append(row)
    values, empty = [], []
    for key in keys:
        if key in recompute:
            if fresh.get(key):
                values.append(_values(key[0], sums_of(fresh[key], knobs)[key[1]]))
            else:
                empty.append({"u": key[0], "i": key[1]})
            continue
        rows, before = groups[key], current[key]
        found = sums_of(rows, knobs)[key[1]]
        new_sources = len({r.source_ref for r in rows if r.source_ref and (*key, r.source_ref) not in seen})
        kinds = before.kinds
        for kind in found.kinds:
            if f"|{kind}|" not in kinds:
                kinds += f"{kind}|"
        values.append({"user_id": key[0], "indicator": key[1], "weight_sum": before.weight_sum + found.weight,
                       "score_sum": before.score_sum + found.scored, "records": before.records + found.records,
                       "sources": before.sources + new_sources + sum(1 for r in rows if not r.source_ref),
                       "kinds": kinds, "latest_at": max(before.latest_at, found.latest)})
    if values:
        stmt = _insert(session, SUMS)
        session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "indicator"], set_={
            name: stmt.excluded[name] for name in ("weight_sum", "score_sum", "records", "sources", "kinds",
                                                   "latest_at")}), values)
    if empty:
        session.execute(SUMS.delete().where(SUMS.c.user_id == bindparam("u"), SUMS.c.indicator == bindparam("i")),
                        empty)


def _before_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: its batches wait for the transaction's COMMIT
    batches = session.info.pop(PENDING, None)
    if batches:
        knobs = settings()
        if sums_usable(knobs):
            _apply(session, batches, knobs)


def _after_commit(session) -> None:
    released = session.get_nested_transaction()
    if released is None:
        session.info.pop(PENDING, None)
        return
    # A SAVEPOINT released: its batches belong to the one around it now.
    around = released.parent if released.parent is not None and released.parent.nested else None
    for batch in session.info.get(PENDING) or ():
        if batch.savepoint is released:
            batch.savepoint = around


def _after_transaction_end(session, transaction) -> None:
    """A transaction or SAVEPOINT ended without COMMIT (or after one): forget what was written in it."""
    if not transaction.nested:
        if transaction.parent is None:
            session.info.pop(PENDING, None)
        return
    batches = session.info.get(PENDING)
    if batches:
        session.info[PENDING] = [batch for batch in batches if batch.savepoint is not transaction]


event.listen(db.session, "before_commit", _before_commit)
event.listen(db.session, "after_commit", _after_commit)
event.listen(db.session, "after_transaction_end", _after_transaction_end)


def _rows_query():
    return select(EvidenceRecord.user_id, EvidenceRecord.indicator, EvidenceRecord.score, EvidenceRecord.weight,
                  EvidenceRecord.created_at, EvidenceRecord.source_kind, EvidenceRecord.source_ref)


def _values(user_id: int, found: Sums) -> dict:
    return {"user_id": user_id, "indicator": found.indicator, "weight_sum": found.weight, "score_sum": found.scored,
            "records": found.records, "sources": found.sources, "kinds": _kinds_text(found.kinds),
            "latest_at": found.latest}


# --- rebuilding ---------------------------------------------------------------------------------------------


def rebuild(connection, knobs: ScoringSettings, force: bool = False) -> int | None:
    """Rebuild every sums row from the records on ``connection`` (a Connection or the Session, in
    a transaction the caller commits), unless they are fresh (``force``: rebuild anyway). Returns
    the number of rows built, or None when another process had just built them."""
    if not sums_usable(knobs):
        raise ValueError(f"sums are not kept for a half-life of {knobs.half_life_days} days")
    connection.execute(_insert(connection, STATE).values(id=STATE_ID, half_life_days=None, epoch=SUMS_EPOCH,
                                                         built_at=None).on_conflict_do_nothing(index_elements=["id"]))
    claim = STATE.update().where(STATE.c.id == STATE_ID).values(
        half_life_days=knobs.half_life_days, epoch=SUMS_EPOCH, built_at=utcnow())
    if not force:
        claim = claim.where(or_(STATE.c.built_at.is_(None), STATE.c.epoch != SUMS_EPOCH,
                                STATE.c.half_life_days.is_distinct_from(knobs.half_life_days)))
    if connection.execute(claim).rowcount == 0:
        return None  # built by someone else meanwhile (the UPDATE waited for them)
    connection.execute(SUMS.delete())
    by_user: dict[int, list] = defaultdict(list)
    for row in connection.execute(_rows_query()):
        by_user[row.user_id].append(row)
    values = [_values(user_id, found) for user_id, rows in by_user.items()
              for found in sums_of(rows, knobs).values()]
    for start in range(0, len(values), CHUNK):
        connection.execute(SUMS.insert(), values[start:start + CHUNK])
    return len(values)


def _has_written() -> bool:
    """Has this session's transaction written anything (or does it hold pending changes)? Then a
    rebuild, which commits, must not run in it."""
    session = db.session()
    if session.info.get(PENDING) or session.new or session.dirty or session.deleted:
        return True
    if not session.in_transaction():
        return False
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return session.scalar(text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL"))
    raw = connection.connection.dbapi_connection
    return isinstance(raw, sqlite3.Connection) and raw.in_transaction  # legacy control: begun by a write


def ready(knobs: ScoringSettings) -> bool:
    """Are the sums fresh for ``knobs``? When stale, rebuilds and commits them in this session if its
    transaction has written nothing (see module docstring); False: score rows."""
    if not sums_usable(knobs):
        return False
    if _fresh(db.session.execute(select(STATE).where(STATE.c.id == STATE_ID)).first(), knobs):
        return True
    if _has_written():
        return False
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
        rebuild(db.session, knobs)
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.warning("evidence sums: rebuild failed, scoring rows", exc_info=True)
        return False
    return True


# --- reading ------------------------------------------------------------------------------------------------


def sums_for(user_ids: Sequence[int], now: datetime, knobs: ScoringSettings) -> tuple[dict[int, dict[str, Sums]], list[int]]:
    """(person → indicator → ``Sums`` for the people whose sums give their levels at ``now``, the
    people to score from rows instead): one or two queries, none when ``user_ids`` is empty."""
    ids = list(user_ids)
    if not ids:
        return {}, []
    if not ready(knobs):
        return {}, ids
    result: dict[int, dict[str, Sums]] = {}
    late: set[int] = _written_people(db.session()) & set(ids)
    kinds_cache: dict[str, tuple[str, ...]] = {}
    rows = db.session.execute(select(SUMS.c.user_id, SUMS.c.indicator, SUMS.c.weight_sum, SUMS.c.score_sum,
                                     SUMS.c.records, SUMS.c.sources, SUMS.c.kinds, SUMS.c.latest_at > now)
                              .where(SUMS.c.user_id.in_(ids), SUMS.c.records > 0))
    for user_id, indicator, weight, scored, records, sources, kinds, after in rows:
        if after:
            late.add(user_id)
            continue
        found = kinds_cache.get(kinds)
        if found is None:
            found = kinds_cache[kinds] = _kinds(kinds)
        result.setdefault(user_id, {})[indicator] = Sums(indicator, weight, scored, records, sources, found)
    for user_id in late:
        result.pop(user_id, None)
    return result, [uid for uid in ids if uid in late]


def levels_for(user_ids: Sequence[int], indicators: Sequence[str], now: datetime,
               knobs: ScoringSettings) -> tuple[dict[int, dict[str, float]], list[int]]:
    """(person → indicator → level, for those of ``indicators`` with enough evidence, the people to
    score from rows instead): ``scoring.levels_from_sums`` done by the database, which returns only
    the rows with a level (``scoring.level_cut``) and those dated after ``now``; one query."""
    ids = list(user_ids)
    if not ids:
        return {}, []
    if not ready(knobs):
        return {}, ids
    result: dict[int, dict[str, float]] = defaultdict(dict)
    late: set[int] = _written_people(db.session()) & set(ids)
    after = SUMS.c.latest_at > now
    enough = ((SUMS.c.weight_sum > 0) & (SUMS.c.weight_sum >= level_cut(now, knobs))
              & (SUMS.c.sources >= knobs.min_sources))
    for user_id, indicator, ratio, is_late in db.session.execute(
            select(SUMS.c.user_id, SUMS.c.indicator, SUMS.c.score_sum / SUMS.c.weight_sum, after)
            .where(SUMS.c.user_id.in_(ids), SUMS.c.indicator.in_(indicators), SUMS.c.records > 0,
                   enough | after)).all():
        if is_late:
            late.add(user_id)
        else:
            result[user_id][indicator] = level_of_ratio(ratio)
    for user_id in late:
        result.pop(user_id, None)
    return result, [uid for uid in ids if uid in late]
