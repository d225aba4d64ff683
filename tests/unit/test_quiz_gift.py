r"""GIFT import: Moodle's documented examples, our four types, format tags, weights, refused and
unsupported questions by line, full-width marks. Moodle's own fixtures are in
test_quiz_moodle_fixtures.py; the examples below are quoted from Moodle's GIFT documentation
(docs.moodle.org "GIFT format" and question/format/gift/examples.txt).
"""
import pytest

from app.quiz.gift import parse_gift
from app.quiz.questions import ImportDefaults, build_question, check_spec

DEFAULTS = ImportDefaults(indicators=("policy.learning",), difficulty=2)


def parse(text, defaults=DEFAULTS):
    return parse_gift(text, defaults)


def specs_of(text, defaults=DEFAULTS):
    result = parse(text, defaults)
    assert [i.message for i in result.refused] == []
    return [q.spec for q in result.questions]


def only(text, defaults=DEFAULTS):
    (spec,) = specs_of(text, defaults)
    return spec


def refused(text):
    result = parse(text)
    return [(i.line, i.message) for i in result.refused]


def without_defaults(spec):
    return {k: v for k, v in spec.items() if k not in ("id", "indicators", "difficulty")}


def test_multiple_choice_from_the_docs():
    spec = only("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert without_defaults(spec) == {
        "type": "single", "text": "Who's buried in Grant's tomb?",
        "options": [{"text": "Grant"}, {"text": "Jefferson"}, {"text": "no one", "correct": True}],
        "explanation": "正确答案：no one"}
    assert spec["indicators"] == ["policy.learning"] and spec["difficulty"] == 2


