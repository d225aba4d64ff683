"""Forms for accounts, roster upload and areas."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from .roster import PHONE_RE, WORKER_NUMBER_RE


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=64)])
    username = StringField(_l("Login name"), validators=[
        DataRequired(_l("Enter a login name.")), Length(min=2, max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, '.', '-' or '_' only."))])
    worker_number = StringField(_l("Worker number"), validators=[
        Optional(), Regexp(WORKER_NUMBER_RE, message=_l("Use 2-32 letters, digits, '-' or '_'."))])
    phone = StringField(_l("Phone"), validators=[
        Optional(), Regexp(PHONE_RE, message=_l("Enter an 11-digit mobile number."))])
    area = SelectField(_l("Area"), coerce=int, validators=[DataRequired(_l("Choose an area."))])
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    roles = MultiCheckboxField(_l("Roles"), choices=[], validators=[DataRequired(_l("Choose at least one role."))])
    active = BooleanField(_l("Account active"), default=True)
    submit = SubmitField(_l("Save"))


class RosterForm(FlaskForm):
    file = FileField(_l("Roster file (.csv or .xlsx)"), validators=[
        FileRequired(_l("Choose a file to upload.")),
        FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file."))])
    submit = SubmitField(_l("Import"))


class AreaForm(FlaskForm):
    name = StringField(_l("Area name"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)])
    parent = SelectField(_l("Under"), coerce=int, validators=[DataRequired(_l("Choose where it belongs."))])
    submit = SubmitField(_l("Add"))


class ActionForm(FlaskForm):
    """An empty form: only the CSRF token, for POST buttons."""


class RenameAreaForm(FlaskForm):
    """The inline rename form of the tree (its length is checked by ``areas.rename_area``)."""

    name = StringField(_l("New name"), default="")
