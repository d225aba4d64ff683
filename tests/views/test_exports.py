"""Inert exports (issue 13 item 5): what people typed (names, titles, question texts) reaches every
Excel export as text, never as a formula."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.exports import safe_cell, safe_row
from app.extensions import db
from app.models import Competition, Quiz, User
from tests.views import test_authorization as authorization
from tests.views.test_authorization import logged_in

objects = authorization.objects  # a mentorship, a competition with entries, quiz and drill attempts (a fixture)

HOSTILE = {"worker": "=1+1", "mentor": '=HYPERLINK("http://x","y")', "organizer": "@SUM(1)"}


@pytest.mark.parametrize("typed, written", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1+2", "'-1+2"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("张晓梅", "张晓梅"), ("a=1", "a=1"), ("", ""), (3, 3), (-2.5, -2.5), (None, None),
])
def test_safe_cell(typed, written):
    assert safe_cell(typed) == written
    assert safe_row([typed]) == [written]


@pytest.fixture
def hostile(people):
    """The people of the authorization table, renamed as a hostile roster would name them."""
    for key, name in HOSTILE.items():
        people[key].name = name
    db.session.commit()
    return people


def formulas(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [f"{sheet.title}!{cell.coordinate}: {cell.value!r}" for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))]


def texts(data: bytes) -> set:
    book = load_workbook(io.BytesIO(data))
    return {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}


def test_every_excel_export_is_inert(app, hostile, objects):
    competition = db.session.get(Competition, objects["competition"])
    competition.title = "=2+2"
    competition.rounds[0].title = "+CMD|' /C calc'!A0"
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "onboarding-emergency-test"))
    quiz.title = "-3+3"
    db.session.commit()
    organizer = logged_in(app, "organizer")
    worker_id = db.session.scalar(select(User.id).where(User.username == "worker"))
    exports = {
        "person": f"/profile/{worker_id}/records.xlsx",
        "cohort": "/profile/cohort/records.xlsx",
        "quiz statistics": "/quizzes/onboarding-emergency-test/stats.xlsx",
        "competition": f"/compete/{competition.id}/results.xlsx",
    }
    expected = {"person": {"'=1+1"}, "cohort": {"'=1+1", "'=HYPERLINK(\"http://x\",\"y\")"},
                "quiz statistics": {"'=1+1", "'-3+3"},
                "competition": {"'=1+1", "'=HYPERLINK(\"http://x\",\"y\")", "'+CMD|' /C calc'!A0"}}
    wrong = []
    for name, url in exports.items():
        response = organizer.get(url)
        assert response.status_code == 200, (name, response.status_code)
        data = response.get_data()
        wrong += [f"{name}: {problem}" for problem in formulas(data)]
        missing = expected[name] - texts(data)
        assert not missing, f"{name} export lacks {missing}: the test must see the typed values"
    assert not wrong, "formulas in exports:\n" + "\n".join(wrong)


def test_excel_exports_are_readable_when_opened(app, objects):
    """Every Excel export freezes its header row, sizes its columns and states Beijing time wherever it
    has a time column; its headers are Chinese (no English, no internal ids)."""
    competition = db.session.get(Competition, objects["competition"])
    organizer = logged_in(app, "organizer")
    worker_id = db.session.scalar(select(User.id).where(User.username == "worker"))
    for url in (f"/profile/{worker_id}/records.xlsx", "/profile/cohort/records.xlsx",
                "/quizzes/onboarding-emergency-test/stats.xlsx", f"/compete/{competition.id}/results.xlsx"):
        book = load_workbook(io.BytesIO(organizer.get(url).get_data()))
        for sheet in book.worksheets:
            if sheet.max_row < 2:
                continue
            header = [c.value for c in next(sheet.iter_rows(max_row=1))]
            assert sheet.freeze_panes == "A2", (url, sheet.title)
            assert sheet.column_dimensions["A"].width >= 8, (url, sheet.title)
            assert not any(isinstance(h, str) and h.isascii() and h.strip().isalpha() for h in header), (url, header)
            for h in header:
                if isinstance(h, str) and "时间" in h:
                    assert "北京时间" in h, (url, h)
            assert "UTC" not in " ".join(str(h) for h in header)


def test_exports_carry_no_internal_ids(app, objects):
    """The personal and cohort Excel files say what produced each record in words (课程《…》, 演练《…》·
    node title · choice), never a reference such as drill:gas-leak:v2:door_301:let-hood, an indicator
    id or a source kind."""
    import re

    from app import evidence as hub
    from app.competency import model

    competition = db.session.get(Competition, objects["competition"])
    organizer = logged_in(app, "organizer")
    worker_id = db.session.scalar(select(User.id).where(User.username == "worker"))
    ids = {i.id for i in model()} | {s.kind for s in hub.sources()}
    for url in (f"/profile/{worker_id}/records.xlsx", "/profile/cohort/records.xlsx",
                "/quizzes/onboarding-emergency-test/stats.xlsx", f"/compete/{competition.id}/results.xlsx"):
        values = [v for v in texts(organizer.get(url).get_data()) if isinstance(v, str)]
        assert not [v for v in values if v in ids], url
        assert not [v for v in values if re.fullmatch(r"[a-z_]+:[\w:.-]+", v)], url
    described = [v for v in texts(organizer.get(f"/profile/{worker_id}/records.xlsx").get_data())
                 if isinstance(v, str) and v.startswith("演练《")]
    assert described and all("·" in v for v in described)
