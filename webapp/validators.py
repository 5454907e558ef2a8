"""Number checks shared by forms and imports: a value must be finite and of a size a person could mean."""
from __future__ import annotations

import math

from wtforms.validators import ValidationError

MAX_MAGNITUDE = 1e15  # beyond this a float loses whole units, and no business figure here is that large


def finite_number(value: float | None) -> float | None:
    """value when it is a finite number within ±MAX_MAGNITUDE, else None (NaN, infinities, absurd sizes)."""
    if value is None or not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        return None
    return value


def parse_finite_number(text: str) -> float | None:
    """A finite, bounded number from text such as "1,250.5", or None."""
    try:
        return finite_number(float(text.replace(",", "").strip()))
    except ValueError:
        return None


class FiniteNumber:
    """WTForms validator: the field's number is finite and within ±MAX_MAGNITUDE."""

    def __init__(
        self, message: str = f"Enter a number between -{MAX_MAGNITUDE:,.0f} and {MAX_MAGNITUDE:,.0f}."
    ) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is not None and finite_number(field.data) is None:
            raise ValidationError(self.message)
