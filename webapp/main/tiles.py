"""Tile registries: domains register, webapp/main renders, never importing a domain.

A tile lives on a page ("home" or "profile"); data(viewer, subject) returns plain data for its
template, or None to hide it. On "home" the subject is the viewer.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from webapp.people.models import User
from webapp.roles import Role

TileData = Callable[[User, User], dict[str, Any] | None]
PAGES = ("home", "profile")


@dataclass(frozen=True)
class Tile:
    page: str
    name: str
    template: str
    data: TileData
    roles: frozenset[Role]
    order: int


TILES: dict[tuple[str, str], Tile] = {}


def register_tile(page: str, name: str, template: str, data: TileData, *roles: Role, order: int = 100) -> None:
    """Register (or replace) a tile on page, shown to viewers holding any of roles."""
    if page not in PAGES:
        raise ValueError(f"page must be one of {PAGES}")
    TILES[(page, name)] = Tile(page, name, template, data, frozenset(roles or (Role.EMPLOYEE,)), order)


def tiles_for(page: str, viewer: User, subject: User | None = None) -> list[tuple[Tile, dict[str, Any]]]:
    """The tiles of page this viewer may see, in order, with their data."""
    visible = sorted(
        (t for t in TILES.values() if t.page == page and viewer.has_role(*t.roles)),
        key=lambda t: (t.order, t.name),
    )
    rendered = []
    for tile in visible:
        data = tile.data(viewer, subject or viewer)
        if data is not None:
            rendered.append((tile, data))
    return rendered
