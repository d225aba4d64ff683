"""A worker takes a timed quiz, refreshes mid-way and finds the answers kept, changes an answer (the
page's script sends each change with a higher sequence number), submits, reviews, then practises a
question from the wrong-answer book. The page posts opaque tokens, never option ids."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import QuizAttempt, WrongAnswer
from app.quiz.questions import POSITIONAL_IDS, build_question
from tests.browser.conftest import assert_fits_width, log_in


def answer(scope, spec, right=True):
    """Answer one question inside ``scope`` (a fieldset or form) as a person would."""
    question = build_question(spec)
    if spec["type"] == "fill":
        scope.get_by_role("textbox").fill(question.correct_answer()[0] if right else "不清楚")
        scope.get_by_role("textbox").blur()
    elif spec["type"] == "truefalse":
        scope.get_by_label("正确" if question.correct_answer() == right else "错误", exact=True).check()
    else:
        ids = question.correct_ids if right else [o.id for o in question.options if not o.correct][:1]
        for option in question.options:
            if option.id in ids:
                # the label reads "A. <text>": the letter is the option's place on this page
                scope.get_by_label(re.compile(r"[A-H]\.\s+" + re.escape(option.text) + r"\s*$")).check()


def test_timed_quiz_refresh_submit_review_and_practise(live_server, phone, content, people):
    page = phone
    log_in(page, live_server, "worker")
    page.goto(live_server + "/quizzes")
    page.locator("#quiz-onboarding-emergency-test").get_by_role("button", name="开始测验").click()
    expect(page.locator("#countdown")).to_be_visible()

    attempt = db.session.scalar(select(QuizAttempt))
    for position in (1, 2, 3):
        fieldset = page.locator(f"#question-{position}")
        answer(fieldset, attempt.answers[position - 1].spec, right=True)
        expect(fieldset.locator(".save-state")).to_have_text("已保存")

    values = page.locator("#quiz-form input[type=radio], #quiz-form input[type=checkbox]").evaluate_all(
        "inputs => inputs.map(i => i.value)")
    assert values and not [v for v in values if v in POSITIONAL_IDS or v in ("true", "false")]
    for row in attempt.answers[:3]:
        db.session.refresh(row)
        assert row.answer is not None and row.seq >= 1  # saved with the page's sequence number

    page.reload()  # nothing typed or clicked is lost
    for position in (1, 2, 3):
        fieldset = page.locator(f"#question-{position}")
        expect(fieldset.locator(".save-state")).to_have_text("已保存")
        spec = attempt.answers[position - 1].spec
        if spec["type"] == "fill":
            expect(fieldset.get_by_role("textbox")).not_to_have_value("")
        else:
            expect(fieldset.locator("input:checked").first).to_be_checked()

    right = 3
    single = next((r for r in attempt.answers[3:] if r.spec["type"] == "single"), None)
    if single is not None:  # changed twice after the reload: each change counts the sequence up
        fieldset = page.locator(f"#question-{single.position}")
        answer(fieldset, single.spec, right=False)
        expect(fieldset.locator(".save-state")).to_have_text("已保存")
        answer(fieldset, single.spec, right=True)
        expect(fieldset.locator(".save-state")).to_have_text("已保存")
        for _ in range(50):  # the second save may still be on its way
            db.session.refresh(single)
            if single.seq == 2:
                break
            page.wait_for_timeout(100)
        assert single.seq == 2 and single.answer == build_question(single.spec).correct_ids[0]
        right += 1

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="提交测验").click()
    expect(page.locator("#result")).to_contain_text(str(10 * right))
    assert asked == [f"还有{10 - right}道题未作答，确定交卷吗？"]
    expect(page.locator(".question.right")).to_have_count(right)
    expect(page.locator(".explanation").first).to_be_visible()

    page.get_by_role("link", name="错题本").last.click()
    page.get_by_role("link", name="立即练习").click()
    entry_id = int(page.locator("input[name=entry_id]").get_attribute("value"))
    entry = db.session.get(WrongAnswer, entry_id)
    answer(page.locator("form.question"), entry.question.spec, right=True)
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator("#practice-result")).to_contain_text("回答正确")
    db.session.refresh(entry)
    assert len(entry.right_days) == 1 and entry.cleared_at is None


def test_answer_sheet_letters_confirmation_and_review_marks_at_360px(live_server, phone, content, people):
    """The 答题卡 follows each answer as it is given, a box jumps to its question, submitting with blanks
    asks first (cancelling keeps the page), and the review marks the learner's own wrong choice."""
    page = phone
    log_in(page, live_server, "worker")
    page.goto(live_server + "/quizzes")
    page.locator("#quiz-onboarding-emergency-test").get_by_role("button", name="开始测验").click()
    sheet = page.locator("#answer-sheet")
    expect(sheet.get_by_role("heading", name="答题卡")).to_be_visible()
    expect(page.locator("#answered-count")).to_have_text("已答 0 / 10 题")
    assert_fits_width(page)

    attempt = db.session.scalar(select(QuizAttempt))
    single = next(r for r in attempt.answers if r.spec["type"] == "single")
    fieldset = page.locator(f"#question-{single.position}")
    expect(fieldset.locator(".option-letter").first).to_have_text("A.")
    answer(fieldset, single.spec, right=False)
    box = sheet.get_by_role("link", name=re.compile(rf"^{single.position}\s*（已答）$"))
    expect(box).to_have_class("sheet-box answered")
    expect(page.locator("#answered-count")).to_have_text("已答 1 / 10 题")
    expect(fieldset.locator(".save-state")).to_have_text("已保存")
    truefalse = next((r for r in attempt.answers if r.spec["type"] == "truefalse"), None)
    if truefalse is not None:
        buttons = page.locator(f"#question-{truefalse.position} label.option.tf")
        expect(buttons).to_have_text(["正确", "错误"]) if buttons.first.inner_text().strip() == "正确" else \
            expect(buttons).to_have_text(["错误", "正确"])

    last = sheet.get_by_role("link", name=re.compile(r"^10\s*（未答）$"))
    last.click()
    expect(page.locator("#question-10")).to_be_in_viewport()
    assert page.url.endswith("#question-10")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="提交测验").click()
    expect(page.locator("#quiz-form")).to_be_visible()  # cancelled: still on the page, nothing submitted
    assert asked == ["还有9道题未作答，确定交卷吗？"]
    db.session.refresh(attempt)
    assert attempt.submitted_at is None

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交测验").click()
    expect(page.locator("#blank-count")).to_have_text("共10题，其中9题未作答。")
    mine = page.locator(".review-options li.chosen")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("✗ 你的选择，错误")
    expect(mine.locator("xpath=..").locator("li.key")).to_contain_text("✓ 正确答案")
    assert_fits_width(page)


