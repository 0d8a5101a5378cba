"""Practice pages: the catalogue of practices and, for one practice, who does it.

Both read the index only: passages carry the practices they mention (see
:mod:`kb.enrich`), and each report's stored parse gives the figures and Q&A
of the passages found.
"""

from __future__ import annotations

import html
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


def practice_page(reader: Reader, taxonomy: Taxonomy, practice: Practice) -> dict[str, Any]:
    """Who does ``practice``: one entry per city, newest visit first, with evidence, figures and Q&A."""
    passages = reader.passages({"practice": (practice.id,)})
    passages.sort(key=lambda f: f.get("order", 0))
    passages.sort(key=lambda f: str(f.get("date", "")), reverse=True)
    cities: dict[tuple[str, str], dict[str, Any]] = {}
    for fields in passages:
        key = (fields.get("municipality", ""), fields["file"])
        entry = cities.get(key)
        if entry is None:
            entry = cities[key] = _city_entry(fields)
        entry["passages"].append(_evidence(fields, practice, taxonomy))
    _add_details(list(cities.values()), reader.items({"practice": (practice.id,)}, ("figures", "qa")))
    related = [_summary(taxonomy.practice(r)) for r in practice.related]
    return {
        "practice": {**_summary(practice), "aliases": list(practice.aliases),
                     "category_name": taxonomy.category(practice.category).name},
        "related": related,
        "cities": list(cities.values()),
        "total": {"cities": len({k[0] for k in cities if k[0]}), "reports": len({k[1] for k in cities}),
                  "passages": sum(len(e["passages"]) for e in cities.values())},
    }


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
