"""An organizer uploads Moodle's own GIFT examples file (tests/fixtures/moodle/examples.txt), reads the
report in Chinese (questions counted, the unsupported types with their lines), uploads it again and
finds nothing duplicated, opens the bank and downloads it as GIFT, which reads back the same."""
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import QuestionBank
from app.quiz.gift import parse_gift
from app.quiz.questions import ImportDefaults
from tests.browser.conftest import assert_fits_width, log_in

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "moodle" / "examples.txt"


def upload(page, base):
    page.goto(base + "/quizzes/import")
    page.get_by_label("GIFT 或 Aiken 文件（文本：UTF-8 或 GBK）").set_input_files(str(EXAMPLES))
    page.get_by_label("题库 ID").fill("moodle-examples")
    page.get_by_label("题库名称（新建题库时填写）").fill("Moodle 示例题")
    page.get_by_label("导入题目对应的能力指标").select_option(["policy.learning"])
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#report")).to_be_visible()


def test_organizer_imports_moodles_examples_and_exports_the_bank(live_server, page, content, people, tmp_path):
    log_in(page, live_server, "organizer")
    page.goto(live_server + "/quizzes")
    page.get_by_role("link", name="导入 GIFT 或 Aiken 格式题目").click()
    upload(page, live_server)
    report = page.locator("#report")
    expect(report.locator(".summary")).to_have_text(
        "文件中共 43 道题：新增 24 道到题库 moodle-examples，更新 0 道，0 道已在题库中，8 道在文件中重复，11 道未导入。")
    expect(report.locator(".unsupported li")).to_have_text([
        "暂不支持数值题（{#...}）：8道（第 16, 70, 72, 74, 76, 85, 175, 203 行）",
        "暂不支持匹配题（=项目 -> 对应项）：3道（第 56, 62, 178 行）"])
    expect(report.locator(".notices li").first).to_have_text("第25行：与第8行的题目完全相同：只导入一次")
    expect(report.locator(".added li")).to_have_count(24)

    upload(page, live_server)  # the same file again: nothing added twice
    expect(page.locator("#report .summary")).to_contain_text("新增 0 道")
    expect(page.locator("#report .summary")).to_contain_text("24 道已在题库中")
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "moodle-examples"))
    assert len(bank.questions) == 24

    page.set_viewport_size({"width": 360, "height": 740})  # the report and the bank on a phone
    assert_fits_width(page)
    page.locator("#report").get_by_role("link", name="打开题库").click()
    expect(page.locator("h1")).to_contain_text("Moodle 示例题")
    assert_fits_width(page)
    expect(page.locator("#q-jesus-hometown")).to_contain_text("Nazareth")
    expect(page.locator("#q-jesus-hometown")).to_contain_text("50%")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出为 GIFT").click()
    download = info.value
    assert download.suggested_filename == "moodle-examples.gift.txt"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    back = parse_gift(path.read_text(encoding="utf-8"), ImportDefaults(indicators=("policy.learning",)))
    assert back.refused == [] and len(back.questions) == 24
    assert {q.spec["id"] for q in back.questions} == {q.key for q in bank.questions}