def test_quiz_list_reads_by_tier_at_360px(live_server, phone, content, people):
    page = phone
    log_in(page, live_server, "worker")
    page.goto(live_server + "/quizzes")
    headings = page.locator("h2.quiz-section")
    expect(headings).to_have_text(["入职培训", "年度轮训", "专题培训", "日常练习"])
    onboarding = page.locator("#section-onboarding + .grid article h2")
    expect(onboarding.first).to_have_text(re.compile("结业测验$"))
    for text in onboarding.all_inner_texts():
        assert text.endswith("结业测验")
    for text in page.locator("#section-annual + .grid article h2").all_inner_texts():
        assert text.endswith("年度测验")
    expect(page.locator("#section-practice + .grid article").first).to_contain_text("每日一练")
    assert_fits_width(page)


def test_a_blank_typed_with_spaces_and_a_full_stop_is_right_at_360px(live_server, phone, content, people):
    """The practice quiz draws 8 questions: attempts are started until one has a blank, then the key is
    typed as a person might (a space inside, a full stop after) and the review marks it right."""
    page = phone
    log_in(page, live_server, "worker")
    fill = None
    for _ in range(8):
        page.goto(live_server + "/quizzes")
        page.locator("#quiz-emergency-drill-quiz").get_by_role("button", name="开始测验").click()
        expect(page.locator("#answer-sheet")).to_be_visible()
        attempt = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first()
        fill = next((r for r in attempt.answers if r.spec["type"] == "fill"), None)
        if fill is not None:
            break
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="提交测验").click()
        expect(page.locator("#result")).to_be_visible()
    assert fill is not None
    key = build_question(fill.spec).correct_answer()[0]
    box = page.locator(f"#question-{fill.position}").get_by_role("textbox")
    box.fill(f"{key[:1]} {key[1:]}。")
    box.blur()
    expect(page.locator("#answer-sheet .sheet-boxes .sheet-box.answered")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交测验").click()
    section = page.locator(".question").nth(fill.position - 1)
    expect(section.locator(".your-answer")).to_contain_text("✓ 正确")
