"""Chinese text rules for content: line breaks that authors put inside a sentence must not become spaces.

YAML folds a line break inside a folded (``>``), plain or quoted scalar into a space, and Markdown
renders a line break inside a paragraph as a space too. Between two Chinese characters that space is
wrong ("无色无味， 这是"). The content loader joins such lines so the database never holds the space;
a space written deliberately inside one line ("第七十条 社会生活噪声扰民") is kept.

Pure: no Flask, no database.
"""
from __future__ import annotations

import re

#: Bumped when these rules change, so that content hashes change and the next sync rewrites the text.
TEXT_RULES_VERSION = "cjk-2"

#: CJK ideographs, CJK symbols and punctuation (、。「」《》…), full-width forms (，：；！？（）), curly
#: quotes, the ellipsis and the em dash: characters between which Chinese text has no space.
_WIDE = (
    "\u2014\u2018\u2019\u201c\u201d\u2026"  # — ‘ ’ “ ” …
    "\u3000-\u303f"  # CJK symbols and punctuation
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uff00-\uffef"  # full-width and half-width forms
)
_WIDE_CHAR = re.compile(f"[{_WIDE}]")
_TAIL = re.compile(f"[{_WIDE}0-9]{{1,4}}$")
_HEAD = re.compile(f"^[{_WIDE}0-9]{{1,4}}")
_LIST_ITEM = re.compile(r"^\d{1,9}[.)](\s|$)")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
#: Lines that are a block of their own: the next line never continues them.
_OWN_BLOCK = re.compile(r"^\s{0,3}(#|\||```|~~~)")


def is_wide(ch: str) -> bool:
    """True for a Chinese character or full-width punctuation mark."""
    return bool(ch) and _WIDE_CHAR.fullmatch(ch) is not None


def joins(before: str, after: str) -> bool:
    """True when a line break between ``before`` and ``after`` sits inside Chinese text: wide
    characters on both sides, or a wide character and a digit (断电后，/120, 拨打120/和燃气), but never
    before an ordered-list item (``1. …``)."""
    if not before or not after or _LIST_ITEM.match(after):
        return False
    last, first = before[-1], after[0]
    return (is_wide(last) and (is_wide(first) or first.isdigit())) or (last.isdigit() and is_wide(first))


def unfold(value: str, source_lines: list[str]) -> str:
    """``value`` as YAML folded it from ``source_lines`` (the scalar's raw lines), without the spaces
    that folding put between two wide characters at a line break."""
    lines = [line.strip() for line in source_lines]
    for before, after in zip(lines, lines[1:]):
        if not joins(before, after):
            continue
        # the characters at the break: never the "key: " or quote mark around the value
        tail = _TAIL.search(before).group()
        head = _HEAD.match(after).group()
        value = value.replace(f"{tail} {head}", f"{tail}{head}", 1)
    return value


def join_soft_breaks(markdown: str) -> str:
    """Markdown with each line break inside a paragraph joined when it sits inside Chinese text (``joins``)
    (outside fenced code, never onto a heading or table row); block structure is untouched because a
    line that starts with a wide character cannot start a block."""
    out: list[str] = []
    in_fence = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            continue
        stripped = line.lstrip()
        prev = out[-1] if out else ""
        if (not in_fence and out and stripped and prev and not prev.endswith("  ")
                and joins(prev, stripped) and not _OWN_BLOCK.match(prev)):
            out[-1] = prev + stripped
            continue
        out.append(line)
    return "\n".join(out)
