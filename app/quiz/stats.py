"""Item statistics for organizers: how a quiz went and which questions work (pure: data in, data out).

Input: one ``AttemptRecord`` per submitted attempt (or a mapping ``{"scores": ..., "choices": ...}``):
``scores`` maps every question id in the attempt to its score 0..1, ``choices`` maps a question id
to what was picked (``Question.chosen``: option ids, "true"/"false", or the normalised fill-in text).
Questions weigh equally: an attempt's percentage is 100 × its mean score. With a random draw,
attempts hold different questions; each question is measured over the attempts that held it.

Per quiz (``QuizSummary``): attempts, mean, median, sample standard deviation (n − 1) of the
percentages, and a histogram of 10 bins of 10 percentage points (100 % falls in the last bin).

Per question (``QuestionStatistics``):

- facility index: mean score / maximum score (the maximum is 1), 0..1; higher is easier.
- discrimination index, *upper vs lower 27 %* (Kelley): the attempts are ranked by their
  rest-of-test percentage (the attempt without this question, so the item does not rank itself;
  ties keep attempt order); g = round(0.27 × n) attempts at each end (at least 1, needs n ≥ 2);
  D = mean score of this question in the upper group − in the lower group, −1..1.
- point-biserial correlation: the Pearson correlation between the question's score and the
  rest-of-test percentage (point-biserial for right/wrong items; the same formula covers partial
  credit); None with fewer than 3 attempts or when either side does not vary.
- option frequencies: how often each choice was picked, and how many left the question blank.
- flags, once at least ``min_attempts`` attempts held the question: ``negative-discrimination``
  (D < 0 or r < 0: stronger learners do worse, often a wrong key), ``too-hard`` (facility < 0.10),
  ``too-easy`` (facility > 0.95).
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

UPPER_LOWER_SHARE = 0.27
MIN_ATTEMPTS_FOR_FLAGS = 10
TOO_HARD, TOO_EASY = 0.10, 0.95
BINS = 10
FLAG_TEXT = {
    "negative-discrimination": "stronger learners score lower on this question than weaker ones: check the key",
    "too-hard": "almost nobody gets this question right",
    "too-easy": "almost everybody gets this question right",
}


@dataclass(frozen=True)
class AttemptRecord:
    scores: Mapping[str, float]
    choices: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class QuizSummary:
    attempts: int
    mean: float | None        # percentages, 0..100
    median: float | None
    stdev: float | None       # sample standard deviation; None below 2 attempts
    histogram: tuple[int, ...]  # counts for [0,10), [10,20), ..., [90,100]


@dataclass(frozen=True)
class QuestionStatistics:
    question_id: str
    attempts: int
    facility: float | None
    stdev: float | None
    discrimination: float | None   # upper vs lower 27 %
    point_biserial: float | None
    choices: dict[str, int]        # most picked first
    blank: int
    flags: tuple[str, ...]


@dataclass(frozen=True)
class QuizStatistics:
    quiz: QuizSummary
    questions: list[QuestionStatistics]


def _record(attempt: AttemptRecord | Mapping) -> AttemptRecord:
    if isinstance(attempt, AttemptRecord):
        record = attempt
    else:
        record = AttemptRecord(scores=attempt["scores"], choices=attempt.get("choices") or {})
    if not record.scores:
        raise ValueError("an attempt without questions has no score")
    for qid, score in record.scores.items():
        if isinstance(score, bool) or not 0.0 <= score <= 1.0:
            raise ValueError(f"score {score!r} for question {qid} is not within 0..1")
    return record


def percentage(record: AttemptRecord) -> float:
    return 100.0 * sum(record.scores.values()) / len(record.scores)


def quiz_statistics(attempts: Iterable[AttemptRecord | Mapping], question_ids: Sequence[str] | None = None,
                    *, min_attempts: int = MIN_ATTEMPTS_FOR_FLAGS) -> QuizStatistics:
    """The summary and per-question statistics. ``question_ids`` fixes the order (and lists
    questions nobody met); by default questions come in order of id."""
    records = [_record(a) for a in attempts]
    if question_ids is None:
        question_ids = sorted({qid for r in records for qid in r.scores})
    return QuizStatistics(summarise(records),
                          [question_statistics(qid, records, min_attempts=min_attempts) for qid in question_ids])


def summarise(records: Sequence[AttemptRecord]) -> QuizSummary:
    scores = [percentage(r) for r in records]
    histogram = [0] * BINS
    for score in scores:
        histogram[min(int(round(score, 9) // (100 / BINS)), BINS - 1)] += 1
    return QuizSummary(
        attempts=len(scores),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        stdev=statistics.stdev(scores) if len(scores) >= 2 else None,
        histogram=tuple(histogram),
    )


def question_statistics(question_id: str, records: Sequence[AttemptRecord], *,
                        min_attempts: int = MIN_ATTEMPTS_FOR_FLAGS) -> QuestionStatistics:
    held = [r for r in records if question_id in r.scores]
    item = [float(r.scores[question_id]) for r in held]
    # rest-of-test percentage: the attempt without this question (undefined if it was the only one)
    pairs = [(float(r.scores[question_id]), 100.0 * (sum(r.scores.values()) - r.scores[question_id])
              / (len(r.scores) - 1)) for r in held if len(r.scores) > 1]
    facility = statistics.fmean(item) if item else None
    discrimination = upper_lower_index(pairs)
    r_pb = correlation(pairs)
    counts: Counter[str] = Counter()
    blank = 0
    for record in held:
        picked = record.choices.get(question_id) or ()
        counts.update(picked)
        blank += not picked
    flags: list[str] = []
    if len(held) >= min_attempts:
        if (discrimination is not None and discrimination < 0) or (r_pb is not None and r_pb < 0):
            flags.append("negative-discrimination")
        if facility is not None and facility < TOO_HARD:
            flags.append("too-hard")
        if facility is not None and facility > TOO_EASY:
            flags.append("too-easy")
    return QuestionStatistics(
        question_id=question_id, attempts=len(held), facility=facility,
        stdev=statistics.stdev(item) if len(item) >= 2 else None,
        discrimination=discrimination, point_biserial=r_pb,
        choices=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))), blank=blank, flags=tuple(flags),
    )


def upper_lower_index(pairs: Sequence[tuple[float, float]]) -> float | None:
    """D = mean item score of the top 27 % by rest score − that of the bottom 27 % (ties: input order)."""
    n = len(pairs)
    group = math.floor(UPPER_LOWER_SHARE * n + 0.5)
    if n < 2 or group < 1:
        return None
    ranked = sorted(range(n), key=lambda i: pairs[i][1])  # stable: equal rest scores keep input order
    lower = [pairs[i][0] for i in ranked[:group]]
    upper = [pairs[i][0] for i in ranked[-group:]]
    return statistics.fmean(upper) - statistics.fmean(lower)


def correlation(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Pearson correlation of (item score, rest score); None below 3 pairs or without variation."""
    if len(pairs) < 3:
        return None
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)
