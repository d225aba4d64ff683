"""Question types: check a question's spec, show it without the key, normalise and grade answers.

Pure: no Flask, no database. A *spec* is one entry of a bank's ``questions:`` list, as YAML gives it
(the format is ``docs/authoring-questions.md``); the GIFT and Aiken importers produce the same
dicts. Each type is a small class registered in ``QUESTION_TYPES``::

    problems = check_spec(spec, indicator_ids)      # [(path, problem)]; path is inside the question,
                                                    # e.g. ("options[2].text", "required text is missing")
    question = build_question(spec, bank_id="policy-basics")   # only for a spec without problems
    question.present(option_order)                  # what a page may show: never a key
    question.choice_ids                             # what an answer can pick, in file order
    question.pinned_positions                       # places an option keeps when options are shuffled
    answer = question.normalise(raw)                # raises an AnswerError subclass if malformed
    question.grade(answer)                          # 0.0 .. 1.0
    question.from_form(form, name)                  # the raw answer a submitted form holds

Grading:

- ``single``: 1 for the correct option, else 0.
- ``multiple``: each correct option chosen earns 1/k (k = number of correct options), each wrong
  option chosen costs 1/k, never below 0. Choosing every option therefore scores 0 when there are
  at least as many wrong options as correct ones.
- ``truefalse``: 1 for the right answer.
- ``fill``: 1 when the answer matches one accepted answer after ``comparable_text`` (NFKC, so
  full-width "１１９" is "119"; case folded; whitespace, zero-width characters and punctuation removed,
  and the filler words of ``FILLER_WORDS`` such as 的、了、然后 dropped). The accepted answers are the
  author's synonyms; a longer answer containing a key phrase passes only through an author's ``*``.

Moodle's weights (imported GIFT files; ``weight:`` in percent, -100..100, on options or fill-in
answers) are graded as Moodle grades them, never rounded into the rules above:

- ``single`` with weights: the chosen option's weight (the ``correct`` option is 100 %), below 0 → 0.
- ``multiple`` with weights: the sum of the chosen options' weights, capped to 0..100 %; the positive
  weights must add up to 100 % and the ``correct`` options are exactly those with a positive weight.
  (Unweighted, the ±1/k rule above is this rule with +100/k and -100/k.)
- ``fill`` with weights: the first accepted answer that matches (``*`` matches any characters, as in
  Moodle's short answers) gives its weight; at least one answer is worth 100 %.

Feedback for one choice (``feedback:`` on an option or a fill-in answer, ``feedback_true`` /
``feedback_false`` on a true/false question) is shown, after submission, only to those who chose it
(``Question.feedback_for``).

Option ids are stable per question: the ``id:`` given in the file, else "a", "b", "c", ... by
position. Ids never reach a page: the server shows each attempt's options in its own random order
under opaque tokens (``app.quiz.tokens``) and maps them back. An option marked ``pinned: true``
keeps its place in the file when the others are shuffled: use it only where the order carries
meaning ("以上都对" last); ``app.quiz.bank.pinned_options`` lists them for the content checker.
True/false questions have the two choices "true" and "false" (``choice_ids``), shown in a random
order per attempt too. Give explicit ids before reordering or inserting options in a bank that is in use
(results also record the question's ``content_hash``, so old attempts stay interpretable).
An unanswered question (``None``) is valid and scores 0.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from app.content.laws import cites_problems

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SOURCE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+([-_][a-z0-9]+)*)?$")
COMMON_FIELDS = ("id", "type", "text", "indicators", "difficulty", "explanation", "source", "cites")
OPTION_FIELDS = ("id", "text", "correct", "pinned", "weight", "feedback")
ANSWER_FIELDS = ("text", "weight", "feedback")
MIN_OPTIONS, MAX_OPTIONS = 2, 8
DIFFICULTIES = (1, 2, 3)
MAX_FILL_ANSWER = 200  # characters a learner may type into a blank
POSITIONAL_IDS = "abcdefgh"

Problem = tuple[str, str]  # (path inside the question, or "" for the whole question; problem)


class FormData(Protocol):
    """A submitted form as Werkzeug's MultiDict offers it (``request.form``)."""

    def __contains__(self, name: object) -> bool: ...

    def get(self, name: str) -> Any: ...

    def getlist(self, name: str) -> list[str]: ...


class AnswerError(ValueError):
    """A submitted answer is malformed (a tampered or broken form): refuse it, save nothing."""


