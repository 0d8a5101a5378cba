"""SQLite FTS5 (through apsw) behind the engine seam of :mod:`index.engine`.

One database file, ``dxkb.sqlite`` in the index folder, in WAL mode: readers
go on beside the one writer, and a build is ONE transaction, so a killed
build leaves the last committed index as it was (SQLite's journal rolls the
unfinished transaction back).

Tables
------
``reports``: one row per file (its parse as JSON, the SHA-256 of its
bytes, its copy-detection ``signature`` and, for a copy, ``copy_of``; see
:mod:`kb.copies`); ``report_keys`` its blocking keys (as 64-bit hashes, by report rowid:
a VACUUM could renumber those, and copies would then be missed, never wrongly found, until a rebuild).  ``passages``: one row per passage with its stored fields; facets
are counted over it.  ``fts``: a contentless FTS5 table whose rowid is the
passage's, with two columns, ``text`` and ``heading``.  Beside them the
writer keeps, in the same transaction, what the counted views read instead
of every passage (:data:`COUNTED_SCHEMA`): ``passage_practices`` (each
passage's practice ids), ``tag_counts`` (passages per tag, municipality,
prefecture, code and year: the matrix, the start page; ``tag_places``
the same summed over the years, far fewer rows), ``tag_reach``
(per tag: passages, reports, cities: the catalogue) and ``items`` (the
parse's figures, Q&A pairs and observations, by passage row: compare, Q&A
and practice pages).

Analysis
--------
The analyser of :mod:`index.analysis` runs once per passage text and once
per distinct heading of a report, in the build's worker processes
(:meth:`SqliteEngine.prepare`).  What FTS5 receives is the analysed terms:
positions separated by ``\\x1e``, the terms sharing a position (a long unit,
its short units, its practice term) by ``\\x1f``.  The ``dxkb`` tokenizer only
splits that string, giving the terms after the first of a position as
FTS5_TOKEN_COLOCATED, so phrases count long units exactly as Whoosh does.

Scoring
-------
Queries (:mod:`index.engine` trees) become an FTS5 MATCH expression, one
phrase per leaf; the ``dxkb_score`` auxiliary function scores a row by BM25F
per leaf (term frequency and column length from FTS5, document frequency
from an ``fts5vocab`` table) and combines the leaves as the tree says
(sum, boosted sum, best-of with tiebreak), as Whoosh scores the same tree.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

import apsw

from index import engine as e
from index.analysis import PRACTICE_PREFIX, analysis_signature, index_positions, index_positions_spans
from index.schema import FACET_FIELDS
from index.tags import ALL, TAGGED, count_tags, passage_tags, report_items
from kb.errors import IndexBusyError
from kb.taxonomy import default_taxonomy

T = TypeVar("T")

DB_NAME = "dxkb.sqlite"
SCHEMA_VERSION = "5"
TOKENIZER = "dxkb"
POSITION_SEP = "\x1e"
COLOCATED_SEP = "\x1f"
COLUMNS: tuple[str, ...] = ("text", "heading", "tags")
"""FTS5 columns: the analysed text and heading, and one tag per filter value (``code=271004``)."""
RANK = "bm25(1.0, 0.4, 0.0)"
"""FTS5's own BM25 with the field weights: it picks the candidates that BM25F then orders."""
RESCORE_BLOCK = 50
"""Candidates are taken by FTS5's ranking in blocks of this many, then ordered by BM25F."""
CHUNK_ROWS = 250_000
"""Matches are collected per range of this many rowids, so a deadline keeps whole ranges."""
BM25_K1 = 0.6
BM25_B = 0.75
PROGRESS_STEPS = 2000
"""SQLite VM steps between two looks at a search's deadline."""
PASSAGE_FIELDS: tuple[str, ...] = (
    "id", "file", "passage", "text", "heading", "title", "body", "council", "municipality",
    "prefecture", "code", "date", "year", "section", "practice", "ord", "source",
)
REPORT_FIELDS: tuple[str, ...] = ("file", "title", "body", "council", "sha256", "source", "report_json",
                                   "signature", "rank", "copy_of")
SUMMARY_FIELDS: tuple[str, ...] = tuple(f for f in REPORT_FIELDS if f not in ("report_json", "signature"))
"""What :meth:`SqliteReader.report_summaries` gives of each report."""
_FILTERABLE = frozenset({"file", "municipality", "prefecture", "code", "year", "section", "practice"})
_FACET_SQL = ", ".join(FACET_FIELDS)

COUNTED_SCHEMA = """
CREATE TABLE passage_practices(practice TEXT NOT NULL, prow INTEGER NOT NULL,
    PRIMARY KEY (practice, prow)) WITHOUT ROWID;
CREATE INDEX passage_practices_prow ON passage_practices(prow);
CREATE TABLE tag_counts(tag TEXT NOT NULL, municipality TEXT NOT NULL, prefecture TEXT NOT NULL,
    code TEXT NOT NULL, year TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (tag, municipality, prefecture, code, year)) WITHOUT ROWID;
CREATE TABLE tag_places(tag TEXT NOT NULL, municipality TEXT NOT NULL, prefecture TEXT NOT NULL,
    code TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (tag, municipality, prefecture, code)) WITHOUT ROWID;
CREATE TABLE tag_reach(tag TEXT PRIMARY KEY, passages INTEGER NOT NULL, reports INTEGER NOT NULL,
    cities INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE items(prow INTEGER NOT NULL, visit INTEGER NOT NULL, municipality TEXT NOT NULL,
    code TEXT NOT NULL, kind TEXT NOT NULL, ord INTEGER NOT NULL, item TEXT NOT NULL);
CREATE INDEX items_prow ON items(prow);
"""
"""What the writer keeps up to date beside the passages, in the same transaction, so that the
counted views read counts: each passage's practice ids (an index for the practice filter), passages
per tag (:func:`index.tags.passage_tags`) and place and year, per tag its passages, reports and cities,
and the parsed items (figures, Q&A, observations) tied to their passage's row."""
TAG_FIELDS: tuple[str, ...] = ("municipality", "prefecture", "code", "year")
"""Passage fields ``tag_counts`` is kept by."""
PLACE_FIELDS: tuple[str, ...] = ("municipality", "prefecture", "code")
"""Passage fields ``tag_places`` is kept by (``tag_counts`` without the year)."""


