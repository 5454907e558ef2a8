"""Route access: every view names who may use it, and undeclared views are refused."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from webapp.roles import Role

View = TypeVar("View", bound=Callable)
PUBLIC = "public"


def is_static_files(endpoint: str) -> bool:
    """Flask's own static file views (the app's, and each blueprint's static_folder): public files."""
    return endpoint == "static" or endpoint.endswith(".static")


def public(view: View) -> View:
    """Anyone, signed in or not, may use this view."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Only signed-in people holding one of roles (Role.EMPLOYEE: anyone signed in)."""
    if not roles:
        raise ValueError("name at least one role")

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        checked.access = frozenset(roles)  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


signed_in = roles_required(Role.EMPLOYEE)


def refuse_undeclared_views() -> None:
    """before_request: a view without an access declaration is a bug, so refuse it (fail closed)."""
    endpoint = request.endpoint
    if endpoint is None or is_static_files(endpoint):
        return
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "access", None) is None:
        current_app.logger.error("view %s declares no access rule", endpoint)
        abort(403)
