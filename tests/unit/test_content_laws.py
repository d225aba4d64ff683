"""The law register and citations by id (app.content.laws, pure): the register's own checks, unknown and
superseded ids, laws named but not cited or missing from the register, amounts of money without a
source; the formats that carry ``cites``; the shipped register."""
import datetime as dt
from pathlib import Path

import pytest
import yaml

from app.content.laws import (
    Citing,
    Text,
    check_citations,
    cites_problems,
    load_register,
    normalise_name,
    parse_register,
    reads_as_law,
)

ROOT = Path(__file__).resolve().parents[2]

REGISTER = """laws:
  - id: zhian-chufa-2012
    name: 中华人民共和国治安管理处罚法
    kind: law
    revision: 2005年通过，2012年修正
    adopted: 2012-10-26
    in_force: 2013-01-01
    superseded_by: zhian-chufa-2025
  - id: zhian-chufa-2025
    name: 中华人民共和国治安管理处罚法
    kind: law
    revision: 2025年修订
    adopted: 2025-06-27
    in_force: 2026-01-01
  - id: xingfa-1997
    name: 中华人民共和国刑法
    kind: law
    revision: 1997年修订，含其后历次刑法修正案
    aliases: [刑法修正案]
  - id: huanjing-zaosheng-2018
    name: 中华人民共和国环境噪声污染防治法
    kind: law
    revision: 2018年修正
    superseded_by: zaosheng-2021
  - id: zaosheng-2021
    name: 中华人民共和国噪声污染防治法
    kind: law
    revision: 2021年通过
    adopted: 2021-12-24
    in_force: 2022-06-05
  - id: juzhuzheng-2015
    name: 居住证暂行条例
    kind: regulation
    revision: 2015年公布
    adopted: "2015-11-26"
    in_force: 2016-01-01
"""


def register(text=REGISTER):
    reg, problems = parse_register(yaml.safe_load(text), "courses/law-register.yaml")
    assert problems == []
    return reg


def lesson(body, cites=(), place="lessons[1]"):
    return Citing("courses/x/course.yaml", place, "lesson 02-persuasion", tuple(cites),
                  (Text("courses/x/lessons/02-persuasion.md", "", body, line_numbers=True),))


def question(text, cites=(), explanation="说明。"):
    return Citing("questions/x.yaml", "questions[3]", "question cc-018", tuple(cites),
                  (Text("questions/x.yaml", "questions[3].text", text),
                   Text("questions/x.yaml", "questions[3].explanation", explanation)))


def check(*items, reg=None):
    return check_citations(items, reg or register())


# -- the register --------------------------------------------------------------------------------

def test_register_loads_dates_and_chains():
    reg = register()
    old, new = reg["zhian-chufa-2012"], reg["zhian-chufa-2025"]
    assert new.adopted == dt.date(2025, 6, 27) and new.in_force == dt.date(2026, 1, 1) and new.current
    assert not old.current and reg.replacement(old) is new and reg.current_of(old) is new
    assert reg["juzhuzheng-2015"].adopted == dt.date(2015, 11, 26)  # a quoted date is a date too
    assert reg["xingfa-1997"].adopted is None  # dates may be left out
    assert {law.id for law in reg.named("《治安管理处罚法》")} == {"zhian-chufa-2012", "zhian-chufa-2025"}
    assert [law.id for law in reg.named("中华人民共和国刑法修正案（十一）")] == ["xingfa-1997"]


