"""Moodle's text formats → the Markdown GridAcademy stores (and back, for export).

Pure: no Flask, no database. Moodle tags each piece of a GIFT question (question text, every answer,
every feedback) with a format; an untagged piece has the question text's format, and the question
text's default is Moodle's "auto-format" (``FORMAT_MOODLE``). Pages render stored text as Markdown
(``app.templating.render_markdown``: raw HTML off, nh3 allow-list), so each piece is converted once,
at import::

    markdown, notices = to_markdown(text, "html")   # notices: what could not be kept, e.g. an image
                                                    # whose file is not in the GIFT file

- ``markdown``: kept as written (``[markdown]``).
- ``plain``: shown exactly as typed: Markdown's special characters are escaped, line breaks kept.
- ``html``: cleaned with nh3 (an allow-list: links, bold, italics, code, pre, lists, paragraphs,
  line breaks, images) and turned into Markdown with markdownify, so links, **bold**, ``code`` and
  the indentation inside ``<pre>`` survive and nothing else (scripts, styles, event handlers) does.
  Images stored in Moodle (``@@PLUGINFILE@@/…``) are not in a GIFT file: each becomes the words
  "[图片：name]" and a notice names it.
- ``moodle`` (auto-format): what Moodle does with it — HTML tags are honoured, line breaks are
  kept, and everything else is text, so ``2*3 and 4*5`` stays as typed (not Markdown emphasis).
"""
from __future__ import annotations

import html
import re

import nh3
from markdownify import markdownify

FORMATS = ("moodle", "html", "plain", "markdown")

_HTML_TAGS = {"a", "b", "strong", "i", "em", "u", "code", "pre", "p", "br", "div", "span", "ul", "ol",
              "li", "img", "blockquote", "sub", "sup", "tt", "kbd", "h1", "h2", "h3", "h4", "h5", "h6"}
_HTML_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_SCHEMES = {"http", "https", "mailto"}
_HAS_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_PLUGIN_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*([\"'])@@PLUGINFILE@@/?([^\"']*)\1[^>]*>", re.IGNORECASE)
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)(>|#+(?=\s|$)|[-+](?=\s|$)|\d+[.)](?=\s|$))", re.MULTILINE)
_ENTITY = re.compile(r"&(#?\w+;)")


def _escape_line_start(match: re.Match) -> str:
    mark = match.group(2)
    if mark[0].isdigit():  # "1." → "1\." (a backslash escapes punctuation only)
        return match.group(1) + mark[:-1] + "\\" + mark[-1]
    return match.group(1) + "\\" + mark


def escape_markdown(text: str) -> str:
    """Text that renders as exactly itself in Markdown (line breaks kept as hard breaks)."""
    escaped = _MD_INLINE.sub(r"\\\1", text)
    escaped = _ENTITY.sub(r"\\&\1", escaped)
    escaped = _MD_LINE_START.sub(_escape_line_start, escaped)
    lines = [line.strip() for line in escaped.split("\n")]
    return "\\\n".join(lines).strip()


def html_to_markdown(text: str) -> tuple[str, list[str]]:
    """Cleaned HTML as Markdown; notices name the images whose files were left behind."""
    notices: list[str] = []

    def image(match: re.Match) -> str:
        name = html.unescape(match.group(2)).split("?")[0] or "image"
        notices.append(name)
        return f"[图片：{html.escape(name)}]"

    text = _PLUGIN_IMAGE.sub(image, text)
    clean = nh3.clean(text, tags=_HTML_TAGS, attributes=_HTML_ATTRIBUTES, url_schemes=_SCHEMES,
                      link_rel=None)
    markdown = markdownify(clean, heading_style="ATX", bullets="-", strong_em_symbol="*",
                           code_language="", escape_misc=False)
    markdown = re.sub(r"[ \t]+\n", lambda m: m.group(0) if m.group(0).startswith("  ") else "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown)
    return markdown.strip(), notices


def to_markdown(text: str, fmt: str) -> tuple[str, list[str]]:
    """``text`` in Moodle format ``fmt`` (one of ``FORMATS``) as Markdown, and notices (image names)."""
    if fmt == "markdown":
        return text.strip(), []
    if fmt == "plain":
        return escape_markdown(text), []
    if fmt == "html":
        return html_to_markdown(text)
    if _HAS_TAG.search(text):
        return html_to_markdown(text.strip().replace("\n", "<br>\n"))
    return escape_markdown(html.unescape(text) if _ENTITY.search(text) else text), []


def split_format(text: str, default: str) -> tuple[str, str]:
    """(format, text) for a piece that may start with ``[html]``, ``[moodle]``, ``[plain]`` or
    ``[markdown]`` (Moodle's ``parse_text_with_format``: an unknown tag stays part of the text)."""
    stripped = text.strip()
    match = re.match(r"\[(\w+)\]", stripped)
    if match and match.group(1) in FORMATS:
        return match.group(1), stripped[match.end():].strip()
    return default, stripped
