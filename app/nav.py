"""The navigation menu: each feature adds its entries at start-up (``add``); the base template lists
those the logged-in person may open (``items_for``), in the order given by ``position``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any                      # a lazy string
    position: int = 100
    #: Roles that see the entry (any of them); empty: everyone logged in.
    roles: frozenset = frozenset()


_items: dict[str, NavItem] = {}


def add(endpoint: str, label: Any, position: int = 100, roles=()) -> None:
    """Add (or replace) the menu entry for ``endpoint``."""
    _items[endpoint] = NavItem(endpoint, label, position, frozenset(roles))


def items_for(user) -> list[NavItem]:
    return [item for item in sorted(_items.values(), key=lambda i: i.position)
            if not item.roles or any(user.has_role(role) for role in item.roles)]
