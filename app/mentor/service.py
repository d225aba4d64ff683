"""Mentoring operations (callers commit): pairing, term changes, joint visits, observations,
comments on drill decisions, sign-off, notifications, and who may see what.

Access: a mentor sees only their own current and past mentees; a worker only their own
mentorships; organizers and admins everyone in their area (``can_manage_user``).
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from .. import signals
from ..access import can_view_mentorship as can_view, can_view_person, is_mentor_of, result_access  # noqa: F401
from ..extensions import db
from ..notifications import notify
from ..models import (
    Area, DrillComment, DrillStep, JointVisit, Mentorship, MentorshipEvent, Observation,
    User,
)
from ..models.base import utcnow
from ..scope import area_filter, can_manage_user
from . import rules

#: Indicators the seed assesses by observation (入户观察, 现场观察 ...): offered first in the form.
OBSERVED_INDICATORS = ("comm.residents", "resilience.emotion", "comm.departments", "handling.detection",
                       "info.collection", "handling.emergency")


class MentorError(ValueError):
    """A mentoring action was refused; the message says why and nothing was changed."""


def mentorships_of(user: User, as_mentor: bool) -> list[Mentorship]:
    column = Mentorship.mentor_id if as_mentor else Mentorship.mentee_id
    return db.session.scalars(select(Mentorship).where(column == user.id)
                              .order_by(Mentorship.status, Mentorship.start_date.desc())).all()


def active_count(mentor: User) -> int:
    return len(db.session.scalars(select(Mentorship.id).where(Mentorship.mentor_id == mentor.id,
                                                              Mentorship.status == "active")).all())


# --- pairing and term ---------------------------------------------------------------------------

def create_mentorships(actor: User, mentor: User, mentees: list[User], start: date, planned_end: date,
                       config) -> list[Mentorship]:
    """Pair ``mentor`` with one or two mentees. Raises MentorError naming the problem."""
    if not mentees or len(mentees) > 2:
        raise MentorError(_("Choose one or two mentees."))
    if not mentor.has_role("mentor"):
        raise MentorError(_("%(name)s does not hold the mentor role.", name=mentor.name))
    for person in (mentor, *mentees):
        if not can_manage_user(actor, person):
            raise MentorError(_("%(name)s is outside your area.", name=person.name))
    if mentor in mentees:
        raise MentorError(_("A mentor cannot mentor themselves."))
    problem = rules.term_problem(start, planned_end, config["MENTORSHIP_MIN_MONTHS"], config["MENTORSHIP_MAX_MONTHS"])
    if problem:
        raise MentorError(_term_message(problem, config))
    if active_count(mentor) + len(mentees) > mentor.mentor_capacity:
        raise MentorError(_("%(name)s can mentor %(n)d people at once and already has %(current)d.",
                            name=mentor.name, n=mentor.mentor_capacity, current=active_count(mentor)))
    created = []
    for mentee in mentees:
        if db.session.scalar(select(Mentorship.id).where(Mentorship.mentee_id == mentee.id,
                                                         Mentorship.status == "active")) is not None:
            raise MentorError(_("%(name)s already has a mentor.", name=mentee.name))
        pairing = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, start_date=start, planned_end=planned_end,
                             status="active", created_by_id=actor.id)
        pairing.events.append(MentorshipEvent(kind="created", new_end=planned_end, by_id=actor.id))
        db.session.add(pairing)
        db.session.flush()
        notify(mentee.id, "paired", f"/mentoring/{pairing.id}", mentor=mentor.name)
        notify(mentor.id, "paired_mentor", f"/mentoring/{pairing.id}", mentee=mentee.name)
        created.append(pairing)
    db.session.flush()
    return created


def _term_message(problem: str, config) -> str:
    return _("The planned end must be %(min)d to %(max)d months after the start.",
             min=config["MENTORSHIP_MIN_MONTHS"], max=config["MENTORSHIP_MAX_MONTHS"])


def _manageable(actor: User, pairing: Mentorship) -> None:
    if not can_manage_user(actor, pairing.mentee):
        raise MentorError(_("This mentorship is outside your area."))
    if pairing.status != "active":
        raise MentorError(_("This mentorship has already ended."))


def extend(actor: User, pairing: Mentorship, new_end: date, reason: str, config) -> None:
    _manageable(actor, pairing)
    if not reason.strip():
        raise MentorError(_("Give a reason."))
    problem = rules.term_problem(pairing.start_date, new_end, config["MENTORSHIP_MIN_MONTHS"],
                                 config["MENTORSHIP_MAX_MONTHS"])
    if problem or new_end <= pairing.planned_end:
        raise MentorError(_("The new end must be later than %(old)s and within %(max)d months of the start.",
                            old=pairing.planned_end.isoformat(), max=config["MENTORSHIP_MAX_MONTHS"]))
    pairing.events.append(MentorshipEvent(kind="extended", reason=reason.strip(), old_end=pairing.planned_end,
                                          new_end=new_end, by_id=actor.id))
    pairing.planned_end = new_end
    db.session.flush()


def end(actor: User, pairing: Mentorship, reason: str, today: date) -> None:
    _manageable(actor, pairing)
    if not reason.strip():
        raise MentorError(_("Give a reason."))
    pairing.status, pairing.ended_on, pairing.end_reason = "ended", today, reason.strip()
    pairing.events.append(MentorshipEvent(kind="ended", reason=reason.strip(), by_id=actor.id))
    db.session.flush()


# --- visits --------------------------------------------------------------------------------------

def _party(actor: User, pairing: Mentorship) -> None:
    if actor.id not in (pairing.mentor_id, pairing.mentee_id):
        raise MentorError(_("Only the mentor and the mentee can do this."))


def log_visit(actor: User, pairing: Mentorship, *, visit_date: date, household: str, purpose: str,
              demonstrated: str = "", mentee_did: str = "", follow_up: str = "", today: date) -> JointVisit:
    _party(actor, pairing)
    if pairing.status != "active":
        raise MentorError(_("This mentorship has already ended."))
    if visit_date > today:
        raise MentorError(_("The visit date cannot be in the future."))
    if visit_date < pairing.start_date:
        raise MentorError(_("The visit date is before the mentorship started (%(start)s).",
                            start=pairing.start_date.isoformat()))
    visit = JointVisit(visit_date=visit_date, household=household.strip(), purpose=purpose.strip(),
                       demonstrated=demonstrated.strip(), mentee_did=mentee_did.strip(),
                       follow_up=follow_up.strip(), logged_by_id=actor.id)
    pairing.visits.append(visit)
    db.session.flush()
    other = pairing.mentee_id if actor.id == pairing.mentor_id else pairing.mentor_id
    notify(other, "visit_to_confirm", f"/mentoring/{pairing.id}#visit-{visit.id}", by=actor.name,
           day=visit_date.isoformat())
    return visit


def confirm_visit(actor: User, visit: JointVisit, now: datetime | None = None) -> None:
    """The side that did not log the visit confirms it."""
    pairing = visit.mentorship
    _party(actor, pairing)
    if actor.id == visit.logged_by_id:
        raise MentorError(_("The other person confirms a visit, not the one who logged it."))
    if visit.confirmed_at is not None:
        raise MentorError(_("This visit is already confirmed."))
    visit.confirmed_at = now or utcnow()
    db.session.flush()


def visits_by_month(pairing: Mentorship) -> dict[str, int]:
    """Confirmed visits per month (YYYY-MM)."""
    counts: dict[str, int] = {}
    for visit in pairing.visits:
        if visit.confirmed_at is not None:
            key = visit.visit_date.strftime("%Y-%m")
            counts[key] = counts.get(key, 0) + 1
    return counts


# --- observations and comments ------------------------------------------------------------------

def observe(actor: User, pairing: Mentorship, indicator: str, rating: int, note: str, observed_on: date,
            indicator_ids: set[str]) -> Observation:
    if actor.id != pairing.mentor_id:
        raise MentorError(_("Only the mentor records observations."))
    if indicator not in indicator_ids:
        raise MentorError(_("Unknown indicator: %(id)s", id=indicator))
    if rating not in (1, 2, 3, 4, 5):
        raise MentorError(_("The rating must be 1 to 5."))
    if not note.strip():
        raise MentorError(_("Write a short note on what you observed."))
    observation = Observation(mentorship_id=pairing.id, indicator=indicator, rating=rating, note=note.strip(),
                              observed_on=observed_on)
    db.session.add(observation)
    db.session.flush()
    signals.observation_recorded.send(observation, mentorship=pairing)
    return observation


def comment_on_step(actor: User, step: DrillStep, text: str) -> DrillComment:
    """A mentor comments on one decision of a mentee's drill attempt; the mentee is notified."""
    mentee = step.attempt.user
    if not is_mentor_of(actor, mentee):
        raise MentorError(_("You can comment only on your own mentees' drills."))
    if not text.strip():
        raise MentorError(_("The comment is empty."))
    comment = DrillComment(step_id=step.id, author_id=actor.id, text=text.strip()[:1000])
    db.session.add(comment)
    db.session.flush()
    notify(mentee.id, "drill_comment", f"/drills/attempts/{step.attempt_id}/result#step-{step.id}",
           by=actor.name, drill=step.attempt.drill_version.title)
    return comment


