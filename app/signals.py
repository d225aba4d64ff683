"""What happened, published by the feature where it happened (blinker, Flask's own signalling).

Features never import each other's services to say "this is done": they send one of these signals,
and competitions, the evidence hub and notifications subscribe (see ``app.factory``). Every signal is
sent with the acting object as ``sender`` and keyword arguments as documented; receivers take
``**kwargs`` so that adding an argument never breaks them. Receivers run inside the request's
transaction: they add and flush, the request commits (or rolls everything back).
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A learner marked a lesson done for the first time. sender: the User; kwargs: ``lesson``, ``course``.
lesson_completed = _signals.signal("lesson-completed")

#: A learner finished the last lesson of a course. sender: the User; kwargs: ``course``.
course_completed = _signals.signal("course-completed")

#: A quiz attempt was graded and closed (by hand or at the deadline). sender: the QuizAttempt.
quiz_submitted = _signals.signal("quiz-submitted")

#: A drill attempt reached an ending. sender: the DrillAttempt; kwargs: ``drill`` (the engine's Drill).
drill_finished = _signals.signal("drill-finished")

#: A mentor rated an observed behaviour. sender: the Observation; kwargs: ``mentorship``.
observation_recorded = _signals.signal("observation-recorded")

#: A competition published its results: its quiz and drill attempts' evidence, held back while the
#: competition was sealed, may be recorded now. Sent once per attempt. sender: the QuizAttempt or
#: DrillAttempt.
attempt_published = _signals.signal("attempt-published")

#: A practical round's result for one contestant changed after a judge scored.
#: sender: the RoundResult; kwargs: ``round``, ``entry``, ``judged`` (the rules core's JudgedScore).
practical_judged = _signals.signal("practical-judged")

#: A worker's case passed review and joined the case library. sender: the CaseSubmission; kwargs:
#: ``entry`` (the library's KbEntry, the author credited), ``reviewer`` (the User who approved it).
case_approved = _signals.signal("case-approved")

#: A person's attendance at a class session was recorded or changed (QR sign-in or sign-out, or by hand).
#: sender: the ClassAttendance; kwargs: ``session`` (the ClassSession).
session_attended = _signals.signal("session-attended")
