"""A worker finishes a quiz and a drill and sees their radar change; an organizer opens the heatmap
and assigns a course to the weakest."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import local_today
from app.drill.engine import best_path, load_drill_file
from app.extensions import db
from app.models import CourseAssignment, QuizAttempt
from tests.browser.conftest import answer_quiz, assert_fits_width, log_in
from tests.browser.test_drills import GAS




def test_radar_changes_and_organizer_assigns_to_the_weakest(live_server, phone, content, people):
    page, base = phone, live_server
    log_in(page, base, "worker")
    page.goto(base + "/profile")
    before = page.locator("#radar-indicators svg").inner_html()
    expect(page.locator("#weakest")).to_contain_text("暂无")

    page.goto(base + "/quizzes")
    page.locator("#quiz-onboarding-emergency-test").get_by_role("button").click()
    attempt = db.session.scalar(select(QuizAttempt))
    answer_quiz(page, attempt, lambda row: row.position % 3)  # two thirds right

    drill = load_drill_file(GAS)
    texts = {(n.id, c.id): c.text for n in drill.nodes.values() for c in n.choices}
    page.goto(base + "/drills")
    page.locator("#drill-gas-leak").get_by_role("button", name="练习模式").click()
    for node_id, choice_id in best_path(drill):
        page.get_by_role("button", name=texts[(node_id, choice_id)], exact=True).click()
    expect(page.locator("#outcome")).to_contain_text("处置得当")

    page.goto(base + "/profile")
    after = page.locator("#radar-indicators svg").inner_html()
    assert after != before
    expect(page.locator("#weakest li")).not_to_have_count(0)
    assert_fits_width(page)

    log_in(page, base, "organizer")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/profile/cohort?threshold=95")
    expect(page.locator("#heatmap")).to_contain_text("张晓梅")
    need = page.locator("#weakest-cohort .need").first
    need.get_by_role("button").click()
    expect(page.locator("#cohort-confirm")).to_be_visible()  # a preview of who gets it, then a due date
    page.locator("#due_date").fill((local_today() + timedelta(days=30)).isoformat())
    page.locator("#cohort-confirm").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assigned = db.session.scalars(select(CourseAssignment)).all()
    assert [a.user_id for a in assigned] == [people["worker"].id]
