"""/api/openapi.json: every JSON route documented, and each operation fuzzed from its parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webui.openapi import Operation, Param, document, operations
from webui.views import JSON_TWINS

FUZZ_EXAMPLES = 30
_OPERATIONS = operations()


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule)


def _json_routes(app: Flask) -> set[tuple[str, str]]:
    """(path, method) of every route answering JSON: under /api/ and the pages' .json twins."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule in JSON_TWINS:
            out.update((_openapi_path(rule.rule), m.lower()) for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))
    return out


def test_every_json_route_is_documented_and_nothing_else(app: Flask) -> None:
    documented = {(path, method) for path, item in document()["paths"].items() for method in item}
    assert _json_routes(app) == documented


def test_the_served_document_is_openapi_3_1(app: Flask) -> None:
    response = app.test_client().get("/api/openapi.json")
    served = response.get_json()
    assert response.status_code == 200 and served == document()
    assert served["openapi"] == "3.1.0" and served["components"]["schemas"]["Error"]["required"] == [
        "ok", "error", "status"]
    search = served["paths"]["/api/search"]["get"]
    params = {p["name"]: p for p in search["parameters"]}
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert params["section"]["schema"]["enum"] == ["overview", "content", "qa", "observation"]
    assert "byod" in params["practice"]["schema"]["enum"]
    assert served["paths"]["/api/reports/{file}"]["get"]["parameters"][0]["in"] == "path"
    for path, item in served["paths"].items():
        for method, op in item.items():
            assert op["summary"] and op["responses"]["200"], (path, method)
            refs = [r["$ref"] for s, r in op["responses"].items() if s != "200"]
            assert all(ref.split("/")[-1] in served["components"]["responses"] for ref in refs)


# --------------------------------------------------------------------------
# Fuzzing


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
_JUNK = st.one_of(
    _TEXT, st.integers(-10**40, 10**40).map(str), st.just(""),
    st.sampled_from(["-1", "0", "1e3", " 7 ", "１２", "NaN", "null", "[]", "%", "..", "\x00", "9" * 5000]))


def _valid(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if "enum" in schema:
        return st.sampled_from([str(v) for v in schema["enum"]])
    if schema.get("type") == "integer":
        low, high = schema.get("minimum", -10**6), schema.get("maximum", 10**6)
        # In range, and just or far past either end.
        return st.one_of(st.integers(low, high), st.integers(high, high + 10**40),
                         st.integers(low - 10**40, low)).map(str)
    if schema.get("type") == "boolean":
        return st.sampled_from(["true", "false", "1", "0", "on"])
    return _TEXT


def _values(param: Param) -> st.SearchStrategy[list[str]]:
    """Values of one parameter, the schema's or junk; several for a repeated (array) parameter or to try one."""
    schema = param.schema.get("items", param.schema)
    return st.lists(st.one_of(_valid(schema), _JUNK), max_size=3)


@st.composite
def _request(draw: st.DrawFn, op: Operation) -> tuple[str, dict[str, str]]:
    path = op.path
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    for param in op.params:
        if param.where == "path":
            value = draw(st.one_of(_valid(param.schema), _JUNK, st.sampled_from(_KNOWN[param.name])))
            path = path.replace("{" + param.name + "}", quote(value, safe="") or "x")
        elif param.where == "header":
            headers[param.name] = draw(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20))
        else:
            query += [(param.name, v) for v in draw(_values(param))]
    return (f"{path}?{urlencode(query)}" if query else path), headers


_KNOWN = {"file": ["yokohama-2022-07-digital-committee.txt", "kasukabe-2023-01-council-tablets.html"],
          "practice_id": ["byod", "rpa", "no-such-practice"],
          "key": ["271004", "おおさかし", "府中市", "999999", "北見市"]}


def _check(op: Operation, url: str, status: int, body: Any) -> None:
    assert status < 500, (url, status, body)
    assert isinstance(body, dict), (url, status)
    if status >= 400:
        assert body == {"ok": False, "error": body.get("error"), "status": status}, (url, body)
        assert isinstance(body["error"], str) and body["error"], url
    elif op.envelope:
        assert body.get("ok") is True and set(op.keys) <= set(body), (url, sorted(body))


@pytest.fixture(scope="module")
def upload_app(index_dir: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app with uploads switched on (a token set), so /api/upload checks the token rather than hiding."""
    from webui import create_app

    folder = tmp_path_factory.mktemp("uploads")
    yield create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "REPORTS_DIR": str(folder),
                      "UPLOAD_TOKEN": "fuzz-token-not-guessed"})


@pytest.mark.parametrize("op", _OPERATIONS, ids=[f"{o.method} {o.path}" for o in _OPERATIONS])
def test_fuzzed_requests_never_fail_on_the_server(op: Operation, app: Flask, upload_app: Flask) -> None:
    client = (upload_app if op.method == "post" else app).test_client()

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(request=_request(op))
    def run(request: tuple[str, dict[str, str]]) -> None:
        url, headers = request
        response = client.open(url, method=op.method.upper(), headers=headers)
        _check(op, url, response.status_code, response.get_json(silent=True))

    run()


BIG = "1" + "0" * 30


@pytest.mark.parametrize(("url", "status", "message"), [
    (f"/api/search?q=BYOD&page={BIG}", 400, "page は1,000,000以下の整数で指定してください"),
    (f"/api/stats?page={BIG}", 400, "page は1,000,000以下の整数で指定してください"),
    (f"/api/practices/byod?page={BIG}", 400, "page は1,000,000以下の整数で指定してください"),
    ("/api/search?q=BYOD&page=1000000&limit=100", 200, None),
    ("/api/stats?page=0", 400, "page は1以上の整数で指定してください"),
    ("/api/search?pref=%00", 400, "pref に使えない文字（制御文字）が含まれています"),
    ("/api/reports/a%00b", 400, "file に使えない文字（制御文字）が含まれています"),
    ("/search.json?q=%1FBYOD", 400, "q に使えない文字（制御文字）が含まれています"),
    ("/api/search?year=" + "9" * 5000, 400, "year は西暦の年（例：2023）で指定してください"),
    (f"/api/matrix?year={BIG}", 400, "year は西暦の年（例：2023）で指定してください"),
    ("/api/search?q=%09BYOD%0A", 200, None),
])
def test_edge_values_get_a_named_refusal(client: Any, url: str, status: int, message: str | None) -> None:
    response = client.get(url)
    body = response.get_json()
    assert response.status_code == status, body
    if message is not None:
        assert body == {"ok": False, "error": message, "status": status}


def test_control_characters_are_refused_on_pages_too(client: Any) -> None:
    response = client.get("/search?pref=%00")
    assert response.status_code == 400 and "pref に使えない文字" in response.get_data(as_text=True)
