"""Form parts every package shares: the create form whose idempotency key makes a replay record nothing."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from webapp.db import KEY_MAX
from webapp.errors import AlreadyRecorded
from webapp.extensions import db

OUT_OF_DATE = "This form is out of date; reload the page."


def new_key() -> str:
    """A fresh idempotency key for a create form."""
    return secrets.token_urlsafe(24)


class KeyedForm(FlaskForm):
    """A create form with a hidden idempotency key: the unique key column turns a replay into "already recorded"."""

    idempotency_key = HiddenField(default=new_key, validators=[
        DataRequired(OUT_OF_DATE), Regexp(rf"^[A-Za-z0-9_-]{{16,{KEY_MAX}}}$", message=OUT_OF_DATE)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():  # a fresh key per rendering, also when editing a row that has one
            self.idempotency_key.data = new_key()

    def replay_of(self, model) -> Callable[[], int | None]:
        """For commit_or_show: looks up, when asked, the id of the model's row this form's key already made."""
        return lambda: key_used(model, self.idempotency_key.data)


def key_used(model, key: str | None) -> int | None:
    """The id of the row of model (with an idempotency_key column) that a create form with this key made, if any."""
    return db.session.scalar(select(model.id).where(model.idempotency_key == key)) if key else None


def refuse_replay(model, key: str | None, field: str | None = None) -> None:
    """A create form whose key was already used is a replay: the first submission counts (AlreadyRecorded)."""
    if key_used(model, key) is not None:
        raise AlreadyRecorded(field=field)
