"""An organizer imports a roster file with one bad row and reads the row-by-row report."""
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.browser.conftest import log_in

ROSTER = ("姓名,工号,手机号,街道,社区,网格,入职日期\n"
          "王小明,CQ501,13800000001,长青街道,幸福社区,第一网格,2026-09-01\n"
          "李小红,CQ502,1380000,长青街道,幸福社区,第二网格,2026-09-01\n"
          "陈大勇,CQ503,13800000003,长青街道,新村社区,第一网格,2026-09-01\n")


def test_roster_with_one_bad_row(live_server, page, people, tmp_path):
    roster = tmp_path / "九月新员工.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "organizer")
    page.get_by_role("link", name="导入花名册").first.click()

    page.get_by_label("花名册文件").set_input_files(str(roster))
    page.get_by_role("button", name="导入").click()

    report = page.locator("#report")
    expect(report).to_contain_text("2")
    rejected = report.locator("tr.rejected")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("CQ502")
    expect(rejected).to_contain_text("1380000")
    expect(report.locator("tr.ok")).to_have_count(2)
    expect(report).to_contain_text("新村社区")
    assert db.session.scalar(select(User).where(User.username == "CQ503")).area.name == "第一网格"
    assert db.session.scalar(select(User).where(User.username == "CQ502")) is None
