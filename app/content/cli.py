"""Command-line interface: ``flask content check|sync``, ``flask demo create``, ``flask users create-admin``."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Area, Course, CourseAssignment, User
from .sync import check_content, sync_content

content_cli = click.Group("content", help="Check and load courses, question banks and drills.")
demo_cli = click.Group("demo", help="Demo data for development (refused in production).")
users_cli = click.Group("users", help="Account administration.")


def _report():
    cfg = current_app.config
    return check_content(cfg["CONTENT_DIR"], cfg["SCENARIOS_DIR"], cfg["QUESTIONS_DIR"])


@content_cli.command("check")
@with_appcontext
def content_check():
    """Validate every content file; exit 1 listing each problem (file: field: problem)."""
    report = _report()
    for error in report.errors:
        click.echo(error, err=True)
    if report.errors:
        click.echo(f"{len(report.errors)} problem(s) found; nothing was loaded.", err=True)
        sys.exit(1)
    lessons = sum(len(c.lessons) for c in report.courses)
    questions = sum(len(b.questions) for b in report.banks)
    click.echo(f"OK: {len(report.courses)} courses, {lessons} lessons, {report.indicator_count} indicators, "
               f"{len(report.banks)} question banks ({questions} questions), {len(report.quizzes)} quizzes, "
               f"{report.drill_count} drills (content {report.content_hash[:12]})")


@content_cli.command("sync")
@with_appcontext
def content_sync():
    """Load the content into the database in one transaction (refused when the check fails)."""
    report = _report()
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        click.echo("content check failed; the database was not changed.", err=True)
        sys.exit(1)
    try:
        counts = sync_content(report, current_app.config["SCENARIOS_DIR"])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    changed = ", ".join(f"{k}={v}" for k, v in counts.items() if v) or "no changes"
    click.echo(f"synced content {report.content_hash[:12]}: {changed}")


DEMO_PASSWORD = "demo1234"
#: (username, name, roles, area path below the city)
DEMO_ACCOUNTS = [
    ("worker", "张晓梅", {"worker"}, ("滨江区", "长青街道", "幸福社区", "第一网格")),
    ("mentor", "李建国", {"mentor", "worker"}, ("滨江区", "长青街道", "幸福社区", "第二网格")),
    ("organizer", "王立新", {"organizer"}, ("滨江区", "长青街道")),
    ("admin", "陈静", {"admin", "organizer"}, ()),
]
#: Further workers so managers' lists are not empty: (worker number, name, area path).
DEMO_WORKERS = [
    ("CQ1001", "刘洋", ("滨江区", "长青街道", "幸福社区", "第一网格")),
    ("CQ1002", "赵敏", ("滨江区", "长青街道", "幸福社区", "第二网格")),
    ("CQ1003", "孙浩", ("滨江区", "长青街道", "和平社区", "第一网格")),
    ("LH2001", "周婷", ("滨江区", "临湖街道", "湖光社区", "第一网格")),
    ("LH2002", "吴磊", ("滨江区", "临湖街道", "湖光社区", "第二网格")),
]
DEMO_CITY = "江城市"


@demo_cli.command("create")
@with_appcontext
def demo_create():
    """Create the demo area tree and accounts (idempotent; development and testing only)."""
    if not current_app.config.get("ALLOW_DEMO_ACCOUNTS"):
        click.echo("demo accounts are refused in this configuration (production)", err=True)
        sys.exit(1)
    created = create_demo_data()
    db.session.commit()
    click.echo(f"demo data ready ({created} new accounts); log in as worker, mentor, organizer or "
               f"admin with password {DEMO_PASSWORD}")


def create_demo_data() -> int:
    """Build the demo tree and accounts; existing ones are left as they are. Returns accounts created."""
    from ..accounts.areas import create_area, ensure_child
    from ..security import hash_password

    city = db.session.scalar(select(Area).where(Area.parent_id.is_(None), Area.name == DEMO_CITY))
    if city is None:
        city = create_area(DEMO_CITY, "city")

    def node(path):
        area = city
        for name in path:
            area, _created = ensure_child(area, name)
        return area

    created = 0
    for username, name, roles, path in DEMO_ACCOUNTS:
        if db.session.scalar(select(User).where(User.username == username)) is None:
            user = User(username=username, name=name, area=node(path), must_change_password=False,
                        password_hash=hash_password(DEMO_PASSWORD), active=True,
                        worker_number=f"DEMO-{username}" if "worker" in roles else None)
            user.set_roles(roles)
            db.session.add(user)
            created += 1
    from ..accounts.service import one_time_password

    for number, name, path in DEMO_WORKERS:
        if db.session.scalar(select(User).where(User.username == number)) is None:
            user = User(username=number, name=name, worker_number=number, area=node(path),
                        password_hash=hash_password(one_time_password()), must_change_password=True)
            user.set_roles({"worker"})
            db.session.add(user)
            created += 1
    db.session.flush()
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    onboarding = db.session.scalars(select(Course).where(Course.tier == "onboarding", Course.active)).all()
    for course in onboarding:
        exists = db.session.scalar(select(CourseAssignment.id).where(
            CourseAssignment.course_id == course.id, CourseAssignment.role == "worker",
            CourseAssignment.area_id == city.id))
        if exists is None:
            db.session.add(CourseAssignment(course=course, role="worker", area=city, assigned_by=admin))
    db.session.flush()
    _demo_progress()
    _demo_activity()
    _demo_mentorship()
    _demo_competition()
    return created


#: Lessons the demo workers have already finished, so managers' views show a spread.
DEMO_PROGRESS = {"CQ1001": ("onboarding-governance", "onboarding-policy"), "CQ1002": ("onboarding-governance",),
                 "LH2001": ("onboarding-governance", "onboarding-policy", "onboarding-communication",
                            "onboarding-emergency")}


def _demo_progress() -> None:
    from ..learn.progress import mark_done

    for username, slugs in DEMO_PROGRESS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        for slug in slugs:
            course = db.session.scalar(select(Course).where(Course.slug == slug, Course.active))
            for lesson in course.active_lessons if course else []:
                if slug != slugs[-1] or lesson.position == 1 or len(slugs) == 4:
                    mark_done(user, lesson)


#: Demo workers' quiz accuracy, so profiles and the cohort heatmap show a spread.
DEMO_SKILL = {"CQ1001": 0.85, "CQ1002": 0.55, "CQ1003": 0.35, "LH2001": 0.9, "LH2002": 0.6}


def _demo_activity() -> None:
    """Course tests and drills taken through the real services by the demo workers (once)."""
    import random
    from datetime import timedelta

    from flask import current_app

    from ..drill import engine, service as drills
    from ..models import DrillAttempt, DrillVersion, Quiz
    from ..models.base import utcnow
    from ..quiz import service as quizzes
    from ..quiz.service import right_answer

    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    tests = db.session.scalars(select(Quiz).where(Quiz.kind == "course", Quiz.course_slug.like("onboarding-%"))).all()
    versions = db.session.scalars(select(DrillVersion).where(DrillVersion.active)).all()
    for username, skill in DEMO_SKILL.items():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or db.session.scalar(select(DrillAttempt.id).where(DrillAttempt.user_id == user.id)):
            continue
        rng = random.Random(username)
        for n, quiz in enumerate(tests):
            when = utcnow() - timedelta(days=40 - 8 * n)
            attempt = quizzes.start_attempt(user, quiz, tz, now=when)
            for row in attempt.answers:
                raw = right_answer(row.spec) if rng.random() < skill else None
                quizzes.save_answer(user, attempt, row.id, raw, tz, now=when + timedelta(minutes=1))
            quizzes.submit(user, attempt, tz, now=when + timedelta(minutes=12))
        for version in versions:
            drill = drills.drill_of(version)
            best = dict(engine.best_path(drill))
            when = utcnow() - timedelta(days=rng.randint(3, 30))
            attempt = drills.start_attempt(user, version, now=when)
            for _step in range(40):
                state = drills.state_of(attempt)
                if state.finished:
                    break
                offered = engine.available_choices(drill, state)
                good = best.get(state.node)
                ids = [choice.id for choice in offered]
                pick = good if good in ids and rng.random() < skill else rng.choice(ids)
                when += timedelta(seconds=rng.randint(8, 25))
                drills.choose(user, attempt, pick, attempt.step_count, now=when)
    db.session.flush()


def _demo_mentorship() -> None:
    """The demo mentor mentors the demo worker, with one confirmed joint visit."""
    from datetime import date, timedelta

    from ..mentor.rules import add_months
    from ..models import JointVisit, Mentorship, MentorshipEvent
    from ..models.base import utcnow

    mentor = db.session.scalar(select(User).where(User.username == "mentor"))
    worker = db.session.scalar(select(User).where(User.username == "worker"))
    organizer = db.session.scalar(select(User).where(User.username == "organizer"))
    if db.session.scalar(select(Mentorship.id).where(Mentorship.mentee_id == worker.id)) is not None:
        return
    start = date.today() - timedelta(days=20)
    pairing = Mentorship(mentor_id=mentor.id, mentee_id=worker.id, start_date=start,
                         planned_end=add_months(start, 6), status="active", created_by_id=organizer.id)
    pairing.events.append(MentorshipEvent(kind="created", new_end=pairing.planned_end, by_id=organizer.id))
    pairing.visits.append(JointVisit(visit_date=start + timedelta(days=5), household="5号楼1单元 独居老人户",
                                     purpose="了解老人近况，更新特殊人群台账",
                                     demonstrated="如何开场、如何确认紧急联系人电话", mentee_did="记录用药和就医需求",
                                     follow_up="下周联系社区医生上门", logged_by_id=mentor.id,
                                     confirmed_at=utcnow()))
    db.session.add(pairing)
    db.session.flush()


DEMO_COMPETITION = "2026年下半年长青街道网格员技能比武"


def _demo_competition() -> None:
    """An open two-round competition in 长青街道 with the street's workers enrolled (once)."""
    from datetime import timedelta

    from ..compete import service as compete
    from ..models import Competition
    from ..models.base import utcnow

    if db.session.scalar(select(Competition.id).where(Competition.title == DEMO_COMPETITION)) is not None:
        return
    organizer = db.session.scalar(select(User).where(User.username == "organizer"))
    now = utcnow()
    competition = compete.create_competition(organizer, DEMO_COMPETITION, "知识竞赛与入户走访实操考核，以赛促学。",
                                             None, ["新网格员", "老网格员"])
    compete.add_round(organizer, competition, kind="quiz", title="知识竞赛", weight=1.0, opens_at=now,
                      closes_at=now + timedelta(days=30), banks=["emergency", "policy-basics", "communication"],
                      count=15, time_limit_min=20)
    practical = compete.add_round(
        organizer, competition, kind="practical", title="入户走访实操考核", weight=1.0, opens_at=now,
        closes_at=now + timedelta(days=30), indicator_ids={"comm.residents", "info.collection", "handling.detection"},
        rubric=[{"name": "入户沟通", "max": 10, "indicator": "comm.residents"},
                {"name": "信息采集", "max": 10, "indicator": "info.collection"},
                {"name": "隐患发现", "max": 10, "indicator": "handling.detection"}])
    from ..models import Area

    street = db.session.scalar(select(Area).where(Area.name == "长青街道"))
    people = [u for u in db.session.scalars(select(User).join(Area).where(
        Area.path.startswith(street.path))) if u.has_role("worker")]
    compete.enrol(organizer, competition, people)
    compete.assign_judges(organizer, practical, [organizer])
    db.session.flush()


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--name", default="管理员", help="Display name.")
@click.option("--city", required=True, help="Name of the city (root area); created if missing.")
@click.password_option(help="Initial password (must be changed at first login).")
@with_appcontext
def create_admin(username, name, city, password):
    """Create the first admin, scoped to the whole city."""
    from ..accounts.areas import create_area
    from ..accounts.service import password_problem
    from ..security import hash_password

    problem = password_problem(password)
    if problem:
        click.echo(problem, err=True)
        sys.exit(1)
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        click.echo(f"user {username} already exists", err=True)
        sys.exit(1)
    root = db.session.scalar(select(Area).where(Area.parent_id.is_(None), Area.name == city))
    root = root or create_area(city, "city")
    user = User(username=username, name=name, area=root, password_hash=hash_password(password),
                must_change_password=True)
    user.set_roles({"admin", "organizer"})
    db.session.add(user)
    db.session.commit()
    click.echo(f"admin {username} created for {city}")
