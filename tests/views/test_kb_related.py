"""'相关知识' (issue 16 item 6): knowledge entries linked from the lesson page, the drill debrief and
next to quiz explanations; nothing when the attempt is sealed by a running competition."""
import re

from sqlalchemy import select

from app.extensions import db
from app.kb import service
from app.models import KbEntry
from tests.views.kb_support import kb, kb_knowledge  # noqa: F401  (fixtures)
from tests.views.test_compete import as_user, competition, take_quiz  # noqa: F401  (fixture)
from tests.views.test_drill_play import BEST, move, start  # noqa: F401  (fixture)


def related_links(page: str) -> list[str]:
    block = re.search(r'<aside class="kb-related".*?</aside>', page, re.DOTALL)
    return re.findall(r'href="(/kb/entries/[^"]+)"', block.group(0)) if block else []


def test_a_lesson_page_links_an_entry_that_lists_it(client, kb, people, login):
    ref = "onboarding-policy/02-residence-permit-and-hukou"
    listing = {f"/kb/entries/{e.slug}" for e in db.session.scalars(select(KbEntry).where(KbEntry.active))
               if ref in (e.lessons or [])}
    assert "/kb/entries/residence-permit-endorsement-lapsed" in listing
    login("worker")
    page = client.get(f"/courses/{ref}").get_data(as_text=True)
    links = related_links(page)
    assert links and len(links) <= 3 and set(links) <= listing      # the explicit links come first
    assert "相关知识" in page


def test_the_gas_leak_debrief_links_an_entry_that_names_the_drill(client, kb, start):
    attempt = start()
    for choice in BEST:
        move(client, attempt, choice)
    page = client.get(f"/drills/attempts/{attempt.id}/result").get_data(as_text=True)
    links = related_links(page)
    naming = {f"/kb/entries/{e.slug}" for e in db.session.scalars(select(KbEntry).where(KbEntry.active))
              if "gas-leak" in (e.drills or [])}
    assert "/kb/entries/gas-smell-at-night" in naming
    assert links and len(links) <= 3 and set(links) <= naming, links   # entries naming the drill come first


def test_related_puts_explicit_links_first_and_fills_up_by_title(app, kb):
    found = service.related("drill", ("gas-leak", "燃气泄漏"))
    assert 1 <= len(found) <= 3 and found[0].kind in ("faq", "case")
    linked = service.related("drill", ("no-such-drill", "燃气泄漏"))
    assert linked and all(item.url.startswith("/kb/entries/") for item in linked)
    assert service.related("question", "") == []


def test_a_sealed_competition_review_shows_no_related_links(client, kb, competition, login):
    as_user(client, login, "worker")
    attempt = take_quiz(client, competition, right=False)
    attempt.quiz.review_explanations = True
    db.session.commit()
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'id="sealed"' in page and "kb-related" not in page and related_links(page) == []
    as_user(client, login, "organizer")                                # not sealed for its organizer
    shown = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'class="explanation' in shown and related_links(shown)
