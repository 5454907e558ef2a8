"""Icons come from the vendored SVG subset, never from an emoji font the machine may not have."""
from __future__ import annotations

import re
from pathlib import Path

from recognition import rules

ROOT = Path(__file__).resolve().parent.parent
SPRITE = ROOT / "webapp/static/vendor/bootstrap-icons-1.13.2-subset.svg"
PACKAGES = ("webapp", "programs", "rotation", "recognition")
PICTOGRAPHS = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF]")


def _templates() -> list[Path]:
    return [path for package in PACKAGES for path in (ROOT / package).glob("**/templates/**/*.html")]


def _symbols() -> set[str]:
    return set(re.findall(r'<symbol[^>]* id="([^"]+)"', SPRITE.read_text()))


def test_every_icon_a_template_or_reaction_names_is_in_the_sprite():
    named = set(rules.REACTIONS.values())
    for template in _templates():
        named |= set(re.findall(r'icon\("([a-z0-9-]+)"', template.read_text()))
    assert "bell" in named and "heart" in named
    assert named <= _symbols()


def test_no_template_or_rule_draws_with_emoji():
    sources = [*_templates(), ROOT / "recognition/rules.py"]
    offenders = [str(path) for path in sources if PICTOGRAPHS.search(path.read_text())]
    assert offenders == []
