"""Running skill competitions (callers commit): setting up rounds, enrolment, judges, taking a round
through the quiz and drill engines, judging, the leaderboard with its freeze, awards.

The server is the referee: a round opens and closes on the server's clock; the unique
(round, entry) result row allows one attempt per round; quiz rounds use the quiz engine (saved
answers, server deadline, no key in pages and no review of answers while the competition runs);
drill rounds use the assessed mode.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import competency, signals
from ..accounts.roster import read_roster
from ..clock import local_text, utcnow
from ..drill import engine as drill_engine, service as drills
from ..extensions import db
from ..learn.progress import learners_query
from ..models import (
    Area, Bracket, Competition, CompetitionRound, DrillAttempt, DrillVersion, Entry, JudgeScore, Question,
    QuestionBank, Quiz, QuizAttempt, RoundJudge, RoundResult, User,
)
from ..quiz import service as quizzes
from ..refusal import Refusal, RuleBroken
from ..scope import can_manage_area, can_manage_user, scope_areas, scope_users
from . import rules


def rule_message(exc: RuleBroken) -> str:
    """A rule of ``rules`` broken, in the user's language (the rules speak English for logs)."""
    p = dict(exc.params)
    criterion = p.get("criterion", "")
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
        "judge.not_assigned": lambda: _("You are not a judge of this round."),
        "judge.not_in_round": lambda: _("This contestant is not in this competition."),
    }
    return texts[exc.key]() if exc.key in texts else str(exc)


@contextmanager
def _in_words() -> Iterator[None]:
    """A rule broken inside becomes a ``Refusal`` in the user's language."""
    try:
        yield
    except RuleBroken as exc:
        raise Refusal(rule_message(exc)) from exc


# --- who may do what ---------------------------------------------------------------------------

def is_organizer(actor: User, competition: Competition) -> bool:
    return actor.is_manager and can_manage_area(actor, competition.area)


def _check_organizer(actor: User, competition: Competition) -> None:
    if not is_organizer(actor, competition):
        raise Refusal(_("Only the competition's organizers can change it."))


def entry_of(user: User, competition: Competition) -> Entry | None:
    return db.session.scalar(select(Entry).where(Entry.competition_id == competition.id, Entry.user_id == user.id))


def judged_rounds(user: User, competition: Competition) -> list[CompetitionRound]:
    return db.session.scalars(select(CompetitionRound).join(RoundJudge, RoundJudge.round_id == CompetitionRound.id)
                              .where(CompetitionRound.competition_id == competition.id,
                                     RoundJudge.user_id == user.id)).all()


def can_view(actor: User, competition: Competition) -> bool:
    return (is_organizer(actor, competition) or entry_of(actor, competition) is not None
            or bool(judged_rounds(actor, competition)))


def visible_competitions(actor: User) -> list[Competition]:
    rows = db.session.scalars(select(Competition).order_by(Competition.created_at.desc())).all()
    return [c for c in rows if can_view(actor, c)]


def overview(actor: User, competition: Competition, now: datetime | None = None) -> dict[str, Any]:
    """What the competition's page shows ``actor``: each round's state, their entry and own results,
    the rounds they judge; an organizer also sees the contestants, the choices for setting up
    (people, judges, areas, question banks, drills, indicators) and where judges disagree."""
    now = now or utcnow()
    entry = entry_of(actor, competition)
    organizer = is_organizer(actor, competition)
    page: dict[str, Any] = {
        "organizer": organizer, "entry": entry,
        "mine": {} if entry is None else {r.round_id: r for r in db.session.scalars(
            select(RoundResult).where(RoundResult.entry_id == entry.id))},
        "states": {r.id: rules.round_state(r.opens_at, r.closes_at, now) for r in competition.rounds},
        "judging": judged_rounds(actor, competition)}
    if organizer:
        page.update(
            entries=db.session.scalars(select(Entry).where(Entry.competition_id == competition.id)).all(),
            people=db.session.scalars(learners_query(actor).order_by(User.name)).all(),
            judges=db.session.scalars(scope_users(actor).where(User.active).order_by(User.name)).all(),
            areas=db.session.scalars(scope_areas(actor).order_by(Area.path)).all(),
            banks=db.session.scalars(select(QuestionBank).where(QuestionBank.active).order_by(QuestionBank.slug)).all(),
            drills=db.session.scalars(select(DrillVersion).where(DrillVersion.active)).all(),
            indicators=competency.model(),
            flags=disagreements(competition))
    return page


# --- setting up ---------------------------------------------------------------------------------

