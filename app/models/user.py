"""People and their roles."""
from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..collation import name_key
from ..extensions import db
from .area import Area
from .base import UTCDateTime, utcnow

#: Every role a person may hold; a person may hold several.
ROLES = ("worker", "mentor", "organizer", "admin")
#: Roles that manage people below their area node.
MANAGER_ROLES = ("organizer", "admin")


class User(UserMixin, db.Model):
    """A person who logs in: a grid worker, a mentor, an organizer or an admin."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint("mentor_capacity BETWEEN 1 AND 2", name="mentor_capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name; a worker's is their worker number.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: Real name (姓名).
    name: Mapped[str] = mapped_column(String(64))
    #: ``app.collation.name_key(name)``: lists sort by it (pinyin), then by name; kept by ``_name_changed``.
    name_key: Mapped[str] = mapped_column(String(255), default="", server_default="", index=True)
    #: 工号, unique when present.
    worker_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    #: A worker's grid, or the node an organizer/admin manages.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    hire_date: Mapped[date | None] = mapped_column(Date)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: New accounts and reset passwords must be changed at the next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Copied into the session at login and checked on every request: raising it (logout, password
    #: change or reset, deactivation) ends every session of this person (app/auth/sessions.py).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: How many mentees this person may mentor at once (1 or 2, seed 2.2: 一对一或一对二).
    mentor_capacity: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    #: Preferred UI language, or None for the default.
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    area: Mapped[Area | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @validates("name")
    def _name_changed(self, _key: str, value: str) -> str:
        self.name_key = name_key(value or "", numbers=False)
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive accounts cannot log in
        return self.active

    def end_sessions(self) -> None:
        """Every session of this person ends at its next request."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles) -> None:
        wanted = set(roles)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    @property
    def is_manager(self) -> bool:
        return self.has_role(*MANAGER_ROLES)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class UserRole(db.Model):
    """One role held by one person."""

    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint("role IN ('worker', 'mentor', 'organizer', 'admin')", name="role"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")
