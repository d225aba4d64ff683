"""An organizer creates a two-round competition, two contestants take it, a judge scores the practical;
during the round the contestant's review is sealed; after every round has closed the organizer reviews
the final ranking and publishes it; the leaderboard shows the published result, the Excel export the
right order, and the contestant downloads a certificate twice and gets the same file."""
import io
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Certificate, Competition, QuizAttempt
from app.models.base import utcnow
from app.quiz.questions import build_question
from tests.browser.conftest import log_in


def local(moment):
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def add_round(page, kind_label, title, opens, closes):
    page.get_by_label(kind_label, exact=True).check()
    page.locator("#round-title").fill(title)
    page.locator("#opens_at").fill(local(opens))
    page.locator("#closes_at").fill(local(closes))


def answer_right(fieldset, spec):
    """Give the right answer to one question as a person would: by the options' labels."""
    question = build_question(spec)
    if spec["type"] == "fill":
        fieldset.get_by_role("textbox").fill(question.correct_answer()[0])
    elif spec["type"] == "truefalse":
        fieldset.get_by_label("正确" if question.correct_answer() else "错误", exact=True).check()
    else:
        for option in question.options:
            if option.id in question.correct_ids:
                # the label reads "A. <text>" (the letter is the option's place on the page)
                fieldset.get_by_label(re.compile(r"[A-H]\.\s+" + re.escape(option.text) + r"\s*$")).check()


def take_quiz(page, base, competition, right):
    page.goto(base + f"/compete/{competition.id}")
    page.get_by_role("button", name="开始本环节").click()
    expect(page.locator("fieldset").first).to_be_visible()
    attempt = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first()
    if right:
        for row in attempt.answers:
            answer_right(page.locator(f"fieldset[data-answer-id='{row.id}']"), row.spec)
    page.once("dialog", lambda dialog: dialog.accept())  # blanks left: the page asks before submitting
    page.get_by_role("button", name="提交测验").click()
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator(".crumbs")).to_contain_text("比赛答题")  # a competition's paper, not a quiz
    expect(page.locator("main")).not_to_contain_text("错题本")
    expect(page.locator("#result")).not_to_contain_text("及格")
    return attempt


def download(page, locator) -> bytes:
    with page.expect_download() as info:
        locator.click()
    return Path(info.value.path()).read_bytes()


def test_two_round_competition_sealed_then_published(live_server, page, content, people):
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
    page.locator("#rubric").fill("入户沟通 | 10 | 群众沟通技巧\n信息采集 | 10 | 信息采集准确性")
    page.get_by_role("button", name="添加环节").click()
    expect(page.locator("#rounds")).to_contain_text("入户走访实操")

    page.locator("#people").select_option([str(people["worker"].id), str(people["mentor"].id)])
    page.get_by_role("button", name="录入参赛选手").click()
    expect(page.locator("#enrolment")).to_contain_text("张晓梅")
    db.session.refresh(competition)
    practical = competition.rounds[1]
    page.locator(f"#judges-{practical.id}").select_option([str(people["organizer"].id)])
    page.get_by_role("button", name="指定评委").click()
    expect(page.locator(f"#judges-of-{practical.id}")).to_contain_text("王立新")  # the assigned judge is listed

    log_in(page, base, "worker")  # answers everything right
    take_quiz(page, base, competition, right=True)
    # sealed during the round: submitted, no question, mark or key
    expect(page.locator("#sealed")).to_be_visible()
    expect(page.locator(".question")).to_have_count(0)
    expect(page.locator(".correct-answer")).to_have_count(0)
    page.goto(base + f"/compete/{competition.id}")
    expect(page.locator("#my-certificates")).to_have_count(0)  # nothing before publication
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

    # every round closes; the organizer reviews the final ranking (not published yet) and publishes
    for round_ in competition.rounds:
        round_.opens_at, round_.closes_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(minutes=1)
    db.session.commit()
    page.goto(base + f"/compete/{competition.id}")
    page.locator("#results-link").click()
    expect(page.locator("#unpublished")).to_be_visible()
    rows = page.locator("#final-ranking tbody tr")
    expect(rows.nth(0)).to_contain_text("张晓梅")
    expect(rows.nth(0)).to_contain_text("一等奖")
    page.locator("#publish").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#published")).to_be_visible()
    expect(page.locator("#certificates")).to_contain_text(re.compile(r"\d{4}-长青街道-比武-001"))

    with page.expect_download() as excel:
        page.get_by_role("link", name="比赛成绩（Excel）").click()
    book = load_workbook(io.BytesIO(Path(excel.value.path()).read_bytes()))
    ranking = book.worksheets[0]
    assert [ranking["B2"].value, ranking["B3"].value] == ["张晓梅", "李建国"]
    assert ranking["A2"].value == 1 and ranking["A3"].value == 2

    # the hall's projector: the competition's title, the winner on the podium, no menu and nothing to click
    page.goto(base + f"/compete/{competition.id}/leaderboard")
    page.get_by_role("link", name="大屏模式").click()
    expect(page.locator("#projector-title")).to_have_text(competition.title)
    expect(page.locator("#podium li").first).to_contain_text("张晓梅")
    expect(page.locator(".topbar")).to_be_hidden()
    assert page.locator("#board a").count() == 0

    log_in(page, base, "worker")
    page.goto(base + f"/compete/{competition.id}/leaderboard")
    expect(page.locator("#published")).to_be_visible()
    rows = page.locator("#overall tbody tr")
    expect(rows.nth(0)).to_contain_text("张晓梅")
    expect(rows.nth(0)).to_contain_text("一等奖")
    expect(rows.nth(1)).to_contain_text("李建国")
    page.goto(base + f"/compete/{competition.id}")
    first = download(page, page.locator("#my-certificates"))
    second = download(page, page.locator("#my-certificates"))
    assert first[:5] == b"%PDF-" and first == second  # the same file on every download
    assert db.session.scalars(select(Certificate.number)).all()
