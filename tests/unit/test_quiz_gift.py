r"""GIFT import: Moodle's documented examples, our four types, refused types and syntax errors by line.

The English examples below are quoted from Moodle's GIFT documentation (docs.moodle.org "GIFT format"
and question/format/gift/examples.txt) so that files written for Moodle import the same way here.
"""
import pytest

from app.quiz.gift import parse_gift
from app.quiz.questions import ImportDefaults, build_question, check_spec

DEFAULTS = ImportDefaults(indicators=("policy.learning",), difficulty=2, explanation="默认解析")


def parse(text, defaults=DEFAULTS, **kwargs):
    return parse_gift(text, defaults, **kwargs)


def only(text, **kwargs):
    specs, problems = parse(text, **kwargs)
    assert problems == []
    (spec,) = specs
    return spec


def without_defaults(spec):
    return {k: v for k, v in spec.items() if k not in ("indicators", "difficulty")}


def test_multiple_choice_from_the_docs():
    spec = only("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert without_defaults(spec) == {
        "id": "gift-1", "type": "single", "text": "Who's buried in Grant's tomb?",
        "options": [{"text": "Grant"}, {"text": "Jefferson"}, {"text": "no one", "correct": True}],
        "explanation": "默认解析"}
    assert spec["indicators"] == ["policy.learning"] and spec["difficulty"] == 2


