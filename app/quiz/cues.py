"""Answer cues in a question bank: does the form of a question give its key away?

Pure: standard library only (no Flask, no database). It reads question *specs*, the plain dicts of
a bank's ``questions:`` list as YAML gives them (``docs/authoring-questions.md``); an object with a
``to_spec()`` method (a built ``app.quiz.questions.Question``) is read through that method, so the
banks returned by ``app.quiz.bank.load_banks`` can be passed with ``bank_specs``::

    banks, problems = load_banks(questions_dir, indicator_ids, lessons)
    specs = bank_specs(banks)
    rates = cue_rates(specs)          # CueRates: rates.longest, rates.first, rates.true (0..1 or None)
    print(rates.summary())            # one line for `flask content check`
    for message in cue_problems(specs):   # [] when every rate is inside DEFAULT_LIMITS
        print(message)

The three rates:

- **longest**: the share of single-choice questions whose key is the *uniquely* longest option
  (character count of the stripped text; a tie for longest is no cue). Test-wise learners pick the
  longest option; an author tends to make the key the most careful, hence longest, one.
- **first**: the share of single-choice questions whose key is the first option in the file. The
  server shuffles options per attempt, but exports and authors read the file order.
- **true**: the share of true/false questions keyed true. A bank keyed mostly false (or true)
  teaches "when in doubt, say false".

Bounds (``DEFAULT_LIMITS``): longest and first at most 40%, true between 35% and 65%, each bound
itself allowed. A rate over a type with no questions is ``None`` and never a problem. Multiple-choice
and fill-in questions are not measured.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

#: How many offending question ids a problem message names.
SHOWN_IDS = 8


@dataclass(frozen=True)
class CueLimits:
    """Bounds on the three rates, as fractions (0.4 = 40%); a value equal to a bound passes."""

    longest_max: float = 0.40
    first_max: float = 0.40
    true_min: float = 0.35
    true_max: float = 0.65


DEFAULT_LIMITS = CueLimits()


@dataclass(frozen=True)
class Rate:
    """``count`` of ``total`` questions show the cue; ``ids`` are those questions, worst first."""

    count: int
    total: int
    ids: tuple[str, ...]

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    def above(self, bound: float) -> bool:
        return bool(self.total) and Fraction(self.count, self.total) > _exact(bound)

    def below(self, bound: float) -> bool:
        return bool(self.total) and Fraction(self.count, self.total) < _exact(bound)

    def shown(self) -> str:
        return "n/a (no questions)" if not self.total else f"{_pct(self.value)} ({self.count}/{self.total})"


@dataclass(frozen=True)
class CueRates:
    """The three cue rates of a set of specs (see the module docstring)."""

    key_longest: Rate
    key_first: Rate
    keyed_true: Rate
    keyed_false_ids: tuple[str, ...] = ()

    @property
    def longest(self) -> float | None:
        return self.key_longest.value

    @property
    def first(self) -> float | None:
        return self.key_first.value

    @property
    def true(self) -> float | None:
        return self.keyed_true.value

    def as_dict(self) -> dict[str, float | None]:
        return {"longest": self.longest, "first": self.first, "true": self.true}

    def summary(self, limits: CueLimits = DEFAULT_LIMITS) -> str:
        """One line, e.g. ``answer cues: key longest 25% (34/136, max 40%), ...``."""
        return (f"answer cues: key is the longest option {self.key_longest.shown()} "
                f"[max {_pct(limits.longest_max)}], key is the first option {self.key_first.shown()} "
                f"[max {_pct(limits.first_max)}], true/false keyed true {self.keyed_true.shown()} "
                f"[{_pct(limits.true_min)}-{_pct(limits.true_max)}]")


def bank_specs(banks: Iterable[Any]) -> list[Mapping]:
    """The question specs of every bank (objects with a ``questions`` sequence), in bank order."""
    return [_spec(q) for bank in banks for q in getattr(bank, "questions", ())]


def cue_rates(specs: Iterable[Any]) -> CueRates:
    """The three rates over ``specs`` (spec dicts, or objects with ``to_spec()``)."""
    longest: list[tuple[int, int, str]] = []  # (margin over the runner-up, position, id)
    first: list[tuple[int, int, str]] = []  # (key also uniquely longest?, position, id)
    singles = 0
    keyed_true: list[str] = []
    keyed_false: list[str] = []
    for position, item in enumerate(specs):
        spec = _spec(item)
        qid = str(spec.get("id", f"#{position}"))
        kind = spec.get("type")
        if kind == "single":
            options = [o for o in spec.get("options") or () if isinstance(o, Mapping)]
            keys = [i for i, o in enumerate(options) if o.get("correct") is True]
            if len(keys) != 1:
                continue  # malformed: the bank checker reports it
            singles += 1
            key = keys[0]
            lengths = [len(str(o.get("text", "")).strip()) for o in options]
            others = [n for i, n in enumerate(lengths) if i != key]
            uniquely_longest = bool(others) and lengths[key] > max(others)
            if uniquely_longest:
                longest.append((lengths[key] - max(others), position, qid))
            if key == 0:
                first.append((int(uniquely_longest), position, qid))
        elif kind == "truefalse" and isinstance(spec.get("answer"), bool):
            (keyed_true if spec["answer"] else keyed_false).append(qid)
    tf_total = len(keyed_true) + len(keyed_false)
    return CueRates(
        key_longest=Rate(len(longest), singles, _worst_first(longest)),
        key_first=Rate(len(first), singles, _worst_first(first)),
        keyed_true=Rate(len(keyed_true), tf_total, tuple(keyed_true)),
        keyed_false_ids=tuple(keyed_false),
    )


def cue_problems(specs: Iterable[Any], limits: CueLimits = DEFAULT_LIMITS) -> list[str]:
    """One message per rate outside its bound, naming the rate, its value, the bound and the worst ids."""
    rates = specs if isinstance(specs, CueRates) else cue_rates(specs)
    problems: list[str] = []
    if rates.key_longest.above(limits.longest_max):
        problems.append(
            f"single-choice key is the uniquely longest option in {rates.key_longest.shown()}, above the "
            f"{_pct(limits.longest_max)} maximum; largest length gaps first: {_ids(rates.key_longest.ids)} "
            "(shorten the key or write distractors as long as it)")
    if rates.key_first.above(limits.first_max):
        problems.append(
            f"single-choice key is the first option in the file in {rates.key_first.shown()}, above the "
            f"{_pct(limits.first_max)} maximum; worst (key also longest) first: {_ids(rates.key_first.ids)} "
            "(move the key to another position)")
    tf = rates.keyed_true
    if tf.above(limits.true_max):
        problems.append(
            f"true/false questions keyed true: {tf.shown()}, above the {_pct(limits.true_max)} maximum "
            f"(allowed {_pct(limits.true_min)}-{_pct(limits.true_max)}); keyed true: {_ids(tf.ids)} "
            "(rewrite some as false statements)")
    elif tf.below(limits.true_min):
        problems.append(
            f"true/false questions keyed true: {tf.shown()}, below the {_pct(limits.true_min)} minimum "
            f"(allowed {_pct(limits.true_min)}-{_pct(limits.true_max)}); keyed false: "
            f"{_ids(rates.keyed_false_ids)} (rewrite some as true statements)")
    return problems


def _spec(item: Any) -> Mapping:
    if isinstance(item, Mapping):
        return item
    to_spec = getattr(item, "to_spec", None)
    if callable(to_spec):
        return to_spec()
    return {}


def _worst_first(found: list[tuple[int, int, str]]) -> tuple[str, ...]:
    return tuple(qid for _, _, qid in sorted(found, key=lambda t: (-t[0], t[1])))


def _ids(ids: tuple[str, ...]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")


def _exact(bound: float) -> Fraction:
    """0.35 as exactly 35/100 (a float 0.35 is a hair below it), so a rate equal to the bound passes."""
    return Fraction(str(bound))


def _pct(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"
