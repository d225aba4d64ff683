"""The leaderboard from the cache every app process shares (``leaderboard_cache``, issue 14 item 5).

Each kind of write that changes a board raises the competition's ``board_version`` in its own
transaction and the next page shows the change (one test per writer); the public board after the freeze
never comes from the live board, whether the freeze came by a write or by the clock; the cached board
equals the computed one; a cached page makes the same few queries at two sizes and reads no result;
20 parallel requests on a cold cache store one right board, also while results keep arriving; two app
processes see each other's writes at their next request."""
from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.compete import boardcache, service
from app.extensions import db
from app.models import Competition, Entry, LeaderboardCache, RoundResult, User
from app.models.base import utcnow
from tests.conftest import csrf_from
from tests.processes import AppProcess
from tests.views.test_compete import add_drill_round, as_user, competition, local, take_quiz  # noqa: F401  (fixture)
from tests.views.test_profile import count_queries
from tests.views.test_quiz_integrity import PARALLEL, fire, log_in, server  # noqa: F401  (fixture)



def version(comp) -> int:
    return db.session.scalar(select(Competition.board_version).where(Competition.id == comp.id))


def rows(page: str) -> list[tuple[str, str]]:
    """(name, total) of each row of the overall board on a leaderboard page."""
    table = re.search(r'<table class="leaderboard" id="overall">(.*?)</table>', page, re.S).group(1)
    return re.findall(r"<tr><td>[^<]*</td><td>([^<]+?)(?: <span[^>]*>[^<]*</span>)?</td>.*?<strong>([\d.]+)</strong>",
                      table, re.S)


def board(client, comp, query: str = "") -> list[tuple[str, str]]:
    response = client.get(f"/compete/{comp.id}/leaderboard{query}")
    assert response.status_code == 200
    return rows(response.get_data(as_text=True))


def cached(comp, variant: str = boardcache.LIVE) -> LeaderboardCache | None:
    db.session.expire_all()
    return db.session.get(LeaderboardCache, (comp.id, variant))


def warm(client, comp, query: str = "") -> int:
    """Show the board once (filling the cache) and return the competition's version."""
    board(client, comp, query)
    assert cached(comp, boardcache.FROZEN if "frozen" in query else boardcache.LIVE) is not None or query
    return version(comp)


def entry_of(people, name: str) -> Entry:
    return db.session.scalar(select(Entry).where(Entry.user_id == people[name].id))


def same(a: service.Board, b: service.Board) -> None:
    assert a.overall == b.overall
    assert a.brackets == b.brackets
    assert a.prizes == b.prizes
    assert [(w.key, w.title, w.score, w.winner_ids, w.winners) for w in a.awards or []] == \
        [(w.key, w.title, w.score, w.winner_ids, w.winners) for w in b.awards or []]


# --- each writer invalidates ------------------------------------------------------------------------

def test_a_submitted_quiz_round_shows_at_the_next_request(client, competition, login):
    as_user(client, login, "worker")
    before = warm(client, competition)
    assert ("张晓梅", "0.0") in board(client, competition)
    take_quiz(client, competition, right=True)
    assert version(competition) > before
    assert ("张晓梅", "50.0") in board(client, competition)  # 100 on one of two rounds of weight 1


def test_a_paper_submitted_as_saved_at_its_deadline_shows_at_the_next_request(client, competition, login):
    """Nobody presses submit: the contestant comes back after the deadline and the paper is submitted
    with what was saved (``expire_if_due``), a write like any other submission."""
    from app.models import QuizAttempt
    from app.quiz.service import right_answer

    token = as_user(client, login, "worker")
    response = client.post(f"/compete/{competition.id}/rounds/{competition.rounds[0].id}/start",
                           data={"csrf_token": token})
    attempt = db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    for row in attempt.answers:  # every answer saved as it was typed, never submitted
        saved = client.post(f"/quizzes/attempts/{attempt.id}/answer", data={
            "csrf_token": token, "answer_id": row.id, f"seq-{row.id}": 1, f"q-{row.id}": right_answer(row)})
        assert saved.json["ok"] and not saved.json["stale"]
    before = warm(client, competition)
    assert ("张晓梅", "0.0") in board(client, competition)
    attempt.deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert version(competition) == before  # a deadline passing writes nothing by itself
    client.get(f"/quizzes/attempts/{attempt.id}")  # back after the deadline: submitted as saved
    db.session.refresh(attempt)
    assert attempt.submitted_at is not None and version(competition) > before
    total = dict(board(client, competition))["张晓梅"]
    assert total == f"{round(attempt.score / 2, 1):.1f}" and total != "0.0"


