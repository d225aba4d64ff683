"""Law currency through `flask content check` (issue 12, Deliver 5): a lesson and a question that cite a
superseded revision make the check fail, naming the file, the item, the law cited and what replaced it,
and list what must be revised; sync refuses such content. The shipped content cites only current texts."""
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LESSON = ("courses/topical-civilized-city/course.yaml: lessons[1].cites[2]: lesson 02-persuasion cites 'zhian-chufa-2012' "
          "(中华人民共和国治安管理处罚法, 2005年通过，2012年修正), superseded by 'zhian-chufa-2025' (2025年修订, in force "
          "2026-01-01): revise this content against the current text and cite 'zhian-chufa-2025'")
QUESTION_PLACE = "questions/civilized-city.yaml: questions[17].cites[0]: question cc-018 cites 'zhian-chufa-2012'"


@pytest.fixture
def tree(app, tmp_path):
    """A private copy of courses/, questions/ and scenarios/ (no knowledge/) the test may change."""
    for name in ("courses", "questions", "scenarios"):
        shutil.copytree(ROOT / name, tmp_path / name)
    keys = ("CONTENT_DIR", "QUESTIONS_DIR", "SCENARIOS_DIR", "KNOWLEDGE_DIR")
    old = {key: app.config.get(key) for key in keys}
    app.config.update(CONTENT_DIR=str(tmp_path / "courses"), QUESTIONS_DIR=str(tmp_path / "questions"),
                      SCENARIOS_DIR=str(tmp_path / "scenarios"), KNOWLEDGE_DIR=str(tmp_path / "knowledge"))
    yield tmp_path
    app.config.update(old)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_shipped_content_cites_current_law(runner, tree):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert re.search(r"OK: law register: \d+ texts \(\d+ superseded\), \d+ citations, none of a superseded text",
                     result.output)


def test_a_lesson_and_a_question_citing_a_superseded_law_fail_the_check(runner, tree):
    edit(tree / "courses" / "topical-civilized-city" / "course.yaml",
         "cites: [dongwu-fangyi-2021, minfadian-2020, zhian-chufa-2025,", "cites: [dongwu-fangyi-2021, minfadian-2020, zhian-chufa-2012,")
    bank = tree / "questions" / "civilized-city.yaml"
    text = bank.read_text(encoding="utf-8")
    start = text.index("  - id: cc-018\n")
    end = text.index("  - id: ", start + 1)
    block = text[start:end]
    assert "    cites: [zhian-chufa-2025, xingfa-1997]\n" in block
    bank.write_text(text[:start] + block.replace("cites: [zhian-chufa-2025,", "cites: [zhian-chufa-2012,") + text[end:],
                    encoding="utf-8")

    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert LESSON in lines
    question = next(line for line in lines if line.startswith(QUESTION_PLACE))
    assert "superseded by 'zhian-chufa-2025' (2025年修订, in force 2026-01-01)" in question
    assert "revise this content" in question
    assert "2 item(s) cite a superseded law; revise them against the current text:" in lines
    assert ("  revise: courses/topical-civilized-city/course.yaml: lessons[1] (lesson 02-persuasion): zhian-chufa-2012 "
            "→ zhian-chufa-2025 (中华人民共和国治安管理处罚法, 2025年修订, in force 2026-01-01)") in lines
    assert ("  revise: questions/civilized-city.yaml: questions[17] (question cc-018): zhian-chufa-2012 → "
            "zhian-chufa-2025 (中华人民共和国治安管理处罚法, 2025年修订, in force 2026-01-01)") in lines
    assert "2 problem(s) found; nothing was loaded." in lines

    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1 and LESSON in result.output.splitlines()


def test_unknown_ids_uncited_laws_and_laws_missing_from_the_register_fail_the_check(runner, tree):
    edit(tree / "courses" / "onboarding-policy" / "course.yaml", "cites: [juzhuzheng-2015]", "cites: []")
    edit(tree / "scenarios" / "noise-complaint.yaml", "cites: [zaosheng-2021]", "cites: [zaosheng-2020]")
    edit(tree / "questions" / "policy-basics.yaml", "text: 按《居住证暂行条例》，公民离开常住户口所在地",
         "text: 按《中华人民共和国户口登记条例》和《居住证暂行条例》，公民离开常住户口所在地")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("courses/onboarding-policy/lessons/02-residence-permit-and-hukou.md: line 5: names 《居住证暂行条例》 but "
            "lesson 02-residence-permit-and-hukou does not cite it: add 'juzhuzheng-2015' to lessons[1].cites in "
            "courses/onboarding-policy/course.yaml (named in 2 more places)") in lines
    assert ("scenarios/noise-complaint.yaml: cites[0]: drill noise-complaint cites unknown law id 'zaosheng-2020' "
            "(not in courses/law-register.yaml)") in lines
    assert any(line.startswith("questions/policy-basics.yaml: questions[") and
               "names 《中华人民共和国户口登记条例》, which the law register (courses/law-register.yaml) lacks" in line
               for line in lines), lines
