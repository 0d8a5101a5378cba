"""Compare municipalities side by side: one column per city, one row per practice.

A cell holds the passages of that city's reports that mention the practice,
newest report first, or nothing (shown as 「記載なし」).  Extra rows give each
city's key figures, Q&A pairs and observations, the parsed items the engine
ties to the city's passages.  Every passage cited gets a footnote number in
``sources``.  A column reads its passages' places and dates only; the text
of a passage is read for the rows that show it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from index.engine import FilterMap, Reader
from index.practices import mark_mentions
from index.schema import practice_ids
from index.tags import ITEM_KINDS
from kb.municipalities import MunicipalityTable
from kb.taxonomy import Practice, Taxonomy

MAX_CITIES = 8
"""Columns a comparison can have; more would not fit a printed page."""

MATCHES_PER_CITY = 5
"""Passages per city shown for the query itself."""

FEW_PRACTICES = 8
"""Up to this many practices shown, a column reads only the passages naming them."""

LEAD_MARK = '<mark class="match">'
"""How a cited passage's snippet marks a mention of its practice."""

NO_RECORD = "記載なし"
"""What an empty cell says."""

BRIEF_FIELDS: tuple[str, ...] = (
    "file", "passage", "municipality", "prefecture", "code", "date", "order", "title", "council", "body", "practice",
)
"""What a column reads of each of its passages: where and when, never the text."""


@dataclass
class Sources:
    """Footnote numbers for the passages a comparison cites, in order of first citation."""

    numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)

    def cite(self, fields: Mapping[str, Any]) -> int:
        """The footnote number of ``fields``' passage (file, passage, and report metadata)."""
        key = (str(fields["file"]), str(fields["passage"]))
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = len(self.entries) + 1
            self.entries.append({
                "n": number, "municipality": fields.get("municipality", ""),
                "council": fields.get("council", ""), "body": fields.get("body", ""),
                "title": fields.get("title", ""), "date": fields.get("date", ""),
                "file": key[0], "passage": key[1],
            })
        return number


