"""Rules of a skill competition (技能比武): windows, attempts, judging, ranking, freeze, single awards.

Pure: standard library only (no Flask, no database); data in, data out. A broken rule raises
``app.refusal.RuleBroken`` with a message ``key`` and ``params`` for the service to translate, and
an English message for logs and tests. Times are timezone-aware ``datetime``s (a naive one is refused with
``time.naive``); "now" is always passed in, so the server's clock is the only clock.

**Windows and attempts**

- A round is *upcoming* before ``opens_at``, *open* on ``[opens_at, closes_at)`` and *closed* from
  ``closes_at`` on: it opens at the exact opening instant and is already closed at the exact
  closing instant. ``closes_at`` must be after ``opens_at``.
- Starting a round is checked in this order: enrolled in the round (``start.not_enrolled``), then
  the window (``start.not_open_yet`` / ``start.closed``), then one attempt per round
  (``start.already_attempted``). So an outsider learns nothing about the round, and a closed
  round says "closed" whether or not the contestant took it.
- An attempt's deadline is the earlier of its start + the round's time limit and the round's
  close; the quiz engine accepts an answer while ``now < deadline``.
- A judge may score a contestant only when assigned to that round and the contestant is enrolled
  in it (``judge.not_assigned`` / ``judge.not_in_round``), and never their own entry
  (``judge.own_entry``); a judge sees the other judges' scores only after submitting their own
  (organizers always see them).

**Judges of an entry** (people as ``Person``: id and the grid they work in)

- Conflicts of interest, named in this order: the contestant is the judge's mentee (``mentee``), the
  judge's mentor (``mentor``), or works in the same grid (``same_grid``; people above grid level
  have no grid). Mentorships count current or past. A conflict does not stop the judge: it is shown
  on the sheet and recorded with the score, for the organizer to weigh or swap the judge.
- An entry's judges are the round's judges with the entry's swaps applied in order (each swap takes
  one judge out and puts another in). A swap is refused when the judge taken out does not judge the
  entry (``swap.not_a_judge``), the two are the same person (``swap.same``), the judge put in already
  judges it (``swap.already_judge``), is the contestant (``swap.own_entry``) or has a sheet for it
  from before (``swap.scored_before``). The replaced judge's sheet stays in the history, superseded,
  and no longer counts.

**Judging a practical round** (a rubric is criteria with ``id`` and ``max_points``, or mappings as
stored in JSON, ``{"name", "max", "indicator"}``, whose id is the name)

- Rubric: at least one criterion, unique non-blank ids, ``max_points`` positive and a whole or half
  number; given the model's indicator ids, a criterion's indicator must be one of them.
- A judge's sheet is scores by criterion id, or a list in rubric order (its length must match,
  ``score.count``); several sheets are a mapping judge → sheet, or a list (judges numbered 0, 1, …).
- A judge's scores name every criterion and no other; each score is a number (int, float,
  Decimal, Fraction or a numeric string; never a bool) from 0 to that criterion's ``max_points``
  inclusive, in steps of 0.5. Every error names the criterion.
- A judge's total is the sum of their points. The judged result is, per criterion, the mean of
  the counted judges' points, and a 0-100 total = Σ criterion means / Σ max points × 100.
- Trimming (on by default, an organizer's choice): with 5 or more judges, the judge with the
  highest total and the judge with the lowest total are left out of every mean. Judges are
  ordered by total, ties by judge id (numbers numerically, then text), and the first and last
  are dropped, so exactly two judges are dropped even when totals tie. With 4 or fewer judges all
  are counted. (``trim_from`` is a setting, at least 3 so that one judge is left.)
- Arithmetic is exact (fractions); criterion means and the total are rounded half up to 2
  decimals only at the end.
- Disagreement: a criterion is flagged when, over *all* judges who scored it (trimmed ones too),
  max − min **exceeds** ``threshold × max_points`` (default 0.25; exactly equal is not flagged).
- Indicator scores: criteria mapped to an indicator give that indicator a 0-100 score,
  Σ points / Σ max points over its criteria (``JudgedScore.indicator_scores`` from the exact
  means, ``rubric_indicator_scores`` from given points): the judged result becomes evidence.

**Ranking** (``Entry``: id, name, bracket, round scores 0-100 or None, finished_at)

- Weights: one per round, each finite and ≥ 0, summing to more than 0. The total is
  Σ w × score / Σ w over every round in ``weights``; a missing round (absent or None) counts 0.
  Scores for rounds not in ``weights`` are ignored. The total is rounded half up to 2 decimals
  and the rounded value is what is ranked: what the board shows is what decides.
- Order: higher total, then earlier ``finished_at`` (the finish of the contestant's last round;
  None ranks after every time), then fewer missing rounds. Contestants equal on all three share
  a rank, competition style ("1, 2, 2, 4"); within a shared rank they are *listed* by name
  (code-point order), then id, which is display order only and never decides a rank.
- Per bracket: the same rule within each bracket, ranks restarting at 1; contestants without a
  bracket form the bracket ``None``, listed last.

**Freeze**

- A result (entry, round, score, finished_at, recorded_at) is on the public board when it was
  recorded strictly before ``freeze_at`` (``recorded_at`` is when the score became known, e.g.
  the last judge submitted; it defaults to ``finished_at``). One recorded exactly at the freeze is
  hidden. No freeze (None) hides nothing; organizers always see every result. The board is frozen
  from the instant ``now >= freeze_at``.
- ``entries_from_results`` builds entries from results: one result per entry and round (a
  duplicate is an error); ``finished_at`` is the latest ``finished_at`` among the entry's results.

**Single awards** (from per-entry indicator scores, 0-100, and the model's groups)

- 政策通 ``policy_expert``: every indicator of the ``policy`` group (policy.learning,
  policy.accuracy in the 10-indicator model).
- 调解能手 ``mediator``: comm.residents + comm.departments + resilience.emotion (mediation needs
  communication with both sides and staying calm).
- 服务之星 ``service_star``: comm.residents + handling.detection + handling.emergency (serving
  residents well and safely).
- An award uses only the indicators that exist in the model (a city's variant may lack some); an
  award with none left is left out of the result. An entry's award score is the mean of its scores on the
  award's indicators it has a score on, and it qualifies only with a score of at least
  ``min_score`` (``AWARD_MIN_SCORE``, 60, unless the organizer's setting says otherwise; and always
  above 0) on at least half of them (rounded up: 1 of 2, 2 of 3). The mean is rounded half up to 2
  decimals.
- Winner: highest score, then earlier finish, then more of the award's indicators scored (fewer
  missing), as the ranking. Entries equal on all three all win (listed by id). Nobody qualifying
  means the award is returned with no winner and no score. One person may win several awards.
- ``groups`` maps a group id to its indicator ids (``groups_from_indicators`` builds it from the
  model); anything else, e.g. entry id → name, is refused (``award.bad_groups``).

**Ranking prizes** (一等奖, 二等奖, 三等奖; set per competition)

- Only contestants with a total above 0 take part (so a contestant without a scored round never wins).
- By ``count``: the first n1 places win 一等奖, the next n2 二等奖, the next n3 三等奖 (whole numbers ≥ 0).
  By ``share``: the places are n1 %, n2 % and n3 % of those contestants (numbers ≥ 0 adding up to at
  most 100), cumulated and rounded half up: with 20 contestants and 10/20/30 %, places 1-2, 3-6, 7-12.
- Places follow the competition ranks: everyone whose rank lies within a prize's places wins it, so
  contestants tied across a boundary all take the better prize.

**Publication and sealing**

- A competition's results are published once (``publish.already``), after it has rounds
  (``publish.no_rounds``) that have all closed (``publish.not_closed``, naming the last close).
- A competition is sealed from its first round's opening until its results are published: attempts
  in it show no marks, keys, feedback or debrief to anyone but its organizers.
- A certificate's number is readable and names no internal id: ``<year>-<area>-比武-<sequence>``, the
  sequence counting from 001 within the year and area (``certificate_series``, ``certificate_number``).
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, NamedTuple, Protocol

from ..refusal import RuleBroken

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"
TRIM_FROM = 5
DISAGREEMENT_THRESHOLD = 0.25


# --- numbers and times -------------------------------------------------------------------------

def _fraction(value: Any) -> Fraction | None:
    """An exact value for a finite number or numeric string; None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return None
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else None
    return None


