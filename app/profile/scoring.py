"""Competency scoring: one person's evidence → a level per indicator and per first-level group
(pure: standard library only; data in, data out).

Input records are anything with ``indicator``, ``score`` (0-100), ``weight`` (> 0), ``created_at``
(timezone-aware), ``source_kind`` and optionally ``source_ref`` (``EvidenceRecord`` rows or the
``Evidence`` tuple below). The model is a sequence of indicators with ``id``, ``group_id`` and
``group_title`` (``app.content.courses.Indicator``); records on ids outside the model are ignored.

The rule, at a moment ``now`` (records created after ``now`` do not exist yet):

- **Decay.** A record ``a`` days old counts ``weight × 0.5 ** (a / half_life)``, its *effective
  weight* (half-life 180 days by default, a setting; ``None`` turns decay off).
- **Level** = the mean of the scores weighted by effective weight, 0-100, one decimal.
- **Enough evidence.** A level is shown only when the effective weights add up to at least 3
  (``min_weight``) **and** the records come from at least 2 distinct sources (``min_sources``). A
  source is a ``source_ref`` (one quiz question, one drill decision, one drill outcome, one mentor
  note); a record without a ref is a source of its own. So one heavy observation, or one question
  answered again and again, is not yet a level; nor are a few records that have decayed with age.
  The weighted mean is still reported as ``estimate`` (a provisional value for "not enough yet").
- **Confidence** 0..1 = ``min(1, W / 12) × (0.5 + 0.5 × min(k, 3) / 3)`` with ``W`` the total
  effective weight and ``k`` the number of distinct source kinds (quiz, drill, mentor, judging,
  course): it grows with the amount of recent evidence and with triangulation between kinds, and
  reaches 1 at 12 units of fresh evidence from 3 kinds (one kind alone stops at 0.667).
- **Group** (first level): level = the plain mean of the levels of its indicators that have one
  (None when none has); confidence = the mean confidence over *all* its indicators, so a group
  measured on one indicator of two is at most half as sure.

``trend`` replays the same rule at each month end; ``weakest`` and ``strengths`` rank indicators
that have a level; ``cohort_summary`` gives per-indicator distributions over many people.

**From sums instead of rows.** The half-life decay factors out of the weighted mean: a record made
at ``t`` counts ``w × 2^(t/H) / 2^(now/H)`` with ``t`` and ``now`` measured in days from a fixed
``SUMS_EPOCH``. So per person × indicator it is enough to keep ``Σ w·2^(t/H)``, ``Σ w·score·2^(t/H)``,
the number of records, the number of distinct sources and the set of source kinds (``Sums``,
``sums_of``; ``app.evidence_sums`` keeps them in the database); ``level_from_sums`` turns them into
the very ``IndicatorLevel`` that ``score_indicator`` gives from the rows, as long as no record is
dated after ``now`` (``Sums.latest``: the caller scores that person's rows instead). Both go through
``_finish``, which rounds after first rounding away float noise (9 decimals), so the two ways of
summing give the same displayed values. ``2^(t/H)`` grows without bound: ``sums_usable`` says for
which half-lives the sums stay far from overflow for a century (H ≥ ``MIN_SUMS_HALF_LIFE_DAYS``,
or no decay); below that, callers score rows.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple, Protocol

HISTOGRAM_BINS = 5  # [0,20) [20,40) [40,60) [60,80) [80,100]


class IndicatorLike(Protocol):
    id: str
    group_id: str
    group_title: str


class Evidence(NamedTuple):
    """One evidence record, as simple data (tests, imports, or a projection of ``EvidenceRecord``)."""

    indicator: str
    score: float
    weight: float
    created_at: datetime
    source_kind: str
    source_ref: str = ""


@dataclass(frozen=True)
class ScoringSettings:
    """The knobs of the rule; the defaults are the ones stated in the module docstring."""

    half_life_days: float | None = 180.0
    min_weight: float = 3.0
    min_sources: int = 2
    full_weight: float = 12.0
    full_kinds: int = 3

    def __post_init__(self) -> None:
        if self.half_life_days is not None and not self.half_life_days > 0:
            raise ValueError("half_life_days must be positive (or None for no decay)")
        if self.min_weight < 0 or self.min_sources < 1 or self.full_weight <= 0 or self.full_kinds < 1:
            raise ValueError("min_weight ≥ 0, min_sources ≥ 1, full_weight > 0 and full_kinds ≥ 1")

    def decay(self, age_days: float) -> float:
        """The share of its weight a record keeps at ``age_days`` old (1 when new or in the future)."""
        if self.half_life_days is None or age_days <= 0:
            return 1.0
        return 0.5 ** (age_days / self.half_life_days)


DEFAULT_SETTINGS = ScoringSettings()


@dataclass(frozen=True)
class IndicatorLevel:
    indicator: str
    level: float | None        # 0..100, None until there is enough evidence
    estimate: float | None     # the weighted mean whatever the amount; None without records
    confidence: float          # 0..1
    weight: float              # total effective weight after decay
    records: int               # records counted (created at or before the moment scored)
    sources: int               # distinct sources
    kinds: tuple[str, ...] = ()  # distinct source kinds, sorted

    @property
    def shown(self) -> bool:
        return self.level is not None


@dataclass(frozen=True)
class GroupLevel:
    group: str
    title: str
    level: float | None
    confidence: float
    indicators: tuple[str, ...]
    measured: int              # how many of its indicators have a level


@dataclass(frozen=True)
class Profile:
    at: datetime
    indicators: dict[str, IndicatorLevel]   # every model indicator, in model order
    groups: dict[str, GroupLevel] = field(default_factory=dict)

    def level(self, indicator: str) -> float | None:
        found = self.indicators.get(indicator)
        return found.level if found else None

    def levels(self) -> dict[str, float | None]:
        return {key: value.level for key, value in self.indicators.items()}


class TrendPoint(NamedTuple):
    month: str                 # "2025-03"
    at: datetime               # the moment scored: the month's last instant, or ``now`` for this month
    level: float | None
    confidence: float


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what}: naive datetime given; use a timezone-aware datetime")
    return value


def score_indicator(records: Iterable[Any], now: datetime, settings: ScoringSettings = DEFAULT_SETTINGS,
                    indicator: str = "") -> IndicatorLevel:
    """The level of one indicator from its records (all assumed to be on that indicator).

    Raises ValueError for a naive datetime, a score outside 0-100 or a weight that is not positive.
    """
    _aware(now, "now")
    total = weighted = 0.0
    count = 0
    sources: set[str] = set()
    kinds: set[str] = set()
    for i, record in enumerate(records):
        created = _aware(record.created_at, "created_at")
        if created > now:
            continue
        if not 0 <= record.score <= 100:
            raise ValueError(f"score {record.score!r} is outside 0-100")
        if not record.weight > 0:
            raise ValueError(f"weight {record.weight!r} must be positive")
        effective = record.weight * settings.decay((now - created).total_seconds() / 86400)
        total += effective
        weighted += effective * record.score
        count += 1
        ref = getattr(record, "source_ref", "") or ""
        sources.add(ref if ref else f"\0{i}")
        kinds.add(record.source_kind)
    return _finish(indicator, total, weighted, count, len(sources), tuple(sorted(kinds)), settings)


def _round(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` decimals after rounding away float noise (9 decimals): sums
    taken in another order or scale (rows, or ``Sums``) then give the same displayed value even at a
    tie such as 72.45."""
    return round(round(value, 9), digits)


