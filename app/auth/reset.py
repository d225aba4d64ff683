"""Self-service password reset (忘记密码), confirmed by an organizer (issue 13 item 1).

1. A worker who forgot their password types their login name (and, if they like, their phone) on
   ``/password/forgot``. Whether or not the name exists, the page answers the same; a request is
   recorded only for an active account, and the organizers nearest above the person's area are notified.
2. An organizer who manages the person (``accounts.service.may_edit``: area scope, only admins for
   admins) checks who is asking, in person or by calling the phone on record, and confirms: the app
   makes a random one-time code, stores only its hash, shows it once on a printable slip, valid for
   ``CODE_VALID`` (24 h). Or the organizer refuses (which also voids a code already handed over).
3. The worker types login name, code and a new password (the password policy applies) on
   ``/password/reset``: the password is set, every session of the person ends and the request is
   closed; the code cannot be used twice (a conditional update claims it).

Requests and code attempts are throttled like logins, counted in the ``login_failure`` table under
their own keys (``reset:…``, ``code:…``), so every worker process and host sees the same counts.
Like ``auth.service.log_in`` these functions commit: an attempt is counted before it is checked.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..accounts.service import find_account, may_edit, password_problem
from ..clock import local_text, utcnow
from ..extensions import db
from ..models import Area, LoginFailure, PasswordResetRequest, User, UserRole
from ..notifications import handled, notify
from ..refusal import Refusal
from ..scope import area_filter
from ..security import hash_password, verify_password
from . import throttle

#: How long a handed-over code can be used.
CODE_VALID = timedelta(hours=24)
#: Characters of a code: capitals and digits without look-alikes (0/O, 1/I/L), read aloud or typed on a
#: phone without case trouble; 10 of them are about 49 bits, far beyond what the throttle lets anyone try.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
#: The notification kind organizers get for a new request.
NOTIFICATION_KIND = "password_reset_requested"

_DUMMY_CODE_HASH: str | None = None


@dataclass
class Attempt:
    """A throttled attempt recorded in ``login_failure`` (``row``), or the wait that refused it."""

    row: LoginFailure | None
    wait: int = 0


def _keys(kind: str, login: str, address: str | None) -> tuple[str, str]:
    user = find_account(login)
    account = f"user:{user.id}" if user is not None else "name:" + login.strip().lower()
    return f"{kind}:{account}"[:80], f"{kind}:{address or 'unknown'}"[:64]


def _attempt(kind: str, login: str, address: str | None, by_account: throttle.Limit,
             by_address: throttle.Limit) -> Attempt:
    """Count one attempt of ``kind`` for ``login`` from ``address`` (committed before anything is
    checked, so parallel requests see each other), unless the earlier ones impose a wait."""
    now = utcnow()
    window = max(by_account.window, by_address.window)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - window))
    account, place = _keys(kind, login, address)
    row = LoginFailure(account=account, address=place, at=now)
    db.session.add(row)
    db.session.commit()
    since = now - window
    earlier = LoginFailure.id < row.id
    wait = max(
        throttle.wait_seconds(db.session.scalars(select(LoginFailure.at).where(
            LoginFailure.account == account, earlier, LoginFailure.at > since)), now, by_account),
        throttle.wait_seconds(db.session.scalars(select(LoginFailure.at).where(
            LoginFailure.address == place, earlier, LoginFailure.at > since)), now, by_address))
    if wait:
        db.session.delete(row)  # refused untried: not counted
        db.session.commit()
        return Attempt(None, wait)
    return Attempt(row)


def _close(request: PasswordResetRequest, status: str, now: datetime) -> None:
    request.status, request.open_user_id, request.closed_at = status, None, now


def _expire_lapsed(user_id: int, now: datetime) -> None:
    """Close the person's confirmed request whose code lapsed unused."""
    lapsed = db.session.scalar(select(PasswordResetRequest).where(
        PasswordResetRequest.open_user_id == user_id, PasswordResetRequest.status == "confirmed",
        PasswordResetRequest.code_expires_at <= now))
    if lapsed is not None:
        _close(lapsed, "expired", now)
        db.session.flush()


