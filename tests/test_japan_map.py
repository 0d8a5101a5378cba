"""The tile-grid map of Japan on the start page (webui/templates/_japan_map.html)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from kb.tilemap import TILES


@pytest.fixture()
def home(client: FlaskClient) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def svg_of(page: str) -> str:
    match = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert match, "no <svg> on the start page"
    return match.group(0)


def test_start_page_draws_47_tiles(home: str) -> None:
    svg = svg_of(home)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert svg.count("<rect") == 47 == home.count("<rect")
    assert all(f">{tile.label}</text>" in svg for tile in TILES)
    assert "<figcaption>" in home and "視察先の自治体数（都道府県別）" in home


def test_counted_prefectures_link_to_their_results(home: str, service: Any) -> None:
    svg = svg_of(home)
    counts = {p["value"]: p["count"] for p in service.stats()["prefectures"]}
    assert counts["大阪府"] == 1
    assert f'href="/search?pref={quote("大阪府")}"' in svg
    assert "<title>大阪府：視察先1団体</title>" in svg
    for prefecture, count in counts.items():
        assert f"<title>{prefecture}：視察先{count}団体</title>" in svg
    assert svg.count('class="japan-map-link"') == len(counts)


def test_unvisited_prefectures_are_muted_not_linked(home: str) -> None:
    svg = svg_of(home)
    assert "<title>沖縄県：視察先なし</title>" in svg
    assert f"pref={quote('沖縄県')}" not in svg
    tile = re.search(r'<g class="japan-map-tile tile-level-(\d)">\s*<title>沖縄県', svg)
    assert tile and tile.group(1) == "0"


def test_legend_uses_the_tile_classes(home: str) -> None:
    legend = re.search(r'<ul class="map-legend".*?</ul>', home, re.DOTALL)
    assert legend
    for level in range(6):
        assert f"map-legend-swatch tile-level-{level}" in legend.group(0)
    text = re.sub(r"<[^>]+>", " ", legend.group(0)).split()
    assert text == ["なし", "1", "2–3", "4–7", "8–15", "16以上"]


def test_every_shade_has_a_style() -> None:
    css = (Path(__file__).resolve().parents[1] / "webui" / "static" / "style.css").read_text(encoding="utf-8")
    for level in range(6):
        assert re.search(rf"\.tile-level-{level} \{{[^}}]*--tile-fill", css)


def test_pref_link_finds_passages(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"pref": "大阪府"}).get_json()
    assert data["total"] > 0
    assert {hit["prefecture"] for hit in data["hits"]} == {"大阪府"}
