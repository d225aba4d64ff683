"""Demo data for development: an area tree, accounts for every role, and some activity made through
the real services (lessons done, quizzes and drills taken, a mentorship, an open competition).
``flask demo create`` runs it; production refuses it."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from .accounts.areas import create_area, ensure_child
from .clock import local_today, utcnow
from .compete import service as compete
from .drill import engine, service as drills
from .extensions import db
from .kb import service as kb
from .learn.check import credit_lesson, open_lesson, reading_minimum, right_answers
from .mentor.rules import add_months
from .models import Area, Competition, Course, CourseAssignment, DrillAttempt, DrillVersion, Entry, JointVisit, \
    Mentorship, MentorshipEvent, Quiz, TrainingClass, User
from .quiz import service as quizzes
from .quiz.service import right_answer
from .security import hash_password
from .train import service as train


DEMO_PASSWORD = "demo1234"  # noqa: S105 (dev-only demo accounts; `flask demo create` refuses production)
#: (username, name, roles, area path below the city)
DEMO_ACCOUNTS = [
    ("worker", "张晓梅", {"worker"}, ("滨江区", "长青街道", "幸福社区", "第一网格")),
    ("mentor", "李建国", {"mentor", "worker"}, ("滨江区", "长青街道", "幸福社区", "第二网格")),
    ("organizer", "王立新", {"organizer"}, ("滨江区", "长青街道")),
    ("admin", "陈静", {"admin", "organizer"}, ()),
]
#: Further workers so managers' lists are not empty: (worker number, name, area path). They log in with
#: their worker number and the demo password, like the accounts above.
DEMO_WORKERS = [
    ("CQ1001", "刘洋", ("滨江区", "长青街道", "幸福社区", "第一网格")),
    ("CQ1002", "赵敏", ("滨江区", "长青街道", "幸福社区", "第二网格")),
    ("CQ1003", "孙浩", ("滨江区", "长青街道", "和平社区", "第一网格")),
    ("LH2001", "周婷", ("滨江区", "临湖街道", "湖光社区", "第一网格")),
    ("LH2002", "吴磊", ("滨江区", "临湖街道", "湖光社区", "第二网格")),
]
#: Hire dates across the years, so cohorts by hire year, 入职年份, experience and the competition's
#: 新网格员/老网格员 brackets have something to show. An int is days before today (the new worker in
#: her onboarding, mentored since 20 days ago); the others are fixed dates.
DEMO_HIRED = {
    "worker": 45, "mentor": date(2016, 3, 1), "organizer": date(2013, 7, 1), "admin": date(2009, 9, 1),
    "CQ1001": date(2023, 4, 10), "CQ1002": 120, "CQ1003": date(2021, 6, 1), "LH2001": date(2019, 3, 15),
    "LH2002": 200,
}
#: Hired less than this long ago: the competition's 新网格员 bracket; the rest are 老网格员.
NEW_WORKER_DAYS = 365


def demo_hire_date(username: str) -> date | None:
    hired = DEMO_HIRED.get(username)
    return local_today() - timedelta(days=hired) if isinstance(hired, int) else hired
DEMO_CITY = "江城市"




def create_demo_data() -> int:
    """Build the demo tree and accounts; existing ones are left as they are. Returns accounts created."""

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
                        worker_number=f"DEMO-{username}" if "worker" in roles else None,
                        hire_date=demo_hire_date(username))
            user.set_roles(roles)
            db.session.add(user)
            created += 1

    for number, name, path in DEMO_WORKERS:
        if db.session.scalar(select(User).where(User.username == number)) is None:
            user = User(username=number, name=name, worker_number=number, area=node(path), active=True,
                        password_hash=hash_password(DEMO_PASSWORD), must_change_password=False,
                        hire_date=demo_hire_date(number))
            user.set_roles({"worker"})
            db.session.add(user)
            created += 1
    db.session.flush()
    _demo_repair()
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
    _demo_class()
    _demo_knowledge()
    return created


def _demo_repair() -> None:
    """Demo data made by earlier versions gets what they lacked, where nobody made a choice: a hire date
    where none is set, and the demo password for the extra workers who never logged in (their one-time
    passwords were shown to nobody)."""
    usernames = [row[0] for row in DEMO_ACCOUNTS] + [row[0] for row in DEMO_WORKERS]
    for user in db.session.scalars(select(User).where(User.username.in_(usernames))):
        if user.hire_date is None:
            user.hire_date = demo_hire_date(user.username)
        extra = user.username in {row[0] for row in DEMO_WORKERS}
        if extra and user.must_change_password and user.last_login_at is None:
            user.password_hash = hash_password(DEMO_PASSWORD)
            user.must_change_password = False
    db.session.flush()


#: Lessons the demo workers have already finished, so managers' views show a spread.
DEMO_PROGRESS = {"CQ1001": ("onboarding-governance", "onboarding-policy"), "CQ1002": ("onboarding-governance",),
                 "LH2001": ("onboarding-governance", "onboarding-policy", "onboarding-communication",
                            "onboarding-emergency")}


def _demo_progress() -> None:
    """Hours earned through the real service: each lesson opened, read for its minimum reading time
    (simulated: the service is told the later moment) and its lesson check answered right."""
    for username, slugs in DEMO_PROGRESS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        for slug in slugs:
            course = db.session.scalar(select(Course).where(Course.slug == slug, Course.active))
            for lesson in course.active_lessons if course else []:
                if slug != slugs[-1] or lesson.position == 1 or len(slugs) == 4:
                    _demo_read(user, course, lesson)


def _demo_read(user: User, course: Course, lesson) -> None:
    """A lesson without check questions cannot credit hours, for demo workers as for anyone: skipped."""
    opened = utcnow() - timedelta(days=3)
    state = open_lesson(user, lesson, now=opened)
    if state.record is None and state.items:
        done = opened + timedelta(seconds=reading_minimum(lesson) + 45)
        credit_lesson(user, course, lesson, right_answers(user, lesson, now=done), now=done)


#: Demo workers' quiz accuracy, so profiles and the cohort heatmap show a spread.
DEMO_SKILL = {"worker": 0.7, "mentor": 0.9, "CQ1001": 0.85, "CQ1002": 0.55, "CQ1003": 0.35, "LH2001": 0.9,
              "LH2002": 0.6}


def _demo_activity() -> None:
    """Course tests and drills taken through the real services by the demo workers (once)."""


    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    tests = db.session.scalars(select(Quiz).where(Quiz.kind == "course", Quiz.course_slug.like("onboarding-%"))).all()
    versions = db.session.scalars(select(DrillVersion).where(DrillVersion.active)).all()
    for username, skill in DEMO_SKILL.items():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or db.session.scalar(select(DrillAttempt.id).where(DrillAttempt.user_id == user.id)):
            continue
        rng = random.Random(username)  # noqa: S311 (made-up demo answers, the same on every run; nothing secret)
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
    """The demo mentor mentors the demo worker since 20 days ago (too early for a sign-off), with one
    confirmed joint visit dated within the pairing."""


    mentor = db.session.scalar(select(User).where(User.username == "mentor"))
    worker = db.session.scalar(select(User).where(User.username == "worker"))
    organizer = db.session.scalar(select(User).where(User.username == "organizer"))
    if db.session.scalar(select(Mentorship.id).where(Mentorship.mentee_id == worker.id)) is not None:
        return
    start = local_today() - timedelta(days=20)
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
    """An open two-round competition in 长青街道 with the street's workers enrolled (once), each in the
    新网格员 or 老网格员 bracket by hire date."""
    organizer = db.session.scalar(select(User).where(User.username == "organizer"))
    existing = db.session.scalar(select(Competition).where(Competition.title == DEMO_COMPETITION))
    if existing is not None:
        _demo_brackets(existing, only_unplaced=True)
        return
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

    street = db.session.scalar(select(Area).where(Area.name == "长青街道"))
    people = [u for u in db.session.scalars(select(User).join(Area).where(
        Area.path.startswith(street.path))) if u.has_role("worker")]
    compete.enrol(organizer, competition, people)
    _demo_brackets(competition)
    compete.assign_judges(organizer, practical, [organizer])
    db.session.flush()


def _demo_brackets(competition: Competition, only_unplaced: bool = False) -> None:
    """Put each contestant in 新网格员 (hired within ``NEW_WORKER_DAYS``) or 老网格员 (through the service,
    as an organizer would); ``only_unplaced`` leaves contestants who already have a bracket alone."""
    brackets = {b.name: b for b in competition.brackets}
    if not {"新网格员", "老网格员"} <= brackets.keys():
        return
    organizer = db.session.scalar(select(User).where(User.username == "organizer"))
    since = local_today() - timedelta(days=NEW_WORKER_DAYS)
    groups: dict[str, list[User]] = {"新网格员": [], "老网格员": []}
    for entry in db.session.scalars(select(Entry).where(Entry.competition_id == competition.id)):
        if only_unplaced and entry.bracket_id is not None:
            continue
        hired = entry.user.hire_date
        groups["新网格员" if hired is not None and hired > since else "老网格员"].append(entry.user)
    for name, people in groups.items():
        if people:
            compete.enrol(organizer, competition, people, bracket=brackets[name])
    db.session.flush()


DEMO_CLASS = "2026年度长青街道网格员集中轮训班"


def _demo_class() -> None:
    """A training class of 长青街道 from tomorrow with two sessions and the street's workers enrolled (once)."""
    if db.session.scalar(select(TrainingClass.id).where(TrainingClass.title == DEMO_CLASS)) is not None:
        return
    organizer = db.session.scalar(select(User).where(User.username == "organizer"))
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    first = local_today() + timedelta(days=1)
    training_class = train.create_class(organizer, train.ClassFields(
        title=DEMO_CLASS, tier="annual", area_id=organizer.area_id, place="长青街道党群服务中心三楼",
        starts_on=first, ends_on=first + timedelta(days=4), capacity=40, min_attendance_percent=80,
        description="年度轮训：政策更新、矛盾纠纷调解、心理压力疏导。"))
    for topic, start, end, name, unit in (("最新惠民政策解读", time(9), time(12), "陈芳", "区民政局"),
                                          ("矛盾纠纷调解实务", time(14), time(17), "刘明", "区司法局")):
        train.add_session(organizer, training_class, train.SessionFields(
            topic=topic, starts_at=datetime.combine(first, start), ends_at=datetime.combine(first, end),
            room="301会议室", hours=3, instructor_name=name, instructor_unit=unit), tz)
    street = db.session.scalar(select(Area).where(Area.name == "长青街道"))
    people = [u for u in db.session.scalars(select(User).join(Area).where(
        Area.path.startswith(street.path))) if u.has_role("worker")]
    train.enrol(organizer, training_class, people)


