"""Forms for accounts, visits, notes, follow-ups and the accounts import."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from programs.visits import rules
from programs.visits.models import (
    ACCOUNT_NAME_MAX,
    LABEL_MAX,
    PURPOSE_MAX,
    TEXT_MAX,
    FollowUpStatus,
    VisitMode,
)
from webapp.forms import KeyedForm
from webapp.people.models import EMAIL_MAX

MODE_LABELS = {VisitMode.ON_SITE.value: "On site", VisitMode.VIRTUAL.value: "Virtual"}
FOLLOW_UP_LABELS = {FollowUpStatus.OPEN.value: "Open", FollowUpStatus.IN_PROGRESS.value: "In progress",
                    FollowUpStatus.DONE.value: "Done", FollowUpStatus.DROPPED.value: "Dropped"}


def _int_or_none(value):
    return None if value in ("", None, "None") else int(value)




class AccountForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=ACCOUNT_NAME_MAX)])
    segment = StringField(
        "Segment", validators=[Optional(), Length(max=LABEL_MAX)], description="For example Enterprise."
    )
    region = StringField("Region", validators=[Optional(), Length(max=LABEL_MAX)])
    owner_email = EmailField("Account owner's email", validators=[Optional(), Email(), Length(max=EMAIL_MAX)],
                             description="Optional.")
    submit = SubmitField("Save")


class VisitForm(KeyedForm):
    account_id = SelectField("Account", coerce=int, validators=[DataRequired("Choose an account.")])
    visit_on = DateField("Date", validators=[DataRequired("Give the date (YYYY-MM-DD).")])
    mode = RadioField(
        "Where",
        choices=[SelectChoice(v, label) for v, label in MODE_LABELS.items()],
        default=VisitMode.ON_SITE.value,
        validators=[DataRequired()],
    )
    purpose = StringField("Purpose", validators=[DataRequired(), Length(max=PURPOSE_MAX)])
    attendee_ids = SelectMultipleField(
        "Internal attendees", coerce=int, validators=[DataRequired("Pick the internal attendees.")],
        description="Type to search and pick several. A visit is joint with attendees from two or more functions.",
    )
    contacts = TextAreaField("The customer's people", validators=[Optional(), Length(max=TEXT_MAX)],
                             description="One per line: name, role (e.g. “Jo Smith, CFO”).")
    agenda = TextAreaField("Agenda", validators=[Optional(), Length(max=TEXT_MAX)])
    already_held = BooleanField("This visit has already taken place (log it as held)")
    submit = SubmitField("Save the visit")

    def validate_contacts(self, field) -> None:
        problems = rules.parse_contacts(field.data or "")[1]
        if problems:
            raise ValidationError(" ".join(problems))

    def contact_pairs(self) -> list[tuple[str, str]]:
        """The customer's people as (name, role) pairs."""
        return rules.parse_contacts(self.contacts.data or "")[0]


class OutcomeForm(FlaskForm):
    summary = TextAreaField("Shared summary", validators=[Optional(), Length(max=TEXT_MAX)])
    sentiment = SelectField(
        "Customer sentiment",
        coerce=_int_or_none,
        validators=[Optional()],
        choices=[SelectChoice("", "Not rated"), *(SelectChoice(str(n), f"{n} of 5") for n in range(1, 6))],
        description="1 is very unhappy, 5 is very happy.",
    )
    internal_only = BooleanField("Internal only (no item in the celebration feed)")
    submit = SubmitField("Save the summary")


class NoteForm(FlaskForm):
    body = TextAreaField("Your function's note", validators=[Optional(), Length(max=TEXT_MAX)])
    learnings = StringField("Learnings (tags)", validators=[Optional(), Length(max=600)],
                            description="Comma-separated, e.g. payment terms, cost to serve.")
    revision = HiddenField(
        validators=[Optional(), Regexp(r"^\d{1,6}$", message="This form is out of date; reload the page.")]
    )
    submit = SubmitField("Save the note")

    def seen_revisions(self) -> int | None:
        """How many versions of the note the writer saw when the form was drawn (None: not said)."""
        return int(self.revision.data) if self.revision.data else None


class FollowUpForm(KeyedForm):
    description = StringField("What needs doing", validators=[DataRequired(), Length(max=PURPOSE_MAX * 2)])
    owner_id = SelectField("Owner", coerce=int, validators=[DataRequired("Choose an owner.")])
    due_on = DateField("Due on", validators=[DataRequired("Give a due date (YYYY-MM-DD).")])
    needs_both = BooleanField("Needs both functions (an owner from each)")
    partner_owner_id = SelectField("Owner from the other function", coerce=_int_or_none, validators=[Optional()])
    submit = SubmitField("Add the follow-up")


class FollowUpUpdateForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(v, label) for v, label in FOLLOW_UP_LABELS.items()],
        validators=[InputRequired()],
    )
    outcome = TextAreaField("Outcome", validators=[Optional(), Length(max=TEXT_MAX)],
                            description="Needed to mark it done.")
    submit = SubmitField("Update")


class VisitPolicyForm(FlaskForm):
    backdate_days = IntegerField(
        "How far back a visit may be logged as held (days)", validators=[InputRequired(), NumberRange(1, 3650)],
        description="Older visits cannot be logged, so points always belong to recent, checkable visits.")
    pair_monthly_cap = IntegerField(
        "Visits with points per pair and month", validators=[InputRequired(), NumberRange(1, 100)],
        description="Per author and confirmer, by the month of the visit; further visits are confirmed without points.")
    submit = SubmitField("Save the settings")


class AccountImportForm(FlaskForm):
    file = FileField(
        "Accounts CSV file",
        validators=[FileRequired("Choose a CSV file."), FileAllowed(["csv"], "Only .csv files can be imported.")],
        description="Columns: name (required), segment, region, owner_email.",
    )
    submit = SubmitField("Upload and preview")


