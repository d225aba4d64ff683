"""Question types: presenting without the key, normalising answers, grading (incl. partial credit)."""
import pytest

from app.quiz.questions import (
    QUESTION_TYPES, AnswerError, AnswerShapeError, MultipleChoice, SingleChoice, UnknownOptionError,
    build_question, check_spec, comparable_text, normalise_text,
)

BASE = {"indicators": ["policy.accuracy"], "difficulty": 1, "explanation": "解析。"}


def make(**spec):
    return build_question({**BASE, **spec}, bank_id="demo")


SINGLE = make(id="s-1", type="single", text="居民问办居住证的条件,最恰当的做法是?", options=[
    {"text": "凭印象回答"}, {"text": "按条例讲清基本条件", "correct": True}, {"text": "让居民自己上网查"}])
MULTIPLE = make(id="m-1", type="multiple", text="哪些属于网格员日常工作?", options=[
    {"text": "信息采集", "correct": True}, {"text": "矛盾排查", "correct": True},
    {"text": "代替法院判决"}, {"text": "政策宣传", "correct": True}, {"text": "收取费用"}])
TRUEFALSE = make(id="t-1", type="truefalse", text="网格员可以承诺低保一定能批。", answer=False)
FILL = make(id="f-1", type="fill", text="火警电话是____。", answers=["119"])


def test_registry_holds_the_four_types():
    assert list(QUESTION_TYPES) == ["single", "multiple", "truefalse", "fill"]
    assert isinstance(SINGLE, SingleChoice) and isinstance(MULTIPLE, MultipleChoice)


def test_option_ids_are_positional_unless_given():
    assert SINGLE.option_ids == ("a", "b", "c")
    explicit = make(id="s-2", type="single", text="?", options=[
        {"id": "keep", "text": "甲", "correct": True}, {"id": "drop", "text": "乙"}])
    assert explicit.option_ids == ("keep", "drop") and explicit.correct_answer() == "keep"


def test_present_never_contains_the_key_and_follows_the_given_order():
    shown = SINGLE.present(["c", "a", "b"])
    assert shown == {"id": "s-1", "type": "single", "text": SINGLE.text, "options": [
        {"id": "c", "text": "让居民自己上网查"}, {"id": "a", "text": "凭印象回答"}, {"id": "b", "text": "按条例讲清基本条件"}]}
    assert "correct" not in repr(shown) and "answer" not in TRUEFALSE.present()
    assert FILL.present() == {"id": "f-1", "type": "fill", "text": "火警电话是____。"}
    assert "119" not in repr(FILL.present())
    with pytest.raises(ValueError):
        SINGLE.present(["a", "b"])  # not a permutation


def test_single_choice_grading_and_malformed_answers():
    assert SINGLE.grade("b") == 1.0
    assert SINGLE.grade("a") == 0.0
    assert SINGLE.grade(None) == 0.0
    with pytest.raises(UnknownOptionError, match="question s-1 has no option 'z'"):
        SINGLE.grade("z")
    with pytest.raises(AnswerShapeError):
        SINGLE.normalise(["b"])
    assert SINGLE.chosen("b") == ("b",)


@pytest.mark.parametrize("answer, score", [
    (["a", "b", "d"], 1.0),          # all three correct
    (["a", "b"], 2 / 3),             # two of three correct: 2/3
    (["a"], 1 / 3),
    (["a", "b", "d", "c"], 2 / 3),   # 3/3 - 1/3 for a wrong option
    (["a", "c"], 0.0),               # 1/3 - 1/3
    (["c", "e"], 0.0),               # -2/3 is clamped to 0
    (["a", "b", "c", "d", "e"], 1 / 3),  # everything: 3/3 - 2/3
    ([], 0.0),
    (None, 0.0),
    (["a", "a", "b"], 2 / 3),        # a duplicate counts once
])
def test_multiple_choice_partial_credit(answer, score):
    assert MULTIPLE.grade(answer) == pytest.approx(score)


