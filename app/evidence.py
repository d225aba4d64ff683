"""The evidence hub: the one writer of evidence rows and the registry of what produces them.

Every measured act (a quiz answer, a drill decision or ending, a course completed, a mentor's
observation, a judge's score) becomes ``EvidenceRecord`` rows on competency indicators, written here
and nowhere else. A feature registers each kind of evidence it produces once, at start-up
(``register_source``), with:

- ``label``: what a person reads in the profile's evidence list and the Excel export;
- ``links``: record rows → the URL of what produced each (a quiz review, a drill decision ...),
  resolved for a whole page of records at once;
- ``verb``/``activity_type``: the xAPI verb and activity type of statements about it;
- ``statements``: optionally, a builder of the feature's xAPI statements for a set of people
  (``StatementContext`` in, statements out), so records out need no list of features;
- ``signal`` and ``collect``: the signal the feature sends when it happens, and a function turning
  the signal's sender and arguments into ``Item``s; the hub subscribes and writes them;
- ``on_repeat``: what to do when rows with the same person, kind and reference already exist:
  ``"add"`` (every act counts), ``"skip"`` (once only, e.g. a course completion) or ``"replace"``
  (the newest result stands, e.g. a practical's judged score after one more judge).

In the same transaction the hub keeps the per person × indicator sums the scoring rule needs
(``app.evidence_sums``, written at COMMIT for every batch of the transaction at once, so that writers
lock them in one order), which the cohort views read instead of the rows; this module is the only
writer (and deleter) of evidence rows, so they stay right.

Profiles, cohort heatmaps, Excel and xAPI read the registry; adding a source is one registration
plus the feature's own code.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from . import evidence_sums
from .clock import utcnow
from .extensions import db
from .models import EvidenceRecord


@dataclass(frozen=True)
class Item:
    """One observation to record: a person's score (0-100) on one indicator."""

    user_id: int
    indicator: str
    score: float
    source_id: int | None = None
    #: A readable pointer, e.g. ``drill:gas-leak:v3:arrive:ventilate``; also the key for on_repeat.
    source_ref: str = ""
    weight: float = 1.0
    content_version: str = ""
    at: datetime | None = None


