"""Forms for logging in, changing a password and resetting a forgotten one."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Login name or worker number"),
                           validators=[DataRequired(_l("Enter your login name.")), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    new = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password.")),
                                                         Length(max=128)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")), EqualTo("new", _l("The two new passwords differ."))])


class ForgotPasswordForm(FlaskForm):
    username = StringField(_l("Login name or worker number"),
                           validators=[DataRequired(_l("Enter your login name.")), Length(max=64)])
    phone = StringField(_l("Phone number (optional)"), validators=[Length(max=32)])


class ResetWithCodeForm(FlaskForm):
    username = StringField(_l("Login name or worker number"),
                           validators=[DataRequired(_l("Enter your login name.")), Length(max=64)])
    code = StringField(_l("Reset code"), validators=[DataRequired(_l("Enter the reset code from your slip.")),
                                                     Length(max=32)])
    new = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password.")),
                                                         Length(max=128)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")), EqualTo("new", _l("The two new passwords differ."))])
