"""Running skill competitions (callers commit): setting up rounds, enrolment, judges, taking a round
through the quiz and drill engines, judging (conflicts of interest, swaps), the leaderboard with its
freeze, publishing the results (ranking, prizes, awards, certificates), and the sealing checks.

The server is the referee: a round opens and closes on the server's clock; the unique
(round, entry) result row allows one attempt per round; quiz rounds use the quiz engine (saved
answers, server deadline, no key in pages); drill rounds use the assessed mode. From its first
opening until its organizer publishes the results a competition is sealed (``sealed``,
``practice_blocked``, ``book_deferred``, registered with ``app.sealing``): no marks, keys, feedback
or debriefs for anyone but its organizers, its drills and papers' banks not practised by its
contestants while a round runs, its questions out of the wrong-answer book. Publication stores the
ranking, awards and certificates once; the board, Excel and certificates read them afterwards.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import audit, competency, signals
from ..accounts.roster import read_roster
from ..clock import local, local_text, utcnow
from ..collation import tree_order
from ..drill import engine as drill_engine, service as drills
from ..extensions import db
from ..labels import official_name
from ..learn.progress import learners_query
from ..models import (
    Area, AttemptAnswer, Bracket, Certificate, Competition, CompetitionRound, DrillAttempt, DrillVersion, Entry,
    JudgeScore, JudgeSwap, Mentorship, Question, QuestionBank, Quiz, QuizAttempt, RoundJudge, RoundResult, User,
)
from ..quiz import service as quizzes
from ..refusal import Refusal, RuleBroken
from ..scope import bank_filter, can_manage_area, can_manage_user, scope_areas, scope_users
from . import boardcache, rules


def rule_message(exc: RuleBroken, names: dict | None = None) -> str:
    """A rule of ``rules`` broken, in the user's language (the rules speak English for logs); ``names``
    maps the people's ids in the rule's parameters to their names."""
    p = dict(exc.params)
    criterion = p.get("criterion", "")
    name = (names or {}).get(p.get("judge"), p.get("judge", ""))
    texts = {
        "rubric.empty": lambda: _("A rubric needs at least one criterion."),
        "rubric.no_id": lambda: _("Criterion %(n)s has no name.", n=p.get("position")),
        "rubric.duplicate": lambda: _("Criterion %(name)s appears twice.", name=criterion),
        "rubric.bad_max": lambda: _("%(name)s: the maximum must be a positive whole or half number.", name=criterion),
        "rubric.unknown_indicator": lambda: _("%(name)s: unknown indicator %(id)s.", name=criterion,
                                              id=p.get("indicator")),
        "score.count": lambda: _("%(got)s scores for %(expected)s criteria.", got=p.get("got"),
                                 expected=p.get("expected")),
        "score.missing": lambda: _("%(name)s: no score.", name=criterion),
        "score.not_a_number": lambda: _("%(name)s: %(value)s is not a number.", name=criterion, value=p.get("value")),
        "score.out_of_range": lambda: _("%(name)s: %(value)s is outside 0 to %(max)s.", name=criterion,
                                        value=p.get("value"), max=f"{p.get('max', 0):g}"),
        "score.not_half": lambda: _("%(name)s: use whole or half points, not %(value)s.", name=criterion,
                                    value=p.get("value")),
        "score.unknown": lambda: _("%(name)s is not in the rubric.", name=criterion),
        "start.not_enrolled": lambda: _("You are not enrolled in this competition."),
        "start.not_open_yet": lambda: _("This round opens at %(when)s.", when=local_text(p["opens_at"])),
        "start.closed": lambda: _("This round closed at %(when)s.", when=local_text(p["closes_at"])),
        "start.already_attempted": lambda: _("You have already taken this round: one attempt per round."),
        "window.bad_order": lambda: _("The round must close after it opens."),
        "round.bad_weight": lambda: _("The weight must be a number above 0 and at most %(max)s.", max=p.get("max")),
        "round.bad_time_limit": lambda: _("The time limit must be a whole number of minutes from 1 to %(max)s.",
                                          max=p.get("max")),
        "round.bad_count": lambda: _("The number of questions must be a whole number from 1 to %(max)s.",
                                     max=p.get("max")),
        "round.already_open": lambda: _("This round has opened; it can no longer be changed or deleted."),
        "judge.not_assigned": lambda: _("You are not a judge of this round."),
        "judge.not_in_round": lambda: _("This contestant is not in this competition."),
        "judge.own_entry": lambda: _("Nobody scores their own entry."),
        "swap.not_a_judge": lambda: _("%(name)s does not judge this contestant.", name=name),
        "swap.same": lambda: _("Choose another judge to take over."),
        "swap.already_judge": lambda: _("%(name)s already judges this contestant.", name=name),
        "swap.own_entry": lambda: _("Nobody scores their own entry."),
        "swap.scored_before": lambda: _("%(name)s has scored this contestant before.", name=name),
        "publish.already": lambda: _("The results are already published."),
        "publish.no_rounds": lambda: _("A competition without rounds has no results to publish."),
        "publish.not_closed": lambda: _("Results are published after the last round closes (%(when)s).",
                                        when=local_text(p["closes_at"])),
        "prize.bad_mode": lambda: _("Give prizes by number of places or by share."),
        "prize.bad_number": lambda: _("Prizes need three numbers of 0 or more (whole numbers for places)."),
        "prize.share_over": lambda: _("The prize shares add up to more than 100 percent."),
    }
    return texts[exc.key]() if exc.key in texts else str(exc)


@contextmanager
def _in_words(names: dict | None = None) -> Iterator[None]:
    """A rule broken inside becomes a ``Refusal`` in the user's language."""
    try:
        yield
    except RuleBroken as exc:
        raise Refusal(rule_message(exc, names)) from exc


# --- who may do what ---------------------------------------------------------------------------

def is_organizer(actor: User, competition: Competition) -> bool:
    return actor.is_manager and can_manage_area(actor, competition.area)


def _check_organizer(actor: User, competition: Competition) -> None:
    if not is_organizer(actor, competition):
        raise Refusal(_("Only the competition's organizers can change it."))


def entry_of(user: User, competition: Competition) -> Entry | None:
    return db.session.scalar(select(Entry).where(Entry.competition_id == competition.id, Entry.user_id == user.id))


def judged_rounds(user: User, competition: Competition) -> list[CompetitionRound]:
    """The rounds ``user`` judges: assigned to the round, or swapped in for one of its entries."""
    swapped_in = select(JudgeSwap.round_id).where(JudgeSwap.in_judge_id == user.id)
    assigned = select(RoundJudge.round_id).where(RoundJudge.user_id == user.id)
    return db.session.scalars(select(CompetitionRound).where(
        CompetitionRound.competition_id == competition.id,
        or_(CompetitionRound.id.in_(assigned), CompetitionRound.id.in_(swapped_in)))
        .order_by(CompetitionRound.position)).all()


def can_view(actor: User, competition: Competition) -> bool:
    return (is_organizer(actor, competition) or entry_of(actor, competition) is not None
            or bool(judged_rounds(actor, competition)))


def visible_competitions(actor: User) -> list[Competition]:
    rows = db.session.scalars(select(Competition).order_by(Competition.created_at.desc())).all()
    return [c for c in rows if can_view(actor, c)]


def overview(actor: User, competition: Competition, now: datetime | None = None) -> dict[str, Any]:
    """What the competition's page shows ``actor``: each round's state, their entry and own results,
    the rounds they judge, whether they have certificates; an organizer also sees the contestants, the
    choices for setting up (people, judges, areas, question banks, drills, indicators), each round's setup
    in words (``round_setup``), the judges of
    each practical round with their sheets, conflicts and swaps, and where judges disagree."""
    now = now or utcnow()
    entry = entry_of(actor, competition)
    organizer = is_organizer(actor, competition)
    page: dict[str, Any] = {
        "organizer": organizer, "entry": entry,
        "mine": {} if entry is None else {r.round_id: r for r in db.session.scalars(
            select(RoundResult).where(RoundResult.entry_id == entry.id))},
        "states": {r.id: rules.round_state(r.opens_at, r.closes_at, now) for r in competition.rounds},
        "judging": judged_rounds(actor, competition),
        "certified": entry is not None and competition.published_at is not None and db.session.scalar(
            select(Certificate.id).where(Certificate.entry_id == entry.id).limit(1)) is not None}
    if organizer:
        page.update(
            entries=db.session.scalars(select(Entry).where(Entry.competition_id == competition.id)).all(),
            people=db.session.scalars(learners_query(actor).order_by(User.name_key, User.name)).all(),
            judges=db.session.scalars(scope_users(actor).where(User.active)
                                      .order_by(User.name_key, User.name)).all(),
            areas=tree_order(db.session.scalars(scope_areas(actor)).all()),
            banks=db.session.scalars(select(QuestionBank).where(QuestionBank.active, bank_filter(actor))
                                     .order_by(QuestionBank.slug)).all(),
            drills=db.session.scalars(select(DrillVersion).where(DrillVersion.active)).all(),
            indicators=competency.model(),
            flags=disagreements(competition),
            setups={r.id: round_setup(r) for r in competition.rounds},
            panels={r.id: judging_panel(r) for r in competition.rounds if r.kind == "practical"})
    return page


