"""Forms for required-course assignments and the completion filter."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Optional

from ..forms import choices


class AssignmentForm(FlaskForm):
    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired(_l("Choose a course."))])
    target = RadioField(_l("Required of"), choices=choices([("role", _l("Everyone with a role in my area")),
                                                            ("people", _l("Named people"))]), default="role")
    role = SelectField(_l("Role"), choices=[], validators=[Optional()])
    people = SelectMultipleField(_l("People"), coerce=int, choices=[], validate_choice=False)
    due_date = DateField(_l("Due date (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Assign"))


class MarkDoneForm(FlaskForm):
    submit = SubmitField(_l("Mark as done"))
