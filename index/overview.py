"""Overview counts of the index for the start page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def visited_by_prefecture(places: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """Distinct visited hosts per prefecture, most first, from (prefecture, municipality) pairs.

    A visit to the prefecture itself (municipality empty or equal to the
    prefecture) counts as one host; pairs without a prefecture are dropped.
    """
    hosts: dict[str, set[str]] = {}
    for prefecture, municipality in places:
        if prefecture:
            hosts.setdefault(prefecture, set()).add(municipality or prefecture)
    pairs = sorted(((p, len(m)) for p, m in hosts.items()), key=lambda p: (-p[1], p[0]))
    return [{"value": p, "count": n} for p, n in pairs]