def test_a_finished_drill_round_shows_at_the_next_request(client, competition, login):
    from app.drill.service import analysis, current_version, token_of
    from app.models import DrillAttempt

    drill_round = add_drill_round(client, competition, login)
    before = warm(client, competition)
    token = as_user(client, login, "worker")
    response = client.post(f"/compete/{competition.id}/rounds/{drill_round.id}/start", data={"csrf_token": token})
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert version(competition) == before  # starting scores nothing
    attempt = db.session.get(DrillAttempt, attempt_id)
    _bounds, best = analysis(current_version("gas-leak"))
    for step, (node, choice) in enumerate(best):
        client.post(f"/drills/attempts/{attempt_id}/choose", data={
            "csrf_token": token, "choice": token_of(attempt, choice, node), "step": step})
    result = db.session.scalar(select(RoundResult).where(RoundResult.round_id == drill_round.id))
    assert result.score > 80 and version(competition) > before
    as_user(client, login, "organizer")
    total = dict(board(client, competition))["张晓梅"]
    assert total == f"{round(result.score * 2 / 4, 1):.1f}"


def test_judging_and_swapping_a_judge_show_at_the_next_request(client, competition, login, people, make_user, areas):
    token = as_user(client, login, "organizer")
    practical = competition.rounds[1]
    worker = entry_of(people, "worker")
    before = warm(client, competition)
    client.post(f"/compete/{competition.id}/rounds/{practical.id}/judge/{worker.id}",
                data={"csrf_token": token, "c0": "8", "c1": "6"})
    judged = version(competition)
    assert judged > before
    assert ("张晓梅", "35.0") in board(client, competition)  # 70 on one of two rounds
    spare = make_user("spare-judge", ("worker",), areas["changqing"], name="替补评委")
    client.post(f"/compete/{competition.id}/rounds/{practical.id}/swap",
                data={"csrf_token": token, "entry": worker.id, "out": people["organizer"].id, "new": spare.id})
    assert version(competition) > judged
    assert ("张晓梅", "0.0") in board(client, competition)  # the swapped-out judge's sheet no longer counts


def test_enrolling_and_moving_to_a_bracket_show_at_the_next_request(client, competition, login, people, make_user,
                                                                  areas):
    newcomer = make_user("newcomer", ("worker",), areas["grid1"], name="赵新")
    token = as_user(client, login, "organizer")
    before = warm(client, competition)
    assert "赵新" not in dict(board(client, competition))
    client.post(f"/compete/{competition.id}/enrol", data={"csrf_token": token, "how": "people",
                                                          "people": [newcomer.id]})
    enrolled = version(competition)
    assert enrolled > before and "赵新" in dict(board(client, competition))
    bracket = competition.brackets[0]
    client.post(f"/compete/{competition.id}/enrol", data={"csrf_token": token, "how": "people", "bracket": bracket.id,
                                                          "people": [people["worker"].id]})
    assert version(competition) > enrolled
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    first_bracket = re.search(r'<table class="leaderboard" id="bracket-1">(.*?)</table>', page, re.S).group(1)
    assert "张晓梅" in first_bracket