@pytest.mark.parametrize("change, message", [
    (("    kind: regulation\n", "    kind: regulation\n    issuer: 国务院\n"), "laws[5].issuer: unknown field"),
    (("id: juzhuzheng-2015", "id: Juzhuzheng_2015"), "laws[5].id: 'Juzhuzheng_2015' must be lowercase"),
    (("id: juzhuzheng-2015", "id: xingfa-1997"), "laws[5].id: duplicate law id 'xingfa-1997' (also laws[2])"),
    (("    name: 居住证暂行条例\n", ""), "laws[5].name: required text is missing"),
    (("name: 居住证暂行条例", "name: 《居住证暂行条例》"), "laws[5].name: write the name without 《》"),
    (("kind: regulation", "kind: decree"), "laws[5].kind: unknown kind 'decree'"),
    (("in_force: 2016-01-01", "in_force: 2016年1月1日"), "laws[5].in_force: must be a date written YYYY-MM-DD"),
    (("in_force: 2016-01-01", "in_force: 2015-01-01"), "laws[5].in_force: 2015-01-01 is before it was adopted"),
    (("superseded_by: zaosheng-2021", "superseded_by: zaosheng-2022"),
     "laws[3].superseded_by: unknown law id 'zaosheng-2022'"),
    (("superseded_by: zaosheng-2021", "superseded_by: huanjing-zaosheng-2018"),
     "laws[3].superseded_by: a law cannot replace itself"),
    (("adopted: 2012-10-26\n    in_force: 2013-01-01", "adopted: 2026-10-26\n    in_force: 2027-01-01"),
     "laws[0].superseded_by: 'zhian-chufa-2025' was adopted (2025-06-27) before the text it replaces (2026-10-26)"),
    (("    superseded_by: zhian-chufa-2025\n", ""),
     "'zhian-chufa-2025' and 'zhian-chufa-2012' both answer to '治安管理处罚法' and neither is superseded"),
])
def test_register_problems_name_file_entry_and_field(change, message):
    text = REGISTER.replace(*change)
    assert text != REGISTER
    _reg, problems = parse_register(yaml.safe_load(text), "courses/law-register.yaml")
    assert any(p.startswith("courses/law-register.yaml: ") and message in p for p in problems), problems


def test_register_loop_is_named():
    text = REGISTER.replace("    revision: 2021年通过\n", "    revision: 2021年通过\n    superseded_by: huanjing-zaosheng-2018\n")
    _reg, problems = parse_register(yaml.safe_load(text), "r.yaml")
    assert any("the chain of replacements from" in p and "loops" in p for p in problems), problems


def test_missing_register_is_empty_and_every_cite_unknown(tmp_path):
    reg, problems = load_register(tmp_path / "courses")
    assert problems == [] and len(reg) == 0
    errors, _ = check_citations([question("题目", ["zhian-chufa-2025"])], reg)
    assert errors == ["questions/x.yaml: questions[3].cites[0]: question cc-018 cites unknown law id "
                      "'zhian-chufa-2025' (not in courses/law-register.yaml)"]


def test_names_and_titles():
    assert normalise_name("《中华人民共和国 民法典》") == "民法典"
    assert reads_as_law("中华人民共和国刑法修正案（十一）") and reads_as_law("禁止传销条例")
    assert not reads_as_law("网格员职责清单") and not reads_as_law("中华人民共和国____")


@pytest.mark.parametrize("value, problem", [
    ("zhian-chufa-2025", ("cites", "must be a list of law ids")),
    (["ok-1", "Bad id"], ("cites[1]", "'Bad id' is not a law id")),
    (["ok-1", "ok-1"], ("cites[1]", "'ok-1' is listed twice")),
    ([3], ("cites[0]", "3 is not a law id")),
])
def test_cites_shape(value, problem):
    assert any(path == problem[0] and problem[1] in text for path, text in cites_problems(value))
    assert cites_problems(["zhian-chufa-2025", "xingfa-1997"]) == []


# -- citations -----------------------------------------------------------------------------------

def test_current_citation_that_names_its_law_passes():
    body = "# 劝导\n\n按照新修订的《中华人民共和国治安管理处罚法》，高空抛物没砸到人也要报警；情节严重的构成犯罪（《刑法修正案（十一）》）。\n"
    assert check(lesson(body, ["zhian-chufa-2025", "xingfa-1997"])) == ([], [])


