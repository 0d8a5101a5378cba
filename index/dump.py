"""The whole knowledge base as SQLite tables or CSV files, for Excel, R or Datasette.

Every stored report (read through :class:`index.engine.Reader`, so both
engines give the same file) becomes rows of :data:`TABLES`: reports, visits,
passages and their practice tags, Q&A pairs, observations and figures, with
the practice taxonomy and the municipality code table they refer to.  The
reports are read one at a time and written in batches, so memory stays
bounded however large the index; the file appears only when complete (a
temporary file renamed over the target).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from index.engine import Reader
from kb.municipalities import MunicipalityTable
from kb.taxonomy import Taxonomy, default_taxonomy

BATCH_ROWS = 5000
"""Rows held before they are written: the bound on memory."""

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Column:
    """One column: its name, SQLite type, constraint (``PRIMARY KEY``, ``REFERENCES t(c)``) and meaning."""

    name: str
    type: str
    doc: str
    constraint: str = ""

    @property
    def references(self) -> str | None:
        """The table this column refers to, if it is a foreign key."""
        _, found, target = self.constraint.partition("REFERENCES ")
        return target.split("(")[0] if found else None


@dataclass(frozen=True)
class Table:
    """One table of the export and what a row of it is."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    def ddl(self) -> list[str]:
        """CREATE TABLE, then one index per foreign-key column."""
        parts = [f"{c.name} {c.type} {c.constraint}".rstrip() for c in self.columns]
        if self.primary_key:
            parts.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        statements = [f"CREATE TABLE {self.name} (\n  " + ",\n  ".join(parts) + "\n)"]
        statements += [f"CREATE INDEX {self.name}_{c.name} ON {self.name}({c.name})"
                       for c in self.columns if c.references and c.name not in self.primary_key[:1]]
        return statements

    def insert(self) -> str:
        """The INSERT statement of one row."""
        return (f"INSERT OR IGNORE INTO {self.name} ({', '.join(c.name for c in self.columns)}) "
                f"VALUES ({', '.join('?' for _ in self.columns)})")


def _c(name: str, type_: str, doc: str, constraint: str = "") -> Column:
    return Column(name, type_, doc, constraint)


_FILE = _c("file", "TEXT", "報告書のファイル名", "NOT NULL REFERENCES reports(file)")
_VISIT = _c("visit_id", "INTEGER", "視察先（visits.id）。報告書全体のものは空", "REFERENCES visits(id)")
_PASSAGE = _c("passage_id", "TEXT", "出典の段落（passages.id）", "REFERENCES passages(id)")
_ORDER = _c("ord", "INTEGER", "同じ視察先（または報告書全体）の中での順番（0から）", "NOT NULL")

