"""What to do next: courses, quizzes and drills that train a person's weakest indicators
(pure: standard library only; data in, data out).

Rule:

1. Only items that train at least one of the weak indicators are candidates.
2. An item done within the last ``skip_days`` days (default 30) is skipped; one done longer ago
   stays (flagged ``done_before``), so a worker can come back to it.
3. Ranking, best first: the weakest indicator the item trains (training the very weakest wins),
   then how many of the weak indicators it trains (more first), then how focused it is (fewer
   indicators in total first), then never done before first, then ``KINDS`` order and catalogue
   order (so equal items keep the order the catalogue gives them).
4. At most ``per_kind`` items of each kind (default 2), and at most ``limit`` in all when given.

Each recommendation carries a ``reason`` key for the view to translate (``weak-indicator`` when it
trains one weak indicator, ``weak-indicators`` for several) and ``indicator``, the weakest one it
trains, with ``trains``, all the weak ones it trains, weakest first.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

KINDS = ("course", "quiz", "drill")
REASON_ONE, REASON_SEVERAL = "weak-indicator", "weak-indicators"


@dataclass(frozen=True)
class Item:
    """Something in the catalogue a person can do."""

    kind: str                        # one of KINDS
    id: str                          # slug, unique within its kind
    title: str
    indicators: tuple[str, ...]      # indicator ids it trains

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown item kind {self.kind!r} (use {', '.join(KINDS)})")
        object.__setattr__(self, "indicators", tuple(self.indicators))

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.id


@dataclass(frozen=True)
class Recommendation:
    item: Item
    indicator: str                   # the weakest of the weak indicators it trains
    trains: tuple[str, ...]          # every weak indicator it trains, weakest first
    reason: str                      # REASON_ONE or REASON_SEVERAL
    done_before: bool = False        # done, but longer ago than skip_days


def _indicator_id(value: Any) -> str:
    return value if isinstance(value, str) else value.indicator


def recommend(weak: Sequence[Any], catalogue: Iterable[Item],
              recent: Mapping[tuple[str, str], datetime], now: datetime, skip_days: float = 30,
              per_kind: int = 2, limit: int | None = None) -> list[Recommendation]:
    """Ranked recommendations for the weak indicators (ids or ``IndicatorLevel``s, weakest first).

    ``recent`` maps (kind, id) to when the person last did the item. Raises ValueError for a
    naive datetime.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now: naive datetime given; use a timezone-aware datetime")
    rank = {}
    for position, value in enumerate(weak):
        rank.setdefault(_indicator_id(value), position)
    kind_order = {kind: i for i, kind in enumerate(KINDS)}
    horizon = now - timedelta(days=skip_days)
    candidates = []
    for position, item in enumerate(catalogue):
        trained = sorted({ind for ind in item.indicators if ind in rank}, key=rank.__getitem__)
        if not trained:
            continue
        last = recent.get(item.key)
        if last is not None and (last.tzinfo is None or last.utcoffset() is None):
            raise ValueError(f"recent[{item.key}]: naive datetime given; use a timezone-aware datetime")
        if last is not None and last > horizon:
            continue
        sort_key = (rank[trained[0]], -len(trained), len(set(item.indicators)), last is not None,
                    kind_order[item.kind], position)
        candidates.append((sort_key, Recommendation(
            item=item, indicator=trained[0], trains=tuple(trained),
            reason=REASON_ONE if len(trained) == 1 else REASON_SEVERAL, done_before=last is not None)))
    candidates.sort(key=lambda pair: pair[0])
    taken: dict[str, int] = {}
    result = []
    for _key, recommendation in candidates:
        kind = recommendation.item.kind
        if taken.get(kind, 0) >= per_kind:
            continue
        taken[kind] = taken.get(kind, 0) + 1
        result.append(recommendation)
        if limit is not None and len(result) >= limit:
            break
    return result