def counts_table(fields: Sequence[str], filters: Mapping[str, object]) -> str:
    """The kept counts table that holds ``fields`` and ``filters``: the one without years when it can."""
    return "tag_places" if set(fields) | set(filters) <= set(PLACE_FIELDS) else "tag_counts"

_REPORT_COLUMNS = ", ".join(f + (" TEXT PRIMARY KEY" if f == "file" else " TEXT") for f in REPORT_FIELDS)
_PASSAGE_COLUMNS = ", ".join(f + (" INTEGER" if f == "ord" else " TEXT NOT NULL DEFAULT ''") for f in PASSAGE_FIELDS)
_TAGGED = ("file", "municipality", "code", "prefecture", "year", "section")
_FTS_COLUMNS = ", ".join(COLUMNS)
_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE reports({_REPORT_COLUMNS});
CREATE INDEX reports_copy_of ON reports(copy_of);
CREATE TABLE report_keys(key INTEGER NOT NULL, report INTEGER NOT NULL, PRIMARY KEY (key, report)) WITHOUT ROWID;
CREATE INDEX report_keys_report ON report_keys(report);
CREATE TABLE passages(rowid INTEGER PRIMARY KEY, {_PASSAGE_COLUMNS}, spans BLOB);
CREATE INDEX passages_file ON passages(file, passage);
CREATE INDEX passages_municipality ON passages(municipality);
CREATE INDEX passages_code ON passages(code);
CREATE VIRTUAL TABLE fts USING fts5({_FTS_COLUMNS}, content='', contentless_delete=1,
    tokenize='{TOKENIZER}', detail=full);
{COUNTED_SCHEMA}
"""


def _stored(name: str, value: str) -> str | bytes:
    """A report field as stored: the signature as bytes (half its hex), the rest as text."""
    if name == "signature" and value:
        try:
            return bytes.fromhex(value.replace(" ", ""))
        except ValueError:
            return value
    return value


def _report_row(names: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    """A stored report row as the engine seam gives it (the signature as :meth:`kb.copies.Signature.encode` wrote it)."""
    doc = {"id": row[0], "kind": "report", **dict(zip(names, row))}
    if isinstance(doc.get("signature"), bytes):
        digits = doc["signature"].hex()
        doc["signature"] = f"{digits[:64]} {digits[64:]}"
    return doc


def key_number(key: str) -> int:
    """A copy-detection blocking key as the signed 64-bit integer ``report_keys`` holds."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def encode_terms(positions: Sequence[Sequence[str]]) -> str:
    """The analysed terms as the string the ``dxkb`` tokenizer splits."""
    clean = (COLOCATED_SEP.join(t.replace(POSITION_SEP, "").replace(COLOCATED_SEP, "") for t in terms)
             for terms in positions)
    return POSITION_SEP.join(clean)


def tag_terms(doc: Mapping[str, Any]) -> str:
    """The ``tags`` column of a passage: one position per filter value it has."""
    tags = [f"{name}={doc.get(name)}" for name in _TAGGED if doc.get(name)]
    tags.extend(f"practice={pid}" for pid in str(doc.get("practice") or "").split(",") if pid)
    return encode_terms([[tag] for tag in tags])


def tag_expression(filters: e.FilterMap) -> str:
    """The FTS5 expression of ``filters`` over the ``tags`` column ("" for none)."""
    parts = []
    for name, values in sorted(filters.items()):
        if name not in _FILTERABLE:
            raise ValueError(f"not a filter field: {name}")
        alternatives = " OR ".join(_quote([f"{name}={value}"]) for value in values)
        parts.append(f"tags : ({alternatives})")
    return " AND ".join(parts)


def encode_spans(spans: Sequence[tuple[int, int]]) -> bytes | None:
    """Each position's character span, as 16-bit start/end pairs; None past 65,535."""
    if spans and spans[-1][1] > 0xFFFF:
        return None
    flat = array("H")
    for start, end in spans:
        flat.extend((start, end))
    return flat.tobytes()


def decode_spans(blob: bytes) -> array:  # type: ignore[type-arg]
    """The pairs :func:`encode_spans` wrote (start, end, start, end...)."""
    flat = array("H")
    flat.frombytes(blob)
    return flat


def mark_span(text: str, start: int, end: int, words: set[str]) -> tuple[int, int]:
    """What to mark at a matched position spanning ``text[start:end]``: the whole word, or where a short unit is.

    A position holds a long unit and its short units; when only a short
    unit matched (費 of 購入費 for 通信費), the short unit's surface is
    marked where it is found in the word, else the whole word.
    """
    word = text[start:end].casefold()
    if any(w.casefold() == word or w.startswith(PRACTICE_PREFIX) for w in words):
        return start, end
    for w in sorted(words, key=len, reverse=True):
        at = word.find(w.casefold())
        if at >= 0:
            return start + at, start + at + len(w)
    return start, end


def _tokenizer_factory(con: apsw.Connection, args: list[str]) -> Callable[..., Iterator[tuple[Any, ...]]]:
    def tokenize(utf8: bytes, flags: int, locale: str | None) -> Iterator[tuple[Any, ...]]:
        for group in utf8.decode("utf-8").split(POSITION_SEP):
            terms = [t for t in group.split(COLOCATED_SEP) if t]
            if terms:
                yield (0, 0, *terms)
    return tokenize


def _connect(path: Path) -> apsw.Connection:
    con = apsw.Connection(str(path))
    con.register_fts5_tokenizer(TOKENIZER, _tokenizer_factory)
    con.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF")
    return con


def _meta(con: apsw.Connection) -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta")}
    except apsw.SQLError:
        return {}


def _signature() -> str:
    return f"{SCHEMA_VERSION}:{analysis_signature()}"