def test_adding_changing_and_deleting_a_round_show_at_the_next_request(client, competition, login):
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    token = as_user(client, login, "organizer")
    assert ("张晓梅", "50.0") in board(client, competition)
    now = utcnow()
    times = {"opens_at": local(now + timedelta(hours=3)), "closes_at": local(now + timedelta(hours=4))}
    v0 = version(competition)
    client.post(f"/compete/{competition.id}/rounds", data={
        "csrf_token": token, "kind": "practical", "title": "复赛", "weight": "2",
        "rubric": "入户沟通 | 10 | 群众沟通技巧", **times})
    v1 = version(competition)
    assert v1 > v0 and ("张晓梅", "25.0") in board(client, competition)  # 100 × 1 / (1 + 1 + 2)
    db.session.refresh(competition)
    later = competition.rounds[2]
    client.post(f"/compete/{competition.id}/rounds/{later.id}/edit",
                data={"csrf_token": token, "title": "复赛", "weight": "1", **times})
    v2 = version(competition)
    assert v2 > v1 and ("张晓梅", "33.3") in board(client, competition)
    client.post(f"/compete/{competition.id}/rounds/{later.id}/delete", data={"csrf_token": token})
    assert version(competition) > v2 and ("张晓梅", "50.0") in board(client, competition)


def test_prize_settings_show_at_the_next_request(client, competition, login):
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    token = as_user(client, login, "organizer")
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'prize">一等奖' in page
    before = version(competition)
    client.post(f"/compete/{competition.id}/settings", data={
        "csrf_token": token, "prize_mode": "count", "prize_first": "0", "prize_second": "1", "prize_third": "0"})
    assert version(competition) > before
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'prize">一等奖' not in page and 'prize">二等奖' in page


def test_publication_replaces_the_cached_live_board(client, competition, login):
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    token = as_user(client, login, "organizer")
    before = warm(client, competition)
    for round_ in competition.rounds:
        round_.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    closed = version(competition)
    assert closed > before  # the windows are the rounds' too
    client.post(f"/compete/{competition.id}/publish", data={"csrf_token": token})
    assert version(competition) > closed
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'id="published"' in page and ("张晓梅", "50.0") in rows(page)


def test_a_freeze_time_set_later_and_a_rename_show_at_the_next_request(client, competition, login, people):
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    before = warm(client, competition)
    assert ("张晓梅", "50.0") in board(client, competition)
    competition.freeze_at = utcnow() - timedelta(hours=2)  # no page sets it after creation; the database may
    db.session.commit()
    frozen = version(competition)
    assert frozen > before and ("张晓梅", "0.0") in board(client, competition)
    worker = db.session.get(User, people["worker"].id)
    worker.name = "张晓梅（改）"
    db.session.commit()
    assert version(competition) > frozen
    assert "张晓梅（改）" in dict(board(client, competition))


def test_a_started_attempt_and_other_people_s_edits_leave_the_version_alone(client, competition, login, people):
    as_user(client, login, "worker")
    before = warm(client, competition)
    token = csrf_from(client, f"/compete/{competition.id}")
    client.post(f"/compete/{competition.id}/rounds/{competition.rounds[0].id}/start", data={"csrf_token": token})
    outsider = db.session.get(User, people["other_worker"].id)
    outsider.name = "周婷（改）"
    db.session.commit()
    assert version(competition) == before
    assert cached(competition).version == before  # still served: nothing on the board changed


# --- the freeze through the cache -------------------------------------------------------------------

def test_the_public_board_after_the_freeze_never_comes_from_the_live_cache(client, competition, login):
    """The live board, cached by the organizer after a result that came after the freeze, is not what the
    public gets: they get the frozen board, cut at the freeze, from its own row."""
    competition.freeze_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    as_user(client, login, "organizer")
    assert ("张晓梅", "50.0") in board(client, competition)  # the truth, now cached as 'live'
    live = cached(competition)
    assert live is not None and live.version == version(competition)
    assert ("张晓梅", "0.0") in board(client, competition, "?public=1")
    as_user(client, login, "worker")
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'id="frozen"' in page and ("张晓梅", "0.0") in rows(page) and "50.0" not in page
    assert cached(competition, boardcache.FROZEN) is not None


