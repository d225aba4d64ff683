"""The monthly 《网格员工作案例汇编》: an organizer downloads the cases approved in a month (local time) by
people of their area as a printable PDF (cover with the street and month, contents, each case in its
four parts with its author, page numbers); other streets' cases, cases not approved and other months'
are left out; shipped cases only when asked; workers and mentors cannot have it."""
import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from app.clock import from_local
from app.extensions import db
from app.kb import monthly
from app.kb.casebook import markdown_paragraphs
from app.models import CaseSubmission
from app.refusal import FieldRefusal
from tests.views.kb_support import kb, kb_knowledge, visitor  # noqa: F401  (fixtures)

PARTS = {"description": "凌晨楼上**空置房**水管冻裂，水漫到楼下。", "handling": "1. 先断电\n2. 关单元总阀\n- 联系业主",
         "lessons_learned": "- 空置房业主的电话要定期核对。", "feedback": "楼下住户说：心里有底了。"}


def case(author, title, approved_at=None, status="approved"):
    found = CaseSubmission(author_id=author.id, title=title, category="emergency", tags=["漏水", "夜间"],
                           indicators=["handling.emergency"], status=status, submitted_at=approved_at,
                           reviewed_at=approved_at if status == "approved" else None, **PARTS)
    db.session.add(found)
    db.session.flush()
    return found


@pytest.fixture
def month_of_cases(people):
    local = lambda *args: from_local(datetime(*args))  # noqa: E731
    case(people["worker"], "长青十一月初的漏水处置", local(2026, 11, 2, 9, 0))
    case(people["mentor"], "长青十一月底最后一晚的案例", local(2026, 11, 30, 23, 30))       # 15:30 UTC, still November
    case(people["worker"], "长青十二月凌晨的案例", local(2026, 12, 1, 0, 10))             # 30 Nov 16:10 UTC: December
    case(people["worker"], "长青十月的案例", local(2026, 10, 31, 12, 0))
    case(people["worker"], "长青还在审核的案例", local(2026, 11, 5, 9, 0), status="submitted")
    case(people["other_worker"], "临湖十一月的案例", local(2026, 11, 10, 9, 0))
    db.session.commit()


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_an_organizer_downloads_the_months_approved_cases_of_their_area(client, login, month_of_cases, people):
    login("organizer")
    response = client.get("/kb/cases/casebook.pdf", query_string={"month": "2026-11"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "casebook-2026-11.pdf" in response.headers["Content-Disposition"]
    reader, text = text_of(response.data)
    cover = reader.pages[0].extract_text()
    assert "长青街道" in cover and "网格员工作案例汇编" in cover and "2026年11月" in cover and "收录案例 2 篇" in cover
    contents = reader.pages[1].extract_text()
    assert "目" in contents and "长青十一月初的漏水处置" in contents and "张晓梅" in contents
    assert "长青十一月初的漏水处置" in text and "长青十一月底最后一晚的案例" in text
    for left_out in ("长青十二月凌晨的案例", "长青十月的案例", "长青还在审核的案例", "临湖十一月的案例"):
        assert left_out not in text
    first_case = reader.pages[2].extract_text()
    assert "作者：张晓梅" in first_case and "审核通过：2026-11-02" in first_case
    assert [part in first_case for part in ("问题描述", "处置过程", "经验教训", "群众反馈")] == [True] * 4
    assert "空置房" in first_case and "**" not in first_case and "联系业主" in first_case
    assert "第 3 页" in first_case and len(reader.pages) == 4             # cover, contents, two cases


def test_the_other_street_and_the_city(app, client, login, month_of_cases, people):
    login("linhu_org")
    _reader, text = text_of(client.get("/kb/cases/casebook.pdf?month=2026-11").data)
    assert "临湖街道" in text and "临湖十一月的案例" in text and "长青十一月初的漏水处置" not in text
    _reader, text = text_of(visitor(app, "admin").get("/kb/cases/casebook.pdf?month=2026-12").data)
    assert "长青十二月凌晨的案例" in text and "长青十一月底最后一晚的案例" not in text


def test_shipped_cases_only_when_asked(client, login, kb, month_of_cases, people):
    login("organizer")
    plain = PdfReader(io.BytesIO(client.get("/kb/cases/casebook.pdf?month=2026-11").data))
    reader, text = text_of(client.get("/kb/cases/casebook.pdf?month=2026-11&shipped=y").data)
    assert "网格学院案例库" in text and "深夜楼道闻到燃气味" in text and len(reader.pages) > len(plain.pages) + 40


def test_workers_and_mentors_cannot_have_it(app, client, login, month_of_cases):
    login("worker")
    assert client.get("/kb/cases/casebook.pdf?month=2026-11").status_code == 403
    mentor = visitor(app, "mentor")
    assert mentor.get("/kb/cases/casebook.pdf?month=2026-11").status_code == 403
    assert "casebook" not in mentor.get("/kb/inbox").get_data(as_text=True)


def test_a_bad_or_empty_month_is_refused_on_the_inbox_page(client, login, month_of_cases):
    login("organizer")
    response = client.get("/kb/cases/casebook.pdf?month=11/2026", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/kb/inbox" and "月份：请选择月份，格式如 2026-11。" in page
    assert 'id="casebook-month"' in page
    response = client.get("/kb/cases/casebook.pdf?month=2026-09", follow_redirects=True)
    assert "本辖区 2026-09 没有审核通过的案例。" in response.get_data(as_text=True)
    with pytest.raises(FieldRefusal):
        monthly.parse_month("2026-13")
    assert monthly.parse_month("2026-3") == (2026, 3)


def test_the_inbox_offers_the_export_to_organizers(client, login, month_of_cases):
    login("organizer")
    page = client.get("/kb/inbox").get_data(as_text=True)
    assert 'id="casebook"' in page and 'action="/kb/cases/casebook.pdf"' in page and "月度案例汇编" in page


def test_markdown_of_a_part_becomes_paragraphs_and_items():
    assert markdown_paragraphs("第一行\n接着\n\n1. 先断电\n- 找业主\n**重点**<b>") == [
        ("body", "第一行接着"), ("item", "1. 先断电"), ("item", "• 找业主"), ("body", "<b>重点</b>&lt;b&gt;")]