class UnknownOptionError(AnswerError):
    """The answer names an option the question does not have (e.g. an option of another question)."""


class AnswerShapeError(AnswerError):
    """The answer has the wrong shape for the question type (e.g. a list for a single choice)."""


def normalise_text(text: str) -> str:
    """Fill-in matching form: NFKC (full-width → half-width), case folded, no whitespace at all."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


#: Words whose removal cannot change what a fill-in answer means: structural particles, the
#: perfective 了 and sequence connectives ("先关阀门，然后开窗" is "先关阀门开窗"). Removed only as
#: whole words as jieba segments them, so 了解, 目的, 不再, 再见, 并排 stay intact.
FILLER_WORDS = frozenset({"的", "地", "了", "并", "并且", "再", "然后", "啊", "吧", "呢", "呀"})
#: Characters that are part of a number and kept there: a sign before a digit ("-5"), a percent
#: after one ("30%"), a point, colon or slash between two ("1.5", "8:30", "1/2").
SIGNS, PERCENTS, BETWEEN_DIGITS = frozenset("+-−"), frozenset("%‰"), frozenset(".:/")


def _segment(text: str) -> list[str]:
    import logging

    import jieba  # loaded on the first fill-in comparison (its dictionary takes a moment)
    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text)


def comparable_text(text: str) -> str:
    """The form a typed fill-in answer and an accepted answer are compared in: ``normalise_text``
    (full-width → half-width, case, spaces), then punctuation removed (kept next to a digit when it
    is part of a number: "-5", "30%", "8:30") and the filler words of ``FILLER_WORDS`` dropped.
    An answer that is nothing but filler keeps its words (a blank is never made out of "的")."""
    text = normalise_text(text)
    kept = []
    for i, ch in enumerate(text):
        before = i > 0 and text[i - 1].isdigit()
        after = i + 1 < len(text) and text[i + 1].isdigit()
        if ((ch in SIGNS and after) or (ch in PERCENTS and before)
                or (ch in BETWEEN_DIGITS and before and after)):
            kept.append(ch)
        elif not unicodedata.category(ch).startswith("P") and ch not in SIGNS | PERCENTS:
            kept.append(ch)
    text = "".join(kept)
    if not text:
        return text
    words = [w for w in _segment(text) if w not in FILLER_WORDS]
    return "".join(words) or text


def sha256_json(data: Any) -> str:
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _shown(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def _text_problem(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "required text is missing"
    return f"must be text, not {_shown(value)} (put quotes around numbers, yes/no and true/false)"


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool = False
    #: Keeps its position in the file when the options are shuffled ("以上都对").
    pinned: bool = False
    #: Moodle's fraction in percent (-100..100), or None: the type's own rule.
    weight: float | None = None
    #: Shown after submission to those who chose this option.
    feedback: str = ""

    def spec(self) -> dict[str, Any]:
        # optional keys only where set, so the content hash of every question without them stays the same
        data: dict[str, Any] = {"id": self.id, "text": self.text, "correct": self.correct}
        if self.pinned:
            data["pinned"] = True
        if self.weight is not None:
            data["weight"] = self.weight
        if self.feedback:
            data["feedback"] = self.feedback
        return data


def _weight_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -100 <= value <= 100:
        return f"must be a percentage from -100 to 100, not {_shown(value)}"
    return None


def _clamp(score: float) -> float:
    return min(1.0, max(0.0, score))


QUESTION_TYPES: dict[str, type[Question]] = {}


def register(cls: type[Question]) -> type[Question]:
    """Class decorator: make ``cls`` the question type named ``cls.type_name``."""
    QUESTION_TYPES[cls.type_name] = cls
    return cls


@dataclass(frozen=True, kw_only=True)
class Question:
    """What every question has; subclasses add their key and how to grade against it."""

    type_name: ClassVar[str] = ""
    type_fields: ClassVar[tuple[str, ...]] = ()

    id: str
    text: str
    indicators: tuple[str, ...]
    difficulty: int
    explanation: str
    source: str | None = None
    #: Law register ids the question relies on (``cites:``; see ``app.content.laws``). Not part of
    #: ``to_spec`` nor of the content hash: citing changes nothing a learner sees, so it is no new version.
    cites: tuple[str, ...] = ()
    bank_id: str = ""
    content_hash: str = ""

    # -- authoring ---------------------------------------------------------------------------
    @classmethod
    def check_fields(cls, spec: Mapping) -> list[Problem]:
        """Problems with the type's own fields (the common ones are checked by ``check_spec``)."""
        raise NotImplementedError

    @classmethod
    def fields_from_spec(cls, spec: Mapping) -> dict[str, Any]:
        """The type's own constructor arguments from a spec that passed ``check_fields``."""
        raise NotImplementedError

    def key_data(self) -> dict[str, Any]:
        """The type's own fields as plain data, in spec form (used for the content hash)."""
        raise NotImplementedError

    def to_spec(self) -> dict[str, Any]:
        """The question as a spec dict (normalised: option ids filled in, no empty source)."""
        spec: dict[str, Any] = {"id": self.id, "type": self.type_name, "text": self.text}
        spec.update(self.key_data())
        spec.update(indicators=list(self.indicators), difficulty=self.difficulty, explanation=self.explanation)
        if self.source:
            spec["source"] = self.source
        return spec

    # -- taking ------------------------------------------------------------------------------
    @property
    def choice_ids(self) -> tuple[str, ...]:
        """What an answer can pick, in file order: option ids, "true"/"false", or () for a blank."""
        return ()

    @property
    def pinned_positions(self) -> tuple[int, ...]:
        """Positions (from 0) of the choices that keep their place when the choices are shuffled."""
        return ()

    def present(self, option_order: Sequence[str] | None = None) -> dict[str, Any]:
        """What a page may show before submission: id, type, text (and options): never the key."""
        return {"id": self.id, "type": self.type_name, "text": self.text}

    def normalise(self, raw: Any) -> Any:
        """The canonical form of a submitted answer (``None`` = unanswered); idempotent.

        Raises ``UnknownOptionError`` or ``AnswerShapeError`` (both ``AnswerError``) when malformed.
        """
        raise NotImplementedError

    def grade(self, answer: Any) -> float:
        """Score 0.0..1.0 for an answer (normalised first, so it raises ``AnswerError`` too)."""
        raise NotImplementedError

    def correct_answer(self) -> Any:
        """The key for review after submission: option id(s), a bool, or the accepted answers (fill)."""
        raise NotImplementedError

    def chosen(self, answer: Any) -> tuple[str, ...]:
        """What the answer picked, for option frequencies: option ids (or the normalised text)."""
        raise NotImplementedError

    def feedback_for(self, answer: Any) -> list[tuple[str, str]]:
        """(what was chosen, its feedback) for the feedback meant for this answer alone (Moodle's
        per-answer feedback): shown after submission to the learner who gave it, to nobody else."""
        return []

    def option_texts(self, truth_labels: tuple[str, str] = ("True", "False")) -> dict[str, str]:
        """What a reader sees for each thing an answer can pick (``chosen``): option id → text.
        ``truth_labels`` are the words for true and false, translated by the caller."""
        return {}

    # -- forms -------------------------------------------------------------------------------
    def in_form(self, form: FormData, name: str) -> bool:
        """Does a submitted form answer this question under the field ``name``?"""
        return name in form

    def from_form(self, form: FormData, name: str) -> Any:
        """The raw answer (for ``normalise``) a submitted form holds under ``name``; None: unanswered."""
        value = form.get(name)
        return None if value == "" else value

    def form_value(self) -> Any:
        """A right answer in the shape a form sends it (demo data and tests answer like a person)."""
        return self.correct_answer()


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """Options with ``correct`` flags; ``single`` and ``multiple`` differ in the count and grading."""

    type_fields: ClassVar[tuple[str, ...]] = ("options",)
    options: tuple[Option, ...] = ()

    @classmethod
    def check_correct_count(cls, count: int) -> str | None:
        raise NotImplementedError

    @classmethod
    def check_fields(cls, spec: Mapping) -> list[Problem]:
        options = spec.get("options")
        if not isinstance(options, list) or not options:
            return [("options", f"must be a list of {MIN_OPTIONS}-{MAX_OPTIONS} options")]
        problems: list[Problem] = []
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            problems.append(("options", f"has {len(options)} option{'s' * (len(options) != 1)}; "
                                        f"use {MIN_OPTIONS} to {MAX_OPTIONS}"))
        ids: dict[str, int] = {}
        texts: dict[str, int] = {}
        correct = 0
        for i, option in enumerate(options):
            where = f"options[{i}]"
            if not isinstance(option, Mapping):
                problems.append((where, "must be a mapping with text (and correct: true on right options)"))
                continue
            problems.extend((f"{where}.{key}", "unknown field")
                            for key in sorted(set(option) - set(OPTION_FIELDS), key=str))
            text = option.get("text")
            if not _is_text(text):
                problems.append((f"{where}.text", _text_problem(text)))
            elif normalise_text(text) in texts:
                problems.append((f"{where}.text", f"same text as options[{texts[normalise_text(text)]}]"))
            else:
                texts[normalise_text(text)] = i
            flag = option.get("correct", False)
            if not isinstance(flag, bool):
                problems.append((f"{where}.correct", f"must be true or false, not {_shown(flag)}"))
            pinned = option.get("pinned", False)
            if not isinstance(pinned, bool):
                problems.append((f"{where}.pinned", f"must be true or false, not {_shown(pinned)} (pinned: true "
                                 "keeps the option in its place when options are shuffled)"))
            correct += flag is True
            if "weight" in option and _weight_problem(option["weight"]):
                problems.append((f"{where}.weight", _weight_problem(option["weight"])))
            if "feedback" in option and not isinstance(option["feedback"], str):
                problems.append((f"{where}.feedback", _text_problem(option["feedback"])))
            option_id = option.get("id", POSITIONAL_IDS[i] if i < len(POSITIONAL_IDS) else None)
            if "id" in option and (not isinstance(option_id, str) or not ID_RE.match(option_id)):
                problems.append((f"{where}.id", f"{_shown(option_id)} may only use lowercase letters, "
                                 "digits and hyphens"))
            elif option_id in ids:
                problems.append((f"{where}.id", f"duplicate option id '{option_id}' (also options[{ids[option_id]}])"))
            elif option_id is not None:
                ids[option_id] = i
        weighted = [o for o in options if isinstance(o, Mapping) and "weight" in o]
        wrong_count = cls.check_weights(options) if weighted else cls.check_correct_count(correct)
        if wrong_count:
            problems.append(("options", wrong_count))
        return problems

    @classmethod
    def check_weights(cls, options: list) -> str | None:
        """The problem with the options' Moodle weights (at least one option has ``weight``), or None."""
        raise NotImplementedError

    @classmethod
    def fields_from_spec(cls, spec: Mapping) -> dict[str, Any]:
        return {"options": tuple(
            Option(id=str(o.get("id", POSITIONAL_IDS[i])), text=o["text"].strip(), correct=o.get("correct", False),
                   pinned=o.get("pinned", False),
                   weight=float(o["weight"]) if o.get("weight") is not None else None,
                   feedback=(o.get("feedback") or "").strip())
            for i, o in enumerate(spec["options"]))}

    def key_data(self) -> dict[str, Any]:
        return {"options": [o.spec() for o in self.options]}

    @property
    def weighted(self) -> bool:
        """Graded by Moodle's weights (an imported question that carries them)."""
        return any(o.weight is not None for o in self.options)

    def feedback_for(self, answer: Any) -> list[tuple[str, str]]:
        """(option text, feedback) for each chosen option that has feedback, in file order."""
        chosen = set(self.chosen(answer))
        return [(o.text, o.feedback) for o in self.options if o.id in chosen and o.feedback]

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return self.option_ids

    @property
    def pinned_positions(self) -> tuple[int, ...]:
        return tuple(i for i, o in enumerate(self.options) if o.pinned)

    @property
    def correct_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options if o.correct)

    def present(self, option_order: Sequence[str] | None = None) -> dict[str, Any]:
        """Options in ``option_order`` (a permutation of the option ids; default: file order)."""
        by_id = {o.id: o for o in self.options}
        order = list(option_order) if option_order is not None else list(by_id)
        if sorted(order) != sorted(by_id):
            raise ValueError(f"option order {order} is not a permutation of {list(by_id)} ({self.id})")
        return {**super().present(), "options": [{"id": i, "text": by_id[i].text} for i in order]}

    def _option_id(self, value: Any) -> str:
        if not isinstance(value, str):
            raise AnswerShapeError(f"question {self.id}: an option id must be text, not {type(value).__name__}")
        if value not in self.option_ids:
            raise UnknownOptionError(f"question {self.id} has no option '{value}'")
        return value

    def chosen(self, answer: Any) -> tuple[str, ...]:
        answer = self.normalise(answer)
        if answer is None:
            return ()
        return (answer,) if isinstance(answer, str) else tuple(answer)

    def option_texts(self, truth_labels: tuple[str, str] = ("True", "False")) -> dict[str, str]:
        return {o.id: o.text for o in self.options}


