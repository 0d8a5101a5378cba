"""Comparing cities side by side, Q&A side by side and the matrix (index.compare, index.matrix)."""

from __future__ import annotations

from typing import Any

import pytest

from index.compare import Sources, lead_passage, municipality_suggestions, split_names
from index.matrix import shade_level
from index.search import SearchService
from kb.errors import QueryError
from kb.municipalities import MunicipalityTable

YOKOHAMA = "yokohama-2022-07-digital-committee.txt"


@pytest.fixture(scope="module")
def osaka_kobe(service: SearchService) -> dict[str, Any]:
    return service.compare("大阪市,神戸市")


def row(data: dict[str, Any], practice_id: str) -> dict[str, list[str]]:
    """Per city, the ``file#passage`` keys a practice row cites."""
    found = next(r for g in data["groups"] for r in g["rows"] if r["practice"]["id"] == practice_id)
    return {c["municipality"]: [f"{p['file']}#{p['passage']}" for p in c["passages"]] for c in found["cells"]}


def test_columns_are_the_cities_asked_for_with_their_reports(osaka_kobe: dict[str, Any]) -> None:
    assert [c["municipality"] for c in osaka_kobe["cities"]] == ["大阪市", "神戸市"]
    osaka, kobe = osaka_kobe["cities"]
    assert osaka["prefecture"] == "大阪府" and osaka["code"] == "271004"
    assert [r["file"] for r in osaka["reports"]] == [YOKOHAMA]
    # 神戸市 was visited twice: newest report first
    dates = [r["date"] for r in kobe["reports"]]
    assert len(dates) == 2 and dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(("practice_id", "osaka", "kobe"), [
    ("byod", ["v1-p4", "v1-p7", "v1-p14"], []),
    ("intune", ["v1-p5", "v1-p13"], []),
    ("dx-training", ["v1-p9"], ["v2-p18"]),
    ("kintone", [], ["v2-p13"]),
    ("e-kobe", [], ["v2-p10"]),
    ("teams", [], ["v2-p5"]),
])
def test_rows_cite_the_passages_of_each_city(
    osaka_kobe: dict[str, Any], practice_id: str, osaka: list[str], kobe: list[str]
) -> None:
    cited = row(osaka_kobe, practice_id)
    assert cited["大阪市"] == [f"{YOKOHAMA}#{p}" for p in osaka]
    assert [key for key in cited["神戸市"] if key.startswith(YOKOHAMA)] == [f"{YOKOHAMA}#{p}" for p in kobe]


def test_dx_training_row_holds_what_each_city_said(osaka_kobe: dict[str, Any]) -> None:
    found = next(r for g in osaka_kobe["groups"] for r in g["rows"] if r["practice"]["id"] == "dx-training")
    osaka, kobe = (c["passages"][0]["text"] for c in found["cells"])
    assert "現在は全市的には行っていない" in osaka
    assert "DX基礎研修を全職員が受講" in kobe and "eラーニング" in kobe


def test_an_empty_cell_says_so(osaka_kobe: dict[str, Any]) -> None:
    found = next(r for g in osaka_kobe["groups"] for r in g["rows"] if r["practice"]["id"] == "kintone")
    osaka = found["cells"][0]
    assert osaka == {"municipality": "大阪市", "code": "271004", "passages": [], "empty": True,
                     "count": 0, "report_count": 0, "lead": 0}


def test_rows_are_grouped_by_category_in_taxonomy_order(service: SearchService,
                                                         osaka_kobe: dict[str, Any]) -> None:
    order = [c.id for c in service.taxonomy.categories]
    shown = [g["id"] for g in osaka_kobe["groups"]]
    assert shown == sorted(shown, key=order.index)
    for group in osaka_kobe["groups"]:
        assert all(r["practice"]["category"] == group["id"] for r in group["rows"])


def test_passages_mark_the_practice_and_cite_a_numbered_source(osaka_kobe: dict[str, Any]) -> None:
    found = next(r for g in osaka_kobe["groups"] for r in g["rows"] if r["practice"]["id"] == "kintone")
    passage = found["cells"][1]["passages"][0]
    assert '<mark class="match">kintone</mark>' in passage["snippet"]
    source = osaka_kobe["sources"][passage["source"] - 1]
    assert (source["file"], source["passage"], source["municipality"]) == (YOKOHAMA, "v2-p13", "神戸市")
    assert [s["n"] for s in osaka_kobe["sources"]] == list(range(1, len(osaka_kobe["sources"]) + 1))


