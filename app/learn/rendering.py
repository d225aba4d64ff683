"""A lesson's body as HTML, rendered once per content version and process (issue 14 item 3).

Rendering and sanitising a lesson's Markdown is the larger part of a lesson page's time; the text
only changes when a content sync brings a new version (a new ``content_hash``), so the HTML is kept
in a bounded per-process cache keyed by the version and the text itself (a different text is never
served from another's entry, whatever the hash says).
"""
from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from ..models import Lesson
from ..templating import render_markdown, strip_title


@lru_cache(maxsize=512)
def _rendered(_content_hash: str, body: str) -> Markup:
    return render_markdown(strip_title(body))


def lesson_html(lesson: Lesson) -> Markup:
    """The lesson's body without its ``# title`` line, as sanitised HTML."""
    return _rendered(lesson.content_hash or "", lesson.body_md or "")
