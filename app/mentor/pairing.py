"""Pairing suggestions and whole-cohort assignment for mentorships (pure: data in, data out).

The suggestion score (0..100) is a weighted mean of four parts, each 0..1; with the default weights
(35 + 20 + 30 + 15 = 100) a part's points are simply weight × value:

- **proximity** (35), from the area paths (ids city → district → street → community → grid): same
  grid 1.0, same community 0.75, same street 0.5, same district 0.25, otherwise 0. Two people share
  a level when their paths agree down to it (someone placed at a community shares that community
  with everyone in its grids). Joint household visits twice a month need the pair close together.
- **experience** (20): the mentor's years as a grid worker, 0 below 1 year, full at 5 years or more,
  linear in between: clamp((years − 1) / 4, 0, 1).
- **complementarity** (30): how far the mentor's strengths cover the mentee's weak spots. Take the
  mentee's 3 weakest indicators that have a level (lowest first, ties by indicator id); over those
  on which the mentor also has a level, the mean of max(0, mentor − mentee) / 100. Neutral 0.5 when
  the mentee has no levels or the mentor has none on those indicators (nothing to compare).
- **load** (15): the mentor's free capacity, (capacity − current mentees) / capacity. A mentor
  with no free place is not eligible; nor is a person for themselves.

score = 100 × Σ weightᵢ × partᵢ / Σ weightᵢ. Each ``Score`` carries its parts and ``reasons``:
explanation keys with parameters (texts in ``REASON_TEXT``) that a view translates.

``suggest`` ranks the eligible mentors per mentee: higher score first, ties by mentor id.

``assign_cohort`` pairs a whole cohort at once: each mentor takes at most their free places (a
mentor with 2 free places becomes 2 slots), each mentee at most one mentor. It pairs as many
mentees as possible and, among such pairings, maximises the total score (every eligible pair gets a
bonus larger than any possible total, so the count comes first). Solved exactly by the Hungarian
method (``scipy.optimize.linear_sum_assignment``) on the mentee × slot matrix, rectangular either
way. Inputs are ordered by id first, so the same cohort always gives the same result whatever the
input order. Mentees left without a mentor are reported with the reason.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Levels of the area tree, top down; an area path holds at most one id per level.
AREA_LEVELS = ("city", "district", "street", "community", "grid")
#: Proximity value by the number of leading area ids two paths share (5 = same grid).
PROXIMITY_BY_SHARED = {5: 1.0, 4: 0.75, 3: 0.5, 2: 0.25}
PROXIMITY_REASON = {5: "same_grid", 4: "same_community", 3: "same_street", 2: "same_district"}
EXPERIENCE_MIN_YEARS, EXPERIENCE_FULL_YEARS = 1.0, 5.0
WEAKEST_COUNT = 3
NEUTRAL = 0.5
CAPACITIES = (1, 2)
PARTS = ("proximity", "experience", "complementarity", "load")

#: English text for every explanation key; ``%(name)s`` placeholders come from ``Reason.params``.
REASON_TEXT = {
    "same_grid": "works in the same grid",
    "same_community": "works in the same community",
    "same_street": "works in the same street",
    "same_district": "works in the same district",
    "far": "works in another district",
    "area_unknown": "area not known for one of the two",
    "experience_full": "%(years)s years of experience",
    "experience_some": "%(years)s years of experience",
    "experience_new": "less than a year of experience",
    "covers_weakness": "strong where the mentee is weak: %(indicator)s %(mentor)s vs %(mentee)s",
    "no_edge": "no stronger than the mentee on %(indicator)s",
    "mentor_level_unknown": "own level on %(indicator)s not yet known",
    "no_levels": "no competency levels to compare yet",
    "free_places": "%(free)s of %(capacity)s places free",
    "full": "no free place (%(current)s of %(capacity)s)",
    "self": "cannot mentor themselves",
}


class PairingError(ValueError):
    """Input data that cannot be scored: bad capacity, level out of range, duplicate ids."""


def _check_levels(owner: str, levels: Mapping[str, float | None]) -> None:
    for indicator, level in levels.items():
        if level is not None and not 0 <= level <= 100:
            raise PairingError(f"{owner}: level of {indicator} must be 0..100, got {level}")


def _check_path(owner: str, path: tuple[int, ...]) -> None:
    if len(path) > len(AREA_LEVELS):
        raise PairingError(f"{owner}: an area path has at most {len(AREA_LEVELS)} ids, got {len(path)}")


@dataclass(frozen=True)
class MentorCandidate:
    """An experienced worker who may mentor. ``levels``: indicator id → 0..100, or None if unknown."""

    id: int
    name: str
    area_path: tuple[int, ...]
    years_experience: float
    current_mentees: int
    capacity: int
    levels: Mapping[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        who = f"mentor {self.id}"
        if self.capacity not in CAPACITIES or isinstance(self.capacity, bool):
            raise PairingError(f"{who}: capacity must be 1 or 2, got {self.capacity!r}")
        if self.current_mentees < 0:
            raise PairingError(f"{who}: current mentees cannot be negative")
        if self.years_experience < 0:
            raise PairingError(f"{who}: years of experience cannot be negative")
        _check_path(who, self.area_path)
        _check_levels(who, self.levels)

    @property
    def free_places(self) -> int:
        """Places left; 0 when full (or over capacity from older data)."""
        return max(0, self.capacity - self.current_mentees)


@dataclass(frozen=True)
class Mentee:
    """A new worker to be paired. ``levels``: indicator id → 0..100, or None if unknown."""

    id: int
    name: str
    area_path: tuple[int, ...]
    levels: Mapping[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_path(f"mentee {self.id}", self.area_path)
        _check_levels(f"mentee {self.id}", self.levels)


@dataclass(frozen=True)
class Weights:
    """Relative weights of the four parts; only their ratios matter."""

    proximity: float = 35
    experience: float = 20
    complementarity: float = 30
    load: float = 15

    def __post_init__(self) -> None:
        values = [getattr(self, name) for name in PARTS]
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise PairingError("weights must be non-negative and not all zero")


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Reason:
    """One explanation: a key of ``REASON_TEXT`` and its parameters."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScorePart:
    name: str       # one of PARTS
    value: float    # 0..1
    weight: float
    points: float   # this part's share of the 0..100 total


