"""The leaderboard a contestant keeps open on a phone while a judge scores from another (issue 14 item 5):
every look at the board after a judging shows it (the board comes from the shared cache, which the
judging invalidated); once the board is frozen the contestant's board keeps the results recorded
before the freeze, while the organizer's shows the new score."""
from datetime import timedelta

from playwright.sync_api import expect

from app.compete import service
from app.extensions import db
from app.models.base import utcnow
from tests.browser.conftest import assert_fits_width, log_in


def test_a_judged_score_reaches_the_open_board_and_the_freeze_holds_through_the_cache(live_server, page, browser,
                                                                                      content, people):
    base = live_server
    organizer = people["organizer"]
    now = utcnow()
    competition = service.create_competition(organizer, "长青街道实操比武", "", None, [])
    practical = service.add_round(organizer, competition, kind="practical", title="入户走访实操", weight=1.0,
                                  opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(hours=2),
                                  rubric=[{"name": "入户沟通", "max": 10, "indicator": "comm.residents"},
                                          {"name": "信息采集", "max": 10, "indicator": "info.collection"}])
    service.enrol(organizer, competition, [people["worker"], people["mentor"]])
    service.assign_judges(organizer, practical, [organizer])
    db.session.commit()
    board_url = base + f"/compete/{competition.id}/leaderboard"

    phone = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    log_in(phone, base, "worker")
    phone.goto(base + f"/compete/{competition.id}")
    phone.get_by_role("link", name="排行榜").first.click()
    rows = phone.locator("#overall tbody tr")
    expect(rows).to_have_count(2)
    expect(phone.locator("#overall")).not_to_contain_text("35.0")
    assert_fits_width(phone)

    def score(name, points):
        page.goto(base + f"/compete/{competition.id}/rounds/{practical.id}/judge")
        page.get_by_role("link", name=name).click()
        page.locator("#c0").fill(points[0])
        page.locator("#c1").fill(points[1])
        page.get_by_role("button", name="提交评分").click()
        expect(page.locator(".flash-success")).to_be_visible()

    log_in(page, base, "organizer")
    score("张晓梅", ("8", "6"))
    phone.reload()  # the contestant looks again (the page also reloads itself)
    expect(rows.nth(0)).to_contain_text("张晓梅")
    expect(rows.nth(0)).to_contain_text("70.0")

    competition.freeze_at = utcnow()  # the board freezes now: what is judged from here on stays hidden
    db.session.commit()
    score("李建国", ("9", "9"))
    page.goto(board_url)
    expect(page.locator("#overall tbody tr").nth(0)).to_contain_text("李建国")  # the organizer sees the truth
    expect(page.locator("#overall tbody tr").nth(0)).to_contain_text("90.0")
    phone.reload()
    expect(phone.locator("#frozen")).to_be_visible()
    expect(rows.nth(0)).to_contain_text("张晓梅")
    expect(phone.locator("#overall")).not_to_contain_text("90.0")
    phone.context.close()