TABLES: tuple[Table, ...] = (
    Table("categories", "取組の分野（data/practices.toml）", (
        _c("id", "TEXT", "分野のID", "PRIMARY KEY"),
        _c("name", "TEXT", "分野名", "NOT NULL"),
    )),
    Table("practices", "取組（data/practices.toml）。索引にあって分類にない取組は名前が空", (
        _c("id", "TEXT", "取組のID（/practices/ID）", "PRIMARY KEY"),
        _c("name", "TEXT", "取組名", "NOT NULL"),
        _c("category_id", "TEXT", "分野", "REFERENCES categories(id)"),
        _c("description", "TEXT", "説明", "NOT NULL"),
        _c("aliases", "TEXT", "別名（JSON配列）", "NOT NULL"),
    )),
    Table("municipalities", "全国地方公共団体コードの表（都道府県を含む）", (
        _c("code", "TEXT", "団体コード（6桁）", "PRIMARY KEY"),
        _c("prefecture", "TEXT", "都道府県", "NOT NULL"),
        _c("name", "TEXT", "団体名", "NOT NULL"),
        _c("kana", "TEXT", "団体名の読み（カタカナ）", "NOT NULL"),
        _c("is_prefecture", "INTEGER", "都道府県なら1", "NOT NULL"),
    )),
    Table("reports", "報告書1件につき1行", (
        _c("file", "TEXT", "ファイル名（/reports/FILE）", "PRIMARY KEY"),
        _c("title", "TEXT", "表題", "NOT NULL"),
        _c("body", "TEXT", "視察した議会・委員会", "NOT NULL"),
        _c("council", "TEXT", "議会", "NOT NULL"),
        _c("period_start", "TEXT", "視察の初日（YYYY-MM-DD）"),
        _c("period_end", "TEXT", "視察の最終日（YYYY-MM-DD）"),
        _c("members", "TEXT", "参加議員（JSON配列）", "NOT NULL"),
        _c("format", "TEXT", "元ファイルの形式（txt, pdf, docx, html）", "NOT NULL"),
        _c("warnings", "TEXT", "解析時の警告（JSON配列）", "NOT NULL"),
        _c("sha256", "TEXT", "元ファイルのSHA-256", "NOT NULL"),
    )),
    Table("report_copies", "同じ内容の別ファイル（写し）。索引には原本だけが入り、写しの段落は数えない", (
        _c("file", "TEXT", "写しのファイル名（/reports/FILE）", "PRIMARY KEY"),
        _c("copy_of", "TEXT", "原本", "NOT NULL REFERENCES reports(file)"),
        _c("format", "TEXT", "元ファイルの形式（txt, pdf, docx, html）", "NOT NULL"),
        _c("sha256", "TEXT", "元ファイルのSHA-256", "NOT NULL"),
    )),
    Table("visits", "視察先（報告書の中の1日・1団体）", (
        _c("id", "INTEGER", "視察先の通し番号", "PRIMARY KEY"),
        _FILE,
        _c("number", "INTEGER", "報告書の中で何番目の視察先か（1から）", "NOT NULL"),
        _c("municipality", "TEXT", "視察先の団体名", "NOT NULL"),
        _c("prefecture", "TEXT", "視察先の都道府県", "NOT NULL"),
        _c("code", "TEXT", "団体コード（不明なら空）", "REFERENCES municipalities(code)"),
        _c("date", "TEXT", "視察日（YYYY-MM-DD）"),
        _c("district", "TEXT", "郡・区などの補足", "NOT NULL"),
        _c("respondents", "TEXT", "説明者（JSON配列）", "NOT NULL"),
        _c("topics", "TEXT", "視察項目（JSON配列）", "NOT NULL"),
    )),
    Table("passages", "検索の単位：段落・質疑応答1組・所見1件", (
        _c("id", "TEXT", "FILE#段落ID（/reports/FILE#段落ID）", "PRIMARY KEY"),
        _FILE,
        _c("passage", "TEXT", "報告書の中の段落ID（v1-p3、報告書全体は r-p2）", "NOT NULL"),
        _VISIT,
        _c("ord", "INTEGER", "報告書の中での順番（0から）", "NOT NULL"),
        _c("section", "TEXT", "区分（overview, content, qa, observation）", "NOT NULL"),
        _c("heading", "TEXT", "見出し", "NOT NULL"),
        _c("text", "TEXT", "本文", "NOT NULL"),
    )),
    Table("passage_practices", "段落に現れる取組（段落×取組で1行）", (
        _c("passage_id", "TEXT", "段落", "NOT NULL REFERENCES passages(id)"),
        _c("practice_id", "TEXT", "取組", "NOT NULL REFERENCES practices(id)"),
    ), primary_key=("passage_id", "practice_id")),
    Table("qa", "質疑応答1組につき1行", (
        _c("id", "INTEGER", "通し番号", "PRIMARY KEY"), _FILE, _VISIT, _PASSAGE, _ORDER,
        _c("question", "TEXT", "質問", "NOT NULL"),
        _c("answer", "TEXT", "回答", "NOT NULL"),
    )),
    Table("observations", "所見1件につき1行", (
        _c("id", "INTEGER", "通し番号", "PRIMARY KEY"), _FILE, _VISIT, _PASSAGE, _ORDER,
        _c("author", "TEXT", "所見を書いた議員（会派・委員会全体なら空）", "NOT NULL"),
        _c("text", "TEXT", "所見", "NOT NULL"),
    )),
    Table("figures", "本文から読み取った数値（約6万人 → 60000 人）", (
        _c("id", "INTEGER", "通し番号", "PRIMARY KEY"), _FILE, _VISIT, _PASSAGE, _ORDER,
        _c("value", "REAL", "値", "NOT NULL"),
        _c("unit", "TEXT", "単位", "NOT NULL"),
        _c("approx", "INTEGER", "概数（約・およそ）なら1", "NOT NULL"),
        _c("qualifier", "TEXT", "以上・以下・未満・以内・超（値が上限・下限のとき）", "NOT NULL"),
        _c("text", "TEXT", "本文での書き方", "NOT NULL"),
        _c("context", "TEXT", "数値を含む文", "NOT NULL"),
    )),
)
"""Every table, in an order where each refers only to tables before it (or itself)."""

TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
_ITEMS: tuple[tuple[str, str], ...] = (("qa", "qa"), ("observations", "observations"), ("figures", "figures"))


def _json(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


@dataclass
class _Rows:
    """Rows waiting to be written, and what has been given an id or a row so far."""

    tables: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLE_NAMES})
    ids: dict[str, int] = field(default_factory=dict)
    practices: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    report_passages: set[str] = field(default_factory=set)
    pending: int = 0

    def add(self, table: str, row: Row) -> None:
        self.tables[table].append(row)
        self.pending += 1

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]


class _Dump:
    """Writes :data:`TABLES` into one SQLite connection, report by report."""

    def __init__(self, con: sqlite3.Connection, taxonomy: Taxonomy, table: MunicipalityTable) -> None:
        self.con = con
        self.rows = _Rows()
        for statement in (s for t in TABLES for s in t.ddl()):
            con.execute(statement)
        for category in taxonomy.categories:
            self.rows.add("categories", (category.id, category.name))
        for practice in taxonomy.practices:
            self.rows.add("practices", (practice.id, practice.name, practice.category, practice.description,
                                        _json(practice.aliases)))
            self.rows.practices.add(practice.id)
        for row in table.all():
            self.rows.add("municipalities", (row.code, row.prefecture, row.name, row.kana, int(row.is_prefecture)))
            self.rows.codes.add(row.code)

    def report(self, doc: Mapping[str, Any]) -> None:
        """Queue the rows of one stored report document; write them when enough are waiting."""
        data: dict[str, Any] = json.loads(str(doc.get("report_json") or "{}"))
        file = str(doc["file"])
        if doc.get("copy_of"):
            self.rows.add("report_copies", (file, str(doc["copy_of"]), data.get("format", ""),
                                            str(doc.get("sha256", ""))))
            return
        period = data.get("period") or {}
        self.rows.add("reports", (file, data.get("title", ""), data.get("body", ""), data.get("council", ""),
                                  period.get("start"), period.get("end"), _json(data.get("members") or []),
                                  data.get("format", ""), _json(data.get("warnings") or []),
                                  str(doc.get("sha256", ""))))
        self.rows.report_passages.clear()
        sources: list[tuple[int | None, Mapping[str, Any]]] = [(None, data)]
        sources += [(self._visit(file, number, visit), visit) for number, visit in enumerate(data.get("visits") or [], 1)]
        order = 0
        for visit_id, source in sources:
            order = self._passages(file, visit_id, source.get("passages") or [], order)
        # Items after every passage: each names its passage's row.
        for visit_id, source in sources:
            self._items(file, visit_id, source)
        if self.rows.pending >= BATCH_ROWS:
            self.flush()

    def _visit(self, file: str, number: int, visit: Mapping[str, Any]) -> int:
        visit_id = self.rows.next_id("visits")
        code = str(visit.get("code") or "") or None
        if code and code not in self.rows.codes:
            # A code given by a sidecar but absent from the table still gets its row.
            self.rows.add("municipalities", (code, visit.get("prefecture", ""), visit.get("municipality", ""), "", 0))
            self.rows.codes.add(code)
        self.rows.add("visits", (visit_id, file, number, visit.get("municipality", ""), visit.get("prefecture", ""),
                                 code, visit.get("date"), visit.get("district", ""),
                                 _json(visit.get("respondents") or []), _json(visit.get("topics") or [])))
        return visit_id

    def _passages(self, file: str, visit_id: int | None, passages: Sequence[Mapping[str, Any]], order: int) -> int:
        for passage in passages:
            key = f"{file}#{passage['id']}"
            self.rows.report_passages.add(key)
            self.rows.add("passages", (key, file, passage["id"], visit_id, order, passage.get("section", ""),
                                       passage.get("heading", ""), passage.get("text", "")))
            for practice in passage.get("practices") or []:
                if practice not in self.rows.practices:
                    # A practice the taxonomy no longer has keeps its tags: an unnamed row.
                    self.rows.add("practices", (practice, "", None, "", "[]"))
                    self.rows.practices.add(practice)
                self.rows.add("passage_practices", (key, practice))
            order += 1
        return order

    def _items(self, file: str, visit_id: int | None, source: Mapping[str, Any]) -> None:
        for table, key in _ITEMS:
            for order, item in enumerate(source.get(key) or []):
                cited = f"{file}#{item.get('passage')}"
                passage = cited if cited in self.rows.report_passages else None
                head = (self.rows.next_id(table), file, visit_id, passage, order)
                self.rows.add(table, head + _item_values(table, item))

    def flush(self) -> None:
        """Write the waiting rows."""
        for name, rows in self.rows.tables.items():
            if rows:
                self.con.executemany(_BY_NAME[name].insert(), rows)
                rows.clear()
        self.rows.pending = 0


