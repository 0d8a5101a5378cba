"""``/api/openapi.json``: the OpenAPI 3.1 document of the JSON API.

One :class:`Operation` per JSON route in :data:`OPERATIONS` (the ``.json``
twins of pages are listed as aliases); documenting a new route is one entry.
Ranges, enums and messages come from the definitions the views and the
search service check against (:data:`index.search.PARAM_MESSAGES`,
:data:`kb.model.SECTIONS`, the taxonomy, :data:`index.matrix.SORT_KEYS`);
tests/test_openapi.py checks that every JSON route is documented and fuzzes
each operation from its parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, jsonify

from index.compare import MAX_CITIES
from index.matrix import SORT_KEYS
from index.search import MAX_LIMIT, MAX_PAGE, MAX_QUERY_CHARS, PARAM_MESSAGES
from kb.model import SECTIONS
from kb.taxonomy import default_taxonomy

bp = Blueprint("openapi", __name__, url_prefix="/api")

Schema = dict[str, Any]


@dataclass(frozen=True)
class Param:
    """One parameter: where it goes, its JSON schema and what it means (Japanese)."""

    name: str
    schema: Schema
    description: str
    where: str = "query"
    required: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The OpenAPI parameter object."""
        out: dict[str, Any] = {"name": self.name, "in": self.where, "description": self.description,
                               "required": self.required or self.where == "path", "schema": self.schema}
        if self.schema.get("type") == "array":
            out["style"], out["explode"] = "form", True
        return out


