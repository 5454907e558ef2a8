"""Forms for people, functions, teams and the CSV import."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.auth.services import PASSWORD_MIN
from webapp.formatting import label
from webapp.people.models import EMAIL_MAX, NAME_MAX
from webapp.roles import GRANTABLE_ROLES


def _none_if_blank(value):
    return None if value in ("", None, "None") else int(value)


class FunctionForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    code = StringField(
        "Short code",
        validators=[DataRequired(), Length(max=12), Regexp(r"^[A-Za-z0-9-]+$", message="Letters, digits and - only.")],
        description="For example FIN or OPS.",
    )
    colour = StringField(
        "Colour",
        default="#6c757d",
        validators=[DataRequired(), Regexp(r"^#[0-9A-Fa-f]{6}$", message="A colour like #1f77b4.")],
        render_kw={"type": "color"},
    )
    submit = SubmitField("Save")


class TeamForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    function_id = SelectField("Function", coerce=int, validators=[DataRequired()])
    manager_email = EmailField(
        "Manager's email", validators=[Optional(), Email(), Length(max=EMAIL_MAX)], description="Optional."
    )
    submit = SubmitField("Save")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=NAME_MAX)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=NAME_MAX)])
    function_id = SelectField("Function", coerce=int, validators=[DataRequired()])
    team_id = SelectField("Team", coerce=_none_if_blank, validators=[Optional()])
    manager_email = EmailField(
        "Manager's email", validators=[Optional(), Email(), Length(max=EMAIL_MAX)], description="Optional."
    )
    hired_on = DateField("Hired on", validators=[Optional()])
    roles = MultiCheckboxField(
        "Roles",
        choices=[SelectChoice(r.value, label(r)) for r in GRANTABLE_ROLES],
        description="Everyone is an employee.",
    )
    password = PasswordField(
        "Set a password",
        validators=[Optional(), Length(min=PASSWORD_MIN, max=200)],
        description=f"Optional; at least {PASSWORD_MIN} characters. Leave empty to keep the current one.",
    )
    submit = SubmitField("Save")


class ImportForm(FlaskForm):
    file = FileField(
        "People CSV file",
        validators=[FileRequired("Choose a CSV file."), FileAllowed(["csv"], "Only .csv files can be imported.")],
        description="Columns: email, name, function, team, manager_email, roles, hired_on (YYYY-MM-DD), job_title.",
    )
    submit = SubmitField("Upload and preview")
