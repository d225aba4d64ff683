"""Drills in the browser: play the gas-leak drill to a success ending; let an urgent node time out
after refreshing mid-drill, and find the drill resumed exactly where it was."""
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.drill.engine import best_path, load_drill_file
from app.extensions import db
from app.models import DrillAttempt
from app.models.base import utcnow
from tests.browser.conftest import log_in

GAS = Path(__file__).resolve().parents[2] / "scenarios" / "gas-leak.yaml"




def start_gas_leak(page, base, mode_label):
    page.goto(base + "/drills")
    page.locator("#drill-gas-leak").get_by_role("button", name=mode_label).click()
    expect(page.locator(".situation")).to_contain_text("燃气味")


def test_gas_leak_to_success(live_server, phone, content, people):
    page = phone
    drill = load_drill_file(GAS)
    texts = {(n.id, c.id): c.text for n in drill.nodes.values() for c in n.choices}
    log_in(page, live_server, "worker")
    start_gas_leak(page, live_server, "练习模式")
    expect(page.locator("#countdown")).to_be_visible()
    for node_id, choice_id in best_path(drill):
        page.get_by_role("button", name=texts[(node_id, choice_id)], exact=True).click()
    expect(page.locator("#outcome")).to_contain_text("处置得当")
    expect(page.get_by_role("heading", name="专家点评")).to_be_visible()
    expect(page.locator(".decisions li")).to_have_count(len(best_path(drill)))
    # on a phone: the two paths as step lists with the authors' node titles, no map, nothing wider than the screen
    titles = [drill.nodes[node_id].title for node_id, _choice in best_path(drill)]
    expect(page.locator("#your-path li").first).to_contain_text(titles[0])
    expect(page.locator("#good-path li")).to_have_count(len(titles))
    expect(page.locator(".map-wrap svg")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "door_301" not in page.locator("#paths").inner_text()
    # on a desktop: the map, with titles in its boxes, not node ids
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(".map-wrap svg")).to_be_visible()
    expect(page.locator(".map-wrap svg")).to_contain_text(titles[0])
    assert "end_flash" not in page.locator(".map-wrap svg").text_content()
    page.set_viewport_size({"width": 360, "height": 740})


def test_urgent_node_times_out_after_refresh(live_server, page, content, people):
    page.set_viewport_size({"width": 1280, "height": 900})
    drill = load_drill_file(GAS)
    log_in(page, live_server, "worker")
    start_gas_leak(page, live_server, "考核模式")
    texts = {(n.id, c.id): c.text for n in drill.nodes.values() for c in n.choices}
    for step in (("arrive", "withdraw-call"), ("called", "shout-warn")):  # to the urgent node at the window
        page.get_by_role("button", name=texts[step], exact=True).click()
    expect(page.locator(".situation")).to_contain_text("李大爷探出头")
    before = int(page.locator("#seconds").inner_text())

    page.reload()  # a refresh resumes the same node, and the clock keeps running
    expect(page.locator(".situation")).to_contain_text("李大爷探出头")
    assert int(page.locator("#seconds").inner_text()) <= before
    expect(page.get_by_text("退回上一步")).to_have_count(0)  # assessed: no going back

    attempt = db.session.scalar(select(DrillAttempt))
    attempt.deadline = utcnow() + timedelta(seconds=2)  # shorten the wait; the server still decides
    db.session.commit()
    page.reload()
    expect(page.locator("#outcome")).to_contain_text("处置失误", timeout=10_000)
    expect(page.locator(".decisions li.timed-out")).to_have_count(1)
    db.session.refresh(attempt)
    assert attempt.outcome == "failure" and attempt.steps[-1].timed_out


def test_each_decision_is_one_request_and_shows_the_next_situation(live_server, phone, content, people):
    """drill.js: a click posts the choice and the answer is the next step, shown in the same page (no
    redirect, no page load); the address stays the play page, so a reload shows the same step and
    posts nothing; going back is one request too; the last choice opens the debrief."""
    page = phone
    drill = load_drill_file(GAS)
    texts = {(n.id, c.id): c.text for n in drill.nodes.values() for c in n.choices}
    path = best_path(drill)
    log_in(page, live_server, "worker")
    start_gas_leak(page, live_server, "练习模式")
    play_url = page.url
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url)))

    def choose(node_id, choice_id, number):
        before = page.locator(".situation").inner_text()
        sent.clear()
        page.get_by_role("button", name=texts[(node_id, choice_id)], exact=True).click()
        expect(page.locator(".step-number")).to_have_text(f"第{number}步决策")
        assert [m for m, _url in sent] == ["POST"] and sent[0][1].endswith("/choose"), sent
        assert page.url == play_url
        expect(page.locator("#feedback")).to_contain_text("上一步的结果")
        situation = page.locator(".situation").inner_text()
        assert situation.strip() and situation != before  # the next situation, read in place

    choose(*path[0], 2)
    # going back (practice) is one request, and the first situation is shown again
    sent.clear()
    page.get_by_role("button", name="退回上一步（仅限练习模式）").click()
    expect(page.locator(".flash")).to_contain_text("已退回上一步")
    expect(page.locator(".step-number")).to_have_text("第1步决策")
    expect(page.locator(".situation")).to_contain_text("燃气味")
    assert [m for m, _url in sent] == ["POST"] and sent[0][1].endswith("/back"), sent

    for number, (node_id, choice_id) in enumerate(path[:-1], start=2):
        choose(node_id, choice_id, number)
        if number == 4:  # a reload in the middle shows the same step and posts nothing
            sent.clear()
            page.reload()
            expect(page.locator(".step-number")).to_have_text("第4步决策")
            assert "POST" not in [m for m, _url in sent]
    sent.clear()
    page.get_by_role("button", name=texts[path[-1]], exact=True).click()
    expect(page.locator("#outcome")).to_contain_text("处置得当")
    assert [m for m, url in sent if "/static/" not in url][:2] == ["POST", "GET"]
    attempt = db.session.scalar(select(DrillAttempt))
    db.session.refresh(attempt)
    assert attempt.outcome == "success" and len([s for s in attempt.steps if not s.undone]) == len(path)
