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



def test_content_check_fails_when_the_bank_drifts_into_cues(tmp_path, runner, app):
    """A bank whose keys are all first, longest and 'false' fails `flask content check` (so sync refuses it)."""
    import shutil

    questions = tmp_path / "questions"
    shutil.copytree(ROOT / "questions", questions)
    cued = ["id: cued\ntitle: 有提示的题库\ncourse: onboarding-governance\nquestions:"]
    for n in range(150):
        cued.append(f"""  - id: cue-{n:03d}
    type: single
    text: 第{n}题：网格员遇到这种情况应当怎么做？
    options:
      - text: 先了解情况，按规定及时上报，并做好记录和后续跟进工作
        correct: true
      - text: 不管
      - text: 等等
      - text: 走开
    indicators: [handling.detection]
    difficulty: 1
    explanation: 说明。
    source: onboarding-governance/01-grid-and-duties""")
    for n in range(60):
        cued.append(f"""  - id: tf-{n:03d}
    type: truefalse
    text: 第{n}个说法。
    answer: false
    indicators: [handling.detection]
    difficulty: 1
    explanation: 说明。
    source: onboarding-governance/01-grid-and-duties""")
    (questions / "cued.yaml").write_text("\n".join(cued) + "\n", encoding="utf-8")
    app.config["QUESTIONS_DIR"], saved = str(questions), app.config["QUESTIONS_DIR"]
    try:
        result = runner.invoke(args=["content", "check"])
    finally:
        app.config["QUESTIONS_DIR"] = saved
    assert result.exit_code == 1
    assert "key is the uniquely longest option in 52.7%" in result.output and "cue-0" in result.output
    assert "key is the first option" in result.output
    assert "true/false questions keyed true: 31.6%" in result.output
