"""Drill attempts stay honest (issue 11, items 1 and 5).

Nothing in a play page tells the key: the choices come in an order of the attempt's own (the same on
every reload), under tokens that mean nothing outside the attempt, and no choice id reaches the page
or the debrief. Moves are atomic under parallel requests fired with threads at a live server: twenty
copies of a move, twenty different moves, twenty moves that end the drill, twenty steps back or
timeouts advance the attempt exactly one step, and an ending writes its evidence and sends
``drill_finished`` once. These run on SQLite and (marked ``db``) on PostgreSQL.
"""
from __future__ import annotations

import re
from functools import partial

import pytest
from sqlalchemy import func, select

from app.drill import engine, service
from app.drill import tokens as drill_tokens
from app.extensions import db
from app.models import DrillAttempt, DrillStep, EvidenceRecord
from app.models.base import utcnow
from tests.conftest import csrf_from, per_request_removed
from tests.views.test_quiz_integrity import Browser, fire, fresh, log_in

PARALLEL = 20
DRILL = "gas-leak"


def choice_ids(attempt: DrillAttempt, node_id: str | None = None) -> list[str]:
    drill = service.drill_of(attempt.drill_version)
    return [c.id for c in drill.nodes[node_id or service.state_of(attempt).node].choices]


def buttons(page: str) -> list[str]:
    """The values the play page's choice buttons post, in page order."""
    return re.findall(r'<button class="button choice" name="choice" value="([^"]*)"', page)


@pytest.fixture
def server(live_server):
    """The session's live server (tests/conftest.py): its base URL."""
    return live_server


# --- nothing in a page tells the key -----------------------------------------------------------

@pytest.fixture
def begin(client, content, people, login):
    def do(user="worker", mode="assessed", drill=DRILL):
        if client.get("/drills").status_code != 200:
            login(user)
        response = client.post(f"/drills/{drill}/start", data={"csrf_token": csrf_from(client, "/drills"),
                                                               "mode": mode})
        return db.session.get(DrillAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))

    return do


def test_the_play_page_names_no_choice_and_keeps_its_order_on_reload(client, begin, app):
    attempt = begin()
    page = client.get(f"/drills/attempts/{attempt.id}").get_data(as_text=True)
    ids = choice_ids(attempt)
    assert [i for i in ids if i in page] == []  # not as a value, an attribute, or anywhere else
    order = drill_tokens.ordered(app.config["SECRET_KEY"], attempt.id, "arrive", ids)
    assert buttons(page) == [service.token_of(attempt, c) for c in order]
    reload = client.get(f"/drills/attempts/{attempt.id}").get_data(as_text=True)
    assert per_request_removed(reload) == per_request_removed(page)  # a reload: the same
    texts = {c.id: c.text for c in service.drill_of(attempt.drill_version).nodes["arrive"].choices}
    assert [t for t in re.findall(r'name="choice" value="[^"]*">([^<]*)</button>', page)] == [texts[c] for c in order]


def test_each_attempt_has_its_own_order_and_tokens(client, begin):
    attempts = [begin() for _n in range(8)]
    pages = [client.get(f"/drills/attempts/{a.id}").get_data(as_text=True) for a in attempts]
    firsts = {re.search(r'name="choice" value="[^"]*">([^<]*)</button>', p).group(1) for p in pages}
    assert len(firsts) > 1  # the first button is not always the same choice
    seen = [set(buttons(p)) for p in pages]
    assert all(a.isdisjoint(b) for i, a in enumerate(seen) for b in seen[i + 1:])


def test_ids_unknown_tokens_and_another_attempts_tokens_are_refused(client, begin):
    attempt, other = begin(), begin()
    forged = ["withdraw-call",  # a choice id, as the old pages sent
              service.token_of(other, "withdraw-call"),  # another attempt's token for the same choice
              service.token_of(attempt, "shout-stop", node_id="window"),  # this attempt's token of another node
              "", "x" * 10]
    for value in forged:
        page = client.post(f"/drills/attempts/{attempt.id}/choose", follow_redirects=True,
                           data={"csrf_token": csrf_from(client, "/drills"), "choice": value, "step": 0})
        assert "不提供这个选项" in page.get_data(as_text=True) or "not offered" in page.get_data(as_text=True)
        attempt = fresh(DrillAttempt, attempt.id)
        assert (attempt.step_count, attempt.state["node"], len(attempt.steps)) == (0, "arrive", 0)


