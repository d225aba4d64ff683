"""The monthly 《网格员工作案例汇编》 as a printable PDF (pure: no Flask, no database).

Callers pass the cases as ``BookCase`` values and get PDF bytes back::

    pdf = render_casebook("长青街道", 2026, 11, [BookCase(title=..., author="王小明", area="第三网格",
                          approved="2026-11-12", category="邻里纠纷", tags=["噪音"],
                          parts={"description": ..., "handling": ..., "lessons_learned": ..., "feedback": ...})])

The book: a cover with the street's name, the month and the number of cases; a contents page (each
case's number, title, author and page); then each case from a new page with its author credited and
its four parts (问题描述, 处置过程, 经验教训, 群众反馈), their Markdown (paragraphs, lists, bold)
set as text; page numbers (第 N 页) on every page after the cover. A4 portrait, the same CJK TrueType
font the certificates use (``app.certificates.find_cjk_font``: WenQuanYi Micro Hei on Debian), embedded.
``created`` (an aware datetime) fixes the file's dates, so the same cases give the same bytes.
"""
from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from ..certificates import _pdf_date, find_cjk_font

#: The four parts of a case, in the street's order, with their headings.
PARTS: tuple[tuple[str, str], ...] = (("description", "问题描述"), ("handling", "处置过程"),
                                      ("lessons_learned", "经验教训"), ("feedback", "群众反馈"))
BOOK_TITLE = "网格员工作案例汇编"
FONT_NAME = "GridCJKBook"

_font_lock = threading.Lock()
_font_ready = False


@dataclass(frozen=True)
class BookCase:
    """One case of the book."""

    title: str
    author: str                       # the credited person, or the source of a shipped case
    parts: Mapping[str, str]          # description, handling, lessons_learned, feedback (Markdown)
    area: str = ""                    # where the author works (their grid)
    approved: str = ""                # when it was approved (a local date), "" for a shipped case
    category: str = ""
    tags: Sequence[str] = field(default_factory=tuple)


def _font() -> str:
    global _font_ready
    with _font_lock:
        if not _font_ready:
            path, index = find_cjk_font()
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            _font_ready = True
    return FONT_NAME


def _styles(font: str) -> dict[str, ParagraphStyle]:
    ink, muted, accent = HexColor("#1f2933"), HexColor("#52606d"), HexColor("#9b1c1c")
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, textColor=ink, wordWrap="CJK",
                          spaceAfter=3)
    return {
        "body": base,
        "item": ParagraphStyle("item", parent=base, leftIndent=12, firstLineIndent=-8),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, leading=14, textColor=muted, spaceAfter=8),
        "case": ParagraphStyle("case", parent=base, fontSize=16, leading=23, spaceBefore=2, spaceAfter=6,
                               textColor=accent),
        "part": ParagraphStyle("part", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "contents": ParagraphStyle("contents", parent=base, fontSize=18, leading=26, alignment=TA_CENTER,
                                   spaceAfter=14),
        "toc": ParagraphStyle("toc", parent=base, fontSize=10.5, leading=18),
        "cover-street": ParagraphStyle("cover-street", parent=base, fontSize=20, leading=30, alignment=TA_CENTER,
                                       textColor=muted),
        "cover-title": ParagraphStyle("cover-title", parent=base, fontSize=30, leading=44, alignment=TA_CENTER,
                                      textColor=accent, spaceBefore=14, spaceAfter=14),
        "cover-line": ParagraphStyle("cover-line", parent=base, fontSize=14, leading=24, alignment=TA_CENTER),
    }


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LIST = re.compile(r"^\s*(?:[-*+]|(\d+)[.)、])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s*")


def _inline(text: str) -> str:
    """Escaped text with **bold** as <b> and other Markdown marks dropped."""
    text = escape(text)
    text = _BOLD.sub(r"<b>\1</b>", text)
    return re.sub(r"[`_]+|\*", "", text.replace("<b>", "\x00").replace("</b>", "\x01")) \
        .replace("\x00", "<b>").replace("\x01", "</b>")


