"""Moodle's own fixtures (tests/fixtures/moodle/, GPL v3 or later, see its README) import as Moodle
imports them: for each question type the app has, the same question, key, weights (Moodle's
``fraction``, here in percent) and per-answer feedback that Moodle's giftformat_test.php and
aikenformat_test.php assert; the other types reported once each with their line."""
from pathlib import Path

import pytest

from app.quiz.aiken import parse_aiken
from app.quiz.gift import parse_gift
from app.quiz.questions import ImportDefaults, build_question

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "moodle"
DEFAULTS = ImportDefaults(indicators=("policy.learning",))


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def gift_fixture():
    result = parse_gift(fixture("questions.gift.txt"), DEFAULTS)
    return result, {q.spec["id"]: q.spec for q in result.questions}


def fractions(spec):
    """Moodle's ``fraction`` of each answer (1 = 100 %), as the app grades the answer alone."""
    question = build_question(spec)
    if spec["type"] == "single":
        return [question.grade(i) for i in question.option_ids]
    return [o.weight / 100 if o.weight is not None else (1 if o.correct else 0) for o in question.options]


def test_import_multichoice(gift_fixture):
    """giftformat_test::test_import_multichoice: single, answers yellow/red/blue, fraction (1, 0, 0),
    feedback 'right; good!' / "wrong, it's yellow" ([html]) / "wrong, it's yellow"; 'blue' was [plain]."""
    spec = gift_fixture[1]["q2"]
    assert spec["type"] == "single" and spec["text"] == "What's between orange and green in the spectrum?"
    assert [o["text"] for o in spec["options"]] == ["yellow", "red", "blue"]
    assert fractions(spec) == [1, 0, 0]
    assert [o["feedback"] for o in spec["options"]] == ["right; good!", "wrong, it's yellow", "wrong, it's yellow"]
    question = build_question(spec)
    assert question.feedback_for("b") == [("red", "wrong, it's yellow")] and question.feedback_for("a") == [
        ("yellow", "right; good!")]


def test_import_multichoice_multi(gift_fixture):
    """test_import_multichoice_multi: single 0, fraction (0.5, -1, 0.5, -1), feedback per answer."""
    spec = gift_fixture[1]["colours"]
    assert spec["type"] == "multiple"
    assert [o["text"] for o in spec["options"]] == ["yellow", "red", "off-beige", "blue"]
    assert fractions(spec) == [0.5, -1, 0.5, -1]
    assert [o["feedback"] for o in spec["options"]] == ["right; good!", "wrong", "right; good!", "wrong"]
    question = build_question(spec)
    assert question.grade(["a", "c"]) == 1.0 and question.grade(["a", "b"]) == 0.0  # sum, capped to 0..1
    assert question.grade(["a"]) == 0.5 and question.grade(["a", "b", "c", "d"]) == 0.0


def test_import_multichoice_multi_tricky():
    """test_import_multichoice_multi_tricky: one ~%100% answer and negative ones stay multiple answer."""
    result = parse_gift("::colours:: What's between orange and green in the spectrum?\n{\n"
                        "    ~%100%yellow # right; good!\n    ~%-50%red # wrong\n    ~%-50%blue # wrong\n}", DEFAULTS)
    (spec,) = [q.spec for q in result.questions]
    assert spec["type"] == "multiple" and fractions(spec) == [1, -0.5, -0.5]
    assert [o["feedback"] for o in spec["options"]] == ["right; good!", "wrong", "wrong"]


def test_import_shortanswer(gift_fixture):
    """test_import_shortanswer: answers Frog, Cat, *; fraction (1, 0.5, 0); feedback per answer."""
    spec = gift_fixture[1]["shortanswer"]
    question = build_question(spec)
    assert spec["type"] == "fill" and question.answers == ("Frog", "Cat", "*")
    assert [question.weight_of(i) / 100 for i in range(3)] == [1, 0.5, 0]
    assert question.feedbacks == ("Good!", "What is it with Moodlers and cats?", "Completely wrong")
    assert question.grade("Cat") == 0.5 and question.feedback_for("Cat") == [
        ("Cat", "What is it with Moodlers and cats?")]


def test_import_shortanswer_with_general_feedback():
    """test_import_shortanswer_with_general_feedback: '####[html]Here is some general feedback!'."""
    result = parse_gift("::Shortanswer::Which is the best animal?{\n    =Frog#Good!\n"
                        "    =%50%Cat#What is it with Moodlers and cats?\n    =%0%*#Completely wrong\n"
                        "    ####[html]Here is some general feedback!\n}", DEFAULTS)
    assert result.questions[0].spec["explanation"] == "Here is some general feedback!"


