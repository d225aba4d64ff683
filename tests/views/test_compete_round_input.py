"""Organizer input on rounds (issue 13 item 6): finite weights in (0, 100], time limits of 1 to 600
minutes and sane question counts, refused at the form and by the rules; a round is changed or deleted
only before it opens."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CompetitionRound, Quiz
from app.models.base import utcnow
from tests.conftest import csrf_from
from tests.views.test_compete import competition, local  # noqa: F401  (fixture)


def add_round(client, comp, **data):
    now = utcnow()
    form = {"csrf_token": csrf_from(client, f"/compete/{comp.id}"), "kind": "quiz", "title": "加赛", "weight": "1",
            "opens_at": local(now + timedelta(days=1)), "closes_at": local(now + timedelta(days=1, hours=2)),
            "banks": ["emergency"], "count": "3", "time_limit_min": "10", **data}
    return client.post(f"/compete/{comp.id}/rounds", data=form, follow_redirects=True).get_data(as_text=True)


def rounds() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(CompetitionRound.id)))


@pytest.mark.parametrize("data", [
    {"weight": "inf"}, {"weight": "nan"}, {"weight": "-inf"}, {"weight": "1e999"}, {"weight": "0"}, {"weight": "-1"},
    {"weight": "100.5"}, {"time_limit_min": "99999999999"}, {"time_limit_min": "0"}, {"time_limit_min": "601"},
    {"count": "99999999999"},
])
def test_insane_round_numbers_are_refused(client, competition, data):
    page = add_round(client, competition, **data)
    assert "flash-error" in page
    assert rounds() == 2
    assert client.get(f"/compete/{competition.id}/leaderboard").status_code == 200


def test_sane_bounds_are_accepted(client, competition):
    page = add_round(client, competition, weight="100", time_limit_min="600")
    assert "flash-error" not in page and rounds() == 3


def test_refusals_name_the_rule(client, competition):
    assert "权重必须大于 0 且不超过 100" in add_round(client, competition, weight="inf")
    assert "限时必须是 1 到 600 之间的整数分钟" in add_round(client, competition, time_limit_min="99999999999")


def test_an_upcoming_round_can_be_changed_and_deleted(client, competition):
    add_round(client, competition)
    new = db.session.scalar(select(CompetitionRound).where(CompetitionRound.position == 3))
    now = utcnow()
    token = csrf_from(client, f"/compete/{competition.id}")
    page = client.post(f"/compete/{competition.id}/rounds/{new.id}/edit", data={
        "csrf_token": token, "title": "加赛（改）", "weight": "2", "opens_at": local(now + timedelta(days=2)),
        "closes_at": local(now + timedelta(days=2, hours=1)), "time_limit_min": "15"},
        follow_redirects=True).get_data(as_text=True)
    assert "flash-error" not in page and "加赛（改）" in page
    db.session.expire_all()
    new = db.session.get(CompetitionRound, new.id)
    assert new.weight == 2 and new.quiz.time_limit_s == 900
    page = client.post(f"/compete/{competition.id}/rounds/{new.id}/edit", data={
        "csrf_token": token, "title": "x", "weight": "inf", "opens_at": local(now + timedelta(days=2)),
        "closes_at": local(now + timedelta(days=2, hours=1))}, follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page
    quizzes = db.session.scalar(select(func.count(Quiz.id)))
    page = client.post(f"/compete/{competition.id}/rounds/{new.id}/delete", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "flash-error" not in page and rounds() == 2
    assert db.session.scalar(select(func.count(Quiz.id))) == quizzes - 1


def test_an_opened_round_cannot_be_changed_or_deleted(client, competition):
    opened = competition.rounds[0]
    now = utcnow()
    token = csrf_from(client, f"/compete/{competition.id}")
    page = client.post(f"/compete/{competition.id}/rounds/{opened.id}/delete", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page and rounds() == 2
    page = client.post(f"/compete/{competition.id}/rounds/{opened.id}/edit", data={
        "csrf_token": token, "title": "x", "weight": "3", "opens_at": local(now + timedelta(days=2)),
        "closes_at": local(now + timedelta(days=2, hours=1))}, follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page
    db.session.expire_all()
    assert db.session.get(CompetitionRound, opened.id).weight == 1


def test_only_its_organizers_change_a_round(client, competition, login, people):
    from tests.views.test_compete import as_user

    add_round(client, competition)
    new = db.session.scalar(select(CompetitionRound).where(CompetitionRound.position == 3))
    token = as_user(client, login, "linhu_org")
    assert client.post(f"/compete/{competition.id}/rounds/{new.id}/delete",
                       data={"csrf_token": token}).status_code == 404
    token = as_user(client, login, "worker")
    assert client.post(f"/compete/{competition.id}/rounds/{new.id}/delete",
                       data={"csrf_token": token}).status_code == 403
    assert rounds() == 3
