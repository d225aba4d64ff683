"""Shared fixtures and helpers of the knowledge base tests (imported by tests/views/test_kb*.py, the
authorization table and the browser test): the shipped knowledge synced into the database."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def kb_knowledge(app, content_report):
    """The shipped knowledge/ folder, read and checked once per session."""
    from app.kb.sync import check_knowledge

    knowledge, errors = check_knowledge(app.config["KNOWLEDGE_DIR"], {i for i in _indicator_ids(app)},
                                        content_report.courses, app.config["SCENARIOS_DIR"], content_report.register)
    assert not errors, errors
    return knowledge


def _indicator_ids(app):
    from pathlib import Path

    from app.content.courses import indicators_by_id

    return set(indicators_by_id(Path(app.config["CONTENT_DIR"])))


@pytest.fixture
def kb(app, content, kb_knowledge):
    """The knowledge base synced and the search index built (on top of the shipped courses)."""
    from app.extensions import db
    from app.kb.sync import load_knowledge_base

    load_knowledge_base(kb_knowledge)
    db.session.commit()
    return kb_knowledge


def pair(mentor, mentee, days: int = 120):
    """An active mentorship (committed)."""
    from datetime import timedelta

    from app.clock import local_today
    from app.extensions import db
    from app.models import Mentorship

    pairing = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, start_date=local_today() - timedelta(days=1),
                         planned_end=local_today() + timedelta(days=days), status="active")
    db.session.add(pairing)
    db.session.commit()
    return pairing


def visitor(app, username: str):
    """A new test client logged in as ``username`` (use after the ``client`` fixture set the client class)."""
    from tests.conftest import PASSWORD, csrf_from

    browser = app.test_client()
    response = browser.post("/login", data={"username": username, "password": PASSWORD,
                                            "csrf_token": csrf_from(browser, "/login")})
    assert response.status_code == 302 and not response.headers["Location"].startswith("/login"), username
    return browser


def sync_knowledge_base(app) -> None:
    """Check and load the shipped knowledge/ folder (and build the index); committed."""
    from pathlib import Path

    from app.content.courses import load_competency_model, load_courses
    from app.extensions import db
    from app.kb.sync import check_knowledge, load_knowledge_base

    indicators, _errors = load_competency_model(Path(app.config["CONTENT_DIR"]))
    ids = {i.id for i in indicators}
    courses, _errors = load_courses(Path(app.config["CONTENT_DIR"]), ids)
    knowledge, errors = check_knowledge(app.config["KNOWLEDGE_DIR"], ids, courses, app.config["SCENARIOS_DIR"])
    assert not errors, errors
    load_knowledge_base(knowledge)
    db.session.commit()


def kb_objects(app, worker) -> dict:
    """For the authorization table: the knowledge base synced, and through the views of ``worker`` (a
    logged-in test client of a worker who has a mentor) a question sent to the mentor, a case sent for
    review and a draft case. Returns their ids (and an entry's slug) by name."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import CaseSubmission, KbQuestion
    from tests.conftest import csrf_from

    sync_knowledge_base(app)
    token = csrf_from(worker, "/kb/assistant")
    worker.post("/kb/assistant", data={"csrf_token": token, "question": "社保卡丢了去哪补办"})
    question = db.session.scalar(select(KbQuestion.id).order_by(KbQuestion.id.desc()))
    worker.post(f"/kb/questions/{question}/send", data={"csrf_token": token})
    parts = {"description": "居民反映楼道堆放杂物堵塞通道。", "handling": "网格员上门劝导，联系物业清理，事后复查。",
             "lessons_learned": "劝导时先讲安全，不替居民处理财物。", "feedback": "居民自行清理了杂物，表示理解。"}
    for action in ("submit", "save"):
        worker.post("/kb/cases/new", data={"csrf_token": token, "title": f"楼道堆物劝导（{action}）", "category": "civilized-city",
                                           "indicators": ["comm.residents"], "action": action, **parts})
    cases = dict(db.session.execute(select(CaseSubmission.status, CaseSubmission.id)).all())
    return {"kb_entry": "dibao-apply", "kb_question": question, "kb_case": cases["submitted"],
            "kb_draft": cases["draft"]}