@dataclass(frozen=True)
class Score:
    mentor_id: int
    mentee_id: int
    total: float                  # 0..100; 0 when not eligible
    eligible: bool
    parts: tuple[ScorePart, ...]
    reasons: tuple[Reason, ...]

    def part(self, name: str) -> ScorePart:
        return next(p for p in self.parts if p.name == name)


def shared_levels(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading area ids two paths share (5: same grid, 4: same community, ...)."""
    shared = 0
    for x, y in zip(a, b):
        if x != y:
            break
        shared += 1
    return shared


def _proximity(mentor: MentorCandidate, mentee: Mentee) -> tuple[float, list[Reason]]:
    if not mentor.area_path or not mentee.area_path:
        return 0.0, [Reason("area_unknown")]
    shared = shared_levels(mentor.area_path, mentee.area_path)
    return PROXIMITY_BY_SHARED.get(shared, 0.0), [Reason(PROXIMITY_REASON.get(shared, "far"))]


def _experience(mentor: MentorCandidate) -> tuple[float, list[Reason]]:
    years = mentor.years_experience
    span = EXPERIENCE_FULL_YEARS - EXPERIENCE_MIN_YEARS
    value = min(1.0, max(0.0, (years - EXPERIENCE_MIN_YEARS) / span))
    key = "experience_new" if value == 0 else "experience_full" if value == 1 else "experience_some"
    return value, [Reason(key, {"years": round(years, 1)})]


def weakest_indicators(levels: Mapping[str, float | None], count: int = WEAKEST_COUNT) -> list[str]:
    """The ``count`` indicators with the lowest known level, ties by indicator id."""
    known = sorted((level, indicator) for indicator, level in levels.items() if level is not None)
    return [indicator for _, indicator in known[:count]]


def _complementarity(mentor: MentorCandidate, mentee: Mentee) -> tuple[float, list[Reason]]:
    weakest = weakest_indicators(mentee.levels)
    if not weakest:
        return NEUTRAL, [Reason("no_levels")]
    gaps, reasons = [], []
    for indicator in weakest:
        theirs, own = mentee.levels[indicator], mentor.levels.get(indicator)
        params = {"indicator": indicator, "mentor": own, "mentee": theirs}
        if own is None:
            reasons.append(Reason("mentor_level_unknown", params))
            continue
        gap = max(0.0, own - theirs) / 100
        gaps.append(gap)
        reasons.append(Reason("covers_weakness" if gap > 0 else "no_edge", params))
    if not gaps:
        return NEUTRAL, reasons
    return sum(gaps) / len(gaps), reasons


def _load(mentor: MentorCandidate) -> tuple[float, list[Reason]]:
    free, capacity = mentor.free_places, mentor.capacity
    if free == 0:
        return 0.0, [Reason("full", {"current": mentor.current_mentees, "capacity": capacity})]
    return free / capacity, [Reason("free_places", {"free": free, "capacity": capacity})]


def is_eligible(mentor: MentorCandidate, mentee: Mentee) -> bool:
    """A mentor can take this mentee: a free place, and not the same person."""
    return mentor.free_places > 0 and mentor.id != mentee.id


def suggestion_score(mentor: MentorCandidate, mentee: Mentee, weights: Weights = DEFAULT_WEIGHTS) -> Score:
    """Score one possible pairing by the rule in the module docstring.

    An ineligible pairing (mentor full, or the mentee themselves) is still explained part by part,
    with ``eligible`` False and ``total`` 0, so a view can say why a mentor is not offered.
    """
    computed = {
        "proximity": _proximity(mentor, mentee),
        "experience": _experience(mentor),
        "complementarity": _complementarity(mentor, mentee),
        "load": _load(mentor),
    }
    weight_sum = sum(getattr(weights, name) for name in PARTS)
    parts, reasons = [], []
    for name in PARTS:
        value, part_reasons = computed[name]
        weight = getattr(weights, name)
        parts.append(ScorePart(name, value, weight, 100 * weight * value / weight_sum))
        reasons.extend(part_reasons)
    eligible = is_eligible(mentor, mentee)
    if mentor.id == mentee.id:
        reasons.append(Reason("self"))
    total = sum(p.points for p in parts) if eligible else 0.0
    return Score(mentor.id, mentee.id, total, eligible, tuple(parts), tuple(reasons))


def _rank_key(score: Score) -> tuple[float, int]:
    # Rounded so that float noise never decides an order; ties go to the lower mentor id.
    return (-round(score.total, 9), score.mentor_id)


def _check_unique(kind: str, people: Sequence[MentorCandidate] | Sequence[Mentee]) -> None:
    seen: set[int] = set()
    for person in people:
        if person.id in seen:
            raise PairingError(f"{kind} {person.id} appears twice")
        seen.add(person.id)


def suggest(mentees: Iterable[Mentee], mentors: Iterable[MentorCandidate], top: int | None = 3,
            weights: Weights = DEFAULT_WEIGHTS) -> dict[int, list[Score]]:
    """For each mentee (in the given order), the ``top`` eligible mentors, best first (None: all)."""
    mentees, mentors = list(mentees), list(mentors)
    _check_unique("mentee", mentees)
    _check_unique("mentor", mentors)
    if top is not None and top < 1:
        raise PairingError("top must be at least 1")
    result: dict[int, list[Score]] = {}
    for mentee in mentees:
        scores = [suggestion_score(m, mentee, weights) for m in mentors if is_eligible(m, mentee)]
        scores.sort(key=_rank_key)
        result[mentee.id] = scores if top is None else scores[:top]
    return result


@dataclass(frozen=True)
class Unassigned:
    mentee_id: int
    reason: str   # "no_eligible_mentor" (nobody could take them) or "no_place_left" (places ran out)


@dataclass(frozen=True)
class CohortAssignment:
    pairs: tuple[Score, ...]              # one per assigned mentee, in mentee id order
    unassigned: tuple[Unassigned, ...]    # in mentee id order
    total: float                          # sum of the pairs' scores

    def mentor_of(self, mentee_id: int) -> int | None:
        return next((p.mentor_id for p in self.pairs if p.mentee_id == mentee_id), None)


def assign_cohort(mentees: Iterable[Mentee], mentors: Iterable[MentorCandidate],
                  weights: Weights = DEFAULT_WEIGHTS) -> CohortAssignment:
    """Pair a whole cohort at once: as many mentees as possible, then the highest total score.

    Nothing is saved: the result is a proposal for an organizer to approve.
    """
    # Imported here: only this function needs SciPy, and the web app should not load it at start-up.
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    mentees = sorted(mentees, key=lambda m: m.id)
    mentors = sorted(mentors, key=lambda m: m.id)
    _check_unique("mentee", mentees)
    _check_unique("mentor", mentors)
    slots = [mentor for mentor in mentors for _ in range(mentor.free_places)]
    scores = {(mentee.id, mentor.id): suggestion_score(mentor, mentee, weights)
              for mentee in mentees for mentor in mentors if is_eligible(mentor, mentee)}
    # Any eligible pair outweighs every possible total (at most 100 per mentee), so the solver
    # first pairs as many mentees as it can. Ineligible cells stay 0 and are dropped afterwards:
    # a full assignment padded with them is worth exactly the real pairing it contains.
    bonus = 100.0 * (len(mentees) + 1)
    matrix = np.zeros((len(mentees), len(slots)))
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(slots):
            score = scores.get((mentee.id, mentor.id))
            if score is not None:
                matrix[i, j] = bonus + score.total
    rows, cols = linear_sum_assignment(matrix, maximize=True) if slots else ([], [])
    chosen: dict[int, Score] = {}
    for i, j in zip(rows, cols):
        score = scores.get((mentees[i].id, slots[j].id))
        if score is not None:
            chosen[mentees[i].id] = score
    pairs = tuple(chosen[m.id] for m in mentees if m.id in chosen)
    could_pair = {mentee_id for mentee_id, _ in scores}
    unassigned = tuple(
        Unassigned(m.id, "no_place_left" if m.id in could_pair else "no_eligible_mentor")
        for m in mentees if m.id not in chosen
    )
    return CohortAssignment(pairs, unassigned, sum(p.total for p in pairs))