@register
@dataclass(frozen=True, kw_only=True)
class SingleChoice(ChoiceQuestion):
    """One correct option; the answer is one option id."""

    type_name = "single"

    @classmethod
    def check_correct_count(cls, count: int) -> str | None:
        if count != 1:
            return f"a single-choice question needs exactly one option with correct: true (found {count})"
        return None

    @classmethod
    def check_weights(cls, options: list) -> str | None:
        counted = cls.check_correct_count(sum(1 for o in options if isinstance(o, Mapping) and o.get("correct") is True))
        if counted:
            return counted
        for i, o in enumerate(options):
            if not isinstance(o, Mapping) or _weight_problem(o.get("weight", 0)):
                continue
            if o.get("correct") is True and o.get("weight", 100) != 100:
                return f"options[{i}] is the correct option: its weight is 100, not {_shown(o['weight'])}"
            if o.get("correct") is not True and o.get("weight", 0) >= 100:
                return f"options[{i}] is worth 100 % but is not the correct option"
        return None

    def normalise(self, raw: Any) -> str | None:
        if raw is None:
            return None
        return self._option_id(raw)

    def grade(self, answer: Any) -> float:
        answer = self.normalise(answer)
        if answer is None:
            return 0.0
        option = next(o for o in self.options if o.id == answer)
        if option.weight is not None and not option.correct:
            return _clamp(option.weight / 100)
        return 1.0 if option.correct else 0.0

    def correct_answer(self) -> str:
        return self.correct_ids[0]


