"""Compare compiled full-text engines on the same analysed terms, in one run; prints one JSON document.

    .venv/bin/python bench/candidates.py --reports 1000 --out DIR [--corpus FOLDER] [--engines sqlite,tantivy,groonga]

The reports are parsed by the product (kb.parse, index.build's passage and
report documents) and every passage is analysed ONCE with the product's
analyser (``SqliteEngine.prepare``: index.analysis.index_positions, encoded
as ``\\x1e``-separated positions of ``\\x1f``-separated colocated terms).
That stream (OUT/analysed-*.pkl, one pickle per report) is what every
candidate is fed:

* ``sqlite``: the product's own engine (SqliteEngine writer, SqliteReader.search).
* ``tantivy``: tantivy-py, the terms as a PreTokenizedString (colocated terms
  share a position, as in FTS5); facets by a terms aggregation on fast fields.
* ``groonga``: the ``groonga`` command (Debian groonga-bin), terms joined by
  spaces under TokenDelimit (it cannot put terms at one position: a long unit's
  short units follow it), searched through its HTTP server, facets by drilldowns.

Queries (bench/queries.txt) are analysed once with index.search.parse_query
(no synonym expansion) and run as the AND of their units: 20 hits by
relevance with their stored fields, the total, and the facet counts.  Each
engine's build, queries and crash test run in child processes, one after the
other, so that each has its own peak RSS; the shared analysis is timed apart
and not counted in any engine's build.  Crash safety: a writer adds every
passage again and is killed -9 mid-write and when its commit starts; the copy
of the index must then open and hold either the old or the new state.
Engines that cannot run here are listed with the reason.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from httpbench import free_port, percentiles

from index.engine import And, DisMax, Every, Or, Phrase, Query, Term
from index.schema import FACET_FIELDS, TEXT_FIELDS

ENGINES: tuple[str, ...] = ("sqlite", "tantivy", "groonga")
POSITION_SEP = "\x1e"
COLOCATED_SEP = "\x1f"
STORED_FIELDS: tuple[str, ...] = (
    "id", "file", "passage", "text", "heading", "title", "body", "council", "municipality",
    "prefecture", "code", "date", "year", "section", "practice", "source",
)
LIMIT = 20
FACET_SIZE = 65_000
GROONGA_WEIGHT_SCALE = 10
"""Groonga weights are integers: the BM25F field boosts times this."""
CRASH_TRIALS: tuple[str, ...] = ("HALF", "COMMIT")
"""Markers a crash-test writer prints; it is killed -9 as soon as the parent reads one."""
CRASH_SUFFIX = "~crash"


# -- pure helpers (tests/test_candidates.py) ---------------------------------

def decode_terms(encoded: str) -> list[list[str]]:
    """Positions of terms from the string ``SqliteEngine.prepare`` makes (inverse of encode_terms)."""
    if not encoded:
        return []
    return [[t for t in group.split(COLOCATED_SEP) if t] for group in encoded.split(POSITION_SEP)]


def clean_term(term: str) -> str:
    """A term without whitespace, so that a whitespace tokenizer keeps it whole."""
    return "\u2581".join(term.split()) if any(c.isspace() for c in term) else term


def positioned_terms(encoded: str) -> list[tuple[str, int]]:
    """``(term, position)`` pairs: colocated terms share their position (what tantivy is given)."""
    pairs: list[tuple[str, int]] = []
    position = 0
    for group in decode_terms(encoded):
        if not group:
            continue
        pairs.extend((clean_term(t), position) for t in group)
        position += 1
    return pairs


def delimited(encoded: str) -> str:
    """The terms joined by spaces, each position's terms in order (what TokenDelimit splits)."""
    return " ".join(clean_term(t) for group in decode_terms(encoded) for t in group)


class QueryOps(Protocol):
    """How an engine builds each kind of query node (see :func:`translate`)."""

    def term(self, field: str, text: str, boost: float) -> Any: ...
    def phrase(self, field: str, terms: Sequence[str], boost: float) -> Any: ...
    def all_of(self, children: list[Any], boost: float) -> Any: ...
    def any_of(self, children: list[Any], boost: float) -> Any: ...
    def best_of(self, children: list[Any], tiebreak: float) -> Any: ...


