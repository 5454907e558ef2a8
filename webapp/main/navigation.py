"""The navigation, filtered by what the signed-in person may use."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_login import current_user

from webapp.people.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[Role]


NAV_ITEMS: list[NavItem] = []


def register_nav_item(label: str, endpoint: str, *roles: Role) -> None:
    """Add a navigation entry shown to people holding any of roles (once per endpoint)."""
    if all(item.endpoint != endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(label, endpoint, frozenset(roles or (Role.EMPLOYEE,))))


def inject_navigation() -> dict:
    """Context processor: the nav items the current person may use."""
    if not current_user.is_authenticated:
        return {"nav_items": [], "Role": Role}
    items = [
        (item.label, url_for(item.endpoint))
        for item in NAV_ITEMS
        if item.endpoint in current_app.view_functions and current_user.has_role(*item.roles)
    ]
    return {"nav_items": items, "Role": Role}