def _hundredths(value: Fraction) -> int:
    """``value`` (≥ 0) in hundredths, rounded half up."""
    return math.floor(value * 100 + Fraction(1, 2))


def _round2(value: Fraction) -> float:
    return float(Fraction(_hundredths(value), 100))


def _aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise RuleBroken("time.naive", f"{name} must be a timezone-aware datetime", name=name)
    return value


def _id_key(value: Hashable) -> tuple:
    """Order ids: numbers numerically, then everything else by its text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


# --- windows and attempts ----------------------------------------------------------------------

def check_window(opens_at: datetime, closes_at: datetime) -> None:
    """Raise ``RuleBroken`` unless both times are aware and ``closes_at`` is after ``opens_at``."""
    _aware("opens_at", opens_at)
    _aware("closes_at", closes_at)
    if closes_at <= opens_at:
        raise RuleBroken("window.bad_order", f"a round must close ({closes_at}) after it opens ({opens_at})",
                           opens_at=opens_at, closes_at=closes_at)


def round_state(opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """``"upcoming"`` before ``opens_at``, ``"open"`` on ``[opens_at, closes_at)``, ``"closed"`` after."""
    check_window(opens_at, closes_at)
    _aware("now", now)
    if now < opens_at:
        return UPCOMING
    return OPEN if now < closes_at else CLOSED


def check_can_start(*, opens_at: datetime, closes_at: datetime, now: datetime,
                    enrolled: bool, attempted: bool) -> None:
    """Raise ``RuleBroken`` unless an enrolled contestant may start the round now, for the first time.

    Checked in order: ``start.not_enrolled``, ``start.not_open_yet``, ``start.closed``,
    ``start.already_attempted``.
    """
    if not enrolled:
        raise RuleBroken("start.not_enrolled", "you are not enrolled in this round")
    state = round_state(opens_at, closes_at, now)
    if state == UPCOMING:
        raise RuleBroken("start.not_open_yet", f"this round opens at {opens_at}", opens_at=opens_at)
    if state == CLOSED:
        raise RuleBroken("start.closed", f"this round closed at {closes_at}", closes_at=closes_at)
    if attempted:
        raise RuleBroken("start.already_attempted", "one attempt per round: you have already taken this round")


def attempt_deadline(started_at: datetime, closes_at: datetime, time_limit_s: int | None = None) -> datetime:
    """The earlier of ``started_at + time_limit_s`` (if any) and the round's ``closes_at`` (a limit
    longer than the time left, however large, is the close)."""
    _aware("started_at", started_at)
    _aware("closes_at", closes_at)
    if time_limit_s is None:
        return closes_at
    if time_limit_s <= 0:
        raise RuleBroken("attempt.bad_limit", f"a time limit must be positive, not {time_limit_s}",
                           time_limit_s=time_limit_s)
    if time_limit_s >= (closes_at - started_at).total_seconds():
        return closes_at
    return started_at + timedelta(seconds=time_limit_s)


#: A round's weight is a finite number in (0, MAX_WEIGHT].
MAX_WEIGHT = 100
#: A quiz round's time limit is a whole number of minutes in [1, MAX_TIME_LIMIT_MIN].
MAX_TIME_LIMIT_MIN = 600
#: A quiz round's paper has 1 to MAX_QUESTIONS questions.
MAX_QUESTIONS = 500


def check_round_numbers(*, weight: Any, time_limit_min: Any = None, count: Any = None) -> None:
    """Raise ``RuleBroken`` unless the weight is finite with 0 < weight ≤ ``MAX_WEIGHT``
    (``round.bad_weight``), the time limit (if any) a whole number of minutes from 1 to
    ``MAX_TIME_LIMIT_MIN`` (``round.bad_time_limit``) and the question count (if any) a whole number
    from 1 to ``MAX_QUESTIONS`` (``round.bad_count``). NaN, infinities and booleans are refused."""
    value = _fraction(weight)
    if value is None or not 0 < value <= MAX_WEIGHT:
        raise RuleBroken("round.bad_weight", f"a weight is a number above 0 and at most {MAX_WEIGHT}, not {weight!r}",
                           weight=weight, max=MAX_WEIGHT)
    for name, given, top in (("time_limit", time_limit_min, MAX_TIME_LIMIT_MIN), ("count", count, MAX_QUESTIONS)):
        if given is None:
            continue
        value = _fraction(given)
        if value is None or value.denominator != 1 or not 1 <= value <= top:
            raise RuleBroken(f"round.bad_{name}", f"{name} is a whole number from 1 to {top}, not {given!r}",
                               value=given, max=top)


def check_round_editable(*, opens_at: datetime, now: datetime) -> None:
    """A round is changed or deleted only before it opens (``round.already_open``)."""
    _aware("opens_at", opens_at)
    if _aware("now", now) >= opens_at:
        raise RuleBroken("round.already_open", f"the round opened at {opens_at}; it can no longer be changed",
                           opens_at=opens_at)


def check_can_judge(*, assigned: bool, enrolled: bool, own: bool = False) -> None:
    """Raise ``judge.not_assigned`` / ``judge.not_in_round`` / ``judge.own_entry`` unless this judge may
    score this contestant (``own``: the entry is the judge's own)."""
    if not assigned:
        raise RuleBroken("judge.not_assigned", "you are not a judge of this round")
    if not enrolled:
        raise RuleBroken("judge.not_in_round", "this contestant is not in this round")
    if own:
        raise RuleBroken("judge.own_entry", "nobody scores their own entry")


def can_see_other_judges(*, submitted: bool, organizer: bool = False) -> bool:
    """A judge sees the other judges' scores only after submitting their own; organizers always do."""
    return organizer or submitted


# --- judges of an entry --------------------------------------------------------------------------

MENTEE, MENTOR, SAME_GRID = "mentee", "mentor", "same_grid"
CONFLICTS = (MENTEE, MENTOR, SAME_GRID)


@dataclass(frozen=True)
class Person:
    """A judge or a contestant: their id and the grid (网格) they work in (None above grid level)."""

    id: Hashable
    grid: Hashable | None = None


def judge_conflicts(judge: Person, contestant: Person,
                    mentorships: Iterable[tuple[Hashable, Hashable]]) -> list[str]:
    """Why ``judge`` is not independent of ``contestant``, in ``CONFLICTS`` order; ``mentorships`` are
    (mentor id, mentee id) pairs, current or past. The judge's own entry is refused elsewhere, not named."""
    if judge.id == contestant.id:
        return []
    pairs = set(mentorships)
    found = []
    if (judge.id, contestant.id) in pairs:
        found.append(MENTEE)
    if (contestant.id, judge.id) in pairs:
        found.append(MENTOR)
    if judge.grid is not None and judge.grid == contestant.grid:
        found.append(SAME_GRID)
    return found


def entry_judges(round_judges: Iterable[Hashable], swaps: Iterable[tuple[Hashable, Hashable]]) -> list:
    """The judges of one entry: the round's judges with the entry's (out, in) swaps applied in order."""
    judges = list(dict.fromkeys(round_judges))
    for out, new in swaps:
        if out in judges:
            judges[judges.index(out)] = new
            judges = list(dict.fromkeys(judges))
    return judges


def check_swap(*, judges: Iterable[Hashable], out: Hashable, new: Hashable, contestant: Hashable,
               scored_before: bool = False) -> None:
    """Raise ``RuleBroken`` unless ``out`` may be replaced by ``new`` as a judge of one entry (see module doc)."""
    current = list(judges)
    if out not in current:
        raise RuleBroken("swap.not_a_judge", f"{out!r} does not judge this entry", judge=out)
    if new == out:
        raise RuleBroken("swap.same", "a judge is swapped for someone else")
    if new in current:
        raise RuleBroken("swap.already_judge", f"{new!r} already judges this entry", judge=new)
    if new == contestant:
        raise RuleBroken("swap.own_entry", "nobody scores their own entry", judge=new)
    if scored_before:
        raise RuleBroken("swap.scored_before", f"{new!r} has scored this entry before", judge=new)


# --- judging -----------------------------------------------------------------------------------

class CriterionLike(Protocol):
    id: str
    max_points: Any


@dataclass(frozen=True)
class Criterion:
    """One rubric line: ``max_points`` a whole or half number; ``indicator`` the competency it evidences."""

    id: str
    title: str
    max_points: float
    indicator: str | None = None


class JudgedScore(NamedTuple):
    criteria: dict[str, float]          # criterion id → mean points of the counted judges (2 decimals)
    points: float                       # Σ criterion means (2 decimals)
    total: float                        # 0-100 (2 decimals)
    judges: tuple                       # the counted judges' ids
    dropped: tuple                      # (lowest judge, highest judge) when trimmed, else ()
    judge_totals: dict                  # judge id → that judge's total points (every judge)
    indicator_scores: dict[str, float]  # indicator → 0-100 from the criteria mapped to it (2 decimals)


class Disagreement(NamedTuple):
    criterion: str
    low: float
    high: float
    spread: float                       # high − low
    limit: float                        # threshold × max_points; flagged when spread > limit
    low_judges: tuple
    high_judges: tuple


def criteria(rubric: Iterable[CriterionLike | Mapping[str, Any]]) -> tuple[Criterion, ...]:
    """The rubric as ``Criterion``s: objects with ``id`` and ``max_points``, or mappings as stored in JSON,
    ``{"id" or "name", "max_points" or "max", "title"?, "indicator"?}`` (the id defaults to the name)."""
    out = []
    for item in rubric:
        if isinstance(item, Mapping):
            cid = item.get("id") or item.get("name")
            out.append(Criterion(id=cid, title=item.get("title") or item.get("name") or str(cid),
                                 max_points=item.get("max_points", item.get("max")),
                                 indicator=item.get("indicator") or None))
        else:
            out.append(Criterion(id=item.id, title=getattr(item, "title", "") or str(item.id),
                                 max_points=item.max_points, indicator=getattr(item, "indicator", None) or None))
    return tuple(out)


def rubric_problems(rubric: Iterable[Any], indicators: Iterable[str] | None = None) -> list[RuleBroken]:
    """Every problem with a rubric (empty, no id, duplicate id, bad maximum, and, when the model's
    ``indicators`` are given, an unknown indicator); empty when valid."""
    known = None if indicators is None else set(indicators)
    problems: list[RuleBroken] = []
    seen: set = set()
    items = criteria(rubric)
    if not items:
        problems.append(RuleBroken("rubric.empty", "a rubric needs at least one criterion"))
    for position, criterion in enumerate(items, 1):
        cid = criterion.id
        if cid is None or (isinstance(cid, str) and not cid.strip()):
            problems.append(RuleBroken("rubric.no_id", f"criterion {position} has no name", position=position))
            continue
        if cid in seen:
            problems.append(RuleBroken("rubric.duplicate", f"criterion {cid!r} appears twice", criterion=cid))
        seen.add(cid)
        top = _fraction(criterion.max_points)
        if top is None or top <= 0 or (top * 2).denominator != 1:
            problems.append(RuleBroken(
                "rubric.bad_max", f"criterion {cid!r}: max points must be a positive whole or half number, "
                f"not {criterion.max_points!r}", criterion=cid, max=criterion.max_points))
        if known is not None and criterion.indicator is not None and criterion.indicator not in known:
            problems.append(RuleBroken("rubric.unknown_indicator", f"criterion {cid!r}: unknown indicator "
                                         f"{criterion.indicator!r}", criterion=cid, indicator=criterion.indicator))
    return problems


def check_rubric(rubric: Iterable[Any], indicators: Iterable[str] | None = None) -> dict[str, Fraction]:
    """Criterion id → max points, in rubric order; raise the first of ``rubric_problems`` as ``RuleBroken``."""
    problems = rubric_problems(rubric, indicators)
    if problems:
        raise problems[0]
    return {criterion.id: _fraction(criterion.max_points) for criterion in criteria(rubric)}


def _by_criterion(maxima: Mapping[str, Fraction], scores: Any) -> tuple[Mapping[str, Any], list[RuleBroken]]:
    """Scores by criterion id: a mapping as is, a list or tuple read in rubric order."""
    if isinstance(scores, Mapping):
        return scores, []
    if isinstance(scores, (list, tuple)):
        problems = []
        if len(scores) != len(maxima):
            problems.append(RuleBroken("score.count", f"{len(scores)} scores for {len(maxima)} criteria",
                                         expected=len(maxima), got=len(scores)))
        return dict(zip(maxima, scores)), problems
    raise RuleBroken("score.bad_sheet", f"scores are a mapping or a list, not {type(scores).__name__}")


def _exact_scores(rubric: Sequence[Any], scores: Any) -> tuple[dict, list[RuleBroken]]:
    maxima = check_rubric(rubric)
    exact: dict[str, Fraction] = {}
    scores, problems = _by_criterion(maxima, scores)
    for cid, top in maxima.items():
        if cid not in scores or scores[cid] is None or scores[cid] == "":
            problems.append(RuleBroken("score.missing", f"criterion {cid!r}: no score", criterion=cid))
            continue
        value = _fraction(scores[cid])
        if value is None:
            problems.append(RuleBroken("score.not_a_number", f"criterion {cid!r}: {scores[cid]!r} is not a number",
                                         criterion=cid, value=scores[cid]))
        elif not 0 <= value <= top:
            problems.append(RuleBroken("score.out_of_range",
                                         f"criterion {cid!r}: {scores[cid]} is outside 0..{float(top):g}",
                                         criterion=cid, value=scores[cid], max=float(top)))
        elif (value * 2).denominator != 1:
            problems.append(RuleBroken("score.not_half",
                                         f"criterion {cid!r}: {scores[cid]} is not a whole or half point",
                                         criterion=cid, value=scores[cid]))
        else:
            exact[cid] = value
    for cid in scores:
        if cid not in maxima:
            problems.append(RuleBroken("score.unknown", f"criterion {cid!r} is not in the rubric", criterion=cid))
    return exact, problems


def score_problems(rubric: Sequence[Any], scores: Mapping[str, Any] | Sequence[Any]) -> list[RuleBroken]:
    """Every problem with one judge's scores (a wrong count first, then rubric order, then unknown
    criteria); empty when valid. Scores are by criterion id, or a list in rubric order."""
    return _exact_scores(rubric, scores)[1]


def _judge_scores(rubric, scores_by_judge: Mapping[Hashable, Any] | Sequence[Any]) -> dict[Hashable, dict]:
    """Judge → exact scores; a list of sheets numbers its judges 0, 1, 2… in list order."""
    if not scores_by_judge:
        raise RuleBroken("judging.no_scores", "no judge has scored yet")
    sheets = scores_by_judge.items() if isinstance(scores_by_judge, Mapping) else enumerate(scores_by_judge)
    exact = {}
    for judge, scores in sheets:
        values, problems = _exact_scores(rubric, scores)
        if problems:
            first = problems[0]
            raise RuleBroken(first.key, f"judge {judge!r}: {first}", judge=judge, **first.params)
        exact[judge] = values
    return exact


def judged_score(rubric: Sequence[Any], scores_by_judge: Mapping[Hashable, Any] | Sequence[Any], *,
                 trim: bool = True, trim_from: int = TRIM_FROM) -> JudgedScore:
    """Per-criterion mean over judges and a 0-100 total; with ``trim`` and ``trim_from`` or more judges,
    the judges with the lowest and the highest total are left out (ties by judge id)."""
    if trim_from < 3:
        raise RuleBroken("judging.bad_trim", f"trimming needs at least 3 judges to leave one, not {trim_from}",
                           trim_from=trim_from)
    maxima = check_rubric(rubric)
    exact = _judge_scores(rubric, scores_by_judge)
    totals = {judge: sum(values.values(), Fraction(0)) for judge, values in exact.items()}
    counted = sorted(exact, key=lambda judge: (totals[judge], _id_key(judge)))
    dropped: tuple = ()
    if trim and len(counted) >= trim_from:
        dropped = (counted[0], counted[-1])
        counted = counted[1:-1]
    means = {cid: sum((exact[judge][cid] for judge in counted), Fraction(0)) / len(counted) for cid in maxima}
    points = sum(means.values(), Fraction(0))
    return JudgedScore(
        criteria={cid: _round2(mean) for cid, mean in means.items()},
        points=_round2(points),
        total=_round2(points / sum(maxima.values()) * 100),
        judges=tuple(sorted(counted, key=_id_key)),
        dropped=dropped,
        judge_totals={judge: float(total) for judge, total in totals.items()},
        indicator_scores=_indicator_scores(criteria(rubric), maxima, means),
    )


def disagreements(rubric: Sequence[Any], scores_by_judge: Mapping[Hashable, Any] | Sequence[Any],
                  threshold: float = DISAGREEMENT_THRESHOLD) -> list[Disagreement]:
    """Criteria (rubric order) where max − min over all judges exceeds ``threshold × max_points``."""
    limit_share = _fraction(threshold)
    if limit_share is None or not 0 <= limit_share <= 1:
        raise RuleBroken("judging.bad_threshold", f"a disagreement threshold lies in 0..1, not {threshold!r}",
                           threshold=threshold)
    maxima = check_rubric(rubric)
    exact = _judge_scores(rubric, scores_by_judge)
    flagged = []
    for cid, top in maxima.items():
        values = {judge: scores[cid] for judge, scores in exact.items()}
        low, high = min(values.values()), max(values.values())
        limit = limit_share * top
        if high - low > limit:
            flagged.append(Disagreement(
                criterion=cid, low=float(low), high=float(high), spread=float(high - low), limit=float(limit),
                low_judges=tuple(sorted((j for j, v in values.items() if v == low), key=_id_key)),
                high_judges=tuple(sorted((j for j, v in values.items() if v == high), key=_id_key)),
            ))
    return flagged


def _indicator_scores(items: Sequence[Criterion], maxima: Mapping[str, Fraction],
                      points: Mapping[str, Any]) -> dict[str, float]:
    got: dict[str, Fraction] = {}
    top: dict[str, Fraction] = {}
    for criterion in items:
        value = _fraction(points.get(criterion.id))
        if criterion.indicator is None or value is None:
            continue
        got[criterion.indicator] = got.get(criterion.indicator, Fraction(0)) + value
        top[criterion.indicator] = top.get(criterion.indicator, Fraction(0)) + maxima[criterion.id]
    return {indicator: _round2(got[indicator] / top[indicator] * 100) for indicator in got}


def rubric_indicator_scores(rubric: Sequence[Any], criterion_points: Mapping[str, Any]) -> dict[str, float]:
    """Indicator → 0-100: Σ points / Σ max points over the criteria mapped to it (2 decimals)."""
    return _indicator_scores(criteria(rubric), check_rubric(rubric), criterion_points)


# --- ranking -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A contestant on the board: round id → score 0-100 (None: not taken or not yet scored)."""

    id: Hashable
    name: str
    bracket: str | None = None
    round_scores: Mapping[Hashable, float | None] = field(default_factory=dict)
    finished_at: datetime | None = None


class Standing(NamedTuple):
    rank: int
    entry: Entry
    total: float                        # 0-100, 2 decimals: what is shown is what is ranked
    missing: int                        # rounds without a score
    tied: bool                          # shares its rank with another entry


def _weights(weights: Mapping[Hashable, Any]) -> dict[Hashable, Fraction]:
    exact = {}
    for round_id, weight in weights.items():
        value = _fraction(weight)
        if value is None or value < 0:
            raise RuleBroken("ranking.bad_weight", f"round {round_id!r}: a weight is a number ≥ 0, not {weight!r}",
                               round=round_id, weight=weight)
        exact[round_id] = value
    if sum(exact.values(), Fraction(0)) <= 0:
        raise RuleBroken("ranking.no_weight", "the round weights must add up to more than 0")
    return exact


def _score(entry_id: Hashable, round_id: Hashable, score: Any) -> Fraction | None:
    if score is None:
        return None
    value = _fraction(score)
    if value is None or not 0 <= value <= 100:
        raise RuleBroken("ranking.bad_score", f"entry {entry_id!r}, round {round_id!r}: a score lies in 0..100, "
                           f"not {score!r}", entry=entry_id, round=round_id, score=score)
    return value


_NEVER = datetime.min.replace(tzinfo=timezone.utc)


def _order_key(hundredths: int, finished_at: datetime | None, missing: int) -> tuple:
    """Smaller is better: higher total, earlier finish (None after every time), fewer missing."""
    if finished_at is not None:
        _aware("finished_at", finished_at)
    return (-hundredths, finished_at is None, finished_at or _NEVER, missing)


def _competition_ranks(rows: list[tuple[tuple, Any]]) -> list[tuple[int, bool, Any]]:
    """Rows sorted by key → (rank, tied, payload) with competition ranking ("1, 2, 2, 4")."""
    out = []
    for index, (key, payload) in enumerate(rows):
        rank = out[-1][0] if index and rows[index - 1][0] == key else index + 1
        tied = (index > 0 and rows[index - 1][0] == key) or (index + 1 < len(rows) and rows[index + 1][0] == key)
        out.append((rank, tied, payload))
    return out


def rank(entries: Iterable[Entry], weights: Mapping[Hashable, Any]) -> list[Standing]:
    """Entries ranked by weighted total, then earlier finish, then fewer missing rounds (see module doc).

    Exact as Fractions, in whole numbers: each distinct (round, score) gives the exact product weight ×
    score once; with L the common denominator of those products, an entry's Σ w × s is N / L for a whole
    N, and its total in hundredths, rounded half up, is ⌊(200·N·Wd + L·Wn) / (2·L·Wn)⌋ where Wn / Wd is
    the weight sum. (A board of thousands ranks in milliseconds instead of a Fraction sum per cell.)"""
    exact_weights = _weights(weights)
    weight_sum = sum(exact_weights.values(), Fraction(0))
    products: dict[tuple, Fraction] = {}
    scored = []
    for entry in entries:
        keys, missing = [], 0
        for round_id, weight in exact_weights.items():
            raw = entry.round_scores.get(round_id)
            if raw is None:
                missing += 1
                continue
            key = (round_id, type(raw), raw)
            try:
                known = key in products
            except TypeError:  # not hashable, so not a number
                known = bool(_score(entry.id, round_id, raw))
            if not known:
                products[key] = weight * _score(entry.id, round_id, raw)
            keys.append(key)
        scored.append((entry, keys, missing))
    common = math.lcm(*(p.denominator for p in products.values())) if products else 1
    scaled = {key: p.numerator * (common // p.denominator) for key, p in products.items()}
    scale = 2 * common * weight_sum.numerator
    rows = []
    for entry, keys, missing in scored:
        hundredths = (200 * sum(scaled[key] for key in keys) * weight_sum.denominator
                      + common * weight_sum.numerator) // scale
        rows.append((_order_key(hundredths, entry.finished_at, missing), (entry, hundredths, missing)))
    rows.sort(key=lambda row: (row[0], row[1][0].name, _id_key(row[1][0].id)))
    return [Standing(rank=position, entry=entry, total=hundredths / 100, missing=missing, tied=tied)
            for position, tied, (entry, hundredths, missing) in _competition_ranks(rows)]


def rank_by_bracket(entries: Iterable[Entry], weights: Mapping[Hashable, Any]) -> dict[str | None, list[Standing]]:
    """Bracket → its own ranking (ranks from 1); brackets by name, entries without a bracket (None) last."""
    groups: dict[str | None, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.bracket, []).append(entry)
    order = sorted(groups, key=lambda bracket: (bracket is None, bracket or ""))
    return {bracket: rank(groups[bracket], weights) for bracket in order}


# --- freeze ------------------------------------------------------------------------------------

class Result(NamedTuple):
    """One contestant's score on one round; ``recorded_at`` is when the score became known."""

    entry_id: Hashable
    round_id: Hashable
    score: float | None
    finished_at: datetime
    recorded_at: datetime | None = None


def is_frozen(freeze_at: datetime | None, now: datetime) -> bool:
    """True from the instant ``now >= freeze_at``; never without a freeze time."""
    return freeze_at is not None and _aware("now", now) >= _aware("freeze_at", freeze_at)


def frozen_view(results: Iterable[Result], freeze_at: datetime | None) -> list[Result]:
    """The results the public board shows: recorded strictly before ``freeze_at`` (all when None).

    A result is anything with ``finished_at`` and optionally ``recorded_at`` (``Result``, a database row).
    """
    if freeze_at is None:
        return list(results)
    _aware("freeze_at", freeze_at)
    return [r for r in results if _aware("recorded_at", getattr(r, "recorded_at", None) or r.finished_at) < freeze_at]


def visible_results(results: Iterable[Result], freeze_at: datetime | None, *, organizer: bool) -> list[Result]:
    """Organizers see every result; everyone else the frozen view."""
    return list(results) if organizer else frozen_view(results, freeze_at)


def entries_from_results(contestants: Iterable[Any], results: Iterable[Result]) -> list[Entry]:
    """``Entry`` per contestant (``id``, ``name``, ``bracket``): its scores, finished at its latest result."""
    by_entry: dict[Hashable, dict[Hashable, Result]] = {}
    for result in results:
        rounds = by_entry.setdefault(result.entry_id, {})
        if result.round_id in rounds:
            raise RuleBroken("results.duplicate", f"entry {result.entry_id!r} has two results on round "
                               f"{result.round_id!r}", entry=result.entry_id, round=result.round_id)
        rounds[result.round_id] = result
    entries = []
    for person in contestants:
        rounds = by_entry.get(person.id, {})
        finished = max((_aware("finished_at", r.finished_at) for r in rounds.values()), default=None)
        entries.append(Entry(id=person.id, name=person.name, bracket=getattr(person, "bracket", None),
                             round_scores={rid: r.score for rid, r in rounds.items()}, finished_at=finished))
    return entries


# --- single awards -----------------------------------------------------------------------------

@dataclass(frozen=True)
class AwardRule:
    """An award over indicators: every indicator of ``groups`` plus ``indicators``."""

    key: str
    title: str
    groups: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    reason: str = ""


AWARD_RULES: tuple[AwardRule, ...] = (
    AwardRule("policy_expert", "政策通", groups=("policy",), reason="policy understanding: every policy indicator"),
    AwardRule("mediator", "调解能手", indicators=("comm.residents", "comm.departments", "resilience.emotion"),
              reason="mediation needs communication with both sides and staying calm"),
    AwardRule("service_star", "服务之星", indicators=("comm.residents", "handling.detection", "handling.emergency"),
              reason="serving residents well and safely"),
)


#: The score an award's indicators need (on at least half of them), unless the organizer sets another.
AWARD_MIN_SCORE = 60


class Award(NamedTuple):
    key: str
    title: str
    winners: tuple                      # entry ids (several on an exact tie; empty when nobody qualifies)
    score: float | None                 # the winners' mean, 0-100, 2 decimals
    indicators: tuple[str, ...]         # the indicators used
    min_indicators: int                 # scores needed on at least this many of them


def groups_from_indicators(indicators: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """Group id → its indicator ids, from model indicators (``id``, ``group_id``), in model order."""
    groups: dict[str, list[str]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.group_id, []).append(indicator.id)
    return {group: tuple(ids) for group, ids in groups.items()}


def award_indicators(rule: AwardRule, groups: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The rule's indicators that exist in the model, without repeats, groups' first."""
    known = {indicator for ids in groups.values() for indicator in ids}
    wanted = [indicator for group in rule.groups for indicator in groups.get(group, ())] + list(rule.indicators)
    return tuple(dict.fromkeys(indicator for indicator in wanted if indicator in known))


def single_awards(indicator_scores_by_entry: Mapping[Hashable, Mapping[str, Any]],
                  groups: Mapping[str, Sequence[str]], *,
                  finished_at: Mapping[Hashable, datetime | None] | None = None,
                  rules: Sequence[AwardRule] = AWARD_RULES, min_score: Any = AWARD_MIN_SCORE) -> list[Award]:
    """One ``Award`` per rule that has indicators in the model (see module doc for the rules)."""
    floor = _fraction(min_score)
    if floor is None or not 0 <= floor <= 100:
        raise RuleBroken("award.bad_minimum", f"a minimum score lies in 0..100, not {min_score!r}",
                         min_score=min_score)
    for group, ids in groups.items():
        if isinstance(ids, str) or not isinstance(ids, Iterable):
            raise RuleBroken("award.bad_groups", f"groups map a group id to its indicator ids; {group!r} maps to "
                               f"{ids!r}", group=group)
    finished_at = finished_at or {}
    exact: dict[tuple, Fraction] = {}
    awards = []
    for rule in rules:
        indicators = award_indicators(rule, groups)
        if not indicators:
            continue
        needed = math.ceil(len(indicators) / 2)
        rows = []
        for entry_id, scores in indicator_scores_by_entry.items():
            values = []
            for indicator in indicators:
                raw = scores.get(indicator)
                if raw is None:
                    continue
                try:  # the same few scores recur across thousands of entries: each made exact once
                    value = exact[(type(raw), raw)]
                except (KeyError, TypeError):
                    value = _fraction(raw)
                    if value is not None and isinstance(raw, Hashable):
                        exact[(type(raw), raw)] = value
                if value is None or not 0 <= value <= 100:
                    raise RuleBroken("award.bad_score", f"entry {entry_id!r}, {indicator}: a score lies in 0..100, "
                                       f"not {raw!r}", entry=entry_id, indicator=indicator, score=raw)
                values.append(value)
            if sum(1 for value in values if value >= floor and value > 0) < needed:
                continue
            hundredths = _hundredths(sum(values, Fraction(0)) / len(values))
            key = _order_key(hundredths, finished_at.get(entry_id), len(indicators) - len(values))
            rows.append((key, entry_id, hundredths))
        if not rows:
            awards.append(Award(rule.key, rule.title, (), None, indicators, needed))
            continue
        best = min(row[0] for row in rows)
        winners = sorted((row for row in rows if row[0] == best), key=lambda row: _id_key(row[1]))
        awards.append(Award(rule.key, rule.title, tuple(row[1] for row in winners), winners[0][2] / 100,
                            indicators, needed))
    return awards


# --- ranking prizes ------------------------------------------------------------------------------

PRIZES: tuple[tuple[int, str], ...] = ((1, "一等奖"), (2, "二等奖"), (3, "三等奖"))
PRIZE_MODES = ("count", "share")


def check_prize_settings(mode: str, levels: Sequence[Any]) -> None:
    """Raise ``prize.bad_mode`` / ``prize.bad_number`` / ``prize.share_over`` unless ``levels`` (one number
    per prize, first to third) make sense for ``mode`` ("count": whole numbers ≥ 0; "share": percentages
    ≥ 0 adding up to at most 100)."""
    if mode not in PRIZE_MODES:
        raise RuleBroken("prize.bad_mode", f"prizes are given by count or by share, not {mode!r}", mode=mode)
    values = [_fraction(level) for level in levels]
    if len(values) != len(PRIZES) or any(v is None or v < 0 or (mode == "count" and v.denominator != 1)
                                         for v in values):
        raise RuleBroken("prize.bad_number", f"prizes need {len(PRIZES)} numbers ≥ 0 (whole numbers by count), "
                         f"not {list(levels)!r}", levels=list(levels))
    if mode == "share" and sum(values) > 100:
        raise RuleBroken("prize.share_over", f"prize shares add up to {float(sum(values)):g} %, more than 100",
                         total=float(sum(values)))


def prize_cutoffs(mode: str, levels: Sequence[Any], eligible: int) -> list[int]:
    """The last place (cumulated) that wins each prize, for ``eligible`` contestants (see module doc)."""
    check_prize_settings(mode, levels)
    cutoffs, running = [], Fraction(0)
    for level in levels:
        running += _fraction(level)
        places = running if mode == "count" else Fraction(eligible) * running / 100
        cutoffs.append(min(math.floor(places + Fraction(1, 2)), eligible))
    return cutoffs


def ranking_prizes(standings: Sequence[Standing], mode: str, levels: Sequence[Any]) -> dict[Hashable, int]:
    """Entry id → prize level (1, 2, 3) for the ranked contestants with a total above 0."""
    eligible = [s for s in standings if s.total > 0]
    cutoffs = prize_cutoffs(mode, levels, len(eligible))
    prizes = {}
    for standing in eligible:
        level = next((number for (number, _title), last in zip(PRIZES, cutoffs) if standing.rank <= last), None)
        if level is not None:
            prizes[standing.entry.id] = level
    return prizes


# --- publication and sealing -------------------------------------------------------------------------

def check_can_publish(*, closes_at: Iterable[datetime], now: datetime, published: bool) -> None:
    """Raise ``publish.already`` / ``publish.no_rounds`` / ``publish.not_closed`` unless results may be
    published now."""
    if published:
        raise RuleBroken("publish.already", "the results are already published")
    closes = [_aware("closes_at", moment) for moment in closes_at]
    if not closes:
        raise RuleBroken("publish.no_rounds", "a competition without rounds has no results")
    last = max(closes)
    if _aware("now", now) < last:
        raise RuleBroken("publish.not_closed", f"results are published after the last round closes ({last})",
                         closes_at=last)


def is_sealed(*, first_opens_at: datetime | None, published_at: datetime | None, now: datetime) -> bool:
    """Sealed from the first round's opening until the results are published."""
    if first_opens_at is None or _aware("now", now) < _aware("first_opens_at", first_opens_at):
        return False
    return published_at is None or now < _aware("published_at", published_at)


CERTIFICATE_WORD = "比武"


def certificate_series(year: int, area_name: str) -> str:
    """The readable prefix of a competition's certificate numbers: ``2026-长青街道-比武``."""
    return f"{year}-{area_name}-{CERTIFICATE_WORD}"


def certificate_number(series: str, sequence: int) -> str:
    """``<series>-001``: the sequence (from 1) with at least three digits."""
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise RuleBroken("certificate.bad_sequence", f"a certificate sequence counts from 1, not {sequence!r}",
                         sequence=sequence)
    return f"{series}-{sequence:03d}"
