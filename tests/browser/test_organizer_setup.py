"""An organizer's setup pages in a browser (issue 15 item 7): a course assigned to the people hired in
one year with a due date after a preview naming them; a competition round's setup read on its page and
changed before the round opens."""
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.compete import service as compete
from app.extensions import db
from app.models import Course, CourseAssignment, CompetitionRound
from app.models.base import utcnow
from tests.browser.conftest import assert_fits_width, log_in


def test_assign_a_course_to_a_hire_year_after_a_preview(live_server, page, content, people, make_user, areas):
    base = live_server
    hired = [make_user("new1", ("worker",), areas["grid1"], name="赵新"), make_user("new2", ("worker",),
                                                                                    areas["grid2"], name="钱新")]
    outsider = make_user("lhnew", ("worker",), areas["lh_grid"], name="孙新")
    for person in hired + [outsider]:
        person.hire_date = date(2025, 4, 1)
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.slug == "annual-mediation"))
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "organizer")
    page.goto(base + "/manage/assignments")
    page.get_by_label("课程").select_option(str(course.id))
    page.get_by_label("某年入职的人员").check()
    page.get_by_label("入职年份").fill("2025")
    page.get_by_label("截止日期").fill("2027-06-30")
    page.get_by_role("button", name="预览指定对象").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("以下 2 人将须学习本课程")
    expect(preview.locator("#preview-new")).to_contain_text("赵新")
    expect(preview.locator("#preview-new")).to_contain_text("钱新")
    expect(preview).not_to_contain_text("孙新")  # another street
    assert_fits_width(page)
    assert db.session.scalar(select(CourseAssignment.id)) is None  # nothing saved by the preview
    page.get_by_role("button", name="确认：指定给 2 人").click()
    expect(page.locator(".flash-success")).to_contain_text("截止 2027-06-30：2 人")
    expect(page.locator("#current")).to_contain_text("赵新")
    db.session.expire_all()
    rows = db.session.scalars(select(CourseAssignment)).all()
    assert {a.user_id for a in rows} == {p.id for p in hired} and {a.due_date for a in rows} == {date(2027, 6, 30)}


def test_read_and_change_a_rounds_setup_before_it_opens(live_server, page, content, people):
    base = live_server
    organizer = people["organizer"]
    later = utcnow() + timedelta(days=3)
    competition = compete.create_competition(organizer, "长青街道技能比武", "", None, [])
    quiz = compete.add_round(organizer, competition, kind="quiz", title="知识竞赛", weight=1.0, opens_at=later,
                             closes_at=later + timedelta(hours=2), banks=["emergency"], count=5, time_limit_min=20)
    practical = compete.add_round(organizer, competition, kind="practical", title="入户实操", weight=1.0,
                                  opens_at=later, closes_at=later + timedelta(hours=2),
                                  rubric=[{"name": "入户沟通", "max": 10, "indicator": "comm.residents"}])
    compete.assign_judges(organizer, practical, [organizer])
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "organizer")
    page.goto(base + f"/compete/{competition.id}")
    setup = page.locator(f"#setup-{quiz.id}")
    expect(setup).to_contain_text("应急处置基础题库（5 题）")
    expect(setup).to_contain_text("20 分钟")
    expect(page.locator(f"#setup-{practical.id}")).to_contain_text("入户沟通：满分 10 分 · 群众沟通技巧")
    expect(page.locator(f"#judges-of-{practical.id}")).to_contain_text("王立新")
    expect(page.locator(f"#round-{quiz.id}")).to_contain_text("（北京时间）")

    page.locator(f"#edit-{quiz.id} summary").click()
    page.locator(f"#limit-{quiz.id}").fill("30")
    page.locator(f"#count-{quiz.id}").fill("8")
    page.locator(f"#edit-{quiz.id}").get_by_role("button", name="保存环节").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(f"#setup-{quiz.id}")).to_contain_text("应急处置基础题库（8 题）")
    expect(page.locator(f"#setup-{quiz.id}")).to_contain_text("30 分钟")

    page.locator(f"#edit-{practical.id} summary").click()
    page.locator(f"#rubric-{practical.id}").fill("入户沟通 | 10 | 群众沟通技巧\n信息采集 | 5 | 信息采集准确性")
    page.locator(f"#edit-{practical.id}").get_by_role("button", name="保存环节").click()
    expect(page.locator(f"#setup-{practical.id}")).to_contain_text("信息采集：满分 5 分 · 信息采集准确性")

    page.set_viewport_size({"width": 360, "height": 740})  # the setup and its forms fit a phone
    page.locator(f"#edit-{quiz.id} summary").click()
    expect(page.locator(f"#banks-{quiz.id}")).to_be_visible()
    assert_fits_width(page)

    db.session.expire_all()
    opened = db.session.get(CompetitionRound, quiz.id)
    opened.opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page.reload()
    expect(page.locator(f"#locked-{quiz.id}")).to_contain_text("设置只读")
    expect(page.locator(f"#edit-{quiz.id}")).to_have_count(0)
