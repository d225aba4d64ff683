"""Knowledge base forms: what each request carries, parsed. The services judge the values and refuse
with a message; fields only parse (a missing text is "")."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from .. import competency
from ..forms import choices
from ..labels import KB_CATEGORY_NAMES, KB_KIND_NAMES, KB_PART_NAMES
from .checker import CATEGORIES


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _cut(length: int):
    return lambda value: (value or "")[:length]


def indicator_choices():
    return choices((i.id, f"{i.group_title} · {i.title}") for i in competency.model())


def category_choices(blank=None):
    pairs = [("", blank)] if blank is not None else []
    return choices(pairs + [(c, KB_CATEGORY_NAMES[c]) for c in CATEGORIES])


class CheckboxesField(SelectMultipleField):
    """Ticked boxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CasebookForm(Form):
    """The monthly 案例汇编 export (a GET form, no CSRF token): the month (``2026-11``) and whether to add
    the shipped cases."""

    month = StringField(_l("Month"), default="", filters=[_strip, _cut(10)])
    shipped = BooleanField(_l("Add the cases of the shipped library"), default=False)


class SearchForm(Form):
    """The search box (a GET form, no CSRF token): ``q``, and the optional ``kind`` and ``category`` filters."""

    q = StringField(_l("Search the knowledge base"), default="", filters=[_strip, _cut(200)])
    kind = SelectField(_l("Kind"), default="", validate_choice=False,
                       choices=choices([("", _l("All kinds"))] + list(KB_KIND_NAMES.items())))
    category = SelectField(_l("Category"), default="", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(_l("All categories"))


class AskForm(FlaskForm):
    question = TextAreaField(_l("Your question"), default="", filters=[_strip, _cut(600)])


class SendForm(FlaskForm):
    """Sending a question the assistant was not sure about to a person (the CSRF token only)."""


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Your reply"), default="", filters=[_strip, _cut(5000)])


class PromoteForm(FlaskForm):
    title = StringField(_l("Question as the FAQ shows it"), default="", filters=[_strip, _cut(300)])
    answer = TextAreaField(_l("Answer (Markdown)"), default="", filters=[_strip, _cut(5000)])
    category = SelectField(_l("Category"), default="", validate_choice=False)
    indicators = CheckboxesField(_l("Indicators"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(_l("Choose…"))
        self.indicators.choices = indicator_choices()


class CaseForm(FlaskForm):
    title = StringField(_l("Case title"), default="", filters=[_strip, _cut(200)])
    category = SelectField(_l("Category"), default="", validate_choice=False)
    tags = StringField(_l("Key words (separated by commas)"), default="", filters=[_strip, _cut(200)])
    indicators = CheckboxesField(_l("Indicators the case shows"), choices=[], validate_choice=False)
    description = TextAreaField(KB_PART_NAMES["description"], default="", filters=[_cut(5000)])
    handling = TextAreaField(KB_PART_NAMES["handling"], default="", filters=[_cut(5000)])
    lessons_learned = TextAreaField(KB_PART_NAMES["lessons_learned"], default="", filters=[_cut(5000)])
    feedback = TextAreaField(KB_PART_NAMES["feedback"], default="", filters=[_cut(5000)])
    note = StringField(_l("Note to the reviewer (optional)"), default="", filters=[_strip, _cut(500)])
    action = StringField(default="save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(_l("Choose…"))
        self.indicators.choices = indicator_choices()

    @property
    def parts(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in KB_PART_NAMES}


class ReviewForm(FlaskForm):
    action = StringField(default="comment")
    text = TextAreaField(_l("Comment"), default="", filters=[_strip, _cut(2000)])
