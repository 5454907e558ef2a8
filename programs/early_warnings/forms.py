"""Forms for raising a warning, acknowledging, the thread, closing, reopening, reconciling and the settings."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from programs.early_warnings.models import TEXT_MAX, TITLE_MAX, Confidence, Outcome, WarningKind
from programs.early_warnings.services import CURRENCIES
from webapp.forms import KeyedForm
from webapp.validators import FiniteNumber

KIND_LABELS = {WarningKind.COST.value: "Cost", WarningKind.DEMAND.value: "Demand",
               WarningKind.CUSTOMER.value: "Customer", WarningKind.SUPPLIER.value: "Supplier",
               WarningKind.COMPETITION.value: "Competition", WarningKind.OTHER.value: "Other"}
CONFIDENCE_LABELS = {Confidence.LOW.value: "Low: a hunch worth sharing", Confidence.MEDIUM.value: "Medium",
                     Confidence.HIGH.value: "High: the signs are clear"}
OUTCOME_LABELS = {
    Outcome.MATERIALISED.value: "It happened as estimated",
    Outcome.SMALLER.value: "Smaller than estimated",
    Outcome.LARGER.value: "Larger than estimated",
    Outcome.AVOIDED.value: "Avoided (a good catch)",
}
STATUS_LABELS = {"draft": "Draft", "raised": "Waiting for acknowledgement", "acknowledged": "Acknowledged",
                 "closed": "Closed"}


def _int_or_none(value):
    return None if value in ("", None, "None") else int(value)


def _amount(label: str) -> FloatField:
    """An impact amount: optional while a draft; services.save_warning owns its rules (finite, positive, bounded)."""
    return FloatField(label, validators=[Optional()], render_kw={"inputmode": "decimal"})


class WarningForm(KeyedForm):
    to_function_id = SelectField(
        "To which function", coerce=_int_or_none, validators=[DataRequired("Choose a function.")]
    )
    title = StringField("What is happening", validators=[DataRequired(), Length(max=TITLE_MAX)],
                        description="One line, e.g. “Steel prices up 12% since September”.")
    kind = SelectField(
        "Kind", choices=[SelectChoice(v, label) for v, label in KIND_LABELS.items()], validators=[DataRequired()]
    )
    description = TextAreaField("Details", validators=[Optional(), Length(max=TEXT_MAX)])
    impact_low = _amount("Estimated impact: at least")
    impact_high = _amount("Estimated impact: at most")
    currency = SelectField("Currency", choices=[SelectChoice(c, c) for c in CURRENCIES], default="EUR")
    period = StringField("The period it will hit", validators=[Optional(), Length(max=7)],
                         description="A month (2026-07) or a quarter (2026-Q3); a draft can leave it for later.")
    metric_id = SelectField("The outcome metric it will move", coerce=_int_or_none, validators=[Optional()],
                            description="Optional; it lets the period close match the numbers to your warning.")
    confidence = SelectField(
        "How confident are you",
        choices=[SelectChoice(v, label) for v, label in CONFIDENCE_LABELS.items()],
        default="medium",
    )
    help_needed = TextAreaField("What help you need", validators=[Optional(), Length(max=TEXT_MAX)])
    show_name = BooleanField("Show my name to the receiving function (nobody else ever sees it)")
    save_draft = SubmitField("Save as draft")
    submit = SubmitField("Raise the warning")


class AcknowledgeForm(FlaskForm):
    next_step = TextAreaField(
        "Next step",
        validators=[DataRequired("Name the next step."), Length(max=TEXT_MAX)],
        description="What your function will do now, e.g. “Review the Q3 forecast with Ops on Monday”.",
    )
    submit = SubmitField("Acknowledge")


class CommentForm(KeyedForm):
    body = TextAreaField("Add to the discussion", validators=[DataRequired("Write something first."),
                                                              Length(max=TEXT_MAX)])
    submit = SubmitField("Post")


class CloseForm(FlaskForm):
    outcome = SelectField(
        "What actually happened",
        choices=[SelectChoice("", "Choose"), *(SelectChoice(v, label) for v, label in OUTCOME_LABELS.items())],
        validators=[DataRequired("Choose what happened.")],
    )
    actual_impact = FloatField("Actual impact", validators=[InputRequired("Enter an amount (0 when avoided)."),
                                                            FiniteNumber()], render_kw={"inputmode": "decimal"})
    closing_note = TextAreaField("Note", validators=[Optional(), Length(max=TEXT_MAX)])
    submit = SubmitField("Close the warning")


class ReopenForm(FlaskForm):
    reason = StringField("Why reopen it", validators=[DataRequired("Say why it is reopened."), Length(max=TITLE_MAX)])
    submit = SubmitField("Reopen")


class ReconcileForm(FlaskForm):
    period = StringField("Period to reconcile", validators=[DataRequired(), Length(max=7)],
                         description="A closed month (2026-07) or quarter (2026-Q3).")
    submit = SubmitField("Reconcile")


class WarningPolicyForm(FlaskForm):
    response_days = IntegerField("Response time (working days)", validators=[InputRequired(), NumberRange(1, 20)])
    material_percent = FloatField("Material variance: percent of the expected value",
                                  validators=[InputRequired(), FiniteNumber(), NumberRange(0.1, 100)])
    material_amount = FloatField(
        "Material variance: fixed amount",
        validators=[InputRequired(), FiniteNumber(), NumberRange(0.01, 1e12)],
        description="A variance is material beyond the percent or this amount, whichever is lower.",
    )
    submit = SubmitField("Save")
