"""Start-up registrations of mentoring: the menu entry, the evidence source of observations, and the
texts of the notifications it sends."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import nav
from ..notifications import register_kind
from . import records

#: Notification kind → its text (params come from ``notify(...)``).
TEXTS = {
    "paired": lambda p: _("%(mentor)s is now your mentor.", **p),
    "paired_mentor": lambda p: _("You are now the mentor of %(mentee)s.", **p),
    "visit_to_confirm": lambda p: _("%(by)s logged a joint visit on %(day)s: please confirm it.", **p),
    "drill_comment": lambda p: _("%(by)s commented on your decision in %(drill)s.", **p),
    "signoff_to_confirm": lambda p: _("%(mentor)s signed off %(mentee)s as ready to work independently: "
                                      "please confirm.", **p),
    "independent": lambda p: _("Your independence has been confirmed. Congratulations!"),
    "independent_mentor": lambda p: _("The independence of %(mentee)s has been confirmed.", **p),
}


def init_app(app) -> None:
    nav.add("mentor.index", _l("Mentoring"), 60)
    records.register()
    for kind, text in TEXTS.items():
        register_kind(kind, text)
