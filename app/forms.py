"""Helpers shared by the forms of every blueprint."""
from __future__ import annotations

import math

from wtforms import Field, FloatField, IntegerField
from wtforms.fields.choices import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs → WTForms choices (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class IdListField(Field):
    """Every value of a repeated input (a multiple select, ticked boxes) that is a whole number, as ints;
    anything else is left out."""

    def process_formdata(self, valuelist):
        self.data = [int(value) for value in valuelist if value.isdigit() and int(value) <= MAX_ID]


#: The largest id a form may carry (a 32-bit signed integer, what the database columns hold).
MAX_ID = 2**31 - 1


class IdField(IntegerField):
    """A whole number from 0 to ``MAX_ID`` (an id, a year); anything else reads as nothing (None)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not 0 <= self.data <= MAX_ID:
            self.data = None


class FiniteFloatField(FloatField):
    """A number as typed; NaN and infinities read as nothing (None)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
