"""忘记密码 as people do it: the worker asks on her phone, the organizer reads the notification, confirms
who is asking and reads the code off the slip, the worker sets a new password with it and logs in."""
from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_width, log_in

NEW_PASSWORD = "Xingfu2026grid"


def test_worker_asks_organizer_confirms_worker_resets_and_logs_in(live_server, browser, people):
    worker = browser.new_page(viewport={"width": 360, "height": 740})
    worker.goto(live_server + "/login")
    worker.get_by_role("link", name="忘记密码？").click()
    expect(worker.get_by_role("heading", name="忘记密码")).to_be_visible()
    assert_fits_width(worker)
    worker.get_by_label("登录名或工号").fill("worker")
    worker.get_by_role("button", name="申请重置密码").click()
    expect(worker.locator("#reset-requested")).to_contain_text("申请已提交")

    organizer = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(organizer, live_server, "organizer")
    organizer.locator("a.who").click()  # the notifications behind the name's badge
    expect(organizer.get_by_text("张晓梅（worker）忘记了密码")).to_be_visible()
    organizer.goto(live_server + "/manage/users")
    organizer.get_by_role("link", name="待您处理的密码重置申请：1条").click()
    row = organizer.locator("#reset-requests tr", has_text="张晓梅")
    row.get_by_role("button", name="已核实身份，生成重置码").click()
    slip = organizer.locator("#reset-slip")
    expect(slip).to_contain_text("张晓梅")
    expect(organizer.get_by_role("button", name="打印纸条")).to_be_visible()
    code = organizer.locator("#reset-code").inner_text()
    assert len(code) == 11

    worker.get_by_role("link", name="输入重置码").click()
    assert_fits_width(worker)
    worker.get_by_label("登录名或工号").fill("worker")
    worker.get_by_label("重置码").fill("WRONG-23456")
    worker.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    worker.get_by_label("确认新密码").fill(NEW_PASSWORD)
    worker.get_by_role("button", name="设置新密码").click()
    expect(worker.locator(".error").first).to_contain_text("重置码错误")
    worker.get_by_label("重置码").fill(code)
    worker.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    worker.get_by_label("确认新密码").fill(NEW_PASSWORD)
    worker.get_by_role("button", name="设置新密码").click()
    expect(worker.get_by_text("新密码已设置")).to_be_visible()

    log_in(worker, live_server, "worker", NEW_PASSWORD)
    expect(worker.locator("a.who")).to_contain_text("张晓梅")

    organizer.goto(live_server + "/manage/password-requests")
    expect(organizer.locator("#no-requests")).to_be_visible()
    worker.close()
    organizer.close()
