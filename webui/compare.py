"""Comparison pages and their twins: /compare, /qa and /matrix.

Each page renders the dict its JSON twin returns (``/compare.json`` and
``/api/compare``, ``/qa.json`` and ``/api/qa``, ``/matrix.json`` and
``/api/matrix``); ``.csv`` and ``.md`` give the same comparison as a file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import jaconv
from flask import Blueprint, Flask, Response, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from index.compare import MAX_CITIES, municipality_suggestions, split_names
from index.export import comparison_csv, comparison_markdown, matrix_csv, qa_csv, qa_markdown
from webui import get_service
from webui.views import int_param, ok_json

pages = Blueprint("compare", __name__)
api = Blueprint("compare_api", __name__, url_prefix="/api")

MAX_SUGGESTIONS = 10

CELL_HOLDS = 10
"""Passages a cell of the compact view holds (its most telling one first); the rest are searched for."""

ITEMS_SHOWN = {"figures": 3, "qa": 1, "observations": 1}
"""Items of each extra row a compact cell shows before 「さらに表示」 (it holds up to :data:`CELL_HOLDS`)."""

REPORTS_SHOWN = 3
"""Reports listed under a city's name in the compact view."""

EXCERPT_CHARS = 90
"""Characters of the most telling passage a compact cell shows, from a little before its first mark."""

_SPACES = re.compile(r"\s+")
_MARK = re.compile(r'(<mark class="[\w -]*">)(.*?)</mark>', re.DOTALL)


def _cities(args: MultiDict[str, str]) -> list[str]:
    """``cities=大阪市,神戸市`` and/or repeated ``city=`` parameters, in order."""
    return split_names([args.get("cities", ""), *args.getlist("city")])


def _flag(args: Mapping[str, str], name: str) -> bool:
    return args.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _categories(args: MultiDict[str, str]) -> list[str]:
    return [c for raw in args.getlist("category") for c in raw.split(",") if c.strip()]


def compare_result(args: MultiDict[str, str]) -> dict[str, Any]:
    """The comparison dict shared by the page, its JSON twins and its exports."""
    result: dict[str, Any] = get_service().compare(
        _cities(args), query=args.get("q", ""), categories=_categories(args), exact=_flag(args, "exact"))
    return result


def qa_result(args: MultiDict[str, str]) -> dict[str, Any]:
    """The Q&A comparison dict shared by /qa and its twins."""
    result: dict[str, Any] = get_service().compare_qa(
        args.get("q", ""), practice=args.get("practice", "").strip() or None,
        cities=_cities(args), exact=_flag(args, "exact"))
    return result


def matrix_result(args: MultiDict[str, str]) -> dict[str, Any]:
    """The matrix dict shared by /matrix and its twins."""
    result: dict[str, Any] = get_service().matrix(
        prefecture=args.get("pref", "").strip() or None, year=int_param(args, "year"),
        sort=args.get("sort", "").strip() or "code")
    return result


def download(text: str, name: str, mimetype: str) -> Response:
    """``text`` as a UTF-8 file download named ``name`` (Japanese names kept, RFC 6266)."""
    response = Response(text.encode("utf-8"), content_type=f"{mimetype}; charset=utf-8")
    ascii_name = name if name.isascii() else "dxkb." + name.rsplit(".", 1)[-1]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    return response


def _base() -> str:
    return request.host_url.rstrip("/")


def _file_name(result: Mapping[str, Any], suffix: str) -> str:
    names = [c["municipality"] for c in result.get("cities", [])]
    return "比較_" + "_".join(names or ["自治体"]) + suffix


# --------------------------------------------------------------------------
# Pages


@pages.get("/compare")
def compare() -> str:
    """Cities side by side (compact, or every passage with ``view=full``); without cities, the form."""
    result = compare_result(request.args) if _cities(request.args) else None
    full = request.args.get("view", "") == "full"
    return render_template("compare.html", result=result, suggestions=suggestions(), full=full,
                           categories=get_service().taxonomy.categories, max_cities=MAX_CITIES)


@pages.get("/compare.json")
def compare_json() -> Response:
    """Alias of ``/api/compare``."""
    return ok_json(compare_result(request.args))


@pages.get("/compare.csv")
def compare_csv() -> Response:
    """The comparison as CSV (UTF-8 with BOM)."""
    result = compare_result(request.args)
    return download(comparison_csv(result, _base()), _file_name(result, ".csv"), "text/csv")


