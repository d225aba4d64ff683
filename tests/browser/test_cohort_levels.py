"""Two workers answer a quiz (twice for one of them); the organizer's cohort heatmap shows each the
levels the scoring rule gives from their evidence rows (the page reads the sums the hub keeps)."""
from playwright.sync_api import expect
from sqlalchemy import select

from app import competency
from app.clock import utcnow
from app.extensions import db
from app.models import QuizAttempt
from app.profile.scoring import score_profile
from app.profile.service import evidence_by_user, settings
from tests.browser.conftest import answer_quiz, log_in


def _take_quiz(page, base, who, pick):
    log_in(page, base, who)
    page.goto(base + "/quizzes")
    page.locator("#quiz-onboarding-emergency-test").get_by_role("button").click()
    attempt = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first()
    answer_quiz(page, attempt, pick)


def test_the_heatmap_shows_the_levels_of_the_scoring_rule(live_server, phone, content, people, make_user, areas):
    page, base = phone, live_server
    second = make_user("worker2", ("worker",), areas["grid1"], name="李春燕")
    _take_quiz(page, base, "worker", lambda row: row.position % 3)   # two thirds right
    _take_quiz(page, base, "worker2", lambda row: 0)
    _take_quiz(page, base, "worker2", lambda row: row.position % 2)

    log_in(page, base, "organizer")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/profile/cohort")
    heatmap = page.locator("#heatmap")
    expect(heatmap).to_contain_text("李春燕")
    ids = [people["worker"].id, second.id]
    rows = evidence_by_user(ids)
    shown_any = False
    for uid in ids:
        levels = score_profile(rows.get(uid, []), competency.model(), utcnow(), settings()).levels()
        cells = heatmap.locator(f'tr:has(a[href="/profile/{uid}"]) td').all_inner_texts()[1:]
        assert cells == [str(round(levels[i])) if levels[i] is not None else "·" for i in competency.indicators()]
        shown_any = shown_any or any(level is not None for level in levels.values())
    assert shown_any