def test_multiple_choice_normalises_to_question_order_and_refuses_bad_shapes():
    assert MULTIPLE.normalise(["d", "a"]) == ("a", "d")
    assert MULTIPLE.normalise(("a", "d")) == ("a", "d")  # idempotent
    with pytest.raises(AnswerShapeError):
        MULTIPLE.normalise("a")      # a bare string, not a list
    with pytest.raises(AnswerShapeError):
        MULTIPLE.normalise([1])
    with pytest.raises(UnknownOptionError):
        MULTIPLE.normalise(["a", "x"])  # e.g. an option id of another question
    assert MULTIPLE.correct_answer() == ("a", "b", "d")


def test_true_false():
    assert TRUEFALSE.grade("false") == 1.0 and TRUEFALSE.grade(False) == 1.0
    assert TRUEFALSE.grade("true") == 0.0 and TRUEFALSE.grade(None) == 0.0
    assert TRUEFALSE.chosen("false") == ("false",)
    with pytest.raises(UnknownOptionError):
        TRUEFALSE.normalise("yes")
    with pytest.raises(AnswerShapeError):
        TRUEFALSE.normalise(0)


@pytest.mark.parametrize("typed", ["119", "１１９", " 1 1 9 ", "1\u300019", "119\u200b"])
def test_fill_in_is_width_space_and_case_tolerant(typed):
    assert FILL.grade(typed) == 1.0


def test_fill_in_case_and_wrong_answers():
    question = make(id="f-2", type="fill", text="____", answers=["Wi-Fi", "无线网"])
    assert question.grade("ｗｉ－ｆｉ") == 1.0
    assert question.grade("WI-FI") == 1.0
    assert question.grade("无线 网") == 1.0
    assert question.grade("wifi") == 1.0  # punctuation does not count (issue 15)
    assert question.grade("有线网") == 0.0 and question.grade("wlan") == 0.0
    assert question.grade("") == 0.0 and question.normalise("  ") is None
    assert question.chosen(" Wi-Fi ") == ("wi-fi",)
    with pytest.raises(AnswerShapeError):
        question.normalise(["Wi-Fi"])
    with pytest.raises(AnswerShapeError):
        question.normalise("x" * 201)


def test_answer_errors_share_a_base_class():
    assert issubclass(UnknownOptionError, AnswerError) and issubclass(AnswerShapeError, AnswerError)


def test_normalise_text():
    assert normalise_text("ＡＢＣ １２３") == "abc123"
    assert normalise_text("Straße") == "strasse"


def test_content_hash_tracks_the_question_not_the_bank():
    again = make(id="s-1", type="single", text=SINGLE.text + "\n", options=[
        {"text": "凭印象回答"}, {"text": "按条例讲清基本条件", "correct": True}, {"text": "让居民自己上网查"}])
    assert again.content_hash == SINGLE.content_hash
    changed = make(id="s-1", type="single", text=SINGLE.text, options=[
        {"text": "凭印象回答", "correct": True}, {"text": "按条例讲清基本条件"}, {"text": "让居民自己上网查"}])
    assert changed.content_hash != SINGLE.content_hash


def test_build_question_refuses_a_spec_with_problems():
    with pytest.raises(ValueError, match="options"):
        build_question({**BASE, "id": "x", "type": "single", "text": "?", "options": [{"text": "a"}]})


def test_check_spec_paths_are_relative_to_the_question():
    problems = check_spec({**BASE, "id": "x", "type": "multiple", "text": "?",
                           "options": [{"text": "a", "correct": "yes"}, {"text": "a", "colour": "red"}]})
    assert ("options[0].correct", "must be true or false, not 'yes'") in problems
    assert ("options[1].text", "same text as options[0]") in problems
    assert ("options[1].colour", "unknown field") in problems


