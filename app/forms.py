"""Helpers shared by the forms of every blueprint."""
from __future__ import annotations

import math

from babel import support
from flask import request
from flask_babel import get_locale, get_translations, gettext, ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, FloatField, IntegerField, StringField
from wtforms.i18n import messages_path
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


class EnrolPeopleForm(FlaskForm):
    """Who to enrol (a competition, a training class): people ticked one by one, a cohort (an area
    node and a hire year) or a roster file; ``how`` says which."""

    how = StringField(default="people")  # people (ticked), cohort (area and hire year) or roster (a file)
    people = IdListField()
    area = IdField()
    hired = IdField()
    roster = FileField()


# --- WTForms' own messages in Chinese ------------------------------------------------------------
# WTForms ships a Chinese catalogue, but some of its messages are missing from it ("'admin' is not a
# valid choice for this field." reached pages in English). These are the missing ones, translated in
# our own catalogue; ``init_wtforms_i18n`` lays our catalogue over WTForms' for each request.

def _wtforms_messages() -> None:  # never called: lets `pybabel extract` find the messages
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 2)
    gettext("'%(value)s' is not a valid choice for this field.")
    gettext("Date must be at least %(min)s.")
    gettext("Date must be at most %(max)s.")
    gettext("Date must be between %(min)s and %(max)s.")
    gettext("This field is disabled and cannot have a value.")


_merged: dict[str, object] = {}


def init_wtforms_i18n(app) -> None:
    """Flask-WTF translates WTForms' messages with WTForms' catalogue for the request's locale (it keeps
    it on ``request.wtforms_translations``); put there WTForms' catalogue merged with ours, once per
    locale."""

    @app.before_request
    def _wtforms_translations():
        locale = str(get_locale())
        merged = _merged.get(locale)
        if merged is None:
            merged = support.Translations.load(messages_path(), [locale], domain="wtforms")
            ours = get_translations()
            if isinstance(merged, support.Translations) and isinstance(ours, support.Translations):
                merged.merge(ours)
            _merged[locale] = merged
        request.wtforms_translations = merged