# --- setting up ---------------------------------------------------------------------------------

def create_competition(actor: User, title: str, description: str, freeze_at: datetime | None,
                       bracket_names: list[str], prizes: tuple | None = None) -> Competition:
    """A new competition in ``actor``'s area; ``prizes`` is (mode, (first, second, third)) for the ranking
    prizes (default: 1, 2 and 3 places)."""
    if not actor.is_manager or actor.area is None:
        raise Refusal(_("Only organizers create competitions."))
    if not title.strip():
        raise Refusal(_("Give the competition a title."))
    mode, levels = prizes or ("count", (1, 2, 3))
    with _in_words():
        rules.check_prize_settings(mode or "", levels)
    competition = Competition(title=title.strip()[:200], description=description.strip(), area_id=actor.area_id,
                              freeze_at=freeze_at, created_by_id=actor.id, prize_mode=mode,
                              prize_first=float(levels[0]), prize_second=float(levels[1]),
                              prize_third=float(levels[2]))
    for name in dict.fromkeys(n.strip() for n in bracket_names if n.strip()):
        competition.brackets.append(Bracket(name=name[:100]))
    db.session.add(competition)
    db.session.flush()
    audit.record(actor, "competition.create", competition, after={
        "title": competition.title, "description": competition.description, "freeze_at": local_text(freeze_at),
        "brackets": [b.name for b in competition.brackets]})
    return competition


def add_round(actor: User, competition: Competition, *, kind: str, title: str, weight: float | None,
              opens_at: datetime | None, closes_at: datetime | None, banks: list[str] | None = None, count: int = 0,
              time_limit_min: int | None = None, drill_id: str | None = None, rubric: list[dict] | None = None,
              indicator_ids: set[str] | None = None) -> CompetitionRound:
    """Add a round; a quiz round draws its paper now (the same questions for everyone). A practical
    round's rubric names indicators of ``indicator_ids`` (by default the running competency model)."""
    _check_organizer(actor, competition)
    if opens_at is None or closes_at is None:
        raise Refusal(_("Give the round's opening and closing times."))
    if kind not in ("quiz", "drill", "practical"):
        raise Refusal(_("Unknown round type."))
    if not title.strip():
        raise Refusal(_("Give the round a title."))
    with _in_words():
        rules.check_round_numbers(weight=weight, time_limit_min=time_limit_min if kind == "quiz" else None,
                                  count=count if kind == "quiz" and count else None)
        rules.check_window(opens_at, closes_at)
    position = len(competition.rounds) + 1
    round_ = CompetitionRound(kind=kind, title=title.strip()[:200], weight=weight, opens_at=opens_at,
                              closes_at=closes_at, position=position)
    if kind == "quiz":
        round_.quiz = _paper(actor, competition, position, title, banks or [], count, time_limit_min, opens_at,
                             closes_at)
    elif kind == "drill":
        if not drill_id or drills.current_version(drill_id) is None:
            raise Refusal(_("Choose a drill."))
        round_.drill_id = drill_id
    else:
        known = set(competency.indicators()) if indicator_ids is None else indicator_ids
        problems = rules.rubric_problems(rubric or [], known)
        if problems:
            raise Refusal("; ".join(rule_message(p) for p in problems))
        round_.rubric = rubric
    competition.rounds.append(round_)
    db.session.flush()
    audit.record(actor, "round.create", round_, after=_audited_round(round_), area=competition.area)
    return round_


def _audited_round(round_: CompetitionRound) -> dict:
    """A round's settings as the audit trail shows them (times in local time, banks, drill and indicators
    by title)."""
    setup = round_setup(round_)
    quiz = round_.quiz if round_.kind == "quiz" else None
    return {"title": round_.title, "kind": round_.kind, "weight": round_.weight,
            "opens_at": local_text(round_.opens_at), "closes_at": local_text(round_.closes_at),
            **({"time_limit_min": quiz.time_limit_s / 60 if quiz.time_limit_s else None,
                "banks": [f"{title} ({n})" for title, n in setup.banks], "count": setup.count} if quiz else {}),
            **({"drill": setup.drill_title} if round_.kind == "drill" else {}),
            **({"rubric": setup.rubric_text.splitlines()} if round_.kind == "practical" else {})}


@dataclass
class RoundSetup:
    """What a round was set up with, in words: the banks of its paper by title with how many questions
    each gave, the paper's size and time limit (minutes), the drill's title, the rubric with indicator
    titles, and the judges' names."""

    banks: list[tuple[str, int]] = field(default_factory=list)
    bank_slugs: list[str] = field(default_factory=list)
    count: int = 0
    time_limit_min: int | None = None
    drill_title: str = ""
    criteria: list[dict] = field(default_factory=list)
    judges: list[str] = field(default_factory=list)

    @property
    def rubric_text(self) -> str:
        """The rubric as the edit form reads it, one ``name | max | indicator title`` per line."""
        return "\n".join(f"{c['name']} | {c['max']:g} | {c['indicator_title']}" for c in self.criteria)


def round_setup(round_: CompetitionRound) -> RoundSetup:
    """``RoundSetup`` of ``round_`` (ids never shown: banks, drills and indicators by their titles)."""
    setup = RoundSetup()
    if round_.kind == "quiz" and round_.quiz is not None:
        refs = (round_.quiz.selection or {}).get("fixed", [])
        per_bank: dict[str, int] = defaultdict(int)
        for ref in refs:
            per_bank[ref.split("/", 1)[0]] += 1
        titles = dict(db.session.execute(select(QuestionBank.slug, QuestionBank.title)
                                         .where(QuestionBank.slug.in_(list(per_bank)))).all()) if per_bank else {}
        setup.bank_slugs = sorted(per_bank)
        setup.banks = [(titles.get(slug, slug), n) for slug, n in sorted(per_bank.items())]
        setup.count = len(refs)
        setup.time_limit_min = round_.quiz.time_limit_s // 60 if round_.quiz.time_limit_s else None
    elif round_.kind == "drill" and round_.drill_id:
        version = drills.current_version(round_.drill_id)
        setup.drill_title = version.title if version is not None else round_.drill_id
    elif round_.kind == "practical":
        names = competency.names()
        setup.criteria = [{**c, "indicator_title": names.get(c.get("indicator"), c.get("indicator", ""))}
                          for c in round_.rubric or []]
        setup.judges = _judge_names(round_)
    return setup


