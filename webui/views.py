"""Blueprints of the DXKB web UI and its JSON API.

Each HTML page renders the very dict its JSON twin returns: ``/search`` and
``/api/search`` (alias ``/search.json``), ``/reports/<file>`` and
``/api/reports/<file>``, ``/`` and ``/api/stats``.  Errors are
``kb.errors.DxkbError`` (with ``.status``) or HTTP errors; JSON routes answer
``{"ok": false, "error": "...", "status": N}``, HTML routes a Japanese page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    jsonify,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from index.search import PARAM_MESSAGES
from kb.errors import DxkbError, QueryError
from kb.model import SECTION_LABELS
from kb.tilemap import TileMap, tile_map
from webui import get_service

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")

# URL parameters that make up the state of a search page, in URL order.
STATE_PARAMS = ("q", "city", "pref", "year", "section", "practice", "exact", "scope", "limit", "page")
# Parameters that narrow a search (a search page without any is the start page).
FILTER_PARAMS = ("q", "city", "pref", "year", "section", "practice")

# (facet key in the result, filter key in result["filters"], URL param, label)
FACETS = (
    ("municipality", "city", "city", "市区町村"),
    ("prefecture", "prefecture", "pref", "都道府県"),
    ("year", "year", "year", "年"),
    ("section", "section", "section", "区分"),
    ("practice", "practice", "practice", "取組"),
)

HTTP_MESSAGES = {
    400: "リクエストが正しくありません",
    404: "ページが見つかりません",
    405: "この方法ではアクセスできません",
    500: "サーバー内部でエラーが発生しました",
}

JSON_TWINS = frozenset({"/search.json", "/compare.json", "/qa.json", "/matrix.json"})
"""Page paths whose JSON twin is ``<path>.json`` (errors there are JSON too)."""

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


# --------------------------------------------------------------------------
# Request parsing and the shared dicts


def int_param(args: Mapping[str, str], name: str) -> int | None:
    """An optional integer URL parameter; a non-integer is a QueryError.

    Ranges are checked by the search service, with the same messages.
    """
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise QueryError(PARAM_MESSAGES[name], subject=name) from None


def _text_param(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name, "").strip()
    return value or None


def _flag(args: Mapping[str, str], name: str) -> bool:
    return args.get(name, "").strip().lower() in ("1", "true", "yes", "on")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters() -> None:
    """No parameter may hold control characters (NUL and the like): a QueryError naming it."""
    named = [*request.args.items(multi=True), *(request.view_args or {}).items()]
    for name, value in named:
        if isinstance(value, str) and _CONTROL.search(value):
            raise QueryError(f"{name} に使えない文字（制御文字）が含まれています", subject=name)


def search_kwargs(args: Mapping[str, str]) -> dict[str, Any]:
    """Turn URL parameters into keyword arguments of ``SearchService.search``."""
    kwargs: dict[str, Any] = {
        "city": _text_param(args, "city"),
        "prefecture": _text_param(args, "pref"),
        "year": int_param(args, "year"),
        "section": _text_param(args, "section"),
        "practice": _text_param(args, "practice"),
        "exact": _flag(args, "exact"),
        "scope": args.get("scope", "").strip().lower() not in ("0", "false", "no", "off"),
    }
    page = int_param(args, "page")
    kwargs["page"] = 1 if page is None else page
    limit = int_param(args, "limit")
    if limit is not None:
        kwargs["limit"] = limit
    return kwargs


def search_result(args: Mapping[str, str]) -> dict[str, Any]:
    """The search dict shared by ``/search`` and ``/api/search``."""
    kwargs = search_kwargs(args)
    result: dict[str, Any] = get_service().search(args.get("q", ""), **kwargs)
    return result


def stats_result(args: Mapping[str, str]) -> dict[str, Any]:
    """The start page's dict shared by ``/`` and ``/api/stats``: ``page`` chooses the page of reports."""
    page = int_param(args, "page")
    result: dict[str, Any] = get_service().stats(1 if page is None else page)
    return result


def practice_dict(practice_id: str, args: Mapping[str, str]) -> dict[str, Any]:
    """A practice page's dict shared by ``/practices/<id>`` and its JSON twin: ``page`` chooses the cities."""
    page = int_param(args, "page")
    result: dict[str, Any] = get_service().practice(practice_id, 1 if page is None else page)
    return result


