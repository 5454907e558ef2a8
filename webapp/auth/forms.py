"""Sign-in and password forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.auth.services import PASSWORD_MIN
from webapp.forms import KeyedForm
from webapp.people.models import EMAIL_MAX


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


def new_password_field() -> PasswordField:
    """A new password: the one length rule, said beside the field."""
    return PasswordField("New password", validators=[
        DataRequired(),
        Length(min=PASSWORD_MIN, max=200, message=f"Choose a password of at least {PASSWORD_MIN} characters.")],
        description=f"At least {PASSWORD_MIN} characters.")


def repeat_password_field(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), EqualTo("new", message="The two passwords differ.")])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new = new_password_field()
    confirm = repeat_password_field("Repeat the new password")
    submit = SubmitField("Change password")


class SetPasswordForm(FlaskForm):
    """Choose a password from an invitation or reset link."""

    new = new_password_field()
    confirm = repeat_password_field("Repeat the password")
    submit = SubmitField("Set password and sign in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=EMAIL_MAX)])
    submit = SubmitField("Send me a link")


class InviteForm(KeyedForm):
    """Whom to invite: the chosen people, or everyone active without a password."""

    user_ids = SelectMultipleField("People", coerce=int, validate_choice=False)
    everyone = BooleanField("Everyone without a password")
    submit = SubmitField("Invite")
