"""Printable PDF certificates (证书): one A4 landscape page per certificate, Chinese text embedded.

Pure module: no Flask, no database. Callers pass plain strings and get PDF bytes back::

    pdf = render_certificate("award", "王小明", "在2026年下半年网格员技能比武中荣获“政策通”单项奖",
                             "特发此证，以资鼓励。", "2026年11月20日", "滨江区网格化服务管理中心",
                             "GA-2026-0001")
    book = render_many([{"kind": "completion", "name": ..., ...}, ...])  # one page each
    book = render_many(pages, created=published_at)  # the same bytes on every call
    draft = render_many(pages, draft=True)           # a preview, marked 未发布 on every page

Fields:
  * ``kind``: ``"award"`` (荣誉证书), ``"participation"`` (参赛证书) or ``"completion"`` (结业证书);
  * ``name``: the person, printed large (shrunk to fit if very long);
  * ``title``: the body line, wrapped over up to three lines (a ``\\n`` forces a break);
  * ``subtitle``: an optional smaller line under the body (e.g. "特发此证，以资鼓励。"; see
    ``DEFAULT_SUBTITLES``), may be empty;
  * ``date_text`` and ``issuer``: the sign-off at the bottom right (issuer above the date; a
    ``\\n`` in ``issuer`` stacks joint issuers, at most three lines);
  * ``serial``: the certificate number, small at the bottom left.

Identical bytes: with ``created`` (an aware datetime, e.g. when the results were published) the PDF is
written in ReportLab's invariant mode with that moment as its creation and modification date, so the
same certificates give the same file on every download, in every process.

Font: ReportLab embeds (a subset of) a TrueType font; it cannot read CFF-outline fonts such as
Noto Sans/Serif CJK. The font is looked up at run time: ``$CERT_FONT`` if set (a path, optionally
``path#index`` for a .ttc face), else known Debian paths (fonts-wqy-microhei first), else whatever
fontconfig offers for Chinese. A font must load and cover the certificate's characters. If none
does, :class:`CertificateError` says which Debian package to install.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import threading
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "CertificateError",
    "DEFAULT_SUBTITLES",
    "DRAFT_MARK",
    "FONT_PACKAGE",
    "HEADINGS",
    "KINDS",
    "clear_font_cache",
    "find_cjk_font",
    "render_certificate",
    "render_many",
]

#: The Debian package that provides a usable font (TrueType outlines, GB2312+ coverage, 5 MB).
FONT_PACKAGE = "fonts-wqy-microhei"

#: (path, face index in a .ttc, Debian package). Checked in order, before fontconfig.
KNOWN_FONT_PATHS: tuple[tuple[str, int, str], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "fonts-wqy-zenhei"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming"),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0, "fonts-arphic-ukai"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0, "fonts-droid-fallback"),
)

KINDS = ("award", "participation", "completion")

HEADINGS = {"award": "荣誉证书", "participation": "参赛证书", "completion": "结业证书"}

#: Conventional closing lines; not applied automatically (pass one as ``subtitle`` if wanted).
DEFAULT_SUBTITLES = {
    "award": "特发此证，以资鼓励。",
    "participation": "特发此证，以资纪念。",
    "completion": "经考核合格，准予结业，特发此证。",
}

#: Printed across every page of a draft (a preview of certificates not yet issued).
DRAFT_MARK = "未发布 · 预览"

#: Characters every usable font must have (checked when the font is chosen).
_PROBE_TEXT = "荣誉证书参赛结业编号年月日网格员技能比武中心未发布预览"

_FIELDS = ("kind", "name", "title", "subtitle", "date_text", "issuer", "serial")

# Colour scheme per kind: (main colour, accent colour).
_THEMES = {
    "award": (HexColor("#A31F24"), HexColor("#C39A3C")),
    "participation": (HexColor("#1F4E79"), HexColor("#B8954A")),
    "completion": (HexColor("#1D5E55"), HexColor("#B8954A")),
}
_INK = HexColor("#222222")
_SOFT_INK = HexColor("#4A4A4A")
_GREY = HexColor("#8A8A8A")

# Chinese line-breaking: these never start a line / never end one.
_NO_LINE_START = set("，。、；：！？）》」』】〕”’…—·,.;:!?)]}%")
_NO_LINE_END = set("（《「『【〔“‘([{")


class CertificateError(Exception):
    """A certificate cannot be produced: no usable CJK font, a character the font lacks, bad input."""


# --------------------------------------------------------------------------------------------------
# Font lookup
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Font:
    name: str  # registered ReportLab font name
    path: str
    index: int
    chars: frozenset  # code points the font maps to a glyph


_font_lock = threading.Lock()
_font_cache: dict[str, _Font] = {}


def clear_font_cache() -> None:
    """Forget the chosen font (the next render looks it up again)."""
    with _font_lock:
        _font_cache.clear()


def _fontconfig_candidates() -> list[tuple[str, int]]:
    """Font files fontconfig offers for Simplified Chinese, best match first ([] without fontconfig)."""
    found: list[tuple[str, int]] = []
    commands = []
    if shutil.which("fc-match"):
        commands += [["fc-match", "-f", "%{file}\t%{index}\n", "serif:lang=zh-cn"],
                     ["fc-match", "-f", "%{file}\t%{index}\n", "sans:lang=zh-cn"]]
    if shutil.which("fc-list"):
        commands.append(["fc-list", "-f", "%{file}\t%{index}\n", ":lang=zh"])
    for cmd in commands:
        try:
            # fixed fc-match/fc-list arguments, no shell, no input from people
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False).stdout  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            continue
        for line in out.splitlines():
            path, _, index = line.partition("\t")
            if not path:
                continue
            candidate = (path, int(index) if index.strip().isdigit() else 0)
            if candidate not in found:
                found.append(candidate)
    return found


def _parse_font_spec(spec: str) -> tuple[str, int]:
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return spec, 0


def _try_font(path: str, index: int) -> tuple[_Font | None, str]:
    """Load one font file; return (font, "") or (None, why it is unusable)."""
    if not os.path.isfile(path):
        return None, "not found"
    try:
        # A stable name (not hash(), which differs per process): it is written into the PDF.
        tt = TTFont(f"GridCJK-{zlib.crc32(f'{path}#{index}'.encode()):x}", path, subfontIndex=index)
    except TTFError as exc:  # e.g. CFF outlines (Noto CJK): "postscript outlines are not supported"
        return None, re.sub(r'^\w+ file "[^"]*":\s*', "", str(exc)).strip() or "unreadable"
    except Exception as exc:  # a damaged or odd file must not stop the search
        return None, f"unreadable ({exc.__class__.__name__}: {exc})"
    chars = frozenset(tt.face.charToGlyph)
    missing = [c for c in _PROBE_TEXT if ord(c) not in chars]
    if missing:
        return None, "no Chinese glyphs (lacks " + "".join(missing[:6]) + ")"
    pdfmetrics.registerFont(tt)
    return _Font(tt.fontName, path, index, chars), ""


def find_cjk_font() -> tuple[str, int]:
    """Return (path, face index) of the TrueType CJK font certificates use.

    Raises :class:`CertificateError` naming the Debian package to install when no usable font exists.
    """
    font = _cjk_font()
    return font.path, font.index


def _cjk_font() -> _Font:
    with _font_lock:
        if "font" in _font_cache:
            return _font_cache["font"]
        tried: list[str] = []
        spec = os.environ.get("CERT_FONT", "").strip()
        if spec:
            candidates = [_parse_font_spec(spec)]
        else:
            candidates = [(p, i) for p, i, _pkg in KNOWN_FONT_PATHS]
            candidates += [c for c in _fontconfig_candidates() if c not in candidates]
        for path, index in candidates:
            font, why = _try_font(path, index)
            if font is not None:
                _font_cache["font"] = font
                return font
            if why != "not found" or spec:
                tried.append(f"{path}#{index}: {why}")
        source = f"$CERT_FONT={spec!r} is unusable" if spec else "no usable Chinese (CJK) TrueType font found"
        detail = ("; tried " + "; ".join(tried[:8])) if tried else ""
        raise CertificateError(
            f"{source}{detail}. Install the Debian package {FONT_PACKAGE} "
            f"(apt-get install {FONT_PACKAGE}; or run scripts/install-system-deps.sh), "
            "or set CERT_FONT to a TrueType-outline .ttf/.ttc font with Chinese glyphs "
            "(CFF fonts such as Noto Sans CJK cannot be embedded by ReportLab)."
        )


# --------------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------------
def _clean(value, field: str, *, required: bool, keep_newlines: bool = False) -> str:
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if keep_newlines:
        lines = [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
    else:
        text = re.sub(r"\s+", " ", text).strip()
    if required and not text:
        raise CertificateError(f"certificate field {field!r} is empty")
    return text


def _check_glyphs(font: _Font, texts: dict[str, str]) -> None:
    for field, text in texts.items():
        missing = sorted({c for c in text if c not in "\n " and ord(c) not in font.chars})
        if missing:
            shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:10])
            raise CertificateError(
                f"the font {os.path.basename(font.path)} has no glyph for {shown} in {field} "
                f"{text!r}; use another character or set CERT_FONT to a font that has it"
            )


def _width(text: str, font: str, size: float, char_space: float = 0.0) -> float:
    return pdfmetrics.stringWidth(text, font, size) + char_space * max(len(text) - 1, 0)


def _wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Break CJK (and mixed) text into lines no wider than ``max_width``, honouring simple 禁则."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        # Tokens: runs of Latin letters/digits stay whole; everything else is one character.
        tokens = re.findall(r"[A-Za-z0-9@#&_\-+./:%]+|\s|.", paragraph)
        line = ""
        for tok in tokens:
            if not line and tok.isspace():
                continue
            if _width(line + tok, font, size) <= max_width or not line:
                line += tok
                continue
            # Move a trailing opening bracket to the next line; pull a closing mark onto this one.
            if tok[0] in _NO_LINE_START:
                line += tok
                continue
            carry = ""
            while line and line[-1] in _NO_LINE_END:
                carry = line[-1] + carry
                line = line[:-1]
            lines.append(line.rstrip())
            line = (carry + tok).lstrip()
        if line.strip():
            lines.append(line.rstrip())
    return lines


def _balanced_wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """``_wrap`` at the narrowest width that still needs no more lines, so that the lines come out
    even and the last one is not a lone word (“单项奖” by itself under a full line)."""
    lines = _wrap(text, font, size, max_width)
    if len(lines) < 2:
        return lines
    low, high = max_width / 2, max_width
    while high - low > 2:
        middle = (low + high) / 2
        if len(_wrap(text, font, size, middle)) == len(lines):
            high = middle
        else:
            low = middle
    return _wrap(text, font, size, high)


def _fit_size(text: str, font: str, size: float, min_size: float, max_width: float,
              char_space: float = 0.0) -> float:
    while size > min_size and _width(text, font, size, char_space) > max_width:
        size -= 0.5
    return size


# --------------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------------
PAGE_SIZE = landscape(A4)  # 841.9 x 595.3 pt


def _draw_text(c: Canvas, text: str, font: str, size: float, x: float, y: float, *,
               align: str = "center", color: Color = _INK, char_space: float = 0.0, bold: float = 0.0):
    """Draw one line; ``bold`` > 0 thickens the strokes (the font has no bold face)."""
    width = _width(text, font, size, char_space)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    c.saveState()  # the text render mode and line width are graphics state: keep them local
    t = c.beginText()
    t.setTextOrigin(x, y)
    t.setFont(font, size)
    t.setCharSpace(char_space)
    c.setFillColor(color)
    if bold:
        c.setStrokeColor(color)
        c.setLineWidth(bold)
        c.setLineJoin(1)
        t.setTextRenderMode(2)  # fill, then stroke the outline: faux bold
    t.textOut(text)
    c.drawText(t)
    c.restoreState()
    return width


def _diamond(c: Canvas, x: float, y: float, r: float, color: Color) -> None:
    p = c.beginPath()
    p.moveTo(x, y + r)
    p.lineTo(x + r, y)
    p.lineTo(x, y - r)
    p.lineTo(x - r, y)
    p.close()
    c.setFillColor(color)
    c.drawPath(p, stroke=0, fill=1)


def _draw_frame(c: Canvas, main: Color, accent: Color) -> None:
    w, h = PAGE_SIZE
    c.saveState()
    # Outer heavy border and inner fine gold border.
    c.setStrokeColor(main)
    c.setLineWidth(4)
    c.rect(26, 26, w - 52, h - 52)
    c.setLineWidth(0.8)
    c.rect(33, 33, w - 66, h - 66)
    c.setStrokeColor(accent)
    c.setLineWidth(1.2)
    c.rect(40, 40, w - 80, h - 80)
    # Corner ornaments: a double gold bracket with a diamond at each inner corner.
    inset, arm, gap = 48, 46, 6
    for cx, sx in ((inset, 1), (w - inset, -1)):
        for cy, sy in ((inset, 1), (h - inset, -1)):
            for k, lw in ((0, 1.6), (1, 0.7)):
                off = k * gap
                p = c.beginPath()
                p.moveTo(cx + sx * off, cy + sy * (arm - off))
                p.lineTo(cx + sx * off, cy + sy * off)
                p.lineTo(cx + sx * (arm - off), cy + sy * off)
                c.setLineWidth(lw)
                c.drawPath(p, stroke=1, fill=0)
            _diamond(c, cx + sx * 14, cy + sy * 14, 3.2, accent)
    c.restoreState()


def _draw_rule(c: Canvas, cx: float, y: float, half: float, color: Color) -> None:
    """A short ornamental rule: two lines with a diamond between them."""
    c.saveState()
    c.setStrokeColor(color)
    c.setLineWidth(0.9)
    c.line(cx - half, y, cx - 12, y)
    c.line(cx + 12, y, cx + half, y)
    _diamond(c, cx, y, 4.5, color)
    _diamond(c, cx - half - 6, y, 2, color)
    _diamond(c, cx + half + 6, y, 2, color)
    c.restoreState()


_BODY_WIDTH = PAGE_SIZE[0] - 2 * 125
_BODY_TOP = PAGE_SIZE[1] - 318  # baseline of the first body line
_BODY_FLOOR = 150  # lowest body baseline with a one-line issuer (raised by further issuer lines)
_ISSUER_BASELINE = 122  # baseline of the (last) issuer line; the date sits below it
_ISSUER_LEAD = 1.45
_BODY_LEAD = 1.65
_SUB_LEAD = 1.6


def _layout_body(title: str, subtitle: str, font: str, floor: float = _BODY_FLOOR
                 ) -> tuple[list[str], float, list[str], float]:
    """Wrap title and subtitle at the largest size (22 pt down to 12 pt) at which both fit.

    Three body lines at most while the size is 16 pt or more; below that, whatever fits.
    """
    size = 22.0
    while size >= 12:
        lines = _balanced_wrap(title, font, size, _BODY_WIDTH)
        sub_size = min(16.0, size * 0.8)
        sub_lines = _wrap(subtitle, font, sub_size, _BODY_WIDTH) if subtitle else []
        last = _BODY_TOP - (len(lines) - 1) * size * _BODY_LEAD
        if sub_lines:
            last -= size * _BODY_LEAD + 2  # one body lead down, then a 2 pt gap
            last -= (len(sub_lines) - 1) * (2 + sub_size * _SUB_LEAD)
        if last >= floor and (len(lines) <= 3 or size <= 16):
            return lines, size, sub_lines, sub_size
        size -= 1
    raise CertificateError(
        f"the body text is too long for one certificate page ({len(title) + len(subtitle)} characters); "
        "shorten the title or subtitle"
    )


def _draw_seal_area(c: Canvas, font: str, x: float, y: float) -> None:
    """A faint dashed circle over the issuer's name where the issuing body stamps its seal (盖章处)."""
    c.saveState()
    c.setStrokeColor(Color(0.75, 0.2, 0.2, alpha=0.35))
    c.setDash(3, 3)
    c.setLineWidth(0.8)
    c.circle(x, y + 8, 44, stroke=1, fill=0)
    c.restoreState()
    _draw_text(c, "（盖章）", font, 8, x, y + 40, color=Color(0.75, 0.2, 0.2, alpha=0.45))