def test_each_type_reads_its_answer_from_a_submitted_form():
    from werkzeug.datastructures import MultiDict

    form = MultiDict([("s", "b"), ("m", "a"), ("m", "d"), ("t", "false"), ("f", " １１９ "), ("empty", "")])
    assert SINGLE.in_form(form, "s") and SINGLE.from_form(form, "s") == "b"
    assert not SINGLE.in_form(form, "nothing") and SINGLE.from_form(form, "nothing") is None
    assert SINGLE.from_form(form, "empty") is None and TRUEFALSE.from_form(form, "empty") is None
    assert TRUEFALSE.from_form(form, "t") == "false"
    assert MULTIPLE.from_form(form, "m") == ["a", "d"]
    assert MULTIPLE.in_form(form, "nothing") and MULTIPLE.from_form(form, "nothing") == []  # no box ticked
    assert FILL.from_form(form, "f") == " １１９ " and FILL.from_form(form, "empty") == ""
    for question, name in ((SINGLE, "s"), (MULTIPLE, "m"), (TRUEFALSE, "t"), (FILL, "f")):
        question.normalise(question.from_form(form, name))  # what a form sends is what normalise takes


def test_a_right_answer_as_a_form_sends_it_grades_full():
    assert (SINGLE.form_value(), MULTIPLE.form_value(), TRUEFALSE.form_value(), FILL.form_value()) == \
        ("b", ["a", "b", "d"], "false", "119")
    for question in (SINGLE, MULTIPLE, TRUEFALSE, FILL):
        assert question.grade(question.form_value()) == 1.0


def test_option_texts_label_what_an_answer_can_pick():
    assert SINGLE.option_texts() == {"a": "凭印象回答", "b": "按条例讲清基本条件", "c": "让居民自己上网查"}
    assert TRUEFALSE.option_texts(("对", "错")) == {"true": "对", "false": "错"}
    assert FILL.option_texts() == {}


def test_choice_ids_and_true_false_in_a_given_order():
    assert SINGLE.choice_ids == ("a", "b", "c") and TRUEFALSE.choice_ids == ("true", "false")
    assert FILL.choice_ids == () and SINGLE.pinned_positions == ()
    assert TRUEFALSE.present(["false", "true"])["options"] == [{"id": "false"}, {"id": "true"}]
    assert TRUEFALSE.present()["options"] == [{"id": "true"}, {"id": "false"}]
    with pytest.raises(ValueError):
        TRUEFALSE.present(["true", "true"])


def test_an_option_may_be_pinned_where_its_place_means_something():
    pinned = make(id="s-9", type="single", text="以下哪些是网格员的职责?", options=[
        {"text": "信息采集"}, {"text": "矛盾排查"}, {"text": "以上都对", "correct": True, "pinned": True}])
    assert pinned.pinned_positions == (2,) and pinned.options[2].pinned
    assert pinned.to_spec()["options"][2] == {"id": "c", "text": "以上都对", "correct": True, "pinned": True}
    assert "pinned" not in SINGLE.to_spec()["options"][0]  # unpinned questions keep their content hash
    problems = check_spec({**BASE, "id": "x", "type": "single", "text": "?",
                           "options": [{"text": "甲", "correct": True}, {"text": "乙", "pinned": "yes"}]})
    assert problems == [("options[1].pinned", "must be true or false, not 'yes' (pinned: true keeps the option in "
                                              "its place when options are shuffled)")]


def test_pinned_options_are_reported_as_a_notice_not_a_problem(tmp_path):
    from app.quiz.bank import load_banks, pinned_notices, pinned_options

    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "demo.yaml").write_text("""id: demo
title: 示例题库
questions:
  - id: q-001
    type: single
    text: 以下哪些是网格员的职责?
    options:
      - text: 信息采集
      - text: 矛盾排查
      - {text: 以上都对, correct: true, pinned: true}
    indicators: [policy.accuracy]
    difficulty: 1
    explanation: 都是。
  - id: q-002
    type: truefalse
    text: 网格员可以承诺低保一定能批下来。
    answer: false
    indicators: [policy.accuracy]
    difficulty: 1
    explanation: 不能。
""", encoding="utf-8")
    banks, problems = load_banks(folder, {"policy.accuracy"})
    assert problems == [] and len(banks) == 1
    [pin] = pinned_options(banks)
    assert (pin.question_id, pin.question_index, pin.option_index, pin.option_id) == ("q-001", 0, 2, "c")
    notices = pinned_notices(banks)
    assert notices[0].startswith("notice: 1 option pinned in place")
    assert notices[1] == "notice: questions/demo.yaml: questions[0].options[2] (q-001, option c '以上都对')"
    assert pinned_notices([]) == []


