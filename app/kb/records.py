"""What the knowledge base records: a worker's approved case as evidence on the indicators it tags
(full marks, weight ``CASE_WEIGHT``, once per case), and as an xAPI statement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import signals
from ..evidence import Item, Source, StatementContext, register_source
from ..extensions import db
from ..models import CaseSubmission
from ..profile import xapi

#: A case the author's mentor or organizer approved counts like a mentor's observation.
CASE_SCORE = 100.0
CASE_WEIGHT = 2.0


def case_evidence(case: CaseSubmission, entry=None, **_kwargs) -> list[Item]:
    return [Item(user_id=case.author_id, indicator=indicator, score=CASE_SCORE, weight=CASE_WEIGHT,
                 source_id=case.id, source_ref=f"kb_case:{case.id}", at=case.reviewed_at)
            for indicator in case.indicators or []]


def case_links(records) -> dict[int, str]:
    return {r.id: f"/kb/entries/field-{r.source_id}" for r in records if r.source_id is not None}


def case_statements(context: StatementContext) -> list[dict]:
    config, out = context.config, []
    for case in db.session.scalars(select(CaseSubmission).where(CaseSubmission.author_id.in_(context.user_ids),
                                                                CaseSubmission.status == "approved")):
        obj = xapi.activity(config.activity_id("kb-case", case.id), case.title, "performance")
        out.append(xapi.build_statement(
            config, actor=context.actors[case.author_id], verb_key="completed", obj=obj,
            timestamp=case.reviewed_at or case.updated_at, source_ref=f"kb_case:{case.id}",
            result=xapi.result(completion=True, success=True),
            indicator_scores=context.scores.get(("kb_case", case.id))))
    return out


def register() -> None:
    register_source(Source("kb_case", _l("case written from the field"), verb="completed", activity_type="performance",
                           links=case_links, statements=case_statements, on_repeat="skip"),
                    signal=signals.case_approved, collect=case_evidence)
