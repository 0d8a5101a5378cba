"""Every engine behind index.engine keeps the same contract: the same assertions run for each."""

from __future__ import annotations

import json
import shutil
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.analysis import query_terms
from index.build import build_index
from index.engine import ENGINES, And, DisMax, Engine, Every, Or, Phrase, Reader, Term, get_engine
from index.search import SearchService
from index.tags import ITEM_KINDS, passage_tags, report_items, split_tag
from kb.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
FILES = ("yokohama-2022-07-digital-committee.txt", "tama-2023-10-kakanai-madoguchi.txt",
         "narita-2016-01-council-tablets.txt")


def _term(word: str, field: str = "text") -> Term:
    return Term(field, query_terms(word)[0][0])


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    folder = tmp_path_factory.mktemp(f"reports-{request.param}")
    for name in FILES:
        shutil.copy(REPORTS / name, folder / name)
    index_dir = tmp_path_factory.mktemp(f"index-{request.param}")
    assert build_index([folder], index_dir, engine=request.param).ok
    yield get_engine(request.param), index_dir


@pytest.fixture()
def reader(built: tuple[Engine, Path]) -> Iterator[Reader]:
    engine, index_dir = built
    current = engine.reader(index_dir)
    yield current
    current.close()


@pytest.fixture(scope="module")
def whoosh_reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """The reference: the same reports in a Whoosh index."""
    folder = tmp_path_factory.mktemp("reports-ref")
    for name in FILES:
        shutil.copy(REPORTS / name, folder / name)
    index_dir = tmp_path_factory.mktemp("index-ref")
    assert build_index([folder], index_dir, engine="whoosh").ok
    current = get_engine("whoosh").reader(index_dir)
    yield current
    current.close()


def _ids(reader: Reader, query: Any, filters: dict[str, tuple[str, ...]] | None = None) -> set[str]:
    return {hit.fields["id"] for hit in reader.search(query, filters or {}, page=1, limit=10_000).hits}


def test_engine_is_found_from_the_folder(built: tuple[Engine, Path]) -> None:
    engine, index_dir = built
    assert engine.exists(index_dir) and engine.is_current(index_dir)
    assert get_engine(None, index_dir).name == engine.name or engine.name == get_engine().name


QUERIES = [
    ("term", lambda: _term("BYOD")),
    ("heading", lambda: _term("窓口", "heading")),
    ("and", lambda: And((_term("タブレット"), _term("議会")))),
    ("or", lambda: Or((_term("タブレット"), _term("窓口")))),
    ("dismax", lambda: DisMax((_term("タブレット"), _term("窓口")), tiebreak=0.1)),
    ("phrase", lambda: Phrase("text", tuple(g[0] for g in query_terms("書かない窓口")))),
]


@pytest.mark.parametrize(("name", "make"), QUERIES, ids=[q[0] for q in QUERIES])
def test_same_matches_as_whoosh(reader: Reader, whoosh_reader: Reader, name: str, make: Any) -> None:
    query = make()
    found = _ids(reader, query)
    assert found, name
    assert found == _ids(whoosh_reader, query), name


@pytest.mark.parametrize(("name", "make"), QUERIES, ids=[q[0] for q in QUERIES])
def test_facets_and_totals_as_whoosh(reader: Reader, whoosh_reader: Reader, name: str, make: Any) -> None:
    page = reader.search(make(), {}, page=1, limit=3)
    reference = whoosh_reader.search(make(), {}, page=1, limit=3)
    assert page.total == reference.total
    assert len(page.hits) == min(3, page.total)
    assert page.facets == reference.facets


def test_scores_descend_and_pages_continue(reader: Reader) -> None:
    query = Or((_term("タブレット"), _term("窓口"), _term("議会")))
    everything = reader.search(query, {}, page=1, limit=1000).hits
    scores = [hit.score for hit in everything]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    first = reader.search(query, {}, page=1, limit=5).hits
    second = reader.search(query, {}, page=2, limit=5).hits
    assert [h.fields["id"] for h in first + second] == [h.fields["id"] for h in everything[:10]]


def test_and_is_the_intersection(reader: Reader) -> None:
    a, b = _term("タブレット"), _term("議会")
    assert _ids(reader, And((a, b))) == _ids(reader, a) & _ids(reader, b)
    assert _ids(reader, Or((a, b))) == _ids(reader, a) | _ids(reader, b)


