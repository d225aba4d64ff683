"""The navigation menu: each feature adds its entries at start-up (``add``), naming the group they
belong to (培训, 测评, 知识库, 人员, 设置 …); the base template lists what the logged-in person may open
(``items_for``): a group with two or more visible entries as one drop-down, a lone entry as a link,
in the order given by ``position``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any                      # a lazy string
    position: int = 100
    #: Roles that see the entry (any of them); empty: everyone logged in.
    roles: frozenset = frozenset()
    group: str | None = None


@dataclass
class NavGroup:
    key: str
    label: Any
    position: int
    items: list[NavItem] = field(default_factory=list)


#: Menu groups: key → (label, position). An entry without a group stands alone.
GROUPS: dict[str, tuple[Any, int]] = {
    "learn": (_l("Training"), 20),
    "assess": (_l("Assessment"), 30),
    "knowledge": (_l("Knowledge"), 45),
    "people": (_l("People"), 100),
    "settings": (_l("Settings"), 900),
}

_items: dict[str, NavItem] = {}


def add(endpoint: str, label: Any, position: int = 100, roles=(), group: str | None = None) -> None:
    """Add (or replace) the menu entry for ``endpoint``, in ``group`` (a key of GROUPS) if given."""
    if group is not None and group not in GROUPS:
        raise ValueError(f"unknown menu group {group!r}")
    _items[endpoint] = NavItem(endpoint, label, position, frozenset(roles), group)


def _visible(user) -> list[NavItem]:
    return [item for item in sorted(_items.values(), key=lambda i: i.position)
            if not item.roles or any(user.has_role(role) for role in item.roles)]


def items_for(user) -> list[NavItem | NavGroup]:
    """The menu for ``user``: lone entries and groups, in position order (a group sits where its first
    entry would)."""
    groups: dict[str, NavGroup] = {}
    entries: list[NavItem | NavGroup] = []
    for item in _visible(user):
        if item.group is None:
            entries.append(item)
            continue
        group = groups.get(item.group)
        if group is None:
            label, position = GROUPS[item.group]
            group = groups[item.group] = NavGroup(item.group, label, position)
            entries.append(group)
        group.items.append(item)
    flat = [entry.items[0] if isinstance(entry, NavGroup) and len(entry.items) == 1 else entry for entry in entries]
    return sorted(flat, key=lambda e: e.position)