def test_superseded_citation_names_item_law_and_replacement():
    errors, revisions = check(lesson("# 劝导\n\n《治安管理处罚法》规定……\n", ["zhian-chufa-2012"]),
                              question("按照《治安管理处罚法》……", ["zhian-chufa-2012"]))
    assert errors == [
        "courses/x/course.yaml: lessons[1].cites[0]: lesson 02-persuasion cites 'zhian-chufa-2012' "
        "(中华人民共和国治安管理处罚法, 2005年通过，2012年修正), superseded by 'zhian-chufa-2025' (2025年修订, "
        "in force 2026-01-01): revise this content against the current text and cite 'zhian-chufa-2025'",
        "questions/x.yaml: questions[3].cites[0]: question cc-018 cites 'zhian-chufa-2012' "
        "(中华人民共和国治安管理处罚法, 2005年通过，2012年修正), superseded by 'zhian-chufa-2025' (2025年修订, "
        "in force 2026-01-01): revise this content against the current text and cite 'zhian-chufa-2025'",
    ]
    assert [str(r) for r in revisions] == [
        "courses/x/course.yaml: lessons[1] (lesson 02-persuasion): zhian-chufa-2012 → zhian-chufa-2025 "
        "(中华人民共和国治安管理处罚法, 2025年修订, in force 2026-01-01)",
        "questions/x.yaml: questions[3] (question cc-018): zhian-chufa-2012 → zhian-chufa-2025 "
        "(中华人民共和国治安管理处罚法, 2025年修订, in force 2026-01-01)"]


def test_replacement_under_another_name_and_chains():
    errors, revisions = check(question("题目", ["huanjing-zaosheng-2018"]))
    assert "superseded by 'zaosheng-2021' (中华人民共和国噪声污染防治法, 2021年通过, in force 2022-06-05)" in errors[0]
    assert revisions[0].current.id == "zaosheng-2021"
    text = REGISTER.replace("    revision: 2025年修订\n", "    revision: 2025年修订\n    superseded_by: zhian-chufa-2030\n") + """
  - id: zhian-chufa-2030
    name: 中华人民共和国治安管理处罚法
    kind: law
    revision: 2030年修正
"""
    errors, revisions = check(question("题目", ["zhian-chufa-2012"]), reg=register(text))
    assert "itself replaced: the current text is 'zhian-chufa-2030' (中华人民共和国治安管理处罚法, 2030年修正)" in errors[0]
    assert errors[0].endswith("cite 'zhian-chufa-2030'") and revisions[0].current.id == "zhian-chufa-2030"


def test_naming_a_law_only_by_its_replaced_name_calls_for_revision():
    errors, revisions = check(question("按照《环境噪声污染防治法》……", ["zaosheng-2021"]))
    assert errors == ["questions/x.yaml: questions[3].text: question cc-018 names 《环境噪声污染防治法》, a law since "
                      "replaced by 'zaosheng-2021' (中华人民共和国噪声污染防治法, 2021年通过, in force 2022-06-05): "
                      "revise this content against the current text"]
    assert len(revisions) == 1


def test_unknown_id_is_refused():
    errors, _ = check(question("题目", ["zhian-chufa-2099"]))
    assert errors == ["questions/x.yaml: questions[3].cites[0]: question cc-018 cites unknown law id "
                      "'zhian-chufa-2099' (not in courses/law-register.yaml)"]


def test_a_law_named_must_be_cited_once_per_item():
    body = "# 劝导\n\n第一段讲《居住证暂行条例》。\n\n第二段又讲《居住证暂行条例》。\n\n第三段还讲居住证暂行条例。\n"
    errors, _ = check(lesson(body))
    assert errors == ["courses/x/lessons/02-persuasion.md: line 3: names 《居住证暂行条例》 but lesson 02-persuasion "
                      "does not cite it: add 'juzhuzheng-2015' to lessons[1].cites in courses/x/course.yaml "
                      "(named in 2 more places)"]


def test_a_law_named_without_brackets_counts_and_a_short_one_does_not():
    errors, _ = check(question("新修订的治安管理处罚法怎么规定高空抛物？", explanation="依照刑法追究。"))
    assert errors == ["questions/x.yaml: questions[3].text: names '治安管理处罚法' but question cc-018 does not cite "
                      "it: add 'zhian-chufa-2025' to questions[3].cites in questions/x.yaml"]


def test_an_unregistered_law_is_reported_and_other_titles_are_not():
    errors, _ = check(question("《中华人民共和国就业促进法》《网格员职责清单》《中华人民共和国____》"))
    assert errors == ["questions/x.yaml: questions[3].text: names 《中华人民共和国就业促进法》, which the law register "
                      "(courses/law-register.yaml) lacks: add it there (or correct the name), then cite it in "
                      "question cc-018"]


