"""The knowledge files' checker: good entries load; each problem names file, field and what is wrong;
the shipped knowledge/ folder passes."""
from pathlib import Path

import pytest

from app.kb.checker import load_knowledge

ROOT = Path(__file__).resolve().parents[2]
IDS = {"policy.accuracy", "handling.emergency", "comm.residents"}
LESSONS = {"onboarding-policy/03-subsistence-and-social-assistance"}
DRILLS = {"gas-leak"}

FAQ = """entries:
  - id: dibao-apply
    question: 低保怎么申请？
    phrasings: [家里困难能不能吃低保]
    answer: |
      向户籍所在地的街道办事处提出书面申请。
    category: policy
    indicators: [policy.accuracy]
    laws: [社会救助暂行办法]
    local_rules: true
    lessons: [onboarding-policy/03-subsistence-and-social-assistance]
"""

CASE = """id: gas-night
title: 深夜闻到燃气味
category: emergency
tags: [燃气, 夜间]
indicators: [handling.emergency]
description: 晚上十点闻到燃气味。
handling: 敲门叫人，开窗通风，室外报警。
lessons_learned: 不产生火花。
feedback: 居民道谢。
drills: [gas-leak]
"""


def build(tmp_path, faq=FAQ, cases=None, name="policy.yaml"):
    root = tmp_path / "knowledge"
    (root / "faq").mkdir(parents=True)
    (root / "cases").mkdir()
    if faq is not None:
        (root / "faq" / name).write_text(faq, encoding="utf-8")
    for stem, text in (cases if cases is not None else {"gas-night": CASE}).items():
        (root / "cases" / f"{stem}.yaml").write_text(text, encoding="utf-8")
    return load_knowledge(root, IDS, LESSONS, DRILLS)


def test_good_files_load(tmp_path):
    knowledge, errors = build(tmp_path)
    assert errors == []
    (faq,), (case,) = knowledge.faq, knowledge.cases
    assert faq.slug == "dibao-apply" and faq.local_rules and faq.laws == ["社会救助暂行办法"]
    assert faq.phrasings == ["家里困难能不能吃低保"] and faq.content_hash
    assert case.slug == "gas-night" and case.parts["handling"].startswith("敲门") and case.drills == ["gas-leak"]
    assert knowledge.content_hash


def test_same_files_same_hash_and_a_change_changes_it(tmp_path):
    first, _ = build(tmp_path / "a")
    second, _ = build(tmp_path / "b")
    third, _ = build(tmp_path / "c", faq=FAQ.replace("书面申请", "申请"))
    assert first.content_hash == second.content_hash != third.content_hash
    assert first.faq[0].content_hash == second.faq[0].content_hash != third.faq[0].content_hash


@pytest.mark.parametrize("change, message", [
    (("question: 低保怎么申请？", "question: ''"), "knowledge/faq/policy.yaml: entries[0].question: required text is missing"),
    (("category: policy", "category: money"), "knowledge/faq/policy.yaml: entries[0].category: unknown category 'money'"),
    (("indicators: [policy.accuracy]", "indicators: [policy.speed]"),
     "knowledge/faq/policy.yaml: entries[0].indicators[0]: unknown indicator id 'policy.speed'"),
    (("indicators: [policy.accuracy]", "indicators: []"), "entries[0].indicators: list at least one indicator id"),
    (("    indicators: [policy.accuracy]\n", ""), "entries[0].indicators: required"),
    (("id: dibao-apply", "id: Dibao_Apply"), "entries[0].id: 'Dibao_Apply' may only use lowercase"),
    (("id: dibao-apply", "id: field-1"), "entries[0].id: ids starting with 'field-' are reserved"),
    (("local_rules: true", "local_rules: 是"), "entries[0].local_rules: must be true or false"),
    (("phrasings: [家里困难能不能吃低保]", "phrasings: [低保怎么申请？]"), "entries[0].phrasings[0]: repeats the question"),
    (("phrasings: [家里困难能不能吃低保]", "phrasings: 家里困难"), "entries[0].phrasings: must be a list of texts"),
    (("lessons: [onboarding-policy/03-subsistence-and-social-assistance]", "lessons: [onboarding-policy/99-none]"),
     "entries[0].lessons[0]: unknown lesson (course-id/lesson) 'onboarding-policy/99-none'"),
    (("    local_rules: true\n", "    local_rules: true\n    drills: [no-such-drill]\n"),
     "entries[0].drills[0]: unknown drill id 'no-such-drill'"),
    (("    local_rules: true\n", "    local_rules: true\n    source: 手册\n"), "entries[0].source: unknown field"),
])
def test_faq_problems_name_file_field_and_problem(tmp_path, change, message):
    old, new = change
    assert old in FAQ
    knowledge, errors = build(tmp_path, faq=FAQ.replace(old, new))
    assert any(message in e for e in errors), errors
    assert knowledge.faq == []


