"""The drill pages' posts: starting a drill in a mode, and a move (a choice, going back, the
countdown's timeout) quoting the step it was made on. The server checks the values (``service``)."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField


class StartForm(FlaskForm):
    mode = StringField(default="practice")  # "practice" or "assessed"


class MoveForm(FlaskForm):
    choice = StringField()  # the token of the choice, as the play page sent it (never a choice id)
    step = IntegerField()  # the attempt's step count when the page was shown (None if missing)
