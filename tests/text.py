"""Reading values out of pages and command output in tests."""
from __future__ import annotations

import re


def captured(pattern: str, text: str, flags: int = 0) -> str:
    """The first group of pattern's first match in text; fails the test when there is none."""
    match = re.search(pattern, text, flags)
    if match is None:
        raise AssertionError(f"{pattern!r} not found in {text[:300]!r}")
    return match.group(1)
