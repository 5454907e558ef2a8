"""Forms of the request template, the answer's options and conditions, the what-if driver, decisions and look-back."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FloatField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from programs.resource_requests.models import CASE_MAX, LABEL_MAX, TEXT_MAX, TITLE_MAX, LookbackResult, OptionKind
from programs.resource_requests.services import CURRENCIES
from programs.resource_requests.whatif import COMPARISONS
from webapp.forms import KeyedForm

KIND_LABELS = {OptionKind.YES_IF.value: "Yes, if…", OptionKind.ALTERNATIVE.value: "An alternative",
               OptionKind.NO.value: "A plain no"}
RESULT_LABELS = {LookbackResult.GOOD.value: "It delivered", LookbackResult.MIXED.value: "Partly",
                 LookbackResult.POOR.value: "It did not deliver"}
NUMBER = {"inputmode": "decimal"}


def _int_or_none(value):
    return None if value in ("", None, "None") else int(value)


class RequestForm(KeyedForm):
    title = StringField("What you ask for", validators=[DataRequired(), Length(max=TITLE_MAX)],
                        description="For example: three more field technicians.")
    to_function_id = SelectField("Function you ask", coerce=_int_or_none, validators=[InputRequired()])
    need = TextAreaField("The need, and why now", validators=[DataRequired(), Length(max=TEXT_MAX)])
    impact = TextAreaField("Customer or operational impact", validators=[DataRequired(), Length(max=TEXT_MAX)])
    cost_one_off = DecimalField("One-off cost", places=2, validators=[InputRequired()], render_kw=NUMBER)
    cost_monthly = DecimalField("Monthly cost", places=2, validators=[InputRequired()], render_kw=NUMBER)
    currency = SelectField("Currency", choices=[SelectChoice(c, c) for c in CURRENCIES])
    deadline = DateField("Decision needed by", validators=[InputRequired("Give the deadline.")])
    alternatives = TextAreaField("Alternatives already considered", validators=[DataRequired(), Length(max=TEXT_MAX)])
    expected_return = TextAreaField("Estimated return", validators=[Optional(), Length(max=TEXT_MAX)],
                                    description="Optional: what it earns or saves, where there is an estimate.")
    driver = StringField("The number that drives the need", validators=[DataRequired(), Length(max=LABEL_MAX)],
                         description="For example: monthly orders. The what-if table moves it.")
    driver_value = FloatField("Its value today", validators=[InputRequired()], render_kw=NUMBER)
    submit = SubmitField("Send the request")


class OptionForm(KeyedForm):
    kind = RadioField(
        "Kind", choices=[SelectChoice(v, label) for v, label in KIND_LABELS.items()], default=OptionKind.YES_IF.value
    )
    label = StringField("The option", validators=[DataRequired(), Length(max=TITLE_MAX)],
                        description="For example: hire two contractors for three months.")
    fixed_monthly = DecimalField("Fixed cost per month", places=2, validators=[InputRequired()], render_kw=NUMBER)
    per_unit = DecimalField("Cost per month for each unit of the driver", places=4, validators=[InputRequired()],
                            render_kw=NUMBER)
    capacity = FloatField("Capacity (the most of the driver it handles)", validators=[Optional()], render_kw=NUMBER,
                          description="Leave empty when it has no limit.")
    risk = TextAreaField("Risk", validators=[Optional(), Length(max=TEXT_MAX)])
    look_again_on = DateField("When to look again", validators=[Optional()],
                              description="Needed for every option but a plain no.")
    submit = SubmitField("Add the option")


class ConditionForm(KeyedForm):
    driver = StringField("Driver", validators=[DataRequired(), Length(max=LABEL_MAX)])
    metric_id = SelectField("Linked outcome metric", coerce=_int_or_none, validators=[Optional()],
                            description="Optional: its value is taken on the review date; else enter it by hand.")
    comparison = SelectField(
        "Comparison", choices=[SelectChoice(key, label) for key, (label, _) in COMPARISONS.items()]
    )
    threshold = FloatField("Threshold", validators=[InputRequired()], render_kw=NUMBER)
    review_on = DateField("Review date", validators=[InputRequired("Give the review date.")])
    submit = SubmitField("Add the condition")


class AnswerForm(FlaskForm):
    submit = SubmitField("Send the answer")


class DriverForm(FlaskForm):
    driver_value = FloatField("Driver value", validators=[InputRequired("Enter a number.")], render_kw=NUMBER)
    submit = SubmitField("Show the table")


class PickForm(FlaskForm):
    option_id = RadioField("Option", coerce=_int_or_none, validators=[InputRequired("Choose an option.")])
    reasons = TextAreaField("Why this option", validators=[DataRequired(), Length(max=TEXT_MAX)])
    submit = SubmitField("Pick this option")


class ConfirmForm(FlaskForm):
    consulted = StringField("Who was consulted", validators=[Optional(), Length(max=TEXT_MAX)])
    reasons = TextAreaField("Reasons", validators=[DataRequired(), Length(max=TEXT_MAX)])
    submit = SubmitField("Confirm the decision")


class LeaderDecisionForm(PickForm):
    consulted = StringField("Who was consulted", validators=[Optional(), Length(max=TEXT_MAX)])
    submit = SubmitField("Decide")


class CaseForm(FlaskForm):
    body = TextAreaField("Your side's case (one page)", validators=[DataRequired(), Length(max=CASE_MAX)])
    submit = SubmitField("Send the case")


class ActualForm(FlaskForm):
    actual = FloatField("Actual value", validators=[InputRequired("Enter a number.")], render_kw=NUMBER)
    submit = SubmitField("Record")


class LookbackForm(FlaskForm):
    result = RadioField(
        "Result",
        choices=[SelectChoice(v, label) for v, label in RESULT_LABELS.items()],
        validators=[InputRequired("Choose a result.")],
    )
    note = TextAreaField("What happened", validators=[DataRequired(), Length(max=TEXT_MAX)])
    submit = SubmitField("Record the look-back")


class ReopenForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=TEXT_MAX)])
    submit = SubmitField("Reopen")