def _finish(indicator: str, total: float, weighted: float, count: int, sources: int, kinds: tuple[str, ...],
            settings: ScoringSettings) -> IndicatorLevel:
    """The level from the decayed totals: ``total`` = Σ effective weight, ``weighted`` = Σ effective
    weight × score, over ``count`` records from ``sources`` distinct sources of ``kinds``."""
    estimate = _round(weighted / total, 1) if total > 0 else None
    enough = _round(total, 9) >= settings.min_weight and sources >= settings.min_sources
    amount = min(1.0, total / settings.full_weight)
    diversity = min(len(kinds), settings.full_kinds) / settings.full_kinds
    confidence = _round(amount * (0.5 + 0.5 * diversity), 3) if count else 0.0
    return IndicatorLevel(indicator=indicator, level=estimate if enough else None, estimate=estimate,
                          confidence=confidence, weight=_round(total, 3), records=count,
                          sources=sources, kinds=kinds)


# --- the same rule from sums -------------------------------------------------------------------

#: The fixed moment the sums' growth factors ``2^(t/H)`` are measured from.
SUMS_EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)
#: The shortest half-life the sums are kept for: ``2^(t/H)`` reaches 2^1000 (near the largest
#: float) only about ``1000 × H`` days after the epoch, i.e. in the 2100s at 30 days.
MIN_SUMS_HALF_LIFE_DAYS = 30.0