def test_boost_orders_the_alternatives(reader: Reader) -> None:
    a, b = _term("タブレット"), _term("窓口")
    plain = reader.search(Or((a, b)), {}, page=1, limit=1).hits[0]
    boosted = reader.search(Or((Term(a.field, a.text, boost=50.0), b)), {}, page=1, limit=1).hits[0]
    assert a.text in reader.matched_terms(boosted, "text")
    assert boosted.score > plain.score or a.text in reader.matched_terms(plain, "text")


@pytest.mark.parametrize("filters", [
    {"section": ("qa",)}, {"prefecture": ("東京都",)}, {"year": ("2023", "2016")}, {"practice": ("byod",)},
])
def test_filters_narrow(reader: Reader, whoosh_reader: Reader, filters: dict[str, tuple[str, ...]]) -> None:
    query = Or((_term("タブレット"), _term("窓口"), _term("BYOD")))
    narrowed = reader.search(query, filters, page=1, limit=1000)
    assert narrowed.total == len(narrowed.hits) > 0
    for hit in narrowed.hits:
        for name, values in filters.items():
            held = str(hit.fields[name]).split(",") if name == "practice" else [str(hit.fields[name])]
            assert set(held) & set(values), (name, hit.fields[name])
    assert _ids(reader, query, filters) == _ids(whoosh_reader, query, filters)


@pytest.mark.parametrize("filters", [
    {"section": ("qa",)}, {"practice": ("byod",)}, {"practice": ("byod", "kintone"), "section": ("qa", "body")},
    {"year": ("2023", "2016"), "prefecture": ("東京都", "大阪府")}, {"code": ("271004",)},
])
def test_every_lists_the_filtered_passages_in_index_order(reader: Reader, whoosh_reader: Reader,
                                                          filters: dict[str, tuple[str, ...]]) -> None:
    page = reader.search(Every(), filters, page=1, limit=10_000)
    expected = reader.passages(filters)
    assert [h.fields["id"] for h in page.hits] == [p["id"] for p in expected]
    assert page.total == len(expected) > 0
    assert page.facets == whoosh_reader.search(Every(), filters, page=1, limit=10).facets


def test_counts_values_and_reports(reader: Reader, whoosh_reader: Reader) -> None:
    counts = reader.group_counts(("municipality", "prefecture"), {})
    assert counts == whoosh_reader.group_counts(("municipality", "prefecture"), {})
    assert sum(counts.values()) == len(reader.passages({}))
    tagged = reader.group_counts(("practice",), {}, tagged=True)
    assert all(ids for (ids,) in tagged) and sum(tagged.values()) == len(reader.passages({}, tagged=True))
    fields = ("practice", "file", "municipality")
    assert reader.group_counts(fields, {}, tagged=True) == whoosh_reader.group_counts(fields, {}, tagged=True)
    for name in ("prefecture", "municipality", "code", "year", "section"):
        assert reader.values(name) == whoosh_reader.values(name) != set(), name
    assert sorted(r["file"] for r in reader.reports()) == sorted(FILES)
    report = reader.report(FILES[0])
    assert report is not None and report["report_json"].startswith("{") and len(report["sha256"]) == 64
    assert reader.report("no-such-file.txt") is None


