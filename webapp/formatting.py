"""How the product writes dates, numbers, money and codes for people: the Jinja filters, through Flask-Babel.

One style throughout, in the organisation's locale (ORG_LOCALE) and time zone (ORG_TIMEZONE):
`date` ("1 Dec 2026"), `datetime` ("1 Dec 2026, 14:05", local time), `number` (counts as integers unless
digits are asked for), `signed` ("+0", "-6"), `money` ("EUR 42,000"), `plural` ("1 active person"),
`quantity` (an amount in a currency as money, else with its unit), `label` (a code by its name:
"one-team" is "One team", "hr" is "HR"). Templates use these, never strftime.
"""
from __future__ import annotations

from datetime import date, datetime

from babel.numbers import format_currency, is_currency
from flask import Flask, current_app
from flask_babel import format_date, format_decimal, format_time, get_locale

from webapp.extensions import babel

DATE_STYLE = "medium"  # en_GB: 1 Dec 2026
TIME_STYLE = "short"  # en_GB: 14:05
LABELS = {"hr": "HR"}  # the codes the plain rule (dashes to spaces, first letter capital) would get wrong


def init_app(app: Flask) -> None:
    """Configure Flask-Babel with the organisation's locale and time zone, and add the filters."""
    babel.init_app(app, locale_selector=lambda: current_app.config["ORG_LOCALE"],
                   timezone_selector=lambda: current_app.config["ORG_TIMEZONE"])
    app.jinja_env.filters.update(date=date_filter, datetime=datetime_filter, number=number, signed=signed,
                                 money=money, quantity=quantity, plural=plural, label=label)


def date_filter(value: date | datetime | None) -> str:
    """A day in the one date style (a moment is first moved to the organisation's time zone); "" for None."""
    return format_date(value, DATE_STYLE) if value is not None else ""


def datetime_filter(value: datetime | None) -> str:
    """A moment as the organisation's local day and time; "" for None."""
    if value is None:
        return ""
    return f"{format_date(value, DATE_STYLE)}, {format_time(value, TIME_STYLE)}"


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


def number(value: float | None, digits: int = 0) -> str:
    """value with the locale's separators, rounded to digits decimals (counts: none); "—" for None."""
    return "—" if value is None else format_decimal(value, _pattern(digits))


def signed(value: float | None, digits: int = 0) -> str:
    """A change, always with its sign ("+0", "+2.5", "-6"); "—" for None."""
    pattern = _pattern(digits)
    return "—" if value is None else format_decimal(value, f"+{pattern};-{pattern}")


def money(value: float | None, currency: str | None = None) -> str:
    """An amount with its ISO currency code before it and no cents ("EUR 42,000"); "—" for None."""
    if value is None:
        return "—"
    return format_currency(value, currency or current_app.config["ORG_CURRENCY"], format="¤¤ #,##0",
                           locale=get_locale(), currency_digits=False)


def quantity(value: float | None, unit: str = "") -> str:
    """An amount and its unit: money when the unit is a currency code ("EUR 42,000"), else "12.5 hours"."""
    if value is not None and unit.isupper() and is_currency(unit):
        return money(value, unit)
    digits = 0 if value is None or float(value).is_integer() else 2
    return f"{number(value, digits)} {unit}".rstrip()


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count and its noun, singular or plural as the count asks ("1 active person", "3 active people")."""
    noun = singular if get_locale().plural_form(abs(count)) == "one" else plural_form or singular + "s"
    return f"{number(count)} {noun}"


def label(code: str | None) -> str:
    """A code as people read it: "one-team" is "One team", "hr" is "HR", "pending_review" is "Pending review"."""
    if not code:
        return ""
    text = str(getattr(code, "value", code))
    return LABELS.get(text.lower()) or text.replace("-", " ").replace("_", " ").capitalize()
