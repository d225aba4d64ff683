"""The question bank checker: one malformed case per rule, each message naming file, place and problem."""
from pathlib import Path

import pytest

from app.quiz.bank import load_bank, load_banks

IDS = {"policy.accuracy", "handling.emergency"}
COURSES = {"onboarding-policy": {"02-residence-permit-and-hukou"}}

GOOD = """id: demo
title: 示例题库
course: onboarding-policy
questions:
  - id: q-001
    type: single
    text: 居民问"办居住证要什么条件",网格员最恰当的做法是?
    options:
      - text: 凭印象回答
      - text: 按条例讲清基本条件
        correct: true
      - text: 让居民自己上网查
    indicators: [policy.accuracy]
    difficulty: 1
    explanation: 先讲清基本条件,再转介。
    source: onboarding-policy/02-residence-permit-and-hukou

  - id: q-002
    type: truefalse
    text: 网格员可以承诺低保一定能批下来。
    answer: false
    indicators: [policy.accuracy]
    difficulty: 2
    explanation: 低保由民政部门审核确认。

  - id: q-003
    type: fill
    text: 发生火灾应拨打火警电话____。
    answers: ["119"]
    indicators: [handling.emergency]
    difficulty: 1
    explanation: 火警119。

  - id: q-004
    type: multiple
    text: 哪些做法正确?
    options:
      - {id: calm, text: 保持冷静, correct: true}
      - {id: run, text: 乘电梯逃生}
      - {id: low, text: 低姿撤离, correct: true}
    indicators: [handling.emergency, policy.accuracy]
    difficulty: 3
    explanation: 火灾时不要乘电梯。
"""


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    folder = tmp_path / "questions"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path, text):
    write(tmp_path, text)
    banks, problems = load_banks(tmp_path / "questions", IDS, COURSES)
    return banks, problems


def test_good_bank_loads(tmp_path):
    banks, problems = problems_for(tmp_path, GOOD)
    assert problems == []
    (bank,) = banks
    assert (bank.id, bank.title, bank.course, bank.file) == ("demo", "示例题库", "onboarding-policy",
                                                             "questions/demo.yaml")
    assert [q.type_name for q in bank.questions] == ["single", "truefalse", "fill", "multiple"]
    assert bank.question("q-004").option_ids == ("calm", "run", "low")
    assert bank.question("q-001").bank_id == "demo"
    assert all(len(q.content_hash) == 64 for q in bank.questions) and len(bank.content_hash) == 64
    with pytest.raises(KeyError):
        bank.question("q-999")


def test_hash_ignores_formatting_but_not_content(tmp_path):
    (bank,), _ = problems_for(tmp_path, GOOD)
    reformatted = GOOD.replace("indicators: [handling.emergency]", "indicators:\n      - handling.emergency")
    (same,), _ = problems_for(tmp_path, reformatted)
    assert [q.content_hash for q in same.questions] == [q.content_hash for q in bank.questions]
    (edited,), _ = problems_for(tmp_path, GOOD.replace('answers: ["119"]', 'answers: ["119", "幺幺九"]'))
    assert edited.question("q-003").content_hash != bank.question("q-003").content_hash
    assert edited.question("q-001").content_hash == bank.question("q-001").content_hash
    assert edited.content_hash != bank.content_hash


F = "questions/demo.yaml"


