"""Practice pages: the catalogue of practices and, for one practice, who does it.

Both read the index only: passages carry the practices they mention (see
:mod:`kb.enrich`), and each report's stored parse gives the figures and Q&A
of the passages found.
"""

from __future__ import annotations

import html
import math
from typing import Any

from index.engine import Reader
from kb.taxonomy import Practice, Taxonomy


def catalogue(reader: Reader, taxonomy: Taxonomy) -> dict[str, Any]:
    """Every category with its practices, each with the number of cities and reports mentioning it."""
    counts = _practice_counts(reader)
    categories = []
    for category in taxonomy.categories:
        practices = [
            {**_summary(p), **counts.get(p.id, {"cities": 0, "reports": 0, "passages": 0})}
            for p in taxonomy.in_category(category.id)
        ]
        categories.append({"id": category.id, "name": category.name, "practices": practices})
    found = sum(1 for c in counts.values() if c["passages"])
    return {"categories": categories, "practices": len(taxonomy.practices), "found": found}


def _summary(practice: Practice) -> dict[str, Any]:
    return {"id": practice.id, "name": practice.name, "category": practice.category,
            "description": practice.description}


def _practice_counts(reader: Reader) -> dict[str, dict[str, int]]:
    """Per practice id: distinct cities, reports and passages, as the engine keeps them."""
    return {pid: {"cities": c["cities"], "reports": c["reports"], "passages": c["passages"]}
            for pid, c in reader.tag_reach("practice").items() if c["passages"]}


ENTRIES_PER_PAGE = 20
"""Reports (a city's visit in one report) per page of a practice page."""

_LIGHT_FIELDS = ("file", "passage", "municipality", "prefecture", "code", "date", "order",
                 "title", "council", "body")


def practice_page(reader: Reader, taxonomy: Taxonomy, practice: Practice, page: int = 1) -> dict[str, Any]:
    """Who does ``practice``: one entry per city and report, newest visit first, a page at a time.

    The entries are ordered from the passages' dates alone; only the
    ``page``'s entries read their passages' text, figures and Q&A, so a
    practice found in thousands of reports costs one page of them.
    """
    light = reader.passages({"practice": (practice.id,)}, fields=_LIGHT_FIELDS)
    light.sort(key=lambda f: f.get("order") or 0)
    light.sort(key=lambda f: str(f.get("date") or ""), reverse=True)
    groups = _groups(light)
    pages = max(1, math.ceil(len(groups) / ENTRIES_PER_PAGE))
    page_groups = groups[(page - 1) * ENTRIES_PER_PAGE: page * ENTRIES_PER_PAGE]
    shown = [(_city_entry(first), ids) for first, ids in page_groups]
    _fill(reader, taxonomy, practice, shown)
    related = [_summary(taxonomy.practice(r)) for r in practice.related]
    return {
        "practice": {**_summary(practice), "aliases": list(practice.aliases),
                     "category_name": taxonomy.category(practice.category).name},
        "related": related,
        "cities": [entry for entry, _ in shown],
        "total": {"cities": len({_place(first) for first, _ in groups if _place(first)}),
                  "reports": len({first["file"] for first, _ in groups}), "passages": len(light),
                  "entries": len(groups)},
        "page": page, "pages": pages, "limit": ENTRIES_PER_PAGE,
    }


def _place(fields: dict[str, Any]) -> str:
    return str(fields.get("municipality") or "")


def _groups(light: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[str]]]:
    """Per (municipality, file), in the order of ``light``: its first passage's fields and its passage ids.

    Entries are made for the shown page only: a practice of a large index
    has tens of thousands of city–report pairs.
    """
    groups: dict[tuple[str, str], tuple[dict[str, Any], list[str]]] = {}
    for fields in light:
        key = (_place(fields), str(fields["file"]))
        group = groups.get(key)
        if group is None:
            group = groups[key] = (fields, [])
        group[1].append(str(fields["passage"]))
    return list(groups.values())


def _fill(reader: Reader, taxonomy: Taxonomy, practice: Practice,
          shown: list[tuple[dict[str, Any], list[str]]]) -> None:
    """The evidence passages (marked, in ``ids`` order), figures and Q&A of the shown entries."""
    if not shown:
        return
    filters = {"practice": (practice.id,), "file": tuple(sorted({entry["file"] for entry, _ in shown}))}
    texts = {(_place(f), str(f["file"]), str(f["passage"])): f for f in reader.passages(filters)}
    for entry, ids in shown:
        for passage in ids:
            fields = texts.get((_place(entry), entry["file"], passage))
            if fields is not None:
                entry["passages"].append(_evidence(fields, practice, taxonomy))
    _add_details([entry for entry, _ in shown], reader.items(filters, ("figures", "qa")))


def _city_entry(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "municipality": fields.get("municipality", ""), "prefecture": fields.get("prefecture", ""),
        "code": fields.get("code", ""), "date": fields.get("date", ""), "file": fields["file"],
        "title": fields.get("title", ""), "council": fields.get("council", ""),
        "body": fields.get("body", ""), "passages": [], "figures": [], "qa": [],
    }


def _evidence(fields: dict[str, Any], practice: Practice, taxonomy: Taxonomy) -> dict[str, Any]:
    text: str = fields["text"]
    return {
        "id": fields["passage"], "section": fields.get("section", ""),
        "heading": fields.get("heading", ""), "text": text,
        "snippet": mark_mentions(text, practice.id, taxonomy),
    }


def mark_mentions(text: str, practice_id: str, taxonomy: Taxonomy) -> str:
    """``text`` HTML-escaped, the mentions of ``practice_id`` in ``<mark>``."""
    out: list[str] = []
    last = 0
    for mention in taxonomy.mentions(text):
        if mention.practice != practice_id:
            continue
        out.append(html.escape(text[last:mention.start], quote=False))
        out.append(f'<mark class="match">{html.escape(mention.text, quote=False)}</mark>')
        last = mention.end
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def _add_details(entries: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """The figures and Q&A pairs of each entry's evidence passages, in report order.

    ``items`` are the parsed items tied to the practice's passages (see
    :meth:`index.engine.Reader.items`); Q&A pairs are those of visits.
    """
    by_file: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_file.setdefault(item["file"], []).append(item)
    for entry in entries:
        ids = {p["id"] for p in entry["passages"]}
        found = [i for i in by_file.get(entry["file"], ()) if i["passage"] in ids]
        entry["figures"].extend(i["item"] for i in _in_report_order(found, "figures"))
        entry["qa"].extend(i["item"] for i in _in_report_order(found, "qa") if i["visit"])


def _in_report_order(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return sorted((i for i in items if i["kind"] == kind), key=lambda i: (i["visit"], i["order"]))
