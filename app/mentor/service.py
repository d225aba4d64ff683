"""Mentoring operations (callers commit): pairing, term changes, joint visits, observations,
comments on drill decisions, sign-off, notifications, and what the mentoring pages list.

Every operation checks the ``actor`` it is given (a party to the mentorship, its mentor, or an
organizer whose area holds the mentee) and refuses with ``Refusal`` naming the problem; the rules
of ``app.mentor.rules`` are applied here and a broken one is refused in the reader's language.
Who may open a page is ``app.access``'s (views answer 404).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit, clock, signals
from ..access import is_mentor_of
from ..content.courses import Indicator
from ..extensions import db
from ..models import (
    Area, DrillAttempt, DrillComment, DrillStep, JointVisit, Mentorship, MentorshipEvent, Observation, QuizAttempt,
    User,
)
from ..notifications import handled, notify
from ..refusal import Refusal, RuleBroken
from ..scope import area_filter, can_manage_user
from . import rules

#: Indicators the seed assesses by observation (入户观察, 现场观察 ...): offered first in the form.
OBSERVED_INDICATORS = ("comm.residents", "resilience.emotion", "comm.departments", "handling.detection",
                       "info.collection", "handling.emergency")


def _obey(rule: Callable[..., Any], *args, refusal: Callable[[RuleBroken], str], **kwargs) -> Any:
    """Apply a rule of ``app.mentor.rules`` (returning what it returns); a broken one is refused with
    ``refusal(broken)``."""
    try:
        return rule(*args, **kwargs)
    except RuleBroken as broken:
        raise Refusal(refusal(broken)) from broken


def mentorships_of(user: User, as_mentor: bool) -> list[Mentorship]:
    column = Mentorship.mentor_id if as_mentor else Mentorship.mentee_id
    return db.session.scalars(select(Mentorship).where(column == user.id)
                              .order_by(Mentorship.status, Mentorship.start_date.desc())).all()


def load_people(pairings: list[Mentorship]) -> None:
    """Load the mentors and mentees of ``pairings`` in one query (without their roles) and set them on
    the pairings, so a list of pairings reads no more."""
    ids = {p.mentor_id for p in pairings} | {p.mentee_id for p in pairings}
    if not ids:
        return
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids))
                                                  .options(lazyload(User.role_rows)))}
    for pairing in pairings:
        set_committed_value(pairing, "mentor", people[pairing.mentor_id])
        set_committed_value(pairing, "mentee", people[pairing.mentee_id])


def active_count(mentor: User) -> int:
    return len(db.session.scalars(select(Mentorship.id).where(Mentorship.mentor_id == mentor.id,
                                                              Mentorship.status == "active")).all())


# --- pairing and term ---------------------------------------------------------------------------

def create_mentorships(actor: User, mentor: User, mentees: list[User], start: date, planned_end: date,
                       config) -> list[Mentorship]:
    """Pair ``mentor`` with one or two mentees. Raises Refusal naming the problem."""
    if not mentees or len(mentees) > 2:
        raise Refusal(_("Choose one or two mentees."))
    if not mentor.has_role("mentor"):
        raise Refusal(_("%(name)s does not hold the mentor role.", name=mentor.name))
    for person in (mentor, *mentees):
        if not can_manage_user(actor, person):
            raise Refusal(_("%(name)s is outside your area.", name=person.name))
    if mentor in mentees:
        raise Refusal(_("A mentor cannot mentor themselves."))
    _obey(rules.check_term, start, planned_end, config["MENTORSHIP_MIN_MONTHS"], config["MENTORSHIP_MAX_MONTHS"],
          refusal=lambda _broken: _("The planned end must be %(min)d to %(max)d months after the start.",
                                    min=config["MENTORSHIP_MIN_MONTHS"], max=config["MENTORSHIP_MAX_MONTHS"]))
    current = active_count(mentor)
    _obey(rules.check_can_take, mentor.mentor_capacity, current, len(mentees),
          refusal=lambda _broken: _("%(name)s can mentor %(n)d people at once and already has %(current)d.",
                                    name=mentor.name, n=mentor.mentor_capacity, current=current))
    created = []
    for mentee in mentees:
        if db.session.scalar(select(Mentorship.id).where(Mentorship.mentee_id == mentee.id,
                                                         Mentorship.status == "active")) is not None:
            raise Refusal(_("%(name)s already has a mentor.", name=mentee.name))
        pairing = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, start_date=start, planned_end=planned_end,
                             status="active", created_by_id=actor.id)
        pairing.events.append(MentorshipEvent(kind="created", new_end=planned_end, by_id=actor.id))
        db.session.add(pairing)
        db.session.flush()
        audit.record(actor, "pairing.create", pairing, after={"mentor": mentor.name, "mentee": mentee.name,
                                                              "start": start, "ends_on": planned_end}, area=mentee.area)
        notify(mentee.id, "paired", f"/mentoring/{pairing.id}", mentor=mentor.name)
        notify(mentor.id, "paired_mentor", f"/mentoring/{pairing.id}", mentee=mentee.name)
        created.append(pairing)
    db.session.flush()
    return created


def pair_by_hand(actor: User, mentor_id: int | None, mentee_ids: Iterable[int], start: date | None,
                 planned_end: date | None, config) -> list[Mentorship]:
    """The pairing form: people by id; refused unless all of them exist and both dates are given."""
    mentor = db.session.get(User, mentor_id) if mentor_id else None
    chosen = [db.session.get(User, i) for i in mentee_ids]
    if mentor is None or None in chosen or start is None or planned_end is None:
        raise Refusal(_("Choose a mentor, one or two mentees, a start and a planned end."))
    return create_mentorships(actor, mentor, chosen, start, planned_end, config)


def pair_for_longest_term(actor: User, pairs: Iterable[tuple[int, int]], start: date, config) -> int:
    """Accepted suggestions or an approved cohort, (mentor id, mentee id) each, for the longest term from
    ``start``; all or nothing (the caller rolls back on refusal). Returns how many were paired."""
    planned_end = rules.add_months(start, config["MENTORSHIP_MAX_MONTHS"])
    created = 0
    for mentor_id, mentee_id in pairs:
        mentor, mentee = db.session.get(User, mentor_id), db.session.get(User, mentee_id)
        if mentor is None or mentee is None:
            raise Refusal(_("A chosen person no longer exists."))
        created += len(create_mentorships(actor, mentor, [mentee], start, planned_end, config))
    return created


def _manageable(actor: User, pairing: Mentorship) -> None:
    if not can_manage_user(actor, pairing.mentee):
        raise Refusal(_("This mentorship is outside your area."))
    if pairing.status != "active":
        raise Refusal(_("This mentorship has already ended."))


def _give_a_reason() -> str:
    return _("Give a reason.")


def extend(actor: User, pairing: Mentorship, new_end: date, reason: str, config) -> None:
    _manageable(actor, pairing)
    _obey(rules.check_extension, pairing.start_date, pairing.planned_end, new_end, reason,
          max_months=config["MENTORSHIP_MAX_MONTHS"], min_months=config["MENTORSHIP_MIN_MONTHS"],
          refusal=lambda broken: _give_a_reason() if broken.key == "term.reason_required" else
          _("The new end must be later than %(old)s and within %(max)d months of the start.",
            old=pairing.planned_end.isoformat(), max=config["MENTORSHIP_MAX_MONTHS"]))
    pairing.events.append(MentorshipEvent(kind="extended", reason=reason.strip(), old_end=pairing.planned_end,
                                          new_end=new_end, by_id=actor.id))
    audit.record(actor, "pairing.extend", pairing, {"ends_on": pairing.planned_end},
                 {"ends_on": new_end, "reason": reason.strip()}, area=pairing.mentee.area)
    pairing.planned_end = new_end
    db.session.flush()


def end(actor: User, pairing: Mentorship, reason: str, today: date) -> None:
    _manageable(actor, pairing)
    _obey(rules.check_early_end, reason, refusal=lambda _broken: _give_a_reason())
    audit.record(actor, "pairing.end", pairing, {"status": pairing.status},
                 {"status": "ended", "end": today, "reason": reason.strip()}, area=pairing.mentee.area)
    pairing.status, pairing.ended_on, pairing.end_reason = "ended", today, reason.strip()
    pairing.events.append(MentorshipEvent(kind="ended", reason=reason.strip(), by_id=actor.id))
    db.session.flush()


# --- visits --------------------------------------------------------------------------------------

def _party(actor: User, pairing: Mentorship) -> None:
    if actor.id not in (pairing.mentor_id, pairing.mentee_id):
        raise Refusal(_("Only the mentor and the mentee can do this."))


def _starts_on(pairing: Mentorship) -> str:
    return _("This mentorship only starts on %(start)s.", start=pairing.start_date.isoformat())


def _date_refused(pairing: Mentorship, broken: RuleBroken) -> str:
    if broken.key == "record.closed":
        return _("This mentorship has already ended.")
    if broken.key == "record.not_started":
        return _starts_on(pairing)
    return _("%(day)s lies outside this mentorship: choose a date from %(first)s to %(last)s.",
             day=broken.params["day"].isoformat(), first=broken.params["first"].isoformat(),
             last=broken.params["last"].isoformat())


def last_day(pairing: Mentorship) -> date:
    """The mentorship's last day: the day it ended, else its planned end."""
    return pairing.ended_on or pairing.planned_end


