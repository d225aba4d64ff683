"""The 学时证明 (hours statement) PDF: one A4 page (or more) listing a person's credited hours from
classes and online courses, with totals per tier. Pure: ReportLab and the CJK font of
``app.certificates``; no Flask, no database."""
from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..certificates import find_cjk_font

#: Tier names as printed (the statement is a Chinese document whatever the reader's UI language).
TIER_ZH = {"onboarding": "入职培训", "annual": "年度轮训", "topical": "专题培训"}
FONT_NAME = "GridCJKStatement"


@dataclass(frozen=True)
class StatementRow:
    day: str        # YYYY-MM-DD
    kind: str       # 培训班 / 网络课程
    title: str
    tier: str       # printed tier name
    hours: float


def _font() -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path, index = find_cjk_font()
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
    return FONT_NAME


def render_statement(*, name: str, number: str, area: str, period: str, rows: list[StatementRow],
                     issued: str) -> bytes:
    """PDF bytes of the statement; ``rows`` oldest first. Raises CertificateError without a CJK font."""
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17)
    cell = ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=13)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"学时证明 {name} {period}", author="GridAcademy 网格学院",
                            invariant=1)
    story = [Paragraph("学时证明", title), Spacer(1, 6 * mm),
             Paragraph(f"姓名：{name}　　工号：{number}　　所在网格：{area}", body),
             Paragraph(f"统计期间：{period}", body), Spacer(1, 4 * mm)]
    data = [["日期", "类别", "培训班 / 课程", "层级", "学时"]]
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        data.append([row.day, row.kind, Paragraph(row.title, cell), row.tier, f"{row.hours:g}"])
        totals[row.tier] += row.hours
    if not rows:
        data.append(["—", "—", Paragraph("本期间无已计学时", cell), "—", "0"])
    table = Table(data, colWidths=[24 * mm, 20 * mm, 90 * mm, 22 * mm, 16 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EFEE")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (4, 0), (4, -1), "RIGHT"),
    ]))
    story += [table, Spacer(1, 5 * mm)]
    summary = "；".join(f"{tier} {hours:g} 学时" for tier, hours in totals.items()) or "0 学时"
    story += [Paragraph(f"合计：{sum(totals.values()):g} 学时（{summary}）", body), Spacer(1, 10 * mm),
              Paragraph("特此证明。", body), Spacer(1, 8 * mm),
              Paragraph(f"出具日期：{issued}　　GridAcademy 网格学院", body)]
    doc.build(story)
    return buffer.getvalue()
