"""Forms of the monthly business review: open a review, notes, decisions and actions, sign, reopen, set-up."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from programs.business_review.models import ACTION, DECISION, PERSPECTIVES, TEXT_MAX
from webapp.forms import KeyedForm
from webapp.validators import FiniteNumber

MONTH_HELP = "A month such as 2026-11."


class OpenReviewForm(KeyedForm):
    first_function_id = SelectField("First function", coerce=int, validators=[InputRequired()])
    second_function_id = SelectField("Second function", coerce=int, validators=[InputRequired()])
    month = StringField("Month reviewed", description=MONTH_HELP, validators=[
        DataRequired("Enter the month."), Regexp(r"^\d{4}-\d{2}$", message=MONTH_HELP)])
    meeting_on = DateField("Meeting date", validators=[InputRequired("Choose the meeting date.")])
    submit = SubmitField("Open the review")


class NoteForm(FlaskForm):
    text = TextAreaField("Note", validators=[DataRequired("Write a few words."), Length(max=TEXT_MAX)])
    agrees = SelectField("Does the owner's explanation hold for you?", choices=[
        SelectChoice("", "Not said"), SelectChoice("yes", "Yes, we agree"),
        SelectChoice("no", "No, we see it differently")], validators=[Optional()])
    submit = SubmitField("Save the note")

    @property
    def agrees_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.agrees.data or "")


class ItemForm(KeyedForm):
    kind = RadioField(
        "This is",
        choices=[SelectChoice(DECISION, "A decision"), SelectChoice(ACTION, "An action")],
        default=DECISION,
        validators=[InputRequired()],
    )
    text = TextAreaField("What was decided or is to be done", validators=[
        DataRequired("Write the decision or action."), Length(max=TEXT_MAX)])
    owner_id = SelectField("Owner", coerce=int, validators=[InputRequired("Choose its owner.")])
    due_on = DateField("Due (actions)", validators=[Optional()])
    submit = SubmitField("Record it")


class SignForm(FlaskForm):
    submit = SubmitField("Sign for my function")


class ReopenForm(FlaskForm):
    reason = TextAreaField("Why reopen this signed review?", validators=[
        DataRequired("Give the reason (it goes into the audit log)."), Length(max=TEXT_MAX)])
    submit = SubmitField("Reopen")


class MetricSetupForm(FlaskForm):
    perspective = SelectField("Perspective", choices=[SelectChoice(key, label) for key, label in PERSPECTIVES.items()])
    owner_function_id = SelectField("Owner function", coerce=int)
    partner_function_id = SelectField("Partner function", coerce=int)
    amber_threshold = FloatField("Amber threshold", validators=[InputRequired("Enter a number."), FiniteNumber()])
    red_threshold = FloatField("Red threshold", description="Beyond the amber one in the metric's direction.",
                               validators=[InputRequired("Enter a number."), FiniteNumber()])
    submit = SubmitField("Save the set-up")


class TargetForm(FlaskForm):
    period = StringField("Period", description="A month (2026-11) or a quarter (2026-Q4), as the metric is kept.",
                         validators=[DataRequired("Enter the period."), Length(max=7)])
    value = FloatField("Target", validators=[InputRequired("Enter a number."), FiniteNumber()])
    submit = SubmitField("Set the target")


class StatusRulesForm(FlaskForm):
    on_track_percent = FloatField("On track from (% of the expected value)",
                                  validators=[InputRequired(), FiniteNumber()])
    at_risk_percent = FloatField("At risk below (%)", validators=[InputRequired(), FiniteNumber()])
    submit = SubmitField("Save the status rules")