def _where(filters: e.FilterMap, tagged: bool = False, table: str = "p",
           by_practice: bool = False) -> tuple[str, list[str]]:
    """SQL condition and bindings for ``filters`` over the passages table aliased ``table``.

    With ``by_practice``, a practice filter alone is looked up in
    ``passage_practices`` rather than matched against every passage's list
    (other filters, or a search, narrow the passages better).
    """
    clauses: list[str] = []
    params: list[str] = []
    if tagged:
        clauses.append(f"{table}.practice != ''")
    for name, values in sorted(filters.items()):
        if name not in _FILTERABLE:
            raise ValueError(f"not a filter field: {name}")
        if name == "practice" and by_practice and len(filters) == 1:
            clauses.append(f"{table}.rowid IN (SELECT prow FROM passage_practices "
                           f"WHERE practice IN ({', '.join('?' for _ in values)}))")
            params.extend(values)
        elif name == "practice":
            clauses.append("(" + " OR ".join(
                f"(',' || {table}.practice || ',') LIKE ?" for _ in values) + ")")
            params.extend(f"%,{v},%" for v in values)
        else:
            clauses.append(f"{table}.{name} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    return (" AND ".join(clauses) or "1"), params


def _passage_fields(row: Sequence[Any]) -> dict[str, Any]:
    fields = dict(zip(PASSAGE_FIELDS, row))
    fields["order"] = fields.pop("ord")
    fields["kind"] = "passage"
    return fields


@dataclass
class _Leaf:
    column: int
    terms: tuple[str, ...]
    boost: float
    idf: float = 0.0


@dataclass
class _Compiled:
    """A query as an FTS5 expression, its leaves (FTS5 phrases, in order) and its scoring tree.

    Leaves searching the same terms in the same column share a slot: its
    BM25 is computed once per row (``slots``: the FTS5 phrases, column and
    idf of each), and ``scorer`` combines the slots' scores as the tree says.
    """

    expression: str
    leaves: list[_Leaf] = field(default_factory=list)
    tree: Any = None
    average: tuple[float, ...] = ()
    slots: list[tuple[tuple[int, ...], int, float]] = field(default_factory=list)
    slot_terms: list[tuple[str, ...]] = field(default_factory=list)
    scorer: Callable[[list[float | None]], float | None] = lambda values: None


def _quote(terms: Sequence[str]) -> str:
    return '"' + POSITION_SEP.join(terms).replace('"', '""') + '"'


def compile_query(query: e.Query, leaves: list[_Leaf]) -> tuple[str, Any]:
    """The FTS5 expression of ``query`` and its scoring tree; leaves are appended in phrase order."""
    if isinstance(query, (e.Term, e.Phrase)):
        terms = (query.text,) if isinstance(query, e.Term) else query.terms
        leaves.append(_Leaf(COLUMNS.index(query.field), terms, query.boost))
        return f"{query.field} : {_quote(terms)}", len(leaves) - 1
    if isinstance(query, e.Every):
        raise TypeError("Every is not an FTS5 expression")
    parts = [compile_query(child, leaves) for child in query.children]
    joiner = " AND " if isinstance(query, e.And) else " OR "
    expression = "(" + joiner.join(p[0] for p in parts) + ")"
    trees = tuple(p[1] for p in parts)
    if isinstance(query, e.DisMax):
        return expression, ("max", query.tiebreak, trees)
    return expression, ("and" if isinstance(query, e.And) else "or", query.boost, trees)


def make_scorer(tree: Any, slot_of: list[int], boosts: list[float]) -> Callable[[list[float | None]], float | None]:
    """A function computing the score of ``tree`` from the slots' scores (None: no match).

    The tree is turned into straight-line Python once per query (it only
    holds generated names and numbers), as a row's score is computed for
    every matching passage.
    """
    lines: list[str] = []

    def emit(node: Any) -> str:
        name = f"v{len(lines)}"
        if isinstance(node, int):
            boost = boosts[node]
            lines.append(f"{name} = b[{slot_of[node]}]" + ("" if boost == 1.0 else
                         f"\n    if {name} is not None: {name} *= {boost!r}"))
            return name
        kind, weight, children = node
        kids = [emit(child) for child in children]
        name = f"v{len(lines)}"
        if kind == "and":
            missing = " or ".join(f"{k} is None" for k in kids)
            lines.append(f"{name} = None if ({missing}) else {float(weight)!r} * ({' + '.join(kids)})")
        else:
            found = f"[x for x in ({', '.join(kids)},) if x is not None]"
            combine = ("max(s) + {w!r} * (sum(s) - max(s))" if kind == "max" else "{w!r} * sum(s)").format(
                w=float(weight))
            lines.append(f"s = {found}\n    {name} = ({combine}) if s else None")
        return name

    result = emit(tree)
    return _compiled_scorer("def score(b):\n    " + "\n    ".join(lines) + f"\n    return {result}\n")


@functools.lru_cache(maxsize=512)
def _compiled_scorer(source: str) -> Callable[[list[float | None]], float | None]:
    """The function ``source`` defines (queries of one shape share it)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<dxkb-score>", "exec"), namespace)  # noqa: S102 - generated from the tree, no user text
    scorer: Callable[[list[float | None]], float | None] = namespace["score"]
    return scorer


def evaluate_tree(tree: Any, values: list[float | None]) -> float | None:
    """The score of a scoring tree given each leaf's score (None: the leaf did not match).

    The plain reading of what :func:`make_scorer` compiles (the tests hold them equal).
    """
    if isinstance(tree, int):
        leaf: float | None = values[tree]
        return leaf
    kind, weight, children = tree
    scores = [evaluate_tree(child, values) for child in children]
    found = [s for s in scores if s is not None]
    if not found or (kind == "and" and len(found) < len(scores)):
        return None
    if kind == "max":
        best = max(found)
        return float(best + weight * (sum(found) - best))
    return float(weight * sum(found))




FACET_GROUPS: tuple[tuple[str, ...], ...] = (("municipality", "prefecture"), ("year", "section"))
"""Single-valued facet fields counted together: each group's combinations stay few."""

SET_FACET = "practice"
"""The facet field holding a set of values per passage (``"byod,intune"``)."""


def per_rowid(values: Sequence[T], rowids: list[int], missing: T) -> Iterable[T]:
    """``values[rowid]`` for each of ``rowids`` (ascending), ``missing`` past the end.

    A row committed after the column was read has no value there yet.
    """
    if rowids and rowids[-1] >= len(values):
        size = len(values)
        return (values[rowid] if rowid < size else missing for rowid in rowids)
    return map(values.__getitem__, rowids)


@dataclass
class FacetCodes:
    """One group of single-valued facet fields over every passage: a small code per rowid, 0 for none.

    ``labels[code]`` lists the ``(field, value)`` pairs the code stands for.
    """

    fields: tuple[str, ...]
    labels: list[tuple[tuple[str, str], ...]] = field(default_factory=lambda: [()])
    codes: array = field(default_factory=lambda: array("I"))  # type: ignore[type-arg]
    known: dict[tuple[str, ...], int] = field(default_factory=dict)

    def add(self, rowid: int, values: tuple[str, ...]) -> None:
        """Give ``rowid`` the code of ``values`` (one per field)."""
        code = self.known.get(values)
        if code is None:
            code = self.known[values] = len(self.labels)
            self.labels.append(tuple((name, value) for name, value in zip(self.fields, values) if value))
        if rowid >= len(self.codes):
            self.codes.extend([0] * (rowid + 1 - len(self.codes)))
        self.codes[rowid] = code

    def count(self, rowids: list[int], facets: dict[str, dict[str, int]]) -> None:
        """Add the counts of ``rowids`` (ascending) to ``facets``: combinations first, then their labels."""
        for code, n in Counter(per_rowid(self.codes, rowids, 0)).items():
            for name, value in self.labels[code]:
                counted = facets[name]
                counted[value] = counted.get(value, 0) + n


@dataclass
class FacetSets:
    """The set-valued facet field over every passage: a shared tuple of values per rowid.

    Passages hold tens of thousands of distinct sets, so the values are
    counted one by one, in C (a chain of the tuples into a Counter).
    """

    name: str
    sets: list[tuple[str, ...]] = field(default_factory=list)
    known: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, rowid: int, value: str) -> None:
        """Give ``rowid`` the values of ``value`` (``"a,b"``)."""
        values = self.known.get(value)
        if values is None:
            # Interned: tens of thousands of sets share a hundred or so ids.
            values = self.known[value] = tuple(sys.intern(v) for v in value.split(",") if v)
        if rowid >= len(self.sets):
            self.sets.extend([()] * (rowid + 1 - len(self.sets)))
        self.sets[rowid] = values

    def count(self, rowids: list[int], facets: dict[str, dict[str, int]]) -> None:
        """Add the counts of ``rowids`` (ascending) to ``facets``."""
        facets[self.name].update(Counter(chain.from_iterable(per_rowid(self.sets, rowids, ()))))