# -- Moodle's weights and per-answer feedback (imported GIFT questions) ----------------------------

WEIGHTED_SINGLE = make(id="ws-1", type="single", text="耶稣来自？", options=[
    {"text": "耶路撒冷"}, {"text": "伯利恒", "weight": 25}, {"text": "加利利", "weight": 50, "feedback": "再具体些。"},
    {"text": "拿撒勒", "correct": True, "feedback": "对！"}])
WEIGHTED_MULTIPLE = make(id="wm-1", type="multiple", text="格兰特墓里有谁？", options=[
    {"text": "无人", "weight": 0}, {"text": "格兰特", "correct": True, "weight": 50},
    {"text": "格兰特夫人", "correct": True, "weight": 50}, {"text": "他父亲", "weight": -100, "feedback": "不对。"}])
WEIGHTED_FILL = make(id="wf-1", type="fill", text="最好的动物？", answers=[
    {"text": "Frog", "feedback": "Good!"}, {"text": "Cat", "weight": 50}, {"text": "*", "weight": 0, "feedback": "错"}])


def test_weighted_single_choice_scores_the_chosen_options_weight():
    assert [WEIGHTED_SINGLE.grade(i) for i in "abcd"] == [0.0, 0.25, 0.5, 1.0]
    assert WEIGHTED_SINGLE.correct_answer() == "d" and WEIGHTED_SINGLE.weighted


@pytest.mark.parametrize("answer, score", [
    (["b", "c"], 1.0), (["a", "b", "c"], 1.0), (["b"], 0.5), (["b", "c", "d"], 0.0), (["a"], 0.0),
    (["d"], 0.0), ([], 0.0), (["a", "b", "c", "d"], 0.0),
])
def test_weighted_multiple_choice_sums_the_weights_capped_to_0_and_1(answer, score):
    """Moodle's multiple-answer grading: the chosen fractions added up, never below 0 or above 1."""
    assert WEIGHTED_MULTIPLE.grade(answer) == score


def test_unweighted_multiple_choice_keeps_the_plus_minus_one_over_k_rule():
    assert not MULTIPLE.weighted and MULTIPLE.grade(["a", "b", "c", "d", "e"]) == pytest.approx(1 / 3)


def test_weighted_fill_first_matching_answer_gives_its_weight_and_star_matches_anything():
    assert [WEIGHTED_FILL.grade(a) for a in ("ＦＲＯＧ", " cat ", "dog", None)] == [1.0, 0.5, 0.0, 0.0]
    assert WEIGHTED_FILL.correct_answer() == ("Frog",) and WEIGHTED_FILL.form_value() == "Frog"
    pattern = make(id="wf-2", type="fill", text="?", answers=["12*"])
    assert pattern.grade("12345") == 1.0 and pattern.grade("2345") == 0.0


def test_feedback_is_for_the_choice_it_was_written_for():
    assert WEIGHTED_SINGLE.feedback_for("c") == [("加利利", "再具体些。")] and WEIGHTED_SINGLE.feedback_for("a") == []
    assert WEIGHTED_MULTIPLE.feedback_for(["b", "d"]) == [("他父亲", "不对。")]
    assert WEIGHTED_FILL.feedback_for("dog") == [("dog", "错")] and WEIGHTED_FILL.feedback_for("Cat") == []
    tf = make(id="tf-2", type="truefalse", text="?", answer=False, feedback_true="不对。", feedback_false="对。")
    assert tf.feedback_for("true") == [("true", "不对。")] and tf.feedback_for(None) == []
    assert SINGLE.feedback_for("a") == [] and FILL.feedback_for("119") == []


def test_weights_and_feedback_keep_old_content_hashes_and_never_reach_a_page():
    plain = make(id="s-1", type="single", text=SINGLE.text, options=[
        {"text": "凭印象回答"}, {"text": "按条例讲清基本条件", "correct": True}, {"text": "让居民自己上网查"}])
    assert plain.content_hash == SINGLE.content_hash
    shown = repr(WEIGHTED_SINGLE.present(["d", "c", "b", "a"])) + repr(WEIGHTED_FILL.present())
    for secret in ("weight", "feedback", "对！", "Frog", "correct"):
        assert secret not in shown