@dataclass
class StatementContext:
    """What a statement builder gets: the people, their xAPI actors and the indicator scores of the
    evidence stream by (source kind, source id)."""

    config: Any                               # app.profile.xapi.XapiConfig
    user_ids: list[int]
    actors: dict[int, dict]
    scores: dict[tuple[str, int], dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    kind: str
    label: Any
    verb: str = "experienced"
    activity_type: str = "interaction"
    links: Callable[[list[EvidenceRecord]], dict[int, str]] | None = None
    #: Record id → what produced it in words a person reads (course, drill · node · choice), for exports.
    describe: Callable[[list[EvidenceRecord]], dict[int, str]] | None = None
    statements: Callable[[StatementContext], Iterable[dict]] | None = None
    on_repeat: str = "add"


_sources: dict[str, Source] = {}
_collectors: dict[str, dict[str, Callable[..., Iterable[Item]]]] = defaultdict(dict)  # signal name → kind → collect
_receivers: dict[str, Callable] = {}


def register_source(source: Source, *, signal=None, collect: Callable[..., Iterable[Item]] | None = None) -> None:
    """Register (or re-register, for a second app in the same process) an evidence source."""
    if source.on_repeat not in ("add", "skip", "replace"):
        raise ValueError(f"on_repeat must be add, skip or replace, not {source.on_repeat!r}")
    _sources[source.kind] = source
    if signal is None or collect is None:
        return
    _collectors[signal.name][source.kind] = collect
    if signal.name not in _receivers:
        def receiver(sender, **kwargs):
            for kind, collector in list(_collectors[signal.name].items()):
                record_all(kind, collector(sender, **kwargs))

        _receivers[signal.name] = receiver
        signal.connect(receiver, weak=False)


def sources() -> list[Source]:
    return list(_sources.values())


def source(kind: str) -> Source | None:
    return _sources.get(kind)


def label(kind: str) -> str:
    found = _sources.get(kind)
    return str(found.label) if found else kind


def record_all(kind: str, items: Iterable[Item]) -> list[EvidenceRecord]:
    """Write items of one registered kind, applying its ``on_repeat`` rule. Callers commit.

    Raises ValueError for an unregistered kind or a score outside 0-100 (a programming error).
    """
    found = _sources.get(kind)
    if found is None:
        raise ValueError(f"evidence kind {kind!r} is not registered")
    written: list[EvidenceRecord] = []
    cleared: set[tuple[int, str]] = set()
    removed: set[tuple[int, str]] = set()  # (person, indicator) that lost records: their sums are recomputed
    for item in items:
        if not 0 <= item.score <= 100:
            raise ValueError(f"evidence score {item.score} out of 0-100 ({kind}, {item.source_ref})")
        key = (item.user_id, item.source_ref)
        if found.on_repeat == "skip" and key not in cleared and _exists(kind, *key):
            continue
        if found.on_repeat == "replace" and key not in cleared:
            removed.update((item.user_id, indicator) for indicator in db.session.scalars(
                delete(EvidenceRecord).where(
                    EvidenceRecord.user_id == item.user_id, EvidenceRecord.source_kind == kind,
                    EvidenceRecord.source_ref == item.source_ref).returning(EvidenceRecord.indicator)
                .execution_options(synchronize_session=False)))
        cleared.add(key)
        row = EvidenceRecord(user_id=item.user_id, indicator=item.indicator, score=item.score, weight=item.weight,
                             source_kind=kind, source_id=item.source_id, source_ref=item.source_ref,
                             content_version=item.content_version or "", created_at=item.at or utcnow())
        db.session.add(row)
        written.append(row)
    if written:
        db.session.flush()
    evidence_sums.on_written(kind, written, removed)
    return written


def _exists(kind: str, user_id: int, ref: str) -> bool:
    return db.session.scalar(select(EvidenceRecord.id).where(
        EvidenceRecord.user_id == user_id, EvidenceRecord.source_kind == kind,
        EvidenceRecord.source_ref == ref).limit(1)) is not None


def _per_source(records: list[EvidenceRecord], what: str, fallback=None) -> dict[int, str]:
    """Record id → the source's ``what`` (``links`` or ``describe``) for it, one batch per source kind;
    ``fallback(kind)`` for sources without one."""
    by_kind: dict[str, list[EvidenceRecord]] = defaultdict(list)
    for record in records:
        by_kind[record.source_kind].append(record)
    out: dict[int, str] = {}
    for kind, rows in by_kind.items():
        found = _sources.get(kind)
        batch = getattr(found, what, None) if found is not None else None
        if batch is not None:
            out.update(batch(rows))
        elif fallback is not None:
            out.update({row.id: fallback(kind) for row in rows})
    return out


def links(records: list[EvidenceRecord]) -> dict[int, str]:
    """Record id → URL of what produced it, one batch per source kind."""
    return _per_source(records, "links")


def descriptions(records: list[EvidenceRecord]) -> dict[int, str]:
    """Record id → a readable description of what produced it, one batch per source kind; a source
    without ``describe`` gives its label."""
    return _per_source(records, "describe", label)


def indicator_scores(user_ids: list[int]) -> dict[tuple[str, int], dict[str, float]]:
    """(source kind, source id) → indicator → score, for attaching to xAPI statements."""
    scores: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    if not user_ids:
        return scores
    for kind, source_id, indicator, score in db.session.execute(
            select(EvidenceRecord.source_kind, EvidenceRecord.source_id, EvidenceRecord.indicator,
                   EvidenceRecord.score).where(EvidenceRecord.user_id.in_(user_ids))):
        if source_id is not None:
            scores[(kind, source_id)][indicator] = score
    return scores


def statements(context: StatementContext) -> list[dict]:
    """Every registered source's xAPI statements for the context's people, oldest first."""
    out: list[dict] = []
    for found in _sources.values():
        if found.statements is not None:
            out.extend(found.statements(context))
    out.sort(key=lambda s: s["timestamp"])
    return out
