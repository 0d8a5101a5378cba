"""A municipality's page: everything the reports say about one host of visits.

A page is chosen by the 6-digit local-government code; a name, a prefecture
and name (東京都府中市) or a reading (おおさかし, osaka) leads to that code,
or to a choice when several municipalities answer to it.  The page reads the
city's passages' places and dates (:func:`index.compare.city_passages`' way),
the parsed items of its visits (:func:`index.compare.visit_details`) and, for
the shown page only, the stored parse of each visit's report and the text of
a few passages: its cost grows with the city, never with the whole index.
Every list is paged (visits) or cut with a count of the rest.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import jaconv

from index.compare import BRIEF_FIELDS, City, Sources, visit_details
from index.engine import Reader
from index.practices import mark_mentions
from index.schema import practice_ids
from index.tags import ITEM_KINDS
from kb.errors import NotFoundError
from kb.municipalities import READING, Municipality, MunicipalityTable, compact
from kb.taxonomy import Taxonomy

VISITS_PER_PAGE = 20
"""Visits (one report's visit to the city) per page."""

SHOWN_PRACTICES = 10
"""Practices shown with evidence; the rest are counted."""

EVIDENCE_PER_PRACTICE = 2
"""Passages quoted for each shown practice, each from another report."""

SHOWN_ITEMS = 8
"""Q&A pairs, observations and figures shown each; the rest are counted."""

EXCERPT_CHARS = 200
"""Characters of a quoted passage around its first mention of the practice."""

CITY_FIELDS: tuple[str, ...] = (*BRIEF_FIELDS, "section")
"""What the page reads of each of the city's passages: where and when, never the text."""

_TELLING_SECTIONS = ("content", "overview")


def city(reader: Reader, taxonomy: Taxonomy, table: MunicipalityTable, key: str, page: int = 1,
         *, follow: bool = False) -> dict[str, Any]:
    """The page of the municipality ``key`` names, a choice when it names several.

    A name or reading naming one municipality gives ``{"key", "redirect": code}``
    (the page lives at its code) unless ``follow``: then the page itself, with
    a notice saying how ``key`` was read.
    """
    rows, how = find_municipalities(table, key)
    if len(rows) > 1:
        return choices(reader, rows, key)
    row = rows[0]
    if how != "code" and not follow:
        return {"key": key, "redirect": row.code}
    result = city_page(reader, taxonomy, row, page)
    if how == "reading":
        result["notices"].insert(0, f"「{key}」を「{row.name}」として表示しています")
    return result


def find_municipalities(table: MunicipalityTable, key: str) -> tuple[list[Municipality], str]:
    """The rows ``key`` names and how it named them (``code``, ``name`` or ``reading``).

    Several rows come back for a shared name or reading; none is a
    NotFoundError naming the ``city`` parameter.
    """
    text = compact(key)
    rows: list[Municipality] = []
    how = "name"
    if text.isdigit():
        row = table.by_code(text)
        rows, how = ([row] if row else []), "code"
    elif text:
        rows = [m for m in table.search(text) if m.name == text] or _prefixed(table, text)
        if not rows and READING.match(text):
            rows, how = _by_reading(table, text), "reading"
    if not rows:
        raise NotFoundError(
            f"city の「{key}」は市区町村として見つかりません（6桁の団体コード、名前、読みで指定してください）",
            subject="city")
    return rows, how


def _prefixed(table: MunicipalityTable, text: str) -> list[Municipality]:
    """The one row a prefecture and name (富山県朝日町) names."""
    for prefecture in table.prefecture_names():
        if text.startswith(prefecture) and len(text) > len(prefecture):
            row = table.resolve(text[len(prefecture):], prefecture)
            return [row] if row is not None and row.prefecture == prefecture else []
    return []


def _by_reading(table: MunicipalityTable, text: str) -> list[Municipality]:
    """Rows read as ``text``: municipalities before prefectures (おおさか is 大阪市 before 大阪府)."""
    towns = [m for m, _ in table.by_reading(text)]
    return towns or [m for m in table.search(text) if m.is_prefecture and m.read_as(text)]


def municipality_dict(row: Municipality) -> dict[str, Any]:
    """Code, name, prefecture, reading (hiragana) and the label telling same-named ones apart."""
    label = row.name if row.is_prefecture else f"{row.name}（{row.prefecture}）"
    return {"code": row.code, "name": row.name, "prefecture": row.prefecture,
            "reading": jaconv.kata2hira(row.kana), "label": label}


def choices(reader: Reader, rows: Sequence[Municipality], key: str) -> dict[str, Any]:
    """The municipalities ``key`` may mean, each with its number of visits (reports)."""
    codes = tuple(row.code for row in rows)
    visits = Counter(code for code, _ in reader.group_counts(("code", "file"), {"code": codes}))
    return {"key": key, "choices": [{**municipality_dict(row), "visits": visits.get(row.code, 0)} for row in rows]}


def city_passages(reader: Reader, code: str) -> tuple[dict[str, Any], ...]:
    """:data:`CITY_FIELDS` of the city's passages: newest report first, in report order."""
    fields = reader.passages({"code": (code,)}, fields=CITY_FIELDS)
    fields.sort(key=lambda f: f.get("order") or 0)
    fields.sort(key=lambda f: f["file"])
    fields.sort(key=lambda f: str(f.get("date") or ""), reverse=True)
    return tuple(fields)


def city_page(reader: Reader, taxonomy: Taxonomy, row: Municipality, page: int = 1) -> dict[str, Any]:
    """The page dict of one municipality (see the README): visits paged, other lists cut.

    ``page`` beyond the last gives no visits.
    """
    city = City(row.name, row.prefecture, row.code, city_passages(reader, row.code), row.code, {"code": (row.code,)})
    reports = city.reports()
    pages = max(1, math.ceil(len(reports) / VISITS_PER_PAGE))
    shown = reports[(page - 1) * VISITS_PER_PAGE: page * VISITS_PER_PAGE]
    counts, details = first_items(reader, city, reports)
    practices = practice_counts(city.passages, taxonomy)
    notices = [] if reports else [f"{row.name}を視察した報告書は収録されていません"]
    return {
        "municipality": municipality_dict(row),
        "total": {"visits": len(reports), "passages": len(city.passages), "practices": len(practices),
                  **counts},
        "visits": visit_entries(reader, row, shown, Counter(p["file"] for p in city.passages)),
        "page": page, "pages": pages, "limit": VISITS_PER_PAGE,
        "years": visits_per_year(reports),
        "practices": practice_evidence(reader, taxonomy, city, practices[:SHOWN_PRACTICES]),
        **{kind: [_uncited(i) for i in items] for kind, items in details.items()},
        "notices": notices,
    }


def first_items(reader: Reader, city: City, reports: Sequence[Mapping[str, Any]]
                ) -> tuple[dict[str, int], dict[str, list[dict[str, Any]]]]:
    """Per kind (figures, qa, observations): how many the city's visits have, and the first :data:`SHOWN_ITEMS`.

    Every item is counted; only the passages of the shown ones are cited
    (:func:`index.compare.visit_details` with ``only``), so a city of
    thousands of Q&A pairs builds a few.
    """
    rank = {str(r["file"]): n for n, r in enumerate(reports)}
    keys = {(str(p["file"]), str(p["passage"])) for p in city.passages}
    found: dict[str, list[tuple[int, int, int, str, str]]] = {kind: [] for kind in ITEM_KINDS}
    for i in reader.items(city.filters, ITEM_KINDS) if keys else []:
        if i["visit"] and i["code"] == city.code and i["municipality"] == city.name and (i["file"], i["passage"]) in keys:
            found[i["kind"]].append((rank[i["file"]], i["visit"], i["order"], i["file"], i["passage"]))
    shown = {(f, p) for items in found.values() for *_, f, p in sorted(items)[:SHOWN_ITEMS]}
    details = visit_details(reader, city, Sources(), shown)
    return ({kind: len(items) for kind, items in found.items()},
            {kind: items[:SHOWN_ITEMS] for kind, items in details.items()})


def _uncited(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item without the footnote number :func:`visit_details` gave it (the page cites by link)."""
    return {k: v for k, v in item.items() if k != "source"}


def visit_entries(reader: Reader, row: Municipality, reports: Sequence[Mapping[str, Any]],
                  passages: Mapping[str, int]) -> list[dict[str, Any]]:
    """The shown visits: report, council, date, the visit's number in its report and its topics."""
    out = []
    for report in reports:
        visits = _visits_to(reader, str(report["file"]), row)
        topics = [t for _, v in visits for t in v.get("topics") or []]
        out.append({**report, "visit": visits[0][0] if visits else None, "topics": list(dict.fromkeys(topics)),
                    "passages": passages.get(str(report["file"]), 0)})
    return out


def _visits_to(reader: Reader, file: str, row: Municipality) -> list[tuple[int, dict[str, Any]]]:
    """The visits of ``file``'s stored parse to ``row`` (1-based numbers, as the report page's anchors)."""
    doc = reader.report(file)
    parsed: dict[str, Any] = json.loads(doc["report_json"]) if doc and doc.get("report_json") else {}
    return [(n, v) for n, v in enumerate(parsed.get("visits") or [], 1)
            if v.get("code") == row.code or (not v.get("code") and v.get("municipality") == row.name)]


def visits_per_year(reports: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Visits per year from the first to the last (years without visits at 0), then those without a date."""
    years = Counter(str(r.get("date") or "")[:4] for r in reports)
    dated = sorted(int(y) for y in years if y.isdigit())
    out: list[dict[str, Any]] = [{"year": str(y), "visits": years.get(str(y), 0)}
                                 for y in range(dated[0], dated[-1] + 1)] if dated else []
    undated = sum(n for y, n in years.items() if not y.isdigit())
    if undated:
        out.append({"year": "", "visits": undated})
    return out


def practice_counts(passages: Sequence[Mapping[str, Any]], taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Practices the city's passages name, most reports first: id, name, category, passages, reports, keys."""
    keys: dict[str, list[tuple[str, str, str]]] = {}
    for p in passages:
        for pid in practice_ids(p):
            keys.setdefault(pid, []).append((str(p["file"]), str(p["passage"]), str(p.get("section") or "")))
    rank = {p.id: n for n, p in enumerate(taxonomy.practices)}
    known = [(taxonomy.practice(pid), found) for pid, found in keys.items() if pid in rank]
    known.sort(key=lambda k: (-len({f for f, _, _ in k[1]}), -len(k[1]), rank[k[0].id]))
    return [{"id": p.id, "name": p.name, "category": p.category,
             "category_name": taxonomy.category(p.category).name,
             "passages": len(found), "reports": len({f for f, _, _ in found}), "keys": found}
            for p, found in known]


def practice_evidence(reader: Reader, taxonomy: Taxonomy, city: City,
                      practices: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The shown practices, each with its first passages (description before Q&A and observations) quoted."""
    chosen = {p["id"]: _telling(p["keys"]) for p in practices}
    files = tuple(sorted({file for keys in chosen.values() for file, _ in keys}))
    texts = {(str(f["file"]), str(f["passage"])): f
             for f in (reader.passages({**city.filters, "file": files}) if files else [])}
    out = []
    for entry in practices:
        quoted = [_quote(texts[key], entry["id"], taxonomy) for key in chosen[entry["id"]] if key in texts]
        out.append({**{k: v for k, v in entry.items() if k != "keys"}, "evidence": quoted})
    return out


def _telling(keys: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Up to :data:`EVIDENCE_PER_PRACTICE` passages of different reports, newest first, descriptions first."""
    ordered = sorted(range(len(keys)), key=lambda n: (keys[n][2] not in _TELLING_SECTIONS, n))
    chosen: dict[str, str] = {}
    for n in ordered:
        file, passage, _ = keys[n]
        if file not in chosen and len(chosen) < EVIDENCE_PER_PRACTICE:
            chosen[file] = passage
    return list(chosen.items())


def _quote(fields: Mapping[str, Any], practice_id: str, taxonomy: Taxonomy) -> dict[str, Any]:
    return {"file": fields["file"], "passage": fields["passage"], "date": fields.get("date", ""),
            "title": fields.get("title", ""), "council": fields.get("council", ""),
            "body": fields.get("body", ""), "section": fields.get("section", ""),
            "heading": fields.get("heading", ""),
            "snippet": excerpt(str(fields["text"]), practice_id, taxonomy)}


def excerpt(text: str, practice_id: str, taxonomy: Taxonomy, width: int = EXCERPT_CHARS) -> str:
    """HTML: about ``width`` characters of ``text`` around its first mention of the practice, marked."""
    if len(text) <= width:
        return mark_mentions(text, practice_id, taxonomy)
    first = next((m.start for m in taxonomy.mentions(text) if m.practice == practice_id), 0)
    start = max(0, min(first - width // 3, len(text) - width))
    part = mark_mentions(text[start:start + width], practice_id, taxonomy)
    return ("…" if start else "") + part + ("…" if start + width < len(text) else "")
