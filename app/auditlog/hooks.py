"""Start-up registrations of the audit trail: its menu entry, for admins."""
from flask_babel import lazy_gettext as _l

from .. import nav


def init_app(app) -> None:
    nav.add("auditlog.index", _l("Audit trail"), 160, ("admin",), group="settings")