@register
@dataclass(frozen=True, kw_only=True)
class MultipleChoice(ChoiceQuestion):
    """Two or more correct options; the answer is a list of option ids; partial credit."""

    type_name = "multiple"

    @classmethod
    def check_correct_count(cls, count: int) -> str | None:
        if count < 2:
            return (f"a multiple-choice question needs at least two options with correct: true (found {count}); "
                    "use type: single for one")
        return None

    def normalise(self, raw: Any) -> tuple[str, ...] | None:
        if raw is None:
            return None
        if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Iterable):
            raise AnswerShapeError(f"question {self.id}: a multiple-choice answer is a list of option ids")
        picked = {self._option_id(value) for value in raw}
        return tuple(i for i in self.option_ids if i in picked)

    @classmethod
    def check_weights(cls, options: list) -> str | None:
        weights = [(i, o.get("weight", 0), o.get("correct") is True) for i, o in enumerate(options)
                   if isinstance(o, Mapping)]
        if any(_weight_problem(w) for _i, w, _c in weights):
            return None  # reported on the option itself
        for i, weight, correct in weights:
            if correct != (weight > 0):
                return (f"options[{i}]: with weights, the correct options are exactly those with a positive weight "
                        f"(weight {_shown(weight)}, correct: {str(correct).lower()})")
        total = sum(w for _i, w, _c in weights if w > 0)
        if not weights or total <= 0:
            return "no option has a positive weight: nobody could score"
        if abs(total - 100) > 0.5:
            return (f"the positive weights add up to {total:g} %, not 100 %: nobody could score full marks "
                    "(or more than full marks)")
        return None

    def grade(self, answer: Any) -> float:
        answer = self.normalise(answer) or ()
        if self.weighted:  # Moodle: the chosen options' fractions added up, capped to 0..1
            return _clamp(sum(o.weight or 0.0 for o in self.options if o.id in answer) / 100)
        correct = set(self.correct_ids)
        right = sum(1 for i in answer if i in correct)
        wrong = len(answer) - right
        return max(0.0, (right - wrong) / len(correct))

    def correct_answer(self) -> tuple[str, ...]:
        return self.correct_ids

    def in_form(self, form: FormData, name: str) -> bool:
        return True  # no box ticked sends nothing, and that is an answer too

    def from_form(self, form: FormData, name: str) -> list[str]:
        return form.getlist(name)

    def form_value(self) -> list[str]:
        return list(self.correct_ids)