def create_competition(actor: User, title: str, description: str, freeze_at: datetime | None,
                       bracket_names: list[str]) -> Competition:
    if not actor.is_manager or actor.area is None:
        raise Refusal(_("Only organizers create competitions."))
    if not title.strip():
        raise Refusal(_("Give the competition a title."))
    competition = Competition(title=title.strip()[:200], description=description.strip(), area_id=actor.area_id,
                              freeze_at=freeze_at, created_by_id=actor.id)
    for name in dict.fromkeys(n.strip() for n in bracket_names if n.strip()):
        competition.brackets.append(Bracket(name=name[:100]))
    db.session.add(competition)
    db.session.flush()
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
    if not weight or weight <= 0:
        raise Refusal(_("The weight must be a positive number."))
    with _in_words():
        rules.check_window(opens_at, closes_at)
    position = len(competition.rounds) + 1
    round_ = CompetitionRound(kind=kind, title=title.strip()[:200], weight=weight, opens_at=opens_at,
                              closes_at=closes_at, position=position)
    if kind == "quiz":
        round_.quiz = _paper(competition, position, title, banks or [], count, time_limit_min, opens_at, closes_at)
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
    return round_


def _paper(competition: Competition, position: int, title: str, banks: list[str], count: int,
           time_limit_min: int | None, opens_at: datetime, closes_at: datetime) -> Quiz:
    rows = db.session.execute(select(QuestionBank.slug, Question.key).join(Question)
                              .where(Question.active, QuestionBank.slug.in_(banks))
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
    return added


def assign_judges(actor: User, round_: CompetitionRound, users: list[User]) -> None:
    competition = round_.competition
    _check_organizer(actor, competition)
    if round_.kind != "practical":
        raise Refusal(_("Only practical rounds are judged."))
    current = set(db.session.scalars(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id)))
    for user in users:
        if not can_manage_user(actor, user):
            raise Refusal(_("%(name)s is outside the competition's area.", name=user.name))
        if user.id not in current:
            db.session.add(RoundJudge(round_id=round_.id, user_id=user.id))
    db.session.flush()


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


def sealed(attempt, now: datetime | None = None) -> bool:
    """True while a drill attempt belongs to a competition round that is still open: its feedback,
    debrief and best path stay hidden so nobody can pass them on."""
    if not isinstance(attempt, DrillAttempt):
        return False
    drill_attempt = attempt
    round_ = db.session.scalar(select(CompetitionRound).join(RoundResult, RoundResult.round_id == CompetitionRound.id)
                               .where(RoundResult.drill_attempt_id == drill_attempt.id))
    return round_ is not None and rules.round_state(round_.opens_at, round_.closes_at, now or utcnow()) != rules.CLOSED


# --- judging ------------------------------------------------------------------------------------

def is_judge(user: User, round_: CompetitionRound) -> bool:
    return db.session.scalar(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id,
                                                              RoundJudge.user_id == user.id)) is not None


def submit_scores(judge: User, round_: CompetitionRound, entry: Entry, points: list[float], note: str,
                  now: datetime | None = None) -> JudgeScore:
    """A judge scores one contestant (once). Raises Refusal naming the problem."""
    now = now or utcnow()
    with _in_words():
        rules.check_can_judge(assigned=is_judge(judge, round_), enrolled=entry.competition_id == round_.competition_id)
        if rules.round_state(round_.opens_at, round_.closes_at, now) != rules.OPEN:
            raise Refusal(_("Scores are accepted only while the round is open."))
        problems = rules.score_problems(round_.rubric, points)
    if problems:
        raise Refusal("; ".join(rule_message(p) for p in problems))
    if db.session.scalar(select(JudgeScore.id).where(JudgeScore.round_id == round_.id,
                                                     JudgeScore.entry_id == entry.id,
                                                     JudgeScore.judge_id == judge.id)) is not None:
        raise Refusal(_("You have already scored this contestant."))
    score = JudgeScore(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, points=list(points),
                       note=note.strip()[:500], submitted_at=now)
    db.session.add(score)
    db.session.flush()
    with _in_words():
        _update_practical(round_, entry, now)
    return score


def _sheets(round_: CompetitionRound, entry: Entry) -> list[JudgeScore]:
    """The judges' score sheets for one contestant, in the order they were submitted."""
    return db.session.scalars(select(JudgeScore).where(JudgeScore.round_id == round_.id,
                                                       JudgeScore.entry_id == entry.id)
                              .order_by(JudgeScore.id)).all()


def _update_practical(round_: CompetitionRound, entry: Entry, now: datetime) -> None:
    judged = rules.judged_score(round_.rubric, [s.points for s in _sheets(round_, entry)])
    result = db.session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id,
                                                         RoundResult.entry_id == entry.id))
    if result is None:
        result = RoundResult(round_id=round_.id, entry_id=entry.id, started_at=now)
        db.session.add(result)
    result.score, result.finished_at = judged.total, now
    result.indicator_scores = judged.indicator_scores
    db.session.flush()
    signals.practical_judged.send(result, round=round_, entry=entry, judged=judged)


