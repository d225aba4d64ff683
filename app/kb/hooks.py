"""Start-up registrations of the knowledge base: menu entries, the evidence source of approved cases,
the texts of its notifications, its CLI, the template globals of its labels and of what waits for a
mentor (``kb_waiting``, shown on the mentoring dashboard), and loading the segmenter's dictionary once
per process (never per request)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import nav
from ..labels import kb_template_globals
from ..models import MANAGER_ROLES
from ..notifications import register_kind
from . import records, service
from .cli import kb_cli
from .search import default_segmenter

#: Notification kind → its text (params come from ``notify(...)``).
TEXTS = {
    "kb_question": lambda p: _("%(asker)s sent you a question: %(question)s", **p),
    "kb_reply": lambda p: _("%(by)s answered your question: %(question)s", **p),
    "kb_promoted": lambda p: _("Your answer to “%(question)s” is now in the FAQ.", **p),
    "kb_case_submitted": lambda p: _("%(author)s sent a case for review: %(title)s", **p),
    "kb_case_comment": lambda p: _("%(by)s commented on your case %(title)s.", **p),
    "kb_case_changes": lambda p: _("%(by)s asked for changes to your case %(title)s.", **p),
    "kb_case_approved": lambda p: _("Your case %(title)s was approved and is in the case library now.", **p),
}


def init_app(app) -> None:
    nav.add("kb.index", _l("Knowledge base"), 45, group="knowledge")
    nav.add("kb.assistant", _l("Ask the assistant"), 46, group="knowledge")
    nav.add("kb.inbox", _l("Questions to answer"), 65, ("mentor", *MANAGER_ROLES), group="knowledge")
    records.register()
    for kind, text in TEXTS.items():
        register_kind(kind, text)
    app.cli.add_command(kb_cli)
    app.jinja_env.globals.update(kb_template_globals(), kb_waiting=service.waiting_summary)
    default_segmenter().load()