def update_round(actor: User, round_: CompetitionRound, *, title: str, weight: float | None,
                 opens_at: datetime | None, closes_at: datetime | None, time_limit_min: int | None = None,
                 banks: list[str] | None = None, count: int | None = None, drill_id: str | None = None,
                 rubric: list[dict] | None = None, indicator_ids: set[str] | None = None,
                 now: datetime | None = None) -> None:
    """Change a round's title, weight and window, and what it is made of: a quiz round's time limit,
    banks and number of questions (other banks or another number draw a new paper), a drill round's
    drill, a practical round's rubric; only before it opens. ``None`` (or no banks) keeps a part as it is."""
    _check_organizer(actor, round_.competition)
    if opens_at is None or closes_at is None:
        raise Refusal(_("Give the round's opening and closing times."))
    if not title.strip():
        raise Refusal(_("Give the round a title."))
    quiz = round_.kind == "quiz"
    with _in_words():
        rules.check_round_editable(opens_at=round_.opens_at, now=now or utcnow())
        rules.check_round_numbers(weight=weight, time_limit_min=time_limit_min if quiz else None,
                                  count=count if quiz and count is not None else None)
        rules.check_window(opens_at, closes_at)
    was = _audited_round(round_)
    round_.title, round_.weight = title.strip()[:200], weight
    round_.opens_at, round_.closes_at = opens_at, closes_at
    if quiz and round_.quiz is not None:
        setup = round_setup(round_)
        chosen = sorted(set(banks)) if banks else setup.bank_slugs
        size = count if count is not None else setup.count
        if chosen != setup.bank_slugs or size != setup.count:
            old = round_.quiz
            round_.quiz = _paper(actor, round_.competition, round_.position, round_.title, chosen, size,
                                 time_limit_min, opens_at, closes_at)
            db.session.flush()
            db.session.delete(old)
        round_.quiz.title = f"{round_.competition.title} · {round_.title}"
        round_.quiz.time_limit_s = int(time_limit_min * 60) if time_limit_min else None
        round_.quiz.opens_at, round_.quiz.closes_at = opens_at, closes_at
    elif round_.kind == "drill" and drill_id and drill_id != round_.drill_id:
        if drills.current_version(drill_id) is None:
            raise Refusal(_("Choose a drill."))
        round_.drill_id = drill_id
    elif round_.kind == "practical" and rubric is not None:
        known = set(competency.indicators()) if indicator_ids is None else indicator_ids
        problems = rules.rubric_problems(rubric, known)
        if problems:
            raise Refusal("; ".join(rule_message(p) for p in problems))
        round_.rubric = rubric
    db.session.flush()
    audit.record(actor, "round.edit", round_, was, _audited_round(round_), area=round_.competition.area)


def delete_round(actor: User, round_: CompetitionRound, now: datetime | None = None) -> None:
    """Delete a round (its judges and its quiz paper with it); only before it opens. Later rounds move up."""
    competition = round_.competition
    _check_organizer(actor, competition)
    with _in_words():
        rules.check_round_editable(opens_at=round_.opens_at, now=now or utcnow())
    paper = round_.quiz
    audit.record(actor, "round.delete", round_, before=_audited_round(round_), area=competition.area)
    db.session.execute(RoundJudge.__table__.delete().where(RoundJudge.round_id == round_.id))
    competition.rounds.remove(round_)
    db.session.flush()
    if paper is not None:
        db.session.delete(paper)
    for position, other in enumerate(competition.rounds, start=1):
        other.position = position
    db.session.flush()


def _paper(actor: User, competition: Competition, position: int, title: str, banks: list[str], count: int,
           time_limit_min: int | None, opens_at: datetime, closes_at: datetime) -> Quiz:
    rows = db.session.execute(select(QuestionBank.slug, Question.key).join(Question)
                              .where(Question.active, QuestionBank.slug.in_(banks), bank_filter(actor))
                              .order_by(QuestionBank.slug, Question.key)).all()
    if count < 1:
        raise Refusal(_("Choose how many questions the paper has."))
    if len(rows) < count:
        raise Refusal(_("The chosen banks hold %(n)d questions; the paper needs %(count)d.",
                             n=len(rows), count=count))
    picked = sorted(secrets.SystemRandom().sample(rows, count))
    return Quiz(slug=f"competition-{competition.id}-round-{position}-{secrets.token_hex(3)}",
                title=f"{competition.title} · {title}", kind="competition",
                selection={"fixed": [f"{bank}/{key}" for bank, key in picked]}, shuffle_questions=True,
                shuffle_options=True, time_limit_s=int(time_limit_min * 60) if time_limit_min else None,
                opens_at=opens_at, closes_at=closes_at, attempts_allowed=1, grading="first", pass_mark=60,
                review_score=True, review_answers=False, review_explanations=False, content_hash=secrets.token_hex(8))


def managed_people(actor: User, ids: list[int]) -> list[User]:
    """The people of ``ids`` whom ``actor`` manages (others are left out)."""
    return db.session.scalars(scope_users(actor).where(User.id.in_(ids))).all() if ids else []


def chosen_people(actor: User, how: str, *, people: list[int], area_id: int | None, hired: int | None,
                  roster: tuple[str, bytes] | None) -> tuple[list[User], list[str]]:
    """The people an organizer chose to enrol, and the worker numbers not found: ``how`` is "people"
    (ticked one by one, ``people``), "cohort" (the learners at or below one of ``actor``'s areas,
    all without one, hired in ``hired`` if given) or else a roster file (name, bytes) with a 工号 column."""
    if how == "people":
        return managed_people(actor, people), []
    if how == "cohort":
        area = db.session.scalar(scope_areas(actor).where(Area.id == (area_id or -1)))
        return db.session.scalars(learners_query(actor, within=area, hired=hired)).all(), []
    if roster is None:
        raise Refusal(_("Choose a roster file."))
    rows = read_roster(*roster, required=("worker_number",))  # a file it cannot read is refused
    numbers = [str(r.values.get("worker_number") or "").strip() for r in rows]
    found = db.session.scalars(scope_users(actor).where(User.worker_number.in_(numbers))).all()
    return found, sorted({n for n in numbers if n} - {p.worker_number for p in found})


def enrol(actor: User, competition: Competition, users: list[User], bracket: Bracket | None = None) -> int:
    """Enrol people in the competition's area (existing entries keep their bracket unless one is given)."""
    _check_organizer(actor, competition)
    added = 0
    for user in users:
        if user.area is None or not user.area.is_within(competition.area) or not can_manage_user(actor, user):
            raise Refusal(_("%(name)s is outside the competition's area.", name=user.name))
        entry = entry_of(user, competition)
        if entry is None:
            db.session.add(Entry(competition_id=competition.id, user_id=user.id,
                                 bracket_id=bracket.id if bracket else None))
            added += 1
        elif bracket is not None:
            entry.bracket_id = bracket.id
    db.session.flush()
    audit.record(actor, "competition.enrol", competition, after={
        "people": [u.name for u in users], "added": added, **({"bracket": bracket.name} if bracket else {})})
    return added


def assign_judges(actor: User, round_: CompetitionRound, users: list[User]) -> None:
    competition = round_.competition
    _check_organizer(actor, competition)
    if round_.kind != "practical":
        raise Refusal(_("Only practical rounds are judged."))
    current = set(db.session.scalars(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id)))
    was = _judge_names(round_)
    for user in users:
        if not can_manage_user(actor, user):
            raise Refusal(_("%(name)s is outside the competition's area.", name=user.name))
        if user.id not in current:
            db.session.add(RoundJudge(round_id=round_.id, user_id=user.id))
    db.session.flush()
    audit.record(actor, "judge.assign", round_, {"judges": was}, {"judges": _judge_names(round_)},
                 area=competition.area)


def _judge_names(round_: CompetitionRound) -> list[str]:
    return sorted(db.session.scalars(select(User.name).join(RoundJudge, RoundJudge.user_id == User.id)
                                     .where(RoundJudge.round_id == round_.id)))


# --- taking part --------------------------------------------------------------------------------

def start_round(user: User, round_: CompetitionRound, tz: str, now: datetime | None = None) -> RoundResult:
    """Begin (or resume) the contestant's one attempt at a quiz or drill round. Raises Refusal."""
    now = now or utcnow()
    entry = entry_of(user, round_.competition)
    existing = None if entry is None else db.session.scalar(
        select(RoundResult).where(RoundResult.round_id == round_.id, RoundResult.entry_id == entry.id))
    if existing is not None and existing.finished_at is None \
            and rules.round_state(round_.opens_at, round_.closes_at, now) == rules.OPEN:
        return existing  # resume the one attempt
    with _in_words():
        rules.check_can_start(opens_at=round_.opens_at, closes_at=round_.closes_at, now=now,
                              enrolled=entry is not None, attempted=existing is not None)
    if round_.kind == "practical":
        raise Refusal(_("A practical round is judged on site; there is nothing to start here."))
    result = RoundResult(round_id=round_.id, entry_id=entry.id, started_at=now)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(result)
        db.session.flush()
        if round_.kind == "quiz":
            attempt = quizzes.start_attempt(user, round_.quiz, tz, now=now)
            attempt.deadline = rules.attempt_deadline(now, round_.closes_at, round_.quiz.time_limit_s)
            result.quiz_attempt_id = attempt.id
        else:
            attempt = drills.start_attempt(user, drills.current_version(round_.drill_id), "assessed", now=now)
            result.drill_attempt_id = attempt.id
        db.session.flush()
        savepoint.commit()
    except IntegrityError as exc:  # a parallel request won the race: one attempt per round
        savepoint.rollback()
        raise Refusal(rule_message(RuleBroken("start.already_attempted", "one attempt per round"))) from exc
    return result


