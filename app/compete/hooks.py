"""Start-up registrations of competitions: the menu entry, the evidence source of judging, round
results from quiz and drill attempts (by signal), and sealing of attempts in open rounds."""
from flask_babel import lazy_gettext as _l

from .. import nav, sealing, signals
from . import records, service


def init_app(app) -> None:
    nav.add("compete.index", _l("Competitions"), 70)
    records.register()
    signals.quiz_submitted.connect(service.on_quiz_submitted)
    signals.drill_finished.connect(service.on_drill_finished)
    sealing.register("competition", service.sealed)