@dataclass
class FacetColumn:
    """Every passage's facet values, per rowid: codes for groups of single-valued fields, sets for practices.

    One code for all the fields would make a combination for nearly every
    passage of a large index, and counting them would cost a Python loop per
    combination; a group's combinations stay few.
    """

    groups: list[FacetCodes]
    sets: FacetSets

    @classmethod
    def read(cls, con: apsw.Connection) -> FacetColumn:
        """Read the column from the passages table."""
        column = cls([FacetCodes(fields) for fields in FACET_GROUPS], FacetSets(SET_FACET))
        places = [[FACET_FIELDS.index(name) for name in fields] for fields in FACET_GROUPS]
        at_set = FACET_FIELDS.index(SET_FACET)
        for row in con.execute(f"SELECT rowid, {_FACET_SQL} FROM passages ORDER BY rowid"):
            rowid = int(row[0])
            values = ["" if v is None else str(v) for v in row[1:]]
            for group, at in zip(column.groups, places):
                group.add(rowid, tuple(values[i] for i in at))
            column.sets.add(rowid, values[at_set])
        return column

    def count(self, rowids: list[int]) -> dict[str, dict[str, int]]:
        """Facet counts of ``rowids`` (ascending), per field and value."""
        facets: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
        for group in self.groups:
            group.count(rowids, facets)
        self.sets.count(rowids, facets)
        return facets


_columns_lock = threading.Lock()
_facet_columns: dict[tuple[str, str], FacetColumn] = {}