def test_a_local_figure_without_a_law_is_refused(tmp_path):
    text = FAQ.replace("向户籍所在地", "每月补助500元，向户籍所在地").replace("    laws: [社会救助暂行办法]\n", "")
    _knowledge, errors = build(tmp_path, faq=text)
    assert any("entries[0].answer: states an amount of money ('500元')" in e for e in errors), errors
    assert build(tmp_path / "with-law", faq=FAQ.replace("向户籍所在地", "每月补助500元，向户籍所在地"))[1] == []


@pytest.mark.parametrize("change, message", [
    (("id: gas-night", "id: gas-at-night"), "knowledge/cases/gas-night.yaml: id: 'gas-at-night' must equal the file name"),
    (("handling: 敲门叫人，开窗通风，室外报警。\n", ""), "knowledge/cases/gas-night.yaml: handling: required text is missing"),
    (("feedback: 居民道谢。", "feedback: [居民道谢]"), "knowledge/cases/gas-night.yaml: feedback: must be text"),
    (("tags: [燃气, 夜间]", "tags: [燃气, 燃气]"), "tags[1]: '燃气' is listed twice"),
    (("category: emergency", "category: 应急"), "category: unknown category '应急'"),
    (("drills: [gas-leak]", "drills: [Gas Leak]"), "drills[0]: 'Gas Leak' is not a drill id"),
])
def test_case_problems_name_file_field_and_problem(tmp_path, change, message):
    old, new = change
    knowledge, errors = build(tmp_path, cases={"gas-night": CASE.replace(old, new)})
    assert any(message in e for e in errors), errors
    assert knowledge.cases == []


def test_yaml_errors_and_duplicate_keys_name_the_line(tmp_path):
    _k, errors = build(tmp_path, faq="entries:\n  - id: [broken\n")
    assert errors and errors[0].startswith("knowledge/faq/policy.yaml: line ") and "YAML error" in errors[0]
    _k, errors = build(tmp_path / "dup", faq=FAQ + "    question: 又一个\n")
    assert any("duplicate key 'question'" in e and "line" in e for e in errors), errors


def test_duplicate_ids_across_files_and_kinds(tmp_path):
    second = FAQ.replace("id: dibao-apply", "id: gas-night")
    root = tmp_path / "knowledge"
    build(tmp_path, faq=FAQ)
    (root / "faq" / "more.yaml").write_text(FAQ + second.split("entries:\n", 1)[1], encoding="utf-8")
    knowledge, errors = load_knowledge(root, IDS, LESSONS, DRILLS)
    assert any("knowledge/faq/policy.yaml: entries[0].id: duplicate id 'dibao-apply' (also in knowledge/faq/more.yaml)"
               in e for e in errors), errors   # files are read in name order
    assert any("knowledge/cases/gas-night.yaml: id: duplicate id 'gas-night'" in e for e in errors), errors


def test_file_shape_problems(tmp_path):
    _k, errors = build(tmp_path, faq="entries: []\n")
    assert errors == ["knowledge/faq/policy.yaml: entries: must be a non-empty list of FAQ entries"]
    _k, errors = build(tmp_path / "b", faq=FAQ + "title: 政策\n")
    assert "knowledge/faq/policy.yaml: title: unknown field" in errors
    _k, errors = build(tmp_path / "c", faq="entries:\n  - 低保怎么申请\n")
    assert errors == ["knowledge/faq/policy.yaml: entries[0]: must be a mapping of fields (id, question, answer, ...)"]
    (tmp_path / "d" / "knowledge" / "drafts").mkdir(parents=True)
    _k, errors = load_knowledge(tmp_path / "d" / "knowledge", IDS)
    assert errors == ["knowledge/drafts: unknown folder (use faq/ and cases/)"]


def test_missing_folder_is_no_knowledge(tmp_path):
    knowledge, errors = load_knowledge(tmp_path / "none", IDS)
    assert errors == [] and knowledge.faq == [] and knowledge.cases == []


def test_shipped_knowledge_passes():
    from app.content.courses import load_competency_model, load_courses

    indicators, _errors = load_competency_model(ROOT / "courses")
    courses, _errors = load_courses(ROOT / "courses", {i.id for i in indicators})
    lessons = {f"{c.slug}/{lesson.slug}" for c in courses for lesson in c.lessons}
    drills = {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    knowledge, errors = load_knowledge(ROOT / "knowledge", {i.id for i in indicators}, lessons, drills)
    assert errors == []
    assert len(knowledge.faq) >= 10 and len(knowledge.cases) >= 5