def _draw_draft_mark(c: Canvas, font: str) -> None:
    """``DRAFT_MARK`` large and pale across the page."""
    w, h = PAGE_SIZE
    c.saveState()
    c.translate(w / 2, h / 2)
    c.rotate(24)
    _draw_text(c, DRAFT_MARK, font, 72, 0, -24, color=Color(0.75, 0.1, 0.1, alpha=0.18))
    c.restoreState()


def _draw_page(c: Canvas, font: _Font, cert: dict[str, str], draft: bool = False) -> None:
    w, h = PAGE_SIZE
    cx = w / 2
    fn = font.name
    main, accent = _THEMES[cert["kind"]]
    _draw_frame(c, main, accent)
    if draft:
        _draw_draft_mark(c, fn)

    # Heading, letter-spaced.
    heading = HEADINGS[cert["kind"]]
    _draw_text(c, heading, fn, 46, cx, h - 138, color=main, char_space=20, bold=1.1)
    _draw_rule(c, cx, h - 166, 150, accent)

    # The person's name, large, on a gold line.
    max_name = w * 0.6
    size = _fit_size(cert["name"], fn, 40, 14, max_name, char_space=6)
    y_name = h - 248
    nw = _draw_text(c, cert["name"], fn, size, cx, y_name, color=_INK, char_space=6, bold=0.6)
    c.saveState()
    c.setStrokeColor(accent)
    c.setLineWidth(1)
    half = max(nw / 2 + 36, 110)
    c.line(cx - half, y_name - 14, cx + half, y_name - 14)
    c.restoreState()

    # Body line(s) and subtitle, shrunk until they fit above the sign-off.
    n_issuer = cert["issuer"].count("\n") + 1
    floor = _BODY_FLOOR + (n_issuer - 1) * 19 * _ISSUER_LEAD
    lines, size, sub_lines, sub_size = _layout_body(cert["title"], cert["subtitle"], fn, floor)
    lead = size * _BODY_LEAD
    y = _BODY_TOP
    for line in lines:
        _draw_text(c, line, fn, size, cx, y, color=_INK)
        y -= lead
    for line in sub_lines:
        y -= 2
        _draw_text(c, line, fn, sub_size, cx, y, color=_SOFT_INK)
        y -= sub_size * _SUB_LEAD

    # Sign-off at the bottom right: issuer line(s) above the date, centred on each other (落款).
    issuer_lines = cert["issuer"].split("\n")
    issuer_size = min(_fit_size(line, fn, 19, 9, w * 0.42) for line in issuer_lines)
    date_size = 15.0
    block = max([_width(line, fn, issuer_size) for line in issuer_lines]
                + [_width(cert["date_text"], fn, date_size)])
    right_edge = w - 90
    bx = min(w - 205, right_edge - block / 2)
    for k, line in enumerate(reversed(issuer_lines)):
        _draw_text(c, line, fn, issuer_size, bx, _ISSUER_BASELINE + k * issuer_size * _ISSUER_LEAD, color=_INK)
    if cert["date_text"]:
        _draw_text(c, cert["date_text"], fn, date_size, bx, 96, color=_SOFT_INK)
    _draw_seal_area(c, fn, bx, _ISSUER_BASELINE)

    # Serial number, small, at the bottom left (a draft has none yet).
    _draw_text(c, f"证书编号：{DRAFT_MARK if draft else cert['serial']}", fn, 9.5, 104, 60, align="left", color=_GREY)