@dataclass(frozen=True)
class City:
    """A column of a comparison: a municipality and its passages' :data:`BRIEF_FIELDS`.

    ``key`` selects this column again in a URL: the name, or the prefecture
    and name (富山県朝日町) when another municipality has the same name.
    ``filters`` is the engine filter of its passages.
    """

    name: str
    prefecture: str
    code: str
    passages: tuple[dict[str, Any], ...]
    key: str = ""
    filters: FilterMap = field(default_factory=dict)

    @property
    def id(self) -> str:
        """What tells the column apart: its local-government code, else its name."""
        return self.code or self.name

    def reports(self) -> list[dict[str, Any]]:
        """The city's reports, newest visit first."""
        return [dict(entry) for entry in self._reports]

    @functools.cached_property
    def _reports(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for p in self.passages:
            seen.setdefault(p["file"], {
                "file": p["file"], "title": p.get("title", ""), "council": p.get("council", ""),
                "body": p.get("body", ""), "date": p.get("date", ""),
            })
        return list(seen.values())

    def summary(self) -> dict[str, Any]:
        """The column header: name, prefecture, code, key, label, reports and passage count."""
        return {"municipality": self.name, "prefecture": self.prefecture, "code": self.code,
                "key": self.key or self.name, "label": self.label, "reports": self.reports(),
                "passages": len(self.passages)}

    @property
    def label(self) -> str:
        """The column's title: the name, with its prefecture when the name alone is ambiguous."""
        if not self.key or self.key == self.name:
            return self.name
        return f"{self.name}（{self.prefecture}）"


def city_passages(reader: Reader, field: str, value: str) -> tuple[dict[str, Any], ...]:
    """:data:`BRIEF_FIELDS` of every passage whose ``field`` is ``value``: newest report first, in report order."""
    fields = reader.passages({field: (value,)}, fields=BRIEF_FIELDS)
    fields.sort(key=lambda f: f.get("order", 0))
    fields.sort(key=lambda f: f["file"])
    fields.sort(key=lambda f: f.get("date", ""), reverse=True)
    return tuple(fields)


def load_cities(reader: Reader, name: str) -> list[City]:
    """The columns for a name: one, or one per municipality of that name (朝日町 in three prefectures)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for fields in city_passages(reader, "municipality", name):
        groups.setdefault(str(fields.get("code") or ""), []).append(fields)
    many = len(groups) > 1
    return [_city(name, passages, many) for passages in groups.values()]


def load_code(reader: Reader, name: str, prefecture: str, code: str, key: str) -> City:
    """The column of one municipality chosen by its code (empty when no report is about it)."""
    return City(name, prefecture, code, city_passages(reader, "code", code), key, {"code": (code,)})


def _city(name: str, passages: list[dict[str, Any]], prefixed: bool) -> City:
    prefecture = str(passages[0].get("prefecture", ""))
    key = f"{prefecture}{name}" if prefixed and prefecture != name else name
    code = str(passages[0].get("code", ""))
    return City(name, prefecture, code, tuple(passages), key, {"municipality": (name,), "code": (code,)})


def evidence(fields: Mapping[str, Any], practice: Practice, taxonomy: Taxonomy,
             sources: Sources) -> dict[str, Any]:
    """One passage cited in a cell, its mentions of ``practice`` marked."""
    text = str(fields["text"])
    return {**_passage_summary(fields), "snippet": mark_mentions(text, practice.id, taxonomy),
            "source": sources.cite(fields)}


def _passage_summary(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "file": fields["file"], "passage": fields["passage"], "date": fields.get("date", ""),
        "title": fields.get("title", ""), "council": fields.get("council", ""),
        "body": fields.get("body", ""), "section": fields.get("section", ""),
        "heading": fields.get("heading", ""), "text": fields["text"],
    }


def practice_rows(reader: Reader, cities: Sequence[City], taxonomy: Taxonomy, sources: Sources,
                  wanted: Callable[[Practice], bool]) -> list[dict[str, Any]]:
    """Rows grouped by category, in taxonomy order: practices some city's passages mention."""
    mentioned = {pid for city in cities for p in city.passages for pid in practice_ids(p)}
    shown = [p for c in taxonomy.categories for p in taxonomy.in_category(c.id) if p.id in mentioned and wanted(p)]
    cells = {city.id: _cells(reader, city, {p.id for p in shown}) for city in cities}
    groups = []
    for category in taxonomy.categories:
        rows = [_row(practice, cities, cells, taxonomy, sources)
                for practice in shown if practice.category == category.id]
        if rows:
            groups.append({"id": category.id, "name": category.name, "rows": rows})
    return groups


def _cells(reader: Reader, city: City, practices: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Per practice id of ``practices``, the stored fields of the city's passages naming it, in column order."""
    if not practices or not city.passages:
        return {}
    # A few practices (a query's, a category's) are matched by the engine; more, and every tagged passage is read.
    narrowed = {**city.filters, "practice": tuple(sorted(practices))} if len(practices) <= FEW_PRACTICES else None
    found = reader.passages(narrowed) if narrowed else reader.passages(city.filters, tagged=True)
    full = {(p["file"], p["passage"]): p for p in found}
    out: dict[str, list[dict[str, Any]]] = {}
    for brief in city.passages:
        for pid in practice_ids(brief):
            if pid in practices:
                out.setdefault(pid, []).append(full[brief["file"], brief["passage"]])
    return out


def _row(practice: Practice, cities: Sequence[City], cells: Mapping[str, Mapping[str, list[dict[str, Any]]]],
         taxonomy: Taxonomy, sources: Sources) -> dict[str, Any]:
    row = []
    for city in cities:
        found = cells[city.id].get(practice.id, ())
        passages = [evidence(p, practice, taxonomy, sources) for p in found]
        row.append({"municipality": city.name, "code": city.code, "passages": passages, "empty": not passages,
                    "count": len(passages), "report_count": len({p["file"] for p in passages}),
                    "lead": lead_passage(passages, [len(practice_ids(p)) for p in found])})
    return {"practice": {**practice.to_dict(), "description": practice.description}, "cells": row}


def lead_passage(passages: Sequence[Mapping[str, Any]], practices: Sequence[int]) -> int:
    """The index of a cell's most telling passage (0 for an empty cell).

    The passage that mentions the practice most often; among equals, the most
    specific one (naming the fewest practices, ``practices[i]`` for passage i),
    then the first in column order (the newest report).
    """
    def score(i: int) -> tuple[int, int, int]:
        return (-str(passages[i]["snippet"]).count(LEAD_MARK), practices[i], i)

    return min(range(len(passages)), key=score, default=0)


def visit_details(reader: Reader, city: City, sources: Sources,
                  only: set[tuple[str, str]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The city's key figures, Q&A pairs and observations, each citing its passage.

    Items of the city's visits tied to its passages, report by report (newest
    first), visit by visit; ``only`` keeps the items of those (file, passage)
    keys (the passages a query found).
    """
    by_passage = {(p["file"], p["passage"]): p for p in city.passages}
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ITEM_KINDS}
    if not by_passage:
        return out
    rank = {entry["file"]: n for n, entry in enumerate(city.reports())}
    filters = dict(city.filters)
    if only is not None:
        if not only:
            return out
        filters["file"] = tuple(sorted({file for file, _ in only}))
    items = [i for i in reader.items(filters, ITEM_KINDS)
             if i["visit"] and i["municipality"] == city.name and i["code"] == city.code
             and (i["file"], i["passage"]) in by_passage and (only is None or (i["file"], i["passage"]) in only)]
    items.sort(key=lambda i: (rank[i["file"]], i["visit"], ITEM_KINDS.index(i["kind"]), i["order"]))
    for item in items:
        fields = by_passage[item["file"], item["passage"]]
        out[item["kind"]].append({**item["item"], **_citation(fields), "source": sources.cite(fields)})
    return out


def _citation(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {"file": fields["file"], "date": fields.get("date", ""), "title": fields.get("title", ""),
            "council": fields.get("council", ""), "body": fields.get("body", "")}


def extra_rows(reader: Reader, cities: Sequence[City], sources: Sources,
               only: Mapping[str, set[tuple[str, str]]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per kind (figures, qa, observations), one cell per city."""
    details = [visit_details(reader, city, sources, None if only is None else only.get(city.id, set()))
               for city in cities]
    return {
        kind: [{"municipality": city.name, "code": city.code, "items": d[kind], "empty": not d[kind],
                "count": len(d[kind])}
               for city, d in zip(cities, details)]
        for kind in ("figures", "qa", "observations")
    }


def comparison(reader: Reader, cities: Sequence[City], taxonomy: Taxonomy, *,
               query: str = "", matches: Mapping[str, dict[str, Any]] | None = None,
               categories: Sequence[str] = ()) -> dict[str, Any]:
    """The whole comparison dict (see the README for its shape).

    ``matches`` maps each city's id to its search result for ``query``: the rows
    then keep the practices the found passages (or the query) name, and the
    extra rows keep the items of the found passages.
    """
    sources = Sources()
    match_cells = _match_cells(cities, matches, sources) if matches is not None else []
    keep = _query_practices(matches) if matches is not None else None

    def wanted(practice: Practice) -> bool:
        return (not categories or practice.category in categories) and (keep is None or practice.id in keep)

    groups = practice_rows(reader, cities, taxonomy, sources, wanted)
    found = _found_keys(matches) if matches is not None else None
    return {
        "cities": [c.summary() for c in cities], "query": query, "categories": list(categories),
        "matches": match_cells, "groups": groups,
        **extra_rows(reader, cities, sources, found),
        "sources": sources.entries,
    }


def _match_cells(cities: Sequence[City], matches: Mapping[str, dict[str, Any]],
                 sources: Sources) -> list[dict[str, Any]]:
    cells = []
    for city in cities:
        result = matches.get(city.id) or {"hits": [], "total": 0}
        hits = [{**_passage_summary(h), "snippet": h["snippet"], "source": sources.cite(h)}
                for h in result["hits"][:MATCHES_PER_CITY]]
        cells.append({"municipality": city.name, "code": city.code, "total": result["total"], "passages": hits,
                      "empty": not hits})
    return cells


def _query_practices(matches: Mapping[str, dict[str, Any]]) -> set[str]:
    """Practices the query names or its found passages mention."""
    keep = {e["practice"] for r in matches.values() for e in r.get("expanded", []) if e.get("practice")}
    keep.update(p["id"] for r in matches.values() for h in r["hits"] for p in h.get("practices", []))
    return keep


def _found_keys(matches: Mapping[str, dict[str, Any]]) -> dict[str, set[tuple[str, str]]]:
    return {name: {(h["file"], h["passage"]) for h in r["hits"]} for name, r in matches.items()}


def municipality_suggestions(table: MunicipalityTable, indexed: set[str], query: str,
                             limit: int = 10) -> list[dict[str, Any]]:
    """Up to ``limit`` municipalities a city box's text may start: by name, reading or code.

    The reading may be hiragana, katakana or romaji (こうべ, コウベ, kobe); digits
    (full-width too) are the start of a local-government code (281000, 2810).
    Those with reports (their codes in ``indexed``) come first, and each says so.
    """
    key = unicodedata.normalize("NFKC", query).strip()
    if not key:
        return []
    rows = [m for m in table.all() if m.code.startswith(key)] if key.isdigit() else table.search(key)
    rows.sort(key=lambda m: m.code not in indexed)
    return [{"municipality": m.name, "prefecture": m.prefecture, "code": m.code, "kana": m.kana,
             "indexed": m.code in indexed} for m in rows[:limit]]


def split_names(raw: str | Iterable[str]) -> list[str]:
    """City names from ``"大阪市,神戸市"`` (commas, 、 or spaces) or a list of such strings."""
    parts = [raw] if isinstance(raw, str) else list(raw)
    names: list[str] = []
    for part in parts:
        for name in part.replace("、", ",").replace("，", ",").replace("　", ",").replace(" ", ",").split(","):
            if name.strip() and name.strip() not in names:
                names.append(name.strip())
    return names


def qa_columns(hits: Iterable[Mapping[str, Any]], reader: Reader, sources: Sources,
               order: Sequence[City] = ()) -> list[dict[str, Any]]:
    """Q&A pairs found by a search, one column per municipality.

    Columns follow ``order`` (the cities asked for), then the rank of each
    city's best pair; each pair comes with its question and answer as parsed.
    """
    columns: dict[str, dict[str, Any]] = {
        city.id: {"municipality": city.name, "prefecture": city.prefecture, "code": city.code, "items": []}
        for city in order
    }
    hits = list(hits)
    pairs = _qa_pairs(reader, sorted({str(hit["file"]) for hit in hits}))
    for hit in hits:
        pair = pairs.get((str(hit["file"]), str(hit["passage"])))
        if pair is None:
            continue
        key = str(hit.get("code") or hit.get("municipality", ""))
        column = columns.setdefault(key, {"municipality": hit.get("municipality", ""),
                                          "prefecture": hit.get("prefecture", ""),
                                          "code": hit.get("code", ""), "items": []})
        column["items"].append({**pair, **_citation(hit), "passage": hit["passage"],
                                "snippet": hit.get("snippet", ""), "source": sources.cite(hit)})
    for column in columns.values():
        column["empty"] = not column["items"]
    return list(columns.values())


def _qa_pairs(reader: Reader, files: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (file, passage), the question and answer of the first visit's Q&A pair tied to it."""
    if not files:
        return {}
    items = [i for i in reader.items({"file": tuple(files)}, ("qa",)) if i["visit"]]
    items.sort(key=lambda i: (i["visit"], i["order"]))
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for i in items:
        pairs.setdefault((i["file"], i["passage"]), {"question": i["item"].get("question", ""),
                                                     "answer": i["item"].get("answer", "")})
    return pairs
