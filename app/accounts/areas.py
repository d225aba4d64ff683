"""Operations on the administrative tree (no Flask request access; callers commit).

``create_area`` and ``ensure_child`` build the tree (seeding, roster import); ``add_area``,
``rename_area`` and ``delete_area`` are what an admin does, each checked against the admin's area.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audit
from ..collation import subtree_counts, tree_order
from ..extensions import db
from ..labels import LEVEL_NAMES
from ..models import LEVELS, Area, User
from ..refusal import Refusal
from ..scope import can_manage_area, scope_areas, scope_users


def create_area(name: str, level: str, parent: Area | None = None) -> Area:
    """Add a node under ``parent`` (None for the city root) and set its materialised path."""
    name = name.strip()
    if not name:
        raise Refusal(_("The area name is empty."))
    if level not in LEVELS:
        raise Refusal(_("Unknown area level: %(level)s", level=level))
    expected = LEVELS[0] if parent is None else (
        LEVELS[parent.depth + 1] if parent.depth + 1 < len(LEVELS) else None
    )
    if level != expected:
        raise Refusal(_("A %(level)s cannot be placed under %(parent)s.", level=LEVEL_NAMES[level],
                        parent=LEVEL_NAMES[parent.level] if parent else _("the top of the tree")))
    same_parent = Area.parent_id == parent.id if parent else Area.parent_id.is_(None)
    siblings = select(Area.id).where(Area.name == name, same_parent)
    if db.session.scalar(siblings) is not None:
        raise Refusal(_("%(parent)s already has an area called %(name)s.",
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


def scoped_areas(actor: User) -> list[Area]:
    """The nodes at or below ``actor``'s area, in tree order, siblings in natural Chinese order
    (第一网格, 第二网格, 第三网格 …; names by pinyin)."""
    return tree_order(db.session.scalars(scope_areas(actor)).all())


def people_per_area(actor: User) -> dict[int, int]:
    """area id → how many active people belong to it or to any node below it, for the nodes at or
    below ``actor``'s area (a community counts the people of its grids)."""
    direct = dict(db.session.execute(scope_users(actor, select(User.area_id, func.count(User.id)))
                                     .where(User.active).group_by(User.area_id)).all())
    return subtree_counts(db.session.scalars(scope_areas(actor)).all(), direct)


def _check_managed(actor: User, area: Area | None) -> Area:
    if area is None or not can_manage_area(actor, area):
        raise Refusal(_("The chosen area is outside your area."))
    return area


def add_area(actor: User, name: str, parent: Area | None) -> Area:
    """A new node one level below ``parent``, which must lie in ``actor``'s area."""
    parent = _check_managed(actor, parent)
    area = create_area(name, LEVELS[parent.depth + 1], parent)
    audit.record(actor, "area.create", area, after={"name": area.name, "parent": label(parent) or parent.name})
    return area


def rename_area(actor: User, area: Area, name: str) -> None:
    """Give ``area`` (in ``actor``'s area) a new name of 1-100 characters, unique among its siblings."""
    _check_managed(actor, area)
    name = name.strip()
    if not name or len(name) > 100:
        raise Refusal(_("Enter a name of 1-100 characters."))
    if area.parent_id is not None and db.session.scalar(select(Area.id).where(
            Area.parent_id == area.parent_id, Area.name == name, Area.id != area.id)) is not None:
        raise Refusal(_("%(parent)s already has an area called %(name)s.", parent=area.parent.name, name=name))
    audit.record(actor, "area.rename", area, {"name": area.name}, {"name": name})
    area.name = name
    db.session.flush()


def delete_area(actor: User, area: Area) -> None:
    """Remove an empty node in ``actor``'s area (never their own: they belong to it)."""
    _check_managed(actor, area)
    if area.children:
        raise Refusal(_("%(name)s still has areas below it.", name=area.name))
    if db.session.scalar(select(User.id).where(User.area_id == area.id).limit(1)) is not None:
        raise Refusal(_("People still belong to %(name)s.", name=area.name))
    audit.record(actor, "area.delete", area, before={"name": label(area)}, area=area.parent)
    db.session.delete(area)
    db.session.flush()
