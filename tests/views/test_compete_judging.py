"""Judges: nobody scores their own entry; judging a mentee, a mentor or someone of the same grid shows
a warning and is recorded with the score; the organizer sees the judges of each round and can swap a
judge for one entry, the replaced judge's score staying in the history, superseded."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.clock import local_today
from app.compete import service
from app.extensions import db
from app.models import Entry, JudgeScore, Mentorship, RoundResult
from app.refusal import Refusal
from tests.views.test_compete import as_user, competition  # noqa: F401  (fixture)


def entry_of(user):
    return db.session.scalar(select(Entry).where(Entry.user_id == user.id))


def assign(client, login, comp, *judges):
    token = as_user(client, login, "organizer")
    practical = comp.rounds[1]
    client.post(f"/compete/{comp.id}/rounds/{practical.id}/judges",
                data={"csrf_token": token, "judges": [j.id for j in judges]})
    return practical


def score(client, comp, practical, entry, points, token):
    return client.post(f"/compete/{comp.id}/rounds/{practical.id}/judge/{entry.id}",
                       data={"csrf_token": token, "c0": points[0], "c1": points[1]}, follow_redirects=True)


def test_nobody_scores_their_own_entry(client, competition, login, people):
    practical = assign(client, login, competition, people["mentor"])  # a contestant who also judges
    mine = entry_of(people["mentor"])
    token = as_user(client, login, "mentor")
    response = score(client, competition, practical, mine, ("10", "10"), token)
    assert response.status_code in (200, 404)
    assert db.session.scalar(select(func.count(JudgeScore.id))) == 0
    assert db.session.scalar(select(func.count(RoundResult.id))) == 0
    page = client.get(f"/compete/{competition.id}/rounds/{practical.id}/judge").get_data(as_text=True)
    assert f"/judge/{mine.id}" not in page and f"/judge/{entry_of(people['worker']).id}" in page
    with pytest.raises(Refusal):
        service.submit_scores(people["mentor"], practical, mine, [10, 10], "")
    db.session.rollback()
    assert db.session.scalar(select(func.count(JudgeScore.id))) == 0


def test_judging_a_mentee_warns_and_records_the_conflict(client, competition, login, people):
    db.session.add(Mentorship(mentor_id=people["mentor"].id, mentee_id=people["worker"].id,
                              start_date=local_today(), planned_end=local_today() + timedelta(days=120)))
    db.session.commit()
    practical = assign(client, login, competition, people["mentor"])
    worker_entry = entry_of(people["worker"])
    token = as_user(client, login, "mentor")
    url = f"/compete/{competition.id}/rounds/{practical.id}/judge/{worker_entry.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="conflict"' in page
    score(client, competition, practical, worker_entry, ("7", "8"), token)
    sheet = db.session.scalar(select(JudgeScore).where(JudgeScore.judge_id == people["mentor"].id))
    assert sheet.conflicts == ["mentee"]
    token = as_user(client, login, "organizer")  # the organizer sees it beside the score
    assert re.search(r'class="[^"]*\bconflict\b', client.get(f"/compete/{competition.id}").get_data(as_text=True))
    book = load_workbook(io.BytesIO(client.get(f"/compete/{competition.id}/results.xlsx").data))
    criteria = book.worksheets[2]
    assert any("mentee" in str(cell.value) or "带教" in str(cell.value) or "mentor" in str(cell.value)
               for row in criteria.iter_rows(min_row=2) for cell in row)


def test_same_grid_is_a_recorded_conflict_and_others_are_not(client, competition, login, people, make_user, areas):
    neighbour = make_user("neighbour", ("worker",), areas["grid1"], name="邻格评委")  # the worker's grid
    practical = assign(client, login, competition, neighbour)
    token = as_user(client, login, "neighbour")
    score(client, competition, practical, entry_of(people["worker"]), ("5", "5"), token)
    score(client, competition, practical, entry_of(people["mentor"]), ("5", "5"), token)  # grid 2
    sheets = {s.entry_id: s.conflicts for s in db.session.scalars(select(JudgeScore))}
    assert sheets == {entry_of(people["worker"]).id: ["same_grid"], entry_of(people["mentor"]).id: []}


def test_the_organizer_sees_the_judges_and_swaps_one_for_an_entry(client, competition, login, people, make_user,
                                                                  areas):
    spare = make_user("spare", ("worker",), areas["changqing"], name="替补评委")
    practical = competition.rounds[1]
    worker_entry = entry_of(people["worker"])
    token = as_user(client, login, "organizer")
    page = client.get(f"/compete/{competition.id}").get_data(as_text=True)
    assert f'id="judges-of-{practical.id}"' in page and "王立新" in page  # the assigned judge is listed
    score(client, competition, practical, worker_entry, ("8", "8"), token)
    assert db.session.scalar(select(RoundResult.score).where(RoundResult.entry_id == worker_entry.id)) == 80.0

    page = client.post(f"/compete/{competition.id}/rounds/{practical.id}/swap",
                       data={"csrf_token": token, "entry": worker_entry.id, "out": people["organizer"].id,
                             "new": spare.id}, follow_redirects=True).get_data(as_text=True)
    assert "flash-success" in page
    old = db.session.scalar(select(JudgeScore).where(JudgeScore.judge_id == people["organizer"].id))
    assert old is not None and old.superseded_at is not None  # kept in the history, no longer counted
    result = db.session.scalar(select(RoundResult).where(RoundResult.entry_id == worker_entry.id))
    assert result.score is None
    assert "替补评委" in page and 'class="superseded' in page

    page = score(client, competition, practical, worker_entry, ("1", "1"), token).get_data(as_text=True)
    assert "flash-error" in page or "flash-success" not in page  # the replaced judge no longer scores this entry
    assert db.session.scalar(select(func.count(JudgeScore.id))) == 1
    # ... but still judges the other contestant
    assert score(client, competition, practical, entry_of(people["mentor"]), ("4", "4"), token).status_code == 200

    token = as_user(client, login, "spare")
    page = client.get(f"/compete/{competition.id}/rounds/{practical.id}/judge").get_data(as_text=True)
    assert f"/judge/{worker_entry.id}" in page and f"/judge/{entry_of(people['mentor']).id}" not in page
    score(client, competition, practical, worker_entry, ("6", "7"), token)
    result = db.session.scalar(select(RoundResult).where(RoundResult.entry_id == worker_entry.id))
    assert result.score == 65.0  # the new judge's sheet alone

    as_user(client, login, "organizer")
    book = load_workbook(io.BytesIO(client.get(f"/compete/{competition.id}/results.xlsx").data))
    superseded = [row for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)
                  if row[1] == "张晓梅" and row[2] == "王立新"]
    assert superseded and all(row[-1] for row in superseded)  # marked in the history


def test_swaps_that_make_no_sense_are_refused(client, competition, login, people, make_user, areas):
    practical = competition.rounds[1]
    worker_entry = entry_of(people["worker"])
    token = as_user(client, login, "organizer")
    url = f"/compete/{competition.id}/rounds/{practical.id}/swap"
    for data in ({"out": people["mentor"].id, "new": people["admin"].id},        # not a judge of the entry
                 {"out": people["organizer"].id, "new": people["organizer"].id},  # already judges it
                 {"out": people["organizer"].id, "new": people["worker"].id},     # the contestant
                 {"out": people["organizer"].id, "new": people["other_worker"].id}):  # outside the area
        page = client.post(url, data={"csrf_token": token, "entry": worker_entry.id, **data},
                           follow_redirects=True).get_data(as_text=True)
        assert "flash-error" in page, data
    from app.models import JudgeSwap

    assert db.session.scalar(select(func.count(JudgeSwap.id))) == 0