def test_extra_rows_hold_figures_qa_and_observations(osaka_kobe: dict[str, Any]) -> None:
    osaka_figures = osaka_kobe["figures"][0]["items"]
    assert any(f["value"] == 20875 and f["unit"] == "人" for f in osaka_figures)
    osaka_qa = osaka_kobe["qa"][0]["items"]
    assert any("通信費用" in q["question"] for q in osaka_qa)
    assert all(q["file"] == YOKOHAMA and q["source"] >= 1 for q in osaka_qa)
    assert osaka_kobe["observations"][1]["items"], "神戸市 has observations"


def test_a_query_keeps_matching_passages_and_their_practices(service: SearchService) -> None:
    data = service.compare("大阪市,神戸市", query="BYOD")
    osaka, kobe = data["matches"]
    assert osaka["total"] == 3 and {p["passage"] for p in osaka["passages"]} == {"v1-p4", "v1-p7", "v1-p14"}
    assert kobe["empty"] and kobe["passages"] == []
    practices = [r["practice"]["id"] for g in data["groups"] for r in g["rows"]]
    assert "byod" in practices and "kintone" not in practices
    assert data["expanded"][0]["practice"] == "byod"
    assert len(data["qa"][0]["items"]) == 1  # only the Q&A pair about BYOD


def test_categories_narrow_the_rows(service: SearchService) -> None:
    data = service.compare(["大阪市", "神戸市"], categories=["devices"])
    assert [g["id"] for g in data["groups"]] == ["devices"]


@pytest.mark.parametrize(("raw", "names", "notice"), [
    ("大阪市,神戸市", ["大阪市", "神戸市"], None),
    ("271004、281000", ["大阪市", "神戸市"], None),
    ("おおさか,コウベ", ["大阪市", "神戸市"], "「おおさか」を「大阪市」として比較しました"),
    ("大阪市,大阪市", ["大阪市"], None),
    ("大阪市,札幌市", ["大阪市", "札幌市"], "札幌市の視察報告書は収録されていません"),
])
def test_cities_by_name_code_or_reading(service: SearchService, raw: str, names: list[str],
                                         notice: str | None) -> None:
    data = service.compare(raw)
    assert [c["municipality"] for c in data["cities"]] == names
    if notice:
        assert notice in data["notices"]


def test_a_city_without_reports_has_empty_cells(service: SearchService) -> None:
    data = service.compare("大阪市,札幌市")
    sapporo = data["cities"][1]
    assert sapporo["reports"] == [] and sapporo["passages"] == 0
    assert all(r["cells"][1]["empty"] for g in data["groups"] for r in g["rows"])


@pytest.mark.parametrize(("kwargs", "subject"), [
    ({"cities": ""}, "cities"),
    ({"cities": "ほげほげ市"}, "cities"),
    ({"cities": "大阪市,神戸市,函館市,森町,福島市,高萩市,取手市,本庄市,中野区"}, "cities"),
    ({"cities": "大阪市", "categories": ["no-such-category"]}, "category"),
])
def test_bad_parameters_name_themselves(service: SearchService, kwargs: dict[str, Any], subject: str) -> None:
    with pytest.raises(QueryError) as err:
        service.compare(**kwargs)
    assert err.value.subject == subject


@pytest.mark.parametrize(("raw", "names"), [
    ("大阪市,神戸市", ["大阪市", "神戸市"]),
    ("大阪市、神戸市 横浜市", ["大阪市", "神戸市", "横浜市"]),
    (["大阪市", "神戸市,大阪市", ""], ["大阪市", "神戸市"]),
    ("", []),
])
def test_split_names(raw: str | list[str], names: list[str]) -> None:
    assert split_names(raw) == names


def test_sources_number_each_passage_once() -> None:
    sources = Sources()
    a = {"file": "a.txt", "passage": "v1-p1", "municipality": "大阪市"}
    b = {"file": "a.txt", "passage": "v1-p2"}
    assert [sources.cite(a), sources.cite(b), sources.cite(a)] == [1, 2, 1]
    assert [s["n"] for s in sources.entries] == [1, 2]


