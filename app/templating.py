"""Jinja setup: Markdown rendering (sanitised), date and number filters, template globals."""
from __future__ import annotations

import nh3
from flask import Flask
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import evidence, nav
from .clock import date_text, local_text
from .labels import template_globals
from .models import ROLES
from .notifications import unread_count

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "blockquote", "code",
    "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "a", "img", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}


def render_markdown(text: str) -> Markup:
    """Markdown → HTML with raw HTML disabled, then sanitised with nh3 (safe links only)."""
    html = _md.render(text or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)  # noqa: S704 (nh3-sanitised: allow-listed tags, attributes and URL schemes)


def render_markdown_inline(text: str) -> Markup:
    """One line of Markdown (an option, a short feedback) → inline HTML, sanitised like ``render_markdown``."""
    html = _md.renderInline(text or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)  # noqa: S704 (nh3-sanitised: allow-listed tags, attributes and URL schemes)


def strip_title(text: str) -> str:
    """Drop the leading ``# title`` line (the page shows the title itself)."""
    lines = (text or "").splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines)


def hours(value: float | None) -> str:
    """1.0 → '1', 2.5 → '2.5'."""
    return f"{(value or 0):.1f}".rstrip("0").rstrip(".")


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(markdown=render_markdown, markdown_inline=render_markdown_inline, strip_title=strip_title,
                                 datetime=local_text, date=date_text, hours=hours, number=hours)

    @app.context_processor
    def globals_():
        return {"csrf_token": generate_csrf, "current_locale": str(get_locale()), "ROLES": ROLES,
                "unread_count": unread_count(), "nav_items": nav.items_for, "evidence_label": evidence.label,
                **template_globals()}