def _phone_digits(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def organizers_to_notify(user: User) -> list[User]:
    """The active managers who may confirm ``user``'s request and sit nearest above their area (all of
    them at that node): a street's organizers rather than the whole city's admins."""
    if user.area is None:
        return []
    above = [int(part) for part in user.area.path.strip("/").split("/") if part]
    rows = db.session.execute(
        select(User, Area.path).join(Area, User.area_id == Area.id)
        .where(User.active, User.id != user.id, Area.id.in_(above),
               User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(("organizer", "admin")))))).all()
    rows = [(manager, path) for manager, path in rows if may_edit(manager, user)]
    if not rows:
        return []
    deepest = max(len(path) for _manager, path in rows)
    return sorted((manager for manager, path in rows if len(path) == deepest), key=lambda m: m.id)


def request_reset(login: str, phone: str | None, address: str | None) -> int:
    """Record a request to reset ``login``'s password; returns the seconds to wait (0: accepted).

    The answer is the same whether or not the name exists: only the throttle's wait is told. An open
    request (waiting, or a code still valid) is not repeated; a lapsed code makes room for a new one.
    """
    attempt = _attempt("reset", login, address, throttle.RESET_ACCOUNT, throttle.RESET_ADDRESS)
    if attempt.wait:
        return attempt.wait
    user = find_account(login)
    if user is None or not user.active:
        return 0
    now = utcnow()
    _expire_lapsed(user.id, now)
    if db.session.scalar(select(PasswordResetRequest.id).where(PasswordResetRequest.open_user_id == user.id)):
        db.session.commit()
        return 0
    given = _phone_digits(phone)
    request = PasswordResetRequest(
        user_id=user.id, open_user_id=user.id, status="pending", requested_at=now,
        phone_matches=(given == _phone_digits(user.phone)) if given else None,
        address=(address or "")[:64])
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError:  # a parallel request opened one first
        db.session.rollback()
        return 0
    link = url_for("auth.reset_requests")
    for manager in organizers_to_notify(user):
        notify(manager.id, NOTIFICATION_KIND, link, subject=f"reset:{request.id}", name=user.name,
               username=user.username)
    db.session.commit()
    return 0


def requests_for(actor: User) -> list[PasswordResetRequest]:
    """The open requests (waiting, or a code handed over) of people ``actor`` manages, oldest first."""
    rows = db.session.scalars(
        select(PasswordResetRequest).join(User, PasswordResetRequest.user_id == User.id)
        .join(Area, User.area_id == Area.id)
        .where(PasswordResetRequest.open_user_id.is_not(None), area_filter(actor))
        .order_by(PasswordResetRequest.requested_at, PasswordResetRequest.id)).all()
    return [row for row in rows if may_edit(actor, row.user)]


def pending_count(actor: User) -> int:
    return sum(1 for row in requests_for(actor) if row.status == "pending")


def may_decide(actor: User, request: PasswordResetRequest) -> bool:
    return may_edit(actor, request.user)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_text(code: str) -> str:
    """A code as printed and read aloud: two groups of five (``ABCDE-23456``)."""
    return f"{code[:5]}-{code[5:]}"


def _normal_code(typed: str) -> str:
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def confirm(actor: User, request: PasswordResetRequest) -> str:
    """The organizer confirmed who asked: a new one-time code (returned once, stored hashed), valid for
    ``CODE_VALID``. Raises Refusal when the request is no longer waiting (decided in parallel)."""
    if not may_decide(actor, request):
        raise Refusal(_("You may not edit this account."))
    now = utcnow()
    code = new_code()
    claimed = db.session.execute(
        update(PasswordResetRequest)
        .where(PasswordResetRequest.id == request.id, PasswordResetRequest.status == "pending")
        .values(status="confirmed", decided_by_id=actor.id, decided_at=now, code_hash=hash_password(code),
                code_expires_at=now + CODE_VALID)).rowcount
    if not claimed:
        raise Refusal(_("This request has already been decided."))
    db.session.refresh(request)
    handled(f"reset:{request.id}")
    audit.record(actor, "password.reset_confirm", request.user,
                 after={"status": _("code handed over, valid until %(time)s",
                                    time=_local_minutes(request.code_expires_at))})
    return code