@register
@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """A statement that is true or false; the answer is a bool (forms send "true"/"false")."""

    type_name = "truefalse"
    type_fields: ClassVar[tuple[str, ...]] = ("answer", "feedback_true", "feedback_false")
    answer: bool = False
    #: Shown after submission to those who answered true (``feedback_false``: false).
    feedback_true: str = ""
    feedback_false: str = ""
    CHOICES: ClassVar[dict[str, bool]] = {"true": True, "false": False}

    @classmethod
    def check_fields(cls, spec: Mapping) -> list[Problem]:
        problems: list[Problem] = [(key, _text_problem(spec[key])) for key in ("feedback_true", "feedback_false")
                                   if key in spec and not isinstance(spec[key], str)]
        if "answer" not in spec:
            return [("answer", "required: true or false"), *problems]
        if not isinstance(spec["answer"], bool):
            return [("answer", f"must be true or false (without quotes), not {_shown(spec['answer'])}"), *problems]
        return problems

    @classmethod
    def fields_from_spec(cls, spec: Mapping) -> dict[str, Any]:
        return {"answer": spec["answer"], "feedback_true": (spec.get("feedback_true") or "").strip(),
                "feedback_false": (spec.get("feedback_false") or "").strip()}

    def key_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"answer": self.answer}
        if self.feedback_true:
            data["feedback_true"] = self.feedback_true
        if self.feedback_false:
            data["feedback_false"] = self.feedback_false
        return data

    def feedback_for(self, answer: Any) -> list[tuple[str, str]]:
        answer = self.normalise(answer)
        text = None if answer is None else (self.feedback_true if answer else self.feedback_false)
        return [("true" if answer else "false", text)] if text else []

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(self.CHOICES)

    def present(self, option_order: Sequence[str] | None = None) -> dict[str, Any]:
        """The two choices ("true", "false") in ``option_order`` (default: true first); no key."""
        order = list(option_order) if option_order else list(self.CHOICES)
        if sorted(order) != sorted(self.CHOICES):
            raise ValueError(f"choice order {order} is not a permutation of {list(self.CHOICES)} ({self.id})")
        return {**super().present(), "options": [{"id": i} for i in order]}

    def normalise(self, raw: Any) -> bool | None:
        if raw is None or isinstance(raw, bool):
            return raw
        if not isinstance(raw, str):
            raise AnswerShapeError(f"question {self.id}: a true/false answer is 'true' or 'false'")
        if raw not in self.CHOICES:
            raise UnknownOptionError(f"question {self.id}: '{raw}' is neither 'true' nor 'false'")
        return self.CHOICES[raw]

    def grade(self, answer: Any) -> float:
        answer = self.normalise(answer)
        return 1.0 if answer is self.answer else 0.0

    def correct_answer(self) -> bool:
        return self.answer

    def chosen(self, answer: Any) -> tuple[str, ...]:
        answer = self.normalise(answer)
        return () if answer is None else ("true" if answer else "false",)

    def option_texts(self, truth_labels: tuple[str, str] = ("True", "False")) -> dict[str, str]:
        return dict(zip(self.CHOICES, truth_labels))

    def form_value(self) -> str:
        return "true" if self.answer else "false"