@pages.get("/compare.md")
def compare_md() -> Response:
    """The comparison as Markdown."""
    result = compare_result(request.args)
    return download(comparison_markdown(result, _base()), _file_name(result, ".md"), "text/markdown")


@pages.get("/qa")
def qa() -> str:
    """Q&A pairs about a query or practice, one column per city."""
    args = request.args
    wanted = args.get("q", "").strip() or args.get("practice", "").strip()
    result = qa_result(args) if wanted else None
    return render_template("qa.html", result=result, practices=get_service().taxonomy.practices)


@pages.get("/qa.json")
def qa_json() -> Response:
    """Alias of ``/api/qa``."""
    return ok_json(qa_result(request.args))


@pages.get("/qa.csv")
def qa_csv_file() -> Response:
    """The Q&A comparison as CSV (UTF-8 with BOM)."""
    result = qa_result(request.args)
    return download(qa_csv(result, _base()), "質疑応答比較.csv", "text/csv")


@pages.get("/qa.md")
def qa_md_file() -> Response:
    """The Q&A comparison as Markdown."""
    result = qa_result(request.args)
    return download(qa_markdown(result, _base()), "質疑応答比較.md", "text/markdown")


@pages.get("/matrix")
def matrix() -> str:
    """Municipalities × practice categories as a heat map."""
    return render_template("matrix.html", result=matrix_result(request.args))


@pages.get("/matrix.json")
def matrix_json() -> Response:
    """Alias of ``/api/matrix``."""
    return ok_json(matrix_result(request.args))


@pages.get("/matrix.csv")
def matrix_csv_file() -> Response:
    """The matrix as CSV (UTF-8 with BOM)."""
    return download(matrix_csv(matrix_result(request.args)), "自治体別分野一覧.csv", "text/csv")


# --------------------------------------------------------------------------
# JSON API


@api.get("/compare")
def api_compare() -> Response:
    """The comparison dict of ``SearchService.compare``."""
    return ok_json(compare_result(request.args))


@api.get("/qa")
def api_qa() -> Response:
    """The Q&A comparison dict of ``SearchService.compare_qa``."""
    return ok_json(qa_result(request.args))


@api.get("/matrix")
def api_matrix() -> Response:
    """The matrix dict of ``SearchService.matrix``."""
    return ok_json(matrix_result(request.args))


@api.get("/municipalities")
def api_municipalities() -> Response:
    """Municipalities whose name, reading or code starts with ``q``; those with reports first."""
    return ok_json(municipality_matches(request.args.get("q", "")))


def municipality_matches(query: str) -> dict[str, Any]:
    """The autocomplete dict: up to ten matches, each saying whether reports about it exist."""
    service = get_service()
    query = query[:40]
    items = municipality_suggestions(service.table, service.reader().values("code"), query, MAX_SUGGESTIONS)
    return {"query": query, "items": items}


def suggestions() -> list[dict[str, Any]]:
    """Every municipality with reports, for the form's list (name, prefecture, reading)."""
    service = get_service()
    out = []
    for name in sorted(service.municipalities()):
        row = service.table.resolve(name)
        kana = row.kana if row else ""
        out.append({"municipality": name, "prefecture": row.prefecture if row else "",
                    "reading": f"{kana}　{jaconv.kata2hira(kana)}" if kana else "", "code": row.code if row else ""})
    out.sort(key=lambda s: s["code"] or "999999")
    return out


def compare_url_for_result(result: Mapping[str, Any]) -> str | None:
    """From a search result, the comparison of its municipalities (most passages first)."""
    names = [f["value"] for f in (result.get("facets") or {}).get("municipality", [])][:MAX_CITIES]
    if not names:
        return None
    params = {"cities": ",".join(names)}
    if result.get("query"):
        params["q"] = result["query"]
    return url_for("compare.compare", **params)


def compare_params(result: Mapping[str, Any]) -> dict[str, Any]:
    """The URL parameters that give ``result`` again (for its exports and twins)."""
    params: dict[str, Any] = {"cities": ",".join(c["key"] for c in result["cities"])}
    if result.get("query"):
        params["q"] = result["query"]
    if result.get("categories"):
        params["category"] = list(result["categories"])
    if result.get("exact"):
        params["exact"] = "1"
    return params


