"""Forms of joint reviews. No field asks who is to blame."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from programs.joint_reviews.models import TEXT_MAX, TITLE_MAX, TOPIC_MAX, FactorTag, FindingKind, ReviewKind
from webapp.forms import KeyedForm

KIND_LABELS = {
    ReviewKind.INCIDENT.value: "An incident",
    ReviewKind.MISSED_TARGET.value: "A missed target",
    ReviewKind.ESCALATION.value: "A customer escalation",
    ReviewKind.BUDGET_OVERRUN.value: "A budget overrun",
}
TAG_LABELS = {FactorTag.PROCESS.value: "Process", FactorTag.DATA.value: "Data",
              FactorTag.COMMUNICATION.value: "Communication", FactorTag.INCENTIVES.value: "Incentives",
              FactorTag.CAPACITY.value: "Capacity"}
FINDING_LABELS = {
    FindingKind.FACTOR.value: "A contributing factor",
    FindingKind.WENT_WELL.value: "Something that went well",
}
NUDGE_HX = {"hx-trigger": "input changed delay:500ms", "hx-swap": "innerHTML"}


def _text(value: str | None) -> str:
    return (value or "").strip()


class ReviewForm(KeyedForm):
    title = StringField("What went wrong, in a line", validators=[DataRequired(), Length(max=TITLE_MAX)])
    kind = RadioField("What kind of thing", choices=[SelectChoice(v, label) for v, label in KIND_LABELS.items()],
                      validators=[InputRequired("Choose what kind of thing went wrong.")])
    happened_on = DateField("When it happened", validators=[DataRequired("Give the date (YYYY-MM-DD).")])
    summary = TextAreaField("What happened (the facts, no names needed)", validators=[Optional(), Length(max=TEXT_MAX)])
    participant_ids = SelectMultipleField(
        "Participants", coerce=int, validators=[DataRequired("Pick the participants.")],
        description="People from at least two functions; you take part too.")


class EntryForm(KeyedForm):
    at = DateTimeLocalField("When", format="%Y-%m-%dT%H:%M", validators=[DataRequired("Give the date and time.")])
    topic = StringField("Moment", validators=[DataRequired(), Length(max=TOPIC_MAX)],
                        description="A few words both functions would use, e.g. “invoice held”.")
    text = TextAreaField("What your function saw and did", validators=[Optional(), Length(max=TEXT_MAX)],
                         render_kw=NUDGE_HX)


class FindingForm(KeyedForm):
    kind = RadioField("This is", choices=[SelectChoice(v, label) for v, label in FINDING_LABELS.items()],
                      default=FindingKind.FACTOR.value, validators=[InputRequired()])
    tag = SelectField("Factor", choices=[SelectChoice("", "Choose for a factor")] + [
        SelectChoice(v, label) for v, label in TAG_LABELS.items()], validators=[Optional()],
        description="Ask “what” and “how” until the cause is a process, not a person.")
    text = TextAreaField("Describe it", validators=[DataRequired(), Length(max=TEXT_MAX)], render_kw=NUDGE_HX)


class ActionForm(KeyedForm):
    description = StringField("Action", validators=[DataRequired(), Length(max=TITLE_MAX * 2)])
    owner_id = SelectField("Owner", coerce=int, validate_choice=False,  # the service says why an owner is refused
                           validators=[DataRequired("Choose one owner.")])
    due_on = DateField("Due", validators=[DataRequired("Give the due date (YYYY-MM-DD).")])


class SignOffForm(FlaskForm):
    fair = RadioField("Is this account fair to my team?", choices=[
        SelectChoice("yes", "Yes: sign off for my function"), SelectChoice("no", "Not yet")],
        validators=[InputRequired("Answer yes or not yet.")])
    comment = TextAreaField("Comment (what is missing, when not yet)", validators=[Optional(), Length(max=TEXT_MAX)])


class LinkForm(FlaskForm):
    record_id = SelectField("Earlier warning of the pair", coerce=str, validators=[Optional()])
