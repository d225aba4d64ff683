"""Start-up registrations of competitions: the menu entry, the evidence source of judging, round
results from quiz and drill attempts (by signal), the leaderboard cache's invalidation on every flush
(``boardcache``), and the sealing checks other features ask through ``app.sealing`` (results hidden
until publication, drills and banks of running rounds not practised by their contestants, competition
questions kept out of the wrong-answer book until publication)."""
from flask_babel import lazy_gettext as _l

from .. import nav, sealing, signals
from . import boardcache, records, service


def init_app(app) -> None:
    nav.add("compete.index", _l("Competitions"), 70)
    records.register()
    boardcache.register()
    signals.quiz_submitted.connect(service.on_quiz_submitted)
    signals.drill_finished.connect(service.on_drill_finished)
    sealing.register("competition", sealed=service.sealed, practice_blocked=service.practice_blocked,
                     book_deferred=service.book_deferred, evidence_deferred=service.evidence_deferred,
                     sealed_many=service.sealed_many)
