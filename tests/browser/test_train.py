"""A training class end to end: the organizer creates a class with two sessions and enrols two workers;
the projector shows a sign-in code that the page's script renews; one worker signs in on time from a
360 px phone, the other a quarter of an hour late with the next code; the hours appear on both
workers' home pages (the late one's reduced), and the attendance sheet shows who was late; then the
instructor runs a classroom drill: both phones choose, the projector shows the split and moves the room
on, and the phones follow by themselves."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import local, local_today, utcnow
from app.extensions import db
from app.models import ClassAttendance, TrainingClass
from app.train import service
from tests.browser.conftest import assert_fits_width, log_in

TZ = "Asia/Shanghai"


def wall(moment) -> str:
    return local(moment, TZ).strftime("%Y-%m-%dT%H:%M")


def phone_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    return context.new_page()


def test_class_sign_in_and_hours(live_server, page, browser, content, people, monkeypatch):
    base = live_server
    today = local_today()
    start = (utcnow() + timedelta(minutes=10)).replace(second=0, microsecond=0)

    log_in(page, base, "organizer")
    page.goto(base + "/train")
    page.get_by_role("link", name="新建培训班").click()
    page.get_by_label("名称").fill("2026年长青街道网格员集中轮训班")
    page.get_by_label("培训层级（学时计入）").select_option(label="年度轮训")
    page.get_by_label("地点").fill("长青街道党群服务中心")
    page.get_by_label("第一天").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("最后一天").fill((today + timedelta(days=2)).isoformat())
    page.get_by_label("名额").fill("30")
    page.get_by_role("button", name="创建培训班").click()
    expect(page.locator(".flash-success")).to_contain_text("培训班已创建")

    sessions = [("政策法规解读", start, "区民政局"), ("矛盾纠纷调解实务", start + timedelta(days=1), "区司法局")]
    for topic, begins, unit in sessions:
        form = page.locator("#add-session")
        form.get_by_label("主题").fill(topic)
        form.get_by_label("开始时间").fill(wall(begins))
        form.get_by_label("结束时间").fill(wall(begins + timedelta(hours=3)))
        form.get_by_label("教室").fill("三楼会议室")
        form.get_by_label("学时").fill("3")
        form.get_by_label("或外聘专家姓名").fill("刘明")
        form.get_by_label("及所在单位").fill(unit)
        form.get_by_role("button", name="加入课表").click()
        expect(page.locator(".flash-success")).to_contain_text("课次已加入课表")
    expect(page.locator("#timetable .session-slot")).to_have_count(2)

    page.locator("#people").select_option([str(people["worker"].id), str(people["mentor"].id)])
    page.get_by_role("button", name="报名参训").click()
    expect(page.locator(".flash-success")).to_contain_text("2 人报名成功")
    expect(page.locator("#enrolled li")).to_have_count(2)

    page.locator("#timetable .session-slot").first.get_by_role("link", name="投屏签到码").click()
    expect(page.locator("#qr")).to_be_visible()
    first_link = page.locator("#code-link").inner_text()
    assert "/train/sign/" in first_link

    worker = phone_page(browser)
    log_in(worker, base, "worker")
    worker.goto(first_link)
    worker.get_by_role("button", name="立即签到").click()
    expect(worker.locator("#signed-in")).to_be_visible()
    expect(worker.locator("#late")).to_have_count(0)
    assert_fits_width(worker)

    # a quarter of an hour after the start: the projector's script fetches the next code by itself
    later = start + timedelta(minutes=15)
    monkeypatch.setattr(service, "now", lambda: later)
    expect(page.locator("#code-link")).not_to_have_text(first_link, timeout=20_000)
    expect(page.locator("#signed-count")).to_have_text("1")
    second_link = page.locator("#code-link").inner_text()

    mentor = phone_page(browser)
    log_in(mentor, base, "mentor")
    mentor.goto(first_link)   # the old code, photographed a while ago: refused
    expect(mentor.locator("#refused")).to_contain_text("签到码已过期")
    mentor.goto(second_link)
    mentor.get_by_role("button", name="立即签到").click()
    expect(mentor.locator("#late")).to_contain_text("迟到 15 分钟")
    assert_fits_width(mentor)

    worker.goto(base + "/")
    expect(worker.locator("#my-classes")).to_contain_text("政策法规解读")
    expect(worker.locator("#my-classes")).to_contain_text("矛盾纠纷调解实务")
    expect(worker.locator("#my-classes .class-hours")).to_have_text("已计 3 学时")
    expect(worker.locator(".requirement").filter(has_text="年度轮训")).to_contain_text("本年度：已获3/30学时")
    assert_fits_width(worker)
    mentor.goto(base + "/")
    expect(mentor.locator("#my-classes .class-hours")).to_have_text("已计 2.7 学时")
    expect(mentor.locator("#my-classes")).to_contain_text("迟到 15 分钟")
    expect(mentor.locator(".requirement").filter(has_text="年度轮训")).to_contain_text("本年度：已获2.7/30学时")
    assert_fits_width(mentor)

    training_class = db.session.scalar(select(TrainingClass))
    page.goto(base + f"/train/{training_class.id}")
    page.locator("#timetable .session-slot").first.get_by_role("link", name="考勤").click()
    expect(page.locator(f"#person-{people['mentor'].id}")).to_contain_text("迟到 15 分钟")
    page.goto(base + "/train/report")
    expect(page.locator("#rates")).to_contain_text("幸福社区 · 年度轮训")
    expect(page.locator("#rates")).to_contain_text("100.0% 到课：2 人次中到课 2 人次")
    rows = {a.user_id: (a.late_minutes, a.hours) for a in db.session.scalars(select(ClassAttendance))}
    assert rows == {people["worker"].id: (0, 3.0), people["mentor"].id: (15, 2.7)}

    # the classroom drill: the instructor starts it, each phone chooses, the projector shows the split
    page.goto(base + f"/train/{training_class.id}")
    slot = page.locator("#timetable .session-slot").first
    slot.locator("select[name=drill]").select_option("gas-leak")
    slot.get_by_role("button", name="开始课堂演练").click()
    expect(page.locator("#node")).to_contain_text("第 1 步")
    for phone, pick in ((worker, 0), (mentor, 1)):
        phone.goto(base + f"/train/{training_class.id}")
        phone.get_by_role("link", name=re.compile("课堂演练")).click()
        phone.locator(".choices button").nth(pick).click()
        expect(phone.locator("#chosen")).to_be_visible()
        assert_fits_width(phone)
    expect(page.locator("#split strong").nth(0)).to_have_text("1", timeout=10_000)
    expect(page.locator("#split strong").nth(1)).to_have_text("1")
    assert "张晓梅" not in page.locator("#node").inner_text()
    page.get_by_role("button", name="按全班多数选择进入下一步").click()
    expect(page.locator("#node")).to_contain_text("第 2 步")
    expect(worker.locator("#node")).to_contain_text("第 2 步", timeout=10_000)   # the phone follows the room
    expect(worker.locator(".choices button").first).to_be_visible()