def has_search_state(args: Mapping[str, str]) -> bool:
    """True when the URL asks for a search rather than the start page."""
    return any(args.get(name, "").strip() for name in FILTER_PARAMS)


def ok_json(data: Mapping[str, Any]) -> Response:
    """A JSON twin: the page's dict plus ``"ok": true``."""
    return jsonify({**data, "ok": True})


# --------------------------------------------------------------------------
# HTML pages


@pages.get("/")
@pages.get("/search")
def search() -> str:
    """Search page; without a query, the introduction and bundled reports."""
    if not has_search_state(request.args):
        return render_template("search.html", result=None, stats=stats_result(request.args))
    return render_template(
        "search.html", result=search_result(request.args), stats=None
    )


@pages.get("/reports/<path:file>")
def report(file: str) -> str:
    """One parsed report with an anchor per passage."""
    return render_template("report.html", report=get_service().report(file))


@pages.get("/practices")
def practices() -> str:
    """The practice catalogue by category."""
    return render_template("practices.html", catalogue=get_service().practices())


@pages.get("/practices/<practice_id>")
def practice(practice_id: str) -> str:
    """Which cities do one practice, with the evidence."""
    return render_template("practice.html", page=practice_dict(practice_id, request.args))


@pages.get("/memo")
def memo() -> str:
    """The question-preparation memo; its items live in the browser and memo.js lists them."""
    return render_template("memo.html")


@pages.get("/search.json")
def search_json() -> Response:
    """Alias of ``/api/search``."""
    return ok_json(search_result(request.args))


# --------------------------------------------------------------------------
# JSON API


@api.get("/search")
def api_search() -> Response:
    """The search dict of ``SearchService.search`` plus ``"ok": true``."""
    return ok_json(search_result(request.args))


@api.get("/reports/<path:file>")
def api_report(file: str) -> Response:
    """The report dict of ``SearchService.report``."""
    return ok_json(get_service().report(file))


@api.get("/practices")
def api_practices() -> Response:
    """The practice catalogue of ``SearchService.practices``."""
    return ok_json(get_service().practices())


@api.get("/practices/<practice_id>")
def api_practice(practice_id: str) -> Response:
    """One practice page of ``SearchService.practice``."""
    return ok_json(practice_dict(practice_id, request.args))


@api.get("/stats")
def api_stats() -> Response:
    """Counts of reports, passages and municipalities in the index, and one page of its reports."""
    return ok_json(stats_result(request.args))


# --------------------------------------------------------------------------
# Errors


def wants_json() -> bool:
    """JSON routes are everything under /api/ and the ``.json`` twins of pages."""
    path = request.path
    return path in JSON_TWINS or path == "/api" or path.startswith("/api/")


def error_response(status: int, message: str, title: str) -> tuple[Any, int]:
    """The JSON error shape, or the Japanese error page, with ``status``."""
    if wants_json():
        return jsonify({"ok": False, "error": message, "status": status}), status
    page = render_template("error.html", status=status, title=title, message=message)
    return page, status


def handle_dxkb_error(err: DxkbError) -> tuple[Any, int]:
    """Errors DXKB raises on purpose carry their own HTTP status."""
    status = int(getattr(err, "status", 500))
    return error_response(status, str(err), HTTP_MESSAGES.get(status, "エラー"))


def handle_http_error(err: HTTPException) -> tuple[Any, int]:
    """Werkzeug errors (unknown route, wrong method...) in the same shapes."""
    status = err.code or 500
    title = HTTP_MESSAGES.get(status, err.name)
    message = title if status in HTTP_MESSAGES else (err.description or err.name)
    return error_response(status, message, title)


