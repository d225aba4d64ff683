"""The one view idiom: parse, call a service, commit or roll back, respond.

- ``perform(action, *args, success=..., **kwargs)`` runs a service call; on ``Refusal`` it rolls the
  session back and flashes the refusal's message, else it commits and flashes ``success``. It
  returns an ``Outcome`` that is truthy when the action went through, with the action's return
  value in ``.value``. ``perform_quietly`` does the same without flashing, for JSON endpoints.
- ``paginate(select, per_page)`` pages a query by ``?page=`` (Flask-SQLAlchemy's pagination);
  ``page_of(items, per_page)`` pages a list already in memory with the same interface. Templates
  render either with the ``pager`` macro in ``templates/_pager.html``.
- Objects by id: use ``db.get_or_404(Model, id)`` and ``db.first_or_404(select(...))``, then check
  access with ``app.access``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from flask import abort, flash, request
from werkzeug.routing import IntegerConverter

from .extensions import db
from .refusal import Refusal


@dataclass
class Outcome:
    ok: bool
    value: Any = None
    message: str = ""

    def __bool__(self) -> bool:
        return self.ok


def _run(action: Callable[..., Any], args, kwargs, refused: Callable[[Refusal], None] | None,
         success: str | None) -> Outcome:
    """Run ``action``; commit, or on ``Refusal`` roll back and hand the refusal to ``refused``."""
    try:
        value = action(*args, **kwargs)
    except Refusal as exc:
        db.session.rollback()
        if refused is not None:
            refused(exc)
        return Outcome(False, message=str(exc))
    db.session.commit()
    if success:
        flash(success, "success")
    return Outcome(True, value)


def perform(action: Callable[..., Any], *args: Any, success: str | None = None, **kwargs: Any) -> Outcome:
    """Run ``action``; commit and flash ``success``, or roll back and flash why it was refused.

    Errors other than ``Refusal`` propagate (the request fails with 500 and nothing is saved).
    """
    return _run(action, args, kwargs, lambda exc: flash(str(exc), "error"), success)


def perform_quietly(action: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    """``perform`` for endpoints that answer with data (JSON) rather than a page: commit, or roll back
    on ``Refusal`` and return its message in ``Outcome.message`` without flashing it."""
    return _run(action, args, kwargs, None, None)


def perform_on(form, action: Callable[..., Any], *args: Any, field: str | None = None,
               success: str | None = None, **kwargs: Any) -> Outcome:
    """``perform`` for a form that stays on the page when refused: the refusal's message is shown on
    ``form`` instead of flashed, beside the field a ``FieldRefusal`` names, else beside ``field``, else
    at the top of the form (``form.form_errors``)."""
    def show(exc: Refusal) -> None:
        target = getattr(form, getattr(exc, "field", None) or field or "", None)
        if target is not None:
            target.errors = [*target.errors, str(exc)]
        else:
            form.form_errors.append(str(exc))

    return _run(action, args, kwargs, show, success)


def visible_or_404(model, ident, may_see: Callable[[Any], bool]):
    """The row of ``model`` with id ``ident`` if ``may_see(row)``; else 404, so nobody learns that a
    row they may not see exists."""
    row = db.get_or_404(model, ident)
    if not may_see(row):
        abort(404)
    return row


#: The largest id or other whole number a URL or query parameter may carry (a 32-bit signed integer,
#: what every database column of the app holds); larger ones name nothing (404).
MAX_ID = 2**31 - 1
#: Pages beyond this are clamped to it (an empty page rather than an offset the database refuses).
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """The ``<int:...>`` URL converter, bounded: a non-negative integer up to ``MAX_ID`` (else 404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def int_arg(name: str, lo: int = 1, hi: int = MAX_ID) -> int | None:
    """The query argument ``name`` as a whole number in ``[lo, hi]``; None when absent or empty, and
    404 (it names nothing) when it is not a whole number or lies outside the range."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    if not text.lstrip("-").isdigit() or len(text) > 12 or not lo <= int(text) <= hi:
        abort(404)
    return int(text)


def float_arg(name: str, default: float, lo: float, hi: float) -> float:
    """The query argument ``name`` as a finite number clamped to ``[lo, hi]``; ``default`` when absent
    or unreadable (NaN and infinities included)."""
    value = request.args.get(name, default, type=float)
    if value is None or not math.isfinite(value):
        value = default
    return min(max(value, lo), hi)


def page_number() -> int:
    """The ``?page=`` argument, from 1 to ``MAX_PAGE`` (anything else is clamped)."""
    text = request.args.get("page", "").strip()
    if not text.isdigit():
        return 1
    return min(max(int(text[:7]) if len(text) <= 7 else MAX_PAGE, 1), MAX_PAGE)


def paginate(query, per_page: int):
    """One page of a select (``.items``, ``.page``, ``.pages``, ``.total``, ``.has_prev``, ``.has_next``)."""
    return db.paginate(query, page=page_number(), per_page=per_page, error_out=False, count=True)


@dataclass
class ListPage:
    """A page of a list already in memory, with the interface of Flask-SQLAlchemy's pagination."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def page_of(items: list, per_page: int) -> ListPage:
    page = page_number()
    return ListPage(items=items[(page - 1) * per_page: page * per_page], page=page, per_page=per_page,
                    total=len(items))
