"""Forms of the rotation program; ranges and lengths are validated here, relations in the services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from rotation.models import TEXT_MAX, TITLE_MAX
from webapp.forms import KeyedForm
from webapp.people.forms import MultiCheckboxField
from webapp.people.models import EMAIL_MAX


def _text(label: str, required: bool = True, description: str = "") -> TextAreaField:
    checks = [DataRequired() if required else Optional(), Length(max=TEXT_MAX)]
    return TextAreaField(label, validators=checks, description=description, render_kw={"rows": 3})


def _percent(label: str, default: int, low: int, description: str) -> IntegerField:
    return IntegerField(label, default=default, validators=[InputRequired(), NumberRange(low, 100)],
                        description=description)


class ProgramForm(KeyedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=TITLE_MAX)])
    purpose = _text("Purpose")
    host_function_ids = MultiCheckboxField("Functions that host", coerce=int)
    eligible_function_ids = MultiCheckboxField("Functions whose people may apply", coerce=int)
    duration_weeks = IntegerField("Duration in weeks", default=12, validators=[InputRequired(), NumberRange(1, 104)])
    time_share_percent = _percent("Time share (% of the week)", 100, 10, "100 is full time.")
    min_tenure_months = IntegerField("Minimum tenure in months", default=12,
                                     validators=[InputRequired(), NumberRange(0, 600)])
    release_cap_percent = _percent("Team release cap (%)", 20, 1,
                                   "The share of a team that may be on rotation at once (at least one person).")
    offer_days = IntegerField("Days to answer an offer", default=7, validators=[InputRequired(), NumberRange(1, 60)])
    submit = SubmitField("Save program")


class CohortForm(KeyedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=TITLE_MAX)],
                       description="For example Spring 2027.")
    applications_open_on = DateField("Applications open on", validators=[InputRequired()])
    applications_close_on = DateField("Applications close on", validators=[InputRequired()])
    matching_on = DateField("Matching date", validators=[InputRequired()])
    starts_on = DateField("Rotation starts on", validators=[InputRequired()])
    ends_on = DateField("Rotation ends on", validators=[InputRequired()])
    submit = SubmitField("Save cohort")


class OpeningForm(KeyedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    activities = _text("What the rotator will do")
    learning = _text("What the rotator will learn")
    skills = _text("Skills that help", required=False)
    capacity = IntegerField("Seats", default=1, validators=[InputRequired(), NumberRange(1, 20)])
    mentor_email = EmailField("Host mentor's email", validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    time_share_percent = _percent("Time share (% of the week)", 100, 10, "100 is full time.")
    submit = SubmitField("Save opening")


class ApplicationForm(FlaskForm):
    openings = HiddenField()  # never rendered: carries the services' errors about the chosen openings
    statement = _text("Why this rotation", description="What you bring and why now.")
    learning_goals = _text("Your learning goals")
    submit = SubmitField("Submit application")


class DecisionForm(FlaskForm):
    decision = SelectField("Decision", choices=[SelectChoice("approve", "Approve"), SelectChoice("decline", "Decline")],
                           validators=[InputRequired()])
    comment = _text("Comment", required=False, description="Needed when you decline.")
    submit = SubmitField("Record decision")


class CheckInForm(FlaskForm):
    progress = _text("Progress on the learning goals")
    surprise = _text("What surprised you about the other function")
    submit = SubmitField("Save check-in")


class ReflectionForm(FlaskForm):
    text = _text("Your reflection")
    rating = SelectField("Your rating of the rotation (1 poor, 5 excellent)", coerce=int,
                         choices=[SelectChoice(n, str(n)) for n in range(5, 0, -1)], validators=[InputRequired()])
    submit = SubmitField("Sign off")


class HostFeedbackForm(FlaskForm):
    text = _text("Feedback for the rotator")
    submit = SubmitField("Sign off")


class RotationPolicyForm(FlaskForm):
    decision_grace_days = IntegerField("Days after the window closes that managers may still decide",
                                       validators=[InputRequired(), NumberRange(0, 60)])
    sign_off_opens_days = IntegerField("Sign-offs open this many days before a rotation's planned end",
                                       validators=[InputRequired(), NumberRange(0, 365)])
    nudge_every_days = IntegerField("Remind pending sign-offs of ended rotations every (days)",
                                    validators=[InputRequired(), NumberRange(1, 90)])
    match_page_size = IntegerField("Applicants per page of the match draft", validators=[InputRequired(),
                                                                                        NumberRange(10, 500)])
    submit = SubmitField("Save settings")
