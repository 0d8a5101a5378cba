"""The overview matrix: municipalities × practice categories, counted in passages.

A cell counts the passages of a municipality that mention any practice of a
category (a passage naming two practices of one category counts once).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from index.engine import FilterMap, Reader
from kb.errors import QueryError
from kb.municipalities import MunicipalityTable
from kb.taxonomy import Taxonomy

LEVELS = 5
"""Shades of a non-empty cell."""

SORT_KEYS = ("code", "name", "total")
"""Sort orders besides a category id: local-government code (north to south), reading, total."""


@dataclass
class Counts:
    """A matrix row's counts: tagged passages per category and in all."""

    by_category: dict[str, int] = field(default_factory=dict)
    total: int = 0


@dataclass(frozen=True)
class MatrixFilters:
    """The prefecture and year a matrix is narrowed to."""

    prefecture: str | None = None
    year: int | None = None

    def terms(self) -> FilterMap:
        """The engine filter of the filters set (applied to tagged passages)."""
        terms: dict[str, tuple[str, ...]] = {}
        if self.prefecture:
            terms["prefecture"] = (self.prefecture,)
        if self.year is not None:
            terms["year"] = (str(self.year),)
        return terms


def count_cells(groups: Iterable[tuple[str, str, str, int]], taxonomy: Taxonomy) -> dict[tuple[str, str], Counts]:
    """Per (municipality, prefecture): passages per category and tagged passages in all.

    ``groups`` gives a municipality, prefecture and practice ids
    (``"byod,intune"``) with the number of passages holding them; two towns
    of one name in different prefectures (森町) stay apart.
    """
    rows: dict[tuple[str, str], Counts] = {}
    categories_of: dict[str, set[str]] = {}
    for name, prefecture, ids, n in groups:
        if not name:
            continue
        categories = categories_of.get(ids)
        if categories is None:
            practices = (taxonomy.get(pid) for pid in ids.split(",") if pid)
            categories = categories_of[ids] = {p.category for p in practices if p is not None}
        if not categories:
            continue
        row = rows.setdefault((name, prefecture), Counts())
        row.total += n
        for category in categories:
            row.by_category[category] = row.by_category.get(category, 0) + n
    return rows


def tagged_groups(reader: Reader, filters: MatrixFilters) -> Iterator[tuple[str, str, str, int]]:
    """Tagged passages grouped by (municipality, prefecture, practice ids), with their number.

    Counted by the engine, not from the stored fields, so that the matrix of
    a large index does not load every passage.
    """
    counted = reader.group_counts(("municipality", "prefecture", "practice"), filters.terms(), tagged=True)
    for (name, prefecture, ids), n in counted.items():
        yield name, prefecture, ids, n


def engine_cells(reader: Reader, filters: MatrixFilters) -> dict[tuple[str, str], Counts]:
    """What :func:`count_cells` counts, from the engine's passage counts per category.

    The total is the tagged passages: every practice id of an index is in its
    taxonomy (an index made with another taxonomy is outdated), so each
    tagged passage falls in some category.
    """
    rows: dict[tuple[str, str], Counts] = {}
    fields = ("municipality", "prefecture")
    for (name, prefecture, category), n in reader.tag_counts("category", fields, filters.terms()).items():
        if name:
            rows.setdefault((name, prefecture), Counts()).by_category[category] = n
    for (name, prefecture), n in reader.group_counts(fields, filters.terms(), tagged=True).items():
        if (name, prefecture) in rows:
            rows[name, prefecture].total = n
    return rows


def check_sort(sort: str, taxonomy: Taxonomy) -> None:
    """Refuse a sort order that is neither a key of SORT_KEYS nor a category id."""
    if sort not in SORT_KEYS and sort not in {c.id for c in taxonomy.categories}:
        choices = "、".join(SORT_KEYS)
        raise QueryError(f"sort は {choices} か分野のIDで指定してください", subject="sort")


def matrix_rows(reader: Reader, taxonomy: Taxonomy, table: MunicipalityTable,
                filters: MatrixFilters) -> list[dict[str, Any]]:
    """One row per municipality, each cell with its count and shade level (in no set order)."""
    counted = engine_cells(reader, filters)
    ids = [c.id for c in taxonomy.categories]
    rows = [_row(key, counts, ids, table) for key, counts in counted.items()]
    largest = max((cell["count"] for row in rows for cell in row["cells"]), default=0)
    for row in rows:
        for cell in row["cells"]:
            cell["level"] = shade_level(cell["count"], largest)
    return rows


def matrix(rows: list[dict[str, Any]], reader: Reader, taxonomy: Taxonomy, table: MunicipalityTable, *,
           filters: MatrixFilters, sort: str = "code") -> dict[str, Any]:
    """The matrix dict: categories, the rows in ``sort`` order, the largest cell, filter choices."""
    check_sort(sort, taxonomy)
    return {
        "categories": [{"id": c.id, "name": c.name} for c in taxonomy.categories],
        "rows": sorted(rows, key=_sort_key(sort)), "sort": sort,
        "max": max((cell["count"] for row in rows for cell in row["cells"]), default=0), "levels": LEVELS,
        "filters": {"prefecture": filters.prefecture, "year": filters.year},
        "choices": choices_of(reader, table),
    }


def _row(key: tuple[str, str], counts: Counts, categories: list[str],
         table: MunicipalityTable) -> dict[str, Any]:
    name, prefecture = key
    row = table.resolve(name, prefecture or None)
    return {
        "municipality": name, "prefecture": prefecture, "code": row.code if row else "",
        "key": name if name == prefecture else f"{prefecture}{name}",
        "kana": row.kana if row else "", "total": counts.total,
        "cells": [{"category": c, "count": counts.by_category.get(c, 0)} for c in categories],
    }


def _sort_key(sort: str) -> Any:
    if sort == "name":
        return lambda r: (r["kana"] or r["municipality"], r["code"])
    if sort == "total":
        return lambda r: (-r["total"], r["code"])
    if sort == "code":
        return lambda r: (r["code"] or "999999", r["municipality"])
    return lambda r: (-next(c["count"] for c in r["cells"] if c["category"] == sort), -r["total"], r["code"])


def shade_level(count: int, largest: int) -> int:
    """0 for an empty cell, else 1..LEVELS in proportion to the largest cell (rounded up)."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, -(-count * LEVELS // largest))


def choices_of(reader: Reader, table: MunicipalityTable) -> dict[str, list[str]]:
    """The prefectures (north to south) and years (newest first) the index holds, for the filter menus."""

    def code(name: str) -> str:
        row = table.prefecture(name)
        return row.code if row else name

    prefectures = sorted((v for v in reader.values("prefecture") if v), key=code)
    years = sorted((v for v in reader.values("year") if v), reverse=True)
    return {"prefecture": prefectures, "year": years}
