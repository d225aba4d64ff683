"""Start-up registrations of training classes: the menu entry, the texts of the notifications they
send, the evidence source of attendance and what they record in the audit trail."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import audit, nav
from ..models import MANAGER_ROLES
from ..notifications import register_kind
from . import classroom, records
from .cli import train_cli

#: Notification kind → its text (params come from ``notify(...)``).
TEXTS = {
    "class_enrolled": lambda p: _("You are enrolled in the training class %(title)s, starting %(first)s at %(place)s: "
                                  "see your timetable.", **p),
    "class_waiting": lambda p: _("The training class %(title)s is full: you are on its waiting list.", **p),
    "class_place": lambda p: _("A place in the training class %(title)s became free: you are enrolled.", **p),
    "leave_decided": lambda p: (_("Your leave from %(topic)s (%(title)s) was approved.", **p) if p.get("approved")
                                else _("Your leave from %(topic)s (%(title)s) was refused: please attend.", **p)),
    "class_completed": lambda p: _("You completed the training class %(title)s: your certificate %(serial)s is "
                                   "ready.", **p),
    "class_reminder": lambda p: _("Reminder: %(topic)s of %(title)s is tomorrow at %(time)s in %(room)s.", **p),
    "class_missed": lambda p: _("You missed %(topic)s of %(title)s on %(day)s: please ask the organizer how to make "
                                "it up.", **p),
    "hours_short": lambda p: _("You have %(earned)s of the %(required)s annual-rotation hours required in %(year)s: "
                               "please attend a class or study online.", **p),
}


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