@dataclass(frozen=True)
class Operation:
    """One JSON route: its Flask rule, summary, parameters and the keys its answer always holds."""

    rule: str
    summary: str
    params: tuple[Param, ...] = ()
    keys: tuple[str, ...] = ()
    method: str = "get"
    tag: str = "検索"
    errors: tuple[int, ...] = (400, 503)
    envelope: bool = True
    body: Schema | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/reports/<path:file>`` → ``/api/reports/{file}``."""
        return re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", self.rule)

    def to_dict(self) -> dict[str, Any]:
        """The OpenAPI operation object."""
        success: Schema = {"type": "object", "required": list(self.keys), "properties": {
            key: {} for key in self.keys}}
        if self.envelope:
            success = {"allOf": [{"$ref": "#/components/schemas/Ok"}, success]}
        responses: dict[str, Any] = {"200": {"description": "成功", "content": {"application/json": {
            "schema": success}}}}
        for status in self.errors:
            responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
        out: dict[str, Any] = {"summary": self.summary, "tags": [self.tag],
                               "operationId": re.sub(r"\W+", "_", f"{self.method}{self.path}").strip("_"),
                               "parameters": [p.to_dict() for p in self.params], "responses": responses,
                               **self.extra}
        if self.body is not None:
            out["requestBody"] = self.body
        return out


def _query_params() -> dict[str, Param]:
    """Every query parameter, once: the views read them under these names."""
    taxonomy = default_taxonomy()
    practice_ids = [p.id for p in taxonomy.practices]
    category_ids = [c.id for c in taxonomy.categories]
    text = {"type": "string", "maxLength": MAX_QUERY_CHARS}
    return {p.name: p for p in (
        Param("q", text, f"検索語（先頭{MAX_QUERY_CHARS}文字まで）。\"…\" や「…」で囲むと語順どおりに探す"),
        Param("city", {"type": "string"}, "市区町村（名前・読み・団体コード）"),
        Param("pref", {"type": "string"}, "都道府県（例：大阪府）"),
        Param("year", {"type": "integer", "minimum": 1, "maximum": 9999}, PARAM_MESSAGES["year"]),
        Param("section", {"type": "string", "enum": list(SECTIONS)}, PARAM_MESSAGES["section"]),
        Param("practice", {"type": "string", "enum": practice_ids}, PARAM_MESSAGES["practice"]),
        Param("exact", {"type": "boolean"}, "true（1, yes, on）なら同じ意味の語に広げず入力した語だけで検索する"),
        Param("scope", {"type": "boolean", "default": True},
              "false（0, no, off）なら検索語の自治体名・都道府県名で視察先を絞り込まない"),
        Param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
              PARAM_MESSAGES["limit"]),
        Param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, PARAM_MESSAGES["page"]),
        Param("cities", {"type": "string"},
              f"比較する市区町村をカンマ区切りで（名前・読み・団体コード・富山県朝日町の形。{MAX_CITIES}団体まで）"),
        Param("category", {"type": "array", "items": {"type": "string", "enum": category_ids}},
              "取組の分野のIDで絞る（繰り返し・カンマ区切り可）"),
        Param("sort", {"type": "string", "enum": [*SORT_KEYS, *category_ids], "default": "code"},
              "並べ順：code（団体コード順）, name, total, または分野のID（その分野の多い順）"),
    )}


def _operations() -> tuple[Operation, ...]:
    q = _query_params()
    # ``city`` repeated is an array on the comparison routes, one name on the search.
    cities = (q["cities"], Param("city", {"type": "array", "items": {"type": "string"}},
                                 "cities の代わりに繰り返し指定してもよい"))
    search = (q["q"], q["city"], q["pref"], q["year"], q["section"], q["practice"], q["exact"], q["scope"],
              q["limit"], q["page"])
    search_keys = ("query", "total", "mode", "page", "limit", "pages", "filters", "hits", "facets", "notices",
                   "scope", "answer")
    compare = (*cities, q["q"], q["category"], q["exact"])
    qa = (q["q"], Param("practice", q["practice"].schema, "取組のID（q か practice のどちらかが必要）"), *cities,
          q["exact"])
    matrix = (q["pref"], q["year"], q["sort"])
    file = Param("file", {"type": "string"}, "報告書のファイル名（/api/stats の files[].file）", "path")
    practice_id = Param("practice_id", {"type": "string"}, "取組のID（/api/practices）", "path")
    upload_body = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}
    token = Param("X-Upload-Token", {"type": "string"}, "アップロード用のトークン（サーバーの UPLOAD_TOKEN）",
                  "header", required=True)
    return (
        Operation("/api/search", "段落を検索する（ページ・ファセット付き）", search, search_keys),
        Operation("/search.json", "/api/search の別名", search, search_keys),
        Operation("/api/reports/<path:file>", "報告書1件の解析結果", (file,), ("file", "title", "visits", "passages"),
                  tag="報告書", errors=(404, 503)),
        Operation("/api/stats", "件数と報告書の一覧（1ページ50件）", (q["page"],),
                  ("reports", "passages", "municipalities", "prefectures", "files", "page", "pages"), tag="報告書"),
        Operation("/api/practices", "取組の一覧（分野ごと）", (), ("categories",), tag="取組", errors=(503,)),
        Operation("/api/practices/<practice_id>", "ひとつの取組を行っている自治体と根拠", (practice_id, q["page"]),
                  ("practice", "cities"), tag="取組", errors=(400, 404, 503)),
        Operation("/api/compare", "市区町村を取組ごとに並べて比較する", compare, ("cities", "groups"), tag="比較"),
        Operation("/compare.json", "/api/compare の別名", compare, ("cities", "groups"), tag="比較"),
        Operation("/api/qa", "質疑応答を自治体ごとに並べる", qa, ("query", "cities", "total"), tag="比較"),
        Operation("/qa.json", "/api/qa の別名", qa, ("query", "cities", "total"), tag="比較"),
        Operation("/api/matrix", "市区町村×取組分野の件数表", matrix, ("rows", "filters", "sort"), tag="比較"),
        Operation("/matrix.json", "/api/matrix の別名", matrix, ("rows", "filters", "sort"), tag="比較"),
        Operation("/api/cities/<key>", "ひとつの市区町村の視察・取組・質疑・数値・所見（名前・読みでも可、同名は候補一覧）",
                  (Param("key", {"type": "string"}, "団体コード（6桁）、市区町村名、または読み", "path"), q["page"]),
                  (), tag="自治体", errors=(400, 404, 503)),
        Operation("/api/municipalities", "名前・読みが q で始まる市区町村（最大10件、報告書のあるものが先）",
                  (Param("q", {"type": "string"}, "市区町村名・読み（ひらがな・カタカナ・ローマ字）の先頭"),),
                  ("query", "items"), tag="比較"),
        Operation("/api/upload", "報告書をアップロードして索引に登録する", (token,), ("files", "seconds"), method="post",
                  tag="アップロード", errors=(400, 403, 404, 413, 503), body=upload_body),
        Operation("/api/openapi.json", "この文書（OpenAPI 3.1）", (), ("openapi", "info", "paths"), tag="文書",
                  errors=(), envelope=False),
    )


def _error_response(status: int) -> dict[str, Any]:
    return {"description": f"エラー（{status}）", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


def document() -> dict[str, Any]:
    """The OpenAPI document."""
    operations = _operations()
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method] = op.to_dict()
    statuses = sorted({s for op in operations for s in op.errors})
    return {
        "openapi": "3.1.0",
        "info": {"title": "DXKB API", "version": "1",
                 "description": "自治体DXの行政視察報告書ナレッジベースのJSON API。成功は {\"ok\": true, …}、"
                                "エラーは {\"ok\": false, \"error\": \"…\", \"status\": N}。"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Ok": {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}},
                "Error": {"type": "object", "required": ["ok", "error", "status"], "additionalProperties": False,
                          "properties": {"ok": {"const": False}, "error": {"type": "string", "minLength": 1},
                                         "status": {"type": "integer", "minimum": 400, "maximum": 599}}},
            },
            "responses": {f"E{s}": _error_response(s) for s in statuses},
        },
    }


def operations() -> tuple[Operation, ...]:
    """Every documented operation."""
    return _operations()


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 document of the JSON API."""
    return jsonify(document())


def register(app: Flask) -> None:
    """Attach the document's route."""
    app.register_blueprint(bp)