def translate(query: Query, ops: QueryOps) -> Any:
    """An engine query from an :mod:`index.engine` tree, built bottom-up by ``ops``."""
    if isinstance(query, Term):
        return ops.term(query.field, clean_term(query.text), query.boost)
    if isinstance(query, Phrase):
        return ops.phrase(query.field, [clean_term(t) for t in query.terms], query.boost)
    if isinstance(query, Every):
        raise TypeError("Every is not searched by the candidates")
    children = [translate(child, ops) for child in query.children]
    if isinstance(query, And):
        return ops.all_of(children, query.boost)
    if isinstance(query, Or):
        return ops.any_of(children, query.boost)
    assert isinstance(query, DisMax)
    return ops.best_of(children, query.tiebreak)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class GroongaOps:
    """Groonga query syntax.  Fields and boosts are the match columns' (weights per column), so a
    node over both fields that differ only by field is one expression; DisMax becomes OR."""

    def term(self, field: str, text: str, boost: float) -> str:
        return _quoted(text)

    def phrase(self, field: str, terms: Sequence[str], boost: float) -> str:
        return _quoted(" ".join(terms))

    def all_of(self, children: list[str], boost: float) -> str:
        return _joined(children, " ")

    def any_of(self, children: list[str], boost: float) -> str:
        return _joined(children, " OR ")

    def best_of(self, children: list[str], tiebreak: float) -> str:
        return _joined(children, " OR ")


def _joined(children: list[str], operator: str) -> str:
    distinct = list(dict.fromkeys(children))
    return distinct[0] if len(distinct) == 1 else "(" + operator.join(distinct) + ")"


def groonga_match_columns() -> str:
    """The searched columns, TF-IDF scored, weighted as the product weighs its fields."""
    return " || ".join(f"scorer_tf_idf(terms_{name}) * {round(boost * GROONGA_WEIGHT_SCALE)}"
                       for name, boost in TEXT_FIELDS.items())


def groonga_select(query: str) -> dict[str, str]:
    """Parameters of the ``select`` of one search: 20 hits by score, every facet counted."""
    params = {
        "table": "Passages", "match_columns": groonga_match_columns(), "query": query,
        "match_escalation_threshold": "-1", "output_columns": "_id,_score," + ",".join(STORED_FIELDS),
        "sort_keys": "-_score,_id", "limit": str(LIMIT),
    }
    for name in FACET_FIELDS:
        params[f"drilldowns[{name}].keys"] = name
        params[f"drilldowns[{name}].limit"] = "-1"
    return params


def groonga_result(body: Any) -> tuple[int, int, dict[str, dict[str, int]]]:
    """Total, hits shown and facet counts of a ``select`` response with drilldowns."""
    header, result = body
    if header[0] != 0:
        raise RuntimeError(f"groonga: {header}")
    records, drilldowns = result[0], result[1] if len(result) > 1 else {}
    facets = {name: {str(row[0]): int(row[1]) for row in rows[2:] if row[0] != ""}
              for name, rows in drilldowns.items()}
    return int(records[0][0]), len(records) - 2, facets


def crash_state(count: int | None, before: int, after: int) -> str:
    """What a killed writer left: ``old`` or ``new`` state whole, ``partial``, or ``unreadable``."""
    if count is None:
        return "unreadable"
    if count == before:
        return "old"
    if count == after:
        return "new"
    return "partial"


def table_rows(engines: dict[str, Any]) -> list[str]:
    """A Markdown table of the figures of each engine (build s, index MB, p50/p95, RSS, crash)."""
    rows = ["| engine | build s | index MB (allocated) | p50 ms | p95 ms | query RSS MB | build RSS MB | crash safe |",
            "|---|---|---|---|---|---|---|---|"]
    for name, figures in engines.items():
        if not figures.get("available", True):
            rows.append(f"| {name} | not run: {figures.get('reason', '')} |||||||")
            continue
        build, search = figures.get("build", {}), figures.get("search", {})
        crash = figures.get("crash", {})
        rows.append(f"| {name} | {build.get('seconds')} | {figures.get('index_mb')} ({figures.get('index_mb_allocated')}) | "
                    f"{search.get('p50_ms')} | "
                    f"{search.get('p95_ms')} | {search.get('engine_peak_rss_mb')} | {build.get('engine_peak_rss_mb')} | "
                    f"{crash.get('safe')} |")
    return rows