def test_the_debrief_shows_choice_texts_but_no_choice_ids(client, begin):
    attempt = begin()
    _bounds, best = service.analysis(attempt.drill_version)
    for node_id, choice_id in best:
        page = client.get(f"/drills/attempts/{attempt.id}").get_data(as_text=True)
        assert [i for i in choice_ids(attempt, node_id) if i in page] == []
        client.post(f"/drills/attempts/{attempt.id}/choose", data={
            "csrf_token": csrf_from(client, "/drills"), "choice": service.token_of(attempt, choice_id),
            "step": attempt.step_count})
        attempt = fresh(DrillAttempt, attempt.id)
    assert attempt.outcome == "success"
    page = client.get(f"/drills/attempts/{attempt.id}/result").get_data(as_text=True)
    drill = service.drill_of(attempt.drill_version)
    all_ids = {c.id for n in drill.nodes.values() for c in n.choices}
    assert all("-" in i for i in all_ids)  # none is a plain word such a page holds anyway ("post")
    assert [i for i in all_ids if i in page] == []
    texts = service.choice_texts(drill)
    assert all(texts[step] in page for step in best)


# --- moves are atomic under parallel requests -------------------------------------------------

def started(browser: Browser, mode: str = "assessed", drill: str = DRILL) -> int:
    status, headers, _ = browser.post(f"/drills/{drill}/start", {"csrf_token": browser.csrf("/drills"), "mode": mode})
    assert status == 302, status
    return int(re.search(r"/attempts/(\d+)$", headers["Location"]).group(1))


def post_move(browser: Browser, attempt_id: int, form: dict, path: str = "choose") -> int:
    return browser.post(f"/drills/attempts/{attempt_id}/{path}", form)[0]


def step_rows(attempt_id: int) -> list[DrillStep]:
    db.session.expire_all()
    return db.session.scalars(select(DrillStep).where(DrillStep.attempt_id == attempt_id)
                              .order_by(DrillStep.seq)).all()


def test_twenty_copies_of_a_move_take_one_step(server, content, people):
    browser = log_in(server, "worker")
    attempt_id = started(browser)
    attempt = fresh(DrillAttempt, attempt_id)
    form = {"csrf_token": browser.csrf("/drills"), "step": 0, "choice": service.token_of(attempt, "withdraw-call")}
    results = fire([partial(post_move, browser.copy(), attempt_id, form) for _ in range(PARALLEL)])
    assert results == [302] * PARALLEL, results
    attempt = fresh(DrillAttempt, attempt_id)
    assert (attempt.step_count, attempt.state["node"]) == (1, "called")
    assert [(s.seq, s.node_id, s.choice_id) for s in step_rows(attempt_id)] == [(1, "arrive", "withdraw-call")]


def test_twenty_different_moves_take_one_step(server, content, people):
    browser = log_in(server, "worker")
    attempt_id = started(browser)
    attempt = fresh(DrillAttempt, attempt_id)
    csrf, ids = browser.csrf("/drills"), choice_ids(attempt)
    forms = [{"csrf_token": csrf, "step": 0, "choice": service.token_of(attempt, ids[n % len(ids)])}
             for n in range(PARALLEL)]
    results = fire([partial(post_move, browser.copy(), attempt_id, form) for form in forms])
    assert results == [302] * PARALLEL, results
    steps = step_rows(attempt_id)
    attempt = fresh(DrillAttempt, attempt_id)
    assert len(steps) == 1 and attempt.step_count == 1
    drill = service.drill_of(attempt.drill_version)
    assert attempt.state == engine.choose(drill, engine.initial_state(drill), steps[0].choice_id).state.to_dict()


