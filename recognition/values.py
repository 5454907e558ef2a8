"""The company values as people see them: the choices of the kudos and win forms, the names in the feed."""
from __future__ import annotations

from flask import g
from wtforms.fields.choices import SelectChoice

from recognition.services import company_values
from webapp.formatting import label


def value_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in company_values().items()]


def company_value_name(code: str) -> str:
    """The name of a value code (the template filter company_value; read once per request); a value the admin
    has since removed reads from its code."""
    if "company_values" not in g:
        g.company_values = company_values()
    return g.company_values.get(code) or label(code)
