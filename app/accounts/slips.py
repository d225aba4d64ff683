"""Password slips (密码条) and the sealing of one-time passwords until they are printed.

Pure module: no Flask, no database. A roster import keeps each new account's one-time password sealed
(Fernet: AES-128-CBC with an HMAC, from the ``cryptography`` package) under a key derived from the
app's SECRET_KEY with HKDF, so the database alone never shows a password. ``render_slips`` turns the
unsealed passwords into a printable A4 PDF: ten slips a page in two columns, with cutting lines, each
slip holding the name, the login name, the one-time password (in a fixed-width font) and the grid.
The Chinese font is the certificates' (``app.certificates.find_cjk_font``).
"""
from __future__ import annotations

import base64
import io
import threading
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..certificates import find_cjk_font

__all__ = ["Slip", "SealError", "seal", "unseal", "render_slips"]

#: Separates this key from any other use of SECRET_KEY.
_KEY_PURPOSE = b"gridacademy roster one-time passwords v1"


class SealError(Exception):
    """A sealed password cannot be opened (SECRET_KEY changed, or the value was altered)."""


def _fernet(secret_key: str | bytes) -> Fernet:
    raw = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_PURPOSE).derive(raw)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(password: str, secret_key: str | bytes) -> str:
    """The password encrypted and authenticated under a key derived from ``secret_key`` (text)."""
    return _fernet(secret_key).encrypt(password.encode("utf-8")).decode("ascii")


def unseal(token: str, secret_key: str | bytes) -> str:
    """The password sealed in ``token``. Raises SealError."""
    try:
        return _fernet(secret_key).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SealError("the sealed password cannot be opened with this SECRET_KEY") from exc


@dataclass(frozen=True)
class Slip:
    name: str
    login: str
    password: str
    area: str


_FONT_NAME = "GridSlipCJK"
_font_lock = threading.Lock()
_INK = HexColor("#222222")
_GREY = HexColor("#777777")
_LINE = HexColor("#999999")

COLUMNS, ROWS = 2, 5
MARGIN = 28.0


def _font() -> str:
    """Register the CJK font once per process; its ReportLab name."""
    with _font_lock:
        if _FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            path, index = find_cjk_font()
            pdfmetrics.registerFont(TTFont(_FONT_NAME, path, subfontIndex=index))
    return _FONT_NAME


def _fit(text: str, font: str, size: float, width: float, smallest: float = 6.0) -> tuple[str, float]:
    """Shrink ``size`` until ``text`` fits ``width``; below ``smallest``, cut it with an ellipsis."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def render_slips(slips: list[Slip], *, title: str, site: str, printed: str) -> bytes:
    """A printable PDF of ``slips`` (ten an A4 page). ``title`` names the import (file name),
    ``site`` is the address to log in at, ``printed`` the date and time shown in each page's header.
    Raises ``app.certificates.CertificateError`` when no Chinese font is installed."""
    font = _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=False)
    canvas.setTitle(f"密码条 · {title}")
    canvas.setAuthor("网格学院")
    page_w, page_h = A4
    slip_w = (page_w - 2 * MARGIN) / COLUMNS
    slip_h = (page_h - 2 * MARGIN - 14) / ROWS
    per_page = COLUMNS * ROWS
    pages = max(1, -(-len(slips) // per_page))
    for page in range(pages):
        if page:
            canvas.showPage()
        canvas.setFillColor(_GREY)
        header, size = _fit(f"网格学院 · 账号密码条 · {title} · 打印于 {printed} · 第 {page + 1}/{pages} 页",
                            font, 8, page_w - 2 * MARGIN)
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, page_h - MARGIN, header)
        for i, slip in enumerate(slips[page * per_page:(page + 1) * per_page]):
            col, row = i % COLUMNS, i // COLUMNS
            x = MARGIN + col * slip_w
            y = page_h - MARGIN - 14 - (row + 1) * slip_h
            _draw_slip(canvas, font, slip, x, y, slip_w, slip_h, site)
    canvas.save()
    return buffer.getvalue()


def _draw_slip(canvas: Canvas, font: str, slip: Slip, x: float, y: float, w: float, h: float, site: str) -> None:
    canvas.saveState()
    canvas.setStrokeColor(_LINE)
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.6)
    canvas.rect(x, y, w, h)  # cutting lines
    canvas.restoreState()
    pad = 12.0
    inner = w - 2 * pad
    top = y + h - pad
    canvas.setFillColor(_INK)
    canvas.setFont(font, 10)
    canvas.drawString(x + pad, top - 10, "网格学院 · 账号密码条")
    text, size = _fit(f"姓名：{slip.name}", font, 14, inner)
    canvas.setFont(font, size)
    canvas.drawString(x + pad, top - 32, text)
    text, size = _fit(f"登录名（工号）：{slip.login}", font, 11, inner)
    canvas.setFont(font, size)
    canvas.drawString(x + pad, top - 50, text)
    canvas.setFont(font, 11)
    label = "初始密码："
    canvas.drawString(x + pad, top - 72, label)
    canvas.setFont("Courier-Bold", 16)
    canvas.drawString(x + pad + pdfmetrics.stringWidth(label, font, 11), top - 73, slip.password)
    canvas.setFillColor(_GREY)
    text, size = _fit(f"所属网格：{slip.area}", font, 8.5, inner)
    canvas.setFont(font, size)
    canvas.drawString(x + pad, top - 90, text)
    if site:
        text, size = _fit(f"登录地址：{site}", font, 8.5, inner)
        canvas.setFont(font, size)
        canvas.drawString(x + pad, top - 103, text)
    for n, line in enumerate(("首次登录后须立即修改密码。请本人妥善保管，",
                              "登录后销毁本条，勿转交他人。")):
        text, size = _fit(line, font, 8, inner)
        canvas.setFont(font, size)
        canvas.drawString(x + pad, y + pad + 10 - n * 10, text)
