"""A new worker logs in, changes the initial password, reads a lesson until its reading time is over,
answers the lesson check and sees the hours credited and the course progress rise."""
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.learn.assign import assign_course
from app.learn.check import right_answers
from app.models import Course, Lesson, LessonProgress, User
from tests.browser.conftest import assert_fits_width
from tests.conftest import PASSWORD


def test_new_worker_first_day(app, live_server, phone, content, people, make_user, areas, monkeypatch):
    # a reading time of a few seconds, so the person in this test waits it out for real
    monkeypatch.setitem(app.config, "READING_CHARS_PER_MINUTE", 10 ** 6)
    monkeypatch.setitem(app.config, "READING_MIN_SECONDS", 3)
    page = phone
    course = db.session.scalar(select(Course).where(Course.slug == "onboarding-governance"))
    assign_course(people["admin"], course, role="worker")
    db.session.commit()
    make_user("CQ777", ("worker",), areas["grid1"], must_change=True, name="赵新人", worker_number="CQ777")

    page.goto(live_server + "/")
    expect(page.get_by_role("heading", name="登录网格学院")).to_be_visible()
    page.get_by_label("登录名或工号").fill("CQ777")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.get_by_label("当前密码").fill(PASSWORD)
    page.get_by_label("新密码", exact=True).fill("abc")
    page.get_by_label("确认新密码").fill("abc")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator(".error").first).to_contain_text("10")
    page.get_by_label("当前密码").fill(PASSWORD)
    page.get_by_label("新密码", exact=True).fill("Wangge2026")
    page.get_by_label("确认新密码").fill("Wangge2026")
    page.get_by_role("button", name="保存新密码").click()

    expect(page.get_by_role("heading", name="赵新人，您好")).to_be_visible()
    assert_fits_width(page)
    page.get_by_role("link", name="社区治理基础 · 网格与网格员").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("网格与网格员")
    expect(page.locator(".prose h2").first).to_be_visible()
    # the time left is shown and the button waits for it; the check questions follow the text
    expect(page.locator("#reading-left")).to_be_visible()
    button = page.get_by_role("button", name="标记为已学完")
    expect(button).to_be_disabled()
    expect(page.locator("#check-form fieldset.question").first).to_be_visible()
    assert_fits_width(page)

    expect(page.locator("#reading-done")).to_be_visible(timeout=15_000)
    expect(page.locator("#reading-left")).to_be_hidden()
    expect(button).to_be_enabled()
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "CQ777"))
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == "01-grid-and-duties"))
    answers = right_answers(user, lesson)
    assert answers
    for name in answers:
        box = page.locator(f"#check-form input[name='{name}']")
        if box.first.get_attribute("type") == "text":
            box.fill(answers[name])
        else:
            for value in answers.getlist(name):
                page.locator(f"#check-form input[name='{name}'][value='{value}']").check()
    button.click()
    expect(page.locator(".flash-success")).to_contain_text("学时")

    page.get_by_role("link", name="社区治理基础").first.click()
    expect(page.locator("#course-progress")).to_contain_text("33%")
    expect(page.locator(".lesson-list .earned")).to_have_count(1)
    assert_fits_width(page)

    db.session.expire_all()
    assert not user.must_change_password
    record = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id))
    assert record is not None and record.reading_seconds >= 3 and record.check_right == record.check_asked