def sums_usable(settings: ScoringSettings) -> bool:
    """Can sums be kept for these settings (no decay, or a half-life of at least
    ``MIN_SUMS_HALF_LIFE_DAYS``)? Otherwise score rows."""
    return settings.half_life_days is None or settings.half_life_days >= MIN_SUMS_HALF_LIFE_DAYS


def growth(at: datetime, settings: ScoringSettings = DEFAULT_SETTINGS) -> float:
    """``2^(days from SUMS_EPOCH to at / H)``: the factor a record made at ``at`` is summed with
    (1 without decay). Raises ValueError for a naive datetime or a moment too far from the epoch."""
    _aware(at, "at")
    if settings.half_life_days is None:
        return 1.0
    exponent = (at - SUMS_EPOCH).total_seconds() / 86400 / settings.half_life_days
    if exponent > 1000:
        raise ValueError(f"{at.isoformat()} is too far from the sums' epoch for a {settings.half_life_days}-day "
                         "half-life")
    return 2.0 ** exponent


@dataclass(frozen=True)
class Sums:
    """What is kept per person × indicator so that the level needs no rows (``level_from_sums``)."""

    indicator: str
    weight: float                 # Σ weight × growth(created_at)
    scored: float                 # Σ weight × score × growth(created_at)
    records: int
    sources: int                  # distinct source refs (a record without one is a source of its own)
    kinds: tuple[str, ...] = ()   # distinct source kinds, sorted
    latest: datetime | None = None  # the newest record's created_at


def sums_of(records: Iterable[Any], settings: ScoringSettings = DEFAULT_SETTINGS) -> dict[str, Sums]:
    """indicator → ``Sums`` of the records (every record, whatever its date)."""
    acc: dict[str, list] = {}
    for i, record in enumerate(records):
        created = _aware(record.created_at, "created_at")
        if not 0 <= record.score <= 100:
            raise ValueError(f"score {record.score!r} is outside 0-100")
        if not record.weight > 0:
            raise ValueError(f"weight {record.weight!r} must be positive")
        entry = acc.setdefault(record.indicator, [0.0, 0.0, 0, set(), set(), created])
        factor = record.weight * growth(created, settings)
        entry[0] += factor
        entry[1] += factor * record.score
        entry[2] += 1
        ref = getattr(record, "source_ref", "") or ""
        entry[3].add(ref if ref else f"\0{i}")
        entry[4].add(record.source_kind)
        entry[5] = max(entry[5], created)
    return {key: Sums(key, weight, scored, count, len(sources), tuple(sorted(kinds)), latest)
            for key, (weight, scored, count, sources, kinds, latest) in acc.items()}


def level_from_sums(sums: Sums | None, now: datetime, settings: ScoringSettings = DEFAULT_SETTINGS,
                    indicator: str = "") -> IndicatorLevel:
    """The ``IndicatorLevel`` that ``score_indicator`` gives at ``now`` for the records summed in
    ``sums`` (None or no records: nothing yet). Raises ValueError when a summed record is dated after
    ``now`` (it does not exist yet for the rule, and cannot be taken out of the sums: score rows)."""
    _aware(now, "now")
    if sums is None or not sums.records:
        return _finish(indicator or (sums.indicator if sums else ""), 0.0, 0.0, 0, 0, (), settings)
    if sums.latest is not None and sums.latest > now:
        raise ValueError("a summed record is dated after now: score the rows instead")
    scale = growth(now, settings)
    return _finish(indicator or sums.indicator, sums.weight / scale, sums.scored / scale, sums.records,
                   sums.sources, sums.kinds, settings)


def score_profile(records: Iterable[Any], model: Sequence[IndicatorLike], now: datetime,
                  settings: ScoringSettings = DEFAULT_SETTINGS) -> Profile:
    """Levels for every indicator of ``model`` and every first-level group, as they stand at ``now``."""
    by_indicator: dict[str, list[Any]] = {item.id: [] for item in model}
    for record in records:
        bucket = by_indicator.get(record.indicator)
        if bucket is not None:
            bucket.append(record)
    indicators = {key: score_indicator(rows, now, settings, key) for key, rows in by_indicator.items()}
    return _profile(indicators, model, now)


def level_cut(now: datetime, settings: ScoringSettings = DEFAULT_SETTINGS) -> float:
    """The least ``Sums.weight`` that is enough evidence at ``now`` (with enough sources): the
    ``min_weight`` that ``_finish`` tests after rounding away float noise, times ``growth(now)``.
    A database can apply it to the kept sums and return only the levels there are."""
    return (settings.min_weight - 5e-10) * growth(now, settings)


