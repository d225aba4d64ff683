"""A worker takes a timed quiz, refreshes mid-way and finds the answers kept, changes an answer (the
page's script sends each change with a higher sequence number), submits, reviews, then practises a
question from the wrong-answer book. The page posts opaque tokens, never option ids."""
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import QuizAttempt, WrongAnswer
from app.quiz.questions import POSITIONAL_IDS, build_question
from tests.browser.conftest import log_in


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
                scope.get_by_label(option.text, exact=True).check()


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

    page.get_by_role("button", name="提交测验").click()
    expect(page.locator("#result")).to_contain_text(str(10 * right))
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