@register
@dataclass(frozen=True, kw_only=True)
class FillIn(Question):
    """A blank to fill; accepted answers match after ``normalise_text``."""

    type_name = "fill"
    type_fields: ClassVar[tuple[str, ...]] = ("answers",)
    answers: tuple[str, ...] = ()
    #: Moodle's fraction in percent per answer (None: 100), same length as ``answers`` when given.
    weights: tuple[float | None, ...] = ()
    #: Feedback per answer ("" for none), same length as ``answers`` when given.
    feedbacks: tuple[str, ...] = ()

    @classmethod
    def check_fields(cls, spec: Mapping) -> list[Problem]:
        answers = spec.get("answers")
        if not isinstance(answers, list) or not answers:
            return [("answers", 'must be a non-empty list of accepted answers, e.g. ["119"]')]
        problems: list[Problem] = []
        seen: dict[str, int] = {}
        full = False
        for i, entry in enumerate(answers):
            answer = entry
            if isinstance(entry, Mapping):
                problems.extend((f"answers[{i}].{key}", "unknown field")
                                for key in sorted(set(entry) - set(ANSWER_FIELDS), key=str))
                answer = entry.get("text")
                if "weight" in entry and _weight_problem(entry["weight"]):
                    problems.append((f"answers[{i}].weight", _weight_problem(entry["weight"])))
                if "feedback" in entry and not isinstance(entry["feedback"], str):
                    problems.append((f"answers[{i}].feedback", _text_problem(entry["feedback"])))
                full = full or entry.get("weight", 100) == 100
            else:
                full = True
            if not _is_text(answer) or not normalise_text(answer):
                problems.append((f"answers[{i}]", _text_problem(answer)))
            elif normalise_text(answer) in seen:
                problems.append((f"answers[{i}]", f"same as answers[{seen[normalise_text(answer)]}] once case, "
                                 "spaces and full-width forms are ignored"))
            elif len(answer) > MAX_FILL_ANSWER:
                problems.append((f"answers[{i}]", f"longer than the {MAX_FILL_ANSWER} characters a learner may type"))
            else:
                seen[normalise_text(answer)] = i
        if not full and not problems:
            problems.append(("answers", "no answer is worth 100 %: nobody could score full marks"))
        return problems

    @classmethod
    def fields_from_spec(cls, spec: Mapping) -> dict[str, Any]:
        entries = [e if isinstance(e, Mapping) else {"text": e} for e in spec["answers"]]
        fields: dict[str, Any] = {"answers": tuple(e["text"].strip() for e in entries)}
        if any(isinstance(e, Mapping) for e in spec["answers"]):
            fields["weights"] = tuple(float(e["weight"]) if e.get("weight") is not None else None for e in entries)
            fields["feedbacks"] = tuple((e.get("feedback") or "").strip() for e in entries)
        return fields

    def key_data(self) -> dict[str, Any]:
        # plain strings unless an answer carries a weight or feedback (content hashes stay the same)
        if not any(w is not None for w in self.weights) and not any(self.feedbacks):
            return {"answers": list(self.answers)}
        entries = []
        for i, text in enumerate(self.answers):
            entry: dict[str, Any] = {"text": text}
            if self.weights[i] is not None:
                entry["weight"] = self.weights[i]
            if self.feedbacks[i]:
                entry["feedback"] = self.feedbacks[i]
            entries.append(entry)
        return {"answers": entries}

    def weight_of(self, i: int) -> float:
        """Answer ``i``'s weight in percent (100 unless the file gave another)."""
        weight = self.weights[i] if i < len(self.weights) else None
        return 100.0 if weight is None else weight

    def normalise(self, raw: Any) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise AnswerShapeError(f"question {self.id}: a fill-in answer is text")
        if len(raw) > MAX_FILL_ANSWER:
            raise AnswerShapeError(f"question {self.id}: answer longer than {MAX_FILL_ANSWER} characters")
        return raw.strip() or None

    def matching(self, answer: Any) -> int | None:
        """The index of the first accepted answer the given answer matches (``*``: any characters),
        both compared after ``comparable_text`` (punctuation, spaces, full-width forms and filler
        words do not count). Every accepted answer is an author's synonym; an answer that merely
        contains a key phrase matches only where the author wrote ``*`` ("留*联系卡*")."""
        answer = self.normalise(answer)
        if answer is None:
            return None
        typed = comparable_text(answer)
        for i, accepted in enumerate(self.answers):
            if "*" in accepted:
                pattern = ".*".join(re.escape(comparable_text(part)) for part in accepted.split("*"))
                if re.fullmatch(pattern, typed, re.DOTALL):
                    return i
            elif comparable_text(accepted) == typed:
                return i
        return None

    def grade(self, answer: Any) -> float:
        i = self.matching(answer)
        return 0.0 if i is None else _clamp(self.weight_of(i) / 100)

    def correct_answer(self) -> tuple[str, ...]:
        return tuple(a for i, a in enumerate(self.answers) if self.weight_of(i) >= 100)

    def chosen(self, answer: Any) -> tuple[str, ...]:
        answer = self.normalise(answer)
        return () if answer is None else (normalise_text(answer),)

    def feedback_for(self, answer: Any) -> list[tuple[str, str]]:
        i = self.matching(answer)
        if i is None or i >= len(self.feedbacks) or not self.feedbacks[i]:
            return []
        return [(self.normalise(answer), self.feedbacks[i])]

    def from_form(self, form: FormData, name: str) -> str | None:
        return form.get(name)  # an emptied blank is sent as "" and saved as unanswered

    def form_value(self) -> str:
        return self.correct_answer()[0]