def on_quiz_submitted(attempt: QuizAttempt, **_kwargs) -> None:
    """A quiz attempt was submitted: if it is a competition round's, record the round result."""
    if attempt.quiz.kind != "competition":
        return
    result = db.session.scalar(select(RoundResult).where(RoundResult.quiz_attempt_id == attempt.id))
    if result is None:
        return
    per_indicator: dict[str, list[float]] = defaultdict(list)
    for row in attempt.answers:
        for indicator in row.spec.get("indicators", []):
            per_indicator[indicator].append(100 * (row.score or 0))
    result.score = attempt.score
    result.indicator_scores = {k: round(sum(v) / len(v), 1) for k, v in per_indicator.items()}
    result.finished_at = attempt.submitted_at


def on_drill_finished(attempt: DrillAttempt, **_kwargs) -> None:
    """A drill attempt reached an ending: if it is a competition round's, record the round result."""
    if attempt.mode != "assessed":
        return
    result = db.session.scalar(select(RoundResult).where(RoundResult.drill_attempt_id == attempt.id))
    if result is None:
        return
    bounds, _best = drills.analysis(attempt.drill_version)
    result.indicator_scores, result.score = drill_engine.outcome_shares(drills.state_of(attempt).scores, bounds)
    result.finished_at = attempt.finished_at


# --- sealing (registered with app.sealing) ---------------------------------------------------------

def _attempt_round(attempt) -> tuple[Competition, CompetitionRound] | None:
    """The competition and round an attempt was made in (None for a quiz or drill taken on its own)."""
    if isinstance(attempt, QuizAttempt):
        column = RoundResult.quiz_attempt_id
    elif isinstance(attempt, DrillAttempt):
        column = RoundResult.drill_attempt_id
    else:
        return None
    row = db.session.execute(select(Competition, CompetitionRound)
                             .join(CompetitionRound, CompetitionRound.competition_id == Competition.id)
                             .join(RoundResult, RoundResult.round_id == CompetitionRound.id)
                             .where(column == attempt.id)).first()
    return None if row is None else (row[0], row[1])


def _running_rounds(user: User, kind: str, now: datetime, column):
    """The select of ``column`` for the rounds of ``kind`` open now in competitions ``user`` is enrolled in."""
    return (select(column).select_from(CompetitionRound)
            .join(Entry, Entry.competition_id == CompetitionRound.competition_id)
            .where(Entry.user_id == user.id, CompetitionRound.kind == kind, CompetitionRound.opens_at <= now,
                   CompetitionRound.closes_at > now))


def _running_paper_refs(user: User, now: datetime) -> set[str]:
    """``bank/key`` of every question on a paper of a quiz round running now for ``user``."""
    selections = db.session.scalars(_running_rounds(user, "quiz", now, Quiz.selection)
                                    .join(Quiz, Quiz.id == CompetitionRound.quiz_id)).all()
    return {ref for selection in selections for ref in (selection or {}).get("fixed", [])}


def sealed(attempt, viewer: User | None = None, now: datetime | None = None) -> bool:
    """Are ``attempt``'s results hidden from ``viewer`` (None: anyone who does not run the competition)?

    An attempt made in a competition is sealed from the competition's first opening until its results
    are published, for everyone but its organizers. An attempt made outside any competition is sealed
    for a viewer enrolled in a round running now that uses the same drill, or a paper with one of the
    attempt's questions: nobody learns a running round's key from an earlier practice. At most three
    queries (one when the attempt is a competition's)."""
    now = now or utcnow()
    found = _attempt_round(attempt)
    if found is not None:
        return _sealed_in_round(found, viewer, now)
    return _sealed_outside(attempt, viewer, now)


def _sealed_in_round(found: tuple[Competition, CompetitionRound], viewer: User | None, now: datetime) -> bool:
    competition, round_ = found
    if viewer is not None and is_organizer(viewer, competition):
        return False
    return rules.is_sealed(first_opens_at=round_.opens_at, published_at=competition.published_at, now=now)


def sealed_many(attempts, viewer: User | None = None, now: datetime | None = None) -> set:
    """``sealed`` for a list of attempts: ``(class name, id)`` of the sealed ones. Two queries for the
    rounds of all of them; for a ``viewer``, ``sealed``'s own queries for those made outside rounds."""
    now = now or utcnow()
    rounds: dict[tuple[str, int], tuple[Competition, CompetitionRound]] = {}
    for model, column in ((QuizAttempt, RoundResult.quiz_attempt_id), (DrillAttempt, RoundResult.drill_attempt_id)):
        ids = [a.id for a in attempts if isinstance(a, model)]
        if ids:
            for attempt_id, competition, round_ in db.session.execute(
                    select(column, Competition, CompetitionRound)
                    .join(CompetitionRound, CompetitionRound.competition_id == Competition.id)
                    .join(RoundResult, RoundResult.round_id == CompetitionRound.id)
                    .where(column.in_(ids))).all():
                rounds[(model.__name__, attempt_id)] = (competition, round_)
    hidden = set()
    for attempt in attempts:
        key = (type(attempt).__name__, attempt.id)
        found = rounds.get(key)
        if (_sealed_in_round(found, viewer, now) if found is not None else _sealed_outside(attempt, viewer, now)):
            hidden.add(key)
    return hidden


def _sealed_outside(attempt, viewer: User | None, now: datetime) -> bool:
    """``sealed`` for an attempt made outside any competition."""
    if viewer is None:
        return False
    if isinstance(attempt, DrillAttempt):
        return practice_blocked(viewer, "drill", attempt.drill_version.drill_id, now)
    if isinstance(attempt, QuizAttempt):
        refs = _running_paper_refs(viewer, now)
        if not refs:
            return False
        mine = db.session.execute(select(QuestionBank.slug, Question.key)
                                  .join(Question, Question.bank_id == QuestionBank.id)
                                  .join(AttemptAnswer, AttemptAnswer.question_id == Question.id)
                                  .where(AttemptAnswer.attempt_id == attempt.id)).all()
        return any(f"{slug}/{key}" in refs for slug, key in mine)
    return False


def practice_blocked(user: User, kind: str, ref: str, now: datetime | None = None) -> bool:
    """Is ``ref`` (a drill id, or a question bank slug for ``kind`` "quiz bank") used by a round running
    now in a competition ``user`` is enrolled in? One query."""
    now = now or utcnow()
    if kind == "drill":
        return db.session.scalar(_running_rounds(user, "drill", now, CompetitionRound.id)
                                 .where(CompetitionRound.drill_id == ref).limit(1)) is not None
    if kind == "quiz bank":
        return any(paper_ref.split("/", 1)[0] == ref for paper_ref in _running_paper_refs(user, now))
    return False


def book_deferred(attempt, now: datetime | None = None) -> bool:
    """A competition's questions enter the wrong-answer book when its results are published (``publish``
    books them then). One query."""
    found = _attempt_round(attempt) if isinstance(attempt, QuizAttempt) else None
    if found is None:
        return False
    competition, round_ = found
    return rules.is_sealed(first_opens_at=round_.opens_at, published_at=competition.published_at,
                           now=now or utcnow())


def evidence_deferred(attempt, now: datetime | None = None) -> bool:
    """A competition attempt's per-answer and per-decision evidence waits for the results (``publish``
    sends ``attempt_published`` for each attempt). One query."""
    found = _attempt_round(attempt)
    return found is not None and found[0].published_at is None


# --- judging ------------------------------------------------------------------------------------

def _round_judge_ids(round_: CompetitionRound) -> list[int]:
    return list(db.session.scalars(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id)
                                   .order_by(RoundJudge.user_id)))