def security_headers(response: Response) -> Response:
    """Everything is served from this host; forbid anything else."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


# --------------------------------------------------------------------------
# Template helpers


def section_label(section: str | None) -> str:
    """Japanese label of a section key (概要, 視察内容, 質疑応答, 所見)."""
    return SECTION_LABELS.get(section or "", section or "")


def ja_date(value: str | None) -> str:
    """``2024-07-11`` → ``2024年7月11日``; anything else unchanged."""
    if not value:
        return ""
    match = ISO_DATE.match(str(value))
    if not match:
        return str(value)
    year, month, day = (int(part) for part in match.groups())
    return f"{year}年{month}月{day}日"


def ja_period(period: Mapping[str, Any] | None) -> str:
    """``{"start": "2022-07-21", "end": "2022-07-22"}`` → ``2022年7月21日〜7月22日``."""
    start = ja_date((period or {}).get("start"))
    end = ja_date((period or {}).get("end"))
    if not end or end == start:
        return start
    if not start:
        return f"〜{end}"
    if start[:5] == end[:5]:
        end = end[5:]  # same year: 〜7月22日
    return f"{start}〜{end}"


def figure_value(value: Any) -> str:
    """``20875`` → ``20,875``; ``1.5`` → ``1.5``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def facet_value_label(facet: str, value: Any) -> str:
    """How a facet value reads in the sidebar and in filter chips."""
    if facet == "section":
        return section_label(str(value))
    if facet == "year":
        return f"{value}年"
    if facet == "practice":
        return get_service().practice_name(str(value)) or str(value)
    return str(value)


def by_passage(items: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Index Q&A pairs or observations by the passage id they belong to."""
    return {str(item.get("passage")): item for item in items if item.get("passage")}


def search_url(_endpoint: str = "pages.search", /, **changes: Any) -> str:
    """The current search URL with some parameters changed (None removes).

    Any change but an explicit ``page`` goes back to the first page.
    """
    params: dict[str, Any] = {
        name: request.args.get(name, "").strip() for name in STATE_PARAMS
    }
    params = {name: value for name, value in params.items() if value}
    if "page" not in changes:
        params.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "" or (name == "page" and str(value) == "1"):
            params.pop(name, None)
        else:
            params[name] = str(value)
    return url_for(_endpoint, **params)


def prefecture_map(stats: Mapping[str, Any]) -> TileMap:
    """The start page's tile map, shaded by visited hosts per prefecture."""
    return tile_map({p["value"]: p["count"] for p in stats.get("prefectures") or []})


def page_window(page: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers to show around ``page``; None marks a gap (…)."""
    shown = {1, pages, *range(page - radius, page + radius + 1)}
    out: list[int | None] = []
    previous = 0
    for number in sorted(n for n in shown if 1 <= n <= pages):
        if number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out


def active_filters(result: Mapping[str, Any]) -> list[dict[str, str]]:
    """Chips for the filters in force, each with the URL that removes it."""
    filters = result.get("filters") or {}
    chips = []
    for facet, key, param, label in FACETS:
        value = filters.get(key)
        if value not in (None, ""):
            chips.append(
                {
                    "label": label,
                    "value": facet_value_label(facet, value),
                    "remove_url": search_url(**{param: None}),
                }
            )
    return chips


def facet_groups(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Sidebar groups: every facet value with its count and toggle URL."""
    filters = result.get("filters") or {}
    facets = result.get("facets") or {}
    groups = []
    for facet, key, param, label in FACETS:
        items = []
        current = filters.get(key)
        for entry in facets.get(facet) or []:
            active = current not in (None, "") and str(current) == str(entry["value"])
            url = search_url(**{param: None if active else entry["value"]})
            items.append(
                {
                    "label": facet_value_label(facet, entry["value"]),
                    "count": entry["count"],
                    "active": active,
                    "url": url,
                }
            )
        if items:
            groups.append({"label": label, "items": items})
    return groups


def register(app: Flask) -> None:
    """Attach blueprints, error handlers and template helpers to ``app``."""
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_error_handler(DxkbError, handle_dxkb_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.before_request(refuse_control_characters)
    app.after_request(security_headers)
    app.add_template_filter(section_label, "section_label")
    app.add_template_filter(ja_date, "ja_date")
    app.add_template_filter(ja_period, "ja_period")
    app.add_template_filter(by_passage, "by_passage")
    app.add_template_filter(figure_value, "figure_value")
    app.add_template_global(search_url, "search_url")
    app.add_template_global(page_window, "page_window")
    app.add_template_global(active_filters, "active_filters")
    app.add_template_global(facet_groups, "facet_groups")
    app.add_template_global(prefecture_map, "prefecture_map")
