"""The texts of the notifications training classes send (in-app, and by the reminder sender)."""
from flask_babel import gettext as _

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