def _tags_by_definition(reader: Reader, kind: str, fields: tuple[str, ...],
                        filters: dict[str, tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """What tag_counts must answer, counted passage by passage from the stored fields."""
    counts: dict[tuple[str, ...], int] = {}
    for p in reader.passages(filters):
        for found in passage_tags(p["practice"], default_taxonomy()):
            ident = split_tag(found, kind)
            if ident is not None:
                key = (*(str(p[f]) for f in fields), ident)
                counts[key] = counts.get(key, 0) + 1
    return counts


def _reach_by_definition(reader: Reader) -> dict[str, dict[str, int]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for p in reader.passages({}, tagged=True):
        for pid in p["practice"].split(","):
            found.setdefault(pid, []).append(p)
    return {pid: {"passages": len(ps), "reports": len({p["file"] for p in ps}),
                  "cities": len({p["municipality"] for p in ps if p["municipality"]})} for pid, ps in found.items()}


def _items_by_definition(reader: Reader, filters: dict[str, tuple[str, ...]],
                         kinds: tuple[str, ...]) -> list[tuple[Any, ...]]:
    allowed = {(p["file"], p["passage"]) for p in reader.passages(filters)}
    out = []
    for file in sorted({f for f, _ in allowed}):
        doc = reader.report(file)
        assert doc is not None
        out += [_item_key({"file": file, **i}) for i in report_items(json.loads(doc["report_json"]))
                if (file, i["passage"]) in allowed and i["kind"] in kinds]
    return sorted(out)


def _item_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["file"], item["visit"], ITEM_KINDS.index(item["kind"]), item["order"], item["passage"],
            item["municipality"], item["code"], json.dumps(item["item"], sort_keys=True, ensure_ascii=False))


COUNT_CASES = [
    ("practice", ("municipality", "prefecture"), {}),
    ("category", ("municipality", "prefecture"), {}),
    ("category", ("municipality", "prefecture"), {"year": ("2023",)}),
    ("category", ("prefecture",), {"prefecture": ("東京都", "千葉県")}),
    ("practice", (), {"code": ("281000",)}),
    ("practice", ("municipality", "prefecture", "code"), {"municipality": ("神戸市", "大阪市")}),
    ("practice", ("section",), {}),
    ("category", ("file",), {"section": ("qa", "content")}),
]


@pytest.mark.parametrize(("kind", "fields", "filters"), COUNT_CASES)
def test_tag_counts_count_each_passage_under_its_tags(reader: Reader, whoosh_reader: Reader, kind: str,
                                                      fields: tuple[str, ...],
                                                      filters: dict[str, tuple[str, ...]]) -> None:
    counts = reader.tag_counts(kind, fields, filters)
    assert counts == _tags_by_definition(reader, kind, fields, filters)
    assert counts == whoosh_reader.tag_counts(kind, fields, filters)
    assert counts or filters


def test_tag_counts_of_a_category_count_a_passage_once(reader: Reader) -> None:
    taxonomy = default_taxonomy()
    by_category = reader.tag_counts("category", (), {})
    by_practice = reader.tag_counts("practice", (), {})
    for (category,), n in by_category.items():
        assert n <= sum(m for (pid,), m in by_practice.items() if taxonomy.practice(pid).category == category)
    assert sum(reader.group_counts(("prefecture",), {}, tagged=True).values()) <= sum(by_category.values())


@pytest.mark.parametrize("filters", [{}, {"year": ("2023", "2016")}, {"municipality": ("大阪市",)}, {"code": ("281000",)}])
def test_group_counts_by_place_and_year_as_passages_say(reader: Reader, whoosh_reader: Reader,
                                                        filters: dict[str, tuple[str, ...]]) -> None:
    for tagged in (False, True):
        for fields in (("municipality", "prefecture"), ("year",), ("code", "municipality")):
            counts = reader.group_counts(fields, filters, tagged=tagged)
            passages = reader.passages(filters, tagged=tagged)
            expected: dict[tuple[str, ...], int] = {}
            for p in passages:
                key = tuple(str(p[f]) for f in fields)
                expected[key] = expected.get(key, 0) + 1
            assert counts == expected == whoosh_reader.group_counts(fields, filters, tagged=tagged)


def test_tag_reach_counts_passages_reports_and_cities(reader: Reader, whoosh_reader: Reader) -> None:
    reach = reader.tag_reach("practice")
    assert reach == _reach_by_definition(reader) == whoosh_reader.tag_reach("practice") and reach
    categories = reader.tag_reach("category")
    assert {c: r["passages"] for c, r in categories.items()} == {
        c: n for (c,), n in reader.tag_counts("category", (), {}).items()}


@pytest.mark.parametrize(("filters", "kinds"), [
    ({}, ITEM_KINDS), ({"practice": ("byod",)}, ("figures", "qa")), ({"code": ("281000",)}, ITEM_KINDS),
    ({"file": (FILES[0], FILES[2])}, ("qa",)), ({"section": ("observation",)}, ("observations",)),
])
def test_items_are_the_parsed_items_of_allowed_passages(reader: Reader, whoosh_reader: Reader,
                                                        filters: dict[str, tuple[str, ...]],
                                                        kinds: tuple[str, ...]) -> None:
    items = reader.items(filters, kinds)
    keys = [_item_key(i) for i in items]
    assert sorted(keys) == _items_by_definition(reader, filters, kinds) == sorted(
        _item_key(i) for i in whoosh_reader.items(filters, kinds))
    assert keys and all(i["kind"] in kinds for i in items)
    for file in {i["file"] for i in items}:  # a file's items come together, in report order
        mine = [k for k in keys if k[0] == file]
        assert mine == sorted(mine) and keys[keys.index(mine[0]):keys.index(mine[0]) + len(mine)] == mine


def test_narrow_passages_hold_only_the_fields_asked(reader: Reader) -> None:
    fields = ("file", "passage", "order", "date", "practice")
    narrow = reader.passages({"section": ("qa",)}, fields=fields)
    full = reader.passages({"section": ("qa",)})
    assert narrow == [{f: p[f] for f in fields} for p in full] and narrow


def test_report_summaries_page_the_reports_by_file(reader: Reader) -> None:
    everything = reader.report_summaries()
    assert [r["file"] for r in everything] == sorted(FILES) and reader.report_count() == len(FILES)
    assert all("report_json" not in r and len(r["sha256"]) == 64 for r in everything)
    assert reader.report_summaries(1, 1) == everything[1:2] and reader.report_summaries(5, 10) == []
    assert {r["file"]: r["title"] for r in everything} == {r["file"]: r["title"] for r in reader.reports()}


def test_passage_fields_have_the_stored_shape(reader: Reader, whoosh_reader: Reader) -> None:
    mine = {p["id"]: p for p in reader.passages({"practice": ("byod",)})}
    theirs = {p["id"]: p for p in whoosh_reader.passages({"practice": ("byod",)})}
    assert mine.keys() == theirs.keys() and mine
    for key, fields in theirs.items():
        for name, value in fields.items():
            if name != "source":  # the folders differ
                assert mine[key][name] == value, name


def test_matched_terms_are_query_terms(reader: Reader) -> None:
    a, b = _term("タブレット"), _term("議会")
    for hit in reader.search(Or((a, b)), {}, page=1, limit=20).hits:
        assert reader.matched_terms(hit, "text") <= {a.text, b.text}
        assert reader.matched_terms(hit, "text")


def test_writer_replaces_deletes_cancels_and_commits(built: tuple[Engine, Path], tmp_path: Path) -> None:
    engine, source = built
    index_dir = tmp_path / "copy"
    shutil.copytree(source, index_dir)
    old = engine.reader(index_dir)
    report = old.report(FILES[0])
    assert report is not None
    passages = old.passages({"file": (FILES[0],)})
    writer = engine.writer(index_dir, rebuild=False, processes=1, timeout=5)
    writer.delete(FILES[0])
    writer.cancel()
    assert engine.reader(index_dir).report(FILES[0]) is not None
    writer = engine.writer(index_dir, rebuild=False, processes=1, timeout=5)
    writer.replace(report, passages[:1], engine.prepare(passages[:1]))
    writer.delete(FILES[1])
    assert old.up_to_date()
    writer.commit()
    assert not old.up_to_date()
    assert len(old.passages({"file": (FILES[0],)})) == len(passages) or not old.up_to_date()
    new = engine.reader(index_dir)
    assert [p["id"] for p in new.passages({"file": (FILES[0],)})] == [passages[0]["id"]]
    assert new.report(FILES[1]) is None and new.passages({"file": (FILES[1],)}) == []
    assert _ids(new, _term("BYOD")) <= {passages[0]["id"]} | {p["id"] for p in new.passages({})}
    _assert_counts_follow_the_passages(new)
    old.close()
    new.close()


def _assert_counts_follow_the_passages(reader: Reader) -> None:
    """After replacing and deleting, every kept count is what the passages left say."""
    for fields in (("municipality", "prefecture", "code", "year"), ("municipality", "prefecture", "code")):
        for kind in ("practice", "category"):
            assert reader.tag_counts(kind, fields, {}) == _tags_by_definition(reader, kind, fields, {})
        tagged = {tuple(p[f] for f in fields) for p in reader.passages({}, tagged=True)}
        assert set(reader.group_counts(fields, {}, tagged=True)) == tagged
    assert reader.values("municipality") == {p["municipality"] for p in reader.passages({}) if p["municipality"]}
    assert reader.tag_reach("practice") == _reach_by_definition(reader)
    assert sorted(_item_key(i) for i in reader.items({}, ITEM_KINDS)) == _items_by_definition(reader, {}, ITEM_KINDS)
    assert sum(reader.group_counts(("municipality",), {}).values()) == len(reader.passages({}))
    assert reader.report_count() == len(reader.report_summaries()) == len(reader.reports())
    assert reader.passages({"practice": ("byod",)}) == [
        p for p in reader.passages({}) if "byod" in p["practice"].split(",")]


def test_service_answers_the_same_shape(built: tuple[Engine, Path]) -> None:
    engine, index_dir = built
    service = SearchService(index_dir, engine=engine.name)
    result = service.search("書かない窓口")
    assert result["total"] > 0 and "<mark" in result["hits"][0]["snippet"]
    assert set(result["facets"]) == {"municipality", "prefecture", "year", "section", "practice"}
    assert service.stats()["reports"] == len(FILES)
    assert service.matrix()["rows"]
    assert any(p["passages"] for c in service.practices()["categories"] for p in c["practices"])


def test_a_past_deadline_never_gives_more_than_the_full_search(reader: Reader) -> None:
    query = Or((_term("タブレット"), _term("窓口"), _term("議会"), _term("BYOD")))
    full = reader.search(query, {}, page=1, limit=5)
    assert not full.partial and full.total > 5
    cut = reader.search(query, {}, page=1, limit=5, deadline=time.monotonic() - 1)
    assert cut.total <= full.total and (cut.partial or cut.total == full.total)


def test_sqlite_search_stops_at_its_deadline(monkeypatch: pytest.MonkeyPatch, built: tuple[Engine, Path]) -> None:
    engine, index_dir = built
    if engine.name != "sqlite":
        return
    from index import search as search_module
    from index import sqlite_engine

    monkeypatch.setattr(sqlite_engine, "PROGRESS_STEPS", 1)
    monkeypatch.setenv("DXKB_QUERY_BUDGET_MS", "1")
    # The service's clock says the request began long ago: the deadline has passed.
    monkeypatch.setattr(search_module, "time", types.SimpleNamespace(monotonic=lambda: 0.0))
    service = SearchService(index_dir, engine="sqlite")
    result = service.search("タブレット 窓口 議会")
    assert result["partial"] is True and any("制限時間" in n for n in result["notices"])
    monkeypatch.setenv("DXKB_QUERY_BUDGET_MS", "0")
    assert service.search("タブレット 窓口 議会")["partial"] is False


def test_sqlite_orders_candidate_blocks_by_bm25f(monkeypatch: pytest.MonkeyPatch,
                                                 built: tuple[Engine, Path]) -> None:
    """Pages of small candidate blocks are one order: every match once, scores descending per block."""
    engine, index_dir = built
    if engine.name != "sqlite":
        return
    from index import sqlite_engine

    query = Or((_term("タブレット"), _term("窓口"), _term("議会")))
    reader = engine.reader(index_dir)
    full = reader.search(query, {}, page=1, limit=10_000)
    monkeypatch.setattr(sqlite_engine, "RESCORE_BLOCK", 5)
    pages = [reader.search(query, {}, page=n, limit=5) for n in range(1, full.total // 5 + 2)]
    reader.close()
    assert {h.fields["id"] for p in pages for h in p.hits} == {h.fields["id"] for h in full.hits}
    assert all(p.total == full.total and p.facets == full.facets for p in pages)
    assert all([h.score for h in p.hits] == sorted((h.score for h in p.hits), reverse=True) for p in pages)


def test_every_marks_nothing_after_a_query(reader: Reader) -> None:
    """A listing with no query words marks no words, whatever was searched before."""
    reader.search(_term("窓口"), {}, page=1, limit=5)
    listed = reader.search(Every(), {}, page=1, limit=5)
    assert listed.hits and all(not reader.matched_terms(hit, "text") for hit in listed.hits)


def test_sqlite_snippets_mark_the_stored_spans(built: tuple[Engine, Path]) -> None:
    """Snippets come from the spans stored at build time, with the query's words marked."""
    engine, index_dir = built
    if engine.name != "sqlite":
        return
    service = SearchService(index_dir, engine="sqlite")
    reader = service.reader()
    found = reader.search(And((_term("書かない窓口"),)), {}, page=1, limit=3)
    spans = reader.matched_spans(found.hits[0], "text")
    text = found.hits[0].fields["text"]
    assert spans and all("窓口" in text[a:b] or "書か" in text[a:b] for a, b in spans)
    assert "<mark" in service.search("書かない窓口")["hits"][0]["snippet"]


def test_engine_name_precedence(monkeypatch: pytest.MonkeyPatch, built: tuple[Engine, Path]) -> None:
    from index.engine import DEFAULT_ENGINE, engine_name
    from kb.errors import QueryError

    engine, index_dir = built
    monkeypatch.delenv("DXKB_ENGINE", raising=False)
    assert engine_name(None, index_dir) == engine.name  # an existing index keeps its engine
    assert engine_name(None, index_dir.parent / "nothing-here") == DEFAULT_ENGINE == "sqlite"
    monkeypatch.setenv("DXKB_ENGINE", "whoosh")
    assert engine_name(None, index_dir) == "whoosh"
    assert engine_name("sqlite", index_dir) == "sqlite"
    with pytest.raises(QueryError):
        engine_name("lucene")


def test_cli_index_takes_an_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from webui.cli import main

    monkeypatch.delenv("DXKB_ENGINE", raising=False)
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(REPORTS / FILES[0], folder / FILES[0])
    result = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix"), "--engine", "whoosh"])
    assert result.exit_code == 0, result.output
    assert get_engine("whoosh").exists(tmp_path / "ix") and not get_engine("sqlite").exists(tmp_path / "ix")


def test_iter_reports_gives_every_stored_report_by_file(reader: Reader) -> None:
    streamed = reader.iter_reports()
    assert not isinstance(streamed, list)  # one at a time
    documents = list(streamed)
    assert [d["file"] for d in documents] == sorted(FILES)
    assert documents == [reader.report(file) for file in sorted(FILES)]
    assert all(json.loads(d["report_json"])["file"] == d["file"] for d in documents)


@pytest.mark.parametrize("name", ENGINES)
def test_state_changes_with_each_commit_and_rebuild(name: str, tmp_path: Path) -> None:
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    engine = get_engine(name)
    states = []
    for files, rebuild in ((FILES[:1], False), (FILES[:2], False), (FILES[:2], True)):
        for file in files:
            shutil.copy(REPORTS / file, folder / file)
        assert build_index([folder], index_dir, engine=name, rebuild=rebuild).ok
        current = engine.reader(index_dir)
        states.append(current.state())
        assert current.state() == states[-1]  # asking twice changes nothing
        current.close()
    assert len(set(states)) == 3, states


def _repaired(name: str) -> str:
    from kb.readers import read_document
    from kb.repair import repair_text

    return repair_text(read_document(REPORTS / name).text)


@pytest.mark.parametrize("engine", ENGINES)
def test_readers_find_similar_reports_and_copies(engine: str, tmp_path: Path) -> None:
    """Copy detection (kb.copies): reports by blocking key, copies by original, counts without copies."""
    from kb.copies import Signature, signature

    html, txt, yokohama = "kasukabe-2023-01-council-tablets.html", "kasukabe-2023-01-council-tablets.txt", FILES[0]
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in (html, txt, yokohama):
        shutil.copy(REPORTS / name, folder / name)
    build_index([folder], tmp_path / "index", engine=engine)
    reader = get_engine(engine).reader(tmp_path / "index")
    try:
        keys = signature(_repaired(txt)).blocking_keys()
        similar = reader.similar_reports(keys)
        assert [d["file"] for d in similar] == [html, txt] and all("report_json" not in d for d in similar)
        assert Signature.decode(similar[0]["signature"]) == signature(_repaired(html))
        assert reader.similar_reports(["nothing"]) == []
        assert reader.copies(txt) == [html] and reader.copies(html) == [] and reader.copies(txt, 0) == []
        assert (reader.report_count(), reader.report_count(originals=True)) == (3, 2)
        assert [d["file"] for d in reader.report_summaries(originals=True)] == [txt, yokohama]
        assert all("signature" not in d for d in reader.report_summaries())
    finally:
        reader.close()