# --- Q&A side by side ----------------------------------------------------------


def test_qa_for_a_query_gives_a_column_per_city(service: SearchService) -> None:
    data = service.compare_qa("研修")
    names = [c["municipality"] for c in data["cities"]]
    assert {"大阪市", "神戸市"} <= set(names)
    kobe = next(c for c in data["cities"] if c["municipality"] == "神戸市")
    pair = next(p for p in kobe["items"] if p["file"] == YOKOHAMA)
    assert pair["question"].startswith("人材育成に関して") and "DX基礎研修" in pair["answer"]


def test_qa_for_a_practice_and_chosen_cities(service: SearchService) -> None:
    data = service.compare_qa(practice="byod", cities="大阪市,神戸市")
    osaka, kobe = data["cities"]
    assert osaka["municipality"] == "大阪市" and len(osaka["items"]) == 1
    assert "通信費用" in osaka["items"][0]["question"]
    assert kobe == {"municipality": "神戸市", "prefecture": "兵庫県", "code": "281000", "items": [], "empty": True}
    assert data["practice_name"] == "BYOD"


def test_qa_needs_a_query_or_practice(service: SearchService) -> None:
    with pytest.raises(QueryError) as err:
        service.compare_qa()
    assert err.value.subject == "q"


# --- the matrix ----------------------------------------------------------------


def test_matrix_counts_tagged_passages_per_category(service: SearchService) -> None:
    data = service.matrix()
    osaka = next(r for r in data["rows"] if r["municipality"] == "大阪市")
    devices = next(c for c in osaka["cells"] if c["category"] == "devices")
    # byod v1-p4 v1-p7 v1-p14, intune/iphone v1-p5, intune v1-p13: five passages
    assert devices["count"] == 5
    # 大阪市 has 15 passages; v1-p11 and v1-p15 name no practice
    assert osaka["total"] == 13
    assert data["max"] == max(c["count"] for r in data["rows"] for c in r["cells"])
    assert {c["id"] for c in data["categories"]} == {c.id for c in service.taxonomy.categories}


def test_matrix_filters_and_sorts(service: SearchService) -> None:
    data = service.matrix(prefecture="兵庫県")
    assert [r["municipality"] for r in data["rows"]] == ["神戸市"]
    data = service.matrix(year=2022)
    # 2022: the Yokohama committee's 大阪市 and 神戸市, the Obu committee's three cities.
    assert {r["municipality"] for r in data["rows"]} == {"大阪市", "神戸市", "袋井市", "町田市", "つくば市"}
    by_devices = service.matrix(sort="devices")["rows"]
    counts = [next(c["count"] for c in r["cells"] if c["category"] == "devices") for r in by_devices]
    assert counts == sorted(counts, reverse=True)
    by_code = [r["code"] for r in service.matrix()["rows"]]
    assert by_code == sorted(by_code)
    assert service.matrix(sort="total")["rows"][0]["total"] == max(r["total"] for r in by_devices)


def test_matrix_choices_run_north_to_south_and_newest_first(service: SearchService) -> None:
    choices = service.matrix()["choices"]
    assert choices["prefecture"][0] == "北海道" and choices["prefecture"].index("大阪府") < choices["prefecture"].index("佐賀県")
    assert choices["year"] == sorted(choices["year"], reverse=True)


def test_matrix_refuses_an_unknown_sort(service: SearchService) -> None:
    with pytest.raises(QueryError) as err:
        service.matrix(sort="size")
    assert err.value.subject == "sort"


@pytest.mark.parametrize(("count", "largest", "level"), [
    (0, 12, 0), (1, 12, 1), (2, 12, 1), (3, 12, 2), (7, 12, 3), (10, 12, 5), (12, 12, 5), (0, 0, 0), (1, 1, 5),
])
def test_shade_level(count: int, largest: int, level: int) -> None:
    assert shade_level(count, largest) == level


def test_count_cells_keeps_same_named_towns_apart_and_weighs_groups(service: SearchService) -> None:
    from index.matrix import count_cells

    counted = count_cells([("森町", "北海道", "byod,intune", 2), ("森町", "静岡県", "kintone", 1),
                           ("森町", "北海道", "kintone", 3), ("森町", "北海道", "", 4), ("", "", "byod", 9)],
                          service.taxonomy)
    assert set(counted) == {("森町", "北海道"), ("森町", "静岡県")}
    hokkaido = counted[("森町", "北海道")]
    assert hokkaido.total == 5 and hokkaido.by_category == {"devices": 2, "low-code": 3}
    assert counted[("森町", "静岡県")].total == 1


