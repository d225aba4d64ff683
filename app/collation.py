"""Chinese sort order: names by pinyin (冯雪, 刘洋, 吴芳 → 冯, 刘, 吴 as a dictionary lists them, not by
code point) and numbered names in number order (第一网格, 第二网格, 第三网格, 第10网格).

Pure: no Flask, no database. ``User.name_key`` stores ``name_key(name)`` so that lists sort in SQL on
either database (SQLite has no Chinese collation; PostgreSQL's depends on how the cluster was built).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER = re.compile(r"[0-9]+|[零〇一二两三四五六七八九十百千]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
#: Width of the zero-padded numbers in a key: numbers up to 10^8 sort right.
_WIDTH = 8


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105, 三〇二 → 302; None when ``text`` is not a number."""
    if not text:
        return None
    if all(ch in _DIGITS for ch in text):  # digit by digit: 三〇二
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def _numbers_padded(text: str) -> str:
    def pad(match: re.Match) -> str:
        raw = match.group()
        value = int(raw) if raw.isdigit() else chinese_number(raw)
        return raw if value is None else f"{value:0{_WIDTH}d}"
    return _NUMBER.sub(pad, text)


@lru_cache(maxsize=1)
def _pinyin():
    from pypinyin import Style, lazy_pinyin  # loaded on first use: its dictionary takes a moment

    return lambda text: lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default")


@lru_cache(maxsize=8192)  # area trees and pickers key the same names on every request
def name_key(text: str, numbers: bool = True) -> str:
    """A key that sorts names as a Chinese reader expects: pinyin with tone (feng2 before liu2 before
    wu2), numbers by value (``numbers=False`` for people's names, where 一 is a character like any other:
    万一鸣 after 万里), other letters case-folded. Ties between different characters of the same sound
    are broken by the caller (sort by ``(key, text)``)."""
    text = (text or "").strip()
    text = (_numbers_padded(text) if numbers else text).casefold()
    if not _HAN.search(text):
        return text
    return " ".join(_pinyin()(text))[:255]


class _Node(Protocol):
    id: int
    name: str
    path: str


N = TypeVar("N", bound=_Node)


def tree_order(nodes: Iterable[N]) -> list[N]:
    """Nodes of a materialised-path tree (``/1/4/9/``) in tree order, siblings by ``name_key``: every
    node after its parent, 第一网格 before 第二网格 before 第十网格."""
    nodes = list(nodes)
    names = {node.id: node.name for node in nodes}

    def key(node: N) -> Sequence[tuple[str, str]]:
        chain = [int(part) for part in node.path.strip("/").split("/") if part]
        return [(name_key(names.get(i, "")), names.get(i, "")) for i in chain]

    return sorted(nodes, key=key)


def subtree_counts(nodes: Iterable[_Node], direct: dict[int, int]) -> dict[int, int]:
    """node id → how many belong to the node or anywhere below it, from the direct counts."""
    by_path = {node.path: node.id for node in nodes}
    totals = dict.fromkeys(by_path.values(), 0)
    for path, node_id in by_path.items():
        count = direct.get(node_id, 0)
        if not count:
            continue
        chain = [part for part in path.strip("/").split("/") if part]
        for depth in range(1, len(chain) + 1):
            ancestor = by_path.get("/" + "/".join(chain[:depth]) + "/")
            if ancestor is not None:
                totals[ancestor] += count
    return totals
