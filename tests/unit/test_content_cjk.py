"""Chinese text rules in the content loader: line breaks inside a sentence never become spaces."""
import re
from pathlib import Path

import pytest

from app.content.cjk import is_wide, join_soft_breaks, unfold
from app.content.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]


def test_wide_characters():
    assert all(is_wide(ch) for ch in "燃气，。：；“”…—（）")
    assert not any(is_wide(ch) for ch in "aZ1 ,.;:-")


def test_unfold_removes_only_fold_spaces():
    lines = ["summary: >", "  燃气无色无味，", "  这是加了臭味剂的。", "  App 上报 即可"]
    folded = "燃气无色无味， 这是加了臭味剂的。 App 上报 即可"
    assert unfold(folded, lines) == "燃气无色无味，这是加了臭味剂的。 App 上报 即可"


def test_yaml_folded_plain_and_quoted_scalars(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        "folded: >\n  无色无味，\n  这是臭味剂。\n"
        "plain: 他就说：\n  “三楼漏气了”\n"
        "quoted: \"先开窗\n  再报警\"\n"
        "literal: |\n  第一段第一行，\n  第一段第二行。\n\n  第二段。\n"
        "kept: 第七十条 社会生活噪声扰民\n"
        "latin: >\n  打开\n  App\n",
        encoding="utf-8")
    data = load_yaml(path)
    assert data["folded"] == "无色无味，这是臭味剂。\n"
    assert data["plain"] == "他就说：“三楼漏气了”"
    assert data["quoted"] == "先开窗再报警"
    assert data["literal"] == "第一段第一行，第一段第二行。\n\n第二段。\n"
    assert data["kept"] == "第七十条 社会生活噪声扰民"
    assert data["latin"] == "打开 App\n"


@pytest.mark.parametrize("text, expected", [
    ("第一行，\n第二行。", "第一行，第二行。"),
    ("# 标题\n正文第一句。", "# 标题\n正文第一句。"),
    ("段落一。\n\n段落二。", "段落一。\n\n段落二。"),
    ("- 第一项，\n  接着说。\n- 第二项", "- 第一项，接着说。\n- 第二项"),
    ("```\n代码第一行\n代码第二行\n```\n后文", "```\n代码第一行\n代码第二行\n```\n后文"),
    ("| 表头 |\n|---|\n| 内容 |\n说明", "| 表头 |\n|---|\n| 内容 |\n说明"),
    ("硬换行  \n下一行", "硬换行  \n下一行"),
    ("use App\n打开", "use App\n打开"),
    ("供电部门断电后，\n120把伤者送医。", "供电部门断电后，120把伤者送医。"),
    ("拨打120\n和燃气抢修电话", "拨打120和燃气抢修电话"),
    ("步骤如下：\n1. 先撤离", "步骤如下：\n1. 先撤离"),
])
def test_markdown_soft_breaks(text, expected):
    assert join_soft_breaks(text) == expected


SPACE_AFTER_PUNCTUATION = re.compile(r"[，。：；！？、）」』”] +[\u4e00-\u9fff“（]")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_shipped_content_has_no_space_after_chinese_punctuation():
    found = []
    for folder in ("courses", "knowledge", "scenarios", "questions"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            for text in _strings(load_yaml(path)):
                found += [f"{path.relative_to(ROOT)}: {m.group()!r}" for m in SPACE_AFTER_PUNCTUATION.finditer(text)]
        for path in sorted((ROOT / folder).rglob("*.md")):
            text = join_soft_breaks(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(ROOT)}: {m.group()!r}" for m in SPACE_AFTER_PUNCTUATION.finditer(text)]
    assert not found, "\n".join(found[:20])
