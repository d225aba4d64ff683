"""Records out (学习记录): a person's or a cohort's results as Excel and as xAPI 1.0.3 statements.

Statements come from the evidence sources' registered builders (quiz answers and attempts, drill
decisions and plays, lesson completions, mentor observations), with the indicator scores of the
evidence stream attached; a fixed number of queries whatever the number of people or results.
"""
from __future__ import annotations

import io

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import competency, evidence
from ..clock import naive_local
from ..exports import finish_workbook, safe_row
from ..extensions import db
from ..models import EvidenceRecord, User
from . import xapi
from .pages import cohort_page


def xapi_config() -> xapi.XapiConfig:
    """The xAPI settings: base (``XAPI_BASE``), the actor key (``XAPI_ACTOR_KEY``, else the
    ``SECRET_KEY``) and whether names and notes may travel (``XAPI_SEND_PERSONAL_DATA``)."""
    cfg = current_app.config
    return xapi.XapiConfig(base=cfg["XAPI_BASE"], actor_key=cfg.get("XAPI_ACTOR_KEY") or cfg["SECRET_KEY"],
                           personal_data=bool(cfg.get("XAPI_SEND_PERSONAL_DATA")))


def statements_for(people: list[User]) -> list[dict]:
    """Every result of these people as xAPI statements, oldest first (every registered source's)."""
    ids = [p.id for p in people]
    if not ids:
        return []
    config = xapi_config()
    return evidence.statements(evidence.StatementContext(
        config=config, user_ids=ids, actors={p.id: xapi.agent(p.id, config, p.name) for p in people},
        scores=evidence.indicator_scores(ids)))


def records_workbook(people: list[User]) -> bytes:
    """Excel: levels per person, then every evidence record."""
    from openpyxl import Workbook  # imported here: loading openpyxl is slow and only Excel files need it

    indicators = competency.model()
    data = cohort_page(people)
    book = Workbook()
    levels = book.active
    levels.title = _("Levels")
    levels.append(safe_row([_("Name"), _("Worker number"), *[i.title for i in indicators]]))
    for person in people:
        mine = data.levels[person.id]
        levels.append(safe_row([person.name, person.worker_number or person.username,
                                *[mine.get(i.id) for i in indicators]]))
    records = book.create_sheet(_("Evidence"))
    records.append(safe_row([_("Name"), _("Indicator"), _("Score"), _("Weight"), _("Source"), _("What"),
                             _("Time (Beijing time)")]))
    names = {p.id: p.name for p in people}
    titles = competency.names()
    rows = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.user_id.in_(list(names)))
                              .order_by(EvidenceRecord.user_id, EvidenceRecord.created_at)).all() if names else []
    described = evidence.descriptions(rows)
    for row in rows:
        records.append(safe_row([names[row.user_id], titles.get(row.indicator, row.indicator), row.score, row.weight,
                                 evidence.label(row.source_kind), described.get(row.id, ""),
                                 naive_local(row.created_at)]))
    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
