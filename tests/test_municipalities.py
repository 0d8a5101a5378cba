"""The municipality table: lookup by name, mention, code and reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import ReportFileError
from kb.municipalities import MunicipalityTable


@pytest.fixture(scope="module")
def table() -> MunicipalityTable:
    return MunicipalityTable.load()


@pytest.mark.parametrize(
    ("text", "context", "code"),
    [
        ("大阪府大阪市", "", "271004"),
        ("埼玉県　本庄市", "", "112119"),
        ("北海道茅部郡森町", "", "013455"),
        ("北海道　茅部郡森町", "", "013455"),
        ("森町", "北海道の渡島半島", "013455"),
        ("森町", "静岡県周智郡", "224618"),
        ("兵庫県神戸市", "", "281000"),
        ("神戸市", "", "281000"),
        ("京都府議会", "", "260002"),
        ("京都府議会（京都府京都市）", "", "260002"),
        ("栃木県議会", "", "090000"),
        ("徳島県", "", "360007"),
        ("徳島県庁", "", "360007"),
        ("中野区議会", "", "131148"),
        ("大阪市北区", "", "271004"),
        ("神戸市会（兵庫県神戸市）", "", "281000"),
        ("十石堀（北茨城市）", "", "082155"),
        ("福島県大沼郡会津美里町", "", "074471"),
        # 郡 inside a city's own name is not a district.
        ("奈良県大和郡山市", "", "292036"),
        ("福岡県小郡市", "", "402168"),
        ("愛知県蒲郡市", "", "232149"),
    ],
)
def test_find(table: MunicipalityTable, text: str, context: str, code: str) -> None:
    found = table.find(text, context)
    assert found is not None and found.code == code


def test_find_nothing(table: MunicipalityTable) -> None:
    assert table.find("本日は晴天なり") is None


@pytest.mark.parametrize(
    ("name", "prefecture", "context", "code"),
    [
        ("神戸市", None, "", "281000"),
        ("神戸町", None, "", "213811"),
        ("茅部郡森町", None, "北海道", "013455"),
        ("森町", "静岡県", "", "224618"),
        ("森町", None, "静岡県の町", "224618"),
        ("大沼郡会津美里町", None, "", "074471"),
        ("京都府", None, "", "260002"),
        ("兵庫県神戸市", "兵庫県", "", "281000"),
    ],
)
def test_resolve(table: MunicipalityTable, name: str, prefecture: str | None, context: str, code: str) -> None:
    found = table.resolve(name, prefecture, context)
    assert found is not None and found.code == code


def test_resolve_unknown(table: MunicipalityTable) -> None:
    assert table.resolve("架空市") is None


def test_prefecture_row(table: MunicipalityTable) -> None:
    row = table.by_code("260002")
    assert row is not None and row.name == row.prefecture == "京都府" and row.kana == row.prefecture_kana


@pytest.mark.parametrize("query", ["こうべ", "コウベ", "kobe", "神戸"])
def test_search_by_reading(table: MunicipalityTable, query: str) -> None:
    assert table.search(query)[0].code == "281000"


def test_search_romaji_long_vowel(table: MunicipalityTable) -> None:
    assert "131016" in [m.code for m in table.search("chiyoda")]


def test_all_and_cache(table: MunicipalityTable) -> None:
    rows = table.all()
    assert len(rows) == 47 + 1741 and MunicipalityTable.load() is table
    assert len({m.code for m in rows}) == len(rows)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError):
        MunicipalityTable.load(tmp_path / "none.csv")


@pytest.mark.parametrize(("text", "expected"), [
    ("こうべ", [("神戸市", False)]),
    ("コウベシ", [("神戸市", True)]),
    ("kobe", [("神戸市", False)]),
    ("koubeshi", [("神戸市", True)]),
    ("ふくおかし", [("福岡市", True)]),
    ("きたみし", [("北見市", True)]),
    ("kintone", []),
    ("ひょうご", []),
])
def test_by_reading(text: str, expected: list[tuple[str, bool]]) -> None:
    rows = MunicipalityTable.load().by_reading(text)
    assert [(row.name, whole) for row, whole in rows] == expected
