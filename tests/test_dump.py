"""The whole knowledge base as SQLite tables and CSV files (index.dump, `dxkb export`, /export/dxkb.sqlite)."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from index.dump import TABLE_NAMES, TABLES, DumpCache, dump_index, write_csv, write_sqlite
from index.engine import get_engine
from webui import create_app
from webui.cli import main

ROOT = Path(__file__).resolve().parents[1]
YOKOHAMA = "yokohama-2022-07-digital-committee.txt"


@pytest.fixture(scope="module")
def exported(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dump") / "dxkb.sqlite"
    dump_index(index_dir, sqlite=target)
    return target


def _rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return list(con.execute(sql, params))
    finally:
        con.close()


def _count(path: Path, table: str) -> int:
    return int(_rows(path, f"SELECT count(*) FROM {table}")[0][0])


def test_the_file_holds_every_table_with_its_keys(exported: Path) -> None:
    tables = [r[0] for r in _rows(exported, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
    assert tables == sorted(TABLE_NAMES)
    for table in TABLES:
        info = _rows(exported, f"PRAGMA table_info({table.name})")
        assert [r[1] for r in info] == [c.name for c in table.columns]
        assert any(r[5] for r in info), f"{table.name} has no primary key"


def test_foreign_keys_hold_and_each_has_an_index(exported: Path) -> None:
    assert _rows(exported, "PRAGMA foreign_key_check") == []
    assert _rows(exported, "PRAGMA integrity_check") == [("ok",)]
    for table in TABLES:
        keys = {r[3] for r in _rows(exported, f"PRAGMA foreign_key_list({table.name})")}
        assert keys == {c.name for c in table.columns if c.references}
        indexed = {_rows(exported, f"PRAGMA index_info({r[1]})")[0][2]
                   for r in _rows(exported, f"PRAGMA index_list({table.name})")}
        assert keys <= indexed, f"{table.name}: {keys - indexed} without an index"


def test_counts_equal_the_stats(exported: Path, service: Any) -> None:
    stats = service.stats()
    assert _count(exported, "reports") == stats["reports"]
    assert _count(exported, "report_copies") == stats["copies"] > 0
    assert _count(exported, "passages") == stats["passages"]
    visited = _rows(exported, "SELECT municipality, count(*) FROM passages JOIN visits ON visits.id = visit_id "
                              "GROUP BY municipality")
    assert sorted(visited) == sorted((m["value"], m["count"]) for m in stats["municipalities"])


def test_copies_name_their_original(exported: Path) -> None:
    assert _rows(exported, "SELECT file, copy_of FROM report_copies ORDER BY file") == [
        ("kasukabe-2023-01-council-tablets.html", "kasukabe-2023-01-council-tablets.txt"),
        ("tama-2023-10-kakanai-madoguchi.sjis.txt", "tama-2023-10-kakanai-madoguchi.txt"),
    ]
    assert _rows(exported, "SELECT count(*) FROM passages WHERE file LIKE 'kasukabe-2023-01-council-tablets%'") == [
        (_rows(exported, "SELECT count(*) FROM passages WHERE file = 'kasukabe-2023-01-council-tablets.txt'")[0][0],)]


def test_rows_agree_with_the_stored_parses(exported: Path, service: Any) -> None:
    parsed = [service.report(file) for file in sorted(r[0] for r in _rows(exported, "SELECT file FROM reports"))]
    visits = [v for p in parsed for v in p["visits"]]
    for table, key in (("qa", "qa"), ("observations", "observations"), ("figures", "figures")):
        expected = sum(len(p.get(key, [])) + sum(len(v[key]) for v in p["visits"]) for p in parsed)
        assert _count(exported, table) == expected, table
    assert _count(exported, "visits") == len(visits)
    tags = sum(len(x["practices"]) for p in parsed for x in p["passages"] + [q for v in p["visits"]
                                                                            for q in v["passages"]])
    assert _count(exported, "passage_practices") == tags
    assert _count(exported, "practices") >= len(service.taxonomy.practices)
    assert _count(exported, "categories") == len(service.taxonomy.categories)


def test_the_yokohama_visit_to_osaka(exported: Path) -> None:
    rows = _rows(exported, "SELECT v.number, v.code, v.date, m.prefecture FROM visits v "
                           "JOIN municipalities m ON m.code = v.code WHERE v.file = ? AND v.municipality = '大阪市'",
                 YOKOHAMA)
    assert rows == [(1, "271004", "2022-07-21", "大阪府")]
    qa = _rows(exported, "SELECT p.section, p.passage FROM qa JOIN visits v ON v.id = qa.visit_id "
                         "JOIN passages p ON p.id = qa.passage_id WHERE v.file = ? AND v.number = 1", YOKOHAMA)
    assert qa and {section for section, _ in qa} == {"qa"} and all(p.startswith("v1-") for _, p in qa)


def test_practice_tags_name_the_taxonomy(exported: Path) -> None:
    rows = _rows(exported, "SELECT pr.name, c.name, count(*) FROM passage_practices pp "
                           "JOIN practices pr ON pr.id = pp.practice_id JOIN categories c ON c.id = pr.category_id "
                           "WHERE pr.id = 'byod' GROUP BY pr.id")
    assert len(rows) == 1 and rows[0][0] == "BYOD" and rows[0][2] > 0
    assert json.loads(_rows(exported, "SELECT aliases FROM practices WHERE id = 'byod'")[0][0])


def test_the_target_is_replaced_whole(index_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "dxkb.sqlite"
    target.write_text("an older export")
    reader = get_engine(None, index_dir).reader(index_dir)
    try:
        counts = write_sqlite(reader, target)
    finally:
        reader.close()
    assert target.read_bytes()[:16] == b"SQLite format 3\0"
    assert counts == {name: _count(target, name) for name in TABLE_NAMES}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dxkb.sqlite"]  # no temporary left behind


def test_csv_files_hold_the_same_rows(exported: Path, index_dir: Path, tmp_path: Path) -> None:
    reader = get_engine(None, index_dir).reader(index_dir)
    try:
        counts = write_csv(reader, tmp_path)
    finally:
        reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in TABLE_NAMES)
    for table in TABLES:
        raw = (tmp_path / f"{table.name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))
        assert rows[0] == [c.name for c in table.columns]
        assert len(rows) - 1 == counts[table.name] == _count(exported, table.name)
    visits = list(csv.DictReader((tmp_path / "visits.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert {"file": YOKOHAMA, "municipality": "大阪市", "code": "271004"}.items() <= next(
        v for v in visits if v["file"] == YOKOHAMA and v["number"] == "1").items()


def test_whoosh_gives_the_same_tables(exported: Path, whoosh_index_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "whoosh.sqlite"
    dump_index(whoosh_index_dir, sqlite=target)
    for table in TABLES:
        order = ", ".join(c.name for c in table.columns)
        assert _rows(target, f"SELECT * FROM {table.name} ORDER BY {order}") == \
            _rows(exported, f"SELECT * FROM {table.name} ORDER BY {order}"), table.name


def test_cli_writes_both_and_lists_the_rows(runner: CliRunner, index_dir: Path, tmp_path: Path,
                                            exported: Path) -> None:
    result = runner.invoke(main, ["export", "--sqlite", str(tmp_path / "a.sqlite"), "--csv",
                                  str(tmp_path / "csv"), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    width = max(len(name) for name in TABLE_NAMES)
    expected = [f"書き出しました: {tmp_path / 'a.sqlite'}、{tmp_path / 'csv'}"] + [
        f"  {name:<{width}}  {_count(exported, name):>8,}行" for name in TABLE_NAMES]
    assert result.output.splitlines() == expected
    assert _count(tmp_path / "a.sqlite", "passages") == _count(exported, "passages")


@pytest.mark.parametrize(("args", "message"), [
    ([], "--sqlite FILE か --csv DIR を指定してください"),
    (["--sqlite", "x.sqlite", "--index", "{missing}"], "索引がありません。先に `dxkb index` を実行してください"),
])
def test_cli_errors(runner: CliRunner, tmp_path: Path, args: list[str], message: str) -> None:
    args = [a.replace("{missing}", str(tmp_path / "none")) for a in args]
    result = runner.invoke(main, ["export", *args])
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "x.sqlite").exists()


def test_cli_help_gives_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "--help"])
    assert result.exit_code == 0 and "dxkb export --sqlite dxkb.sqlite" in result.output


def test_web_download_is_the_sqlite_file(client: FlaskClient, exported: Path, tmp_path: Path) -> None:
    response = client.get("/export/dxkb.sqlite")
    assert response.status_code == 200 and response.mimetype == "application/vnd.sqlite3"
    assert "filename=dxkb.sqlite" in response.headers["Content-Disposition"]
    assert response.data[:16] == b"SQLite format 3\0"
    (tmp_path / "got.sqlite").write_bytes(response.data)
    for name in TABLE_NAMES:
        assert _count(tmp_path / "got.sqlite", name) == _count(exported, name)
    assert client.get("/export/dxkb.sqlite").data == response.data


def test_web_download_without_index_is_the_error_page(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")})
    response = app.test_client().get("/export/dxkb.sqlite")
    assert response.status_code == 503 and "索引がありません" in response.get_data(as_text=True)


class _Reader:
    """A reader whose state changes when told, giving the stored reports of a real one."""

    def __init__(self, real: Any) -> None:
        self.real, self.token, self.made = real, "1", 0

    def state(self) -> str:
        return self.token

    def iter_reports(self) -> Any:
        self.made += 1
        return self.real.iter_reports()


def test_the_cache_makes_one_file_per_state(index_dir: Path, tmp_path: Path) -> None:
    real = get_engine(None, index_dir).reader(index_dir)
    reader, cache = _Reader(real), DumpCache(tmp_path)
    try:
        first = cache.open(reader)  # type: ignore[arg-type]
        again = cache.open(reader)  # type: ignore[arg-type]
        assert reader.made == 1 and first.read() == again.read()
        reader.token = "2"
        newer = cache.open(reader)  # type: ignore[arg-type]
        assert reader.made == 2 and newer.read()[:16] == b"SQLite format 3\0"
        assert len(list(tmp_path.iterdir())) == 1  # the older file is gone, its open handles still read
        for handle in (first, again, newer):
            handle.close()
    finally:
        real.close()


def test_readme_documents_every_table_and_column() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Export"):]
    section = section[:section.index("\n## ", 4)] if "\n## " in section[4:] else section
    for table in TABLES:
        line = re.search(rf"^\| `{table.name}` \|.*$", section, re.MULTILINE)
        assert line, f"README: no row for {table.name}"
        for column in table.columns:
            assert f"`{column.name}`" in line.group(0), f"README: {table.name}.{column.name}"


def test_web_download_follows_a_commit(tmp_path: Path) -> None:
    reports, index = tmp_path / "reports", tmp_path / "index"
    reports.mkdir()
    from index.build import build_index

    (reports / YOKOHAMA).write_bytes((ROOT / "data" / "reports" / YOKOHAMA).read_bytes())
    assert build_index([reports], index).ok
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    first = client.get("/export/dxkb.sqlite").data
    other = "tama-2023-10-kakanai-madoguchi.txt"
    (reports / other).write_bytes((ROOT / "data" / "reports" / other).read_bytes())
    assert build_index([reports], index).ok
    second = client.get("/export/dxkb.sqlite").data
    for name, data in (("first", first), ("second", second)):
        (tmp_path / f"{name}.sqlite").write_bytes(data)
    assert _rows(tmp_path / "first.sqlite", "SELECT file FROM reports") == [(YOKOHAMA,)]
    assert _rows(tmp_path / "second.sqlite", "SELECT file FROM reports ORDER BY file") == [(other,), (YOKOHAMA,)]
