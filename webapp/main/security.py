"""Security headers on every response.

A strict Content-Security-Policy, HSTS in production, no-store for private pages."""

from flask import Response, current_app, request
from flask_login import current_user

from webapp.auth.access import PUBLIC

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)
EXPORT_TYPES = frozenset({"text/csv", "text/calendar"})


def set_security_headers(response: Response) -> Response:
    """after_request: CSP and the usual hardening headers."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["HSTS_MAX_AGE"]:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={current_app.config['HSTS_MAX_AGE']}")
    if _is_private(response):
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_private(response: Response) -> bool:
    """Exports, and every page of a non-public view for a signed-in person: no cache may keep a copy."""
    if response.mimetype in EXPORT_TYPES or response.headers.get("Content-Disposition", "").startswith("attachment"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "access", PUBLIC) != PUBLIC and current_user.is_authenticated