def record_window(pairing: Mentorship, today: date) -> tuple[date, date]:
    """The dates a new visit or observation may carry (the forms' ``min`` and ``max``)."""
    return rules.record_window(pairing.start_date, last_day(pairing), today)


def _check_record_date(pairing: Mentorship, day: date, today: date) -> None:
    _obey(rules.check_record_date, day, start=pairing.start_date, last_day=last_day(pairing), today=today,
          active=pairing.status == "active", refusal=lambda broken: _date_refused(pairing, broken))


def log_visit(actor: User, pairing: Mentorship, *, visit_date: date, household: str, purpose: str,
              demonstrated: str = "", mentee_did: str = "", follow_up: str = "", today: date) -> JointVisit:
    """A joint visit of an active mentorship, dated from its start to today (not after its planned end)."""
    _party(actor, pairing)
    _check_record_date(pairing, visit_date, today)
    visit = JointVisit(visit_date=visit_date, household=household.strip(), purpose=purpose.strip(),
                       demonstrated=demonstrated.strip(), mentee_did=mentee_did.strip(),
                       follow_up=follow_up.strip(), logged_by_id=actor.id)
    pairing.visits.append(visit)
    db.session.flush()
    other = pairing.mentee_id if actor.id == pairing.mentor_id else pairing.mentor_id
    notify(other, "visit_to_confirm", f"/mentoring/{pairing.id}#visit-{visit.id}", subject=f"visit:{visit.id}",
           by=actor.name, day=visit_date.isoformat())
    return visit