def _swaps(round_: CompetitionRound, entry: Entry | None = None) -> list[JudgeSwap]:
    query = select(JudgeSwap).where(JudgeSwap.round_id == round_.id).order_by(JudgeSwap.id)
    if entry is not None:
        query = query.where(JudgeSwap.entry_id == entry.id)
    return db.session.scalars(query).all()


def judges_by_entry(round_: CompetitionRound, entries: list[Entry]) -> dict[int, list[int]]:
    """Entry id → the ids of its judges (the round's, with the entry's swaps applied). Two queries."""
    assigned = _round_judge_ids(round_)
    swaps: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for swap in _swaps(round_):
        swaps[swap.entry_id].append((swap.out_judge_id, swap.in_judge_id))
    return {e.id: rules.entry_judges(assigned, swaps.get(e.id, [])) for e in entries}


def entry_judge_ids(round_: CompetitionRound, entry: Entry) -> list[int]:
    return rules.entry_judges(_round_judge_ids(round_),
                              [(s.out_judge_id, s.in_judge_id) for s in _swaps(round_, entry)])


def is_judge(user: User, round_: CompetitionRound) -> bool:
    """Does ``user`` judge anyone in this round (assigned, or swapped in for an entry)?"""
    return db.session.scalar(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id,
                                                              RoundJudge.user_id == user.id)) is not None \
        or db.session.scalar(select(JudgeSwap.id).where(JudgeSwap.round_id == round_.id,
                                                        JudgeSwap.in_judge_id == user.id).limit(1)) is not None


def may_judge(user: User, round_: CompetitionRound, entry: Entry) -> bool:
    """Is ``user`` one of this entry's judges, and not its contestant?"""
    return entry.user_id != user.id and user.id in entry_judge_ids(round_, entry)


def _grid(user: User) -> int | None:
    return user.area_id if user.area is not None and user.area.level == "grid" else None


def conflicts_of(judge: User, contestants: list[User]) -> dict[int, list[str]]:
    """Contestant user id → the judge's conflicts of interest with them (mentee, mentor, same grid). One
    query for the mentorships, current or past."""
    ids = [c.id for c in contestants]
    pairs = db.session.execute(select(Mentorship.mentor_id, Mentorship.mentee_id).where(or_(
        (Mentorship.mentor_id == judge.id) & Mentorship.mentee_id.in_(ids),
        (Mentorship.mentee_id == judge.id) & Mentorship.mentor_id.in_(ids)))).all() if ids else []
    me = rules.Person(judge.id, _grid(judge))
    return {c.id: rules.judge_conflicts(me, rules.Person(c.id, _grid(c)), [tuple(p) for p in pairs])
            for c in contestants}


def submit_scores(judge: User, round_: CompetitionRound, entry: Entry, points: list[float], note: str,
                  now: datetime | None = None) -> JudgeScore:
    """A judge scores one contestant (once). Nobody scores their own entry; a conflict of interest is
    recorded with the sheet. Raises Refusal naming the problem."""
    now = now or utcnow()
    with _in_words():
        rules.check_can_judge(assigned=judge.id in entry_judge_ids(round_, entry),
                              enrolled=entry.competition_id == round_.competition_id, own=entry.user_id == judge.id)
        if rules.round_state(round_.opens_at, round_.closes_at, now) != rules.OPEN:
            raise Refusal(_("Scores are accepted only while the round is open."))
        problems = rules.score_problems(round_.rubric, points)
    if problems:
        raise Refusal("; ".join(rule_message(p) for p in problems))
    if db.session.scalar(select(JudgeScore.id).where(JudgeScore.round_id == round_.id,
                                                     JudgeScore.entry_id == entry.id,
                                                     JudgeScore.judge_id == judge.id)) is not None:
        raise Refusal(_("You have already scored this contestant."))
    was = _result_score(round_, entry)
    score = JudgeScore(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, points=list(points),
                       note=note.strip()[:500], submitted_at=now,
                       conflicts=conflicts_of(judge, [entry.user])[entry.user_id])
    db.session.add(score)
    db.session.flush()
    with _in_words():
        _update_practical(round_, entry, now)
    audit.record(judge, "score.enter" if was is None else "score.change", round_, {"score": was}, {
        "contestant": entry.user.name, "judge": judge.name, "points": list(points),
        "score": _result_score(round_, entry)}, area=round_.competition.area)
    return score


def _result_score(round_: CompetitionRound, entry: Entry) -> float | None:
    """The entry's current result on the round (None before any score)."""
    return db.session.scalar(select(RoundResult.score).where(RoundResult.round_id == round_.id,
                                                             RoundResult.entry_id == entry.id))


def swap_judge(actor: User, round_: CompetitionRound, entry: Entry, out: User | None, new: User | None,
               now: datetime | None = None) -> JudgeSwap:
    """The organizer replaces judge ``out`` by ``new`` for one entry, until the round closes. The replaced
    judge's sheet, if any, stays in the history, superseded, and the entry's result is recomputed
    without it. Raises Refusal."""
    now = now or utcnow()
    competition = round_.competition
    _check_organizer(actor, competition)
    if round_.kind != "practical":
        raise Refusal(_("Only practical rounds are judged."))
    if entry.competition_id != competition.id or out is None or new is None:
        raise Refusal(_("Choose the contestant, the judge to replace and the judge who takes over."))
    if rules.round_state(round_.opens_at, round_.closes_at, now) == rules.CLOSED:
        raise Refusal(_("Judges can be swapped until the round closes."))
    if not can_manage_user(actor, new):
        raise Refusal(_("%(name)s is outside the competition's area.", name=new.name))
    sheets = {s.judge_id: s for s in db.session.scalars(select(JudgeScore).where(
        JudgeScore.round_id == round_.id, JudgeScore.entry_id == entry.id))}
    with _in_words({out.id: out.name, new.id: new.name}):
        rules.check_swap(judges=entry_judge_ids(round_, entry), out=out.id, new=new.id, contestant=entry.user_id,
                         scored_before=new.id in sheets)
    was = _result_score(round_, entry)
    swap = JudgeSwap(round_id=round_.id, entry_id=entry.id, out_judge_id=out.id, in_judge_id=new.id,
                     swapped_by_id=actor.id, swapped_at=now)
    db.session.add(swap)
    replaced = sheets.get(out.id)
    if replaced is not None and replaced.superseded_at is None:
        replaced.superseded_at = now
        db.session.flush()
        with _in_words():
            _update_practical(round_, entry, now)
    db.session.flush()
    audit.record(actor, "judge.swap", round_, {"judge": out.name, "score": was}, {
        "contestant": entry.user.name, "judge": new.name, "score": _result_score(round_, entry)},
                 area=competition.area)
    return swap


def _sheets(round_: CompetitionRound, entry: Entry) -> list[JudgeScore]:
    """The judges' counted score sheets for one contestant (not superseded), in the order submitted."""
    return db.session.scalars(select(JudgeScore).where(JudgeScore.round_id == round_.id,
                                                       JudgeScore.entry_id == entry.id,
                                                       JudgeScore.superseded_at.is_(None))
                              .order_by(JudgeScore.id)).all()


def _update_practical(round_: CompetitionRound, entry: Entry, now: datetime) -> None:
    """The entry's practical result from the counted sheets (no score when none counts any more)."""
    sheets = _sheets(round_, entry)
    result = db.session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id,
                                                         RoundResult.entry_id == entry.id))
    if result is None:
        result = RoundResult(round_id=round_.id, entry_id=entry.id, started_at=now)
        db.session.add(result)
    if not sheets:
        result.score, result.finished_at, result.indicator_scores = None, None, {}
        db.session.flush()
        return
    judged = rules.judged_score(round_.rubric, [s.points for s in sheets])
    result.score, result.finished_at = judged.total, now
    result.indicator_scores = judged.indicator_scores
    db.session.flush()
    signals.practical_judged.send(result, round=round_, entry=entry, judged=judged)


def judging_sheets(round_: CompetitionRound, counted: bool = True) -> dict[int, list[JudgeScore]]:
    """Entry id → its sheets (``counted``: only those not superseded)."""
    query = select(JudgeScore).where(JudgeScore.round_id == round_.id).order_by(JudgeScore.id)
    if counted:
        query = query.where(JudgeScore.superseded_at.is_(None))
    result: dict[int, list[JudgeScore]] = defaultdict(list)
    for row in db.session.scalars(query):
        result[row.entry_id].append(row)
    return result