def test_missing_word_format_inserts_a_blank():
    spec = only("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert spec["text"] == "Grant is ____ in Grant's tomb."
    assert [o.get("correct", False) for o in spec["options"]] == [False, True, False]


def test_answers_on_separate_indented_lines():
    text = ("The American holiday of Thanksgiving is celebrated on the {\n"
            "    ~second\n"
            "    ~third\n"
            "    =fourth\n"
            "} Thursday of November.\n"
            "\n"
            "Japanese characters originally came from what country? {\n"
            "    ~India\n"
            "    =China\n"
            "    ~Korea\n"
            "    ~Egypt}\n")
    first, second = parse(text)[0]
    assert first["text"] == "The American holiday of Thanksgiving is celebrated on the ____ Thursday of November."
    assert [o["text"] for o in first["options"]] == ["second", "third", "fourth"]
    assert second["text"] == "Japanese characters originally came from what country?"
    assert second["options"][1] == {"text": "China", "correct": True}


def test_short_answer_becomes_fill():
    spec = only("Who's buried in Grant's tomb?{=no one =nobody}")
    assert (spec["type"], spec["answers"]) == ("fill", ["no one", "nobody"])
    spec = only("Two plus two equals {=four =4}.")
    assert spec["text"] == "Two plus two equals ____." and spec["answers"] == ["four", "4"]
    # "If there is only one correct Short Answer, it may be written without the equal sign prefix"
    assert only("Two plus two equals {four}.")["answers"] == ["four"]


@pytest.mark.parametrize("text, answer", [
    ("Grant is buried in Grant's tomb.{F}", False),
    ("The sun rises in the east.{T}", True),
    ("Grant is buried in Grant's tomb.{FALSE}", False),
    ("::Q1:: 1+1=2 {T}", True),
    ("1+1=2 {TRUE}", True),
    ("1+1=3 {false}", False),
])
def test_true_false(text, answer):
    spec = only(text)
    assert spec["type"] == "truefalse" and spec["answer"] is answer


def test_true_false_feedback_becomes_the_explanation():
    spec = only("Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}")
    assert spec["explanation"] == "No one is buried in Grant's tomb."
    # {answer#feedback for a wrong answer#feedback for the right answer}: the right one explains
    assert only("天安门在北京。{T#再想想#正确,天安门位于北京。}")["explanation"] == "正确,天安门位于北京。"


def test_question_names_become_ids():
    text = ("::Kanji Origins::Japanese characters originally\n"
            "came from what country? {=China}\n"
            "\n"
            "::Thanksgiving Date::The American holiday of Thanksgiving is\n"
            "celebrated on the {~second ~third =fourth} Thursday of November.\n")
    first, second = parse(text)[0]
    assert first["id"] == "kanji-origins" and first["text"] == "Japanese characters originally\ncame from what country?"
    assert second["id"] == "thanksgiving-date" and second["type"] == "single"


def test_ids_count_questions_and_never_repeat():
    text = "::燃气::燃气泄漏时可以开灯。{F}\n\n::Q1::甲{T}\n\n::Q1::乙{T}\n\n丙{T}\n"
    specs, problems = parse(text, taken={"q1"})
    assert problems == []
    # a title without ASCII letters falls back to gift-<n>; taken and repeated ids get a suffix
    assert [s["id"] for s in specs] == ["gift-1", "q1-2", "q1-3", "gift-4"]
    specs, _ = parse("甲{T}\n\n乙{T}\n", id_prefix="daily")
    assert [s["id"] for s in specs] == ["daily-1", "daily-2"]


def test_feedback_and_general_feedback():
    spec = only("What's the answer to this multiple-choice question?{\n"
                "~wrong answer#feedback comment on the wrong answer\n"
                "~another wrong answer#feedback comment on this wrong answer\n"
                "=right answer#Very good!}")
    assert spec["explanation"] == "Very good!"
    assert [o["text"] for o in spec["options"]] == ["wrong answer", "another wrong answer", "right answer"]
    spec = only("::Q2:: What's between orange and green in the spectrum?\n"
                "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }")
    assert spec["id"] == "q2" and spec["explanation"] == "right; good!"
    spec = only("火警电话是{=119 ####火警119,急救120,报警110。}")
    assert spec["answers"] == ["119"] and spec["explanation"] == "火警119,急救120,报警110。"


def test_format_tag_is_dropped():
    spec = only("[markdown]Who's buried in **Grant's tomb**?{\n=no one#excellent answer!\n=nobody#excellent answer!}")
    assert spec["text"] == "Who's buried in **Grant's tomb**?" and spec["explanation"] == "excellent answer!"


def test_multiple_answers_with_weights():
    for text in ("What two people are entombed in Grant's tomb? {\n"
                 "    ~No one\n"
                 "    ~%50%Grant\n"
                 "    ~%50%Grant's wife\n"
                 "    ~Grant's father }",
                 "What two people are entombed in Grant's tomb? {\n"
                 "    ~%-50%No one\n"
                 "    ~%50%Grant\n"
                 "    ~%50%Grant's wife\n"
                 "    ~%-50%Grant's father }"):
        spec = only(text)
        assert spec["type"] == "multiple"
        assert [o["text"] for o in spec["options"] if o.get("correct")] == ["Grant", "Grant's wife"]
    thirds = only("选出三项{~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~丁}")
    assert thirds["type"] == "multiple" and sum(1 for o in thirds["options"] if o.get("correct")) == 3
    one = only("只有一项{~%100%甲 ~乙}")
    assert one["type"] == "single"


def test_special_characters_and_escapes():
    spec = only("Which answer equals 5? {\n"
                "     ~ \\= 2 + 2\n"
                "     = \\= 2 + 3\n"
                "     ~ \\= 2 + 4  }")
    assert [o["text"] for o in spec["options"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    spec = only(r"""::GIFT Control Characters::
Which of the following is NOT a control character for the GIFT import format? {
   ~ \~     # \~ is a control character.
   ~ \=     # \= is a control character.
   ~ \#     # \# is a control character.
   ~ \{     # \{ is a control character.
   ~ \}     # \} is a control character.
   = \\     # Correct! \\ (backslash) is not a control character. BUT,
              it is used to escape the control characters. So, to specify
              a literal backslash, you must escape it with a backslash
              (as shown in this example).
}""")
    assert spec["id"] == "gift-control-characters"
    assert [o["text"] for o in spec["options"]] == ["~", "=", "#", "{", "}", "\\"]
    assert spec["explanation"].startswith("Correct! \\ (backslash) is not a control character. BUT,\nit is used")
    spec = only(r"时间格式是 12\:30 吗\? 写作 \{hh\:mm\}{T}")
    assert spec["text"] == r"时间格式是 12:30 吗\? 写作 {hh:mm}"
    assert only(r"第一行\n第二行{T}")["text"] == "第一行\n第二行"


def test_comments_categories_and_blank_lines():
    text = ("// 题库导出\n"
            "$CATEGORY: $course$/网格员/应急\n"
            "\n"
            "// question: 1  name: 燃气\n"
            "::gas::燃气泄漏时应立即开灯查看。{F}\n"
            "\n"
            "\n"
            "   \n"
            "// 只有注释的一段\n"
            "\n"
            "$CATEGORY: 其他\n"
            "发生火灾应拨打{=119}。\n")
    specs, problems = parse(text)
    assert problems == []
    assert [(s["id"], s["type"]) for s in specs] == [("gas", "truefalse"), ("gift-2", "fill")]
    assert specs[1]["text"] == "发生火灾应拨打____。"


def test_unsupported_types_are_refused_by_line_and_the_rest_imports():
    text = ("// ===Matching===\n"                                                      # 1
            "\n"
            "Match the following countries with their corresponding capitals. {\n"    # 3
            "    =Canada -> Ottawa\n"                                                 # 4
            "    =Italy  -> Rome\n"
            "    =Japan  -> Tokyo\n"
            "    =India  -> New Delhi\n"
            "    }\n"
            "\n"
            "Grant is buried in Grant's tomb.{F}\n"                                   # 10
            "\n"
            "When was Ulysses S. Grant born? {#1822}\n"                               # 12
            "\n"
            "What is the value of pi (to 3 decimal places)? {#3.141..3.142}.\n"       # 14
            "\n"
            "::Q8:: How are you? {}\n"                                                # 16
            "\n"
            "This is a description, not a question.\n"                                # 18
            "\n"
            "::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }\n")  # 20
    specs, problems = parse(text)
    assert [s["text"] for s in specs] == ["Grant is buried in Grant's tomb."]
    assert problems == [
        "line 4: matching questions (=item -> match) are not supported",
        "line 12: numerical questions ({#...}) are not supported",
        "line 14: numerical questions ({#...}) are not supported",
        "line 16: essay questions ({}) are not supported",
        "line 18: no answer block {...}: a text without answers is a Moodle description, not a question",
        "line 20: matching questions (=item -> match) are not supported",
    ]


def test_weights_our_grading_cannot_honour_are_refused():
    text = ("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}\n"   # 1
            "\n"
            "::Jesus' hometown:: Jesus Christ was from {\n"                                  # 3
            "    =Nazareth#Yes! That's right!\n"
            "    =%75%Nazereth#Right, but misspelled.\n"                                     # 5
            "    =%25%Bethlehem#He was born here, but not raised here.}\n"
            "\n"
            "选两项{~%70%甲 ~%30%乙 ~丙}\n"                                                   # 8
            "\n"
            "谁对{=甲 =乙 ~丙}\n"                                                              # 10
            "\n"
            "没有对的{~甲 ~乙}\n"                                                              # 12
            "\n"
            "权重{=%50%甲 ~乙}\n"                                                              # 14
            "\n"
            "半对{~%50%甲 ~乙}\n")                                                            # 16
    specs, problems = parse(text)
    assert specs == []
    assert problems == [
        "line 1: partial credit ('~%50%') on a single-choice question is not supported: single choice is scored "
        "all or nothing",
        "line 5: partial credit ('=%75%Nazereth') is not supported: a fill-in answer is either accepted or not",
        "line 8: right answers weighted 70%, 30%: GridAcademy gives each right option an equal share, so use 50% each",
        "line 10: 2 answers marked '=': a single-choice question has one; for several right answers write '~%50%' "
        "weights instead",
        "line 12: no right answer: mark it with '=' (or '~%50%' weights for several)",
        "line 14: '=%50%': '=' marks the one right answer; for partial credit write '~%50%' weights and no '='",
        "line 16: the only right answer is worth 50%: give it '=' or 100%",
    ]


def test_syntax_errors_name_the_line_and_parsing_goes_on():
    text = ("::broken title 燃气泄漏时应开窗。{T}\n"     # 1: title never closed
            "\n"
            "燃气泄漏时应开窗。{T\n"                       # 3: brace never closed
            "\n"
            "发现火情{~先拍照\n"                           # 5
            "=先报警 ~先离开}}\n"                          # 6: a second '}'
            "\n"
            "第一题{T}\n"                                  # 8
            "第二题{F}\n"                                  # 9: no blank line between questions
            "\n"
            "括号{~a {b} =c}\n"                            # 11: nested brace
            "\n"
            "没有左括号 T}\n"                              # 13
            "\n"
            "{T}\n"                                        # 15: no question text
            "\n"
            "空选项{~ =对 ~错}\n"                          # 17
            "\n"
            "前面有字{甲 ~乙 =丙}\n"                       # 19
            "\n"
            "居民反映楼道堆放杂物,网格员应当?{~不管 =劝导清理并上报 ~自己扔掉}\n")   # 21: fine
    specs, problems = parse(text)
    assert [s["options"][1]["text"] for s in specs] == ["劝导清理并上报"]
    assert problems == [
        "line 1: '::' starts a question title that is never closed with '::'",
        "line 3: '{' is never closed with '}'",
        "line 6: a second answer block: only one {...} per question; separate questions with a blank line",
        "line 9: a second answer block: only one {...} per question; separate questions with a blank line",
        "line 11: '{' inside an answer block (write \\{ for a literal brace)",
        "line 13: '}' without a '{' before it (write \\} for a literal brace)",
        "line 15: the question text is missing",
        "line 17: an empty answer after '~'",
        "line 19: answer '甲' has no '~' (wrong) or '=' (right) in front of it",
    ]


def test_type_rules_of_the_bank_apply_with_the_line():
    text = "只有一个选项{=甲 ~乙 ~丙 ~丁 ~戊 ~己 ~庚 ~辛 ~壬}\n\nok{T}\n"
    specs, problems = parse(text, shown="upload.gift")
    assert problems == ["upload.gift: line 1: options: has 9 options; use 2 to 8"]
    assert len(specs) == 1


def test_no_explanation_without_feedback_or_default():
    text = "Grant is buried in Grant's tomb.{F}\n\nGrant is buried in Grant's tomb.{F#No one is.}\n"
    specs, problems = parse(text, ImportDefaults(indicators=("policy.learning",)))
    assert [s["explanation"] for s in specs] == ["No one is."]
    assert problems == ["line 1: no explanation: give feedback in the question (#...) or a default explanation "
                        "for the import"]


def test_imported_specs_pass_the_bank_checker():
    text = ("居民问低保怎么申请,网格员应?{~承诺一定能批 =讲清条件并协助向民政部门申请 ~让他自己去问}\n\n"
            "以下属于网格员日常工作的是{~%50%信息采集 ~%50%矛盾排查 ~%-50%代替法院判决}\n\n"
            "网格员可以承诺低保一定能批下来。{F}\n\n"
            "发生火灾应拨打火警电话{=119}。\n")
    specs, problems = parse(text, ImportDefaults(("policy.accuracy",), 1, "见课程。", "onboarding-policy"))
    assert problems == [] and [s["type"] for s in specs] == ["single", "multiple", "truefalse", "fill"]
    for spec in specs:
        assert check_spec(spec, {"policy.accuracy"}) == []
        assert build_question(spec).source == "onboarding-policy"
    assert build_question(specs[1]).grade(["a", "b"]) == 1.0
    assert build_question(specs[3]).grade("１１９") == 1.0


def test_crlf_and_bom():
    specs, problems = parse("\ufeff// c\r\n甲{T}\r\n\r\n乙{F}\r\n")
    assert problems == [] and [s["answer"] for s in specs] == [True, False]


def test_moodle_export_with_html_format():
    text = ("// question: 0  name: Switch category to $course$/top/默认\n"
            "$CATEGORY: $course$/top/默认\n"
            "\n"
            "\n"
            "// question: 12  name: 燃气\n"
            "::燃气::[html]<p>燃气泄漏时<b>不能</b>做什么\\: 选一项</p>{\n"
            "\t=<p>开灯查看</p>#<p>对,开关会产生电火花</p>\n"
            "\t~<p>开窗通风</p>#\n"
            "\t~<p>撤离到楼外</p>#\n"
            "\t####<p>燃气泄漏时不开灯、不打电话,开窗并撤离。</p><p>到室外再报警 &amp; 报修。</p>\n"
            "}\n")
    spec = only(text)
    assert spec["id"] == "gift-1" and spec["text"] == "燃气泄漏时不能做什么: 选一项"
    assert [o["text"] for o in spec["options"]] == ["开灯查看", "开窗通风", "撤离到楼外"]
    assert spec["explanation"] == "燃气泄漏时不开灯、不打电话,开窗并撤离。\n到室外再报警 & 报修。"