def test_the_clock_passing_the_freeze_switches_the_public_to_the_frozen_board(client, competition, login, people):
    """No write happens at the freeze: a board cached before it must not be shown after it. Results of
    before the freeze stay on the public board, those of after it do not, whichever board was cached."""
    freeze = utcnow() + timedelta(minutes=30)
    competition.freeze_at = freeze
    quiz, practical = competition.rounds
    worker, mentor = entry_of(people, "worker"), entry_of(people, "mentor")
    db.session.add(RoundResult(round_id=quiz.id, entry_id=worker.id, score=80.0, finished_at=freeze - timedelta(minutes=5)))
    db.session.add(RoundResult(round_id=quiz.id, entry_id=mentor.id, score=90.0, finished_at=freeze + timedelta(minutes=5)))
    db.session.commit()
    db.session.refresh(competition)
    before = service.leaderboard(competition, truth=False, now=freeze - timedelta(minutes=1))
    assert not before.frozen and {s.entry.name: s.total for s in before.overall} == {"张晓梅": 40.0, "李建国": 45.0}
    assert cached(competition, boardcache.LIVE) is not None
    after = service.leaderboard(competition, truth=False, now=freeze + timedelta(minutes=10))
    assert after.frozen and {s.entry.name: s.total for s in after.overall} == {"张晓梅": 40.0, "李建国": 0.0}
    assert after.prizes == {} and after.awards is None
    again = service.leaderboard(competition, truth=False, now=freeze + timedelta(minutes=11))  # from the cache
    assert {s.entry.name: s.total for s in again.overall} == {"张晓梅": 40.0, "李建国": 0.0}
    truth = service.leaderboard(competition, truth=True, now=freeze + timedelta(minutes=10))
    assert {s.entry.name: s.total for s in truth.overall} == {"张晓梅": 40.0, "李建国": 45.0}


def test_a_frozen_row_cut_at_another_freeze_time_is_not_used(competition, people):
    freeze = utcnow() - timedelta(minutes=30)
    competition.freeze_at = freeze
    db.session.add(RoundResult(round_id=competition.rounds[0].id, entry_id=entry_of(people, "worker").id,
                               score=80.0, finished_at=freeze - timedelta(minutes=5)))
    db.session.commit()
    service.leaderboard(competition, truth=False)
    row = cached(competition, boardcache.FROZEN)
    data = dict(row.board, freeze_at=(freeze + timedelta(hours=1)).isoformat())
    basis, _ = boardcache.lookup(competition.id, boardcache.FROZEN)
    assert service.board_from_data(row.board, boardcache.FROZEN, basis) is not None
    assert service.board_from_data(data, boardcache.FROZEN, basis) is None


# --- the cached board is the computed board ----------------------------------------------------------

def test_the_cached_board_equals_the_computed_board(client, competition, login, people, make_user, areas):
    quiz, practical = competition.rounds
    for i in range(12):
        person = make_user(f"c{i}", ("worker",), areas["grid1"])
        entry = Entry(competition_id=competition.id, user_id=person.id, bracket_id=competition.brackets[i % 2].id)
        db.session.add(entry)
        db.session.flush()
        db.session.add(RoundResult(round_id=quiz.id, entry_id=entry.id, score=[55.0, 66.66666666666667, 100.0][i % 3],
                                   finished_at=utcnow() - timedelta(minutes=i % 4),
                                   indicator_scores={"policy.accuracy": 70.0 + i, "comm.residents": 65.0}))
        if i % 2:
            db.session.add(RoundResult(round_id=practical.id, entry_id=entry.id, score=72.5, finished_at=utcnow(),
                                       indicator_scores={"comm.residents": 60.0 + i}))
    competition.freeze_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    for truth in (True, False):
        computed_live = service._computed(competition, boardcache.LIVE, boardcache.lookup(competition.id, "live")[0])
        first = service.leaderboard(competition, truth=truth)  # computed and stored
        second = service.leaderboard(competition, truth=truth)  # from the cache
        same(first, second)
        if truth:
            same(second, computed_live)
            assert second.awards and second.prizes and second.brackets
    basis, data = boardcache.lookup(competition.id, boardcache.FROZEN)
    assert data is not None
    same(service.board_from_data(data, boardcache.FROZEN, basis), service._computed(competition, boardcache.FROZEN, basis))


