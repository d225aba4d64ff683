"""A blind learner: someone who never reads a question and clicks by position or by form value.

Every shipped quiz (the course tests, the emergency practice and 每日一练) is taken through the HTTP
interface, reading only what the page sends, with two strategies:

- ``first``: the first option shown on the page (for true/false the first button, for multiple
  choice the first option alone), and the blank left empty;
- ``lowest``: the option whose form value sorts lowest (likewise alone for multiple choice), and the
  blank left empty.

The mean score per strategy over all quizzes must stay at or below ``QUIZ_LIMIT`` (issue 11, item 8):
a page that told the key by position or by value would let it score far higher. The figures are
kept in ``BLIND_FIGURES`` (kind → strategy → mean percent) and printed in the assertion message.

Every shipped drill (``scenarios/*.yaml``) is played in assessed mode through the HTTP interface,
reading only the play page's choice buttons, never the text, and never letting the clock run out:

- ``first``: the first choice shown at every decision;
- ``last``: the last choice shown;
- ``random-1`` … ``random-3``: a choice drawn at random (a fixed seed per run).

Each strategy may end at most ``DRILL_LIMIT`` drills in success (issue 11, item 8): a page that
showed the best choice first (or last) would let it succeed nearly everywhere. The figures are kept
in ``BLIND_FIGURES["drill"]`` (strategy → mean outcome share in percent, the play's total over the
drill's indicators as a share of the possible) and ``BLIND_FIGURES["drill successes"]`` (strategy →
drills ended in success), and printed in the assertion message.
"""
from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.drill import engine
from app.drill import service as drills
from app.extensions import db
from app.models import DrillAttempt, Quiz, QuizAttempt
from tests.conftest import ROOT, csrf_from

#: The highest mean quiz score (percent) a blind strategy may reach.
QUIZ_LIMIT = 40.0
#: The most drills a blind strategy may end in success.
DRILL_LIMIT = 1
#: Runs of the random drill strategy, each with its own seed.
RANDOM_RUNS = 3
#: The seed of every random choice the tests make (and of the attempts' shuffles), so runs agree.
SEED = 20261129
#: kind ("quiz", "drill") → strategy → mean score in percent, filled in as the tests run.
BLIND_FIGURES: dict[str, dict[str, float]] = {}


def as_learner(client, make_user, areas, username: str):
    """A fresh worker ``username`` (in 第一网格), logged in on ``client`` (whoever was logged in before)."""
    from tests.conftest import PASSWORD

    user = make_user(username, ("worker",), areas["grid1"])
    client.delete_cookie("session")
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf_token": csrf_from(client, "/login")})
    return user


class _Form(HTMLParser):
    """The inputs of the quiz form (``#quiz-form``): hidden fields and each question's inputs in page order."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.hidden: list[tuple[str, str]] = []
        self.questions: dict[str, list[dict]] = {}  # field name → inputs in page order

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "quiz-form":
            self.inside = True
        elif tag == "input" and self.inside:
            name, kind = attrs.get("name") or "", attrs.get("type") or "text"
            if kind == "hidden":
                self.hidden.append((name, attrs.get("value") or ""))
            elif name.startswith("q-"):
                self.questions.setdefault(name, []).append({"type": kind, "value": attrs.get("value")})

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def choose(inputs: list[dict], strategy: str):
    """What the strategy sends for one question: one option value, or "" for a blank."""
    if inputs[0]["type"] == "text":
        return ""
    values = [i["value"] for i in inputs]
    return values[0] if strategy == "first" else min(values)


def take_blind(client, slug: str, strategy: str) -> float:
    """Start ``slug``, answer every question by ``strategy`` from the page alone, submit; the score."""
    token = csrf_from(client, "/quizzes")
    response = client.post(f"/quizzes/{slug}/start", data={"csrf_token": token})
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"], slug
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    form = _Form()
    form.feed(client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True))
    assert form.questions, f"{slug}: no questions on the page"
    data = [*form.hidden, *((name, choose(inputs, strategy)) for name, inputs in form.questions.items())]
    client.post(f"/quizzes/attempts/{attempt_id}/submit", data=MultiDict(data))
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.submitted_at is not None, f"{slug}: the blind submission was refused"
    return attempt.score


@pytest.fixture
def seeded(monkeypatch):
    """Attempts shuffled from a fixed sequence of seeds, and 每日一练 drawn as on one fixed day (its
    questions are picked by person and day), so the figures are the same on every run."""
    from app.quiz import service

    rng = random.Random(SEED)
    monkeypatch.setattr(service, "attempt_seed", lambda: f"{rng.getrandbits(64):016x}")
    monkeypatch.setattr(service, "local_day", lambda moment, tz=None: "2026-11-29")


def test_a_blind_learner_scores_no_better_than_chance_on_quizzes(client, content, areas, make_user, seeded):
    slugs = db.session.scalars(select(Quiz.slug).where(Quiz.active, Quiz.kind != "competition")
                               .order_by(Quiz.slug)).all()
    assert len(slugs) >= 10
    per_quiz: dict[str, dict[str, float]] = {}
    for strategy in ("first", "lowest"):
        as_learner(client, make_user, areas, f"blind-{strategy}")
        for slug in slugs:
            per_quiz.setdefault(slug, {})[strategy] = take_blind(client, slug, strategy)
        BLIND_FIGURES.setdefault("quiz", {})[strategy] = round(
            sum(scores[strategy] for scores in per_quiz.values()) / len(per_quiz), 1)
    figures = BLIND_FIGURES["quiz"]
    table = "\n".join(f"  {slug}: first {s['first']:.0f}%, lowest {s['lowest']:.0f}%" for slug, s in per_quiz.items())
    message = (f"blind quiz means over {len(slugs)} quizzes: first option shown {figures['first']}%, "
               f"lowest option value {figures['lowest']}% (limit {QUIZ_LIMIT}%)\n{table}")
    print(message)
    assert all(mean <= QUIZ_LIMIT for mean in figures.values()), message


# --- the drill half ----------------------------------------------------------------------------

class _Choices(HTMLParser):
    """The choice forms of a drill's play page in page order: (action, fields the form posts)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.current: tuple[str, list[tuple[str, str]]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("action") or "").endswith("/choose"):
            self.current = (attrs["action"], [])
        elif self.current is not None and tag in ("input", "button") and attrs.get("name"):
            self.current[1].append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form" and self.current is not None:
            self.forms.append(self.current)
            self.current = None