def test_named_laws_of_a_knowledge_entry_must_be_registered_and_cited():
    entry = Citing("knowledge/faq/policy.yaml", "entries[4]", "FAQ entry residence-permit", (),
                   (Text("knowledge/faq/policy.yaml", "entries[4].answer", "到派出所申请。"),),
                   names=(("entries[4].laws[0]", "居住证暂行条例"), ("entries[4].laws[1]", "殡葬管理条例")),
                   amounts=False)
    errors, _ = check(entry)
    assert errors == [
        "knowledge/faq/policy.yaml: entries[4].laws[0]: names 《居住证暂行条例》 but FAQ entry residence-permit does not "
        "cite it: add 'juzhuzheng-2015' to entries[4].cites in knowledge/faq/policy.yaml",
        "knowledge/faq/policy.yaml: entries[4].laws[1]: names 《殡葬管理条例》, which the law register "
        "(courses/law-register.yaml) lacks: add it there (or correct the name), then cite it in FAQ entry residence-permit"]


def test_a_course_summary_counts_what_its_lessons_cite():
    summary = Citing("courses/x/course.yaml", "", "course x (its lessons)", ("juzhuzheng-2015",),
                     (Text("courses/x/course.yaml", "summary", "依照《居住证暂行条例》和《治安管理处罚法》……"),),
                     own_cites=False)
    errors, _ = check(summary)
    assert errors == ["courses/x/course.yaml: summary: names 《治安管理处罚法》 but course x (its lessons) does not cite "
                      "it: cite 'zhian-chufa-2025' in the lesson that teaches it"]


@pytest.mark.parametrize("paragraph, cites, ok", [
    ("低保标准是每月800元。", [], False),
    ("困难群众可以领一千元补贴。", [], False),
    ("低保标准各地不同，以当地规定为准，不要报具体数字（如800元）。", [], True),
    ("《中华人民共和国治安管理处罚法》规定，可以处一千元以下罚款。", ["zhian-chufa-2025"], True),
    ("《中华人民共和国治安管理处罚法》规定，可以处一千元以下罚款。", [], False),  # named but not cited: both reported
    ("办事不收费，也不用花一元钱。\n\n另一段讲《居住证暂行条例》。", ["juzhuzheng-2015"], False),  # law in another paragraph
    ("门牌是3单元502室。", [], True),
])
def test_amounts_of_money_need_a_cited_law_or_the_local_rules(paragraph, cites, ok):
    errors, _ = check(lesson(f"# 标题\n\n{paragraph}\n", cites))
    amount = [e for e in errors if "states an amount of money" in e]
    assert (amount == []) is ok, errors
    if amount:
        assert amount[0].startswith("courses/x/lessons/02-persuasion.md: line 3: lesson 02-persuasion states an amount")


def test_an_item_without_amount_checks_is_left_to_its_own_rule():
    entry = Citing("knowledge/faq/a.yaml", "entries[0]", "FAQ entry a", (),
                   (Text("knowledge/faq/a.yaml", "entries[0].answer", "每月500元。"),), amounts=False)
    assert check(entry) == ([], [])


# -- the formats carry cites -----------------------------------------------------------------------

def test_questions_carry_cites_outside_their_content_hash():
    from app.quiz.questions import build_question, check_spec

    spec = {"id": "q-1", "type": "truefalse", "text": "《治安管理处罚法》已修订。", "answer": True,
            "indicators": ["policy.accuracy"], "difficulty": 1, "explanation": "2025年修订。"}
    plain = build_question(spec)
    cited = build_question({**spec, "cites": ["zhian-chufa-2025"]})
    assert cited.cites == ("zhian-chufa-2025",) and plain.cites == ()
    assert cited.content_hash == plain.content_hash and "cites" not in cited.to_spec()
    assert ("cites[0]", "'X' is not a law id (lowercase letters, digits, hyphens)") in check_spec({**spec, "cites": ["X"]})


