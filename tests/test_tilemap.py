"""The tile-grid map of Japan and its shading."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kb.tilemap import TILES, LegendStep, Tile, count_level, legend, tile_map

CSV = Path(__file__).resolve().parents[1] / "data" / "municipalities.csv"
BY_NAME = {tile.prefecture: tile for tile in TILES}


def csv_prefectures() -> list[str]:
    with CSV.open(encoding="utf-8") as handle:
        return [row["prefecture"] for row in csv.DictReader(handle) if not row["municipality"]]


def touching(a: Tile, b: Tile) -> bool:
    """Sharing an edge or a corner."""
    return a != b and abs(a.row - b.row) <= 1 and abs(a.col - b.col) <= 1


def test_47_tiles_at_unique_positions() -> None:
    assert len(TILES) == 47
    assert len({(t.row, t.col) for t in TILES}) == 47
    assert all(t.row >= 0 and t.col >= 0 for t in TILES)


def test_every_prefecture_of_the_table_has_one_tile() -> None:
    names = csv_prefectures()
    assert len(names) == 47
    assert sorted(t.prefecture for t in TILES) == sorted(names)


@pytest.mark.parametrize(
    ("prefecture", "label"),
    [("北海道", "北海道"), ("青森県", "青森"), ("東京都", "東京"), ("大阪府", "大阪"),
     ("京都府", "京都"), ("神奈川県", "神奈川"), ("鹿児島県", "鹿児島")],
)
def test_short_labels(prefecture: str, label: str) -> None:
    assert BY_NAME[prefecture].label == label


def test_corners_of_the_country() -> None:
    rows = max(t.row for t in TILES)
    cols = max(t.col for t in TILES)
    hokkaido, okinawa = BY_NAME["北海道"], BY_NAME["沖縄県"]
    assert (hokkaido.row, hokkaido.col) == (0, cols)
    assert (okinawa.row, okinawa.col) == (rows, 0)


@pytest.mark.parametrize(
    ("a", "b"),
    [("東京都", "神奈川県"), ("東京都", "埼玉県"), ("東京都", "千葉県"), ("埼玉県", "群馬県"),
     ("大阪府", "兵庫県"), ("大阪府", "奈良県"), ("京都府", "滋賀県"), ("愛知県", "岐阜県"),
     ("青森県", "岩手県"), ("宮城県", "山形県"), ("福岡県", "佐賀県"), ("熊本県", "鹿児島県"),
     ("香川県", "徳島県"), ("広島県", "岡山県"), ("新潟県", "富山県"), ("静岡県", "神奈川県")],
)
def test_neighbours_touch(a: str, b: str) -> None:
    assert touching(BY_NAME[a], BY_NAME[b])


@pytest.mark.parametrize(("a", "b"), [("東京都", "神奈川県"), ("東京都", "埼玉県")])
def test_tokyo_shares_an_edge(a: str, b: str) -> None:
    ta, tb = BY_NAME[a], BY_NAME[b]
    assert abs(ta.row - tb.row) + abs(ta.col - tb.col) == 1


@pytest.mark.parametrize(("a", "b"), [("北海道", "沖縄県"), ("東京都", "大阪府"), ("福岡県", "宮城県")])
def test_distant_prefectures_do_not_touch(a: str, b: str) -> None:
    assert not touching(BY_NAME[a], BY_NAME[b])


@pytest.mark.parametrize(
    ("count", "levels", "level"),
    [(0, 5, 0), (-1, 5, 0), (1, 5, 1), (2, 5, 2), (3, 5, 2), (4, 5, 3), (7, 5, 3),
     (8, 5, 4), (15, 5, 4), (16, 5, 5), (1000, 5, 5), (3, 2, 2), (1, 3, 1), (9, 3, 3)],
)
def test_count_level(count: int, levels: int, level: int) -> None:
    assert count_level(count, levels) == level


def test_legend_matches_levels() -> None:
    steps = legend(5)
    assert steps == [LegendStep(0, 0, 0), LegendStep(1, 1, 1), LegendStep(2, 2, 3),
                     LegendStep(3, 4, 7), LegendStep(4, 8, 15), LegendStep(5, 16, None)]
    for step in steps:
        assert count_level(step.low) == step.level
        if step.high is not None:
            assert count_level(step.high) == step.level


def test_tile_map_shades_counted_prefectures() -> None:
    shaded = tile_map({"大阪府": 2, "北海道": 20, "東京都": 1})
    cells = {cell.tile.prefecture: cell for cell in shaded.cells}
    assert (shaded.rows, shaded.cols) == (11, 13)
    assert len(shaded.cells) == 47
    assert (cells["大阪府"].count, cells["大阪府"].level) == (2, 2)
    assert (cells["北海道"].count, cells["北海道"].level) == (20, 5)
    assert (cells["沖縄県"].count, cells["沖縄県"].level) == (0, 0)
    assert shaded.max_count == 20
    assert [step.level for step in shaded.legend] == [0, 1, 2, 3, 4, 5]


def test_tile_map_ignores_unknown_names() -> None:
    shaded = tile_map({"大阪市": 5, "": 3, "Atlantis": 9})
    assert shaded.max_count == 0
    assert {cell.level for cell in shaded.cells} == {0}


def test_tile_map_fewer_levels() -> None:
    shaded = tile_map({"大阪府": 100}, levels=3)
    assert max(cell.level for cell in shaded.cells) == 3
    assert len(shaded.legend) == 4
