"""Places named in a query: 「福岡市 kintone」 asks about kintone in 福岡市's visits.

A municipality or prefecture written in the query (by its name, or as a word
of its own by its reading: ふくおかし, こうべ, kobe) scopes the search to the
reports that visited it; the rest of the query is what is searched.  Names
inside a quoted phrase are searched as written.  A name glued to a kanji
before it (空港区域 holds 港区) is part of another word, not a place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb.municipalities import READING, Municipality, MunicipalityTable

_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」')
_KANJI = re.compile(r"[\u4e00-\u9fff々〆ヶ]")
_MIN_READING_CHARS = 2


@dataclass(frozen=True)
class Place:
    """One place a query names: a municipality (with its code) or a prefecture."""

    name: str
    prefecture: str
    code: str
    written: str
    indexed: bool

    @property
    def is_prefecture(self) -> bool:
        """True when the place is a prefecture as a whole."""
        return self.name == self.prefecture

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"municipality", "prefecture", "code", "written", "indexed"}``."""
        return {"municipality": self.name, "prefecture": self.prefecture, "code": self.code,
                "written": self.written, "indexed": self.indexed}


@dataclass(frozen=True)
class Scope:
    """The places a query names and the query without them."""

    places: tuple[Place, ...]
    rest: str
    label: str = field(init=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.places]
        label = "・".join(f"{p.name}（{p.prefecture}）" if names.count(p.name) > 1 else p.name for p in self.places)
        object.__setattr__(self, "label", label)

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes of the municipalities named (prefectures excluded)."""
        return tuple(sorted({p.code for p in self.places if not p.is_prefecture}))

    @property
    def prefectures(self) -> tuple[str, ...]:
        """Prefectures named as a whole."""
        return tuple(p.name for p in self.places if p.is_prefecture)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"label", "places", "rest"}``."""
        return {"label": self.label, "places": [p.to_dict() for p in self.places], "rest": self.rest}


class ScopeFinder:
    """Finds the places a query names, using the code table and the municipalities that have reports."""

    def __init__(self, table: MunicipalityTable, indexed: Callable[[], set[str]]) -> None:
        self.table = table
        self._indexed = indexed

    def find(self, query: str) -> Scope | None:
        """The scope of ``query``, or None when it names no place."""
        places: list[Place] = []
        kept: list[str] = []
        for chunk in _chunks(query):
            if _QUOTED.fullmatch(chunk):
                kept.append(chunk)
                continue
            rest = self._take_places(unicodedata.normalize("NFKC", chunk), places)
            if rest:
                kept.append(rest)
        if not places:
            return None
        return Scope(tuple(_unique(self._settle(places))), " ".join(kept))

    def _take_places(self, chunk: str, places: list[Place]) -> str:
        """Add the places ``chunk`` names to ``places``; the chunk without them."""
        reading = self._by_reading(chunk)
        if reading is not None:
            places.append(reading)
            return ""
        out, last = [], 0
        for mention in self.table.mentions(chunk):
            start = mention.start - len(mention.district)
            glued = start > 0 and _KANJI.match(chunk[start - 1])
            if glued and start != last:
                continue  # 空港区域 does not name 港区
            if glued and places and not places[-1].is_prefecture:
                last = mention.end  # 大阪市北区: a ward of the city just named
                continue
            out.append(chunk[last:start])
            last = mention.end
            written = chunk[mention.start:mention.end]
            places.extend(self._place(row, written) for row in mention.candidates)
        out.append(chunk[last:])
        return "".join(out).strip()

    def _settle(self, places: list[Place]) -> list[Place]:
        """Municipalities named, narrowed to the prefectures named; else the prefectures.

        Of several municipalities of one name (府中市), those in a prefecture
        the query names, else those with reports, else all of them.
        """
        prefectures = {p.prefecture for p in places if p.is_prefecture}
        towns = [p for p in places if not p.is_prefecture]
        if not towns:
            return places
        by_name: dict[str, list[Place]] = {}
        for town in towns:
            by_name.setdefault(town.written, []).append(town)
        chosen: list[Place] = []
        for rows in by_name.values():
            chosen += ([r for r in rows if r.prefecture in prefectures]
                       or [r for r in rows if r.indexed] or rows)
        return chosen

    def _by_reading(self, chunk: str) -> Place | None:
        """The municipality a whole chunk reads as (ふくおかし); without its suffix only one with reports."""
        if len(chunk) < _MIN_READING_CHARS or not READING.match(chunk):
            return None
        indexed = self._indexed()
        for row, whole in self.table.by_reading(chunk):
            if row.name in indexed or whole:
                return self._place(row, chunk)
        return None

    def _place(self, row: Municipality, written: str) -> Place:
        indexed = self._indexed()
        has_reports = row.name in indexed if not row.is_prefecture else True
        return Place(row.name, row.prefecture, row.code, written, has_reports)


def _chunks(query: str) -> list[str]:
    """Quoted phrases and the whitespace-separated words between them."""
    out: list[str] = []
    last = 0
    for match in _QUOTED.finditer(query):
        out.extend(query[last:match.start()].split())
        out.append(match.group())
        last = match.end()
    out.extend(query[last:].split())
    return out


def _unique(places: list[Place]) -> list[Place]:
    seen: set[str] = set()
    out = []
    for place in places:
        if place.code not in seen:
            seen.add(place.code)
            out.append(place)
    return out


def scope_dict(scope: Scope | None) -> dict[str, Any] | None:
    """The ``scope`` of a search result: the places, the rest of the query and the sentence saying so."""
    if scope is None:
        return None
    return {**scope.to_dict(), "text": f"{scope.label}の報告書に絞りました"}
