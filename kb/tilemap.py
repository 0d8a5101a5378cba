"""A tile-grid map of Japan: each of the 47 prefectures as one square.

Rows grow southwards and columns eastwards: 北海道 sits top right, 沖縄 bottom
left, and neighbouring prefectures share an edge or a corner where the grid
allows.  ``tile_map`` shades the tiles by a count per prefecture (such as the
number of visited municipalities) for drawing as SVG.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    """One prefecture's square: full name as in municipalities.csv, short label, grid position."""

    prefecture: str
    label: str
    row: int
    col: int


def _tile(prefecture: str, row: int, col: int) -> Tile:
    label = prefecture if prefecture == "北海道" else prefecture[:-1]
    return Tile(prefecture, label, row, col)


TILES: tuple[Tile, ...] = (
    _tile("北海道", 0, 12),
    _tile("青森県", 1, 12),
    _tile("秋田県", 2, 11), _tile("岩手県", 2, 12),
    _tile("山形県", 3, 11), _tile("宮城県", 3, 12),
    _tile("石川県", 4, 9), _tile("富山県", 4, 10), _tile("新潟県", 4, 11), _tile("福島県", 4, 12),
    _tile("福井県", 5, 8), _tile("岐阜県", 5, 9), _tile("長野県", 5, 10), _tile("群馬県", 5, 11),
    _tile("栃木県", 5, 12),
    _tile("島根県", 6, 4), _tile("鳥取県", 6, 5), _tile("兵庫県", 6, 6), _tile("京都府", 6, 7),
    _tile("滋賀県", 6, 8), _tile("愛知県", 6, 9), _tile("山梨県", 6, 10), _tile("埼玉県", 6, 11),
    _tile("茨城県", 6, 12),
    _tile("長崎県", 7, 0), _tile("佐賀県", 7, 1), _tile("福岡県", 7, 2), _tile("山口県", 7, 3),
    _tile("広島県", 7, 4), _tile("岡山県", 7, 5), _tile("大阪府", 7, 6), _tile("奈良県", 7, 7),
    _tile("三重県", 7, 8), _tile("静岡県", 7, 9), _tile("神奈川県", 7, 10), _tile("東京都", 7, 11),
    _tile("千葉県", 7, 12),
    _tile("熊本県", 8, 1), _tile("大分県", 8, 2), _tile("愛媛県", 8, 4), _tile("香川県", 8, 5),
    _tile("和歌山県", 8, 7),
    _tile("鹿児島県", 9, 1), _tile("宮崎県", 9, 2), _tile("高知県", 9, 4), _tile("徳島県", 9, 5),
    _tile("沖縄県", 10, 0),
)
"""The 47 prefectures, row by row from the north."""


@dataclass(frozen=True)
class TileCell:
    """A tile with its count and shade level (0 = nothing counted)."""

    tile: Tile
    count: int
    level: int


@dataclass(frozen=True)
class LegendStep:
    """One shade level and the counts it stands for (``high`` None: no upper bound)."""

    level: int
    low: int
    high: int | None


@dataclass(frozen=True)
class TileMap:
    """A shaded tile grid ready to draw: ``rows`` x ``cols`` squares."""

    rows: int
    cols: int
    cells: list[TileCell]
    max_count: int
    legend: list[LegendStep]


def count_level(count: int, levels: int = 5) -> int:
    """The shade level of ``count``: 0 for none, then one level per doubling.

    Level 1 is 1, level 2 is 2–3, level 3 is 4–7 ... and the top level
    ``levels`` takes everything from ``2 ** (levels - 1)`` up, so a level
    means the same count on every page whatever the largest count is.
    """
    if count <= 0:
        return 0
    return min(levels, count.bit_length())


def legend(levels: int = 5) -> list[LegendStep]:
    """The count range of each level 0..``levels`` as cut by :func:`count_level`."""
    steps = [LegendStep(0, 0, 0)]
    for level in range(1, levels + 1):
        high = None if level == levels else 2 ** level - 1
        steps.append(LegendStep(level, 2 ** (level - 1), high))
    return steps


def tile_map(counts: Mapping[str, int], levels: int = 5) -> TileMap:
    """Shade every prefecture tile by its count in ``counts`` (see :func:`count_level`).

    Prefectures missing from ``counts`` count 0; names that are no
    prefecture are ignored.
    """
    cells = [
        TileCell(tile, max(0, counts.get(tile.prefecture, 0)),
                 count_level(counts.get(tile.prefecture, 0), levels))
        for tile in TILES
    ]
    return TileMap(
        rows=max(t.row for t in TILES) + 1,
        cols=max(t.col for t in TILES) + 1,
        cells=cells,
        max_count=max(cell.count for cell in cells),
        legend=legend(levels),
    )