def confirm_visit(actor: User, visit: JointVisit, now: datetime | None = None) -> None:
    """The side that did not log the visit confirms it."""
    pairing = visit.mentorship
    _party(actor, pairing)
    if actor.id == visit.logged_by_id:
        raise Refusal(_("The other person confirms a visit, not the one who logged it."))
    if visit.confirmed_at is not None:
        raise Refusal(_("This visit is already confirmed."))
    visit.confirmed_at = now or clock.utcnow()
    handled(f"visit:{visit.id}")
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
            indicator_ids: set[str], today: date) -> Observation:
    """The mentor of an active mentorship rates observed behaviour, dated from the start to today (not
    after the planned end); it becomes evidence. A former mentor records nothing."""
    if actor.id != pairing.mentor_id:
        raise Refusal(_("Only the mentor records observations."))
    _check_record_date(pairing, observed_on, today)
    if indicator not in indicator_ids:
        raise Refusal(_("Unknown indicator: %(id)s", id=indicator))
    if rating not in (1, 2, 3, 4, 5):
        raise Refusal(_("The rating must be 1 to 5."))
    if not note.strip():
        raise Refusal(_("Write a short note on what you observed."))
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
        raise Refusal(_("You can comment only on your own mentees' drills."))
    if not text.strip():
        raise Refusal(_("The comment is empty."))
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