def _normalise(cert: dict, where: str = "") -> dict[str, str]:
    kind = str(cert.get("kind", "")).strip().lower()
    if kind not in KINDS:
        raise CertificateError(f"{where}unknown certificate kind {cert.get('kind')!r}; expected one of {KINDS}")
    out = {
        "kind": kind,
        "name": _clean(cert.get("name"), "name", required=True),
        "title": _clean(cert.get("title"), "title", required=True, keep_newlines=True),
        "subtitle": _clean(cert.get("subtitle"), "subtitle", required=False, keep_newlines=True),
        "date_text": _clean(cert.get("date_text"), "date_text", required=False),
        "issuer": _clean(cert.get("issuer"), "issuer", required=True, keep_newlines=True),
        "serial": _clean(cert.get("serial"), "serial", required=True),
    }
    if out["issuer"].count("\n") > 2:
        raise CertificateError(f"{where}issuer has more than three lines: {out['issuer']!r}")
    return out


def _pdf_date(moment: datetime):
    """A ReportLab date formatter that writes ``moment`` (aware) whatever the time of writing."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CertificateError("the certificates' date must be timezone-aware")
    offset = int(moment.utcoffset().total_seconds() // 60)
    sign, offset = ("+" if offset >= 0 else "-"), abs(offset)

    def formatter(*_now) -> str:
        return moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{offset // 60:02d}'{offset % 60:02d}'"

    return formatter


def _render(certs: list[dict[str, str]], created: datetime | None = None, draft: bool = False) -> bytes:
    font = _cjk_font()
    for cert in certs:
        try:
            _check_glyphs(font, {k: v for k, v in cert.items() if k != "kind"})
        except CertificateError as exc:
            raise CertificateError(f"certificate {cert['serial']}: {exc}") from None
    buf = io.BytesIO()
    # initialFontName: otherwise every page names Helvetica, an unembedded font, in its resources.
    # invariant: no time of writing and a fixed document id, so the same input gives the same bytes.
    c = Canvas(buf, pagesize=PAGE_SIZE, pageCompression=1, initialFontName=font.name, initialFontSize=12,
               lang="zh-CN", invariant=1 if created is not None else None)
    if created is not None:
        c.setDateFormatter(_pdf_date(created))
    first = certs[0]
    if len(certs) == 1:
        c.setTitle(f"{HEADINGS[first['kind']]} {first['name']} {first['serial']}")
    else:
        c.setTitle(f"{first['issuer']} 证书（{len(certs)}份）".replace("\n", " "))
    c.setAuthor(first["issuer"].replace("\n", " "))
    c.setSubject(first["title"].replace("\n", " "))
    c.setCreator("GridAcademy 网格学院")
    for cert in certs:
        _draw_page(c, font, cert, draft)
        c.showPage()
    c.save()
    return buf.getvalue()


def render_certificate(kind: str, name: str, title: str, subtitle: str, date_text: str, issuer: str,
                       serial: str, *, created: datetime | None = None, draft: bool = False) -> bytes:
    """Return a one-page A4 landscape PDF certificate (CJK font subset embedded)."""
    return _render([_normalise({"kind": kind, "name": name, "title": title, "subtitle": subtitle,
                                "date_text": date_text, "issuer": issuer, "serial": serial})], created, draft)


def render_many(certificates, *, created: datetime | None = None, draft: bool = False) -> bytes:
    """Return one PDF with one page per certificate, in order (for printing a whole competition).

    Each item is a mapping with the keys of :func:`render_certificate` (``subtitle`` and
    ``date_text`` may be omitted). With ``created`` (aware) the file is the same bytes on every call
    (its creation date is ``created``); ``draft`` marks every page ``DRAFT_MARK``. Raises
    :class:`CertificateError` for an empty list, an unknown key, or any invalid certificate (naming
    its position), before anything is drawn.
    """
    items = list(certificates)
    if not items:
        raise CertificateError("no certificates to render")
    certs = []
    for i, item in enumerate(items, start=1):
        if not hasattr(item, "get"):
            raise CertificateError(f"certificate #{i}: expected a mapping, got {type(item).__name__}")
        unknown = set(item) - set(_FIELDS)
        if unknown:
            raise CertificateError(f"certificate #{i}: unknown field(s) {sorted(unknown)}")
        try:
            certs.append(_normalise(item))
        except CertificateError as exc:
            raise CertificateError(f"certificate #{i}: {exc}") from None
    return _render(certs, created, draft)