def facet_digest(facets: dict[str, dict[str, int]]) -> str:
    """One string standing for a search's facet counts (empty values left out), to compare engines."""
    shown = {name: sorted((k, v) for k, v in facets.get(name, {}).items() if k) for name in FACET_FIELDS}
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:16]


def agreement(totals: dict[str, list[Any]], reference: str = "sqlite") -> dict[str, Any]:
    """Per engine, how many queries gave the reference engine's value (total or facets), and the first that did not."""
    base = totals.get(reference)
    out: dict[str, Any] = {}
    if base is None:
        return out
    for name, values in totals.items():
        if name == reference:
            continue
        pairs = [(i, a, b) for i, (a, b) in enumerate(zip(base, values)) if a is not None and b is not None]
        differ = [(i, a, b) for i, a, b in pairs if a != b]
        out[name] = {"compared": len(pairs), "same_total": len(pairs) - len(differ),
                     "first_differences": [{"query": i, reference: a, name: b} for i, a, b in differ[:5]]}
    return out


# -- the shared analysis ---------------------------------------------------

def analyse_file(path: Path, table: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, str]]] | None:
    """Parse one report as the build does and analyse its passages once (None: it did not parse)."""
    from index.build import passage_documents, report_document, report_sha256
    from index.sqlite_engine import SqliteEngine
    from kb.errors import DxkbError
    from kb.parse import parse_file

    try:
        report = parse_file(path, table)
    except (DxkbError, OSError):
        return None
    source = str(path.resolve())
    passages = list(passage_documents(report, source))
    return report_document(report, report_sha256(path), source), passages, SqliteEngine().prepare(passages)


def analyse_corpus(folder: Path, target: Path, jobs: int) -> dict[str, Any]:
    """Analyse every report of ``folder`` into ``target`` (one pickle per report), reused when complete."""
    done = target.with_suffix(".json")
    if done.exists():
        return {**json.loads(done.read_text(encoding="utf-8")), "reused": True}
    from index.parallel import ordered_map
    from kb.municipalities import MunicipalityTable

    files = sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".html"))
    started = time.perf_counter()
    reports = passages = failed = 0
    with target.open("wb") as out:
        for record in ordered_map(analyse_file, files, MunicipalityTable.load(), jobs):
            if record is None:
                failed += 1
                continue
            pickle.dump(record, out, protocol=pickle.HIGHEST_PROTOCOL)
            reports, passages = reports + 1, passages + len(record[1])
    summary = {"seconds": round(time.perf_counter() - started, 2), "jobs": jobs, "reports": reports,
               "passages": passages, "failed": failed, "mb": round(target.stat().st_size / 1e6, 1)}
    done.write_text(json.dumps(summary), encoding="utf-8")
    return summary


def records(data: Path) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, str]]]]:
    """The analysed reports, one at a time."""
    with data.open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


def query_trees(queries: list[str]) -> list[Query | None]:
    """Each query as the AND of its units (index.search.parse_query, no expansion); None when it has none."""
    from index.search import parse_query

    trees: list[Query | None] = []
    for text in queries:
        units, _ = parse_query(text, None)
        trees.append(And(tuple(units)) if units else None)
    return trees


# -- engines: build, search, crash writer, verify ---------------------------