def type_names() -> str:
    return ", ".join(QUESTION_TYPES)


def check_spec(spec: Any, indicator_ids: Collection[str] | None = None) -> list[Problem]:
    """Every problem of one question spec; indicator ids are checked when ``indicator_ids`` is given."""
    if not isinstance(spec, Mapping):
        return [("", "must be a mapping of fields (id, type, text, ...)")]
    problems: list[Problem] = []
    qid = spec.get("id")
    if not isinstance(qid, str) or not qid.strip():
        problems.append(("id", "required, e.g. id: pb-001"))
    elif not ID_RE.match(qid):
        problems.append(("id", f"'{qid}' may only use lowercase letters, digits and hyphens"))
    kind = spec.get("type")
    cls = QUESTION_TYPES.get(kind) if isinstance(kind, str) else None
    if kind is None:
        problems.append(("type", f"required: one of {type_names()}"))
    elif cls is None:
        problems.append(("type", f"unknown question type {_shown(kind)} (use {type_names()})"))
    allowed = set(COMMON_FIELDS) | (set(cls.type_fields) if cls else
                                    {f for t in QUESTION_TYPES.values() for f in t.type_fields})
    for key in sorted(set(spec) - allowed, key=str):
        users = [name for name, t in QUESTION_TYPES.items() if key in t.type_fields]
        problems.append((str(key), f"unknown field for a {kind} question (used by {', '.join(users)})"
                         if users else "unknown field"))
    if not _is_text(spec.get("text")):
        problems.append(("text", _text_problem(spec.get("text"))))
    problems.extend(_check_indicators(spec.get("indicators"), indicator_ids))
    difficulty = spec.get("difficulty")
    if difficulty is None:
        problems.append(("difficulty", "required: 1 (easy), 2 (medium) or 3 (hard)"))
    elif isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        problems.append(("difficulty", f"must be 1 (easy), 2 (medium) or 3 (hard), not {_shown(difficulty)}"))
    if not _is_text(spec.get("explanation")):
        problem = _text_problem(spec.get("explanation"))
        problems.append(("explanation", problem + (" (shown after answering)" if "missing" in problem else "")))
    source = spec.get("source")
    if source is not None and (not isinstance(source, str) or not SOURCE_RE.match(source)):
        problems.append(("source", f"{_shown(source)} must be a course id or course-id/lesson, "
                         "e.g. onboarding-policy/02-residence-permit-and-hukou"))
    if "cites" in spec:
        problems.extend(cites_problems(spec["cites"]))
    if cls is not None:
        problems.extend(cls.check_fields(spec))
    return problems


