"""The navigation, grouped into menus and filtered by what the signed-in person may use."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_login import current_user

from webapp.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[Role]
    group: str | None


NAV_ITEMS: list[NavItem] = []


def register_nav_item(label: str, endpoint: str, *roles: Role, group: str | None = None) -> None:
    """Add a navigation entry (in the menu named group, if any) for people holding any of roles."""
    if all(item.endpoint != endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(label, endpoint, frozenset(roles or (Role.EMPLOYEE,)), group))


def inject_navigation() -> dict:
    """Context processor: nav_items(), computed only when a page draws the navigation (fragments never do)."""
    return {"nav_items": navigation_entries, "Role": Role}


def navigation_entries() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Nav entries as (label, href, children) — children non-empty for a menu."""
    if not current_user.is_authenticated:
        return []
    entries: list[tuple[str, str, list[tuple[str, str]]]] = []
    menus: dict[str, list[tuple[str, str]]] = {}
    for item in NAV_ITEMS:
        if item.endpoint not in current_app.view_functions or not current_user.has_role(*item.roles):
            continue
        link = (item.label, url_for(item.endpoint))
        if item.group is None:
            entries.append((*link, []))
        elif item.group in menus:
            menus[item.group].append(link)
        else:
            menus[item.group] = [link]
            entries.append((item.group, link[1], menus[item.group]))
    return entries
