"""Competitions through the views: setting up, one attempt per round inside its window, judging
rules, the frozen leaderboard, awards, exports; every refusal leaves the data unchanged."""
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Competition, CompetitionRound, Entry, JudgeScore, QuizAttempt, RoundResult
from app.models.base import utcnow
from app.quiz.service import right_answer
from tests.conftest import csrf_from


def local(moment):
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def as_user(client, login, username):
    if client.get("/").status_code == 200:
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login(username)
    return csrf_from(client, "/")


@pytest.fixture
def competition(client, content, people, login):
    """A two-round competition (quiz + judged practical) by the street organizer, both rounds open,
    with the worker and the mentor enrolled and the organizer judging the practical."""
    token = as_user(client, login, "organizer")
    client.post("/compete/new", data={"csrf_token": token, "title": "2026年下半年网格员技能比武",
                                      "brackets": "新网格员, 老网格员"})
    comp = db.session.scalar(select(Competition))
    now = utcnow()
    client.post(f"/compete/{comp.id}/rounds", data={
        "csrf_token": token, "kind": "quiz", "title": "知识竞赛", "weight": "1", "opens_at": local(now - timedelta(hours=1)),
        "closes_at": local(now + timedelta(hours=2)), "banks": ["emergency"], "count": "5", "time_limit_min": "10"})
    client.post(f"/compete/{comp.id}/rounds", data={
        "csrf_token": token, "kind": "practical", "title": "实操考核", "weight": "1",
        "opens_at": local(now - timedelta(hours=1)), "closes_at": local(now + timedelta(hours=2)),
        "rubric": "入户沟通 | 10 | 群众沟通技巧\n信息采集 | 10 | info.collection"})  # a title or an id
    client.post(f"/compete/{comp.id}/enrol", data={"csrf_token": token, "how": "people",
                                                   "people": [people["worker"].id, people["mentor"].id]})
    practical = comp.rounds[1]
    client.post(f"/compete/{comp.id}/rounds/{practical.id}/judges",
                data={"csrf_token": token, "judges": [people["organizer"].id]})
    db.session.refresh(comp)
    return comp


def take_quiz(client, comp, right=True):
    token = csrf_from(client, f"/compete/{comp.id}")
    quiz_round = comp.rounds[0]
    response = client.post(f"/compete/{comp.id}/rounds/{quiz_round.id}/start", data={"csrf_token": token})
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(QuizAttempt, attempt_id)
    form = {"csrf_token": token}
    if right:
        form.update({f"q-{row.id}": right_answer(row) for row in attempt.answers})
    client.post(f"/quizzes/attempts/{attempt_id}/submit", data=form)
    return attempt


def test_enrolled_worker_sees_the_competition_at_home(client, competition, login):
    as_user(client, login, "worker")
    assert 'id="my-competitions"' in client.get("/").get_data(as_text=True)
    as_user(client, login, "linhu1")
    assert 'id="my-competitions"' not in client.get("/").get_data(as_text=True)


def test_setup(competition):
    assert [r.kind for r in competition.rounds] == ["quiz", "practical"]
    paper = competition.rounds[0].quiz
    assert paper.kind == "competition" and len(paper.selection["fixed"]) == 5
    assert not paper.review_answers  # no keys while the competition runs
    assert db.session.scalar(select(func.count(Entry.id))) == 2


def test_bad_round_setups_are_refused(client, competition, login):
    token = csrf_from(client, f"/compete/{competition.id}")
    now = utcnow()
    for data in ({"kind": "practical", "rubric": "沟通 | 0 | comm.residents"},
                 {"kind": "practical", "rubric": "沟通 | 10 | nope.nope"},
                 {"kind": "quiz", "banks": ["emergency"], "count": "999"}):
        page = client.post(f"/compete/{competition.id}/rounds", data={
            "csrf_token": token, "title": "x", "weight": "1", "opens_at": local(now),
            "closes_at": local(now + timedelta(hours=1)), **data}, follow_redirects=True).get_data(as_text=True)
        assert 'flash-error' in page
    assert db.session.scalar(select(func.count(CompetitionRound.id))) == 2


