"""Two municipalities of one name (朝日町 in 富山県 and in 山形県) stay apart in comparisons."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.export import comparison_csv
from index.search import SearchService
from kb.errors import QueryError

DATA = Path(__file__).resolve().parent / "data" / "same-name"
YAMAGATA, TOYAMA = "063231", "163431"


@pytest.fixture(scope="module")
def asahi(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    from index.build import build_index

    target = tmp_path_factory.mktemp("asahi")
    assert build_index([DATA], target).ok
    return SearchService(target)


def test_a_shared_name_gives_a_column_per_municipality(asahi: SearchService) -> None:
    data = asahi.compare("朝日町")
    assert [(c["code"], c["prefecture"], c["key"], c["label"]) for c in data["cities"]] == [
        (YAMAGATA, "山形県", "山形県朝日町", "朝日町（山形県）"),
        (TOYAMA, "富山県", "富山県朝日町", "朝日町（富山県）"),
    ]
    assert "朝日町は2団体あるため、都道府県ごとに並べました" in data["notices"]
    rows = {r["practice"]["id"]: [bool(c["passages"]) for c in r["cells"]] for g in data["groups"] for r in g["rows"]}
    assert rows["byod"] == [True, False] and rows["kintone"] == [False, True]
    assert [len(c["items"]) for c in data["qa"]] == [1, 1]


@pytest.mark.parametrize("raw", ["富山県朝日町", TOYAMA])
def test_prefecture_and_name_or_code_choose_one(asahi: SearchService, raw: str) -> None:
    data = asahi.compare(raw)
    assert [(c["code"], c["key"]) for c in data["cities"]] == [(TOYAMA, "富山県朝日町")]
    assert data["notices"] == []


def test_a_query_searches_each_municipality_apart(asahi: SearchService) -> None:
    data = asahi.compare("朝日町", query="kintone")
    assert [c["total"] for c in data["matches"]] == [0, 2]


def test_qa_columns_stay_apart(asahi: SearchService) -> None:
    data = asahi.compare_qa("研修", cities="朝日町")
    assert [(c["code"], len(c["items"])) for c in data["cities"]] == [(YAMAGATA, 1), (TOYAMA, 1)]


def test_matrix_rows_stay_apart_and_link_by_prefecture(asahi: SearchService) -> None:
    rows = asahi.matrix()["rows"]
    assert [(r["municipality"], r["code"], r["key"]) for r in rows] == [
        ("朝日町", YAMAGATA, "山形県朝日町"), ("朝日町", TOYAMA, "富山県朝日町")]


def test_exports_title_columns_with_their_prefecture(asahi: SearchService) -> None:
    header = comparison_csv(asahi.compare("朝日町")).splitlines()[0]
    assert header == "\ufeff分野,項目,朝日町（山形県）,朝日町（富山県）"


def test_an_unknown_code_is_refused(asahi: SearchService) -> None:
    with pytest.raises(QueryError) as err:
        asahi.compare("999999")
    assert err.value.subject == "cities"
