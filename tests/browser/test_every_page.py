"""Every page of the demo data, as each role, on a 360 px phone: nothing wider than the screen, and no
internal id (indicator, drill node or choice, evidence source kind, course slug) or English sentence
in the Chinese text a person reads.

The walk starts at the home page and follows the links a person can click (same site, not downloads,
not logout), one page per URL shape (ids replaced), so a new page is covered as soon as something
links to it.
"""
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import evidence
from app.competency import model as competency_model
from app.demo import DEMO_PASSWORD, create_demo_data
from app.extensions import db
from app.models import DrillVersion
from tests.browser.conftest import log_in

ROLES = ("worker", "mentor", "organizer", "admin")
MAX_PAGES = 60
SKIP = re.compile(r"\.(xlsx|csv|pdf|json|svg|png|txt|gift|xml)(\?|$)|/static/|/logout|/export|/download|"
                  r"/slips|/screen|/projector|/template|[?&](lang|format|screen)=")
#: ASCII words that belong in Chinese UI text.
ALLOWED_ASCII = {"App", "AED", "AI", "Excel", "PDF", "xAPI", "JSON", "GIFT", "Aiken", "Moodle", "XML", "CSV",
                 "QR", "English", "LRS", "CPR", "ID", "SOS", "APP", "Word", "WiFi", "PPT", "SVG"}
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}\b")
ID_LIKE = re.compile(r"(?<![A-Za-z0-9_./@-])[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)+(?![A-Za-z0-9_@/-])")


def shape(path: str) -> str:
    """/drills/attempts/12/result → /drills/attempts/#/result, /kb/faq/dibao-apply → /kb/faq/#: one page
    per shape is enough (ids and slugs replaced)."""
    return re.sub(r"/[^/]*[\d_-][^/]*(?=/|$)", "/#", urlsplit(path).path)


def internal_ids() -> set[str]:
    ids = {item.id for item in competency_model()} | {source.kind for source in evidence.sources()}
    for version in db.session.scalars(select(DrillVersion)):
        for node_id, node in (version.data.get("nodes") or {}).items():
            ids.add(node_id)
            ids.update(c["id"] for c in node.get("choices") or [])
    return {i for i in ids if re.search(r"[_.-]", i)}  # single plain words (call, door) read as English


def problems_on(page, ids: set[str]) -> list[str]:
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 362:
        found.append(f"{width}px wide")
    text = page.evaluate("""() => {  // what a person reads: not code, scripts or the drill map's markup
        const body = document.body.cloneNode(true);
        body.querySelectorAll("code, pre, script, style, svg, input, textarea").forEach(e => e.remove());
        return body.innerText || body.textContent; }""")
    for token in set(ID_LIKE.findall(text)):
        if token in ids or "_" in token:
            found.append(f"internal id {token!r}")
    for run in ENGLISH_RUN.findall(text):
        words = set(re.findall(r"[A-Za-z]+", run))
        if not words <= ALLOWED_ASCII:
            found.append(f"English {run!r}")
    return found


@pytest.fixture
def demo(app, content):
    create_demo_data()
    db.session.commit()


def test_every_page_fits_a_phone_and_reads_in_chinese(live_server, phone, demo):
    page = phone
    ids = internal_ids()
    report = []
    visited_total = 0
    for role in ROLES:
        log_in(page, live_server, role, DEMO_PASSWORD)
        queue, seen_shapes = deque(["/"]), set()
        visited = 0
        while queue and visited < MAX_PAGES:
            path = queue.popleft()
            if shape(path) in seen_shapes:
                continue
            seen_shapes.add(shape(path))
            response = page.goto(live_server + path)
            visited += 1
            if response is None or response.status >= 400 or not page.url.startswith(live_server):
                if response is not None and response.status >= 500:
                    report.append(f"{role} {path}: HTTP {response.status}")
                continue
            report += [f"{role} {path}: {problem}" for problem in problems_on(page, ids)]
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                if href and href.startswith("/") and not href.startswith("//") and not SKIP.search(href):
                    href = href.split("#", 1)[0]
                    if shape(href) not in seen_shapes:
                        queue.append(href)
        visited_total += visited
        assert visited >= 8, f"{role}: the walk found only {visited} pages"
    assert not report, f"{len(report)} problems on {visited_total} pages:\n" + "\n".join(sorted(report))