def play_blind(client, drill_id: str, pick) -> DrillAttempt:
    """Start ``drill_id`` in assessed mode and, at every decision, post the choice form that
    ``pick(number of choices)`` points at, until the drill ends; the finished attempt."""
    response = client.post(f"/drills/{drill_id}/start",
                           data={"csrf_token": csrf_from(client, "/drills"), "mode": "assessed"})
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"], drill_id
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    for _decision in range(100):
        page = client.get(f"/drills/attempts/{attempt_id}")
        if page.status_code == 302:  # finished: the play page sends the learner to the debrief
            break
        parser = _Choices()
        parser.feed(page.get_data(as_text=True))
        assert parser.forms, f"{drill_id}: no choices on the page"
        action, fields = parser.forms[pick(len(parser.forms))]
        client.post(action, data=MultiDict(fields))
    attempt = db.session.get(DrillAttempt, attempt_id)
    assert attempt.finished_at is not None, f"{drill_id}: the blind play did not end"
    assert not any(step.timed_out for step in attempt.steps), f"{drill_id}: the clock ran out"
    return attempt


def outcome_share(attempt: DrillAttempt) -> float:
    """The play's total over the drill's indicators as a share (percent) of the possible."""
    bounds, _best = drills.analysis(attempt.drill_version)
    return engine.outcome_shares(drills.state_of(attempt).scores, bounds)[1]


def test_a_blind_learner_does_not_succeed_in_drills(client, content, areas, make_user):
    drill_ids = sorted(path.stem for path in (ROOT / "scenarios").glob("*.yaml"))
    assert len(drill_ids) == 8 and sorted(v.drill_id for v in drills.offered_drills()) == drill_ids
    strategies = {"first": lambda n: 0, "last": lambda n: n - 1}
    for run in range(1, RANDOM_RUNS + 1):
        strategies[f"random-{run}"] = random.Random(SEED + run).randrange
    outcomes: dict[str, dict[str, tuple[str, float]]] = {}
    for name, pick in strategies.items():
        as_learner(client, make_user, areas, f"blind-drill-{name}")
        for drill_id in drill_ids:
            attempt = play_blind(client, drill_id, pick)
            outcomes.setdefault(name, {})[drill_id] = (attempt.outcome, outcome_share(attempt))
    successes = {name: sum(outcome == "success" for outcome, _share in plays.values())
                 for name, plays in outcomes.items()}
    shares = {name: round(sum(share for _outcome, share in plays.values()) / len(plays), 1)
              for name, plays in outcomes.items()}
    BLIND_FIGURES["drill"] = shares
    BLIND_FIGURES["drill successes"] = {name: float(n) for name, n in successes.items()}
    summary = ", ".join(f"{name} {successes[name]}/{len(drill_ids)} in success (mean share {shares[name]}%)"
                        for name in outcomes)
    table = "\n".join(f"  {drill_id}: " + ", ".join(f"{name} {plays[drill_id][0]} {plays[drill_id][1]:.0f}%"
                                                    for name, plays in outcomes.items())
                      for drill_id in drill_ids)
    message = (f"blind drills in assessed mode: {summary} (limit {DRILL_LIMIT} per strategy)\n{table}")
    print(message)
    assert all(n <= DRILL_LIMIT for n in successes.values()), message
