"""Helpers shared by the forms of every blueprint."""
from __future__ import annotations

from wtforms.fields.choices import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs → WTForms choices (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]
