"""The evidence hub's kept sums: per person × indicator what the scoring rule needs
(``IndicatorSums``), so the cohort heatmap, distributions, pairing and the mentor dashboard read one
row per person and indicator instead of every evidence record.

- **Writing** (``on_written``, called by ``app.evidence.record_all`` in the same transaction as the
  records): the batch's ``Σ w·2^(t/H)``, ``Σ w·score·2^(t/H)`` (``scoring.growth``), record count,
  kind and newest time are added with one upsert per person × indicator (``INSERT … ON CONFLICT DO
  UPDATE`` on SQLite and PostgreSQL), which also locks the row; only then are the batch's source
  refs looked up among the person's earlier records on that indicator (an indexed query that sees
  what concurrent writers committed before the lock was granted), and the refs not seen before are
  added to ``sources``. So a repeated ref counts once even when two requests write it at the same
  moment. Where the batch deleted records (``on_repeat="replace"``) the touched rows are locked the
  same way and recomputed from the records.
- **State** (``IndicatorSumsState``): the half-life and epoch the sums were built with. Writers take
  a share lock on it (PostgreSQL) and skip the sums while it is missing or differs from the
  settings; ``rebuild`` takes it exclusively, so a rebuild never misses a concurrent write.
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
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import bindparam, case, event, exists, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from .clock import utcnow
from .extensions import db
from .models import EvidenceRecord, IndicatorSums, IndicatorSumsState
from .profile.scoring import (
    SUMS_EPOCH, ScoringSettings, Sums, level_cut, level_of_ratio, sums_of, sums_usable,
)

STATE_ID = 1
#: ``Session.info`` key: this session's transaction holds locks on the sums (it wrote evidence).
WROTE = "evidence_sums_locked"
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


def on_written(kind: str, written: Sequence[EvidenceRecord], removed: set[tuple[int, str]]) -> None:
    """Add the flushed records ``written`` (all of ``kind``) to the sums; recompute the person ×
    indicator pairs in ``removed`` (records deleted in this batch) from the records."""
    knobs = settings()
    if not (written or removed) or not sums_usable(knobs):
        return
    session = db.session
    lock = select(STATE).where(STATE.c.id == STATE_ID)
    if session.get_bind().dialect.name == "postgresql":
        lock = lock.with_for_update(read=True)
    state = session.execute(lock).first()
    if state is None:
        # First write since the tables were created or emptied: the sums are complete (and this batch
        # can be added) only when there are no other records; otherwise a reader rebuilds them.
        others = session.scalar(select(exists().where(EvidenceRecord.id.not_in([r.id for r in written]))))
        session.execute(_insert(session, STATE).values(
            id=STATE_ID, half_life_days=knobs.half_life_days, epoch=SUMS_EPOCH,
            built_at=None if others else utcnow()).on_conflict_do_nothing(index_elements=["id"]))
        state = session.execute(lock).first()
    session.info[WROTE] = True
    if not _fresh(state, knobs):
        return  # a rebuild will count these records
    groups: dict[tuple[int, str], list[EvidenceRecord]] = defaultdict(list)
    for row in written:
        groups[(row.user_id, row.indicator)].append(row)
    recompute = sorted(removed)
    added = sorted(key for key in groups if key not in removed)
    if recompute:  # lock every row of the batch first, in one order, before adding to any
        _lock_rows(sorted(set(recompute) | set(added)))
    if added:
        _add(kind, added, groups, knobs)
    if recompute:
        _recompute(recompute, knobs)


def _add(kind: str, keys: list[tuple[int, str]], groups, knobs: ScoringSettings) -> None:
    session = db.session
    stmt = _insert(session, SUMS)
    existing = SUMS.c
    stmt = stmt.on_conflict_do_update(index_elements=["user_id", "indicator"], set_={
        "weight_sum": existing.weight_sum + stmt.excluded.weight_sum,
        "score_sum": existing.score_sum + stmt.excluded.score_sum,
        "records": existing.records + stmt.excluded.records,
        "kinds": case((existing.kinds.contains(f"|{kind}|", autoescape=True), existing.kinds),
                      else_=existing.kinds + f"{kind}|"),
        "latest_at": case((stmt.excluded.latest_at > existing.latest_at, stmt.excluded.latest_at),
                          else_=existing.latest_at),
    })
    values = []
    for key in keys:  # sorted: concurrent writers lock rows in the same order
        found = sums_of(groups[key], knobs)[key[1]]
        values.append({"user_id": key[0], "indicator": key[1], "weight_sum": found.weight, "score_sum": found.scored,
                       "records": found.records, "sources": 0, "kinds": f"|{kind}|", "latest_at": found.latest})
    session.execute(stmt, values)
    # The rows are locked now: which of the batch's refs did the person have on that indicator before?
    written_ids = [r.id for key in keys for r in groups[key]]
    refs = {r.source_ref for key in keys for r in groups[key] if r.source_ref}
    seen: set[tuple[int, str, str]] = set()
    if refs:
        seen = set(session.execute(
            select(EvidenceRecord.user_id, EvidenceRecord.indicator, EvidenceRecord.source_ref).distinct()
            .where(EvidenceRecord.user_id.in_({k[0] for k in keys}), EvidenceRecord.indicator.in_({k[1] for k in keys}),
                   EvidenceRecord.source_ref.in_(refs), EvidenceRecord.id.not_in(written_ids))).all())
    increments = []
    for key in keys:
        rows = groups[key]
        fresh_refs = {r.source_ref for r in rows if r.source_ref and (*key, r.source_ref) not in seen}
        new = len(fresh_refs) + sum(1 for r in rows if not r.source_ref)
        if new:
            increments.append({"u": key[0], "i": key[1], "n": new})
    if increments:
        session.execute(SUMS.update().where(SUMS.c.user_id == bindparam("u"), SUMS.c.indicator == bindparam("i"))
                        .values(sources=SUMS.c.sources + bindparam("n")), increments)


def _lock_rows(keys: list[tuple[int, str]]) -> None:
    """Create (empty) or lock the sums rows of ``keys``, in order."""
    session = db.session
    stmt = _insert(session, SUMS)
    stmt = stmt.on_conflict_do_update(index_elements=["user_id", "indicator"], set_={"records": SUMS.c.records})
    session.execute(stmt, [{"user_id": u, "indicator": i, "weight_sum": 0.0, "score_sum": 0.0, "records": 0,
                            "sources": 0, "kinds": "|", "latest_at": NO_RECORD} for u, i in keys])


def _recompute(keys: list[tuple[int, str]], knobs: ScoringSettings) -> None:
    session = db.session
    wanted = set(keys)
    rows: dict[tuple[int, str], list] = defaultdict(list)
    for row in session.execute(_rows_query().where(EvidenceRecord.user_id.in_({k[0] for k in keys}),
                                                   EvidenceRecord.indicator.in_({k[1] for k in keys}))):
        if (row.user_id, row.indicator) in wanted:
            rows[(row.user_id, row.indicator)].append(row)
    values, empty = [], []
    for key in keys:
        if rows.get(key):
            values.append(_values(key[0], sums_of(rows[key], knobs)[key[1]]))
        else:
            empty.append({"u": key[0], "i": key[1]})
    if values:
        stmt = _insert(session, SUMS)
        session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "indicator"], set_={
            name: stmt.excluded[name] for name in ("weight_sum", "score_sum", "records", "sources", "kinds",
                                                   "latest_at")}), values)
    if empty:
        session.execute(SUMS.delete().where(SUMS.c.user_id == bindparam("u"), SUMS.c.indicator == bindparam("i")),
                        empty)


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
    if session.info.get(WROTE) or session.new or session.dirty or session.deleted:
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
    late: set[int] = set()
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


def _forget_locks(session, *_args) -> None:
    session.info.pop(WROTE, None)


event.listen(db.session, "after_commit", _forget_locks)
event.listen(db.session, "after_rollback", _forget_locks)


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
    late: set[int] = set()
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
