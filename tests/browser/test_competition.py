"""An organizer creates a two-round competition, two contestants take it, a judge scores the
practical, and the leaderboard and the Excel export show the right order."""
import io
from pathlib import Path
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Competition, QuizAttempt
from app.models.base import utcnow
from tests.browser.conftest import answer_quiz, log_in


def local(moment):
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def add_round(page, kind_label, title, opens, closes):
    page.get_by_label(kind_label, exact=True).check()
    page.locator("#round-title").fill(title)
    page.locator("#opens_at").fill(local(opens))
    page.locator("#closes_at").fill(local(closes))


def take_quiz(page, base, competition, right):
    page.goto(base + f"/compete/{competition.id}")
    page.get_by_role("button", name="开始本环节").click()
    attempt = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first()
    answer_quiz(page, attempt, lambda row: right)


def test_two_round_competition(live_server, page, content, people):
    base = live_server
    page.set_viewport_size({"width": 1280, "height": 900})
    now = utcnow()
    log_in(page, base, "organizer")
    page.goto(base + "/compete/new")
    page.locator("#title").fill("长青街道网格员技能比武")
    page.get_by_role("button", name="创建").click()
    competition = db.session.scalar(select(Competition))

    add_round(page, "知识竞赛", "知识竞赛", now - timedelta(minutes=5), now + timedelta(hours=2))
    page.locator("#banks").select_option(["emergency", "policy-basics"])
    page.locator("#count").fill("6")
    page.get_by_role("button", name="添加环节").click()
    expect(page.locator("#rounds")).to_contain_text("知识竞赛")
    add_round(page, "实操考核", "入户走访实操", now - timedelta(minutes=5), now + timedelta(hours=2))
    page.locator("details", has_text="评分细则").locator("summary").click()
    page.locator("#rubric").fill("入户沟通 | 10 | comm.residents\n信息采集 | 10 | info.collection")
    page.get_by_role("button", name="添加环节").click()
    expect(page.locator("#rounds")).to_contain_text("入户走访实操")

    page.locator("#people").select_option([str(people["worker"].id), str(people["mentor"].id)])
    page.get_by_role("button", name="录入参赛选手").click()
    expect(page.locator("#enrolment")).to_contain_text("张晓梅")
    db.session.refresh(competition)
    practical = competition.rounds[1]
    page.locator(f"#judges-{practical.id}").select_option([str(people["organizer"].id)])
    page.get_by_role("button", name="指定评委").click()

    log_in(page, base, "worker")  # answers everything right
    take_quiz(page, base, competition, right=True)
    log_in(page, base, "mentor")  # leaves the paper blank
    take_quiz(page, base, competition, right=False)

    log_in(page, base, "organizer")
    page.goto(base + f"/compete/{competition.id}")
    page.get_by_role("link", name="为本环节评分").click()
    for name, points in (("张晓梅", ("9", "8")), ("李建国", ("6", "5.5"))):
        page.get_by_role("link", name=name).click()
        page.locator("#c0").fill(points[0])
        page.locator("#c1").fill(points[1])
        page.get_by_role("button", name="提交评分").click()
        expect(page.locator(".flash-success")).to_be_visible()

    page.goto(base + f"/compete/{competition.id}/leaderboard")
    rows = page.locator("#overall tbody tr")
    expect(rows.nth(0)).to_contain_text("张晓梅")
    expect(rows.nth(1)).to_contain_text("李建国")
    page.goto(base + f"/compete/{competition.id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="比赛成绩（Excel）").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    ranking = book.worksheets[0]
    assert [ranking["B2"].value, ranking["B3"].value] == ["张晓梅", "李建国"]
    assert ranking["A2"].value == 1 and ranking["A3"].value == 2
