"""Jinja setup: Markdown rendering (sanitised), date and number filters, template globals."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import nh3
from flask import Flask, current_app
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "blockquote", "code",
    "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "a", "img", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}


def render_markdown(text: str) -> Markup:
    """Markdown → HTML with raw HTML disabled, then sanitised with nh3 (safe links only)."""
    html = _md.render(text or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)


def strip_title(text: str) -> str:
    """Drop the leading ``# title`` line (the page shows the title itself)."""
    lines = (text or "").splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines)


def local_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).strftime(fmt)


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_datetime(value, "%Y-%m-%d")
    return value.strftime("%Y-%m-%d")


def hours(value: float | None) -> str:
    """1.0 → '1', 2.5 → '2.5'."""
    return f"{(value or 0):.1f}".rstrip("0").rstrip(".")


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(markdown=render_markdown, strip_title=strip_title,
                                 datetime=local_datetime, date=local_date, hours=hours,
                                 number=hours)

    @app.context_processor
    def globals_():
        from .accounts.areas import LEVEL_NAMES
        from .learn.labels import TIER_NAMES
        from .models import ROLES
        from .quiz.reports import flag_text

        return {"csrf_token": generate_csrf, "current_locale": str(get_locale()),
                "TIER_NAMES": TIER_NAMES, "LEVEL_NAMES": LEVEL_NAMES, "ROLE_NAMES": role_names(),
                "ROLES": ROLES, "OUTCOME_NAMES": outcome_names(),
                "GRADING_NAMES": grading_names(), "flag_text": flag_text,
                "STATUS_NAMES": status_names(), "EVENT_NAMES": event_names(), "unread_count": unread_count(),
                "ROUND_KINDS": round_kinds(), "ROUND_STATES": round_states()}


def role_names():
    from flask_babel import lazy_gettext as _l

    return {"worker": _l("Grid worker"), "mentor": _l("Mentor"), "organizer": _l("Organizer"),
            "admin": _l("Admin")}


def outcome_names():
    from flask_babel import lazy_gettext as _l

    return {"success": _l("Handled well"), "partial": _l("Partly handled"), "failure": _l("Went wrong")}


def grading_names():
    from flask_babel import lazy_gettext as _l

    return {"highest": _l("highest attempt"), "last": _l("last attempt"), "first": _l("first attempt"),
            "average": _l("average of attempts")}


def status_names():
    from flask_babel import lazy_gettext as _l

    return {"active": _l("active"), "ended": _l("ended"), "independent": _l("works independently")}


def event_names():
    from flask_babel import lazy_gettext as _l

    return {"created": _l("paired"), "extended": _l("term extended"), "ended": _l("ended"),
            "signed_off": _l("signed off by the mentor"), "confirmed": _l("independence confirmed")}


def unread_count() -> int:
    """Unread in-app notifications of the logged-in person (one small query per page)."""
    from flask_login import current_user
    from sqlalchemy import func, select

    from .extensions import db
    from .models import Notification

    if not current_user or not current_user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None))) or 0


def round_kinds():
    from flask_babel import lazy_gettext as _l

    return {"quiz": _l("knowledge quiz"), "drill": _l("scenario drill"), "practical": _l("judged practical")}


def round_states():
    from flask_babel import lazy_gettext as _l

    return {"upcoming": _l("not open yet"), "open": _l("open now"), "closed": _l("closed")}