def test_import_truefalse(gift_fixture):
    """test_import_truefalse: correctanswer 0, feedbacktrue '42 is the Ultimate Answer.', feedbackfalse
    'You gave the right answer.'; the fixture adds a general feedback (and Moodle's stray '";' after the
    block, which makes Moodle insert its blank)."""
    spec = gift_fixture[1]["q1"]
    assert spec["answer"] is False
    assert (spec["feedback_true"], spec["feedback_false"]) == ("42 is the Ultimate Answer.", "You gave the right answer.")
    assert spec["explanation"] == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert spec["text"] == '42 is the Absolute Answer to everything._____";'


def test_import_truefalse_true_answers(gift_fixture):
    """test_import_truefalse_true_answer1/2: {T} and {TRUE} under the name '2-08 TSL' (the same
    question twice: imported once, the second named as a duplicate)."""
    result, by_id = gift_fixture
    assert by_id["2-08-tsl"]["answer"] is True and by_id["2-08-tsl"]["text"] == "TSL is blablabla."
    assert [(i.line, i.key) for i in result.duplicates] == [(49, "duplicate")]


def test_unsupported_types_are_reported_once_each_with_their_line(gift_fixture):
    """Essay (test_import_essay), matching (test_import_match) and numerical (test_import_numerical)."""
    result = gift_fixture[0]
    assert result.unsupported == {"essay": [2], "matching": [6], "numerical": [31]}
    assert result.read == 9 and result.refused == [] and len(result.questions) == 5


def test_questions_in_category():
    result = parse_gift(fixture("questions_in_category.gift.txt"), DEFAULTS)
    by_id = {q.spec["id"]: q.spec for q in result.questions}
    assert result.read == 4 and result.unsupported == {"matching": [6]}
    assert sorted(by_id) == ["greeting", "moodle-acronym", "moodle-user"]
    greeting = by_id["greeting"]
    assert greeting["text"].startswith("[Listen to this greeting:](http://demo.moodle.net/file.php/5/media/bonjour.mp3)")
    assert greeting["text"].endswith("What language is being spoken?")
    assert [o.get("correct", False) for o in greeting["options"]] == [False, True, False, False]
    assert greeting["options"][1]["feedback"] == "Yes, well done!"
    assert by_id["moodle-user"]["answers"] == ["Moodler"]
    assert by_id["moodle-acronym"]["answer"] is True
    assert by_id["moodle-acronym"]["text"] == (
        "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment.")


def test_examples_file():
    """question/format/gift/examples.txt: 43 questions; every multiple choice, true/false and short
    answer imports (24 distinct, 8 repeats of earlier ones), 3 matching and 8 numerical reported."""
    result = parse_gift(fixture("examples.txt"), DEFAULTS)
    assert result.read == 43 and result.refused == []
    assert len(result.questions) == 24 and len(result.duplicates) == 8
    assert result.unsupported == {"numerical": [16, 70, 72, 74, 76, 85, 175, 203], "matching": [56, 62, 178]}
    by_id = {q.spec["id"]: q.spec for q in result.questions}
    jesus = build_question(by_id["jesus-hometown"])
    assert [jesus.grade(i) for i in jesus.option_ids] == [0, 0.25, 0.5, 1]
    short = build_question(by_id["jesus-hometown-short-answer-ex"])
    assert [short.grade(a) for a in ("Nazareth", "nazereth", "Bethlehem", "Rome")] == [1, 0.75, 0.25, 0]
    control = by_id["gift-control-characters"]
    assert [build_question(control).options[i].text for i in range(6)] == ["~", "=", r"\#", "{", "}", "\\\\"]
    assert all(q.spec["explanation"] for q in result.questions)


def test_aiken_questions_fixture():
    """questions.aiken.txt: two single-choice questions, the HTML in the second shown as text."""
    result = parse_aiken(fixture("questions.aiken.txt"), DEFAULTS)
    first, second = (q.spec for q in result.questions)
    assert first["text"] == "The Moodle project was started by:"
    assert [o.get("correct", False) for o in first["options"]] == [False, True, False, False]
    assert second["text"] == "Moodle's abilities include handling user input that includes \\<html class=\"cool\"\\> & images:"
    assert [o["text"] for o in second["options"]] == ["True", "False"] and second["options"][0]["correct"]


def test_aiken_errors_fixture():
    """aikenformat_test::test_readquestions: 2 questions ('A good question', 'A second good question');
    errors for too few answers on line 3, question not started on lines 5 and 7, and the question
    not completed before the next one started on line 18."""
    result = parse_aiken(fixture("aiken_errors.txt"), DEFAULTS)
    q1, q2 = (q.spec for q in result.questions)
    assert (q1["text"], q2["text"]) == ("A good question", "A second good question")
    assert [o["text"] for o in q1["options"]] == ["Correct", "Incorrect"] and q1["options"][0]["correct"]
    assert [o["text"] for o in q2["options"]] == ["Incorrect (No space)", "Correct (No space)"]
    assert q2["options"][1]["correct"]
    assert [(i.line, i.key, i.params) for i in result.refused] == [
        (3, "aiken_few", {}), (5, "aiken_no_question", {}), (7, "aiken_no_question", {}),
        (14, "aiken_unfinished", {"next": 18})]
