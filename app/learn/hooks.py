"""Start-up registrations of the courses feature: its settings, menu entries and its evidence source."""
import os

from flask_babel import lazy_gettext as _l

from .. import nav
from ..models import MANAGER_ROLES
from . import records
from .reading import DEFAULT_CHARS_PER_MINUTE, DEFAULT_FLOOR_SECONDS

#: Settings of the reading clock (``app.learn.check``), with their defaults. Like every setting, each
#: can be given in the configuration or as an environment variable of the same name.
SETTINGS = {
    #: Reading speed behind a lesson's minimum reading time: Han characters (汉字) a minute.
    "READING_CHARS_PER_MINUTE": (DEFAULT_CHARS_PER_MINUTE, float),
    #: The least reading time of any lesson, in seconds.
    "READING_MIN_SECONDS": (DEFAULT_FLOOR_SECONDS, int),
}


def init_app(app) -> None:
    for name, (default, cast) in SETTINGS.items():
        if name not in app.config:
            raw = os.environ.get(name, "")
            app.config[name] = cast(raw) if raw.strip() else default
    nav.add("learn.catalogue", _l("Courses"), 20)
    nav.add("learn.assignments", _l("Required courses"), 120, MANAGER_ROLES)
    nav.add("learn.completion", _l("Completion"), 130, MANAGER_ROLES)
    records.register()