def refuse(actor: User, request: PasswordResetRequest) -> None:
    """The organizer turned the request down (or voided a code already handed over)."""
    if not may_decide(actor, request):
        raise Refusal(_("You may not edit this account."))
    now = utcnow()
    was = request.status
    refused = db.session.execute(
        update(PasswordResetRequest)
        .where(PasswordResetRequest.id == request.id,
               PasswordResetRequest.status.in_(("pending", "confirmed")))
        .values(status="refused", open_user_id=None, closed_at=now, decided_by_id=actor.id, decided_at=now,
                code_hash=None)).rowcount
    if not refused:
        raise Refusal(_("This request has already been decided."))
    db.session.refresh(request)
    handled(f"reset:{request.id}")
    audit.record(actor, "password.reset_refuse", request.user,
                 before={"status": _("waiting") if was == "pending" else _("code handed over")},
                 after={"status": _("refused")})


def _local_minutes(moment: datetime | None) -> str:
    return local_text(moment) if moment is not None else ""


@dataclass
class ResetOutcome:
    """What became of a reset with a code: ``user`` when done; else the wait, or a message on ``field``."""

    user: User | None = None
    wait: int = 0
    field: str = ""
    message: str = ""


def reset_with_code(login: str, code: str, new_password: str, address: str | None) -> ResetOutcome:
    """Set a new password with a handed-over code. Commits.

    A wrong name, a wrong, used or lapsed code all get the same answer and count as a failed attempt
    (throttled like logins); a right code with a password the policy refuses keeps the code valid.
    """
    global _DUMMY_CODE_HASH
    attempt = _attempt("code", login, address, throttle.CODE_ACCOUNT, throttle.CODE_ADDRESS)
    if attempt.wait:
        return ResetOutcome(wait=attempt.wait)
    now = utcnow()
    user = find_account(login)
    request = None if user is None else db.session.scalar(select(PasswordResetRequest).where(
        PasswordResetRequest.open_user_id == user.id, PasswordResetRequest.status == "confirmed",
        PasswordResetRequest.code_expires_at > now))
    typed = _normal_code(code)
    if request is None or not request.code_hash:
        _DUMMY_CODE_HASH = _DUMMY_CODE_HASH or hash_password(new_code())
        verify_password(_DUMMY_CODE_HASH, typed)  # the same work as a real check: nothing tells names apart
        return ResetOutcome(field="code", message=_wrong_code())
    if not verify_password(request.code_hash, typed) or not user.active:
        return ResetOutcome(field="code", message=_wrong_code())
    db.session.delete(attempt.row)  # the right code: not a failure
    db.session.commit()
    problem = password_problem(new_password, user)
    if problem:
        return ResetOutcome(field="new", message=problem)
    claimed = db.session.execute(
        update(PasswordResetRequest)
        .where(PasswordResetRequest.id == request.id, PasswordResetRequest.status == "confirmed",
               PasswordResetRequest.code_expires_at > now)
        .values(status="done", open_user_id=None, closed_at=now, code_hash=None)).rowcount
    if not claimed:  # used by a parallel request a moment ago
        db.session.rollback()
        return ResetOutcome(field="code", message=_wrong_code())
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.end_sessions()
    # failed logins that locked the account are forgiven: the person proved who they are
    db.session.execute(delete(LoginFailure).where(or_(
        LoginFailure.account == f"user:{user.id}", LoginFailure.account == f"code:user:{user.id}")))
    audit.record(user, "password.reset_self", user, after={"password": _("set with a reset code")})
    db.session.commit()
    return ResetOutcome(user=user)


def _wrong_code() -> str:
    return _("The login name or the reset code is wrong, or the code has expired or was already used.")
