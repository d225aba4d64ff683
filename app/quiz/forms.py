"""Quiz forms: the GIFT/Aiken import, and the hidden fields of the answer and practice posts (the
answers themselves are read by each question's type, ``Question.from_form``)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from .. import competency
from ..forms import choices


def indicator_choices():
    return choices((i.id, f"{i.group_title} · {i.title}") for i in competency.model())


class ImportForm(FlaskForm):
    file = FileField(_l("GIFT or Aiken file (text: UTF-8 or GBK)"),
                     validators=[FileRequired(_l("Choose a file to upload."))])
    format = SelectField(_l("Format"), choices=choices([("auto", _l("Recognise automatically")),
                                                       ("gift", "GIFT"), ("aiken", "Aiken")]), default="auto")
    bank = StringField(_l("Bank id"), validators=[
        DataRequired(_l("Enter the id of the bank to import into.")), Length(max=64),
        Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lowercase letters, digits and hyphens."))])
    bank_title = StringField(_l("Bank title (for a new bank)"), validators=[Optional(), Length(max=200)])
    indicators = SelectMultipleField(_l("Competency indicators of the imported questions"), choices=[],
                                     validators=[DataRequired(_l("Choose at least one indicator."))])
    difficulty = IntegerField(_l("Difficulty (1-3)"), default=1,
                              validators=[NumberRange(1, 3, _l("Difficulty is 1, 2 or 3."))])
    explanation = TextAreaField(_l("Explanation for questions without general feedback (optional: otherwise the "
                                   "correct answer and each answer's feedback are shown)"),
                                validators=[Optional(), Length(max=2000)])


class PracticeForm(FlaskForm):
    """Answering a question of the wrong-answer book (the answer comes as ``answer``)."""

    entry_id = IntegerField()
