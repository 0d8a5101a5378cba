"""What the counted views count a passage under, and the parsed items tied to passages.

Both engines count passages per *tag* (:func:`passage_tags`) for the matrix,
the practice catalogue and the start page, and give the figures, Q&A pairs
and observations of a stored parse (:func:`report_items`) without the views
reading whole reports.  The SQLite engine stores both at commit time; the
Whoosh engine derives them when asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kb.taxonomy import Taxonomy

TAG_KINDS: tuple[str, ...] = ("practice", "category")
"""Kinds of tag a passage is counted under, besides every passage and the tagged ones."""

ALL = ""
"""The tag every passage has."""

TAGGED = "tagged"
"""The tag of a passage naming a practice (its ``practice`` field is not empty)."""

ITEM_KINDS: tuple[str, ...] = ("figures", "qa", "observations")
"""The lists of a parse (report-level and per visit) whose entries name their passage."""


def tag(kind: str, value: str) -> str:
    """The tag of a practice or category id (``practice:byod``)."""
    return f"{kind}:{value}"


def passage_tags(practice: str, taxonomy: Taxonomy) -> list[str]:
    """The tags of a passage whose ``practice`` field is ``practice`` (``"byod,intune"``).

    Every passage has :data:`ALL`; a tagged one also :data:`TAGGED`, each of
    its practices and each category of those practices (once per category).
    """
    ids = [pid for pid in practice.split(",") if pid]
    if not ids:
        return [ALL]
    categories: dict[str, None] = {}
    for pid in ids:
        known = taxonomy.get(pid)
        if known is not None:
            categories[known.category] = None
    return [ALL, TAGGED, *(tag("practice", pid) for pid in dict.fromkeys(ids)),
            *(tag("category", c) for c in categories)]


def split_tag(value: str, kind: str) -> str | None:
    """The id of a tag of ``kind`` (``practice:byod`` → ``byod``), else None."""
    prefix = kind + ":"
    return value[len(prefix):] if value.startswith(prefix) else None


def report_items(parsed: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The figures, Q&A pairs and observations of a stored parse, in report order.

    Report-level items come first (``visit`` 0), then each visit's (1-based)
    with the visit's municipality and code; within one, by kind then position.
    Items without a passage are left out.
    """
    sources: list[tuple[int, Mapping[str, Any]]] = [(0, parsed)]
    sources.extend(enumerate(parsed.get("visits") or [], 1))
    for visit, source in sources:
        municipality = str(source.get("municipality") or "") if visit else ""
        code = str(source.get("code") or "") if visit else ""
        for kind in ITEM_KINDS:
            for order, item in enumerate(source.get(kind) or []):
                passage = str(item.get("passage") or "")
                if passage:
                    yield {"visit": visit, "municipality": municipality, "code": code, "kind": kind,
                           "order": order, "passage": passage, "item": item}


def count_tags(groups: Mapping[tuple[str, ...], int], kind: str,
               taxonomy: Taxonomy) -> dict[tuple[str, ...], int]:
    """Counts per (values..., id of ``kind``) from counts per (values..., ``practice`` field)."""
    out: dict[tuple[str, ...], int] = {}
    for key, n in groups.items():
        values, practice = key[:-1], key[-1]
        for found in passage_tags(practice, taxonomy):
            ident = split_tag(found, kind)
            if ident is not None:
                out[(*values, ident)] = out.get((*values, ident), 0) + n
    return out


def reach(groups: Mapping[tuple[str, ...], int], kind: str, taxonomy: Taxonomy) -> dict[str, dict[str, int]]:
    """Per id of ``kind``: passages, reports and cities, from counts per (``practice``, file, municipality)."""
    passages: dict[str, int] = {}
    files: dict[str, set[str]] = {}
    cities: dict[str, set[str]] = {}
    for (file, municipality, ident), n in count_tags(
            {(file, municipality, practice): n for (practice, file, municipality), n in groups.items()},
            kind, taxonomy).items():
        passages[ident] = passages.get(ident, 0) + n
        files.setdefault(ident, set()).add(file)
        if municipality:
            cities.setdefault(ident, set()).add(municipality)
    return {ident: {"passages": n, "reports": len(files[ident]), "cities": len(cities.get(ident, ()))}
            for ident, n in passages.items()}
