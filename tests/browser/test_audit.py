"""工作留痕 as an admin uses it: she gives a worker the mentor role, then finds that change in the audit
trail by filtering on the action and the person's name, reads who did it and what it was before, and
downloads the filtered records as Excel."""
import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_admin_changes_a_role_and_finds_it_in_the_audit_trail(live_server, page, people):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "admin")
    page.goto(live_server + "/manage/users")
    page.get_by_role("link", name="张晓梅").click()
    page.get_by_label("导师").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_be_visible()

    page.locator("nav.wide-nav summary", has_text="设置").click()
    page.locator("nav.wide-nav").get_by_role("link", name="工作留痕").click()
    expect(page.get_by_role("heading", name="工作留痕")).to_be_visible()
    page.get_by_label("操作", exact=True).select_option(label="修改角色")
    page.get_by_label("对象名称包含").fill("张晓梅")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#audit-count")).to_have_text("1条记录")
    row = page.locator("tr.audit-row")
    expect(row).to_contain_text("陈静（admin）")
    expect(row).to_contain_text("修改角色")
    expect(row).to_contain_text("张晓梅（worker）")
    expect(row.locator("del")).to_have_text("网格员")
    expect(row).to_contain_text("导师、网格员")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "北京时间" in rows[0][0] and len(rows) == 2
    assert rows[1][1:5] == ("陈静（admin）", "修改角色", "人员", "张晓梅（worker）")
    assert rows[1][5] == "角色：网格员" and rows[1][6] == "角色：导师、网格员"
