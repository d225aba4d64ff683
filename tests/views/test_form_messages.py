"""WTForms' own messages reach people in Chinese, including those WTForms' catalogue lacks."""
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField

from app.forms import choices


class Pick(FlaskForm):
    class Meta:
        csrf = False

    one = SelectField(choices=choices([("worker", "网格员")]))
    many = SelectMultipleField(choices=choices([("worker", "网格员")]))


def test_invalid_choices_are_explained_in_chinese(app):
    with app.test_request_context(method="POST", data={"one": "admin", "many": ["admin"]}):
        app.preprocess_request()
        form = Pick()
        assert not form.validate()
        assert form.errors == {"one": ["不是有效的选择。"], "many": ["“admin”不是本项的有效选项。"]}
