"""Forms of the trust pulse: templates and items, waves, thresholds, metrics and their values."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from programs.trust.anonymity import MIN_GROUP_FLOOR
from programs.trust.models import (
    AGREE5,
    MONTHLY,
    NPS11,
    ORGANISATION,
    PER_FUNCTION,
    QUARTERLY,
)
from webapp.forms import KeyedForm
from webapp.people.forms import MultiCheckboxField
from webapp.validators import FiniteNumber


def _none_if_blank(value):
    return None if value in ("", None, "None") else int(value)


class TemplateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save template")


class ItemForm(FlaskForm):
    text = StringField("Statement", validators=[DataRequired(), Length(max=300)],
                       description='About the rated function, e.g. "They share information early."')
    dimension = StringField("Dimension", validators=[DataRequired(), Length(max=40)],
                            description="For example reliability, communication, respect.")
    scale = SelectField(
        "Scale",
        choices=[SelectChoice(AGREE5, "Agreement, 1-5"), SelectChoice(NPS11, "Recommendation, 0-10 (for eNPS)")],
    )
    reverse = BooleanField("Reverse-scored (a negative statement: agreeing lowers the index)")
    submit = SubmitField("Save question")


class WaveForm(KeyedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)], description="For example Pulse Q3 2026.")
    template_id = SelectField("Questionnaire", coerce=int, validators=[DataRequired()])
    opens_on = DateField("Opens on", validators=[DataRequired()],
                         description="A later date schedules it: the invitation goes out on that day.")
    closes_on = DateField("Closes on", validators=[DataRequired()])
    audience_ids = MultiCheckboxField("Who answers (functions)", coerce=int)
    target_ids = MultiCheckboxField("Functions to rate", coerce=int,
                                    description="Leave all unticked to rate every function; nobody rates their own.")
    allow_overlap = BooleanField("Run it anyway, although these functions already have a wave this quarter",
                                 description="Only when you mean it: people in both audiences see two pulses.")
    submit = SubmitField("Create wave")


class CloseWaveForm(FlaskForm):
    confirm = BooleanField("I understand: nobody can answer after this, and a closed wave cannot be reopened",
                           validators=[DataRequired("Tick the box to confirm.")])
    submit = SubmitField("Close the wave now")


class ReminderForm(FlaskForm):
    submit = SubmitField("Remind those who have not answered")


class ThresholdsForm(FlaskForm):
    min_group = IntegerField("Minimum group size (k)", validators=[InputRequired(), NumberRange(MIN_GROUP_FLOOR, 500)],
                             description=f"Figures describing fewer people are hidden. Never below {MIN_GROUP_FLOOR}.")
    min_comment_group = IntegerField(
        "Minimum group for comments", validators=[InputRequired(), NumberRange(MIN_GROUP_FLOOR, 500)]
    )
    submit = SubmitField("Save thresholds")


class MetricForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=120)], description="For example On-time delivery."
    )
    unit = StringField("Unit", validators=[Optional(), Length(max=30)], description="For example %, EUR m, days.")
    higher_is_better = SelectField("Better when", choices=[SelectChoice("1", "higher"), SelectChoice("0", "lower")])
    frequency = SelectField(
        "Measured", choices=[SelectChoice(MONTHLY, "monthly"), SelectChoice(QUARTERLY, "quarterly")]
    )
    scope = SelectField(
        "For", choices=[SelectChoice(ORGANISATION, "the organisation"), SelectChoice(PER_FUNCTION, "each function")]
    )
    submit = SubmitField("Save metric")


class ValueForm(FlaskForm):
    period = StringField("Period", validators=[DataRequired(), Length(max=7)], description="2025-07 or 2025-Q3.")
    function_id = SelectField("Function", coerce=_none_if_blank, validators=[Optional()])
    value = FloatField("Value", validators=[InputRequired(message="Enter a number."), FiniteNumber()])
    submit = SubmitField("Save value")


class ValuesImportForm(FlaskForm):
    file = FileField("Values CSV file", validators=[FileRequired("Choose a CSV file."),
                                                    FileAllowed(["csv"], "Only .csv files can be imported.")],
                     description="Columns: period, value, and function for per-function metrics.")
    submit = SubmitField("Import values")
