"""The language switch (a button per language in the page header)."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class LanguageForm(FlaskForm):
    lang = StringField(default="")
    next = HiddenField(default="")
