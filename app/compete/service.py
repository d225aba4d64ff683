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
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import competency, signals
from ..clock import local_text
from ..drill import engine as drill_engine, service as drills
from ..extensions import db
from ..models import (
    Bracket, Competition, CompetitionRound, DrillAttempt, Entry, JudgeScore, Question,
    QuestionBank, Quiz, QuizAttempt, RoundJudge, RoundResult, User,
)
from ..models.base import utcnow
from ..quiz import service as quizzes
from ..scope import can_manage_area, can_manage_user
from . import rules


class CompeteError(ValueError):
    """A competition action was refused; the message says why and nothing was changed."""


def rule_message(exc: rules.CompeteError) -> str:
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
    }
    return texts[exc.key]() if exc.key in texts else str(exc)


# --- who may do what ---------------------------------------------------------------------------

def is_organizer(actor: User, competition: Competition) -> bool:
    return actor.is_manager and can_manage_area(actor, competition.area)


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


# --- setting up ---------------------------------------------------------------------------------

def create_competition(actor: User, title: str, description: str, freeze_at: datetime | None,
                       bracket_names: list[str]) -> Competition:
    if not actor.is_manager or actor.area is None:
        raise CompeteError(_("Only organizers create competitions."))
    if not title.strip():
        raise CompeteError(_("Give the competition a title."))
    competition = Competition(title=title.strip()[:200], description=description.strip(), area_id=actor.area_id,
                              freeze_at=freeze_at, created_by_id=actor.id)
    for name in dict.fromkeys(n.strip() for n in bracket_names if n.strip()):
        competition.brackets.append(Bracket(name=name[:100]))
    db.session.add(competition)
    db.session.flush()
    return competition


def add_round(actor: User, competition: Competition, *, kind: str, title: str, weight: float, opens_at: datetime,
              closes_at: datetime, banks: list[str] | None = None, count: int = 0, time_limit_min: int | None = None,
              drill_id: str | None = None, rubric: list[dict] | None = None,
              indicator_ids: set[str] | None = None) -> CompetitionRound:
    """Add a round; a quiz round draws its paper now (the same questions for everyone)."""
    if not is_organizer(actor, competition):
        raise CompeteError(_("Only the competition's organizers can change it."))
    if kind not in ("quiz", "drill", "practical"):
        raise CompeteError(_("Unknown round type."))
    if not title.strip():
        raise CompeteError(_("Give the round a title."))
    if not weight or weight <= 0:
        raise CompeteError(_("The weight must be a positive number."))
    if closes_at <= opens_at:
        raise CompeteError(_("The round must close after it opens."))
    position = len(competition.rounds) + 1
    round_ = CompetitionRound(kind=kind, title=title.strip()[:200], weight=weight, opens_at=opens_at,
                              closes_at=closes_at, position=position)
    if kind == "quiz":
        round_.quiz = _paper(competition, position, title, banks or [], count, time_limit_min, opens_at, closes_at)
    elif kind == "drill":
        if not drill_id or drills.current_version(drill_id) is None:
            raise CompeteError(_("Choose a drill."))
        round_.drill_id = drill_id
    else:
        problems = rules.rubric_problems(rubric or [], indicator_ids or set())
        if problems:
            raise CompeteError("; ".join(rule_message(p) for p in problems))
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
        raise CompeteError(_("Choose how many questions the paper has."))
    if len(rows) < count:
        raise CompeteError(_("The chosen banks hold %(n)d questions; the paper needs %(count)d.",
                             n=len(rows), count=count))
    picked = sorted(secrets.SystemRandom().sample(rows, count))
    return Quiz(slug=f"competition-{competition.id}-round-{position}-{secrets.token_hex(3)}",
                title=f"{competition.title} · {title}", kind="competition",
                selection={"fixed": [f"{bank}/{key}" for bank, key in picked]}, shuffle_questions=True,
                shuffle_options=True, time_limit_s=int(time_limit_min * 60) if time_limit_min else None,
                opens_at=opens_at, closes_at=closes_at, attempts_allowed=1, grading="first", pass_mark=60,
                review_score=True, review_answers=False, review_explanations=False, content_hash=secrets.token_hex(8))


def enrol(actor: User, competition: Competition, users: list[User], bracket: Bracket | None = None) -> int:
    """Enrol people in the competition's area (existing entries keep their bracket unless one is given)."""
    if not is_organizer(actor, competition):
        raise CompeteError(_("Only the competition's organizers can change it."))
    added = 0
    for user in users:
        if user.area is None or not user.area.is_within(competition.area) or not can_manage_user(actor, user):
            raise CompeteError(_("%(name)s is outside the competition's area.", name=user.name))
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
    if not is_organizer(actor, competition):
        raise CompeteError(_("Only the competition's organizers can change it."))
    if round_.kind != "practical":
        raise CompeteError(_("Only practical rounds are judged."))
    current = set(db.session.scalars(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id)))
    for user in users:
        if not can_manage_user(actor, user):
            raise CompeteError(_("%(name)s is outside the competition's area.", name=user.name))
        if user.id not in current:
            db.session.add(RoundJudge(round_id=round_.id, user_id=user.id))
    db.session.flush()


# --- taking part --------------------------------------------------------------------------------

