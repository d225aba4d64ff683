"""Start-up registrations of training classes: the menu entry, the texts of the notifications they
send, the evidence source of attendance and what they record in the audit trail."""
from flask_babel import lazy_gettext as _l

from .. import audit, nav
from ..models import MANAGER_ROLES
from ..notifications import register_kind
from . import classroom, records
from .texts import TEXTS
from .cli import train_cli



def init_app(app) -> None:
    nav.add("train.index", _l("Training classes"), 35, group="learn")
    nav.add("train.report", _l("Attendance rates"), 135, MANAGER_ROLES, group="learn")
    app.cli.add_command(train_cli)
    records.register()
    classroom.register()
    for kind, text in TEXTS.items():
        register_kind(kind, text)
    audit.register_target("training_class", _l("Training class"))
    audit.register_target("class_attendance", _l("Class attendance"))
    audit.register_target("class_leave", _l("Leave request"))
    audit.register_action("class.create", _l("Training class created"))
    audit.register_action("class.enrol", _l("People enrolled in a class"))
    audit.register_action("class.withdraw", _l("Person withdrawn from a class"))
    audit.register_action("class.complete", _l("Class completion issued"))
    audit.register_action("attendance.mark", _l("Attendance recorded by hand"))
    audit.register_action("leave.decide", _l("Leave request decided"))
    audit.register_field("hours", _l("Hours"))
