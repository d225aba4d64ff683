"""A worker searches the knowledge base from the header, opens a case, asks the assistant a question it
answers with a source and one it cannot answer and sends that one to her mentor; the mentor answers
from the mentoring dashboard; the worker is notified and reads the answer."""
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import KbQuestion
from tests.browser.conftest import assert_fits_width, log_in
from tests.views.kb_support import kb, kb_knowledge, pair  # noqa: F401  (fixtures)


def test_search_case_assistant_and_hand_off(live_server, phone, kb, people):
    page, base = phone, live_server
    pair(people["mentor"], people["worker"])

    log_in(page, base, "worker")
    header_search = page.locator("header .header-search input")
    header_search.fill("煤气味")
    header_search.press("Enter")
    expect(page.locator("#result-count")).to_contain_text("煤气味")
    expect(page.locator("#results mark").first).to_be_visible()          # 煤气 → 燃气, marked in the snippet
    page.locator("nav.filters").get_by_role("link", name="案例").click()
    page.locator("#results").get_by_role("link").first.click()
    expect(page.locator("#part-handling")).to_have_text("处置过程")
    expect(page.locator("article")).to_contain_text("燃气公司")
    assert_fits_width(page)

    page.goto(base + "/")
    page.locator("#kb-home").get_by_role("link", name="智能问答").click()
    page.get_by_label("您的问题").fill("楼道里闻到煤气味怎么办？")
    page.get_by_role("button", name="提问", exact=True).click()
    answer = page.locator(".chat > li").last
    expect(answer.locator(".answer")).to_contain_text("不要产生火花")
    expect(answer.locator(".confidence")).to_contain_text("把握程度")
    answer.get_by_role("link", name="楼道里闻到燃气味怎么办？").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("楼道里闻到燃气味怎么办")

    page.goto(base + "/kb/assistant")
    page.get_by_label("您的问题").fill("社保卡丢了去哪补办")
    page.get_by_role("button", name="提问", exact=True).click()
    unsure = page.locator(".chat > li").last
    expect(unsure.locator(".unsure")).to_contain_text("没把握")
    unsure.get_by_role("button", name="转给真人解答").click()
    expect(page.locator(".flash-success")).to_contain_text("李建国")
    expect(page.locator(".chat > li").last.locator(".waiting")).to_contain_text("等待回答")
    assert_fits_width(page)
    question = db.session.scalar(select(KbQuestion).where(KbQuestion.status == "waiting"))
    assert question.assignee_id == people["mentor"].id

    log_in(page, base, "mentor")
    expect(page.locator("#unread")).to_be_visible()
    page.goto(base + "/mentoring")
    page.locator("#kb-waiting").get_by_role("link", name="社保卡丢了去哪补办").click()
    page.get_by_label("您的回答").fill("带上身份证，到社保卡服务网点或合作银行网点挂失补办；也可以先在手机上挂失。")
    page.get_by_role("button", name="发送回答").click()
    expect(page.locator(".flash-success")).to_contain_text("已通知提问人")

    log_in(page, base, "worker")
    expect(page.locator("#unread")).to_be_visible()
    page.locator("a.who").click()
    page.get_by_role("link", name="李建国回答了您的问题").first.click()
    expect(page.locator(".reply")).to_contain_text("挂失补办")
    assert_fits_width(page)


def test_organizer_downloads_the_monthly_casebook(live_server, phone, kb, people):
    """An organizer picks the month on the review page and downloads the 案例汇编 with the case approved
    this month in her street, its author credited."""
    import io
    from pathlib import Path

    from pypdf import PdfReader

    from app.clock import utcnow
    from app.models import CaseSubmission

    page, base = phone, live_server
    db.session.add(CaseSubmission(
        author_id=people["worker"].id, title="楼道堆物引发的口角，约上两家一起清", category="dispute", tags=["楼道"],
        indicators=["comm.residents"], status="approved", submitted_at=utcnow(), reviewed_at=utcnow(),
        reviewer_id=people["organizer"].id, description="两家为楼道里的鞋柜吵了起来。", handling="约两家当面商量。",
        lessons_learned="先听两边说完。", feedback="两家都说满意。"))
    db.session.commit()

    log_in(page, base, "organizer")
    page.goto(base + "/kb/inbox")
    section = page.locator("#casebook")
    expect(section).to_contain_text("月度案例汇编")
    expect(section.get_by_label("月份")).to_have_value(utcnow().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m"))
    assert_fits_width(page)
    with page.expect_download() as info:
        section.get_by_role("button", name="下载 PDF").click()
    assert info.value.suggested_filename.endswith(".pdf")
    pdf = Path(info.value.path()).read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "长青街道" in text and "楼道堆物引发的口角" in text and "作者：张晓梅" in text and "群众反馈" in text