@pytest.mark.parametrize("change, expected", [
    # bank level
    (("id: demo", "id: other"), f"{F}: id: 'other' must equal the file name 'demo'"),
    (("id: demo", "id: Demo_1"), f"{F}: id: 'Demo_1' may only use lowercase letters, digits and hyphens"),
    (("title: 示例题库\n", ""), f"{F}: title: required text is missing"),
    (("course: onboarding-policy", "course: nope"), f"{F}: course: unknown course id 'nope'"),
    (("title: 示例题库", "title: 示例题库\nowner: me"), f"{F}: owner: unknown field"),
    # question ids and types
    (("id: q-002", "id: q-001"), f"{F}: questions[1].id: duplicate question id 'q-001' (also questions[0])"),
    (("id: q-002", "id: Q2"), f"{F}: questions[1].id: 'Q2' may only use lowercase letters, digits and hyphens"),
    (("type: truefalse", "type: essay"),
     f"{F}: questions[1].type: unknown question type 'essay' (use single, multiple, truefalse, fill)"),
    (("    type: truefalse\n", ""), f"{F}: questions[1].type: required: one of single, multiple, truefalse, fill"),
    # unknown fields
    (("    difficulty: 2\n", "    difficulty: 2\n    hint: 想想看\n"), f"{F}: questions[1].hint: unknown field"),
    (("    answers: [\"119\"]\n", "    answers: [\"119\"]\n    answer: true\n"),
     f"{F}: questions[2].answer: unknown field for a fill question (used by truefalse)"),
    (("      - text: 凭印象回答\n", "      - text: 凭印象回答\n        why: 错\n"),
     f"{F}: questions[0].options[0].why: unknown field"),
    # common fields
    (("indicators: [handling.emergency]", "indicators: [handling.nope]"),
     f"{F}: questions[2].indicators[0]: unknown indicator id 'handling.nope'"),
    (("indicators: [handling.emergency]", "indicators: []"),
     f"{F}: questions[2].indicators: must be a non-empty list of competency indicator ids"),
    (("difficulty: 2", "difficulty: 4"),
     f"{F}: questions[1].difficulty: must be 1 (easy), 2 (medium) or 3 (hard), not 4"),
    (("    difficulty: 2\n", ""), f"{F}: questions[1].difficulty: required: 1 (easy), 2 (medium) or 3 (hard)"),
    (("    explanation: 火警119。\n", ""),
     f"{F}: questions[2].explanation: required text is missing (shown after answering)"),
    (("    text: 网格员可以承诺低保一定能批下来。\n", ""), f"{F}: questions[1].text: required text is missing"),
    (("source: onboarding-policy/02", "source: annual-nope/02"),
     f"{F}: questions[0].source: unknown course id 'annual-nope'"),
    (("source: onboarding-policy/02-residence-permit-and-hukou", "source: onboarding-policy/09-none"),
     f"{F}: questions[0].source: course 'onboarding-policy' has no lesson '09-none'"),
    (("source: onboarding-policy/02-residence-permit-and-hukou", "source: 第二课"),
     f"{F}: questions[0].source: '第二课' must be a course id or course-id/lesson"),
    # per type
    (("      - text: 凭印象回答\n", "      - text: 凭印象回答\n        correct: true\n"),
     f"{F}: questions[0].options: a single-choice question needs exactly one option with correct: true (found 2)"),
    (("{id: low, text: 低姿撤离, correct: true}", "{id: low, text: 低姿撤离}"),
     f"{F}: questions[3].options: a multiple-choice question needs at least two options with correct: true (found 1)"),
    (("{id: run, text: 乘电梯逃生}", "{id: calm, text: 乘电梯逃生}"),
     f"{F}: questions[3].options[1].id: duplicate option id 'calm' (also options[0])"),
    (("      - text: 凭印象回答\n      - text: 按条例讲清基本条件\n        correct: true\n      - text: 让居民自己上网查\n",
      "      - text: 按条例讲清基本条件\n        correct: true\n"), f"{F}: questions[0].options: has 1 option; use 2 to 8"),
    (("      - text: 让居民自己上网查\n", "".join(f"      - text: 选项{i}\n" for i in range(7))),
     f"{F}: questions[0].options: has 9 options; use 2 to 8"),
    (("      - text: 让居民自己上网查\n", "      - text: 110\n"),
     f"{F}: questions[0].options[2].text: must be text, not 110 (put quotes around numbers"),
    (("answer: false", "answer: \"false\""),
     f"{F}: questions[1].answer: must be true or false (without quotes), not 'false'"),
    (('answers: ["119"]', "answers: []"), f"{F}: questions[2].answers: must be a non-empty list of accepted answers"),
    (('answers: ["119"]', 'answers: ["119", "１１９"]'),
     f"{F}: questions[2].answers[1]: same as answers[0] once case, spaces and full-width forms are ignored"),
    # YAML itself
    (("    difficulty: 2\n", "    difficulty: 2\n    difficulty: 3\n"),
     f"{F}: line 24: YAML error: duplicate key 'difficulty' (first at line 23)"),
    (("title: 示例题库", "title: [示例题库"), f"{F}: line 3: YAML error"),
])
def test_each_rule_names_file_place_and_problem(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    banks, problems = problems_for(tmp_path, GOOD.replace(old, new, 1))
    assert banks == []
    assert any(p.startswith(expected) for p in problems), problems


def test_questions_list_required(tmp_path):
    _, problems = problems_for(tmp_path, "id: demo\ntitle: 空\nquestions: []\n")
    assert problems == [f"{F}: questions: must be a non-empty list of questions"]


def test_not_a_mapping(tmp_path):
    _, problems = problems_for(tmp_path, "- just\n- a list\n")
    assert problems == [f"{F}: must be a mapping of fields (id, title, questions)"]


def test_course_ids_optional(tmp_path):
    path = write(tmp_path, GOOD.replace("course: onboarding-policy", "course: not-yet-written"))
    bank, problems = load_bank(path, IDS)
    assert problems == [] and bank.course == "not-yet-written"


def test_folder_rules(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("id: demo", "id: extra"), name="extra.yml")
    write(tmp_path, "# 题库说明\n", name="README.md")
    banks, problems = load_banks(tmp_path / "questions", IDS, COURSES)
    assert [b.id for b in banks] == ["demo"]
    assert problems == ["questions/extra.yml: bank files end in .yaml; rename it to extra.yaml"]
    assert load_banks(tmp_path / "missing", IDS) == ([], [f"{tmp_path / 'missing'}: question bank folder not found"])
