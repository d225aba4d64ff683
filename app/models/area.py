"""The administrative tree 市 → 区 → 街道 → 社区 → 网格 (city → district → street → community → grid)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

#: Levels from the top of the tree down; a child is always exactly one level below its parent.
LEVELS = ("city", "district", "street", "community", "grid")


class Area(db.Model):
    """One node of the administrative tree.

    ``path`` is a materialised path of ids (``/1/4/9/``): "everything below X" is one indexed
    ``LIKE 'X.path%'`` on either database, which is what scope checks use.
    """

    __tablename__ = "area"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        CheckConstraint("level IN ('city', 'district', 'street', 'community', 'grid')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Display name, e.g. 滨江区, 长青街道, 第三网格.
    name: Mapped[str] = mapped_column(String(100))
    #: One of LEVELS.
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    #: Materialised path of ids, ``/root/.../self/``; set by ``app.accounts.areas.create_area``.
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.name")

    @property
    def depth(self) -> int:
        return LEVELS.index(self.level)

    def is_within(self, other: Area) -> bool:
        """True when this node is ``other`` or lies below it."""
        return self.path.startswith(other.path)

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.level} {self.name}>"