@pytest.mark.parametrize(("prefecture", "year"), [(None, None), ("兵庫県", None), (None, 2023), ("大阪府", 2022)])
def test_matrix_cells_from_engine_counts_are_the_passages_counted(service: SearchService, prefecture: str | None,
                                                                   year: int | None) -> None:
    from index.matrix import MatrixFilters, count_cells, engine_cells, tagged_groups

    filters = MatrixFilters(prefecture, year)
    reader = service.reader()
    expected = count_cells(tagged_groups(reader, filters), service.taxonomy)
    assert engine_cells(reader, filters) == expected and (expected or year == 2022)


def test_matrix_rows_are_counted_once_per_index_state(index_dir: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.search as search_module

    calls: list[Any] = []
    real = search_module.matrix_rows

    def counting(*args: Any) -> Any:
        calls.append(args[-1])
        return real(*args)

    monkeypatch.setattr(search_module, "matrix_rows", counting)
    fresh = SearchService(index_dir)
    first = fresh.matrix()
    assert fresh.matrix(sort="total")["rows"] != [] and fresh.matrix() == first
    assert len(calls) == 1
    fresh.matrix(prefecture="大阪府")
    assert len(calls) == 2


@pytest.mark.parametrize(("marks", "practices", "lead"), [
    ([], [], 0),
    ([1], [3], 0),
    ([1, 2, 1], [1, 1, 1], 1),      # the most mentions wins
    ([2, 2], [3, 1], 1),            # then the most specific: fewest practices named
    ([2, 2, 2], [2, 2, 2], 0),      # then column order: the newest report's first passage
])
def test_the_lead_passage_is_the_most_telling(marks: list[int], practices: list[int], lead: int) -> None:
    passages = [{"snippet": 'x<mark class="match">y</mark>' * n} for n in marks]
    assert lead_passage(passages, practices) == lead


@pytest.mark.parametrize(("practice_id", "city", "passage"), [
    ("generative-ai", "神戸市", "v1-p9"),
    ("workstyle-reform", "神戸市", "v2-p23"),
    ("byod", "大阪市", "v1-p4"),
])
def test_cells_name_their_lead_passage_and_counts(osaka_kobe: dict[str, Any], practice_id: str, city: str,
                                                  passage: str) -> None:
    found = next(r for g in osaka_kobe["groups"] for r in g["rows"] if r["practice"]["id"] == practice_id)
    cell = next(c for c in found["cells"] if c["municipality"] == city)
    assert cell["passages"][cell["lead"]]["passage"] == passage
    assert cell["count"] == len(cell["passages"])
    assert cell["report_count"] == len({p["file"] for p in cell["passages"]})


@pytest.mark.parametrize(("query", "first", "indexed"), [
    ("こうべ", "281000", True),
    ("コウベ", "281000", True),
    ("kobe", "281000", True),
    ("神戸", "281000", True),
    ("281000", "281000", True),
    ("２８１０００", "281000", True),
    ("28100", "281000", True),
    ("さっぽろ", "011002", False),
    ("011002", "011002", False),
])
def test_municipality_suggestions_by_name_reading_or_code(query: str, first: str, indexed: bool) -> None:
    table = MunicipalityTable.load()
    items = municipality_suggestions(table, {"281000", "271004"}, query)
    assert items[0]["code"] == first and items[0]["indexed"] is indexed


def test_municipality_suggestions_put_cities_with_reports_first() -> None:
    table = MunicipalityTable.load()
    codes = [i["code"] for i in municipality_suggestions(table, {"163431"}, "あさひ")]
    assert codes[0] == "163431" and "063231" in codes  # 朝日町 of 富山県 (with reports) before that of 山形県
    assert len(municipality_suggestions(table, set(), "あ")) == 10
    assert len(municipality_suggestions(table, set(), "あ", limit=3)) == 3
    assert municipality_suggestions(table, set(), "  ") == []
    assert municipality_suggestions(table, set(), "999") == []
