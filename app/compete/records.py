"""What competitions record: a practical round's judged score per indicator as evidence (the newest
judging stands: each further judge's sheet replaces the contestant's earlier record), and the judged
score as an xAPI statement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import signals
from ..evidence import Item, Source, StatementContext, register_source
from ..extensions import db
from ..models import CompetitionRound, Entry, RoundResult
from ..profile import xapi

JUDGING_WEIGHT = 2.0


def judging_evidence(result, round, entry, judged, **_kwargs) -> list[Item]:  # noqa: A002  (the signal's name)
    ref = f"competition:{round.competition_id}:round:{round.id}:entry:{entry.id}"
    return [Item(user_id=entry.user_id, indicator=indicator, score=value, weight=JUDGING_WEIGHT, source_id=round.id,
                 source_ref=ref, at=result.finished_at)
            for indicator, value in judged.indicator_scores.items()]


def judging_statements(context: StatementContext) -> list[dict]:
    """A judged practical ("scored", 0-100, with its indicator scores). A further judge's sheet
    changes the score: that is a new statement (its moment is in the id), never a changed one, which
    an LRS would refuse as a conflict; the newest stands."""
    config, out = context.config, []
    for result, round_, entry in db.session.execute(
            select(RoundResult, CompetitionRound, Entry)
            .join(CompetitionRound, CompetitionRound.id == RoundResult.round_id)
            .join(Entry, Entry.id == RoundResult.entry_id)
            .where(Entry.user_id.in_(context.user_ids), CompetitionRound.kind == "practical",
                   RoundResult.finished_at.is_not(None), RoundResult.score.is_not(None))):
        obj = xapi.activity(config.activity_id("competition", round_.competition_id, "round", round_.id),
                            round_.title, "performance")
        out.append(xapi.build_statement(
            config, actor=context.actors[entry.user_id], verb_key="scored", obj=obj, timestamp=result.finished_at,
            source_ref=f"competition_judging:{result.id}:{xapi.iso_timestamp(result.finished_at)}",
            parent=xapi.activity(config.activity_id("competition", round_.competition_id), None, "assessment"),
            result=xapi.result(raw=round(result.score, 1), completion=True),
            indicator_scores=result.indicator_scores or None))
    return out


def register() -> None:
    register_source(Source("competition_judging", _l("competition judging"), verb="scored",
                           activity_type="performance", statements=judging_statements, on_repeat="replace"),
                    signal=signals.practical_judged, collect=judging_evidence)