def _item_values(table: str, item: Mapping[str, Any]) -> Row:
    if table == "qa":
        return (item.get("question", ""), item.get("answer", ""))
    if table == "observations":
        return (item.get("author", ""), item.get("text", ""))
    return (item.get("value"), item.get("unit", ""), int(bool(item.get("approx"))), item.get("qualifier", ""),
            item.get("text", ""), item.get("context", ""))


def write_sqlite(reader: Reader, target: Path, *, taxonomy: Taxonomy | None = None,
                 table: MunicipalityTable | None = None) -> dict[str, int]:
    """Write every report ``reader`` holds to the SQLite file ``target``; rows per table.

    The file is written beside ``target`` under a temporary name and renamed
    over it once complete, so ``target`` is never half-written.
    """
    target = Path(target)
    with _temporary(target) as temporary:
        counts = _write(reader, temporary, taxonomy or default_taxonomy(), table or MunicipalityTable.load())
        os.replace(temporary, target)
    return counts


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[Path]:
    """A fresh path beside ``target``, removed if still there at the end."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _write(reader: Reader, path: Path, taxonomy: Taxonomy, table: MunicipalityTable) -> dict[str, int]:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        dump = _Dump(con, taxonomy, table)
        for doc in reader.iter_reports():
            dump.report(doc)
        dump.flush()
        con.execute("COMMIT")
        return {name: int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]) for name in TABLE_NAMES}
    finally:
        con.close()


def write_csv(reader: Reader, folder: Path, *, taxonomy: Taxonomy | None = None,
              table: MunicipalityTable | None = None) -> dict[str, int]:
    """The tables of :func:`write_sqlite` as ``folder/TABLE.csv`` (UTF-8 with BOM, header row); rows per table.

    Each file is written under a temporary name and renamed when complete.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with _temporary(folder / "dxkb.sqlite") as database:
        _write(reader, database, taxonomy or default_taxonomy(), table or MunicipalityTable.load())
        con = sqlite3.connect(database)
        try:
            return {t.name: _table_csv(con, t, folder / f"{t.name}.csv") for t in TABLES}
        finally:
            con.close()


def _table_csv(con: sqlite3.Connection, table: Table, target: Path) -> int:
    names = [c.name for c in table.columns]
    order = ", ".join(table.primary_key or names[:1])
    count = 0
    with _temporary(target) as temporary:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(names)
            for row in con.execute(f"SELECT {', '.join(names)} FROM {table.name} ORDER BY {order}"):
                out.writerow(_csv_value(v) for v in row)
                count += 1
        os.replace(temporary, target)
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def dump_index(index_dir: Path, *, sqlite: Path | None = None, csv: Path | None = None,
               engine: str | None = None) -> dict[str, int]:
    """Export the index in ``index_dir`` to a SQLite file and/or a CSV folder; rows per table.

    Raises IndexMissingError / IndexOutdatedError as :func:`index.build.open_index` does.
    """
    from index.build import open_index

    reader = open_index(index_dir, engine).reader(index_dir)
    try:
        counts: dict[str, int] = {}
        if sqlite is not None:
            counts = write_sqlite(reader, sqlite)
        if csv is not None:
            counts = write_csv(reader, csv)
        return counts
    finally:
        reader.close()


class DumpCache:
    """The SQLite export of the index state a reader sees, made once per state and kept in ``folder``.

    The state is :meth:`index.engine.Reader.state`; a state that changed
    while the file was being made is served but not kept.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._current: tuple[str, Path] | None = None
        self._made = 0

    def open(self, reader: Reader) -> IO[bytes]:
        """An open handle on the export of ``reader``'s state (still readable after a newer state replaces it)."""
        with self._lock:
            state = reader.state()
            if self._current is not None and self._current[0] == state:
                return self._current[1].open("rb")
            self._made += 1
            target = self.folder / f"dxkb-{self._made}.sqlite"
            write_sqlite(reader, target)
            handle = target.open("rb")
            # Unlinking a file that is open elsewhere leaves those handles readable.
            if self._current is not None:
                self._current[1].unlink(missing_ok=True)
                self._current = None
            if reader.state() == state:
                self._current = (state, target)
            else:
                target.unlink()
            return handle
