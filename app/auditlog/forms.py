"""The audit trail's filter form (a GET form: it changes nothing, so it carries no CSRF token)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import Length, Optional

from .. import audit
from ..forms import choices


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DayField(DateField):
    """A local calendar day; what is no date reads as nothing, with an error naming the form expected."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Enter a date such as 2026-11-30."))) from exc


class FilterForm(Form):
    actor = SelectField(_l("Who"), default="", validate_choice=False)
    action = SelectField(_l("What was done"), default="", validate_choice=False)
    kind = SelectField(_l("Changed item"), default="", validate_choice=False)
    since = DayField(_l("Start"), validators=[Optional()])
    until = DayField(_l("End"), validators=[Optional()])
    q = StringField(_l("Item name contains"), default="", filters=[_strip],
                    validators=[Length(max=100, message=_l("Search at most 100 characters."))])

    def __init__(self, formdata, actors: list[tuple[str, str]]):
        super().__init__(formdata)
        self.actor.choices = choices([("", _l("Everybody")), ("system", _l("System"))] + actors)
        self.action.choices = choices([("", _l("Any change"))] + sorted(
            ((code, str(label)) for code, label in audit.ACTIONS.items()), key=lambda pair: pair[0]))
        self.kind.choices = choices([("", _l("Any item"))] + [(k, str(v)) for k, v in audit.TARGET_KINDS.items()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.since.data and self.until.data and self.until.data < self.since.data:
            self.until.errors = [*self.until.errors, _l("The end date is before the start date.")]
            ok = False
        return ok
