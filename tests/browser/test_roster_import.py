"""An organizer downloads the roster template, uploads a roster with one bad row, watches the import's
progress bar fill while a background thread creates the accounts, reads the row error and downloads
the password slips (密码条) once."""
import shutil
import subprocess
import time

from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts import roster
from app.extensions import db
from app.models import RosterImportRow, User
from tests.browser.conftest import assert_fits_width, log_in

ROSTER = ("姓名,工号,手机号,街道,社区,网格,入职日期\n"
          "王小明,CQ501,13800000001,长青街道,幸福社区,第一网格,2026-09-01\n"
          "李小红,CQ502,1380000,长青街道,幸福社区,第二网格,2026-09-01\n"
          "陈大勇,CQ503,13800000003,长青街道,新村社区,第一网格,2026-09-01\n"
          "刘芳,CQ504,13800000004,长青街道,幸福社区,第二网格,2026-09-01\n"
          "赵强,CQ505,13800000005,长青街道,幸福社区,第一网格,2026-09-01\n"
          "孙丽,CQ506,13800000006,长青街道,幸福社区,第二网格,2026-09-01\n")


def test_roster_import_with_progress_row_error_and_slips(app, live_server, page, people, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_MODE", "thread")  # as under `make run`: a thread of the web process
    real_hash = roster.hash_password

    def slow_hash(password):  # scrypt in production takes about this long; the test hasher is instant
        time.sleep(0.6)
        return real_hash(password)

    monkeypatch.setattr(roster, "hash_password", slow_hash)
    roster_file = tmp_path / "九月新员工.csv"
    roster_file.write_text(ROSTER, encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "organizer")
    page.get_by_role("link", name="导入花名册").first.click()

    with page.expect_download() as template:
        page.get_by_role("link", name="下载模板（Excel）").click()
    assert template.value.suggested_filename == "花名册模板.xlsx"

    page.get_by_label("花名册文件").set_input_files(str(roster_file))
    page.get_by_role("button", name="导入").click()

    bar = page.locator("#job-bar")
    expect(bar).to_be_visible()
    expect(page.locator("#job-text")).to_contain_text("已处理")
    expect(page.locator("#job-text")).to_contain_text("/ 6 行")
    report = page.locator("#report")
    expect(report).to_be_visible(timeout=30_000)  # the page reloads itself when the job has finished
    expect(report).to_contain_text("已创建5个账号，1行未导入。")
    rejected = report.locator("tr.rejected")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("3")  # its line in the file
    expect(rejected).to_contain_text("手机号 1380000 不是11位手机号码")
    expect(report.locator("tr.ok")).to_have_count(5)
    expect(report).to_contain_text("新建区域：滨江区 / 长青街道 / 新村社区")
    assert db.session.scalar(select(User).where(User.username == "CQ503")).area.name == "第一网格"
    assert db.session.scalar(select(User).where(User.username == "CQ502")) is None

    with page.expect_download() as slips:
        page.get_by_role("button", name="下载密码条（PDF，仅限一次）").click()
    path = tmp_path / "slips.pdf"
    slips.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
        assert "王小明" in text and "CQ506" in text and "李小红" not in text and "账号密码条" in text
    db.session.expire_all()
    assert db.session.scalar(select(RosterImportRow.id).where(RosterImportRow.secret.is_not(None))) is None

    page.set_viewport_size({"width": 360, "height": 740})  # the report reads on a phone too
    page.reload()
    expect(page.locator("#slips")).to_contain_text("由王立新下载")
    expect(page.get_by_role("button", name="下载密码条（PDF，仅限一次）")).to_have_count(0)
    assert_fits_width(page)
    page.get_by_role("link", name="返回花名册导入").click()
    expect(page.locator("#imports")).to_contain_text("九月新员工.csv")
    expect(page.locator("#imports")).to_contain_text("已创建5个，未导入1行")
    assert_fits_width(page)