def start_round(user: User, round_: CompetitionRound, tz: str, now: datetime | None = None) -> RoundResult:
    """Begin (or resume) the contestant's one attempt at a quiz or drill round. Raises CompeteError."""
    now = now or utcnow()
    competition = round_.competition
    entry = entry_of(user, competition)
    if entry is None:
        raise CompeteError(_("You are not enrolled in this competition."))
    existing = db.session.scalar(select(RoundResult).where(RoundResult.round_id == round_.id,
                                                           RoundResult.entry_id == entry.id))
    if existing is not None and existing.finished_at is None \
            and rules.round_state(round_.opens_at, round_.closes_at, now) == rules.OPEN:
        return existing  # resume the one attempt
    try:
        rules.check_can_start(opens_at=round_.opens_at, closes_at=round_.closes_at, now=now, enrolled=True,
                              attempted=existing is not None)
    except rules.CompeteError as exc:
        raise CompeteError(rule_message(exc)) from exc
    if round_.kind == "practical":
        raise CompeteError(_("A practical round is judged on site; there is nothing to start here."))
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
        raise CompeteError(_("You have already taken this round: one attempt per round.")) from exc
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
    return round_ is not None and rules.round_state(round_.opens_at, round_.closes_at, now or utcnow()) != "closed"


# --- judging ------------------------------------------------------------------------------------

def is_judge(user: User, round_: CompetitionRound) -> bool:
    return db.session.scalar(select(RoundJudge.user_id).where(RoundJudge.round_id == round_.id,
                                                              RoundJudge.user_id == user.id)) is not None


def submit_scores(judge: User, round_: CompetitionRound, entry: Entry, points: list[float], note: str,
                  now: datetime | None = None) -> JudgeScore:
    """A judge scores one contestant (once). Raises CompeteError naming the problem."""
    now = now or utcnow()
    if not is_judge(judge, round_):
        raise CompeteError(_("You are not a judge of this round."))
    if entry.competition_id != round_.competition_id:
        raise CompeteError(_("This contestant is not in this competition."))
    if rules.round_state(round_.opens_at, round_.closes_at, now) != "open":
        raise CompeteError(_("Scores are accepted only while the round is open."))
    problems = rules.score_problems(round_.rubric, points)
    if problems:
        raise CompeteError("; ".join(rule_message(p) for p in problems))
    if db.session.scalar(select(JudgeScore.id).where(JudgeScore.round_id == round_.id,
                                                     JudgeScore.entry_id == entry.id,
                                                     JudgeScore.judge_id == judge.id)) is not None:
        raise CompeteError(_("You have already scored this contestant."))
    score = JudgeScore(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, points=list(points),
                       note=note.strip()[:500], submitted_at=now)
    db.session.add(score)
    db.session.flush()
    _update_practical(round_, entry, now)
    return score


def _update_practical(round_: CompetitionRound, entry: Entry, now: datetime) -> None:
    sheets = db.session.scalars(select(JudgeScore).where(JudgeScore.round_id == round_.id,
                                                         JudgeScore.entry_id == entry.id)).all()
    judged = rules.judged_score(round_.rubric, [s.points for s in sheets])
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


# --- leaderboard --------------------------------------------------------------------------------

def leaderboard(competition: Competition, truth: bool, now: datetime | None = None):
    """Ranked rows overall and per bracket. Without ``truth`` (the public board) results after the
    freeze are left out. A fixed number of queries whatever the number of answers."""
    now = now or utcnow()
    entries = db.session.execute(select(Entry, User.name).join(User, User.id == Entry.user_id)
                                 .where(Entry.competition_id == competition.id)).all()
    results = db.session.execute(
        select(RoundResult.entry_id, RoundResult.round_id, RoundResult.score, RoundResult.finished_at)
        .join(CompetitionRound, CompetitionRound.id == RoundResult.round_id)
        .where(CompetitionRound.competition_id == competition.id, RoundResult.score.is_not(None))).all()
    frozen = not truth and competition.freeze_at is not None and now >= competition.freeze_at
    if frozen:
        results = rules.frozen_view(results, competition.freeze_at)
    weights = {r.id: r.weight for r in competition.rounds}
    brackets = {b.id: b.name for b in competition.brackets}
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    finished: dict[int, datetime] = {}
    for entry_id, round_id, score, done in results:
        scores[entry_id][round_id] = score
        if done and (entry_id not in finished or done > finished[entry_id]):
            finished[entry_id] = done
    items = [rules.Entry(id=entry.id, name=name, bracket=brackets.get(entry.bracket_id),
                         round_scores={rid: scores[entry.id].get(rid) for rid in weights},
                         finished_at=finished.get(entry.id)) for entry, name in entries]
    if not weights:
        return [], {}, frozen
    overall = rules.rank(items, weights)
    per_bracket = {name: rules.rank([i for i in items if i.bracket == name], weights) for name in brackets.values()}
    return overall, per_bracket, frozen


def awards(competition: Competition):
    """Single awards (政策通, 调解能手, 服务之星) from the indicator scores measured in its rounds."""
    rows = db.session.execute(
        select(RoundResult.entry_id, RoundResult.indicator_scores, RoundResult.finished_at)
        .join(CompetitionRound, CompetitionRound.id == RoundResult.round_id)
        .where(CompetitionRound.competition_id == competition.id, RoundResult.score.is_not(None))).all()
    names = dict(db.session.execute(select(Entry.id, User.name).join(User, User.id == Entry.user_id)
                                    .where(Entry.competition_id == competition.id)).all())
    collected: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    finished: dict[int, datetime] = {}
    for entry_id, indicator_scores, done in rows:
        for indicator, value in (indicator_scores or {}).items():
            collected[entry_id][indicator].append(value)
        if done and (entry_id not in finished or done > finished[entry_id]):
            finished[entry_id] = done
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