def comments_for(attempt_id: int) -> dict[int, list[DrillComment]]:
    rows = db.session.scalars(select(DrillComment).join(DrillStep).where(DrillStep.attempt_id == attempt_id)
                              .order_by(DrillComment.created_at)).all()
    result: dict[int, list[DrillComment]] = {}
    for row in rows:
        result.setdefault(row.step_id, []).append(row)
    return result


# --- sign-off -----------------------------------------------------------------------------------

def sign_off(actor: User, pairing: Mentorship, assessment: str) -> None:
    if actor.id != pairing.mentor_id:
        raise MentorError(_("Only the mentor signs off."))
    if pairing.status != "active":
        raise MentorError(_("This mentorship has already ended."))
    if pairing.signed_off_at is not None:
        raise MentorError(_("Already signed off; waiting for the organizer to confirm."))
    if len(assessment.strip()) < 10:
        raise MentorError(_("Write a short assessment (at least 10 characters)."))
    pairing.signed_off_at, pairing.signoff_assessment = utcnow(), assessment.strip()
    pairing.events.append(MentorshipEvent(kind="signed_off", reason=assessment.strip()[:500], by_id=actor.id))
    organizer = pairing.created_by_id
    if organizer:
        notify(organizer, "signoff_to_confirm", f"/mentoring/{pairing.id}", mentor=actor.name,
               mentee=pairing.mentee.name)
    db.session.flush()


def confirm_independence(actor: User, pairing: Mentorship, tz) -> None:
    _manageable(actor, pairing)
    if pairing.signed_off_at is None:
        raise MentorError(_("The mentor has not signed off yet."))
    pairing.confirmed_at, pairing.confirmed_by_id = utcnow(), actor.id
    pairing.independence_days = rules.time_to_independence(pairing.start_date, pairing.confirmed_at.astimezone(tz).date())
    pairing.status = "independent"
    pairing.events.append(MentorshipEvent(kind="confirmed", by_id=actor.id))
    notify(pairing.mentee_id, "independent", f"/mentoring/{pairing.id}")
    notify(pairing.mentor_id, "independent_mentor", f"/mentoring/{pairing.id}", mentee=pairing.mentee.name)
    db.session.flush()


def pairings_in_scope(actor: User) -> list[Mentorship]:
    """Every mentorship whose mentee lies in the organizer's area."""
    return db.session.scalars(select(Mentorship).join(User, User.id == Mentorship.mentee_id)
                              .join(Area, Area.id == User.area_id).where(area_filter(actor))
                              .order_by(Mentorship.status, Mentorship.start_date.desc())).all()
