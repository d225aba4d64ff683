"""Forms for required-course assignments and the completion filter."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..forms import choices


class AssignmentForm(FlaskForm):
    """Require a course of a role at an area node, of the people hired in a year, or of a list of
    people, by a due date; ``step`` is "preview" (show who gets what) or "confirm" (save)."""

    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired(_l("Choose a course."))])
    target = RadioField(_l("Required of"), choices=choices([
        ("area", _l("Everyone with a role at an area node")), ("hired", _l("The people hired in one year")),
        ("list", _l("A list of people"))]), default="area", validate_choice=False)
    role = SelectField(_l("Role"), choices=[], validators=[Optional()], validate_choice=False)
    area = SelectField(_l("Area"), coerce=int, choices=[], validators=[Optional()], validate_choice=False)
    hired = IntegerField(_l("Hire year"), validators=[Optional()])
    people_list = TextAreaField(_l("People"), default="")
    due_date = DateField(_l("Due date"), validators=[DataRequired(_l("Give a due date."))])
    step = HiddenField(default="preview")
    submit = SubmitField(_l("Preview who gets it"))


class MarkDoneForm(FlaskForm):
    submit = SubmitField(_l("Mark as done"))