class SqliteReader:
    """One connection reading the index; see :class:`index.engine.Reader`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = _connect(path)
        self.con.register_fts5_function("dxkb_score", self._score)
        self.con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, 'fts', 'col')")
        self.generation = self._generation()
        self._compiled: _Compiled | None = None
        self._matched_cache: dict[tuple[int, str], frozenset[str]] = {}
        self._positions_cache: dict[int, dict[int, set[str]]] = {}
        self._found: dict[int, list[tuple[int, Sequence[int]]]] = {}
        self._df: dict[tuple[int, str], int] = {}
        self._passages: int | None = None
        self._spans: dict[int, bytes | None] = {}
        self._values: dict[str, set[str]] = {}

    def _generation(self) -> str:
        row = self.con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return str(row[0]) if row else ""

    # -- scoring -------------------------------------------------------------

    def _score(self, api: apsw.FTS5ExtensionApi, *args: Any) -> float:
        """BM25F of the row; which slots matched where is kept for its snippet (:meth:`_remember`)."""
        compiled = self._compiled
        assert compiled is not None
        if not compiled.average:
            rows = max(1, api.row_count)
            compiled.average = tuple(max(1.0, api.column_total_size(c) / rows) for c in range(len(COLUMNS)))
        sizes: list[int] = []
        values: list[float | None] = []
        found: list[tuple[int, Sequence[int]]] = []
        average = compiled.average
        for slot, (phrases, column, idf) in enumerate(compiled.slots):
            offsets: Sequence[int] = ()
            for phrase in phrases:
                # FTS5 reports a phrase only where its part of the expression matched.
                offsets = api.phrase_column_offsets(phrase, column)
                if offsets:
                    break
            tf = len(offsets)
            if not tf:
                values.append(None)
                continue
            found.append((slot, offsets))
            if not sizes:
                sizes = [api.column_size(c) for c in range(len(COLUMNS))]
            norm = 1 - BM25_B + BM25_B * sizes[column] / average[column]
            values.append(idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm))
        self._found[api.rowid] = found
        return compiled.scorer(values) or 0.0

    def _idf(self, column: int, term: str, count: int) -> float:
        key = (column, term)
        df = self._df.get(key)
        if df is None:
            row = self.con.execute("SELECT doc FROM temp.vocab WHERE term = ? AND col = ?",
                                   (term, COLUMNS[column])).fetchone()
            df = self._df[key] = int(row[0]) if row else 0
        return math.log(count / (df + 1)) + 1

    def _count(self) -> int:
        """Number of passages (read once: a reader is replaced when a commit lands)."""
        if self._passages is None:
            row = self.con.execute("SELECT count(*) FROM passages").fetchone()
            self._passages = int(row[0]) if row else 0
        return self._passages

    def _compile(self, query: e.Query) -> _Compiled:
        leaves: list[_Leaf] = []
        expression, tree = compile_query(query, leaves)
        count = max(1, self._count())
        idf: dict[tuple[int, str], float] = {}
        slots: dict[tuple[int, tuple[str, ...]], int] = {}
        compiled = _Compiled(expression, leaves, tree)
        slot_of: list[int] = []
        for phrase, leaf in enumerate(leaves):
            key = (leaf.column, leaf.terms)
            leaf.idf = sum(idf.setdefault((leaf.column, t), self._idf(leaf.column, t, count)) for t in leaf.terms)
            if key not in slots:
                slots[key] = len(compiled.slots)
                compiled.slots.append(((), leaf.column, leaf.idf))
                compiled.slot_terms.append(leaf.terms)
            slot = slots[key]
            compiled.slots[slot] = (compiled.slots[slot][0] + (phrase,), leaf.column, leaf.idf)
            slot_of.append(slot)
        compiled.scorer = make_scorer(tree, slot_of, [leaf.boost for leaf in leaves])
        return compiled

    # -- Reader --------------------------------------------------------------

    def search(self, query: e.Query, filters: e.FilterMap, *, page: int, limit: int,
               deadline: float | None = None) -> e.Page:
        """See :meth:`index.engine.Reader.search`.

        Three steps, each in SQLite's own code but the last: every match's
        rowid (one ``group_concat`` per range of rowids) gives the total and
        the facets; FTS5's BM25 with the field weights orders the matches;
        BM25F of the query tree orders each block of :data:`RESCORE_BLOCK`
        of that order (Python, for as many blocks as the page needs, whatever
        the number of matches).
        """
        self._compiled = None
        self._matched_cache = {}
        self._positions_cache = {}
        self._found = {}
        self._spans = {}
        if isinstance(query, e.Every):
            return self._every(filters, page, limit)
        self._compiled = self._compile(query)
        expression = self._compiled.expression
        tags = tag_expression(filters)
        if tags:
            expression = f"({expression}) AND {tags}"
        rowids, last = self._matching(expression, deadline)
        partial = last is not None
        want = page * limit
        block = RESCORE_BLOCK * math.ceil(want / RESCORE_BLOCK)
        ranked, stopped = self._ranked(expression, block, last, deadline)
        if stopped:
            partial = True
            ranked = [(0.0, rowid) for rowid in rowids[:want]]
        shown = ranked[(page - 1) * limit: want]
        fields = self._fields([rowid for _, rowid in shown])
        hits = [e.Hit(fields[rowid], -score if score else 0.0, rowid) for score, rowid in shown if rowid in fields]
        return e.Page(hits, len(rowids), self._facets(rowids), partial)

    def exhaustive(self, query: e.Query, limit: int) -> list[int]:
        """Rowids of the ``limit`` best matches by BM25F over every match: the reference the blocks approximate."""
        self._compiled = self._compile(query)
        rows = self.con.execute("SELECT rowid, dxkb_score(fts) FROM fts WHERE fts MATCH ?", (self._compiled.expression,))
        return [rowid for _, rowid in sorted((-float(score), int(rowid)) for rowid, score in rows)[:limit]]

    def _every(self, filters: e.FilterMap, page: int, limit: int) -> e.Page:
        """Every passage the filters allow, in index order."""
        if filters:
            # The filters' tags are in the full-text index: no scan of every passage's fields.
            rowids, _ = self._matching(tag_expression(filters), None)
        else:
            rowids = [int(r[0]) for r in self.con.execute("SELECT rowid FROM passages ORDER BY rowid")]
        shown = rowids[(page - 1) * limit: page * limit]
        fields = self._fields(shown)
        hits = [e.Hit(fields[rowid], 0.0, rowid) for rowid in shown if rowid in fields]
        return e.Page(hits, len(rowids), self._facets(rowids), False)

    def _matching(self, expression: str, deadline: float | None) -> tuple[list[int], int | None]:
        """Rowids matching ``expression``, in order; and the last rowid looked at when the deadline stopped it."""
        top_row = self.con.execute("SELECT max(rowid) FROM passages").fetchone()
        top = int(top_row[0] or 0) if top_row else 0
        rowids: list[int] = []
        sql = "SELECT group_concat(rowid) FROM fts WHERE fts MATCH ? AND rowid > ? AND rowid <= ?"
        for low in range(0, top, CHUNK_ROWS):
            found = self._run(sql, [expression, low, low + CHUNK_ROWS], deadline)
            if found is None:
                return rowids, low
            if found and found[0][0]:
                rowids.extend(map(int, str(found[0][0]).split(",")))
        return rowids, None

    def _ranked(self, expression: str, block: int, last: int | None,
                deadline: float | None) -> tuple[list[tuple[float, int]], bool]:
        """The best ``block`` matches by FTS5's rank, as ``(-BM25F, rowid)`` best first; True if stopped."""
        bound = "" if last is None else f" AND rowid <= {int(last)}"
        sql = (f"SELECT rowid, dxkb_score(fts) FROM fts WHERE fts MATCH ?{bound} "
               f"AND rank MATCH ? ORDER BY rank LIMIT ?")
        rows = self._run(sql, [expression, RANK, block], deadline)
        if rows is None:
            return [], True
        ranked = [(-float(score), int(rowid)) for rowid, score in rows]
        # Each block of FTS5's order is ordered by BM25F: one order, whatever page is asked for.
        blocks = (sorted(ranked[i:i + RESCORE_BLOCK]) for i in range(0, len(ranked), RESCORE_BLOCK))
        return [row for chunk in blocks for row in chunk], False

    def _run(self, sql: str, params: list[Any], deadline: float | None) -> list[Any] | None:
        """All rows of ``sql``; None when the deadline stopped it."""
        if deadline is not None:
            self.con.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
        try:
            return list(self.con.execute(sql, params))
        except apsw.InterruptError:
            return None
        finally:
            self.con.set_progress_handler(None)

    def _fields(self, rowids: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start:start + 500]
            sql = (f"SELECT rowid, spans, {', '.join(PASSAGE_FIELDS)} FROM passages "
                   f"WHERE rowid IN ({', '.join('?' * len(chunk))})")
            for row in self.con.execute(sql, chunk):
                out[int(row[0])] = _passage_fields(row[2:])
                self._spans[int(row[0])] = None if row[1] is None else bytes(row[1])
        return out

    def _facet_column(self) -> FacetColumn:
        """Each passage's facet values, read once per index state and shared by the threads."""
        key = (str(self.path), self.generation)
        column = _facet_columns.get(key)
        if column is None:
            column = FacetColumn.read(self.con)
            with _columns_lock:
                for old in [k for k in _facet_columns if k[0] == key[0]]:
                    del _facet_columns[old]
                _facet_columns[key] = column
        return column

    def _facets(self, rowids: list[int]) -> dict[str, dict[str, int]]:
        """Facet counts of ``rowids`` (see :meth:`FacetColumn.count`)."""
        return self._facet_column().count(rowids)

    def _remember(self, rowid: int) -> None:
        """The matched terms per column and the text positions they cover, from what scoring the row kept."""
        compiled = self._compiled
        terms: dict[str, set[str]] = {name: set() for name in COLUMNS}
        covered: dict[int, set[str]] = {}
        if compiled is not None:
            if rowid not in self._found:
                # A hit outside the ranked blocks: score it alone.
                self.con.execute("SELECT dxkb_score(fts) FROM fts WHERE fts MATCH ? AND rowid = ?",
                                 (compiled.expression, rowid)).fetchall()
            for slot, offsets in self._found.get(rowid, []):
                column, words = compiled.slots[slot][1], compiled.slot_terms[slot]
                terms[COLUMNS[column]].update(words)
                if column == 0:
                    for p in offsets:
                        for k, word in enumerate(words):
                            covered.setdefault(p + k, set()).add(word)
        for name in COLUMNS:
            self._matched_cache[(rowid, name)] = frozenset(terms[name])
        self._positions_cache[rowid] = covered

    def matched_terms(self, hit: e.Hit, field: str) -> frozenset[str]:
        """See :meth:`index.engine.Reader.matched_terms`."""
        key = (int(hit.handle), field)
        if key not in self._matched_cache:
            self._remember(key[0])
        return self._matched_cache.get(key, frozenset())

    def matched_spans(self, hit: e.Hit, field: str) -> list[tuple[int, int]] | None:
        """See :meth:`index.engine.Reader.matched_spans`: from the spans stored at build time."""
        if field != "text":
            return None
        rowid = int(hit.handle)
        if rowid not in self._positions_cache:
            self._remember(rowid)
        if rowid not in self._spans:
            self._fields([rowid])
        blob = self._spans.get(rowid)
        if blob is None:
            return None
        flat = decode_spans(blob)
        text = str(hit.fields.get("text") or "")
        covered = self._positions_cache.get(rowid, {})
        return [mark_span(text, flat[2 * p], flat[2 * p + 1], covered[p]) for p in sorted(covered)
                if p < len(flat) // 2]

    def passages(self, filters: e.FilterMap, *, tagged: bool = False,
                 fields: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.passages`."""
        where, params = _where(filters, tagged, by_practice=True)
        if fields is not None:
            return self._narrow_passages(fields, where, params)
        sql = f"SELECT {', '.join('p.' + f for f in PASSAGE_FIELDS)} FROM passages p WHERE {where} ORDER BY p.rowid"
        return [_passage_fields(row) for row in self.con.execute(sql, params)]

    def _narrow_passages(self, fields: Sequence[str], where: str, params: list[str]) -> list[dict[str, Any]]:
        columns = ["ord" if f == "order" else f for f in fields]
        if not set(columns) <= set(PASSAGE_FIELDS):
            raise ValueError(f"not a passage field: {fields}")
        sql = f"SELECT {', '.join('p.' + c for c in columns)} FROM passages p WHERE {where} ORDER BY p.rowid"
        return [dict(zip(fields, row)) for row in self.con.execute(sql, params)]

    def group_counts(self, fields: Sequence[str], filters: e.FilterMap, *,
                     tagged: bool = False) -> dict[tuple[str, ...], int]:
        """See :meth:`index.engine.Reader.group_counts`."""
        names = [f for f in fields if f in _FILTERABLE]
        if len(names) != len(fields):
            raise ValueError(f"not a passage field: {fields}")
        if names and set(names) | set(filters) <= set(TAG_FIELDS):
            return self._counted(names, filters, TAGGED if tagged else ALL)
        where, params = _where(filters, tagged)
        columns = ", ".join(f"p.{f}" for f in names)
        sql = f"SELECT {columns}, count(*) FROM passages p WHERE {where} GROUP BY {columns}"
        return {tuple(str(v) for v in row[:-1]): int(row[-1]) for row in self.con.execute(sql, params)}

    def _counted(self, fields: Sequence[str], filters: e.FilterMap, tag: str) -> dict[tuple[str, ...], int]:
        """Passages of one tag per combination of ``fields`` (of TAG_FIELDS), summed from ``tag_counts``."""
        where, params = _where(filters, table="t")
        columns = ", ".join(f"t.{f}" for f in fields)
        table = counts_table(fields, filters)
        sql = f"SELECT {columns}, sum(t.n) FROM {table} t WHERE t.tag = ? AND {where} GROUP BY {columns}"
        return {tuple(str(v) for v in row[:-1]): int(row[-1]) for row in self.con.execute(sql, [tag, *params])}

    def tag_counts(self, kind: str, fields: Sequence[str], filters: e.FilterMap) -> dict[tuple[str, ...], int]:
        """See :meth:`index.engine.Reader.tag_counts`: summed from ``tag_counts`` when it holds the fields."""
        if not set(fields) | set(filters) <= set(TAG_FIELDS):
            return count_tags(self.group_counts((*fields, "practice"), filters, tagged=True), kind, default_taxonomy())
        where, params = _where(filters, table="t")
        columns = "".join(f", t.{f}" for f in fields)
        # Grouped in the table's key order (tag first): no sort.
        sql = (f"SELECT t.tag{columns}, sum(t.n) FROM {counts_table(fields, filters)} t "
               f"WHERE t.tag > ? AND t.tag < ? AND {where} "
               f"GROUP BY t.tag{columns}")
        cut = len(kind) + 1
        return {(*row[1:-1], row[0][cut:]): row[-1] for row in self.con.execute(sql, [f"{kind}:", f"{kind};", *params])}

    def tag_reach(self, kind: str) -> dict[str, dict[str, int]]:
        """See :meth:`index.engine.Reader.tag_reach`: kept by the writer in ``tag_reach``."""
        rows = self.con.execute("SELECT tag, passages, reports, cities FROM tag_reach WHERE tag > ? AND tag < ?",
                                (f"{kind}:", f"{kind};"))
        return {str(t)[len(kind) + 1:]: {"passages": int(n), "reports": int(r), "cities": int(c)}
                for t, n, r, c in rows}

    def items(self, filters: e.FilterMap, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.items`: the ``items`` rows of the allowed passages."""
        where, params = _where(filters, by_practice=True)
        sql = ("SELECT p.file, p.passage, i.visit, i.municipality, i.code, i.kind, i.ord, i.item "
               "FROM items i JOIN passages p ON p.rowid = i.prow "
               f"WHERE i.kind IN ({', '.join('?' for _ in kinds)}) AND {where} ORDER BY i.rowid")
        rows = list(self.con.execute(sql, [*kinds, *params]))
        # One parse for all the items: far cheaper than one json.loads per item.
        parsed = json.loads("[" + ",".join(str(row[-1]) for row in rows) + "]")
        return [{"file": file, "visit": visit, "municipality": municipality, "code": code, "kind": kind,
                 "order": order, "passage": passage, "item": item}
                for (file, passage, visit, municipality, code, kind, order, _), item in zip(rows, parsed)]

    def report_summaries(self, offset: int = 0, limit: int | None = None, *,
                         originals: bool = False) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.report_summaries`."""
        where = "WHERE copy_of = ''" if originals else ""
        rows = self.con.execute(f"SELECT {', '.join(SUMMARY_FIELDS)} FROM reports {where} "
                                "ORDER BY file LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset))
        return [{"id": row[0], "kind": "report", **dict(zip(SUMMARY_FIELDS, row))} for row in rows]

    def report_count(self, *, originals: bool = False) -> int:
        """See :meth:`index.engine.Reader.report_count`."""
        row = self.con.execute("SELECT count(*) FROM reports" + (" WHERE copy_of = ''" if originals else "")
                               ).fetchone()
        return int(row[0]) if row else 0

    def iter_reports(self) -> Iterator[dict[str, Any]]:
        """See :meth:`index.engine.Reader.iter_reports`: one statement, so one consistent snapshot."""
        for row in self.con.execute(f"SELECT {', '.join(REPORT_FIELDS)} FROM reports ORDER BY file"):
            yield _report_row(REPORT_FIELDS, row)

    def state(self) -> str:
        """See :meth:`index.engine.Reader.state`: the commit generation, which a rebuild keeps counting."""
        return self._generation()

    def similar_reports(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.similar_reports`: looked up in ``report_keys``."""
        names = [f for f in REPORT_FIELDS if f != "report_json"]
        marks = ", ".join("?" for _ in keys)
        rows = self.con.execute(f"SELECT {', '.join(names)} FROM reports WHERE rowid IN "
                                f"(SELECT report FROM report_keys WHERE key IN ({marks})) ORDER BY file",
                                [key_number(k) for k in keys])
        return [_report_row(names, row) for row in rows]

    def copies(self, file: str, limit: int | None = None) -> list[str]:
        """See :meth:`index.engine.Reader.copies`."""
        rows = self.con.execute("SELECT file FROM reports WHERE copy_of = ? ORDER BY file LIMIT ?",
                                (file, -1 if limit is None else limit))
        return [str(row[0]) for row in rows]

    def values(self, field: str) -> set[str]:
        """See :meth:`index.engine.Reader.values`."""
        if field not in _FILTERABLE:
            raise ValueError(f"not a passage field: {field}")
        if field not in self._values:
            # The kept counts hold every passage's place and year: far fewer rows than the passages.
            sql = (f"SELECT DISTINCT {field} FROM {counts_table([field], {})} WHERE tag = '{ALL}'"
                   if field in TAG_FIELDS
                   else f"SELECT DISTINCT {field} FROM passages")
            self._values[field] = {str(r[0]) for r in self.con.execute(sql) if r[0]}
        return set(self._values[field])

    def report(self, file: str) -> dict[str, Any] | None:
        """See :meth:`index.engine.Reader.report`."""
        row = self.con.execute(f"SELECT {', '.join(REPORT_FIELDS)} FROM reports WHERE file = ?", (file,)).fetchone()
        if row is None:
            return None
        return _report_row(REPORT_FIELDS, row)

    def reports(self) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.reports`."""
        rows = self.con.execute(f"SELECT {', '.join(REPORT_FIELDS)} FROM reports ORDER BY rowid")
        return [_report_row(REPORT_FIELDS, row) for row in rows]

    def up_to_date(self) -> bool:
        """See :meth:`index.engine.Reader.up_to_date`."""
        return self._generation() == self.generation

    def close(self) -> None:
        """See :meth:`index.engine.Reader.close`."""
        self.con.close()


class SqliteWriter:
    """One write transaction over the index; see :class:`index.engine.Writer`."""

    def __init__(self, path: Path, rebuild: bool, timeout: float) -> None:
        self.con = _connect(path)
        self.con.set_busy_timeout(int(timeout * 1000))
        try:
            self.con.execute("BEGIN IMMEDIATE")
        except apsw.BusyError as exc:
            self.con.close()
            raise IndexBusyError("別の処理が索引を更新中です。終わってから再実行してください",
                                 subject=str(path.parent)) from exc
        meta = _meta(self.con)
        if rebuild or meta.get("signature") != _signature():
            self._create(meta.get("generation", "0"))
        self._generation = int(_meta(self.con).get("generation", "0"))
        self._touched: set[str] = set()

    def _create(self, generation: str = "0") -> None:
        """Empty tables; the generation goes on from ``generation`` so that open readers see the change."""
        for kind, name in list(self.con.execute(
                "SELECT type, name FROM sqlite_schema WHERE type IN ('table') AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'fts_%'")):
            self.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.con.execute(_SCHEMA)
        self.con.execute("INSERT INTO meta VALUES ('signature', ?), ('generation', ?)", (_signature(), generation))

    def replace(self, report: dict[str, Any], passages: Sequence[dict[str, Any]], prepared: Any) -> None:
        """See :meth:`index.engine.Writer.replace`."""
        self.delete(report["file"])
        self.con.execute(f"INSERT INTO reports({', '.join(REPORT_FIELDS)}) VALUES ({', '.join('?' * len(REPORT_FIELDS))})",
                         [_stored(f, str(report.get(f, ""))) for f in REPORT_FIELDS])
        row = self.con.last_insert_rowid()
        self.con.executemany("INSERT OR IGNORE INTO report_keys VALUES (?, ?)",
                             [(key_number(key), row) for key in str(report.get("keys") or "").split()])
        terms = prepared if prepared is not None else SqliteEngine().prepare(passages)
        insert = (f"INSERT INTO passages({', '.join(PASSAGE_FIELDS)}, spans) "
                  f"VALUES ({', '.join('?' * len(PASSAGE_FIELDS))}, ?)")
        rows: dict[str, int] = {}
        for doc, (text_terms, heading_terms, spans) in zip(passages, terms):
            values = [doc.get("order" if f == "ord" else f, "") for f in PASSAGE_FIELDS]
            self.con.execute(insert, [*values, spans])
            rowid = rows[str(doc.get("passage", ""))] = self.con.last_insert_rowid()
            self.con.execute("INSERT INTO fts(rowid, text, heading, tags) VALUES (?, ?, ?, ?)",
                             (rowid, text_terms, heading_terms, tag_terms(doc)))
            self.con.executemany("INSERT OR IGNORE INTO passage_practices VALUES (?, ?)",
                                 [(pid, rowid) for pid in str(doc.get("practice") or "").split(",") if pid])
        self._count([[str(doc.get(f, "")) for f in (*TAG_FIELDS, "practice")] for doc in passages], 1)
        self._add_items(str(report.get("report_json") or "{}"), rows)

    def _add_items(self, report_json: str, rows: dict[str, int]) -> None:
        """The parse's figures, Q&A pairs and observations, each tied to its passage's row."""
        self.con.executemany(
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(rows[i["passage"]], i["visit"], i["municipality"], i["code"], i["kind"], i["order"],
              json.dumps(i["item"], ensure_ascii=False))
             for i in report_items(json.loads(report_json)) if i["passage"] in rows])

    def _count(self, passages: Sequence[Sequence[str]], sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) one file's passages (TAG_FIELDS values and practice) in the counts."""
        taxonomy = default_taxonomy()
        counts: Counter[tuple[str, ...]] = Counter()
        for *place, practice in passages:
            for found in passage_tags(practice, taxonomy):
                counts[(found, *place)] += 1
        per_tag: Counter[str] = Counter()
        places: Counter[tuple[str, ...]] = Counter()
        for key, n in counts.items():
            per_tag[key[0]] += n
            places[key[:-1]] += n
        self.con.executemany("INSERT INTO tag_counts VALUES (?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT DO UPDATE SET n = n + excluded.n",
                             [(*key, sign * n) for key, n in counts.items()])
        self.con.executemany("INSERT INTO tag_places VALUES (?, ?, ?, ?, ?) "
                             "ON CONFLICT DO UPDATE SET n = n + excluded.n",
                             [(*key, sign * n) for key, n in places.items()])
        self.con.executemany("INSERT INTO tag_reach(tag, passages, reports) VALUES (?, ?, ?) "
                             "ON CONFLICT DO UPDATE SET passages = passages + excluded.passages, "
                             "reports = reports + excluded.reports",
                             [(found, sign * n, sign) for found, n in per_tag.items()])
        if sign < 0:
            self.con.executemany("DELETE FROM tag_counts WHERE tag = ? AND municipality = ? AND prefecture = ? "
                                 "AND code = ? AND year = ? AND n <= 0", list(counts))
            self.con.executemany("DELETE FROM tag_places WHERE tag = ? AND municipality = ? AND prefecture = ? "
                                 "AND code = ? AND n <= 0", list(places))
        self._touched.update(per_tag)

    def delete(self, file: str) -> None:
        """See :meth:`index.engine.Writer.delete`."""
        old = [[str(v) for v in row] for row in self.con.execute(
            f"SELECT {', '.join(TAG_FIELDS)}, practice FROM passages WHERE file = ?", (file,))]
        if old:
            self._count(old, -1)
        for table in ("fts", "passage_practices", "items"):
            column = "rowid" if table == "fts" else "prow"
            self.con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT rowid FROM passages WHERE file = ?)",
                             (file,))
        self.con.execute("DELETE FROM passages WHERE file = ?", (file,))
        self.con.execute("DELETE FROM report_keys WHERE report IN (SELECT rowid FROM reports WHERE file = ?)", (file,))
        self.con.execute("DELETE FROM reports WHERE file = ?", (file,))

    def commit(self) -> None:
        """See :meth:`index.engine.Writer.commit`."""
        self._settle_reach()
        self.con.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(self._generation + 1),))
        self.con.execute("COMMIT")
        # Fold the write-ahead log back into the database while no reader needs it.
        self.con.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.con.close()

    def _settle_reach(self) -> None:
        """Count the cities of each tag the batch changed; drop the tags no passage has any more."""
        touched = [(t,) for t in sorted(self._touched)]
        self.con.executemany("UPDATE tag_reach SET cities = (SELECT count(DISTINCT t.municipality) FROM tag_places t "
                             "WHERE t.tag = tag_reach.tag AND t.municipality != '') WHERE tag = ?", touched)
        self.con.executemany("DELETE FROM tag_reach WHERE tag = ? AND passages <= 0", touched)

    def cancel(self) -> None:
        """See :meth:`index.engine.Writer.cancel`."""
        if not self.con.getautocommit():
            self.con.execute("ROLLBACK")
        self.con.close()


