"""The shipped question banks give no answer away by their form (issue 12, Deliver 4).

The banks are loaded the way ``flask content check`` loads them (competency model, courses, then
``app.quiz.bank.load_banks`` with the indicator ids and lesson slugs), and ``cue_problems`` must find
nothing: the key is the uniquely longest option in at most 40% of single-choice questions and the
first option in at most 40%, and 35%-65% of true/false questions are keyed true.
"""
from pathlib import Path

from app.content.courses import load_competency_model, load_courses
from app.quiz.bank import load_banks
from app.quiz.cues import bank_specs, cue_problems, cue_rates

ROOT = Path(__file__).resolve().parents[2]


def shipped_specs():
    content = ROOT / "courses"
    indicators, problems = load_competency_model(content)
    assert problems == []
    ids = {i.id for i in indicators}
    courses, problems = load_courses(content, ids)
    assert problems == []
    lessons = {c.slug: [lesson.slug for lesson in c.lessons] for c in courses}
    banks, problems = load_banks(ROOT / "questions", ids, lessons)
    assert problems == []
    assert banks, "no question bank shipped"
    return bank_specs(banks)


def test_shipped_banks_have_no_answer_cues():
    specs = shipped_specs()
    rates = cue_rates(specs)
    assert rates.key_longest.total > 0 and rates.keyed_true.total > 0
    assert cue_problems(specs) == [], rates.summary()

