"""An organizer pairs a new worker from a suggestion; the mentor logs a visit and comments on a drill
decision; the mentee confirms the visit and reads the comment; the mentor cannot sign off before the
minimum term; three months on the mentor signs off and the organizer, seeing where the mentee stands,
confirms."""
from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from app.mentor.rules import add_months
from app.models import DrillAttempt, Mentorship
from tests.browser.conftest import log_in


def test_mentoring_journey(live_server, phone, content, people):
    page, base = phone, live_server
    worker = people["worker"]

    log_in(page, base, "organizer")
    page.goto(base + "/mentoring/suggestions")
    card = page.locator(f"#suggest-{worker.id}")
    expect(card).to_contain_text("李建国")
    card.get_by_role("button").first.click()
    expect(page.locator(".flash-success")).to_be_visible()
    pairing = db.session.scalar(select(Mentorship))
    assert pairing.mentor_id == people["mentor"].id and pairing.mentee_id == worker.id

    log_in(page, base, "worker")  # the mentee plays a drill and makes a risky first move
    page.goto(base + "/drills")
    page.locator("#drill-gas-leak").get_by_role("button", name="练习模式").click()
    page.get_by_role("button", name="按亮楼道灯，上三楼按301的门铃叫人").click()

    log_in(page, base, "mentor")
    page.goto(base + f"/mentoring/{pairing.id}")
    page.get_by_text("记录一次走访").click()
    page.get_by_label("住户").fill("3号楼2单元 独居老人户")
    page.get_by_label("走访目的").fill("了解老人近况，更新台账")
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.locator("#visits")).to_contain_text("3号楼2单元")

    log_in(page, base, "worker")
    page.goto(base + "/drills/attempts/1")
    page.get_by_role("button", name="大声制止").click()  # and so on to an ending
    while page.locator(".choices button").count():
        page.locator(".choices button").first.click()
        # drill.js posts the choice and disables the buttons until the next step (or the debrief) is in
        expect(page.locator("#drill-step[aria-busy='true']")).to_have_count(0)
    expect(page.locator("#outcome")).to_be_visible()

    log_in(page, base, "mentor")
    page.goto(base + "/drills/attempts/1/result")
    first = page.locator(".decisions li").first
    first.get_by_label("点评这一步决策").fill("门铃和灯的开关都会打火花，应该用手敲门、大声喊。")
    first.get_by_role("button", name="发送点评").click()
    expect(page.locator(".mentor-comment").first).to_contain_text("用手敲门")

    log_in(page, base, "worker")
    expect(page.locator("#unread")).to_be_visible()
    page.locator("a.who").click()
    page.get_by_role("link", name="点评").first.click()
    expect(page.locator(".mentor-comment").first).to_contain_text("用手敲门")
    page.goto(base + f"/mentoring/{pairing.id}")
    page.get_by_role("button", name="确认这次走访").click()
    expect(page.locator("#visits")).to_contain_text("已确认")

    log_in(page, base, "mentor")  # day 0 of the term: no sign-off yet, and the page says from when
    page.goto(base + f"/mentoring/{pairing.id}")
    db.session.refresh(pairing)
    expect(page.locator("#signoff-from")).to_contain_text(add_months(pairing.start_date, 3).isoformat())
    expect(page.get_by_role("button", name="认定可独立上岗")).to_have_count(0)

    start = add_months(local_today(), -3)  # three months on (the visit, logged today, stays within the term)
    pairing.start_date, pairing.planned_end = start, add_months(start, 6)
    db.session.commit()
    page.reload()
    expect(page.locator("#readiness")).to_be_visible()
    page.get_by_label("您的评估").fill("能独立完成入户走访，应急处置流程已掌握。")
    page.get_by_role("button", name="认定可独立上岗").click()
    expect(page.locator("#signoff")).to_contain_text("组织者")
    db.session.refresh(pairing)
    assert pairing.signed_off_at is not None

    log_in(page, base, "organizer")
    page.goto(base + f"/mentoring/{pairing.id}")
    outcome = db.session.get(DrillAttempt, 1).outcome  # the drill the mentee finished shows with its outcome
    expect(page.locator("#readiness")).to_contain_text(
        {"success": "处置得当 1", "partial": "部分得当 1", "failure": "处置失误 1"}[outcome])
    page.get_by_role("button", name="确认独立上岗").click()
    expect(page.locator(".flash-success")).to_be_visible()
    db.session.refresh(pairing)
    assert pairing.status == "independent" and pairing.independence_days == (local_today() - start).days