def test_one_attempt_and_scores_on_the_leaderboard(client, competition, login):
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    token = csrf_from(client, f"/compete/{competition.id}")
    page = client.post(f"/compete/{competition.id}/rounds/{competition.rounds[0].id}/start",
                       data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page  # a second attempt is refused
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    result = db.session.scalar(select(RoundResult))
    assert result.score == 100.0 and result.indicator_scores
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert "张晓梅" in page and "100.0" in page


def test_not_enrolled_and_outside_the_window(client, competition, login):
    as_user(client, login, "linhu1")
    assert client.get(f"/compete/{competition.id}").status_code == 404
    token = csrf_from(client, "/")
    assert client.post(f"/compete/{competition.id}/rounds/{competition.rounds[0].id}/start",
                       data={"csrf_token": token}).status_code == 404
    round_ = competition.rounds[0]
    round_.opens_at, round_.closes_at = utcnow() + timedelta(hours=1), utcnow() + timedelta(hours=2)
    db.session.commit()
    as_user(client, login, "worker")
    token = csrf_from(client, f"/compete/{competition.id}")
    page = client.post(f"/compete/{competition.id}/rounds/{round_.id}/start", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page and db.session.scalar(select(func.count(RoundResult.id))) == 0


def test_judging_rules(client, competition, login, people):
    token = as_user(client, login, "organizer")
    practical = competition.rounds[1]
    entry = db.session.scalar(select(Entry).where(Entry.user_id == people["worker"].id))
    url = f"/compete/{competition.id}/rounds/{practical.id}/judge/{entry.id}"
    page = client.post(url, data={"csrf_token": token, "c0": "12", "c1": "5"}, follow_redirects=True)
    assert "flash-error" in page.get_data(as_text=True)  # 12 > 10
    assert db.session.scalar(select(func.count(JudgeScore.id))) == 0
    client.post(url, data={"csrf_token": token, "c0": "8", "c1": "6.5"})
    client.post(url, data={"csrf_token": token, "c0": "1", "c1": "1"})  # a second sheet is refused
    sheets = db.session.scalars(select(JudgeScore)).all()
    assert len(sheets) == 1 and sheets[0].points == [8.0, 6.5]
    result = db.session.scalar(select(RoundResult).where(RoundResult.round_id == practical.id))
    assert result.score == 72.5
    as_user(client, login, "mentor")  # a contestant is not a judge
    assert client.get(url).status_code == 404


def test_frozen_board_hides_later_results(client, competition, login):
    competition.freeze_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    as_user(client, login, "worker")
    take_quiz(client, competition)
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'id="frozen"' in page and "100.0" not in page
    as_user(client, login, "organizer")
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert "100.0" in page  # organizers see the truth
    public = client.get(f"/compete/{competition.id}/leaderboard?public=1").get_data(as_text=True)
    assert "100.0" not in public


def test_exports(client, competition, login, people):
    as_user(client, login, "worker")
    take_quiz(client, competition)
    token = as_user(client, login, "organizer")
    entry = db.session.scalar(select(Entry).where(Entry.user_id == people["worker"].id))
    client.post(f"/compete/{competition.id}/rounds/{competition.rounds[1].id}/judge/{entry.id}",
                data={"csrf_token": token, "c0": "9", "c1": "9"})
    excel = client.get(f"/compete/{competition.id}/results.xlsx")
    assert excel.status_code == 200 and excel.data[:2] == b"PK"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(excel.data))
    assert book.worksheets[0]["B2"].value == "张晓梅"
    assert book.worksheets[2].max_row == 3  # two criteria of one judge sheet
    pdf = client.get(f"/compete/{competition.id}/certificates.pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'id="awards"' in page


def test_parallel_starts_create_one_attempt(app, client, competition, login, people):
    """Two requests racing to start the same round: exactly one attempt exists afterwards."""
    as_user(client, login, "worker")
    token = csrf_from(client, f"/compete/{competition.id}")
    cookie = client.get_cookie("session").value
    url = f"/compete/{competition.id}/rounds/{competition.rounds[0].id}/start"
    statuses = []

    def hit():
        other = app.test_client()
        other.set_cookie("session", cookie)
        statuses.append(other.post(url, data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(302) == 4
    assert db.session.scalar(select(func.count(RoundResult.id))) == 1
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_leaderboard_queries_do_not_grow_with_answers(client, competition, login, people, make_user, areas):
    from tests.views.test_profile import count_queries

    as_user(client, login, "organizer")
    url = f"/compete/{competition.id}/leaderboard"
    counts = []
    for extra in (0, 6):
        for i in range(extra):  # more contestants with saved answers and scores
            person = make_user(f"c{i}", ("worker",), areas["grid1"])
            entry = Entry(competition_id=competition.id, user_id=person.id)
            db.session.add(entry)
            db.session.flush()
            db.session.add(RoundResult(round_id=competition.rounds[0].id, entry_id=entry.id, score=50.0 + i,
                                       finished_at=utcnow(), indicator_scores={"handling.emergency": 60.0}))
        db.session.commit()
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], counts


def add_drill_round(client, competition, login):
    """The organizer adds the gas-leak drill as the third round (weight 2), open from five minutes ago."""
    token = as_user(client, login, "organizer")
    now = utcnow()
    client.post(f"/compete/{competition.id}/rounds", data={
        "csrf_token": token, "kind": "drill", "title": "情景模拟", "weight": "2", "drill_id": "gas-leak",
        "opens_at": local(now - timedelta(minutes=5)), "closes_at": local(now + timedelta(hours=1))})
    db.session.refresh(competition)
    return competition.rounds[2]


def test_drill_round_is_assessed_and_sealed_until_the_results_are_published(client, competition, login):
    from app.drill.service import analysis, current_version, token_of
    from app.models import DrillAttempt

    drill_round = add_drill_round(client, competition, login)
    token = as_user(client, login, "worker")
    response = client.post(f"/compete/{competition.id}/rounds/{drill_round.id}/start", data={"csrf_token": token})
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(DrillAttempt, attempt_id)
    assert attempt.mode == "assessed"
    _bounds, best = analysis(current_version("gas-leak"))
    for step, (node, choice) in enumerate(best):
        page = client.post(f"/drills/attempts/{attempt_id}/choose", data={
            "csrf_token": token, "choice": token_of(attempt, choice, node), "step": step}, follow_redirects=True)
    page = page.get_data(as_text=True)
    assert 'id="debrief"' not in page and "<svg" not in page  # sealed while the round is open
    result = db.session.scalar(select(RoundResult).where(RoundResult.round_id == drill_round.id))
    assert result.score is not None and result.score > 80 and result.indicator_scores
    for round_ in competition.rounds:
        round_.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert 'id="debrief"' not in client.get(f"/drills/attempts/{attempt_id}/result").get_data(as_text=True)
    token = as_user(client, login, "organizer")
    client.post(f"/compete/{competition.id}/publish", data={"csrf_token": token})
    as_user(client, login, "worker")
    assert 'id="debrief"' in client.get(f"/drills/attempts/{attempt_id}/result").get_data(as_text=True)


def test_services_refuse_whoever_may_not_act(competition, people):
    """The services check the actor they are given, not only the views: a worker or another street's
    organizer cannot change the competition, a contestant cannot judge, a judge who is not enrolled
    cannot start a round. Nothing changes."""
    from app.compete import service
    from app.refusal import Refusal

    now = utcnow()
    quiz_round, practical = competition.rounds
    entry = db.session.scalar(select(Entry).where(Entry.user_id == people["worker"].id))
    for outsider in (people["worker"], people["other_organizer"]):
        with pytest.raises(Refusal, match="组织者"):  # only the competition's organizers can change it
            service.add_round(outsider, competition, kind="quiz", title="x", weight=1, opens_at=now,
                              closes_at=now + timedelta(hours=1))
        with pytest.raises(Refusal, match="组织者"):
            service.enrol(outsider, competition, [people["mentor"]])
        with pytest.raises(Refusal, match="组织者"):
            service.assign_judges(outsider, practical, [outsider])
    with pytest.raises(Refusal):
        service.submit_scores(people["mentor"], practical, entry, [5, 5], "")
    with pytest.raises(Refusal):
        service.start_round(people["organizer"], quiz_round, "Asia/Shanghai")
    db.session.rollback()
    assert db.session.scalar(select(func.count(CompetitionRound.id))) == 2
    assert db.session.scalar(select(func.count(Entry.id))) == 2
    assert db.session.scalar(select(func.count(JudgeScore.id))) == 0
    assert db.session.scalar(select(func.count(RoundResult.id))) == 0


def test_enrol_a_cohort_or_a_roster(client, competition, people, login, make_user, areas):
    token = as_user(client, login, "organizer")
    make_user("newhire", ("worker",), areas["grid2"], worker_number="CQ009", name="赵新")
    comp_url = f"/compete/{competition.id}"
    page = client.post(f"{comp_url}/enrol", data={"csrf_token": token, "how": "cohort", "area": areas["grid2"].id},
                       follow_redirects=True).get_data(as_text=True)
    assert "flash-success" in page and db.session.scalar(select(func.count(Entry.id))) == 3
    page = client.post(f"{comp_url}/enrol", data={"csrf_token": token, "how": "roster"},
                       follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page  # no file chosen
    bracket = competition.brackets[1]
    roster = "姓名,工号\n张晓梅,CQ001\n周婷,LH001\n".encode()
    page = client.post(f"{comp_url}/enrol", data={"csrf_token": token, "how": "roster", "bracket": bracket.id,
                                                  "roster": (io.BytesIO(roster), "roster.csv")},
                       follow_redirects=True).get_data(as_text=True)
    assert "LH001" in page  # another street's worker is not found in the organizer's area
    entry = db.session.scalar(select(Entry).where(Entry.user_id == people["worker"].id))
    assert entry.bracket_id == bracket.id and db.session.scalar(select(func.count(Entry.id))) == 3


def test_rubric_indicators_are_typed_by_their_chinese_titles(competition):
    """Organizers type 群众沟通技巧, not comm.residents; the page lists titles only."""
    rubric = competition.rounds[1].rubric
    assert [c["indicator"] for c in rubric] == ["comm.residents", "info.collection"]