def test_lessons_carry_cites_in_course_yaml(tmp_path):
    from app.content.courses import load_course

    folder = tmp_path / "courses" / "c-1"
    (folder / "lessons").mkdir(parents=True)
    (folder / "lessons" / "01-a.md").write_text("# 标题\n\n正文\n", encoding="utf-8")
    base = "id: c-1\ntitle: 课\ntier: topical\nhours: 2\nsummary: 概要\nlessons:\n  - file: lessons/01-a.md\n"
    (folder / "course.yaml").write_text(base + "    cites: [zhian-chufa-2025]\n", encoding="utf-8")
    course, problems = load_course(folder / "course.yaml", tmp_path / "courses", set())
    assert problems == [] and course.lessons[0].cites == ("zhian-chufa-2025",)
    (folder / "course.yaml").write_text(base + "    cites: zhian-chufa-2025\n", encoding="utf-8")
    _course, problems = load_course(folder / "course.yaml", tmp_path / "courses", set())
    assert problems == ["courses/c-1/course.yaml: lessons[0].cites: must be a list of law ids from the law register, "
                        "e.g. [zhian-chufa-2025]"]


def test_drills_carry_cites_the_engine_ignores():
    from app.drill import engine
    from app.drill.checker import check_drill

    data = yaml.safe_load((ROOT / "scenarios" / "high-altitude-throwing.yaml").read_text(encoding="utf-8"))
    assert data["cites"] and "zhian-chufa-2025" in data["cites"]
    ids = set(data["indicators"])
    drill = engine.load_drill(data)
    assert drill.id == "high-altitude-throwing"
    without = {k: v for k, v in data.items() if k != "cites"}
    assert engine.load_drill(without) == drill
    problems = check_drill({**data, "cites": ["zhian-chufa-2025", "zhian-chufa-2025"]}, ids, shown="d.yaml")
    assert problems == ["d.yaml: cites[1]: 'zhian-chufa-2025' is listed twice"]


def test_knowledge_entries_carry_cites(tmp_path):
    from app.kb.checker import load_knowledge

    root = tmp_path / "knowledge"
    (root / "faq").mkdir(parents=True)
    (root / "faq" / "p.yaml").write_text("""entries:
  - id: permit
    question: 居住证怎么办？
    answer: 按《居住证暂行条例》，到派出所申请，工本费每张20元。
    category: policy
    indicators: [policy.accuracy]
    cites: [juzhuzheng-2015]
""", encoding="utf-8")
    knowledge, errors = load_knowledge(root, {"policy.accuracy"})
    (entry,) = knowledge.faq
    assert errors == [] and entry.cites == ["juzhuzheng-2015"] and entry.where == "entries[0]" and entry.laws == []
    knowledge, errors = load_knowledge(root, {"policy.accuracy"}, law_names={"juzhuzheng-2015": "居住证暂行条例"})
    (named,) = knowledge.faq
    assert named.laws == ["居住证暂行条例"] and named.named_laws == []  # the page names what it cites
    assert named.content_hash != entry.content_hash


# -- the shipped register ----------------------------------------------------------------------------

def test_shipped_register_is_clean_and_current():
    reg, problems = load_register(ROOT / "courses")
    assert problems == []
    new, old = reg["zhian-chufa-2025"], reg["zhian-chufa-2012"]
    assert (new.adopted, new.in_force, new.current) == (dt.date(2025, 6, 27), dt.date(2026, 1, 1), True)
    assert old.superseded_by == "zhian-chufa-2025"
    assert reg["chuanranbing-2025"].in_force == dt.date(2025, 9, 1) and reg["chuanranbing-2013"].superseded_by
    assert reg["tufa-shijian-2024"].current and reg["tufa-shijian-2007"].superseded_by == "tufa-shijian-2024"
    for name in ("宪法", "民法典", "刑法", "反家庭暴力法", "个人信息保护法", "防洪法", "禁止传销条例", "社会救助暂行办法",
                 "人民调解法", "城市居民委员会组织法", "老年人权益保障法", "残疾人保障法", "未成年人保护法", "工伤保险条例",
                 "志愿服务条例", "反电信网络诈骗法", "安全生产法", "消防法", "社会保险法", "居住证暂行条例"):
        assert [law for law in reg.named(name) if law.current], name
