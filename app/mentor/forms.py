"""Forms of mentoring: what each POST carries, parsed. Field names are the ones the templates send.

The services judge the values and refuse with a message (``app.refusal.Refusal``), so most fields
only parse: a missing text is "", a number or date that does not parse is None. Only the two checks
a page makes before calling a service (a visit's date, household and purpose; an extension's new
end) are validators, and those views flash their own message when ``validate()`` fails.
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, StringField
from wtforms.validators import DataRequired

from ..forms import IdListField


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _cut(length: int):
    """A filter keeping at most ``length`` characters (the form's ``maxlength``)."""
    return lambda value: (value or "")[:length]


class IsoDateField(Field):
    """A ``YYYY-MM-DD`` date (``<input type="date">``); None when missing or not a date."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            try:
                self.data = date.fromisoformat(valuelist[0])
            except ValueError:
                pass


class PairListField(Field):
    """Repeated ``mentor_id:mentee_id`` values (an approved cohort proposal) as (mentor, mentee) ids;
    None when any value is malformed."""

    def process_formdata(self, valuelist):
        pairs = []
        for value in valuelist:
            mentor_id, _sep, mentee_id = value.partition(":")
            if not (mentor_id.isdigit() and mentee_id.isdigit()):
                self.data = None
                raise ValueError("not a mentor_id:mentee_id pair")
            pairs.append((int(mentor_id), int(mentee_id)))
        self.data = pairs


class VisitForm(FlaskForm):
    visit_date = IsoDateField(validators=[DataRequired()])
    household = StringField(default="", filters=[_strip, _cut(100)], validators=[DataRequired()])
    purpose = StringField(default="", filters=[_strip, _cut(300)], validators=[DataRequired()])
    demonstrated = StringField(default="", filters=[_cut(500)])
    mentee_did = StringField(default="", filters=[_cut(500)])
    follow_up = StringField(default="", filters=[_cut(500)])


class ObservationForm(FlaskForm):
    indicator = StringField(default="")
    rating = IntegerField()
    note = StringField(default="", filters=[_cut(500)])
    observed_on = IsoDateField()


class SignOffForm(FlaskForm):
    assessment = StringField(default="")


class ConfirmForm(FlaskForm):
    """Confirming independence; ``reason`` only for an override before the minimum term."""

    reason = StringField(default="", filters=[_cut(500)])


class EndForm(FlaskForm):
    reason = StringField(default="")


class ExtendForm(EndForm):
    new_end = IsoDateField(validators=[DataRequired()])


class PairForm(FlaskForm):
    """Pairing by hand: one mentor, one or two mentees, the term."""

    mentor = IntegerField()
    mentees = IdListField()
    start = IsoDateField()
    planned_end = IsoDateField()


class AcceptForm(FlaskForm):
    """Accepting one suggestion."""

    mentor = IntegerField()
    mentee = IntegerField()


class CohortForm(FlaskForm):
    pair = PairListField()


class CommentForm(FlaskForm):
    text = StringField(default="")
