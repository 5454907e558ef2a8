"""Forms of recognition; field rules here, business rules in the services."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from recognition.rules import DEFAULT_COMPANY_VALUES, VALUE_NAME_MAX, VALUES_MAX
from webapp.forms import KeyedForm

PICKER = {"data-picker": "Type a name to search"}
PICKER_HELP = "Type to search and pick one or more."


class KudosForm(KeyedForm):
    recipients = SelectMultipleField(
        "Colleagues",
        coerce=int,
        validators=[DataRequired("Choose at least one colleague.")],
        description=PICKER_HELP,
        render_kw=PICKER,
    )
    message = TextAreaField("Message", validators=[DataRequired("Write a message."), Length(max=1000)])
    value_tag = SelectField("Company value", choices=[], validators=[DataRequired()])  # the view sets them
    points = IntegerField("Points for each colleague", default=10,
                          validators=[DataRequired("Give some points."), NumberRange(min=1, max=1000)])
    submit = SubmitField("Give kudos")


class AddonForm(KeyedForm):
    points = IntegerField("Add points", default=5, validators=[DataRequired(), NumberRange(min=1, max=100)])


class WinForm(KeyedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    story = TextAreaField("Story", validators=[DataRequired(), Length(min=20, max=5000)],
                          description="Markdown: **bold**, *italic*, lists and links. No HTML.")
    credited = SelectMultipleField(
        "People credited",
        coerce=int,
        validators=[DataRequired("Credit at least one person.")],
        description="People from two or more functions (not yourself).",
        render_kw=PICKER,
    )
    value_tags = SelectMultipleField("Company values", choices=[],  # the view sets them
                                     validators=[DataRequired("Choose one or more values.")],
                                     render_kw={"data-picker": "Type a value"})
    impact_amount = DecimalField("Impact amount", places=2, validators=[Optional(), NumberRange(min=0, max=10**11)],
                                 description="Optional.")
    impact_unit = StringField("Unit", validators=[Optional(), Length(max=24)], description="For example EUR or hours.")
    impact_outcome = StringField("Business outcome moved", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Log the win")


class ReasonForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired("Give a reason."), Length(max=500)])


class CommentForm(KeyedForm):
    body = StringField("Comment", validators=[DataRequired("Write a comment first."), Length(max=1000)])


class PolicyForm(FlaskForm):
    monthly_allowance = IntegerField("Monthly allowance (points)", validators=[DataRequired(), NumberRange(1, 10000)])
    per_report_extra = IntegerField("Extra per direct report", validators=[Optional(), NumberRange(0, 1000)], default=0)
    message_min = IntegerField("Minimum kudos message length (letters and digits)",
                               validators=[DataRequired(), NumberRange(1, 500)],
                               description="Spaces, punctuation and repeated characters do not count.")
    pair_daily_cap = IntegerField("Cap per giver and receiver in any 24 hours (points)",
                                  validators=[DataRequired(), NumberRange(1, 10000)])
    bridge_multiplier_pct = IntegerField("Bridge bonus multiplier (percent)",
                                         validators=[DataRequired(), NumberRange(100, 500)])
    win_points_per_function = IntegerField("Win points per credited function",
                                           validators=[DataRequired(), NumberRange(1, 10000)])
    reciprocity_window_days = IntegerField(
        "Trading window (days)", validators=[DataRequired(), NumberRange(1, 365)],
        description="Kudos between two people who gave each other kudos within this many days pay less.")
    allowance_reminder_days = IntegerField(
        "Remind of unspent allowance (days before month end)", validators=[DataRequired(), NumberRange(1, 27)])
    value_names = TextAreaField(
        "Company values", validators=[DataRequired("Name at least one value."),
                                      Length(max=VALUES_MAX * (VALUE_NAME_MAX + 2))],
        description=f"One per line (at most {VALUES_MAX}), in the order people choose from. Kudos and wins "
                    f"already tagged keep their value. For example: {', '.join(DEFAULT_COMPANY_VALUES[:3])}.")
    submit = SubmitField("Save")


EVENT_CHOICES = [
    SelectChoice("cross_kudos_given", "Cross-functional kudos given"),
    SelectChoice("kudos_received", "Kudos received"),
    SelectChoice("joint_win", "Credited on a published joint win"),
    SelectChoice("rotation_completed", "Rotation completed"),
    SelectChoice("visit_confirmed", "Joint customer visit confirmed"),
    SelectChoice("warning_raised", "Early warning raised to another function"),
]


class BadgeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    description = StringField("Description", validators=[DataRequired(), Length(max=200)])
    event = SelectField("Counted event", choices=EVENT_CHOICES, validators=[DataRequired()])
    threshold = IntegerField("Earned at count", validators=[DataRequired(), NumberRange(1, 1000)],
                             description="Awarded at the next counted event once a person's count reaches it.")
    submit = SubmitField("Save")
