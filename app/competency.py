"""The competency model of the running app (``courses/competency-model.yaml``): one lookup for every
feature. The file is data, so a city can adapt the indicators without code changes; it is read again
only when it changes (``app.content.courses.indicators_by_id`` caches by modification time)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from .content.courses import Indicator, indicators_by_id


def indicators() -> dict[str, Indicator]:
    """Indicator id → Indicator, in file order."""
    return indicators_by_id(Path(current_app.config["CONTENT_DIR"]))


def model() -> list[Indicator]:
    """The indicators in file order."""
    return list(indicators().values())


def names() -> dict[str, str]:
    """Indicator id → the name a person reads (ids never reach a page)."""
    return {key: item.title for key, item in indicators().items()}


def name(indicator_id: str) -> str:
    item = indicators().get(indicator_id)
    return item.title if item else indicator_id
