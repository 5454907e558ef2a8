"""Form parts every package shares: the create form whose idempotency key makes a replay record nothing."""
from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from webapp.db import KEY_MAX

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