DEMO_CASE = {
    "description": "6号楼一楼楼道里堆了旧沙发和几十个纸箱，住户说是楼上人家装修时放的，已经放了一个多月，挡住了一半通道。",
    "handling": "先拍照记录，找到堆放的住户，讲清楼道堆物是消防隐患，约定三天内清走；联系物业帮忙联系收旧家具的；三天后复查，通道已清空。",
    "lessons_learned": "先讲安全，不替居民处理财物；约好期限并按时复查，比一次说重话管用。",
    "feedback": "住户主动道歉，楼里几位老人说现在下楼不怕磕碰了。",
}


def _demo_knowledge() -> None:
    """The demo worker asked the assistant something it could not answer and sent it to her mentor, and
    wrote up a case now waiting for review (once)."""
    worker = db.session.scalar(select(User).where(User.username == "worker"))
    if worker is None or kb.my_cases(worker):
        return
    question = kb.ask(worker, "社保卡丢了去哪补办", current_app.config)
    if question.status == "unsure" and kb.responder_for(worker) is not None:
        kb.send_to_person(worker, question)
    kb.save_case(worker, None, title="楼道堆放旧家具，劝导住户三天内清走", category="civilized-city",
                 tags=["楼道堆物", "消防通道"], indicators=["comm.residents", "handling.detection"], parts=DEMO_CASE,
                 known_indicators={"comm.residents", "handling.detection"}, submit=kb.responder_for(worker) is not None)
    db.session.flush()
