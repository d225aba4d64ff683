"""Demo data that shows every page at its best (issue 15 item 10): every demo person has a hire date (the
years spread), logs in with the demo password, and the demo competition's contestants sit in its
新网格员 and 老网格员 brackets by hire date. An instance made by an earlier version is repaired where
nobody made a choice, and running the demo again changes nothing."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.demo import DEMO_ACCOUNTS, DEMO_COMPETITION, DEMO_PASSWORD, DEMO_WORKERS, create_demo_data
from app.extensions import db
from app.models import Bracket, Competition, Entry, User
from app.security import hash_password
from tests.conftest import csrf_from

USERNAMES = [row[0] for row in DEMO_ACCOUNTS] + [row[0] for row in DEMO_WORKERS]


@pytest.fixture
def demo(content):
    create_demo_data()
    db.session.commit()


def demo_people() -> list[User]:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.username.in_(USERNAMES))).all()


def test_every_demo_person_has_a_hire_date_across_the_years(demo):
    people = demo_people()
    assert len(people) == 9 and all(p.hire_date is not None for p in people)
    assert all(p.hire_date <= local_today() for p in people)
    assert len({p.hire_date.year for p in people}) >= 5
    hired = {p.username: p.hire_date for p in people}
    assert local_today() - hired["worker"] < timedelta(days=90)      # the new worker in her onboarding
    assert local_today() - hired["mentor"] > timedelta(days=5 * 365)  # the mentor is a veteran


@pytest.mark.parametrize("username", USERNAMES)
def test_every_demo_person_logs_in_with_the_demo_password(client, demo, username):
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_from(client, "/login")})
    assert response.status_code == 302 and response.headers["Location"] == "/"  # not the forced change
    assert client.get("/").status_code == 200


def test_the_demo_competition_has_its_brackets_filled_by_hire_date(demo):
    competition = db.session.scalar(select(Competition).where(Competition.title == DEMO_COMPETITION))
    rows = db.session.execute(select(User.username, Bracket.name).join(Entry, Entry.user_id == User.id)
                              .join(Bracket, Bracket.id == Entry.bracket_id)
                              .where(Entry.competition_id == competition.id)).all()
    entries = db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == competition.id))
    assert len(rows) == entries == 5  # every contestant of 长青街道 has a bracket
    placed = dict(rows)
    assert placed["worker"] == "新网格员" and placed["CQ1002"] == "新网格员"
    assert placed["mentor"] == placed["CQ1001"] == placed["CQ1003"] == "老网格员"


def test_running_again_changes_nothing_and_repairs_an_old_instance(demo):
    # as an earlier version left it: no hire dates, extra workers with one-time passwords nobody saw,
    # contestants without a bracket
    for user in demo_people():
        user.hire_date = None
    db.session.execute(db.update(User).where(User.username == "CQ1003").values(
        password_hash=hash_password("unknown-otp-9"), must_change_password=True))
    db.session.execute(db.update(Entry).values(bracket_id=None))
    chose = db.session.scalar(select(User).where(User.username == "LH2001"))
    chose.password_hash, chose.must_change_password = hash_password("her-own-2026"), True
    chose.last_login_at = db.func.now()  # she logged in: her password is hers, not the demo's
    db.session.commit()

    create_demo_data()
    db.session.commit()
    people = {p.username: p for p in demo_people()}
    assert all(p.hire_date is not None for p in people.values())
    assert not people["CQ1003"].must_change_password
    assert people["LH2001"].must_change_password
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.bracket_id.is_(None))) == 0

    before = {(p.username, p.hire_date, p.password_hash) for p in people.values()}
    create_demo_data()
    db.session.commit()
    assert {(p.username, p.hire_date, p.password_hash) for p in demo_people()} == before
    assert isinstance(people["mentor"].hire_date, date)
