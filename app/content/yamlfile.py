"""Strict YAML reading for content files: syntax errors and duplicate keys name the line."""
from __future__ import annotations

from pathlib import Path

import yaml

from .cjk import join_soft_breaks, unfold


class ContentError(ValueError):
    """A content file cannot be used; the message names file, place and problem."""


#: libyaml's parser when PyYAML was built with it (about ten times faster), else the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_SafeLoader):
    """A SafeLoader that refuses duplicate keys in a mapping (YAML silently keeps the last one)."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


def _construct_str(loader: StrictLoader, node: yaml.ScalarNode) -> str:
    """A string without the spaces YAML's folding put between two Chinese characters at a line break;
    in literal ``|`` blocks (rendered as Markdown, where a line break inside a paragraph shows as a
    space) such line breaks are joined; blank lines between paragraphs stay."""
    value = loader.construct_scalar(node)
    lines = getattr(loader, "source_lines", None)
    if node.style == "|":
        return join_soft_breaks(value)
    if lines and node.end_mark.line > node.start_mark.line:
        value = unfold(value, lines[node.start_mark.line:node.end_mark.line + 1])
    return value


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def shown_path(path: Path, root: Path) -> str:
    """``path`` as content messages show it: relative to the parent of its content folder
    (``courses/x/course.yaml``, ``scenarios/gas-leak.yaml``), else as given."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def load_yaml(path: Path, shown: str | None = None):
    """Parse ``path``; raise ContentError("<shown>: line N: problem") on bad YAML or duplicate keys."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        loader = StrictLoader(text)
        loader.source_lines = text.splitlines()
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise ContentError(f"{shown}: {where}YAML error: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{shown}: YAML error: {exc}") from exc
