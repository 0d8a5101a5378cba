"""The overview matrix: municipalities × practice categories, counted in passages.

A cell counts the passages of a municipality that mention any practice of a
category (a passage naming two practices of one category counts once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from whoosh.query.compound import And
from whoosh.query.qcore import Every, Query
from whoosh.query.terms import Term

from kb.errors import QueryError
from kb.municipalities import MunicipalityTable
from kb.taxonomy import Taxonomy

LEVELS = 5
"""Shades of a non-empty cell."""

SORT_KEYS = ("code", "name", "total")
"""Sort orders besides a category id: local-government code (north to south), reading, total."""


@dataclass(frozen=True)
class MatrixFilters:
    """The prefecture and year a matrix is narrowed to."""

    prefecture: str | None = None
    year: int | None = None

    def query(self) -> Query:
        """Tagged passages, narrowed by the filters set."""
        terms: list[Query] = [Term("kind", "passage"), Every("practice")]  # type: ignore[no-untyped-call]
        if self.prefecture:
            terms.append(Term("prefecture", self.prefecture))
        if self.year is not None:
            terms.append(Term("year", str(self.year)))
        return And(terms)


def count_cells(passages: Iterable[Mapping[str, Any]], taxonomy: Taxonomy) -> dict[str, dict[str, Any]]:
    """Per municipality: its prefecture, code and the passages per category."""
    rows: dict[str, dict[str, Any]] = {}
    for fields in passages:
        name = str(fields.get("municipality") or "")
        if not name:
            continue
        row = rows.setdefault(name, {"prefecture": fields.get("prefecture", ""),
                                     "code": fields.get("code", ""), "counts": {}, "total": 0})
        practices = (taxonomy.get(pid) for pid in _ids(fields))
        categories = {p.category for p in practices if p is not None}
        for category in categories:
            row["counts"][category] = row["counts"].get(category, 0) + 1
        row["total"] += 1 if categories else 0
    return rows


def _ids(fields: Mapping[str, Any]) -> list[str]:
    return [pid for pid in str(fields.get("practice", "")).split(",") if pid]


def matrix(searcher: Any, taxonomy: Taxonomy, table: MunicipalityTable, *,
           filters: MatrixFilters, sort: str = "code") -> dict[str, Any]:
    """The matrix dict: categories, one row per municipality, the largest cell, filter choices."""
    if sort not in SORT_KEYS and sort not in {c.id for c in taxonomy.categories}:
        choices = "、".join(SORT_KEYS)
        raise QueryError(f"sort は {choices} か分野のIDで指定してください", subject="sort")
    hits = searcher.search(filters.query(), limit=None)
    counted = count_cells((hit.fields() for hit in hits), taxonomy)
    categories = [{"id": c.id, "name": c.name} for c in taxonomy.categories]
    rows = [_row(name, data, categories, table) for name, data in counted.items()]
    rows.sort(key=_sort_key(sort))
    largest = max((cell["count"] for row in rows for cell in row["cells"]), default=0)
    for row in rows:
        for cell in row["cells"]:
            cell["level"] = shade_level(cell["count"], largest)
    return {
        "categories": categories, "rows": rows, "sort": sort, "max": largest, "levels": LEVELS,
        "filters": {"prefecture": filters.prefecture, "year": filters.year},
        "choices": choices_of(searcher, table),
    }


def _row(name: str, data: Mapping[str, Any], categories: list[dict[str, str]],
         table: MunicipalityTable) -> dict[str, Any]:
    row = table.by_code(str(data["code"])) if data["code"] else None
    return {
        "municipality": name, "prefecture": data["prefecture"], "code": data["code"],
        "kana": row.kana if row else "", "total": data["total"],
        "cells": [{"category": c["id"], "count": data["counts"].get(c["id"], 0)} for c in categories],
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


def choices_of(searcher: Any, table: MunicipalityTable) -> dict[str, list[str]]:
    """The prefectures (north to south) and years (newest first) the index holds, for the filter menus."""
    reader = searcher.reader()

    def code(name: str) -> str:
        row = table.prefecture(name)
        return row.code if row else name

    prefectures = sorted((str(v) for v in reader.field_terms("prefecture") if v), key=code)
    years = sorted((str(v) for v in reader.field_terms("year") if v), reverse=True)
    return {"prefecture": prefectures, "year": years}
