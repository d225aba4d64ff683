"""Account operations: create, update, reset and change passwords. Callers commit.

Each function takes the acting user and checks the area scope and role rules itself, so a view,
the roster import and the CLI all apply the same rules.
"""
from __future__ import annotations

import functools
import secrets
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from .. import audit
from ..extensions import db
from ..labels import ROLE_NAMES
from ..models import ROLES, Area, User
from ..refusal import FieldRefusal, Refusal
from ..scope import can_manage_area, can_manage_user, scope_users
from ..security import hash_password, verify_password
from .areas import label as area_label

#: Role names accepted in rosters and forms (Chinese and English).
ROLE_ALIASES = {
    "worker": "worker", "网格员": "worker",
    "mentor": "mentor", "导师": "mentor",
    "organizer": "organizer", "组织者": "organizer", "培训管理员": "organizer",
    "admin": "admin", "管理员": "admin",
}
#: Characters for one-time passwords: no 0/O, 1/l/I look-alikes.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password)
MIN_PASSWORD_LENGTH = 10


#: Compared against when the login name is unknown, so both paths cost the same time.
_DUMMY_HASH: str | None = None


def people_query(actor: User, search: str = "") -> Select:
    """The people ``actor`` manages, by name; ``search`` matches name, login name, worker number or area."""
    query = scope_users(actor)
    if search:
        like = f"%{search}%"
        query = query.where(or_(User.name.like(like), User.username.like(like),
                                User.worker_number.like(like), Area.name.like(like)))
    return query.order_by(User.name_key, User.name)


def people_count(actor: User) -> int:
    """How many people ``actor`` manages."""
    return db.session.scalar(scope_users(actor, select(func.count(User.id))))


def find_account(login: str) -> User | None:
    """The account whose login name (any case) or worker number is ``login``."""
    login = login.strip()
    return db.session.scalar(select(User).where(or_(
        func.lower(User.username) == login.lower(), User.worker_number == login)))


def authenticate(login: str, password: str) -> User | None:
    """The account whose login name (any case) or worker number is ``login``, if ``password`` is its
    password; None otherwise, after the same hashing work (nobody learns which names exist)."""
    global _DUMMY_HASH
    user = find_account(login)
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-password")
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


def one_time_password(length: int = 10) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def grantable_roles(actor: User) -> tuple[str, ...]:
    """Roles ``actor`` may give: admins any, organizers all but admin."""
    if actor.has_role("admin"):
        return ROLES
    if actor.has_role("organizer"):
        return tuple(r for r in ROLES if r != "admin")
    return ()


def may_edit(actor: User, user: User) -> bool:
    """Scope plus rank: only admins edit accounts that hold the admin role."""
    if user.has_role("admin") and not actor.has_role("admin"):
        return False
    return can_manage_user(actor, user)


def _check_roles_and_area(actor: User, roles: set[str], area: Area | None) -> None:
    if not roles:
        raise Refusal(_("Choose at least one role."))
    refused = roles - set(grantable_roles(actor))
    if refused:
        names = ROLE_NAMES
        raise Refusal(_("You may not grant the role(s): %(roles)s",
                        roles=", ".join(str(names[r]) if r in names else r for r in sorted(refused))))
    if area is None or not can_manage_area(actor, area):
        raise Refusal(_("The chosen area is outside your area."))
    if "worker" in roles and area.level != "grid":
        raise Refusal(_("A worker must belong to a grid; %(name)s is not a grid.", name=area.name))


def username_taken(username: str, exclude_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) is not None


def worker_number_taken(number: str, exclude_id: int | None = None) -> bool:
    query = select(User.id).where(User.worker_number == number)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) is not None