def too_early_text(pairing: Mentorship, config) -> str:
    """Why the mentor cannot sign off yet (shown on the page and as the refusal)."""
    return _("Independence can be signed off from %(day)s, %(n)d months after the start; before then only the "
             "organizer can confirm it, with a reason.",
             day=rules.earliest_signoff(pairing.start_date, config["MENTORSHIP_MIN_MONTHS"]).isoformat(),
             n=config["MENTORSHIP_MIN_MONTHS"])


def override_text(pairing: Mentorship, config) -> str:
    """What an organizer must give to confirm independence before the minimum term."""
    return _("The minimum term of %(n)d months ends on %(day)s: to confirm independence earlier, give a reason.",
             day=rules.earliest_signoff(pairing.start_date, config["MENTORSHIP_MIN_MONTHS"]).isoformat(),
             n=config["MENTORSHIP_MIN_MONTHS"])


def sign_off(actor: User, pairing: Mentorship, assessment: str, today: date, config) -> None:
    """The mentor signs off independence, not before ``MENTORSHIP_MIN_MONTHS`` after the start."""
    if actor.id != pairing.mentor_id:
        raise Refusal(_("Only the mentor signs off."))
    if pairing.status != "active":
        raise Refusal(_("This mentorship has already ended."))
    if pairing.signed_off_at is not None:
        raise Refusal(_("Already signed off; waiting for the organizer to confirm."))
    _obey(rules.check_signoff, pairing.start_date, today, config["MENTORSHIP_MIN_MONTHS"],
          refusal=lambda _broken: too_early_text(pairing, config))
    if len(assessment.strip()) < 10:
        raise Refusal(_("Write a short assessment (at least 10 characters)."))
    pairing.signed_off_at, pairing.signoff_assessment = clock.utcnow(), assessment.strip()
    pairing.events.append(MentorshipEvent(kind="signed_off", reason=assessment.strip()[:500], by_id=actor.id))
    organizer = pairing.created_by_id
    if organizer:
        notify(organizer, "signoff_to_confirm", f"/mentoring/{pairing.id}", subject=f"signoff:{pairing.id}",
               mentor=actor.name, mentee=pairing.mentee.name)
    db.session.flush()


def _confirmation_refused(pairing: Mentorship, broken: RuleBroken, config) -> str:
    if broken.key == "signoff.not_started":
        return _starts_on(pairing)
    if broken.key == "signoff.override_reason":
        return override_text(pairing, config)
    return _("The mentor has not signed off yet.")


def confirm_independence(actor: User, pairing: Mentorship, today: date, config, reason: str = "") -> None:
    """The organizer confirms the mentor's sign-off; before ``MENTORSHIP_MIN_MONTHS`` after the start
    only as an override with ``reason`` (recorded, with who, on the "confirmed" event)."""
    _manageable(actor, pairing)
    override = _obey(rules.check_confirmation, pairing.start_date, today,
                     signed_off=pairing.signed_off_at is not None, reason=reason,
                     min_months=config["MENTORSHIP_MIN_MONTHS"],
                     refusal=lambda broken: _confirmation_refused(pairing, broken, config))
    audit.record(actor, "pairing.confirm", pairing, {"status": pairing.status},
                 {"status": "independent", "reason": reason.strip()}, area=pairing.mentee.area)
    pairing.confirmed_at, pairing.confirmed_by_id = clock.utcnow(), actor.id
    pairing.independence_days = rules.time_to_independence(pairing.start_date, today)
    pairing.status = "independent"
    pairing.events.append(MentorshipEvent(kind="confirmed", reason=reason.strip()[:500] if override else "",
                                          by_id=actor.id))
    handled(f"signoff:{pairing.id}")
    notify(pairing.mentee_id, "independent", f"/mentoring/{pairing.id}")
    notify(pairing.mentor_id, "independent_mentor", f"/mentoring/{pairing.id}", mentee=pairing.mentee.name)
    db.session.flush()