def matrix_params(result: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """The URL parameters of a matrix, with some changed."""
    filters = result.get("filters") or {}
    params = {"pref": filters.get("prefecture"), "year": filters.get("year"), "sort": result.get("sort")}
    params.update(changes)
    return {k: v for k, v in params.items() if v not in (None, "", "code")}


def _citation(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"council": item.get("council", ""), "body": item.get("body", ""), "title": item.get("title", ""),
            "date": item.get("date", ""), "file": item["file"], "passage": item["passage"],
            "url": url_for("pages.report", file=item["file"], _anchor=item["passage"])}


def memo_item(kind: str, city: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """What a 「メモに追加」 button pins: a passage or Q&A pair with its citation."""
    return {"kind": kind, "municipality": city["municipality"], "prefecture": city.get("prefecture", ""),
            **_citation(item), "heading": item.get("heading", ""), "text": item.get("text", ""),
            "question": item.get("question", ""), "answer": item.get("answer", "")}


def cell_memo(city: Mapping[str, Any], practice: str, passages: list[Mapping[str, Any]]) -> dict[str, Any]:
    """What a comparison cell's button pins: its passages, each source cited."""
    sources = [_citation(p) for p in passages]
    return {"kind": "cell", "municipality": city["municipality"], "prefecture": city.get("prefecture", ""),
            **sources[0], "practice": practice, "text": "\n\n".join(str(p["text"]) for p in passages),
            "sources": sources}


def compact_cell(cell: Mapping[str, Any], key: str = "passages", shown: int = 1) -> dict[str, Any]:
    """What a compact cell holds: its ``shown`` first entries (the most telling first), the rest up to
    :data:`CELL_HOLDS`, how many more it has, and how many it does not hold."""
    entries = list(cell.get(key) or [])
    lead = int(cell.get("lead") or 0) if entries else 0
    ordered = [*entries[lead:lead + 1], *entries[:lead], *entries[lead + 1:]]
    held = ordered[:max(CELL_HOLDS, shown)]
    return {"shown": held[:shown], "rest": held[shown:], "held": held,
            "more": max(len(entries) - shown, 0), "beyond": len(entries) - len(held)}


def compact_sources(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sources the compact page cites: those of the passages and items its cells hold."""
    cited: set[int] = set()
    for cell in result.get("matches") or []:
        cited.update(p["source"] for p in cell["passages"])
    for group in result.get("groups") or []:
        for row in group["rows"]:
            for cell in row["cells"]:
                cited.update(p["source"] for p in compact_cell(cell)["held"])
    for kind, shown in ITEMS_SHOWN.items():
        for cell in result.get(kind) or []:
            cited.update(i["source"] for i in compact_cell(cell, "items", shown)["held"])
    return [s for s in result.get("sources") or [] if s["n"] in cited]


def lead_excerpt(snippet: str, before: int = 12, width: int = EXCERPT_CHARS) -> Markup:
    """A one-line excerpt of a marked snippet: ``width`` characters from ``before`` ahead of its first mark."""
    pieces: list[tuple[str, str]] = []  # (text, the mark tag that opens it or "")
    last = 0
    for match in _MARK.finditer(snippet):
        pieces += [(html.unescape(snippet[last:match.start()]), ""), (html.unescape(match.group(2)), match.group(1))]
        last = match.end()
    pieces.append((html.unescape(snippet[last:]), ""))
    pieces = [(text if tag else _SPACES.sub(" ", text), tag) for text, tag in pieces]
    first = next((sum(len(t) for t, _ in pieces[:i]) for i, (_, tag) in enumerate(pieces) if tag), 0)
    start = max(first - before, 0)
    out, pos = ["…" if start else ""], 0
    for text, tag in pieces:
        part = text[max(start - pos, 0):max(start + width - pos, 0)]
        pos += len(text)
        if part:
            escaped = html.escape(part, quote=False)
            out.append(f"{tag}{escaped}</mark>" if tag else escaped)
    if pos > start + width:
        out.append("…")
    return Markup("".join(out))


def register(app: Flask) -> None:
    """Attach the comparison blueprints and their template helpers."""
    app.register_blueprint(pages)
    app.register_blueprint(api)
    for helper in (compare_url_for_result, compare_params, matrix_params, memo_item, cell_memo,
                   compact_cell, compact_sources):
        app.add_template_global(helper, helper.__name__)
    app.add_template_filter(lead_excerpt, "lead_excerpt")
    app.add_template_global(ITEMS_SHOWN, "ITEMS_SHOWN")
    app.add_template_global(REPORTS_SHOWN, "REPORTS_SHOWN")
