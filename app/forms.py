"""Helpers shared by the forms of every blueprint."""
from __future__ import annotations

from wtforms import Field
from wtforms.fields.choices import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs → WTForms choices (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class IdListField(Field):
    """Every value of a repeated input (a multiple select, ticked boxes) that is a whole number, as ints;
    anything else is left out."""

    def process_formdata(self, valuelist):
        self.data = [int(value) for value in valuelist if value.isdigit()]
