"""View helpers shared by every blueprint: page-or-fragment rendering, form errors and status, safe redirects."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError

from webapp.errors import AlreadyRecorded, Refused, RuleError
from webapp.extensions import db, htmx

T = TypeVar("T")


def wants_fragment() -> bool:
    """True for an htmx request that is neither boosted nor a history restore: it gets the fragment."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(page: str, fragment: str, **context) -> str:
    """One URL, two renderings: the page normally, the fragment for a plain htmx request."""
    return render_template(fragment if wants_fragment() else page, **context)


def field_aria(field) -> dict[str, str]:
    """aria-invalid and aria-describedby for a WTForms field, matching the forms macro's ids."""
    described_by = [f"{field.id}-help"] if field.description else []
    attrs: dict[str, str] = {}
    if field.errors:
        described_by.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return attrs


def form_status(form) -> int:
    """400 when the form or any field shows an error (also errors added after validation), else 200."""
    return 400 if form.form_errors or any(field.errors for field in form) else 200


def sparkline_points(series: list[tuple[str, float | None]], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a sparkline (gaps for missing values are skipped)."""
    values = [v for _, v in series if v is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(len(series) - 1, 1)
    points = [
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, (_, v) in enumerate(series) if v is not None
    ]
    return " ".join(points)


def safe_next(target: str | None) -> str | None:
    """Return target only when it is a local path on this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def redirect_back(default_url: str):
    """303 to the form's (or query's) local `next` path, else to default_url: inline forms return whence they came."""
    target = safe_next(request.form.get("next")) or safe_next(request.args.get("next"))
    return redirect(target or default_url, code=303)


def show_rule_error(form, error: Exception) -> None:
    """A service's rule error beside the form field it names (error.field), else as a flash for the whole form.

    Either way the form counts as failed (see form_status).
    """
    name = getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))
        flash(str(error), "danger")


def commit_or_show(form, write: Callable[[], T], replayed: Callable[[], object] = lambda: None) -> T | None:
    """The transaction boundary for a form: run one service write and commit, returning its result.

    A rule error rolls back and shows beside the form's field (or as a flash); a unique-key clash
    (a replay racing the first request) shows "already recorded"; a refusal answers 403.
    A create form passes replayed (truthy once its idempotency key is used): a failed write whose key the
    first request has used by then is a replay, "already recorded", whatever rule it tripped. A replay
    that checked the key just before the first request committed trips the next rule the first one made
    true (a duplicate, a unique name), and that message would hide the one a replay needs.
    """
    try:
        result = write()
        db.session.commit()
        return result
    except Refused as refusal:
        db.session.rollback()
        abort(403, description=str(refusal))
    except IntegrityError:
        db.session.rollback()
        error: RuleError = AlreadyRecorded()
    except RuleError as caught:
        db.session.rollback()
        error = caught
    if not isinstance(error, AlreadyRecorded) and replayed():
        error = AlreadyRecorded()
    show_rule_error(form, error)
    return None


def commit_or_flash(write: Callable[[], T], success: str | None = None,
                    replayed: Callable[[], object] = lambda: None) -> T | None:
    """The transaction boundary without a form: as commit_or_show, the outcome said in a flash message."""
    form = _FormlessErrors()
    result = commit_or_show(form, write, replayed)
    if result is not None and success:
        flash(success, "success")
    return result


class _FormlessErrors:
    """Stands in for a form where a write has none: its errors become flash messages."""

    def __init__(self) -> None:
        self.form_errors: list[str] = []


ICON_SPRITE = "vendor/bootstrap-icons-1.13.2-subset.svg"  # add a symbol there to use a new name


def icon(name: str, size: int = 16) -> Markup:
    """A Bootstrap icon from the vendored sprite (decoration: its control also carries text). Drawn from Python,
    not a template macro: a feed page draws a hundred of them, and each one costs a string format here."""
    sprite = g.get("icon_sprite_url")
    if sprite is None:
        sprite = g.icon_sprite_url = url_for("static", filename=ICON_SPRITE)
    return Markup(
        f'<svg class="bi" width="{escape(size)}" height="{escape(size)}" aria-hidden="true" focusable="false">'
        f'<use href="{escape(sprite)}#{escape(name)}"></use></svg>'
    )
