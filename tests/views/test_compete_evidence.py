"""Sealed means sealed for the evidence stream too: a competition paper's per-answer scores reach no
profile, Excel or xAPI export while the competition is unpublished, and are recorded when it publishes."""
from sqlalchemy import select

from app.extensions import db
from app.models import EvidenceRecord
from tests.views.test_compete import as_user, competition  # noqa: F401  (fixture)
from tests.views.test_compete_results import finished, publish  # noqa: F401  (fixture)


def kinds_of(user) -> list[str]:
    return sorted(db.session.scalars(select(EvidenceRecord.source_kind).where(EvidenceRecord.user_id == user.id)))


def test_paper_evidence_waits_for_publication(client, finished, login, people):
    worker = people["worker"]
    assert "quiz_answer" not in kinds_of(worker)  # judged practical evidence may exist, paper answers not
    token = as_user(client, login, "mentor")
    profile = client.get(f"/profile/{worker.id}").get_data(as_text=True)
    assert "/quizzes/attempts/" not in profile  # no link to a competition answer while sealed

    token = as_user(client, login, "organizer")
    assert "flash-error" not in publish(client, finished, token)
    answers = [k for k in kinds_of(worker) if k == "quiz_answer"]
    assert answers, "the paper's answers become evidence when the results are published"
    publish(client, finished, token)  # a second publication is refused and records nothing twice
    assert [k for k in kinds_of(worker) if k == "quiz_answer"] == answers