def test_missing_word_format_inserts_moodles_blank():
    spec = only("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert spec["text"] == "Grant is _____ in Grant's tomb."
    assert [o.get("correct", False) for o in spec["options"]] == [False, True, False]


def test_answers_on_separate_indented_lines():
    first, second = specs_of("The American holiday of Thanksgiving is celebrated on the {\n"
                             "    ~second\n    ~third\n    =fourth\n} Thursday of November.\n\n"
                             "Japanese characters originally came from what country? {\n"
                             "    ~India\n    =China\n    ~Korea\n    ~Egypt}\n")
    assert first["text"] == "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November."
    assert [o["text"] for o in first["options"]] == ["second", "third", "fourth"]
    assert second["options"][1] == {"text": "China", "correct": True}


def test_short_answer_becomes_fill():
    spec = only("Who's buried in Grant's tomb?{=no one =nobody}")
    assert (spec["type"], spec["answers"]) == ("fill", ["no one", "nobody"])
    spec = only("Two plus two equals {=four =4}.")
    assert spec["text"] == "Two plus two equals _____." and spec["answers"] == ["four", "4"]
    assert only("Two plus two equals {four}.")["answers"] == ["four"]


@pytest.mark.parametrize("text, answer", [
    ("Grant is buried in Grant's tomb.{F}", False), ("The sun rises in the east.{T}", True),
    ("Grant is buried in Grant's tomb.{FALSE}", False), ("::Q1:: 1+1=2 {TRUE}", True),
])
def test_true_false(text, answer):
    spec = only(text)
    assert spec["type"] == "truefalse" and spec["answer"] is answer


@pytest.mark.parametrize("block", ["{true}", "{false}", "{True}", "{t}"])
def test_lower_case_true_is_a_short_answer_as_in_moodle(block):
    """Moodle compares with T, TRUE, F, FALSE exactly: anything else is a short answer."""
    spec = only("1+1=2 " + block)
    assert spec["type"] == "fill" and spec["answers"] == [block.strip("{}")]


def test_true_false_feedback_goes_to_the_answer_it_was_written_for():
    """{FALSE#for a wrong answer#for the right answer}: who answered TRUE reads the first text only."""
    spec = only("::Q1:: 42 is the Absolute Answer to everything.{\n"
                "FALSE#42 is the Ultimate Answer.#You gave the right answer.}")
    assert (spec["answer"], spec["feedback_true"], spec["feedback_false"]) == (
        False, "42 is the Ultimate Answer.", "You gave the right answer.")
    question = build_question(spec)
    assert question.feedback_for("true") == [("true", "42 is the Ultimate Answer.")]
    assert question.feedback_for("false") == [("false", "You gave the right answer.")]
    spec = only("天安门在北京。{T#再想想#正确，天安门位于北京。}")
    assert (spec["feedback_true"], spec["feedback_false"]) == ("正确，天安门位于北京。", "再想想")


def test_question_names_become_ids_and_ids_are_stable():
    text = ("::Kanji Origins::Japanese characters originally\ncame from what country? {=China}\n\n"
            "::Thanksgiving Date::The American holiday of Thanksgiving is\n"
            "celebrated on the {~second ~third =fourth} Thursday of November.\n\n"
            "::燃气::燃气泄漏时可以开灯。{F}\n\n::Q1::甲{T}\n\n::Q1::乙{T}\n\n丙{T}\n")
    ids = [s["id"] for s in specs_of(text)]
    assert ids[:2] == ["kanji-origins", "thanksgiving-date"]
    assert ids[2].startswith("q-") and ids[3:5] == ["q1", "q1-2"] and ids[5].startswith("q-")
    assert ids == [s["id"] for s in specs_of(text)]  # the same file gives the same ids
    # an untitled question's id follows its text, not its place in the file
    assert [s["id"] for s in specs_of("丙{T}\n\n甲{F}\n")][0] == ids[5]


def test_feedback_stays_with_its_answer_and_the_explanation_is_generated():
    spec = only("What's the answer to this multiple-choice question?{\n"
                "~wrong answer#feedback comment on the wrong answer\n"
                "~another wrong answer#feedback comment on this wrong answer\n"
                "=right answer#Very good!}")
    assert [o.get("feedback") for o in spec["options"]] == [
        "feedback comment on the wrong answer", "feedback comment on this wrong answer", "Very good!"]
    assert spec["explanation"] == ("正确答案：right answer\n\n- wrong answer：feedback comment on the wrong answer\n"
                                   "- another wrong answer：feedback comment on this wrong answer\n"
                                   "- right answer：Very good!")
    question = build_question(spec)
    assert question.feedback_for("a") == [("wrong answer", "feedback comment on the wrong answer")]
    assert question.feedback_for("c") == [("right answer", "Very good!")]


def test_explanation_general_feedback_then_default_then_generated():
    text = "火警电话是{=119 ####火警119，急救120，报警110。}\n\n火警电话是{=119}？\n"
    assert [s["explanation"] for s in specs_of(text)] == ["火警119，急救120，报警110。", "正确答案：119"]
    with_default = ImportDefaults(("policy.learning",), 1, "见《消防法》。")
    assert [s["explanation"] for s in specs_of(text, with_default)] == ["火警119，急救120，报警110。", "见《消防法》。"]


def test_format_tags_are_honoured_per_piece():
    """[plain] escaped, [markdown] as is, [html] cleaned to Markdown; untagged pieces take the
    question's format; untagged question text is Moodle's auto-format (no Markdown emphasis)."""
    spec = only("::Q2:: What's between orange and green in the spectrum?\n{\n"
                "    =yellow # right; good!\n    ~red # [html]wrong, it's <b>yellow</b>\n"
                "    ~[plain]blue # wrong, it's yellow\n}")
    assert [o["text"] for o in spec["options"]] == ["yellow", "red", "blue"]
    assert spec["options"][1]["feedback"] == "wrong, it's **yellow**"
    assert only("[markdown]Who's buried in **Grant's tomb**?{=no one}")["text"] == "Who's buried in **Grant's tomb**?"
    assert only("2*3 and 4*5 are {=6 and 20}")["text"] == r"2\*3 and 4\*5 are"
    assert only("[plain]Use <b> and *stars*{T}")["text"] == r"Use \<b\> and \*stars\*"
    spec = only("::Greeting::[html]<p>Read <a href\\=\"https\\://example.org/x\">the <strong>rules</strong></a>"
                "<script>alert(1)</script> and run <code>make test</code>:</p><pre>\n    a \\{\n        b\n    \\}\n"
                "</pre>{~English =French#[plain]<oui>}")
    assert "[the **rules**](https://example.org/x)" in spec["text"] and "`make test`" in spec["text"]
    assert "alert" not in spec["text"] and "    a {\n        b\n    }" in spec["text"]
    assert spec["options"][1]["feedback"] == r"\<oui\>"


def test_html_images_stored_in_moodle_are_named_in_a_notice():
    result = parse('[html]<p>Which sign? <img src\\="@@PLUGINFILE@@/sign.png" alt\\="sign"></p>{=Stop ~Go}')
    (question,) = result.questions
    assert "[图片：sign.png]" in question.spec["text"]
    assert [i.message for i in result.notices] == [
        "image sign.png is stored in Moodle, not in the file: the question shows [图片：sign.png] instead"]


def test_weights_are_kept_and_graded_as_moodle_grades_them():
    spec = only("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}")
    assert spec["type"] == "single" and spec["options"][1] == {"text": "half credit answer", "weight": 50.0}
    question = build_question(spec)
    assert [question.grade(i) for i in "abc"] == [0.0, 0.5, 1.0]
    spec = only("What two people are entombed in Grant's tomb? {\n"
                "~No one\n~%50%Grant\n~%50%Grant's wife\n~Grant's father }")
    question = build_question(spec)
    assert spec["type"] == "multiple" and [o["weight"] for o in spec["options"]] == [0, 50, 50, 0]
    assert question.grade(["a", "b", "c", "d"]) == 1.0  # Moodle: ticking all four scores 100 %
    # +100/k on right and -100/k on wrong answers is the app's own ±1/k rule: stored without weights
    spec = only("What two people are entombed in Grant's tomb? {\n"
                "~%-50%No one\n~%50%Grant\n~%50%Grant's wife\n~%-50%Grant's father }")
    assert all("weight" not in o for o in spec["options"])
    assert build_question(spec).grade(["a", "b", "c", "d"]) == 0.0
    # one ~%100% answer with negative ones stays multiple answer, as in Moodle (single=0)
    spec = only("::colours:: orange and green?{~%100%yellow # right ~%-50%red # wrong ~%-50%blue # wrong}")
    question = build_question(spec)
    assert spec["type"] == "multiple" and [question.grade(a) for a in (["a"], ["a", "b"], ["b"])] == [1.0, 0.5, 0.0]
    thirds = only("选出三项{~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~丁}")
    assert build_question(thirds).grade(["a", "b", "c"]) == pytest.approx(1.0, abs=1e-6)


def test_short_answer_weights_feedback_and_wildcard():
    spec = only("::Shortanswer::Which is the best animal?{\n=Frog#Good!\n=%50%Cat#What is it with Moodlers and cats?\n"
                "=%0%*#Completely wrong\n}")
    question = build_question(spec)
    assert [question.grade(a) for a in ("frog", "Cat", "dog", None)] == [1.0, 0.5, 0.0, 0.0]
    assert question.feedback_for("dog") == [("dog", "Completely wrong")]
    assert question.correct_answer() == ("Frog",)


def test_full_width_answers_are_merged_and_full_width_marks_are_read():
    result = parse("火警电话是{=120 =１２０}？")
    assert result.questions[0].spec["answers"] == ["120"]
    assert [i.message for i in result.notices][0].startswith("accepted answers “120”、“１２０” are the same")
    spec = only("燃气泄漏时应当｛～开灯查看 ＝开窗通风并撤离 ～打电话报修｝")
    assert spec["type"] == "single" and [o.get("correct", False) for o in spec["options"]] == [False, True, False]
    assert only("发生火灾应拨打{＝119 ＝火警}")["answers"] == ["119", "火警"]
    assert only("天安门在北京。｛T｝")["answer"] is True


def test_special_characters_and_escapes():
    spec = only("Which answer equals 5? {\n     ~ \\= 2 + 2\n     = \\= 2 + 3\n     ~ \\= 2 + 4  }")
    assert [o["text"] for o in spec["options"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    spec = only(r"时间格式是 12\:30 吗? 写作 \{hh\:mm\}{T}")
    assert spec["text"] == "时间格式是 12:30 吗? 写作 {hh:mm}"
    assert only(r"第一行\n第二行{T}")["text"] == "第一行\\\n第二行"


def test_comments_categories_and_blank_lines():
    text = ("// 题库导出\n$CATEGORY: $course$/网格员/应急\n\n// question: 1  name: 燃气\n"
            "::gas::燃气泄漏时应立即开灯查看。{F}\n\n\n   \n// 只有注释的一段\n\n$CATEGORY: 其他\n发生火灾应拨打{=119}。\n")
    result = parse(text)
    assert result.read == 2 and [(s.spec["id"][:2], s.spec["type"]) for s in result.questions] == [
        ("ga", "truefalse"), ("q-", "fill")]
    assert result.questions[1].spec["text"] == "发生火灾应拨打_____。"


def test_unsupported_types_are_reported_once_each_with_their_lines():
    text = ("// ===Matching===\n\nMatch the following countries with their corresponding capitals. {\n"
            "    =Canada -> Ottawa\n    =Italy  -> Rome\n    }\n\n"     # 3-6
            "Grant is buried in Grant's tomb.{F}\n\n"                  # 8
            "When was Ulysses S. Grant born? {#1822}\n\n"              # 10
            "What is the value of pi? {#3.141..3.142}.\n\n"            # 12
            "::Q8:: How are you? {}\n\n"                               # 14
            "This is a description, not a question.\n")                # 16
    result = parse(text)
    assert [q.spec["text"] for q in result.questions] == ["Grant is buried in Grant's tomb."]
    assert result.unsupported == {"matching": [4], "numerical": [10, 12], "essay": [14], "description": [16]}
    assert result.read == 6 and result.refused == []


def test_weights_the_app_cannot_honour_are_refused_with_the_reason():
    text = ("选两项{~%70%甲 ~%20%乙 ~丙}\n\n"        # 1
            "谁对{=甲 =乙 ~丙}\n\n"                   # 3
            "没有对的{~甲 ~乙}\n\n"                   # 5
            "权重{=%50%甲 ~乙}\n\n"                   # 7
            "负分单选{=甲 ~%-50%乙}\n\n"               # 9
            "填空{=%50%甲 =%25%乙}\n")                 # 11
    assert refused(text) == [
        (1, "the positive weights add up to 90%, not 100%: nobody could score full marks (or everybody more than "
            "full marks); Moodle grades the same way, so correct the weights"),
        (3, "2 answers marked '=': a single-choice question has one right answer; for several right answers write "
            "'~%50%' weights and no '='"),
        (5, "no answer has a positive weight: mark the right answer with '=' or give weights such as '~%50%'"),
        (7, "'=%50%': '=' already marks the right answer (100%); write '~%50%' for partial credit"),
        (9, "'~%-50%': a negative weight on a single-choice question would give a question less than 0 points, "
            "which GridAcademy does not do (Moodle would); use 0"),
        (11, "no answer is worth 100%: nobody could score full marks"),
    ]


def test_syntax_errors_name_the_line_and_parsing_goes_on():
    text = ("::broken title 燃气泄漏时应开窗。{T}\n\n"      # 1
            "燃气泄漏时应开窗。{T\n\n"                        # 3
            "发现火情{~先拍照\n=先报警 ~先离开}}\n\n"          # 5-6
            "括号{~a {b} =c}\n\n"                             # 8
            "没有左括号 T}\n\n"                               # 10
            "{T}\n\n"                                         # 12
            "空选项{~ =对 ~错}\n\n"                           # 14
            "只有半分{=%50%甲}\n\n"                          # 16
            "居民反映楼道堆放杂物，网格员应当？{~不管 =劝导清理并上报 ~自己扔掉}\n")   # 18
    result = parse(text)
    assert [q.spec["options"][1]["text"] for q in result.questions] == ["劝导清理并上报"]
    assert [(i.line, i.key) for i in result.refused] == [
        (1, "title_open"), (3, "brace_unclosed"), (6, "second_block"), (8, "brace_nested"), (10, "brace_unopened"),
        (12, "no_text"), (14, "empty_answer"), (16, "fill_no_full")]
    assert result.read == 9


def test_bank_rules_apply_with_the_line():
    result = parse("九个选项{=甲 ~乙 ~丙 ~丁 ~戊 ~己 ~庚 ~辛 ~壬}\n\n同样的选项{=甲 ~甲}\n\nok{T}\n")
    assert [(i.line, i.message) for i in result.refused] == [
        (1, "9 answers: at most 8 options per question"), (3, "two answers read '甲'")]
    assert len(result.questions) == 1


def test_identical_questions_in_a_file_are_imported_once():
    result = parse("Grant is buried in Grant's tomb.{F}\n\nGrant is buried in Grant's tomb.{FALSE}\n")
    assert len(result.questions) == 1 and result.read == 2
    assert [(i.line, i.message) for i in result.duplicates] == [(3, "the same question as on line 1: imported once")]


def test_imported_specs_pass_the_bank_checker():
    text = ("居民问低保怎么申请，网格员应？{~承诺一定能批 =讲清条件并协助向民政部门申请 ~让他自己去问}\n\n"
            "以下属于网格员日常工作的是{~%50%信息采集 ~%50%矛盾排查 ~%-50%代替法院判决}\n\n"
            "网格员可以承诺低保一定能批下来。{F}\n\n发生火灾应拨打火警电话{=119}。\n")
    specs = specs_of(text, ImportDefaults(("policy.accuracy",), 1, "见课程。", "onboarding-policy"))
    assert [s["type"] for s in specs] == ["single", "multiple", "truefalse", "fill"]
    for spec in specs:
        assert check_spec(spec, {"policy.accuracy"}) == []
        assert build_question(spec).source == "onboarding-policy"
    assert build_question(specs[1]).grade(["a", "b"]) == 1.0
    assert build_question(specs[3]).grade("１１９") == 1.0


def test_crlf_cr_and_bom():
    for text in ("\ufeff// c\r\n甲{T}\r\n\r\n乙{F}\r\n", "// c\r甲{T}\r\r乙{F}\r"):
        assert [s["answer"] for s in specs_of(text)] == [True, False]


def test_full_width_marks_where_an_answer_starts_inside_ascii_braces():
    result = parse("火警电话{=119 ～110 ～120}\n\n多选{～％50％甲 ～％50％乙 ～丙}\n\n等式 {=1+1＝2}\n")
    first, second, third = (q.spec for q in result.questions)
    assert [o.get("correct", False) for o in first["options"]] == [True, False, False]
    assert [o["weight"] for o in second["options"]] == [50, 50, 0]
    assert third["answers"] == ["1+1＝2"]  # inside an answer it is text
    assert [(i.line, i.message) for i in result.notices] == [
        (1, "full-width GIFT marks (｛ ＝ ～ ＃ ％ ｝) read as { = ~ # % }"),
        (3, "full-width GIFT marks (｛ ＝ ～ ＃ ％ ｝) read as { = ~ # % }")]


def test_every_message_formats():
    from app.quiz.interop import MESSAGES

    class Any(dict):
        def __missing__(self, key):
            return 1

    for key, message in MESSAGES.items():
        assert "%" not in (message % Any()).replace("%", "", message.count("%%")), key


def test_pieces_empty_once_cleaned_are_refused_by_line():
    assert refused("[html]<p> </p>{T}\n\n[html]<b>x</b>{=[html]<p></p> ~b}\n") == [
        (1, "the question text is missing"), (3, "an empty answer")]
