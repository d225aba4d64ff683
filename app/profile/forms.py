"""The cohort page's "assign a course to those below the threshold" form (hidden fields and a course),
sent once to preview who gets it and again, with a due date, to confirm (``step``).

Every field is optional here: a missing or malformed value reads as None (or ""), and the view
answers with one message naming what to choose.
"""
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Optional

from ..forms import FiniteFloatField, IdField


class CohortAssignForm(FlaskForm):
    area = IdField()
    hired = IdField()
    threshold = FiniteFloatField()  # NaN and infinities read as None
    indicator = StringField(default="")
    course = IdField()
    due_date = DateField(validators=[Optional()])  # required to confirm; the view says so
    step = StringField(default="preview")  # "preview" or "confirm"
