"""Seed the benchmark city: 3,200 workers, 200 mentors, a year of records, a running competition.

Everything is written with multi-row INSERTs (SQLAlchemy Core, ``insertmanyvalues``) except what
must go through the services to be right: the content sync, the competition, its round and the
contestants' round attempts. Call ``build_city`` inside an app context of an empty, migrated
database with the content synced; it commits and returns the ids the load scripts need.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import insert, select

PASSWORD = "bench-pass-1234"
#: Cheap hash for the seeded people (the login page is measured with one account under the app's
#: real hash method, see ``LOGIN_USER``).
CHEAP_HASH = "pbkdf2:sha256:1000"
LOGIN_USER = "bench-login"


@dataclass
class City:
    organizer: str = "bench-organizer"
    workers: list[str] = field(default_factory=list)
    mentors: list[str] = field(default_factory=list)
    competition_id: int = 0
    round_id: int = 0
    #: Contestants with an open round attempt (answer saves, submits), in order.
    open_contestants: list[str] = field(default_factory=list)
    lesson_url: str = ""
    counts: dict = field(default_factory=dict)


def _ids(query) -> list[int]:
    from app.extensions import db

    return list(db.session.scalars(query))


def _bulk(model, rows: list[dict], chunk: int = 5000, returning: bool = False) -> list[int]:
    """INSERT ``rows`` in chunks; with ``returning``, the new ids in the order of ``rows``."""
    from app.extensions import db

    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        if returning:
            result = db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), part)
            ids += [row[0] for row in result]
        else:
            db.session.execute(insert(model), part)
    return ids


def build_city(*, workers: int = 3200, mentors: int = 200, evidence: int = 100_000, quiz_attempts: int = 4,
               drill_attempts: int = 3, open_contestants: int = 600, finished_contestants: int = 300,
               seed: int = 7, log=print) -> City:
    from app.compete import service as compete
    from app.competency import indicators
    from app.extensions import db
    from app.models import (
        Course, DrillAttempt, DrillStep, DrillVersion, EvidenceRecord, JointVisit, Lesson, LessonProgress, Mentorship,
        Observation, Question, QuestionBank, Quiz, QuizAttempt, AttemptAnswer, User, UserRole,
    )
    from app.models.base import utcnow
    from app.quiz import service as quizzes
    from app.security import hash_password
    from werkzeug.security import generate_password_hash

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from benchdata import area_tree_and_organizer

    rng = random.Random(seed)
    now = utcnow()
    city = City()
    organizer, grids, _hashed = area_tree_and_organizer(PASSWORD)
    cheap = generate_password_hash(PASSWORD, method=CHEAP_HASH)
    organizer.password_hash = cheap

    # People: workers hired over the last five years, mentors among the experienced, one login account.
    people = []
    for i in range(workers):
        people.append({"username": f"W{i:05d}", "name": f"网格员{i:04d}", "worker_number": f"W{i:05d}",
                       "area_id": grids[i % len(grids)].id, "password_hash": cheap, "must_change_password": False,
                       "active": True, "mentor_capacity": 2, "created_at": now,
                       "hire_date": (now - timedelta(days=rng.randrange(30, 1800))).date()})
    for i in range(mentors):
        people.append({"username": f"M{i:04d}", "name": f"带教{i:03d}", "worker_number": f"M{i:04d}",
                       "area_id": grids[i % len(grids)].id, "password_hash": cheap, "must_change_password": False,
                       "active": True, "mentor_capacity": 2, "created_at": now,
                       "hire_date": (now - timedelta(days=rng.randrange(1900, 4000))).date()})
    people.append({"username": LOGIN_USER, "name": "登录测试", "worker_number": None, "area_id": grids[0].id,
                   "password_hash": hash_password(PASSWORD), "must_change_password": False, "active": True,
                   "mentor_capacity": 2, "created_at": now})
    ids = _bulk(User, people, returning=True)
    worker_ids, mentor_ids = ids[:workers], ids[workers:workers + mentors]
    roles = [{"user_id": uid, "role": "worker"} for uid in worker_ids + [ids[-1]]]
    roles += [{"user_id": uid, "role": r} for uid in mentor_ids for r in ("worker", "mentor")]
    _bulk(UserRole, roles)
    city.workers = [p["username"] for p in people[:workers]]
    city.mentors = [p["username"] for p in people[workers:workers + mentors]]
    log(f"  {len(people)} people")

    # Mentoring: each mentor has two active pairings and one ended one; visits twice a month, observations.
    model = list(indicators())
    pairings, ended = [], []
    mentee_of = iter(worker_ids)
    for mentor_id in mentor_ids:
        for k in range(3):
            start = (now - timedelta(days=rng.randrange(40, 170) + (200 if k == 2 else 0))).date()
            row = {"mentor_id": mentor_id, "mentee_id": next(mentee_of), "start_date": start,
                   "planned_end": start + timedelta(days=180), "status": "active" if k < 2 else "ended",
                   "ended_on": start + timedelta(days=150) if k == 2 else None,
                   "end_reason": "期满" if k == 2 else None, "created_by_id": organizer.id, "created_at": now}
            (pairings if k < 2 else ended).append(row)
    pairing_rows = pairings + ended
    pairing_ids = _bulk(Mentorship, pairing_rows, returning=True)
    visits, observations = [], []
    for pid, row in zip(pairing_ids, pairing_rows):
        day = row["start_date"]
        last = row["ended_on"] or now.date()
        while day < last:
            visits.append({"mentorship_id": pid, "visit_date": day, "household": "3栋2单元", "purpose": "入户走访",
                           "demonstrated": "政策讲解", "mentee_did": "记录台账", "follow_up": "", "created_at": now,
                           "logged_by_id": row["mentor_id"], "confirmed_at": now})
            observations.append({"mentorship_id": pid, "indicator": rng.choice(model), "rating": rng.randint(2, 5),
                                 "note": "沟通耐心", "observed_on": day, "created_at": now})
            day += timedelta(days=15)
    _bulk(JointVisit, visits)
    _bulk(Observation, observations)
    log(f"  {len(pairing_rows)} pairings, {len(visits)} visits, {len(observations)} observations")

    # Lessons: each worker completed the first lessons of the onboarding courses over the year.
    lessons = db.session.execute(select(Lesson.id, Lesson.hours, Lesson.content_hash, Course.slug, Lesson.slug)
                                 .join(Course).where(Lesson.active, Course.active)
                                 .order_by(Course.sort_order, Course.id, Lesson.position)).all()
    city.lesson_url = f"/courses/{lessons[0][3]}/{lessons[0][4]}"
    progress = []
    for uid in worker_ids:
        for lesson_id, hours, content_hash, _c, _l in lessons[:rng.randrange(3, min(len(lessons), 15))]:
            progress.append({"user_id": uid, "lesson_id": lesson_id, "hours": hours, "content_hash": content_hash,
                             "completed_at": now - timedelta(days=rng.randrange(365)), "reading_seconds": 300,
                             "check_right": 3, "check_asked": 3, "check_tries": 1})
    _bulk(LessonProgress, progress)
    log(f"  {len(progress)} lessons done")

    # Quizzes: ``quiz_attempts`` submitted practice attempts a worker over the year, 10 questions each.
    practice = db.session.execute(select(Quiz.id, Quiz.pass_mark).where(Quiz.active, Quiz.kind == "practice")).all()
    questions = db.session.execute(select(Question.id, Question.spec, Question.content_hash)
                                   .join(QuestionBank).where(Question.active, QuestionBank.active)).all()
    attempts = []
    for uid in worker_ids:
        for n in range(quiz_attempts):
            quiz_id, pass_mark = rng.choice(practice)
            started = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
            score = round(rng.uniform(30, 100), 1)
            attempts.append({"quiz_id": quiz_id, "user_id": uid, "number": n + 1, "period": "", "attempt_no": n + 1,
                             "seed": f"bench{uid}-{n}", "started_at": started,
                             "submitted_at": started + timedelta(minutes=8), "auto_submitted": False,
                             "score": score, "passed": score >= pass_mark})
    attempt_ids = _bulk(QuizAttempt, attempts, returning=True)
    answers = []
    for aid in attempt_ids:
        for position, (qid, spec, content_hash) in enumerate(rng.sample(questions, 10), start=1):
            answers.append({"attempt_id": aid, "position": position, "question_id": qid, "spec": spec,
                            "content_hash": content_hash, "option_order": [], "answer": None, "seq": 1,
                            "saved_at": now, "score": rng.choice((0.0, 100.0))})
    _bulk(AttemptAnswer, answers)
    log(f"  {len(attempt_ids)} quiz attempts, {len(answers)} answers")

    # Drills: ``drill_attempts`` finished attempts a worker, with their steps.
    versions = db.session.execute(select(DrillVersion.id, DrillVersion.data).where(DrillVersion.active)).all()
    drill_rows, step_plans = [], []
    for uid in worker_ids:
        for _n in range(drill_attempts):
            version_id, data = rng.choice(versions)
            nodes = [n.get("id", "start") for n in data.get("nodes", [])] if isinstance(data.get("nodes"), list) \
                else list(data.get("nodes", {}) or ["start"])
            started = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
            count = rng.randrange(3, 8)
            drill_rows.append({"user_id": uid, "drill_version_id": version_id, "mode": "practice", "state": {},
                               "step_count": count, "node_started_at": started, "deadline": None,
                               "just_undone": False, "started_at": started,
                               "finished_at": started + timedelta(minutes=6),
                               "outcome": rng.choice(("success", "partial", "failure"))})
            step_plans.append((count, nodes or ["start"], started))
    drill_ids = _bulk(DrillAttempt, drill_rows, returning=True)
    steps = []
    for aid, (count, nodes, started) in zip(drill_ids, step_plans):
        for seq in range(1, count + 1):
            steps.append({"attempt_id": aid, "seq": seq, "node_id": str(rng.choice(nodes))[:64], "choice_id": "c1",
                          "timed_out": False, "elapsed_ms": 9000, "deltas": {}, "feedback": "",
                          "undone": False, "created_at": started + timedelta(seconds=40 * seq)})
    _bulk(DrillStep, steps)
    log(f"  {len(drill_ids)} drill attempts, {len(steps)} steps")

    # Evidence: ``evidence`` records spread over the year and the indicators.
    kinds = ("quiz_answer", "drill_decision", "drill_ending", "mentor_observation")
    rows = [{"user_id": worker_ids[n % len(worker_ids)], "indicator": model[rng.randrange(len(model))],
             "score": rng.uniform(20, 100), "weight": rng.choice((1.0, 1.0, 2.0, 3.0)),
             "source_kind": kinds[n % 4], "source_ref": f"bench:{n}", "content_version": "",
             "created_at": now - timedelta(days=rng.randrange(365), seconds=rng.randrange(86400))}
            for n in range(evidence)]
    _bulk(EvidenceRecord, rows, chunk=10_000)
    db.session.commit()
    # Loaded around the evidence hub: build the per person × indicator sums the cohort views read.
    from app import evidence_sums

    evidence_sums.rebuild(db.session, evidence_sums.settings(), force=True)
    db.session.commit()
    log(f"  {len(rows)} evidence records")

    # A running competition of the whole city: a 20-question quiz round open for six hours.
    banks = list(db.session.scalars(select(QuestionBank.slug).where(QuestionBank.active)))
    competition = compete.create_competition(organizer, "全市网格员技能比武", "", None, [])
    round_ = compete.add_round(organizer, competition, kind="quiz", title="知识竞赛", weight=1.0,
                               opens_at=now - timedelta(minutes=30), closes_at=now + timedelta(hours=6),
                               banks=banks, count=20, time_limit_min=180)
    contestants = db.session.scalars(select(User).where(User.id.in_(worker_ids)).order_by(User.username)).all()
    compete.enrol(organizer, competition, contestants)
    db.session.commit()
    city.competition_id, city.round_id = competition.id, round_.id
    # Contestants who finished (on the leaderboard) and contestants still answering (saves, submits).
    for i, user in enumerate(contestants[:finished_contestants + open_contestants]):
        result = compete.start_round(user, round_, "Asia/Shanghai", now=now)
        attempt = db.session.get(QuizAttempt, result.quiz_attempt_id)
        if i < finished_contestants:  # about 70% right, submitted in one call
            right = {row.id: quizzes.question_of(row.spec).form_value() for row in attempt.answers
                     if rng.random() < 0.7}
            quizzes.submit(user, attempt, "Asia/Shanghai", now, answers=right)
        else:
            city.open_contestants.append(user.username)
        if i % 200 == 199:
            db.session.commit()
    db.session.commit()
    log(f"  competition {competition.id}: {len(contestants)} enrolled, {finished_contestants} finished, "
        f"{open_contestants} answering")
    city.counts = {"people": len(people), "pairings": len(pairing_rows), "quiz attempts": len(attempt_ids),
                   "quiz answers": len(answers), "drill attempts": len(drill_ids), "drill steps": len(steps),
                   "lessons done": len(progress), "evidence": len(rows)}
    return city