@dataclass
class JudgingRow:
    entry: Entry
    judges: list[User]                  # the entry's judges now
    sheets: list[JudgeScore]            # every sheet, superseded ones too, in the order submitted


@dataclass
class JudgingPanel:
    """A practical round as its organizer sees the judging: the judges, and per entry its judges and sheets."""

    judges: list[User]
    rows: list[JudgingRow]
    swaps: list[JudgeSwap]


def judging_panel(round_: CompetitionRound) -> JudgingPanel:
    entries = db.session.scalars(select(Entry).where(Entry.competition_id == round_.competition_id)
                                 .join(User, User.id == Entry.user_id).order_by(User.name_key, User.name)).all()
    by_entry = judges_by_entry(round_, entries)
    sheets = judging_sheets(round_, counted=False)
    ids = {j for judges in by_entry.values() for j in judges} | set(_round_judge_ids(round_))
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = [JudgingRow(entry=e, judges=[people[j] for j in by_entry[e.id] if j in people],
                       sheets=sheets.get(e.id, [])) for e in entries]
    return JudgingPanel(judges=[people[j] for j in _round_judge_ids(round_) if j in people], rows=rows,
                        swaps=_swaps(round_))


def judging_list(judge: User, round_: CompetitionRound) -> tuple[list[Entry], set[int], dict[int, list[str]]]:
    """The contestants a judge scores in a round (never their own entry), the entry ids the judge has
    already scored, and the judge's conflicts of interest per entry id."""
    everyone = db.session.scalars(select(Entry).where(Entry.competition_id == round_.competition_id)).all()
    by_entry = judges_by_entry(round_, everyone)
    entries = [e for e in everyone if judge.id in by_entry[e.id] and e.user_id != judge.id]
    done = set(db.session.scalars(select(JudgeScore.entry_id).where(JudgeScore.round_id == round_.id,
                                                                     JudgeScore.judge_id == judge.id,
                                                                     JudgeScore.superseded_at.is_(None))))
    conflicts = conflicts_of(judge, [e.user for e in entries])
    return entries, done, {e.id: conflicts[e.user_id] for e in entries}


def judge_view(judge: User, round_: CompetitionRound, entry: Entry
               ) -> tuple[JudgeScore | None, list[JudgeScore], list[str]]:
    """The judge's own sheet for a contestant, the other judges' counted sheets the judge may see (after
    submitting their own; organizers always), and the judge's conflicts of interest with the contestant."""
    sheets = _sheets(round_, entry)
    mine = next((s for s in sheets if s.judge_id == judge.id), None)
    conflicts = conflicts_of(judge, [entry.user])[entry.user_id]
    if not rules.can_see_other_judges(submitted=mine is not None, organizer=is_organizer(judge, round_.competition)):
        return mine, [], conflicts
    return mine, [s for s in sheets if s.judge_id != judge.id], conflicts


def disagreements(competition: Competition) -> list[tuple[CompetitionRound, str, rules.Disagreement]]:
    """Per practical round and contestant, the criteria on which the judges disagree (for the organizer)."""
    flagged = []
    names = {c.id: c.name for c in _contestants(competition)}
    for round_ in competition.rounds:
        if round_.kind != "practical":
            continue
        for entry_id, sheets in judging_sheets(round_).items():
            for found in rules.disagreements(round_.rubric, [s.points for s in sheets]):
                flagged.append((round_, names.get(entry_id, entry_id), found))
    return flagged


# --- leaderboard --------------------------------------------------------------------------------

def _contestants(competition: Competition) -> list[rules.Entry]:
    """Every contestant as the rules core's ``Entry`` (id, name, bracket name), without scores. One query."""
    rows = db.session.execute(select(Entry.id, Bracket.name, User.name).join(User, User.id == Entry.user_id)
                              .outerjoin(Bracket, Bracket.id == Entry.bracket_id)
                              .where(Entry.competition_id == competition.id)).all()
    return [rules.Entry(id=entry_id, name=name, bracket=bracket) for entry_id, bracket, name in rows]


def _scored_results(competition: Competition):
    """Every scored round result of the competition: entry_id, round_id, score, finished_at, indicator_scores."""
    return db.session.execute(
        select(RoundResult.entry_id, RoundResult.round_id, RoundResult.score, RoundResult.finished_at,
               RoundResult.indicator_scores)
        .join(CompetitionRound, CompetitionRound.id == RoundResult.round_id)
        .where(CompetitionRound.competition_id == competition.id, RoundResult.score.is_not(None))).all()


@dataclass
class Board:
    """A leaderboard: ranked rows overall and per bracket, and what goes with them. Published, it is
    what the organizer published; before that, the live results (frozen for the public after the
    freeze), with prizes and awards only as the organizer's preview."""

    overall: list[rules.Standing]
    brackets: dict[str, list[rules.Standing]]
    frozen: bool = False
    published_at: datetime | None = None
    prizes: dict[Any, int] = field(default_factory=dict)       # entry id → 1, 2, 3 (一等奖 …)
    awards: list[AwardView] | None = None


def _live(competition: Competition, truth: bool, now: datetime) -> Board:
    frozen = not truth and rules.is_frozen(competition.freeze_at, now)
    results = rules.visible_results(_scored_results(competition), competition.freeze_at if frozen else None,
                                    organizer=truth)
    contestants = _contestants(competition)
    weights = {r.id: r.weight for r in competition.rounds}
    if not weights:
        return Board([], {}, frozen)
    items = rules.entries_from_results(contestants, results)
    by_bracket = rules.rank_by_bracket([i for i in items if i.bracket is not None], weights) \
        if competition.brackets else {}
    return Board(rules.rank(items, weights), {b.name: by_bracket.get(b.name, []) for b in competition.brackets},
                 frozen)


def leaderboard(competition: Competition, truth: bool, now: datetime | None = None) -> Board:
    """The board: once published, what was published (for everyone); before, the live results, of which
    the public (``truth`` False) sees only those recorded before the freeze once it froze, and organizers
    (``truth``) see everything with a preview of the prizes and awards.

    Served from the cache every app process shares (``app.compete.boardcache``): the ``live`` board
    (organizers; the public without the preview, until the freeze) or the ``frozen`` one (the public
    from the freeze on, chosen by the clock at each request), computed again only after a write changed
    it. A fixed number of queries whatever the number of contestants and answers: one on a cached board."""
    now = now or utcnow()
    variant = boardcache.FROZEN if not truth and rules.is_frozen(competition.freeze_at, now) else boardcache.LIVE
    basis, data = boardcache.lookup(competition.id, variant)
    if basis.published_at is not None:
        if competition.published_at is None:  # published since this request loaded it
            db.session.refresh(competition)
        if competition.results:
            return _published_board(competition)
    frozen_now = not truth and rules.is_frozen(basis.freeze_at, now)
    if frozen_now != (variant == boardcache.FROZEN):  # the freeze time changed since the request loaded it
        variant = boardcache.FROZEN if frozen_now else boardcache.LIVE
        basis, data = boardcache.lookup(competition.id, variant)
    board = board_from_data(data, variant, basis) if data is not None else None
    if board is None:
        if boardcache.claim(competition.id, variant):
            basis, data = boardcache.lookup(competition.id, variant)  # stored while we asked?
        else:  # another request is computing it: wait for its board rather than compute it again
            basis, data = boardcache.wait_for(competition.id, variant, basis.version) or (basis, None)
        board = board_from_data(data, variant, basis) if data is not None else None
    if board is None:
        board = _computed(competition, variant, basis)
        boardcache.store(competition.id, variant, basis.version, board_data(board, variant, basis))
    board.frozen = frozen_now
    if not truth:
        board.prizes, board.awards = {}, None
    return board