def create_account(actor: User, *, username: str, name: str, area: Area, roles: set[str],
                   worker_number: str | None = None, phone: str | None = None,
                   hire_date: date | None = None, one_time: tuple[str, str] | None = None) -> tuple[User, str]:
    """Create an account with a one-time password. Returns (user, password). Raises Refusal.

    ``one_time`` is a (password, hash) made beforehand: the roster job hashes before its transaction,
    so no database lock is held during the slow hash."""
    username = username.strip()
    _check_roles_and_area(actor, set(roles), area)
    if username_taken(username):
        raise FieldRefusal(_("The login name %(name)s is already taken.", name=username), field="username")
    if worker_number and worker_number_taken(worker_number):
        raise FieldRefusal(_("Worker number %(number)s already exists.", number=worker_number),
                           field="worker_number")
    password, password_hash = one_time or (None, None)
    if password is None:
        password = one_time_password()
        password_hash = hash_password(password)
    user = User(username=username, name=name.strip(), worker_number=worker_number or None,
                phone=phone or None, area=area, hire_date=hire_date,
                password_hash=password_hash, must_change_password=True, active=True)
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "person.create", user, after=_audited(user))
    return user, password


def update_account(actor: User, user: User, *, name: str, area: Area, roles: set[str],
                   phone: str | None, hire_date: date | None, active: bool,
                   worker_number: str | None) -> None:
    """Change a person's details, roles, area or active flag. Raises Refusal."""
    if not may_edit(actor, user):
        raise Refusal(_("You may not edit this account."))
    _check_roles_and_area(actor, set(roles), area)
    if worker_number and worker_number_taken(worker_number, exclude_id=user.id):
        raise FieldRefusal(_("Worker number %(number)s already exists.", number=worker_number),
                           field="worker_number")
    if user.id == actor.id and not active:
        raise Refusal(_("You cannot deactivate your own account."))
    was = _audited(user)
    user.name, user.area, user.phone = name.strip(), area, phone or None
    if user.active and not active:
        user.end_sessions()
    user.hire_date, user.active, user.worker_number = hire_date, active, worker_number or None
    user.set_roles(roles)
    db.session.flush()
    _audit_update(actor, user, was, _audited(user))


def _audited(user: User) -> dict:
    """A person's fields as the audit trail shows them (area as a path, roles as codes)."""
    return {**audit.snapshot(user, "name", "username", "worker_number", "phone", "hire_date", "active"),
            "area": area_label(user.area), "roles": sorted(user.roles)}


def _audit_update(actor: User, user: User, was: dict, now: dict) -> None:
    """One record per kind of change: roles, area, (de)activation, other details."""
    for action, fields in (("person.roles", ("roles",)), ("person.move", ("area",)),
                           ("person.deactivate" if was["active"] else "person.activate", ("active",)),
                           ("person.edit", ("name", "username", "worker_number", "phone", "hire_date"))):
        audit.record(actor, action, user, {f: was[f] for f in fields}, {f: now[f] for f in fields})


def reset_password(actor: User, user: User) -> str:
    """Give ``user`` a new one-time password (returned) that must be changed at next login."""
    if not may_edit(actor, user):
        raise Refusal(_("You may not edit this account."))
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.end_sessions()
    db.session.flush()
    audit.record(actor, "password.reset", user, after={"must_change_password": True})
    return password


def change_password(user: User, current: str, new: str) -> None:
    """The user changes their own password. Raises FieldRefusal naming the field."""
    if not verify_password(user.password_hash, current):
        raise FieldRefusal(_("The current password is wrong."), field="current")
    problem = password_problem(new, user)
    if problem:
        raise FieldRefusal(problem, field="new")
    if verify_password(user.password_hash, new):
        raise FieldRefusal(_("The new password must differ from the current one."), field="new")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.end_sessions()  # every other session ends; the caller renews the current one
    db.session.flush()


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (``common_passwords.txt``), lower case."""
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problem(password: str, user: User | None = None) -> str | None:
    """Why ``password`` is too weak, or None: at least ``MIN_PASSWORD_LENGTH`` characters, letters and
    digits, not a common password, and not (containing) the person's login name, phone or worker number.

    The one check for every password a person chooses (change password, ``flask users create-admin``);
    one-time passwords are random and the demo accounts' dev-only ``demo1234`` is set directly."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The new password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if password.isdigit() or password.isalpha():
        return _("The new password must mix letters and digits.")
    if password.lower() in common_passwords():
        return _("The new password is one of the most common passwords; choose one that is harder to guess.")
    if user is not None:
        lowered = password.lower()
        for value in (user.username, user.worker_number, user.phone):
            value = (value or "").strip().lower()
            if len(value) >= 4 and value in lowered:
                return _("The new password must not contain your login name, phone number or worker number.")
    return None