def _check_indicators(indicators: Any, indicator_ids: Collection[str] | None) -> list[Problem]:
    if not isinstance(indicators, list) or not indicators:
        return [("indicators", "must be a non-empty list of competency indicator ids, e.g. [policy.accuracy]")]
    problems: list[Problem] = []
    for i, ind in enumerate(indicators):
        if not isinstance(ind, str):
            problems.append((f"indicators[{i}]", f"must be an indicator id, not {_shown(ind)}"))
        elif indicator_ids is not None and ind not in indicator_ids:
            problems.append((f"indicators[{i}]", f"unknown indicator id '{ind}'"))
        elif ind in indicators[:i]:
            problems.append((f"indicators[{i}]", f"'{ind}' is listed twice"))
    return problems


def build_question(spec: Mapping, bank_id: str = "") -> Question:
    """The question for a spec that ``check_spec`` passed (raises ValueError if it would not)."""
    problems = check_spec(spec)
    if problems:
        raise ValueError(f"question spec has problems: {join_problem('', *problems[0])}")
    cls = QUESTION_TYPES[spec["type"]]
    question = cls(
        id=spec["id"], text=spec["text"].strip(), indicators=tuple(spec["indicators"]),
        difficulty=spec["difficulty"], explanation=spec["explanation"].strip(), source=spec.get("source"),
        cites=tuple(spec.get("cites") or ()), bank_id=bank_id, **cls.fields_from_spec(spec),
    )
    return dataclasses.replace(question, content_hash=sha256_json(question.to_spec()))


def join_problem(where: str, path: str, problem: str) -> str:
    """``"questions[3]"`` + ``("options", "...")`` → ``"questions[3].options: ..."``."""
    place = where + ("." if where and path and not path.startswith("[") else "") + path
    return f"{place}: {problem}" if place else problem


# -- shared with the importers (gift.py, aiken.py, interop.py) -----------------------------------

@dataclass(frozen=True)
class ImportDefaults:
    """What an imported question cannot say for itself: the importer asks the organizer."""

    indicators: tuple[str, ...]
    difficulty: int = 1
    explanation: str | None = None  # used when the question carries no general feedback
    source: str | None = None


def slug(title: str) -> str:
    """An id from a question title (lowercase ASCII letters and digits joined by hyphens), or ""."""
    text = unicodedata.normalize("NFKC", title).lower()
    return "-".join(re.findall(r"[a-z0-9]+", text))[:60].strip("-")
