"""Playing a drill through the views: the server is the referee for every forged or late request."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.drill import service
from app.extensions import db
from app.models import DrillAttempt, DrillStep, EvidenceRecord
from app.models.base import utcnow
from tests.conftest import csrf_from

#: The standard way with a strong smell: stay out, call 119 and the gas company from outside first, warn
#: residents from outside, stop the man at the window from sparking, cordon, hand over, 120, all-clear, report.
BEST = ["withdraw-call", "shout-warn", "shout-stop", "hold-line", "brief-full", "care-120", "wait-all-clear",
        "report-and-prevent"]
#: Going in with a strong smell (a red line), then doing everything else right.
INSIDE = ["knock-ventilate", "stop-him", "get-out-call", "hold-line", "brief-full", "care-120", "wait-all-clear",
          "report-and-prevent-gaps"]


@pytest.fixture
def start(client, content, people, login):
    """Log in as ``user`` and start the gas-leak drill; returns the attempt."""

    def do(user="worker", mode="practice"):
        login(user)
        token = csrf_from(client, "/drills")
        response = client.post("/drills/gas-leak/start", data={"csrf_token": token, "mode": mode})
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
        return db.session.get(DrillAttempt, attempt_id)

    return do


def token(attempt, choice):
    """The play page's token for ``choice`` at the attempt's current node (an id the node does not
    have is sent as it is: a forged form)."""
    try:
        return service.token_of(attempt, choice)
    except KeyError:
        return choice


def move(client, attempt, choice, step=None, path="choose"):
    """Post ``choice`` (a choice id, sent as the page's token for it) at the attempt's current step."""
    db.session.refresh(attempt)
    csrf = csrf_from(client, "/drills")
    return client.post(f"/drills/attempts/{attempt.id}/{path}",
                       data={"csrf_token": csrf, "choice": token(attempt, choice) if choice else "",
                             "step": attempt.step_count if step is None else step}, follow_redirects=True)


def test_play_page_has_no_answer_key(client, start):
    attempt = start()
    page = client.get(f"/drills/attempts/{attempt.id}").get_data(as_text=True)
    assert "withdraw-call" not in page and "bell-and-light" not in page  # no choice ids: tokens
    assert service.token_of(attempt, "withdraw-call") in page
    assert "开关接通的一瞬间" not in page and "score" not in page  # no feedback, no scores
    assert "red_line" not in page and "气味浓烈时进入泄漏区域" not in page  # no red-line marks
    assert 'id="countdown"' in page  # the first node is urgent


def test_forged_and_foreign_choices_are_refused(client, start):
    attempt = start()
    for forged in ("no-such-choice", "shout-stop"):  # unknown, and from another node
        page = move(client, attempt, forged).get_data(as_text=True)
        assert "不提供这个选项" in page or "not offered" in page
    db.session.refresh(attempt)
    assert attempt.step_count == 0 and attempt.state["node"] == "arrive"


def test_replayed_step_changes_nothing(client, start):
    attempt = start()
    move(client, attempt, "withdraw-call")
    page = move(client, attempt, "withdraw-call", step=0).get_data(as_text=True)
    assert "已过期" in page or "out of date" in page
    db.session.refresh(attempt)
    assert attempt.step_count == 1 and attempt.state["node"] == "called"


def test_late_choice_takes_the_timeout_path(client, start):
    attempt = start()
    attempt.deadline = utcnow() - timedelta(seconds=10)
    db.session.commit()
    move(client, attempt, "withdraw-call")
    db.session.refresh(attempt)
    step = db.session.scalar(select(DrillStep).where(DrillStep.attempt_id == attempt.id))
    assert step.timed_out and step.choice_id is None and attempt.state["node"] == "hesitate"


def test_timeout_request_before_the_deadline_changes_nothing(client, start):
    attempt = start()
    move(client, attempt, "", path="timeout")
    db.session.refresh(attempt)
    assert attempt.step_count == 0 and attempt.state["node"] == "arrive"


def test_someone_elses_attempt_is_not_found(client, start, login):
    attempt = start("worker")
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("mentor")
    assert client.get(f"/drills/attempts/{attempt.id}").status_code == 404
    assert client.get(f"/drills/attempts/{attempt.id}/result").status_code == 404
    response = client.post(f"/drills/attempts/{attempt.id}/choose", data={
        "csrf_token": csrf_from(client, "/drills"), "choice": token(attempt, "withdraw-call"), "step": 0})
    assert response.status_code == 404
    db.session.refresh(attempt)
    assert attempt.step_count == 0


def test_back_one_step_in_practice_only(client, start):
    attempt = start()
    move(client, attempt, "bell-and-light")
    move(client, attempt, "", path="back")
    db.session.refresh(attempt)
    assert attempt.state["node"] == "arrive" and attempt.just_undone
    page = move(client, attempt, "", path="back").get_data(as_text=True)  # twice in a row: refused
    assert attempt.state["node"] == "arrive"
    assert "一次只能" in page or "one step at a time" in page


# --- the play page's script (drill.js) posts with fetch and shows the next step in the page -------

IN_PAGE = {"X-Requested-With": "fetch"}


def fetch_move(client, attempt, choice, step=None, path="choose"):
    """What drill.js posts for ``choice`` (no redirect is followed: the answer is JSON)."""
    db.session.refresh(attempt)
    csrf = csrf_from(client, "/drills")
    return client.post(f"/drills/attempts/{attempt.id}/{path}", headers=IN_PAGE,
                       data={"csrf_token": csrf, "choice": token(attempt, choice) if choice else "",
                             "step": attempt.step_count if step is None else step})


def test_a_step_posted_by_the_page_script_answers_with_the_next_step(client, start):
    attempt = start()
    response = fetch_move(client, attempt, "withdraw-call")
    assert response.status_code == 200 and set(response.json) == {"html", "step"}
    html = response.json["html"]
    db.session.refresh(attempt)
    assert attempt.step_count == 1 and attempt.state["node"] == "called" and response.json["step"] == 1
    assert "第2步决策" in html and "上一步的结果" in html  # the next decision, after what the last one did
    assert f'name="step" value="1"' in html and 'name="step" value="0"' not in html  # forms of the new step
    next_tokens = [service.token_of(attempt, c.id) for c in
                   service.engine.available_choices(service.drill_of(attempt.drill_version), service.state_of(attempt))]
    assert next_tokens and all(t in html for t in next_tokens)
    assert "withdraw-call" not in html and "<html" not in html and "<script" not in html  # a fragment, no ids
    # The page's address stays the play page: a reload shows the same step and takes nothing again.
    page = client.get(f"/drills/attempts/{attempt.id}").get_data(as_text=True)
    assert "第2步决策" in page and all(t in page for t in next_tokens)
    db.session.refresh(attempt)
    assert attempt.step_count == 1
    assert db.session.scalar(select(func.count(DrillStep.id)).where(DrillStep.attempt_id == attempt.id)) == 1


def test_a_replayed_or_foreign_in_page_step_changes_nothing(client, start, login):
    attempt = start()
    fetch_move(client, attempt, "withdraw-call")
    replay = fetch_move(client, attempt, "withdraw-call", step=0)
    assert replay.json == {"location": f"/drills/attempts/{attempt.id}"}  # reload: the refusal is shown there
    assert "已过期" in client.get(replay.json["location"]).get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.step_count == 1
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("mentor")
    assert fetch_move(client, attempt, "shout-warn").status_code == 404
    db.session.refresh(attempt)
    assert attempt.step_count == 1


def test_in_page_steps_go_back_and_end_at_the_debrief(client, start):
    attempt = start()
    fetch_move(client, attempt, "bell-and-light")
    back = fetch_move(client, attempt, "", path="back")
    assert "已退回上一步" in back.json["html"] and "第1步决策" in back.json["html"]
    assert "上一步的结果" not in back.json["html"] and "back-step" not in back.json["html"]
    db.session.refresh(attempt)
    assert attempt.state["node"] == "arrive" and attempt.just_undone
    for n, choice in enumerate(BEST, start=1):
        reply = fetch_move(client, attempt, choice).json
        if n < len(BEST):
            assert f"第{n + 1}步决策" in reply["html"]
    assert reply == {"location": f"/drills/attempts/{attempt.id}/result"}
    db.session.refresh(attempt)
    assert attempt.finished_at is not None and attempt.outcome == "success"


def test_an_in_page_late_choice_shows_the_timeout(client, start):
    attempt = start()
    attempt.deadline = utcnow() - timedelta(seconds=10)
    db.session.commit()
    html = fetch_move(client, attempt, "withdraw-call").json["html"]
    assert "时间到：您没有及时决策" in html and 'class="flash flash-error"' in html
    db.session.refresh(attempt)
    assert attempt.state["node"] == "hesitate"
    assert "时间到" not in client.get(f"/drills/attempts/{attempt.id}").get_data(as_text=True)  # shown once


def test_assessed_mode_cannot_go_back(client, start):
    attempt = start(mode="assessed")
    move(client, attempt, "withdraw-call")
    move(client, attempt, "", path="back")
    db.session.refresh(attempt)
    assert attempt.state["node"] == "called"


def test_best_path_succeeds_with_evidence_and_debrief(client, start):
    attempt = start()
    for choice in BEST:
        page = move(client, attempt, choice).get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.outcome == "success" and attempt.finished_at is not None
    assert 'id="debrief"' in page and "<svg" in page
    evidence = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.user_id == attempt.user_id)).all()
    endings = [e for e in evidence if e.source_kind == "drill_ending"]
    scores = {e.indicator: e.score for e in endings}
    assert scores["handling.emergency"] == 100 and min(scores.values()) >= 80  # per-indicator maxima can conflict
    assert any(e.source_kind == "drill_decision" for e in evidence)
    assert 'id="red-lines"' not in page and "气味浓烈时进入泄漏区域" not in page  # no red line crossed
    assert move(client, attempt, "withdraw-call").status_code == 200  # after the end: refused
    assert db.session.scalar(select(func.count(DrillStep.id)).where(DrillStep.attempt_id == attempt.id)) == len(BEST)


def test_a_red_line_is_named_in_the_debrief_and_bars_success(client, start):
    """Going into the stairwell with a strong smell, then doing everything else right, is not success:
    the outcome line says a red line was crossed, and the debrief names the rule, the choice and why."""
    attempt = start()
    for choice in INSIDE:
        page = move(client, attempt, choice).get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.finished_at is not None and attempt.outcome == "partial"
    outcome = page[page.index('id="outcome"'):page.index('id="red-lines"')]
    assert "越过红线" in outcome or "Red line crossed" in outcome
    red = page[page.index('id="red-lines"'):page.index('id="debrief"')]
    assert red.count("<li>") == 1
    assert "气味浓烈时进入泄漏区域" in red  # the rule
    assert "不碰任何开关，推开楼道窗户通风，上三楼用手敲门提醒住户" in red  # the choice taken
    assert "由佩戴防护装备的消防员进去救" in red  # the choice's feedback explains it


def test_resume_after_leaving(client, start):
    attempt = start()
    move(client, attempt, "withdraw-call")
    page = client.get("/drills").get_data(as_text=True)
    assert f"/drills/attempts/{attempt.id}" in page
    assert "119接警员" in client.get(f"/drills/attempts/{attempt.id}").get_data(as_text=True)


def test_organizer_sees_analytics_of_their_area_only(client, start, login):
    attempt = start("worker")
    move(client, attempt, "bell-and-light")
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("organizer")
    page = client.get("/drills/gas-leak/map").get_data(as_text=True)
    assert "<svg" in page and 'id="wrong-first"' in page
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("linhu_org")
    page = client.get("/drills/gas-leak/map").get_data(as_text=True)
    assert 'id="wrong-first"' not in page


def test_graph_cli(runner, tmp_path):
    target = tmp_path / "gas.svg"
    result = runner.invoke(args=["drill", "graph", "gas-leak", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("<svg")
    assert runner.invoke(args=["drill", "graph", "nope"]).exit_code == 1


def test_the_service_refuses_another_persons_attempt(start, people):
    from app.refusal import Refusal

    attempt = start("worker")
    for move_ in (lambda: service.choose(people["mentor"], attempt, "withdraw-call", 0),
                  lambda: service.step_back(people["mentor"], attempt, 0),
                  lambda: service.time_out(people["mentor"], attempt, 0),
                  lambda: service.choose_form(people["mentor"], attempt, token(attempt, "withdraw-call"), 0)):
        with pytest.raises(Refusal):
            move_()
    assert attempt.step_count == 0 and attempt.state["node"] == "arrive"