def _marker(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _renamed(report: dict[str, Any], passages: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A report and its passages under another file name: written again, they add to the index."""
    file = report["file"] + CRASH_SUFFIX
    return {**report, "file": file}, [{**p, "file": file, "id": p["id"] + CRASH_SUFFIX} for p in passages]


def feed(data: Path, half: int | None) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, str]]]]:
    """The analysed reports; for a crash-test writer (``half`` set) renamed, with HALF printed midway."""
    for n, (report, passages, terms) in enumerate(records(data)):
        if half is not None:
            report, passages = _renamed(report, passages)
            if n == half:
                _marker("HALF")
        yield report, passages, terms


Search = Callable[[Query], tuple[int, int, dict[str, dict[str, int]]]]


class SqliteCandidate:
    """The product's engine, through its own writer and reader."""

    name = "sqlite"

    def build(self, data: Path, index: Path, half: int | None) -> float | None:
        from index.sqlite_engine import SqliteEngine

        writer = SqliteEngine().writer(index, rebuild=half is None, processes=1, timeout=30.0)
        for report, passages, terms in feed(data, half):
            writer.replace(report, passages, terms)
        _marker("COMMIT")
        writer.commit()
        return None

    def searcher(self, index: Path) -> Search:
        from index.sqlite_engine import SqliteEngine

        reader = SqliteEngine().reader(index)

        def search(tree: Query) -> tuple[int, int, dict[str, dict[str, int]]]:
            page = reader.search(tree, {}, page=1, limit=LIMIT)
            return page.total, len(page.hits), page.facets
        return search

    def count(self, index: Path) -> int:
        from index.sqlite_engine import SqliteEngine

        reader = SqliteEngine().reader(index)
        try:
            return sum(reader.group_counts(["file"], {}).values())
        finally:
            reader.close()


class TantivyOps:
    """tantivy-py query objects."""

    def __init__(self, tantivy: Any, schema: Any) -> None:
        self.t, self.schema = tantivy, schema

    def _boosted(self, query: Any, boost: float) -> Any:
        return query if boost == 1.0 else self.t.Query.boost_query(query, boost)

    def term(self, field: str, text: str, boost: float) -> Any:
        return self._boosted(self.t.Query.term_query(self.schema, field, text), boost)

    def phrase(self, field: str, terms: Sequence[str], boost: float) -> Any:
        query = (self.t.Query.term_query(self.schema, field, terms[0]) if len(terms) == 1
                 else self.t.Query.phrase_query(self.schema, field, list(terms)))
        return self._boosted(query, boost)

    def all_of(self, children: list[Any], boost: float) -> Any:
        clauses = [(self.t.Occur.Must, c) for c in children]
        return self._boosted(self.t.Query.boolean_query(clauses), boost)

    def any_of(self, children: list[Any], boost: float) -> Any:
        clauses = [(self.t.Occur.Should, c) for c in children]
        return self._boosted(self.t.Query.boolean_query(clauses), boost)

    def best_of(self, children: list[Any], tiebreak: float) -> Any:
        return self.t.Query.disjunction_max_query(children, tiebreak)


class TantivyCandidate:
    """tantivy-py: the analysed terms as pre-tokenised text, colocated terms at one position."""

    name = "tantivy"

    def _schema(self, tantivy: Any) -> Any:
        builder = tantivy.SchemaBuilder()
        for name in STORED_FIELDS:
            if name in TEXT_FIELDS:
                builder.add_text_field(name, stored=True, tokenizer_name="whitespace", index_option="position")
            else:
                builder.add_text_field(name, stored=True, fast=name in FACET_FIELDS, tokenizer_name="raw")
        builder.add_integer_field("ord", stored=True)
        return builder.build()

    def _document(self, tantivy: Any, passage: dict[str, Any], terms: tuple[str, str]) -> Any:
        doc = tantivy.Document()
        for name, encoded in zip(TEXT_FIELDS, terms):
            tokens = [tantivy.Token(t, p, 0, 0) for t, p in positioned_terms(encoded)]
            doc.add_pre_tokenized_text(name, tantivy.PreTokenizedString(str(passage.get(name) or ""), tokens))
        for name in STORED_FIELDS:
            if name not in TEXT_FIELDS:
                value = str(passage.get(name) or "")
                for part in (value.split(",") if name == "practice" else [value]):
                    if part or name not in FACET_FIELDS:
                        doc.add_text(name, part)
        doc.add_integer("ord", int(passage.get("order") or 0))
        return doc

    def build(self, data: Path, index: Path, half: int | None) -> float | None:
        import tantivy

        index.mkdir(parents=True, exist_ok=True)
        ix = tantivy.Index(self._schema(tantivy), path=str(index), reuse=half is not None)
        writer = ix.writer()
        for _, passages, terms in feed(data, half):
            for passage, pair in zip(passages, terms):
                writer.add_document(self._document(tantivy, passage, pair))
        _marker("COMMIT")
        writer.commit()
        writer.wait_merging_threads()
        return None

    def searcher(self, index: Path) -> Search:
        import tantivy

        ix = tantivy.Index.open(str(index))
        searcher = ix.searcher()
        ops = TantivyOps(tantivy, ix.schema)
        aggregation = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}

        def search(tree: Query) -> tuple[int, int, dict[str, dict[str, int]]]:
            query = translate(tree, ops)
            result = searcher.search(query, LIMIT, count=True)
            shown = [searcher.doc(address) for _, address in result.hits]
            buckets = searcher.aggregate(query, aggregation)
            facets = {name: {str(b["key"]): int(b["doc_count"]) for b in buckets[name]["buckets"]}
                      for name in FACET_FIELDS}
            return int(result.count or 0), len(shown), facets
        return search

    def count(self, index: Path) -> int:
        import tantivy

        return int(tantivy.Index.open(str(index)).searcher().num_docs)


class GroongaCandidate:
    """The groonga command: TokenDelimit over the terms joined by spaces; its HTTP server searches."""

    name = "groonga"
    schema: tuple[str, ...] = (
        "table_create Passages TABLE_NO_KEY",
        *[f"column_create Passages {name} COLUMN_SCALAR {'LongText' if name == 'text' else 'ShortText'}"
          for name in STORED_FIELDS if name != "practice"],
        "column_create Passages practice COLUMN_VECTOR ShortText",
        "column_create Passages terms_text COLUMN_SCALAR LongText",
        "column_create Passages terms_heading COLUMN_SCALAR ShortText",
        "column_create Passages ord COLUMN_SCALAR Int32",
    )
    # No normalizer: the terms are normalised by the analyser already.
    index_commands: tuple[str, ...] = (
        "table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenDelimit",
        "column_create Terms idx COLUMN_INDEX|WITH_POSITION|WITH_SECTION Passages terms_text,terms_heading",
    )

    def _rows(self, data: Path, half: int | None) -> Iterator[bytes]:
        for _, passages, terms in feed(data, half):
            for passage, (text_terms, heading_terms, *_) in zip(passages, terms):
                row: dict[str, Any] = {name: str(passage.get(name) or "") for name in STORED_FIELDS}
                row["practice"] = [p for p in row["practice"].split(",") if p]
                row.update(terms_text=delimited(text_terms), terms_heading=delimited(heading_terms),
                           ord=int(passage.get("order") or 0))
                yield json.dumps(row, ensure_ascii=False).encode()

    def build(self, data: Path, index: Path, half: int | None) -> float | None:
        """Feed ``groonga`` on its standard input; the groonga process's peak RSS (MB)."""
        index.mkdir(parents=True, exist_ok=True)
        db = str(index / "db")
        proc = subprocess.Popen(["groonga", db] if half is not None else ["groonga", "-n", db],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        peak = PeakRss(proc)
        pipe = proc.stdin
        assert pipe is not None
        if half is None:
            pipe.write(("\n".join(self.schema) + "\n").encode())
        pipe.write(b"load --table Passages\n[\n")
        for n, row in enumerate(self._rows(data, half)):
            pipe.write((b",\n" if n else b"") + row)
        pipe.write(b"\n]\n")
        if half is None:
            # Indexing after the load builds the index statically (faster than row by row).
            pipe.write(("\n".join(self.index_commands) + "\n").encode())
        _marker("COMMIT")
        pipe.close()
        return peak.stop()

    def searcher(self, index: Path) -> Search:
        server = GroongaServer(index / "db")
        ops = GroongaOps()

        def search(tree: Query) -> tuple[int, int, dict[str, dict[str, int]]]:
            return groonga_result(server.command("select", groonga_select(translate(tree, ops))))
        search.server = server  # type: ignore[attr-defined]
        return search

    def count(self, index: Path) -> int:
        server = GroongaServer(index / "db")
        try:
            body = server.command("select", {"table": "Passages", "limit": "0", "output_columns": "_id"})
            if body[0][0] != 0:
                raise RuntimeError(f"groonga: {body[0]}")
            return int(body[1][0][0][0])
        finally:
            server.stop()


class GroongaServer:
    """``groonga -s --protocol http`` on a free local port."""

    def __init__(self, db: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(["groonga", "-s", "--protocol", "http", "--bind-address", "127.0.0.1",
                                      "--port", str(self.port), str(db)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.command("status", {})
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.proc.kill()
                    raise RuntimeError("the groonga server did not start") from None
                time.sleep(0.05)

    def command(self, name: str, params: dict[str, str]) -> Any:
        """One command's JSON response."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", f"/d/{name}?" + urllib.parse.urlencode(params))
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    def peak_rss_mb(self) -> float:
        """The server's peak RSS (VmHWM)."""
        return _status_mb(self.proc.pid, "VmHWM")

    def stop(self) -> None:
        """Shut the server down with its own command and wait for it."""
        try:
            self.command("shutdown", {})
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


class PeakRss:
    """Samples a child process's VmHWM until it exits (its rusage would count the RSS before its exec)."""

    def __init__(self, proc: subprocess.Popen[bytes], every: float = 0.1) -> None:
        self.proc, self.every, self.peak = proc, every, 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self.proc.poll() is None:
            self.peak = max(self.peak, _status_mb(self.proc.pid, "VmHWM"))
            time.sleep(self.every)

    def stop(self) -> float:
        """Wait for the process to end; its peak RSS in MB."""
        self.proc.wait()
        self._thread.join()
        return self.peak


CANDIDATES: dict[str, Any] = {"sqlite": SqliteCandidate, "tantivy": TantivyCandidate, "groonga": GroongaCandidate}


def unavailable(engine: str) -> str | None:
    """Why ``engine`` cannot run on this machine (None: it can)."""
    if engine == "tantivy":
        try:
            import tantivy  # noqa: F401
        except ImportError:
            return "the tantivy package is not installed (pip install -e '.[bench]')"
    if engine == "groonga" and shutil.which("groonga") is None:
        return "the groonga command is not installed (apt-get install groonga-bin)"
    if engine not in CANDIDATES:
        return f"unknown engine (known: {', '.join(CANDIDATES)})"
    return None


# -- child processes ----------------------------------------------------------

def _self_rss_mb() -> float:
    # VmHWM, not ru_maxrss: ru_maxrss keeps the parent's RSS from before exec.
    return _status_mb(os.getpid(), "VmHWM")


def child_build(engine: str, data: Path, index: Path) -> dict[str, Any]:
    """Build the index; seconds with and without reading the analysed stream, peak RSS."""
    started = time.perf_counter()
    for _ in records(data):
        pass
    reading = time.perf_counter() - started
    baseline = _self_rss_mb()
    started = time.perf_counter()
    engine_rss = CANDIDATES[engine]().build(data, index, None)
    seconds = time.perf_counter() - started
    own = _self_rss_mb()
    return {"seconds": round(seconds - reading, 2), "seconds_with_reading": round(seconds, 2),
            "reading_seconds": round(reading, 2), "process_peak_rss_mb": own, "baseline_rss_mb": baseline,
            "engine_peak_rss_mb": engine_rss if engine_rss is not None else own}


def child_search(engine: str, index: Path, trees_file: Path) -> dict[str, Any]:
    """Every query: total, the 20 hits and the facets; latencies, totals and the engine's peak RSS."""
    trees: list[Query | None] = pickle.loads(trees_file.read_bytes())
    baseline = _self_rss_mb()
    started = time.perf_counter()
    search = CANDIDATES[engine]().searcher(index)
    open_ms = (time.perf_counter() - started) * 1000
    server = getattr(search, "server", None)
    try:
        figures = _timed_queries(search, trees)
        figures["engine_peak_rss_mb"] = server.peak_rss_mb() if server else _self_rss_mb()
    finally:
        if server:
            server.stop()
    return {**figures, "open_ms": round(open_ms, 1), "process_peak_rss_mb": _self_rss_mb(),
            "baseline_rss_mb": baseline}


def _timed_queries(search: Search, trees: list[Query | None]) -> dict[str, Any]:
    started = time.perf_counter()
    search(next(t for t in trees if t is not None))
    cold_ms = (time.perf_counter() - started) * 1000
    samples: list[float] = []
    totals: list[int | None] = []
    digests: list[str | None] = []
    for tree in trees:
        if tree is None:
            totals.append(None)
            digests.append(None)
            continue
        started = time.perf_counter()
        total, _, facets = search(tree)
        samples.append((time.perf_counter() - started) * 1000)
        totals.append(total)
        digests.append(facet_digest(facets))
    return {**percentiles(samples), "cold_first_query_ms": round(cold_ms, 1),
            "queries_without_hits": sum(1 for t in totals if t == 0), "totals": totals, "facets": digests}


def child_count(engine: str, index: Path, trees_file: Path) -> dict[str, Any]:
    """The passages an index holds and the total of the first query (an index that opens and searches)."""
    trees: list[Query | None] = pickle.loads(trees_file.read_bytes())
    candidate = CANDIDATES[engine]()
    count = candidate.count(index)
    search = candidate.searcher(index)
    server = getattr(search, "server", None)
    try:
        total = search(next(t for t in trees if t is not None))[0]
    finally:
        if server:
            server.stop()
    return {"passages": count, "first_query_total": total}


def child_main(args: argparse.Namespace) -> None:
    """Run one child task; its result is the last line of standard output."""
    if args.child == "build":
        result = child_build(args.engine, args.data, args.index)
    elif args.child == "search":
        result = child_search(args.engine, args.index, args.trees)
    elif args.child == "count":
        result = child_count(args.engine, args.index, args.trees)
    else:
        CANDIDATES[args.engine]().build(args.data, args.index, args.half)
        result = {"done": True}
    _marker("RESULT " + json.dumps(result))


# -- the parent: corpus, analysis, one engine after the other ----------------

def _child_cmd(child: str, engine: str, **paths: Any) -> list[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", child, "--engine", engine]
    for name, value in paths.items():
        cmd += [f"--{name}", str(value)]
    return cmd


def run_child(cmd: list[str], timeout: float = 3600) -> dict[str, Any]:
    """Run a child task to its end; its RESULT, or the error it printed."""
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT "):])
            return result
    return {"error": (proc.stderr or proc.stdout)[-2000:], "returncode": proc.returncode}


def disk_mb(folder: Path) -> dict[str, float]:
    """Apparent size and allocated blocks of the files under ``folder`` (MB)."""
    files = [p.stat() for p in folder.rglob("*") if p.is_file()]
    return {"apparent": round(sum(s.st_size for s in files) / 1e6, 2),
            "allocated": round(sum(s.st_blocks * 512 for s in files) / 1e6, 2)}


def crash_trial(engine: str, index: Path, work: Path, marker: str, paths: dict[str, Path],
                passages: int, half: int) -> dict[str, Any]:
    """Kill -9 a writer (and its children) on ``marker``; whether the index then opens, searches, and in which state."""
    copy = work / f"crash-{engine}-{marker.lower()}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy)
    cmd = _child_cmd("write", engine, data=paths["data"], index=copy, half=half)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=ROOT, start_new_session=True)
    assert proc.stdout is not None
    seen: list[str] = []
    for line in proc.stdout:
        seen.append(line.strip())
        if line.strip() == marker:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    rest = proc.stdout.read()
    proc.wait()
    finished = any(s.startswith("RESULT") for s in seen) or "RESULT" in rest
    try:
        after = run_child(_child_cmd("count", engine, index=copy, trees=paths["trees"]), timeout=600)
    except subprocess.TimeoutExpired:
        after = {"error": "opening the killed index did not finish in 600 s"}
    shutil.rmtree(copy, ignore_errors=True)
    state = crash_state(after.get("passages"), passages, 2 * passages)
    return {"killed_at": marker, "writer_finished_first": finished, "state": state, **after}


def measure(engine: str, work: Path, paths: dict[str, Path], shared: dict[str, Any], crash: bool) -> dict[str, Any]:
    """Build, size, search and (unless ``crash`` is False) crash-test one engine, each in a child process."""
    reason = unavailable(engine)
    if reason:
        return {"available": False, "reason": reason}
    index = work / f"cand-{engine}"
    shutil.rmtree(index, ignore_errors=True)
    figures: dict[str, Any] = {"available": True, "index_dir": str(index)}
    started = time.perf_counter()
    figures["build"] = run_child(_child_cmd("build", engine, data=paths["data"], index=index))
    figures["build"]["wall_seconds"] = round(time.perf_counter() - started, 2)
    if "error" in figures["build"]:
        return {**figures, "available": False, "reason": "build failed"}
    sizes = disk_mb(index)
    figures["index_mb"], figures["index_mb_allocated"] = sizes["apparent"], sizes["allocated"]
    figures["search"] = run_child(_child_cmd("search", engine, index=index, trees=paths["trees"]))
    if crash:
        trials = [crash_trial(engine, index, work, m, paths, shared["passages"], shared["reports"] // 2)
                  for m in CRASH_TRIALS]
        safe = all(t["state"] in ("old", "new") and "error" not in t for t in trials)
        figures["crash"] = {"safe": safe, "trials": trials}
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="compare full-text engines on the same analysed terms")
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temp folder)")
    parser.add_argument("--corpus", type=Path, default=None, help="a generated corpus folder to reuse")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--jobs", type=int, default=2, help="processes for the shared analysis")
    parser.add_argument("--no-crash", action="store_true", help="skip the kill -9 tests")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default=None, help=argparse.SUPPRESS)
    for name in ("data", "index", "trees"):
        parser.add_argument(f"--{name}", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--half", type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace, out: Path) -> tuple[dict[str, Path], dict[str, Any]]:
    """The corpus, its shared analysis and the analysed queries."""
    import run

    folder = args.corpus or run.corpus(out, args.reports, args.seed)
    data = out / f"analysed-{folder.name}.pkl"
    shared = analyse_corpus(folder, data, args.jobs)
    queries = run.load_queries()
    started = time.perf_counter()
    trees = query_trees(queries)
    shared["query_analysis_seconds"] = round(time.perf_counter() - started, 2)
    shared.update(corpus=str(folder), queries=len(queries), queries_with_terms=sum(t is not None for t in trees))
    trees_file = out / "queries.pkl"
    trees_file.write_bytes(pickle.dumps(trees))
    return {"data": data, "trees": trees_file}, shared


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the comparison; print and return the result."""
    args = parse_args(argv)
    if args.child:
        child_main(args)
        return {}
    out = (args.out or Path(tempfile.mkdtemp(prefix="dxkb-candidates-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"cpus": os.cpu_count(), "loadavg_start": list(os.getloadavg()), "out": str(out)}
    paths, shared = prepare(args, out)
    result["shared_analysis"] = shared
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    result["engines"] = {e: measure(e, out, paths, shared, not args.no_crash) for e in engines}
    searched = {e: f["search"] for e, f in result["engines"].items() if "totals" in f.get("search", {})}
    result["agreement_with_sqlite"] = {
        "totals": agreement({e: s["totals"] for e, s in searched.items()}),
        "facets": agreement({e: s["facets"] for e, s in searched.items()})}
    for search in searched.values():
        search.pop("totals")
        search.pop("facets")
    result["not_run"] = {e: f["reason"] for e, f in result["engines"].items() if not f.get("available")}
    result["table"] = table_rows(result["engines"])
    result["loadavg_end"] = list(os.getloadavg())
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    (out / "candidates.json").write_text(text, encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