def markdown_paragraphs(markdown: str) -> list[tuple[str, str]]:
    """A part's Markdown as (style, Paragraph markup) pairs: paragraphs, list items (• or 1.), headings
    in bold; lines of one paragraph joined."""
    out: list[tuple[str, str]] = []
    buffer: list[str] = []

    def flush():
        if buffer:
            out.append(("body", _inline("".join(buffer))))
            buffer.clear()

    for raw in (markdown or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line or set(line) <= {"-", "*", "_"}:
            flush()
            continue
        if line.startswith(">"):
            line = line.lstrip("> ").strip()
        item = _LIST.match(line)
        if _HEADING.match(line):
            flush()
            out.append(("body", f"<b>{_inline(_HEADING.sub('', line))}</b>"))
        elif item:
            flush()
            mark = f"{item.group(1)}." if item.group(1) else "•"
            out.append(("item", f"{mark} {_inline(line[item.end():])}"))
        else:
            buffer.append(line)
    flush()
    return out


class _Book(BaseDocTemplate):
    """Collects the contents entries (each case's heading) while the book is laid out."""

    def afterFlowable(self, flowable):  # noqa: N802 (ReportLab's name)
        entry = getattr(flowable, "toc_entry", None)
        if entry:
            self.notify("TOCEntry", (0, entry, self.page))


def _page_number(font: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.setFillColor(HexColor("#52606d"))
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"第 {doc.page} 页")
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 12 * mm, BOOK_TITLE)
        canvas.restoreState()
    return draw


def render_casebook(street: str, year: int, month: int, cases: Iterable[BookCase],
                    created: datetime | None = None, issuer: str = "") -> bytes:
    """The PDF of the book of ``cases`` (in their order) for ``street`` and the month."""
    cases = list(cases)
    font = _font()
    styles = _styles(font)
    buffer = io.BytesIO()
    frame = Frame(20 * mm, 20 * mm, A4[0] - 40 * mm, A4[1] - 40 * mm, id="text")
    book = _Book(buffer, pagesize=A4, title=f"{street}{BOOK_TITLE}（{year}年{month}月）", author=issuer or street,
                 subject=BOOK_TITLE, creator="GridAcademy",
                 leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm)
    book.addPageTemplates([PageTemplate(id="cover", frames=[frame]),
                           PageTemplate(id="pages", frames=[frame], onPage=_page_number(font))])
    story: list = [Spacer(1, 60 * mm), Paragraph(escape(street), styles["cover-street"]),
                   Paragraph(BOOK_TITLE, styles["cover-title"]),
                   Paragraph(f"{year}年{month}月", styles["cover-line"]),
                   Spacer(1, 10 * mm), Paragraph(f"收录案例 {len(cases)} 篇", styles["cover-line"])]
    if issuer:
        story += [Spacer(1, 40 * mm), Paragraph(escape(issuer), styles["cover-line"])]
    story += [NextPageTemplate("pages"), PageBreak(), Paragraph("目　录", styles["contents"])]
    contents = TableOfContents(dotsMinLevel=0)
    contents.levelStyles = [styles["toc"]]
    story.append(contents)
    if not cases:
        story.append(Paragraph("本月没有审核通过的案例。", styles["body"]))
    for number, case in enumerate(cases, start=1):
        story.append(PageBreak())
        heading = Paragraph(f"案例{number}　{escape(case.title)}", styles["case"])
        heading.toc_entry = f"案例{number}　{escape(case.title)}（{escape(case.author)}）"
        story.append(heading)
        meta = [f"作者：{escape(case.author)}" + (f"（{escape(case.area)}）" if case.area else "")]
        if case.approved:
            meta.append(f"审核通过：{escape(case.approved)}")
        if case.category:
            meta.append(f"类别：{escape(case.category)}")
        if case.tags:
            meta.append("标签：" + "、".join(escape(t) for t in case.tags))
        story.append(Paragraph("　".join(meta), styles["meta"]))
        for key, title in PARTS:
            story.append(Paragraph(f"【{title}】", styles["part"]))
            paragraphs = markdown_paragraphs(case.parts.get(key, ""))
            for style, markup in paragraphs or [("body", "（无）")]:
                story.append(Paragraph(markup, styles[style]))
    book.multiBuild(story, canvasmaker=_canvas_maker(created))
    return buffer.getvalue()


def _canvas_maker(created: datetime | None):
    """The canvas class: with ``created``, ReportLab's invariant mode and that moment as the PDF's date."""
    if created is None:
        return Canvas
    formatter = _pdf_date(created)

    class FixedDateCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self.setDateFormatter(formatter)

    return FixedDateCanvas
