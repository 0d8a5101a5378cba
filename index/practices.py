"""Practice pages: the catalogue of practices and, for one practice, who does it.

Both read the index only: passages carry the practices they mention (see
:mod:`kb.enrich`), and each report's stored parse gives the figures and Q&A
of the passages found.
"""

from __future__ import annotations

import html
from typing import Any

from index.engine import Reader
from index.schema import practice_ids
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
    """Per practice id: distinct cities, reports and passages (one pass over tagged passages)."""
    cities: dict[str, set[str]] = {}
    files: dict[str, set[str]] = {}
    passages: dict[str, int] = {}
    # Counted by the engine: the passages' text is never read.
    groups = reader.group_counts(("practice", "file", "municipality"), {}, tagged=True)
    for (ids, file, municipality), n in groups.items():
        for pid in practice_ids({"practice": ids}):
            passages[pid] = passages.get(pid, 0) + n
            files.setdefault(pid, set()).add(file)
            if municipality:
                cities.setdefault(pid, set()).add(municipality)
    return {
        pid: {"cities": len(cities.get(pid, ())), "reports": len(files[pid]), "passages": n}
        for pid, n in passages.items()
    }


def practice_page(reader: Reader, taxonomy: Taxonomy, practice: Practice,
                  report: Any) -> dict[str, Any]:
    """Who does ``practice``: one entry per city, newest visit first, with evidence, figures and Q&A.

    ``report`` is a callable returning a file's stored parse (a dict).
    """
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
    for entry in cities.values():
        _add_report_details(entry, report(entry["file"]))
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


def _add_report_details(entry: dict[str, Any], parsed: dict[str, Any]) -> None:
    """The figures and Q&A pairs of the entry's evidence passages, from the stored parse."""
    ids = {p["id"] for p in entry["passages"]}
    visits = parsed.get("visits", [])
    for source in [parsed, *visits]:
        entry["figures"].extend(f for f in source.get("figures", []) if f.get("passage") in ids)
    for visit in visits:
        entry["qa"].extend(q for q in visit.get("qa", []) if q.get("passage") in ids)