def levels_from_sums(rows: Iterable[tuple[str, float, float, int]], now: datetime,
                     settings: ScoringSettings = DEFAULT_SETTINGS) -> dict[str, float | None]:
    """indicator → level (None: not enough evidence) from ``(indicator, Sums.weight, Sums.scored,
    Sums.sources)`` rows of one person whose records are all dated at or before ``now``: the
    ``level`` of ``level_from_sums`` without building the rest, for views over many people. The
    level is the rounded ratio ``scored / weight`` (the growth factors cancel) where ``weight`` is at
    least ``level_cut``."""
    cut, min_sources = level_cut(now, settings), settings.min_sources
    return {indicator: level_of_ratio(scored / weight) if weight > 0 and weight >= cut and sources >= min_sources
            else None for indicator, weight, scored, sources in rows}


def level_of_ratio(ratio: float) -> float:
    """The displayed level of a weighted mean (``Sums.scored / Sums.weight``), as ``_finish`` rounds it
    (``_round(ratio, 1)``; away from a tie the first rounding cannot matter, and one round is cheaper
    for the thousands of cells of a cohort)."""
    tenths = ratio * 10
    if abs(tenths - math.floor(tenths) - 0.5) > 1e-6:
        return round(ratio, 1)
    return _round(ratio, 1)


def profile_from_sums(sums: Mapping[str, Sums], model: Sequence[IndicatorLike], now: datetime,
                      settings: ScoringSettings = DEFAULT_SETTINGS) -> Profile:
    """``score_profile`` from one person's sums per indicator (see ``level_from_sums``)."""
    indicators = {item.id: level_from_sums(sums.get(item.id), now, settings, item.id) for item in model}
    return _profile(indicators, model, now)


def _profile(indicators: dict[str, IndicatorLevel], model: Sequence[IndicatorLike], now: datetime) -> Profile:
    members: dict[str, list[IndicatorLike]] = {}
    for item in model:
        members.setdefault(item.group_id, []).append(item)
    groups = {}
    for group_id, items in members.items():
        levels = [indicators[item.id] for item in items]
        shown = [value.level for value in levels if value.level is not None]
        groups[group_id] = GroupLevel(
            group=group_id, title=items[0].group_title,
            level=round(sum(shown) / len(shown), 1) if shown else None,
            confidence=round(sum(value.confidence for value in levels) / len(levels), 3),
            indicators=tuple(item.id for item in items), measured=len(shown))
    return Profile(at=now, indicators=indicators, groups=groups)


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def month_ends(now: datetime, months: int = 6, tz: tzinfo | None = None) -> list[tuple[str, datetime]]:
    """(label, moment) for the last ``months`` months, oldest first, in the time zone ``tz`` (UTC
    when None): each past month's last instant, and ``now`` for the current month."""
    _aware(now, "now")
    if months < 1:
        raise ValueError("months must be at least 1")
    local = now.astimezone(tz or timezone.utc)
    result = []
    for back in range(months - 1, -1, -1):
        year, month = _shift(local.year, local.month, -back)
        next_year, next_month = _shift(year, month, 1)
        end = datetime(next_year, next_month, 1, tzinfo=local.tzinfo) - timedelta(microseconds=1)
        result.append((f"{year:04d}-{month:02d}", now if back == 0 else end))
    return result


def trend(records: Iterable[Any], indicator: str, now: datetime, months: int = 6,
          settings: ScoringSettings = DEFAULT_SETTINGS, tz: tzinfo | None = None) -> list[TrendPoint]:
    """The indicator's level as it stood at each month end (the current month: at ``now``), oldest
    first; ``level`` is None where there was not yet (or no longer) enough evidence."""
    rows = [record for record in records if record.indicator == indicator]
    points = []
    for label, moment in month_ends(now, months, tz):
        value = score_indicator(rows, moment, settings, indicator)
        points.append(TrendPoint(label, moment, value.level, value.confidence))
    return points


def trends(records: Iterable[Any], model: Sequence[IndicatorLike], now: datetime, months: int = 6,
           settings: ScoringSettings = DEFAULT_SETTINGS, tz: tzinfo | None = None) -> dict[str, list[TrendPoint]]:
    """``trend`` for every indicator of the model, in model order."""
    rows = list(records)
    return {item.id: trend(rows, item.id, now, months, settings, tz) for item in model}


def _order(profile: Profile) -> dict[str, int]:
    return {key: i for i, key in enumerate(profile.indicators)}