def test_a_cached_page_makes_the_same_queries_at_two_sizes_and_reads_no_result(client, competition, login, make_user,
                                                                               areas):
    as_user(client, login, "organizer")
    url = f"/compete/{competition.id}/leaderboard"
    counts = []
    for extra in (0, 30):
        for i in range(extra):
            person = make_user(f"q{i}", ("worker",), areas["grid1"])
            entry = Entry(competition_id=competition.id, user_id=person.id)
            db.session.add(entry)
            db.session.flush()
            db.session.add(RoundResult(round_id=competition.rounds[0].id, entry_id=entry.id, score=40.0 + i,
                                       finished_at=utcnow(), indicator_scores={"handling.emergency": 60.0}))
        db.session.commit()
        client.get(url)  # computes and stores
        statements = []
        with count_queries() as counter:
            from sqlalchemy import event

            listener = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert client.get(url).status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(counter["n"])
        assert not [s for s in statements if "round_result" in s], statements
        assert not [s for s in statements if "leaderboard_cache" in s and "INSERT" in s.upper()]
    assert counts[0] == counts[1], counts


# --- parallel requests and several processes ---------------------------------------------------------

def test_parallel_requests_on_a_cold_cache_store_one_right_board(client, competition, login, people, server):  # noqa: F811
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    organizer = log_in(server, "organizer")
    path = f"/compete/{competition.id}/leaderboard"
    db.session.execute(LeaderboardCache.__table__.delete())
    db.session.commit()
    results = fire([lambda b=organizer.copy(): b.get(path) for _ in range(PARALLEL)])
    assert all(not isinstance(r, Exception) and r[0] == 200 for r in results), results[:3]
    boards = {tuple(rows(r[2])) for r in results}
    assert boards == {(("张晓梅", "50.0"), ("李建国", "0.0"))}
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LeaderboardCache)) == 1
    row = cached(competition)
    basis, _ = boardcache.lookup(competition.id, boardcache.LIVE)
    assert row.version == basis.version
    same(service.board_from_data(row.board, boardcache.LIVE, basis),
         service._computed(competition, boardcache.LIVE, basis))