def judging_sheets(round_: CompetitionRound) -> dict[int, list[JudgeScore]]:
    rows = db.session.scalars(select(JudgeScore).where(JudgeScore.round_id == round_.id)).all()
    result: dict[int, list[JudgeScore]] = defaultdict(list)
    for row in rows:
        result[row.entry_id].append(row)
    return result


def judging_list(judge: User, round_: CompetitionRound) -> tuple[list[Entry], set[int]]:
    """The contestants a judge scores in a round, and the entry ids the judge has already scored."""
    entries = db.session.scalars(select(Entry).where(Entry.competition_id == round_.competition_id)).all()
    done = set(db.session.scalars(select(JudgeScore.entry_id).where(JudgeScore.round_id == round_.id,
                                                                     JudgeScore.judge_id == judge.id)))
    return entries, done


def judge_view(judge: User, round_: CompetitionRound, entry: Entry) -> tuple[JudgeScore | None, list[JudgeScore]]:
    """The judge's own sheet for a contestant, and the other judges' sheets the judge may see (after
    submitting their own; organizers always)."""
    sheets = _sheets(round_, entry)
    mine = next((s for s in sheets if s.judge_id == judge.id), None)
    if not rules.can_see_other_judges(submitted=mine is not None, organizer=is_organizer(judge, round_.competition)):
        return mine, []
    return mine, [s for s in sheets if s.judge_id != judge.id]


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
    """Every contestant as the rules core's ``Entry`` (id, name, bracket name), without scores."""
    brackets = {b.id: b.name for b in competition.brackets}
    rows = db.session.execute(select(Entry.id, Entry.bracket_id, User.name).join(User, User.id == Entry.user_id)
                              .where(Entry.competition_id == competition.id)).all()
    return [rules.Entry(id=entry_id, name=name, bracket=brackets.get(bracket_id))
            for entry_id, bracket_id, name in rows]


def _scored_results(competition: Competition):
    """Every scored round result of the competition: entry_id, round_id, score, finished_at, indicator_scores."""
    return db.session.execute(
        select(RoundResult.entry_id, RoundResult.round_id, RoundResult.score, RoundResult.finished_at,
               RoundResult.indicator_scores)
        .join(CompetitionRound, CompetitionRound.id == RoundResult.round_id)
        .where(CompetitionRound.competition_id == competition.id, RoundResult.score.is_not(None))).all()


def leaderboard(competition: Competition, truth: bool, now: datetime | None = None):
    """Ranked rows overall and per bracket (the competition's brackets in order, empty ones too;
    contestants without a bracket are on the overall board only). Without ``truth`` (the public
    board) results recorded after the freeze are left out once it froze. A fixed number of queries
    whatever the number of answers."""
    frozen = not truth and rules.is_frozen(competition.freeze_at, now or utcnow())
    results = rules.visible_results(_scored_results(competition), competition.freeze_at if frozen else None,
                                    organizer=truth)
    contestants = _contestants(competition)
    weights = {r.id: r.weight for r in competition.rounds}
    if not weights:
        return [], {}, frozen
    items = rules.entries_from_results(contestants, results)
    by_bracket = rules.rank_by_bracket(items, weights)
    return rules.rank(items, weights), {b.name: by_bracket.get(b.name, []) for b in competition.brackets}, frozen


def awards(competition: Competition):
    """Single awards (政策通, 调解能手, 服务之星) from the indicator scores measured in its rounds."""
    results = _scored_results(competition)
    contestants = _contestants(competition)
    names = {c.id: c.name for c in contestants}
    finished = {e.id: e.finished_at for e in rules.entries_from_results(contestants, results)}
    collected: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in results:
        for indicator, value in (row.indicator_scores or {}).items():
            collected[row.entry_id][indicator].append(value)
    scores = {entry_id: {k: sum(v) / len(v) for k, v in per.items()} for entry_id, per in collected.items()}
    groups = rules.groups_from_indicators(competency.model())
    return [AwardView(award, [names[i] for i in award.winners if i in names])
            for award in rules.single_awards(scores, groups, finished_at=finished)]


class AwardView:
    """An award with its winners' names and the rule in the user's language."""

    def __init__(self, award, winner_names: list[str]):
        self.key, self.title, self.score = award.key, award.title, award.score
        self.winner_ids, self.winners = list(award.winners), winner_names
        self.rule = {"policy_expert": _("Highest mean on the policy indicators."),
                     "mediator": _("Highest mean on communicating with residents, coordinating with departments "
                                   "and managing emotions."),
                     "service_star": _("Highest mean on communicating with residents, spotting problems and "
                                       "handling emergencies.")}.get(award.key, "")
