"""The cohort page's "assign a course to those below the threshold" form (hidden fields and a course).

Every field is optional here: a missing or malformed value reads as None (or ""), and the view
answers with one message naming what to choose.
"""
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, StringField


class CohortAssignForm(FlaskForm):
    area = IntegerField()
    hired = IntegerField()
    threshold = FloatField()
    indicator = StringField(default="")
    course = IntegerField()