def early_confirmation(pairing: Mentorship) -> MentorshipEvent | None:
    """The organizer's override, when independence was confirmed before the minimum term (with its reason)."""
    return next((e for e in pairing.events if e.kind == "confirmed" and e.reason), None)


def pairings_in_scope(actor: User) -> list[Mentorship]:
    """Every mentorship whose mentee lies in the organizer's area."""
    return db.session.scalars(select(Mentorship).join(User, User.id == Mentorship.mentee_id)
                              .join(Area, Area.id == User.area_id).where(area_filter(actor))
                              .order_by(Mentorship.status, Mentorship.start_date.desc())).all()


# --- what the pages list ------------------------------------------------------------------------

def observations_of(pairing: Mentorship) -> list[Observation]:
    return db.session.scalars(select(Observation).where(Observation.mentorship_id == pairing.id)
                              .order_by(Observation.observed_on.desc())).all()


def observation_choices(model: dict[str, Indicator]) -> list[Indicator]:
    """The indicators in the order the observation form offers them: those the seed assesses by
    observation first, then the rest in the model's order."""
    return [model[i] for i in OBSERVED_INDICATORS if i in model] + \
        [item for key, item in model.items() if key not in OBSERVED_INDICATORS]


def drill_attempts(person: User) -> list[DrillAttempt]:
    """All of a person's drill attempts, newest first."""
    return db.session.scalars(select(DrillAttempt).where(DrillAttempt.user_id == person.id)
                              .order_by(DrillAttempt.started_at.desc())).all()


def independence_stats(pairings: list[Mentorship]) -> dict:
    """Time to independence: overall, per mentor and per hire cohort (year), with mentee outcomes."""
    confirmed = [p for p in pairings if p.independence_days is not None]
    by_mentor: dict[str, list[int]] = {}
    by_cohort: dict[str, list[int]] = {}
    for p in pairings:  # every mentor and hire year is listed, with the confirmed durations
        cohort = str(p.mentee.hire_date.year) if p.mentee.hire_date else _("unknown")
        for group, key in ((by_mentor, p.mentor.name), (by_cohort, cohort)):
            group.setdefault(key, [])
            if p.independence_days is not None:
                group[key].append(p.independence_days)
    return {"all": rules.distribution(p.independence_days for p in confirmed),
            "by_mentor": {k: rules.distribution(v) for k, v in sorted(by_mentor.items())},
            "by_cohort": {k: rules.distribution(v) for k, v in sorted(by_cohort.items())},
            "outcomes": mentee_outcomes(pairings)}


def mentee_outcomes(pairings: list[Mentorship]) -> dict[str, dict]:
    """Per mentor: their mentees' mean quiz score and share of drills handled well (two queries)."""
    mentees: dict[str, set[int]] = {}
    for p in pairings:
        mentees.setdefault(p.mentor.name, set()).add(p.mentee_id)
    everyone = set().union(*mentees.values()) if mentees else set()
    quiz = dict(db.session.execute(select(QuizAttempt.user_id, func.avg(QuizAttempt.score))
                                   .where(QuizAttempt.user_id.in_(everyone), QuizAttempt.score.is_not(None))
                                   .group_by(QuizAttempt.user_id)).all()) if everyone else {}
    drills: dict[int, list[str]] = {}
    for user_id, outcome in db.session.execute(select(DrillAttempt.user_id, DrillAttempt.outcome).where(
            DrillAttempt.user_id.in_(everyone), DrillAttempt.outcome.is_not(None))) if everyone else []:
        drills.setdefault(user_id, []).append(outcome)
    result = {}
    for mentor, ids in mentees.items():
        scores = [float(quiz[i]) for i in ids if i in quiz]
        outcomes = [o for i in ids for o in drills.get(i, [])]
        result[mentor] = {"quiz": round(sum(scores) / len(scores)) if scores else None,
                          "drills": round(100 * outcomes.count("success") / len(outcomes)) if outcomes else None}
    return result
