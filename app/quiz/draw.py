"""Seeded question draw and shuffle for a quiz attempt (pure: no Flask, no database).

When an attempt starts the server picks a seed, calls ``draw`` (random questions by bank,
indicator and difficulty) or ``arrange`` (a fixed list), and stores the resulting items: which
questions, in which order, with which option order. The same pool, rules and seed always give the
same items, so a stored seed alone could rebuild them, and a refresh never reshuffles::

    rules = [DrawRule(3, difficulties={1}), DrawRule(2, indicators={"handling.emergency"})]
    items = draw(pool, rules, seed="attempt-7f3a")      # [AttemptItem(bank_id, question_id, option_order)]
    question.present(items[0].option_order)
    items = draw(pool, rules, seed="7-2026-11-29", order_seed="attempt-7f3a")   # pick by one seed,
                                                        # order questions and options by another

Independence: the pool is put in (bank id, question id) order first, so the caller's order does not
matter, and each question's option order depends only on the seed and that question, not on which
other questions were drawn. The choices of ``single``, ``multiple`` and ``truefalse`` questions are
shuffled ("true"/"false" for a true/false question); a pinned option (``pinned: true``) keeps its
position in the file and the others are shuffled around it (``shuffled_choices``). A daily quiz
picks by a seed of the person and the day (the same five questions all day) and orders by the
attempt's own random seed.
"""
from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .questions import Question


class NotEnoughQuestions(ValueError):
    """A draw rule asks for more questions than the pool has left for it."""


@dataclass(frozen=True)
class DrawRule:
    """Draw ``count`` questions matching all the given filters (None = any)."""

    count: int
    banks: Collection[str] | None = None
    indicators: Collection[str] | None = None  # the question has at least one of these
    difficulties: Collection[int] | None = None

    def matches(self, question: Question) -> bool:
        return ((self.banks is None or question.bank_id in self.banks)
                and (self.indicators is None or any(i in self.indicators for i in question.indicators))
                and (self.difficulties is None or question.difficulty in self.difficulties))


@dataclass(frozen=True)
class AttemptItem:
    bank_id: str
    question_id: str
    option_order: tuple[str, ...] = ()  # choice ids in page order ("true"/"false" for truefalse); empty for fill

    def to_dict(self) -> dict:
        return {"bank": self.bank_id, "question": self.question_id, "options": list(self.option_order)}


def _key(question: Question) -> tuple[str, str]:
    return question.bank_id, question.id


def _canonical(pool: Sequence[Question]) -> list[Question]:
    ordered = sorted(pool, key=_key)
    for before, after in zip(ordered, ordered[1:]):
        if _key(before) == _key(after):
            raise ValueError(f"question {after.bank_id}/{after.id} is in the pool twice")
    return ordered


def draw(pool: Sequence[Question], rules: Sequence[DrawRule], seed: str | int, *,
         shuffle_questions: bool = True, shuffle_options: bool = True,
         order_seed: str | int | None = None) -> list[AttemptItem]:
    """Pick questions for each rule (never one twice) by ``seed``, then arrange them by ``order_seed``
    (default: ``seed``).

    Rules with fewer matching questions pick first, so a broad rule does not take the questions a
    narrow one needs. Without ``shuffle_questions`` the items follow the rules' order, and within a
    rule the pool order. Raises ``NotEnoughQuestions`` naming the rule (counted from 0).
    """
    ordered = _canonical(pool)
    # Seeded on purpose: the same attempt draws and orders the same way on every reload. The seed is a fresh
    # secrets token per attempt (quiz.service.attempt_seed) and options reach pages as opaque tokens.
    rng = random.Random(f"{seed}:pick")  # noqa: S311
    candidates = [[q for q in ordered if rule.matches(q)] for rule in rules]
    picked: list[list[Question]] = [[] for _ in rules]
    used: set[tuple[str, str]] = set()
    for index in sorted(range(len(rules)), key=lambda i: (len(candidates[i]), i)):
        rule = rules[index]
        if rule.count < 0:
            raise ValueError(f"rule {index}: count must not be negative")
        free = [q for q in candidates[index] if _key(q) not in used]
        if rule.count > len(free):
            raise NotEnoughQuestions(f"rule {index} asks for {rule.count} questions but only {len(free)} "
                                     "matching questions are left in the pool")
        chosen = rng.sample(free, rule.count)
        used.update(_key(q) for q in chosen)
        picked[index] = sorted(chosen, key=_key)
    questions = [q for group in picked for q in group]
    return arrange(questions, seed if order_seed is None else order_seed, shuffle_questions=shuffle_questions,
                   shuffle_options=shuffle_options)


def arrange(questions: Sequence[Question], seed: str | int, *, shuffle_questions: bool = True,
            shuffle_options: bool = True) -> list[AttemptItem]:
    """Items for these questions: order shuffled by the seed (or kept), option order per question."""
    order = list(questions)
    if len({_key(q) for q in order}) != len(order):
        raise ValueError("a question appears twice in the quiz")
    if shuffle_questions:
        order.sort(key=_key)
        random.Random(f"{seed}:order").shuffle(order)  # noqa: S311 (seeded per attempt, see draw)
    return [AttemptItem(q.bank_id, q.id, _option_order(q, seed, shuffle_options)) for q in order]


def _option_order(question: Question, seed: str | int, shuffle: bool) -> tuple[str, ...]:
    if not shuffle:
        return question.choice_ids
    return shuffled_choices(question, f"{seed}:options:{question.bank_id}/{question.id}")


def shuffled_choices(question: Question, seed: str | int) -> tuple[str, ...]:
    """The question's choice ids in a random order by ``seed``, pinned options in their file position.

    () for a question without choices (fill-in). The same question and seed give the same order."""
    ids = list(question.choice_ids)
    pinned = set(question.pinned_positions)
    free = [choice for i, choice in enumerate(ids) if i not in pinned]
    random.Random(seed).shuffle(free)  # noqa: S311 (seeded per attempt, see draw)
    rest = iter(free)
    return tuple(choice if i in pinned else next(rest) for i, choice in enumerate(ids))