def _computed(competition: Competition, variant: str, basis: boardcache.Basis) -> Board:
    """A board computed from the database: ``live`` from every result with the prizes and awards as they
    stand, ``frozen`` from the results recorded before the freeze. The rounds' weights and the entries'
    brackets are read here (after ``basis``), never from objects the request loaded earlier."""
    weights = dict(db.session.execute(select(CompetitionRound.id, CompetitionRound.weight)
                                      .where(CompetitionRound.competition_id == competition.id)).all())
    if not weights:
        return Board([], {})
    results = _scored_results(competition)
    shown = rules.frozen_view(results, basis.freeze_at) if variant == boardcache.FROZEN else results
    contestants = _contestants(competition)
    items = rules.entries_from_results(contestants, shown)
    names = db.session.scalars(select(Bracket.name).where(Bracket.competition_id == competition.id)
                               .order_by(Bracket.id)).all()
    by_bracket = rules.rank_by_bracket([i for i in items if i.bracket is not None], weights) if names else {}
    board = Board(rules.rank(items, weights), {name: by_bracket.get(name, []) for name in names})
    if variant == boardcache.LIVE and board.overall:
        board.prizes = rules.ranking_prizes(board.overall, basis.prize_mode, basis.prizes)
        board.awards = _awards(results, contestants)
    return board


#: Version of the cached board's layout (``board_data``): a row of another layout is computed again.
BOARD_FORMAT = 1


def board_data(board: Board, variant: str, basis: boardcache.Basis) -> dict:
    """A computed board as the cache keeps it (JSON, rows as arrays): the rounds, per row entry id, name,
    bracket, rank, tied, total, missing rounds, the scores in round order and the last finish; the
    brackets as (entry id, rank, tied); the prizes and awards; and what it was computed with (the freeze
    of a ``frozen`` board, the award minimum)."""
    rounds = sorted({rid for s in board.overall for rid in s.entry.round_scores})
    return {
        "format": BOARD_FORMAT, "variant": variant, "rounds": rounds,
        "freeze_at": basis.freeze_at.isoformat() if variant == boardcache.FROZEN and basis.freeze_at else None,
        "award_min_score": award_min_score(),
        "overall": [[s.entry.id, s.entry.name, s.entry.bracket, s.rank, s.tied, s.total, s.missing,
                     [s.entry.round_scores.get(rid) for rid in rounds],
                     s.entry.finished_at.isoformat() if s.entry.finished_at else None] for s in board.overall],
        "brackets": [[name, [[s.entry.id, s.rank, s.tied] for s in rows]] for name, rows in board.brackets.items()],
        "prizes": [[entry_id, level] for entry_id, level in board.prizes.items()],
        "awards": None if board.awards is None else [[a.key, a.title, a.score, list(a.winner_ids), list(a.winners)]
                                                     for a in board.awards],
    }


class CachedStandings(Sequence):
    """Standings of a cached board, each built from its stored row only when read: a page shows 100 rows
    (and the viewer's own) of thousands. ``ids`` are the rows' entry ids in order."""

    def __init__(self, build, ids: list):
        self._build, self.ids, self._made = build, ids, {}

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.ids)))]
        if index < 0:
            index += len(self.ids)
        if not 0 <= index < len(self.ids):
            raise IndexError(index)
        if index not in self._made:
            self._made[index] = self._build(index)
        return self._made[index]

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None


def standing_of(standings, entry_id) -> rules.Standing | None:
    """The standing of one entry in a board's rows (a cached board's without building the others)."""
    ids = getattr(standings, "ids", None)
    if ids is None:
        return next((s for s in standings if s.entry.id == entry_id), None)
    return standings[ids.index(entry_id)] if entry_id in ids else None


def board_from_data(data: dict, variant: str, basis: boardcache.Basis) -> Board | None:
    """The board ``board_data`` kept (rows built when read); None when it was made another way (layout,
    variant, freeze time or award minimum), so it is computed again."""
    freeze = basis.freeze_at.isoformat() if variant == boardcache.FROZEN and basis.freeze_at else None
    if (data.get("format") != BOARD_FORMAT or data.get("variant") != variant or data.get("freeze_at") != freeze
            or data.get("award_min_score") != award_min_score()):
        return None
    rounds, raw = data["rounds"], data["overall"]

    def build(index: int) -> rules.Standing:
        entry_id, name, bracket, rank, tied, total, missing, scores, finished = raw[index]
        entry = rules.Entry(id=entry_id, name=name, bracket=bracket,
                            round_scores={rid: v for rid, v in zip(rounds, scores) if v is not None},
                            finished_at=datetime.fromisoformat(finished) if finished else None)
        return rules.Standing(rank=rank, entry=entry, total=total, missing=missing, tied=tied)

    overall = CachedStandings(build, [row[0] for row in raw])
    position: dict = {}

    def bracket_rows(rows: list) -> CachedStandings:
        def build_in_bracket(index: int) -> rules.Standing:
            if not position:
                position.update((entry_id, i) for i, entry_id in enumerate(overall.ids))
            entry_id, rank, tied = rows[index]
            return overall[position[entry_id]]._replace(rank=rank, tied=tied)
        return CachedStandings(build_in_bracket, [row[0] for row in rows])

    return Board(overall=overall, brackets={name: bracket_rows(rows) for name, rows in data["brackets"]},
                 prizes={entry_id: level for entry_id, level in data["prizes"]},
                 awards=None if data["awards"] is None else [AwardView(*a) for a in data["awards"]])


def _prizes(competition: Competition, overall: list[rules.Standing]) -> dict[Any, int]:
    return rules.ranking_prizes(overall, competition.prize_mode,
                                (competition.prize_first, competition.prize_second, competition.prize_third))


def award_min_score() -> float:
    """``AWARD_MIN_SCORE``: what an award's indicators need, on at least half of them (default 60)."""
    return float(current_app.config.get("AWARD_MIN_SCORE", rules.AWARD_MIN_SCORE))


def awards(competition: Competition) -> list[AwardView]:
    """Single awards (政策通, 调解能手, 服务之星) from the indicator scores measured in its rounds, live."""
    return _awards(_scored_results(competition), _contestants(competition))


def _awards(results, contestants: list[rules.Entry]) -> list[AwardView]:
    names = {c.id: c.name for c in contestants}
    finished = {e.id: e.finished_at for e in rules.entries_from_results(contestants, results)}
    collected: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in results:
        for indicator, value in (row.indicator_scores or {}).items():
            collected[row.entry_id][indicator].append(value)
    scores = {entry_id: {k: sum(v) / len(v) for k, v in per.items()} for entry_id, per in collected.items()}
    groups = rules.groups_from_indicators(competency.model())
    return [AwardView(award.key, award.title, award.score, list(award.winners),
                      [names[i] for i in award.winners if i in names])
            for award in rules.single_awards(scores, groups, finished_at=finished, min_score=award_min_score())]


class AwardView:
    """An award with its winners' names and the rule in the user's language."""

    def __init__(self, key: str, title: str, score: float | None, winner_ids: list, winner_names: list[str]):
        self.key, self.title, self.score = key, title, score
        self.winner_ids, self.winners = winner_ids, winner_names
        self.rule = {"policy_expert": _("Highest mean on the policy indicators."),
                     "mediator": _("Highest mean on communicating with residents, coordinating with departments "
                                   "and managing emotions."),
                     "service_star": _("Highest mean on communicating with residents, spotting problems and "
                                       "handling emergencies.")}.get(key, "")


def prize_title(level: int | None) -> str:
    return dict(rules.PRIZES).get(level, "") if level else ""


# --- publication ----------------------------------------------------------------------------------

def set_prizes(actor: User, competition: Competition, mode: str | None, levels: tuple) -> None:
    """The ranking prizes of a competition, until its results are published. Raises Refusal."""
    _check_organizer(actor, competition)
    if competition.published_at is not None:
        raise Refusal(_("The results are already published."))
    with _in_words():
        rules.check_prize_settings(mode or "", levels)
    was = {"prize_mode": competition.prize_mode,
           "prizes": [competition.prize_first, competition.prize_second, competition.prize_third]}
    competition.prize_mode = mode
    competition.prize_first, competition.prize_second, competition.prize_third = (float(v) for v in levels)
    db.session.flush()
    audit.record(actor, "competition.edit", competition, was, {
        "prize_mode": mode, "prizes": [competition.prize_first, competition.prize_second, competition.prize_third]})


def _row(standing: rules.Standing, prizes: dict) -> dict:
    entry = standing.entry
    return {"entry": entry.id, "name": entry.name, "bracket": entry.bracket, "rank": standing.rank,
            "tied": standing.tied, "total": standing.total, "missing": standing.missing,
            "scores": {str(k): v for k, v in entry.round_scores.items()},
            "finished_at": entry.finished_at.isoformat() if entry.finished_at else None,
            "prize": prizes.get(entry.id)}