def test_twenty_moves_that_end_the_drill_finish_it_once(server, content, people):
    from app import signals

    browser = log_in(server, "worker")
    attempt_id = started(browser)
    attempt = fresh(DrillAttempt, attempt_id)
    _bounds, best = service.analysis(attempt.drill_version)
    csrf = browser.csrf("/drills")
    for step, (_node, choice) in enumerate(best[:-1]):
        attempt = fresh(DrillAttempt, attempt_id)
        assert post_move(browser, attempt_id, {"csrf_token": csrf, "step": step,
                                               "choice": service.token_of(attempt, choice)}) == 302
    attempt = fresh(DrillAttempt, attempt_id)
    last_node, _last_choice = best[-1]
    assert attempt.state["node"] == last_node and attempt.finished_at is None
    ids = choice_ids(attempt)  # every choice here ends the drill, well or badly
    forms = [{"csrf_token": csrf, "step": len(best) - 1, "choice": service.token_of(attempt, ids[n % len(ids)])}
             for n in range(PARALLEL)]
    sent = []

    def receiver(sender, **_kwargs):
        sent.append(sender.id)

    signals.drill_finished.connect(receiver)
    try:
        results = fire([partial(post_move, browser.copy(), attempt_id, form) for form in forms])
    finally:
        signals.drill_finished.disconnect(receiver)
    assert results == [302] * PARALLEL, results
    assert sent == [attempt_id]  # finished and announced once
    attempt = fresh(DrillAttempt, attempt_id)
    assert attempt.finished_at is not None and attempt.step_count == len(best) == len(step_rows(attempt_id))
    bounds, _best = service.analysis(attempt.drill_version)
    endings = db.session.scalar(select(func.count(EvidenceRecord.id))
                                .where(EvidenceRecord.source_kind == "drill_ending"))
    assert endings == len(engine.outcome_shares({}, bounds)[0])  # one record per indicator, once
    twice = db.session.execute(select(EvidenceRecord.source_kind, EvidenceRecord.source_id, EvidenceRecord.indicator)
                               .group_by(EvidenceRecord.source_kind, EvidenceRecord.source_id,
                                         EvidenceRecord.indicator)
                               .having(func.count(EvidenceRecord.id) > 1)).all()
    assert twice == []  # no decision or ending written twice
    assert db.session.scalar(select(func.count(EvidenceRecord.id))
                             .where(EvidenceRecord.source_kind == "drill_decision")) > 0


def test_twenty_steps_back_undo_one_step(server, content, people):
    browser = log_in(server, "worker")
    attempt_id = started(browser, mode="practice")
    attempt = fresh(DrillAttempt, attempt_id)
    csrf = browser.csrf("/drills")
    assert post_move(browser, attempt_id, {"csrf_token": csrf, "step": 0,
                                           "choice": service.token_of(attempt, "withdraw-call")}) == 302
    results = fire([partial(post_move, browser.copy(), attempt_id, {"csrf_token": csrf, "step": 1}, "back")
                    for _ in range(PARALLEL)])
    assert results == [302] * PARALLEL, results
    attempt = fresh(DrillAttempt, attempt_id)
    assert (attempt.step_count, attempt.state["node"], attempt.just_undone) == (2, "arrive", True)
    assert [s.undone for s in step_rows(attempt_id)] == [True]


def test_twenty_timeouts_take_the_timeout_path_once(server, content, people):
    from datetime import timedelta

    browser = log_in(server, "worker")
    attempt_id = started(browser)
    attempt = fresh(DrillAttempt, attempt_id)
    attempt.deadline = utcnow() - timedelta(seconds=30)
    db.session.commit()
    csrf = browser.csrf("/drills")
    calls = [partial(post_move, browser.copy(), attempt_id, {"csrf_token": csrf, "step": 0}, "timeout")
             for _ in range(PARALLEL // 2)]
    calls += [partial(lambda b: b.get(f"/drills/attempts/{attempt_id}")[0], browser.copy())  # the page expires it
              for _ in range(PARALLEL // 2)]
    results = fire(calls)
    assert set(results) <= {200, 302}, results
    steps = step_rows(attempt_id)
    assert [(s.node_id, s.timed_out) for s in steps] == [("arrive", True)]
    assert fresh(DrillAttempt, attempt_id).step_count == 1
