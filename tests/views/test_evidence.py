"""The evidence hub: the only writer of evidence rows, fed by signals through registered sources.

A new source (here a wellbeing check that does not exist in the app) is one registration plus its
own code: its signal writes rows, the profile lists them with the source's label and link, Excel
names the source, and the xAPI export includes its statements.
"""
import io
import json

import pytest
from blinker import Namespace
from openpyxl import load_workbook
from sqlalchemy import select

from app import evidence
from app.extensions import db
from app.models import EvidenceRecord
from app.profile.xapi import build_statement, result, validate_statement

_test_signals = Namespace()
wellbeing_checked = _test_signals.signal("wellbeing-checked")

FEATURE_KINDS = {"quiz_answer", "drill_decision", "drill_ending", "mentor_observation", "competition_judging",
                 "course_completion"}


def test_every_feature_registers_the_kinds_it_writes(app):
    assert FEATURE_KINDS <= {source.kind for source in evidence.sources()}
    for source in evidence.sources():
        assert str(source.label) and source.kind not in str(source.label)


def test_an_unregistered_kind_is_refused(app_context, people):
    with pytest.raises(ValueError, match="not registered"):
        evidence.record_all("made_up", [evidence.Item(user_id=people["worker"].id, indicator="comm.residents",
                                                      score=50)])
    with pytest.raises(ValueError, match="out of 0-100"):
        evidence.record_all("quiz_answer", [evidence.Item(user_id=people["worker"].id, indicator="comm.residents",
                                                          score=101)])


def _wellbeing_statements(context):
    rows = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.source_kind == "wellbeing_check",
                                                           EvidenceRecord.user_id.in_(context.user_ids))).all()
    return [build_statement(context.config, actor=context.actors[r.user_id], verb_key="completed",
                            obj={"objectType": "Activity", "id": context.config.activity_id("wellbeing", r.id)},
                            timestamp=r.created_at, source_ref=f"wellbeing:{r.id}", result=result(raw=r.score))
            for r in rows]


@pytest.fixture
def wellbeing_source(app):
    source = evidence.Source("wellbeing_check", "心理状态自评", verb="completed", activity_type="assessment",
                             links=lambda records: {r.id: f"/wellbeing/{r.source_id}" for r in records},
                             statements=_wellbeing_statements, on_repeat="skip")
    evidence.register_source(source, signal=wellbeing_checked, collect=lambda user, score, check_id, **_: [
        evidence.Item(user_id=user.id, indicator="resilience.stress", score=score, source_id=check_id,
                      source_ref=f"wellbeing:{check_id}")])
    yield source
    evidence._sources.pop("wellbeing_check", None)
    evidence._collectors[wellbeing_checked.name].clear()


def test_a_new_source_is_one_registration(client, content, people, login, wellbeing_source):
    worker = people["worker"]
    wellbeing_checked.send(worker, score=80.0, check_id=7)
    wellbeing_checked.send(worker, score=80.0, check_id=7)  # on_repeat="skip": the same check counts once
    db.session.commit()
    rows = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.source_kind == "wellbeing_check")).all()
    assert [(r.user_id, r.indicator, r.score) for r in rows] == [(worker.id, "resilience.stress", 80.0)]

    login("organizer")
    page = client.get(f"/profile/{worker.id}").get_data(as_text=True)
    assert "心理状态自评" in page and 'href="/wellbeing/7"' in page
    book = load_workbook(io.BytesIO(client.get("/profile/cohort/records.xlsx").data))
    assert any(row[4] == "心理状态自评" for row in book.worksheets[1].iter_rows(values_only=True))
    statements = json.loads(client.get("/profile/cohort/xapi.json").data)
    mine = [s for s in statements if "/wellbeing/" in s["object"]["id"]]
    assert len(mine) == 1 and not validate_statement(mine[0])


def test_replace_keeps_only_the_newest_result(app_context, people):
    worker = people["worker"]
    item = evidence.Item(user_id=worker.id, indicator="comm.residents", score=40.0, source_ref="competition:1:round:1")
    evidence.record_all("competition_judging", [item])
    evidence.record_all("competition_judging", [evidence.Item(**{**item.__dict__, "score": 70.0})])
    db.session.commit()
    scores = db.session.scalars(select(EvidenceRecord.score).where(EvidenceRecord.user_id == worker.id)).all()
    assert scores == [70.0]
