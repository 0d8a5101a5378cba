"""Query-time synonyms: practice aliases, variant groups and municipality readings.

A query word that is an alias of a practice (「キントーン」) is also searched
as every other alias of it (kintone, Kintone…); a word of a variant group
(テレワーク/リモートワーク/在宅勤務) as the other words of the group; a
municipality written by its reading (こうべ, コウベ, kobe) as its name.
Each expansion is reported so that the user sees what was searched and can
ask for the exact words only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.municipalities import READING, MunicipalityTable, compact
from kb.taxonomy import Taxonomy, alias_key

_MIN_READING_CHARS = 2


@dataclass
class Expansion:
    """A query word and the other words it was also searched as."""

    term: str
    also: list[str]
    practice: str = ""
    municipality: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"term", "as", "practice", "municipality"}``."""
        return {"term": self.term, "as": self.also, "practice": self.practice,
                "municipality": self.municipality}


class Expander:
    """Finds the other words a query word stands for."""

    def __init__(
        self, taxonomy: Taxonomy, table: MunicipalityTable,
        indexed_municipalities: Callable[[], set[str]],
    ) -> None:
        self.taxonomy = taxonomy
        self.table = table
        self._indexed = indexed_municipalities

    def expand(self, surface: str, term: str) -> Expansion | None:
        """The expansion of one query word, or None when it stands for nothing else."""
        words = self._synonyms(surface) or self._synonyms(term)
        if words:
            practice = self.taxonomy.by_alias(surface) or self.taxonomy.by_alias(term)
            return Expansion(surface, words, practice=practice.id if practice else "")
        city = self.municipality_for_reading(surface)
        if city:
            return Expansion(surface, [city], municipality=city)
        return None

    def _synonyms(self, word: str) -> list[str]:
        own = alias_key(word)
        seen = {own}
        out: list[str] = []
        for other in self.taxonomy.equivalents(word):
            key = alias_key(other)
            if key not in seen:
                seen.add(key)
                out.append(other)
        return out

    def municipality_for_reading(self, text: str) -> str:
        """The indexed municipality whose reading is ``text`` (こうべ → 神戸市), or ""."""
        key = compact(text)
        if len(key) < _MIN_READING_CHARS or not READING.match(key):
            return ""
        indexed = self._indexed()
        for row, _ in self.table.by_reading(key):
            if row.name in indexed:
                return row.name
        return ""
