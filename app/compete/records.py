"""What competitions record: a practical round's judged score per indicator as evidence (the newest
judging stands: each further judge's sheet replaces the contestant's earlier record)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..evidence import Item, Source, register_source

JUDGING_WEIGHT = 2.0


def judging_evidence(result, round, entry, judged, **_kwargs) -> list[Item]:  # noqa: A002  (the signal's name)
    ref = f"competition:{round.competition_id}:round:{round.id}:entry:{entry.id}"
    return [Item(user_id=entry.user_id, indicator=indicator, score=value, weight=JUDGING_WEIGHT, source_id=round.id,
                 source_ref=ref, at=result.finished_at)
            for indicator, value in judged.indicator_scores.items()]


def register() -> None:
    register_source(Source("competition_judging", _l("competition judging"), verb="scored",
                           activity_type="performance", on_repeat="replace"),
                    signal=signals.practical_judged, collect=judging_evidence)
