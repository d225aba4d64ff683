"""Operations on the administrative tree (no Flask request access; callers commit)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..labels import LEVEL_NAMES
from ..models import LEVELS, Area, User


#: Display names of the levels (市, 区, 街道, 社区, 网格).


class AreaError(ValueError):
    """An area operation was refused; the message is shown to the user."""


def create_area(name: str, level: str, parent: Area | None = None) -> Area:
    """Add a node under ``parent`` (None for the city root) and set its materialised path."""
    name = name.strip()
    if not name:
        raise AreaError(_("The area name is empty."))
    if level not in LEVELS:
        raise AreaError(_("Unknown area level: %(level)s", level=level))
    expected = LEVELS[0] if parent is None else (
        LEVELS[parent.depth + 1] if parent.depth + 1 < len(LEVELS) else None
    )
    if level != expected:
        raise AreaError(_("A %(level)s cannot be placed under %(parent)s.", level=LEVEL_NAMES[level],
                          parent=LEVEL_NAMES[parent.level] if parent else _("the top of the tree")))
    same_parent = Area.parent_id == parent.id if parent else Area.parent_id.is_(None)
    siblings = select(Area.id).where(Area.name == name, same_parent)
    if db.session.scalar(siblings) is not None:
        raise AreaError(_("%(parent)s already has an area called %(name)s.",
                          parent=parent.name if parent else _("the top of the tree"), name=name))
    area = Area(name=name, level=level, parent=parent)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    db.session.flush()
    return area


def child_named(parent: Area, name: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.parent_id == parent.id, Area.name == name))


def ensure_child(parent: Area, name: str) -> tuple[Area, bool]:
    """The child of ``parent`` called ``name``, created one level down if missing; (area, created)."""
    existing = child_named(parent, name)
    if existing is not None:
        return existing, False
    return create_area(name, LEVELS[parent.depth + 1], parent), True


def ancestors(area: Area) -> list[Area]:
    """The chain from the root down to ``area`` (inclusive), in one query."""
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    rows = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))}
    return [rows[i] for i in ids]


def label(area: Area | None) -> str:
    """``滨江区 / 长青街道 / 幸福社区 / 第一网格`` style label below the city."""
    if area is None:
        return ""
    return label_map([area])[area.id]


def label_map(areas: list[Area], below: Area | None = None) -> dict[int, str]:
    """Labels for many areas with one query for all their ancestors.

    With ``below``, the label starts under that node (a street organizer reads 幸福社区 / 第一网格).
    """
    ids = {int(part) for area in areas for part in area.path.strip("/").split("/") if part}
    names = dict(db.session.execute(select(Area.id, Area.name).where(Area.id.in_(ids))).all()) if ids else {}
    result = {}
    for area in areas:
        chain = [int(part) for part in area.path.strip("/").split("/") if part]
        if below is not None and below.id in chain[:-1]:
            shown = chain[chain.index(below.id) + 1:]
        else:
            shown = chain[1:] if len(chain) > 1 else chain
        result[area.id] = " / ".join(names[i] for i in shown)
    return result


def delete_area(area: Area) -> None:
    if area.children:
        raise AreaError(_("%(name)s still has areas below it.", name=area.name))
    if db.session.scalar(select(User.id).where(User.area_id == area.id).limit(1)) is not None:
        raise AreaError(_("People still belong to %(name)s.", name=area.name))
    db.session.delete(area)
    db.session.flush()