def _snapshot(competition: Competition, now: datetime) -> dict:
    """What publishing stores: the rounds, the final ranking overall and per bracket with the prizes, the
    single awards and the settings that made them (JSON)."""
    board = _live(competition, truth=True, now=now)
    prizes = _prizes(competition, board.overall) if board.overall else {}
    return {
        "rounds": [{"id": r.id, "title": r.title, "weight": r.weight} for r in competition.rounds],
        "overall": [_row(s, prizes) for s in board.overall],
        "brackets": [{"name": name, "rows": [_row(s, prizes) for s in rows]} for name, rows in board.brackets.items()],
        "awards": [{"key": a.key, "title": a.title, "score": a.score, "entries": a.winner_ids, "winners": a.winners}
                   for a in (awards(competition) if board.overall else [])],
        "settings": {"prize_mode": competition.prize_mode,
                     "prizes": [competition.prize_first, competition.prize_second, competition.prize_third],
                     "award_min_score": award_min_score()},
    }


def _standing(row: dict) -> rules.Standing:
    finished = datetime.fromisoformat(row["finished_at"]) if row.get("finished_at") else None
    entry = rules.Entry(id=row["entry"], name=row["name"], bracket=row.get("bracket"),
                        round_scores={int(k): v for k, v in row["scores"].items()}, finished_at=finished)
    return rules.Standing(rank=row["rank"], entry=entry, total=row["total"], missing=row["missing"], tied=row["tied"])


def _published_board(competition: Competition) -> Board:
    """The published board, each row built when read (as a cached one)."""
    data = competition.results

    def rows(raw: list[dict]) -> CachedStandings:
        return CachedStandings(lambda index: _standing(raw[index]), [r["entry"] for r in raw])

    return Board(overall=rows(data["overall"]),
                 brackets={b["name"]: rows(b["rows"]) for b in data["brackets"]},
                 published_at=competition.published_at,
                 prizes={r["entry"]: r["prize"] for r in data["overall"] if r.get("prize")},
                 awards=[AwardView(a["key"], a["title"], a["score"], a["entries"], a["winners"])
                         for a in data["awards"]])


@dataclass(frozen=True)
class CertificateSpec:
    """One certificate to issue: for whom and what it says (the number comes with publication)."""

    kind: str            # award | participation
    award: str           # prize-1 … prize-3, an award key, or "" for participation
    entry_id: int
    name: str
    body: str


def _certificate_specs(competition: Competition, snapshot: dict) -> list[CertificateSpec]:
    """The certificates a snapshot earns, in the order they are numbered: ranking prizes (一等奖 first, by
    rank), single awards (by award, winners by name), then participation for every contestant with a
    scored round (by rank). The text is in the platform's default language, whoever publishes."""
    specs: list[CertificateSpec] = []
    rows = snapshot["overall"]
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for level, title in rules.PRIZES:
            for row in (r for r in rows if r.get("prize") == level):
                specs.append(CertificateSpec("award", f"prize-{level}", row["entry"], row["name"],
                                             _("won %(prize)s in %(competition)s", prize=title,
                                               competition=competition.title)))
        for award in snapshot["awards"]:
            names = dict(zip(award["entries"], award["winners"]))
            by_id = {r["entry"]: r["name"] for r in rows}
            for entry_id in sorted(award["entries"], key=lambda i: (by_id.get(i, names.get(i, "")), i)):
                specs.append(CertificateSpec("award", award["key"], entry_id, by_id.get(entry_id, ""),
                                             _("won the single award “%(award)s” in %(competition)s",
                                               award=award["title"], competition=competition.title)))
        for row in rows:
            if any(v is not None for v in row["scores"].values()):
                specs.append(CertificateSpec("participation", "", row["entry"], row["name"],
                                             _("took part in %(competition)s", competition=competition.title)))
    return specs


def _expire_open_papers(competition: Competition, tz: str, now: datetime) -> None:
    """Submit as saved every attempt at the competition's papers whose deadline has passed."""
    attempts = db.session.scalars(select(QuizAttempt).join(RoundResult, RoundResult.quiz_attempt_id == QuizAttempt.id)
                                  .join(CompetitionRound, CompetitionRound.id == RoundResult.round_id)
                                  .where(CompetitionRound.competition_id == competition.id,
                                         QuizAttempt.submitted_at.is_(None))).all()
    for attempt in attempts:
        quizzes.expire_if_due(attempt, tz, now)


def publish(actor: User, competition: Competition, tz: str, now: datetime | None = None) -> list[Certificate]:
    """Publish the results once every round has closed: the final ranking (every result: the freeze
    ends here), the ranking prizes and single awards, and a numbered certificate for each. The papers'
    keys and explanations open, the competition's wrong answers enter the wrong-answer book, and from
    now on the board, Excel and certificates read what was published. Raises Refusal."""
    now = now or utcnow()
    _check_organizer(actor, competition)
    with _in_words():
        rules.check_can_publish(closes_at=[r.closes_at for r in competition.rounds], now=now,
                                published=competition.published_at is not None)
    _expire_open_papers(competition, tz, now)
    snapshot = _snapshot(competition, now)
    competition.results, competition.published_at, competition.published_by_id = snapshot, now, actor.id
    audit.record(actor, "results.publish", competition, {"published": False},
                 {"published": True, "ranked": len(snapshot.get("overall", []))})
    issued = _issue(competition, _certificate_specs(competition, snapshot), now)
    papers = [r.quiz for r in competition.rounds if r.kind == "quiz" and r.quiz is not None]
    for paper in papers:
        paper.review_answers = paper.review_explanations = True
    for attempt in db.session.scalars(select(QuizAttempt).where(
            QuizAttempt.quiz_id.in_([p.id for p in papers]), QuizAttempt.submitted_at.is_not(None))):
        quizzes.book_answers(attempt, tz)
        signals.attempt_published.send(attempt)
    for attempt in db.session.scalars(select(DrillAttempt).join(RoundResult, RoundResult.drill_attempt_id == DrillAttempt.id)
                                      .join(CompetitionRound, CompetitionRound.id == RoundResult.round_id)
                                      .where(CompetitionRound.competition_id == competition.id,
                                             DrillAttempt.finished_at.is_not(None))):
        signals.attempt_published.send(attempt)
    db.session.flush()
    return issued


def _issue(competition: Competition, specs: list[CertificateSpec], now: datetime) -> list[Certificate]:
    """Number and store the certificates: ``<year>-<area>-比武-<n>``, n continuing the year's and area's
    series (the unique series and sequence refuse a duplicate even under parallel publications)."""
    series = rules.certificate_series(local(now).year, competition.area.name)
    last = db.session.scalar(select(func.max(Certificate.sequence)).where(Certificate.series == series)) or 0
    issued = []
    for sequence, spec in enumerate(specs, start=last + 1):
        certificate = Certificate(competition_id=competition.id, entry_id=spec.entry_id, kind=spec.kind,
                                  award=spec.award, series=series, sequence=sequence,
                                  number=rules.certificate_number(series, sequence), name=spec.name[:100],
                                  body=spec.body, issuer=official_name(competition.area)[:200], issued_at=now)
        db.session.add(certificate)
        issued.append(certificate)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Refusal(_("Another publication took these certificate numbers at the same moment; try again.")) from exc
    return issued


def certificates_of(competition: Competition, entry: Entry | None = None) -> list[Certificate]:
    """The published certificates, in number order (``entry``: one contestant's)."""
    query = select(Certificate).where(Certificate.competition_id == competition.id).order_by(Certificate.sequence)
    if entry is not None:
        query = query.where(Certificate.entry_id == entry.id)
    return db.session.scalars(query).all()


def preview_certificates(actor: User, competition: Competition, now: datetime | None = None) -> list[CertificateSpec]:
    """For the organizer, before publication: the certificates publishing now would issue. Raises Refusal."""
    _check_organizer(actor, competition)
    return _certificate_specs(competition, _snapshot(competition, now or utcnow()))


def can_publish(competition: Competition, now: datetime | None = None) -> bool:
    try:
        rules.check_can_publish(closes_at=[r.closes_at for r in competition.rounds], now=now or utcnow(),
                                published=competition.published_at is not None)
    except RuleBroken:
        return False
    return True