class SqliteEngine:
    """The SQLite FTS5 engine: ``dxkb.sqlite`` in the index folder."""

    name = "sqlite"

    def exists(self, index_dir: Path) -> bool:
        """See :meth:`index.engine.Engine.exists`."""
        path = Path(index_dir) / DB_NAME
        return path.is_file() and bool(self._meta(path))

    def _meta(self, path: Path) -> dict[str, str]:
        con = _connect(path)
        try:
            return _meta(con)
        finally:
            con.close()

    def is_current(self, index_dir: Path) -> bool:
        """See :meth:`index.engine.Engine.is_current`."""
        return self._meta(Path(index_dir) / DB_NAME).get("signature") == _signature()

    def reader(self, index_dir: Path) -> SqliteReader:
        """See :meth:`index.engine.Engine.reader`."""
        return SqliteReader(Path(index_dir) / DB_NAME)

    def writer(self, index_dir: Path, *, rebuild: bool, processes: int, timeout: float) -> SqliteWriter:
        """See :meth:`index.engine.Engine.writer`."""
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        return SqliteWriter(Path(index_dir) / DB_NAME, rebuild, timeout)

    def prepare(self, passages: Sequence[dict[str, Any]]) -> list[tuple[str, str, bytes | None]]:
        """Each passage's analysed text and heading, and its text's spans; a shared heading is analysed once."""
        headings: dict[str, str] = {}
        out: list[tuple[str, str, bytes | None]] = []
        for doc in passages:
            heading = str(doc.get("heading") or "")
            if heading not in headings:
                headings[heading] = encode_terms(index_positions(heading))
            terms, spans = index_positions_spans(str(doc.get("text") or ""))
            out.append((encode_terms(terms), headings[heading], encode_spans(spans)))
        return out
