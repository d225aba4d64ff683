"""Start-up registrations of the password reset (忘记密码): the organizers' notification and the
audit actions of confirming, refusing and completing a reset."""
from flask_babel import gettext as _
from flask_login import current_user
from flask_babel import lazy_gettext as _l

from .. import audit
from ..notifications import register_kind
from .reset import NOTIFICATION_KIND, pending_count


def init_app(app) -> None:
    register_kind(NOTIFICATION_KIND, lambda p: _(
        "%(name)s (%(username)s) forgot their password and asks for a reset: check who is asking, then "
        "confirm or refuse.", name=p.get("name", ""), username=p.get("username", "")))
    audit.register_action("password.reset_confirm", _l("Password reset confirmed (code handed over)"))
    audit.register_action("password.reset_refuse", _l("Password reset refused"))
    # the people page shows how many requests wait for the organizer
    app.jinja_env.globals["password_resets_waiting"] = lambda: pending_count(current_user)
    audit.register_action("password.reset_self", _l("Password set with a reset code"))
