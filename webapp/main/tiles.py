"""Tile registries: domains register, webapp/main renders, never importing a domain.

A tile lives on a page ("home" or "profile"); data(viewer, subject) returns plain data for its
template, or None to hide it. On "home" the subject is the viewer. The home page's tiles are rendered
once per viewer and day and cached (webapp/cache.py) until the next write to the data they show.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template_string
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from webapp import clock
from webapp.cache import DATA, remember
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


_CSRF_PLACEHOLDER = "cg-csrf-token-placeholder"  # cached markup holds this; each request puts its own token in
_TILE_MARKUP = "{% include tile.template %}"


def rendered_home_tiles(viewer: User) -> list[tuple[str, Markup]]:
    """(tile name, markup) of the viewer's home tiles, from the cache while no write changed what they show."""
    key = f"home-tiles:{viewer.id}:{clock.today()}"
    cached = remember([DATA], key, lambda: _render_tiles("home", viewer))
    token = generate_csrf()
    return [(name, Markup(markup.replace(_CSRF_PLACEHOLDER, token))) for name, markup in cached]


def _render_tiles(page: str, viewer: User) -> list[tuple[str, str]]:
    return [
        (tile.name, render_template_string(_TILE_MARKUP, tile=tile, data=data, csrf_token=lambda: _CSRF_PLACEHOLDER))
        for tile, data in tiles_for(page, viewer)
    ]