@pytest.mark.parametrize("spec, problem", [
    ({"type": "multiple", "options": [{"text": "甲", "correct": True, "weight": 50}, {"text": "乙", "weight": 40}]},
     "with weights, the correct options are exactly those with a positive weight"),
    ({"type": "multiple", "options": [{"text": "甲", "correct": True, "weight": 50}, {"text": "乙"}]},
     "the positive weights add up to 50 %"),
    ({"type": "single", "options": [{"text": "甲", "correct": True, "weight": 50}, {"text": "乙"}]},
     "its weight is 100"),
    ({"type": "single", "options": [{"text": "甲", "correct": True}, {"text": "乙", "weight": 150}]},
     "must be a percentage from -100 to 100"),
    ({"type": "fill", "answers": [{"text": "甲", "weight": 50}]}, "no answer is worth 100 %"),
    ({"type": "fill", "answers": [{"text": "甲", "grade": 50}]}, "unknown field"),
])
def test_weight_rules_are_checked(spec, problem):
    problems = check_spec({**BASE, "id": "w-1", "text": "?", **spec})
    assert any(problem in p for _path, p in problems), problems


# -- fill-in answers compared after normalising (issue 15 item 3) ---------------------------------

LEAVE = make(id="f-leave", type="fill", text="入户走访的最后一步是____。", answers=["留联系卡告别"])


@pytest.mark.parametrize("typed", ["留联系卡告别。", "留联系卡，告别", "“留联系卡”告别！", "留 联系卡 告别",
                                   "留了联系卡告别", "留联系卡然后告别", "留联系卡并告别", "留联系卡，再告别"])
def test_fill_in_ignores_punctuation_spaces_and_filler_words(typed):
    assert LEAVE.grade(typed) == 1.0


def test_a_key_phrase_inside_a_longer_answer_passes_only_where_the_author_allows_it():
    # "留下联系卡" leaves out 告别 (the farewell the key asks for): not the accepted answer
    assert LEAVE.grade("留下联系卡") == 0.0
    short = make(id="f-card", type="fill", text="____", answers=["留下联系卡"])
    assert short.grade("留下联系卡") == 1.0
    assert short.grade("留联系卡告别") == 0.0  # 留 is not 留下 and 告别 is more than the key
    assert short.grade("留下联系卡告别") == 0.0  # contains the key, but the author did not allow more
    allowed = make(id="f-card-star", type="fill", text="____", answers=["留*联系卡*"])
    assert allowed.grade("留联系卡告别") == 1.0 and allowed.grade("留下联系卡") == 1.0
    assert allowed.grade("发传单") == 0.0


def test_authors_synonyms_are_the_accepted_answers():
    question = make(id="f-mood", type="fill", text="先处理____，再处理事情。", answers=["情绪", "心情", "对方的情绪"])
    assert question.grade("心情。") == 1.0 and question.grade("对方情绪") == 1.0  # 的 does not count
    assert question.grade("事情") == 0.0


def test_filler_words_go_only_as_whole_words():
    assert comparable_text("了解情况") == "了解情况"  # 了 inside 了解 stays
    assert comparable_text("目的") == "目的" and comparable_text("不再上门") == "不再上门"
    assert comparable_text("先关阀门，然后开窗") == "先关阀门开窗"
    assert comparable_text("的") == "的"  # an answer of filler alone is not made blank
    assert make(id="f-learn", type="fill", text="____", answers=["了解情况"]).grade("解情况") == 0.0


@pytest.mark.parametrize(("key", "typed", "score"), [
    ("-5", "5", 0.0), ("-5", "－５", 1.0), ("30%", "30", 0.0), ("30%", "30％", 1.0),
    ("8:30", "8：30", 1.0), ("8:30", "830", 0.0), ("1.5", "15", 0.0), ("119", "119。", 1.0),
])
def test_marks_that_belong_to_a_number_are_kept(key, typed, score):
    assert make(id="f-num", type="fill", text="____", answers=[key]).grade(typed) == score