def test_parallel_requests_on_a_stale_board_compute_it_once_on_postgresql(client, competition, login, server,  # noqa: F811
                                                                         monkeypatch):
    """PostgreSQL: one request claims the computation (an advisory lock), the others wait for its board
    instead of computing their own (on SQLite, one host, each computes; see the test above)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    computed = []
    original = service._computed

    def counting(*args, **kwargs):  # as slow as a board of thousands, so that the requests overlap
        computed.append(threading.get_ident())
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "_computed", counting)
    organizer = log_in(server, "organizer")
    path = f"/compete/{competition.id}/leaderboard"
    results = fire([lambda b=organizer.copy(): b.get(path) for _ in range(PARALLEL)])
    assert all(not isinstance(r, Exception) and r[0] == 200 for r in results), results[:3]
    assert {tuple(rows(r[2])) for r in results} == {(("张晓梅", "50.0"), ("李建国", "0.0"))}
    assert 1 <= len(computed) <= 2, len(computed)  # 20 without the claim; 2 only if a waiter gave up


def test_parallel_readers_while_results_arrive_never_keep_an_old_board(client, competition, login, people, make_user,
                                                                       areas, server):  # noqa: F811
    """Readers on a cold cache race writers committing new results: whatever was stored under the
    current version is the board computed now."""
    quiz = competition.rounds[0]
    entries = []
    for i in range(8):
        person = make_user(f"r{i}", ("worker",), areas["grid1"])
        entries.append(Entry(competition_id=competition.id, user_id=person.id))
    db.session.add_all(entries)
    db.session.commit()
    entry_ids, quiz_id = [e.id for e in entries], quiz.id
    organizer = log_in(server, "organizer")
    path = f"/compete/{competition.id}/leaderboard"
    from flask import current_app

    app = current_app._get_current_object()

    def write(entry_id, score):
        def run():
            with app.app_context():
                db.session.add(RoundResult(round_id=quiz_id, entry_id=entry_id, score=score, finished_at=utcnow()))
                db.session.commit()
                db.session.remove()
            return (200, {}, "")
        return run

    calls = [lambda b=organizer.copy(): b.get(path) for _ in range(PARALLEL - len(entry_ids))]
    calls += [write(entry_id, 10.0 * (n + 1)) for n, entry_id in enumerate(entry_ids)]
    results = fire(calls)
    assert all(not isinstance(r, Exception) and r[0] == 200 for r in results), [r for r in results if isinstance(r, Exception)][:3]
    organizer.get(path)  # one more reader after the last write
    db.session.expire_all()
    basis, data = boardcache.lookup(competition.id, boardcache.LIVE)
    assert data is not None, "the last reader stored the board of the current version"
    got = service.board_from_data(data, boardcache.LIVE, basis)
    same(got, service._computed(competition, boardcache.LIVE, basis))
    assert sum(1 for s in got.overall if s.total > 0) == len(entry_ids)


#: An app process (as a gunicorn worker on another host would be): per line of input, "board" prints the
#: organizer's board of the competition as [name, total] pairs and whether it came from the cache;
#: "score ENTRY ROUND SCORE" writes a round result; "rename USER NAME" renames a person.
WORKER = """
import json, sys
from app import create_app
from app.compete import boardcache, service
from app.extensions import db
from app.models import Competition, RoundResult, User
from app.models.base import utcnow
app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1])
with app.app_context():
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[0] == "board":
            competition = db.session.get(Competition, int(words[1]))
            hit = boardcache.lookup(competition.id, boardcache.LIVE)[1] is not None
            board = service.leaderboard(competition, truth=True)
            print(json.dumps({"hit": hit, "rows": [[s.entry.name, s.total] for s in board.overall]}), flush=True)
        elif words[0] == "score":
            db.session.add(RoundResult(round_id=int(words[2]), entry_id=int(words[1]), score=float(words[3]),
                                       finished_at=utcnow()))
            db.session.commit()
            print("{}", flush=True)
        elif words[0] == "rename":
            db.session.get(User, int(words[1])).name = words[2]
            db.session.commit()
            print("{}", flush=True)
        db.session.remove()
"""


class Worker(AppProcess):
    def __init__(self, url: str):
        super().__init__(WORKER, url)


def test_two_processes_see_each_other_s_changes_at_their_next_request(app, competition, people, database_url):
    comp, quiz = competition.id, competition.rounds[0].id
    worker, mentor = entry_of(people, "worker").id, entry_of(people, "mentor").id
    db.session.commit()
    first, second = Worker(database_url), Worker(database_url)
    try:
        shown = first.ask(f"board {comp}")
        assert not shown["hit"] and sorted(shown["rows"]) == [["张晓梅", 0.0], ["李建国", 0.0]]
        again = second.ask(f"board {comp}")
        assert again == {"hit": True, "rows": shown["rows"]}  # the board the first process stored
        second.ask(f"score {worker} {quiz} 90")
        shown = first.ask(f"board {comp}")
        assert not shown["hit"] and shown["rows"][0] == ["张晓梅", 45.0]
        first.ask(f"score {mentor} {quiz} 100")
        first.ask(f"rename {people['mentor'].id} 李建国师傅")
        shown = second.ask(f"board {comp}")
        assert not shown["hit"] and shown["rows"] == [["李建国师傅", 50.0], ["张晓梅", 45.0]]
        assert first.ask(f"board {comp}") == {"hit": True, "rows": shown["rows"]}
    finally:
        first.stop()
        second.stop()