def weakest(profile: Profile, k: int = 3) -> list[IndicatorLevel]:
    """The ``k`` lowest levels (only indicators that have one); equal levels: lower confidence
    first, then model order."""
    order = _order(profile)
    shown = [value for value in profile.indicators.values() if value.level is not None]
    shown.sort(key=lambda value: (value.level, value.confidence, order[value.indicator]))
    return shown[:k]


def strengths(profile: Profile, k: int = 3, weak: int = 3) -> list[IndicatorLevel]:
    """The ``k`` highest levels among indicators that are not among the ``weak`` weakest (so a
    person measured on few indicators is not told one is both); equal levels: higher confidence
    first, then model order."""
    order = _order(profile)
    excluded = {value.indicator for value in weakest(profile, weak)}
    shown = [value for value in profile.indicators.values()
             if value.level is not None and value.indicator not in excluded]
    shown.sort(key=lambda value: (-value.level, -value.confidence, order[value.indicator]))
    return shown[:k]


@dataclass(frozen=True)
class Distribution:
    """How one indicator's levels spread over a cohort (people without a level are ``missing``)."""

    indicator: str
    count: int
    missing: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    low: float | None
    high: float | None
    histogram: tuple[int, ...]   # counts for [0,20) [20,40) [40,60) [60,80) [80,100]
    below: int                   # people whose level is under the threshold


@dataclass(frozen=True)
class CohortSummary:
    people: int
    indicators: dict[str, Distribution]
    weakest: list[str]           # lowest mean first


def quantile(ordered: Sequence[float], p: float) -> float:
    """The ``p`` quantile (0..1) of sorted values by linear interpolation between closest ranks
    (position ``p × (n − 1)``; Excel QUARTILE.INC, NumPy's default)."""
    if not ordered:
        raise ValueError("quantile of no values")
    position = p * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _levels_of(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Profile):
        return value.levels()
    return value


def _plain(value: Any) -> float | None:
    if isinstance(value, IndicatorLevel):
        return value.level
    return None if value is None else float(value)


def cohort_summary(levels_by_person: Mapping[Any, Profile | Mapping[str, Any]],
                   indicators: Sequence[str | IndicatorLike] | None = None, weakest_k: int = 3,
                   threshold: float = 60.0, min_count: int = 1) -> CohortSummary:
    """Per indicator over a cohort: count, mean, median, quartiles (``quantile``), range, a
    histogram of 5 bins of 20 points (100 falls in the last) and how many are under ``threshold``;
    and the ``weakest_k`` indicators by mean (among those with at least ``min_count`` levels;
    ties: lower median, then indicator order).

    ``levels_by_person`` maps a person to a ``Profile`` or to {indicator: level or None}. The
    indicators are ``indicators`` when given (ids, or the model's indicators), else every id seen,
    in first-seen order.
    """
    people = {person: _levels_of(value) for person, value in levels_by_person.items()}
    if indicators is not None:
        indicators = [key if isinstance(key, str) else key.id for key in indicators]
    else:
        seen: dict[str, None] = {}
        for levels in people.values():
            seen.update(dict.fromkeys(levels))
        indicators = list(seen)
    columns: dict[str, list[float]] = {key: [] for key in indicators}
    for levels in people.values():  # one pass over the (often sparse) levels of everyone
        for key, value in levels.items():
            column = columns.get(key)
            if column is not None and (level := value if type(value) is float else _plain(value)) is not None:
                column.append(level)
    result: dict[str, Distribution] = {}
    for key in indicators:
        values = sorted(columns[key])
        histogram = [0] * HISTOGRAM_BINS
        for level in values:
            histogram[min(int(level // (100 / HISTOGRAM_BINS)), HISTOGRAM_BINS - 1)] += 1
        some = bool(values)
        result[key] = Distribution(
            indicator=key, count=len(values), missing=len(people) - len(values),
            mean=round(sum(values) / len(values), 1) if some else None,
            median=round(quantile(values, 0.5), 1) if some else None,
            q1=round(quantile(values, 0.25), 1) if some else None,
            q3=round(quantile(values, 0.75), 1) if some else None,
            low=values[0] if some else None, high=values[-1] if some else None,
            histogram=tuple(histogram), below=sum(1 for level in values if level < threshold))
    order = {key: i for i, key in enumerate(indicators)}
    ranked = sorted((d for d in result.values() if d.count >= max(1, min_count)),
                    key=lambda d: (d.mean, d.median, order[d.indicator]))
    return CohortSummary(people=len(people), indicators=result,
                         weakest=[d.indicator for d in ranked[:weakest_k]])
