"""The notification settings form: a channel for each kind of notification, and the weekly digest."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from webapp.notifications.models import CHANNELS
from webapp.notifications.services import KINDS

DIGEST_HELP = "One e-mail on Monday with last week's notifications, instead of an e-mail for each."

CHANNEL_CHOICES = [SelectChoice(value, label) for value, label in CHANNELS.items()]


def channel_field(kind: str) -> str:
    return "channel_" + kind.replace("-", "_")


class SettingsFormBase(FlaskForm):
    """What every settings form has; NotificationSettingsForm adds a channel field per kind."""

    def channels(self) -> dict[str, str]:
        return {kind: self[channel_field(kind)].data for kind in KINDS}


NotificationSettingsForm = type("NotificationSettingsForm", (SettingsFormBase,), {
    **{channel_field(kind): SelectField(label, choices=CHANNEL_CHOICES) for kind, label in KINDS.items()},
    "weekly_digest": BooleanField("Send me a weekly digest instead of single e-mails", description=DIGEST_HELP),
    "submit": SubmitField("Save settings"),
})
