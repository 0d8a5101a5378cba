"""Whoosh (pure Python) behind the engine seam of :mod:`index.engine`.

Reports and passages are documents of one Whoosh index (see
:mod:`index.schema`); a commit writes new segments and renames a new table
of contents into place, so readers see the old or the new state.  Searches
use the cached filter sets and one-pass facet counts of :mod:`index.fastpaths`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.index import LockError
from whoosh.query.compound import And, DisjunctionMax, Or
from whoosh.query.positional import Phrase
from whoosh.query.qcore import Every, Query
from whoosh.query.terms import Term
from whoosh.writing import CLEAR

from index import engine as e
from index.fastpaths import FilterCache, count_facets, facet_column, search_page
from index.parallel import open_writer
from index.schema import FACET_COLUMNS, FACET_FIELDS, make_schema, schema_signature
from index.tags import count_tags, reach, report_items
from kb.errors import IndexBusyError
from kb.taxonomy import default_taxonomy

# BM25F parameters chosen on the judged queries of tests/truth/queries.json:
# passages are short, so term frequency saturates early.
BM25_K1 = 0.6
BM25_B = 0.75

_EVERY: Query = Every()  # type: ignore[no-untyped-call]


def to_whoosh(query: e.Query) -> Query:
    """The Whoosh query of an engine-neutral query."""
    if isinstance(query, e.Term):
        return Term(query.field, query.text, boost=query.boost)
    if isinstance(query, e.Phrase):
        return Phrase(query.field, list(query.terms), boost=query.boost)
    if isinstance(query, e.Every):
        return _EVERY
    children = [to_whoosh(child) for child in query.children]
    if isinstance(query, e.DisMax):
        return DisjunctionMax(children, tiebreak=query.tiebreak)
    if isinstance(query, e.And):
        return And(children, boost=query.boost)
    return Or(children, boost=query.boost)


def filter_query(filters: e.FilterMap, tagged: bool = False) -> Query:
    """Passages allowed by ``filters`` (those with practices only, if ``tagged``)."""
    terms: list[Query] = [Term("kind", "passage")]
    if tagged:
        terms.append(Every("practice"))  # type: ignore[no-untyped-call]
    for name, values in sorted(filters.items()):
        if len(values) == 1:
            terms.append(Term(name, values[0]))
        else:
            terms.append(Or([Term(name, v) for v in values]))
    return And(terms)


def _split_sets(counted: dict[str, int]) -> dict[str, int]:
    split: dict[str, int] = {}
    for values, n in counted.items():
        for value in values.split(","):
            if value:
                split[value] = split.get(value, 0) + n
    return split


class WhooshReader:
    """A Whoosh searcher seen through :class:`index.engine.Reader`."""

    def __init__(self, ix: Any) -> None:
        self.searcher: Any = ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
        self._filters = FilterCache()

    def search(self, query: e.Query, filters: e.FilterMap, *, page: int, limit: int,
               deadline: float | None = None) -> e.Page:
        """See :meth:`index.engine.Reader.search`."""
        key = tuple(sorted(filters.items()))
        allowed = self._filters.docs(self.searcher, key, filter_query(filters))
        results, matched, partial = search_page(self.searcher, to_whoosh(query), allowed, page, limit, deadline)
        hits = [e.Hit(hit.fields(), float(hit.score or 0.0), hit) for hit in results]
        return e.Page(hits, len(results), self._facets(matched), partial)

    def _facets(self, docnums: list[int]) -> dict[str, dict[str, int]]:
        columns = [FACET_COLUMNS.get(name, name) for name in FACET_FIELDS]
        counted = count_facets(self.searcher, docnums, columns)
        facets = {name: counted[column] if column == name else _split_sets(counted[column])
                  for name, column in zip(FACET_FIELDS, columns)}
        return {name: {v: n for v, n in counts.items() if v} for name, counts in facets.items()}

    def matched_terms(self, hit: e.Hit, field: str) -> frozenset[str]:
        """See :meth:`index.engine.Reader.matched_terms`."""
        terms = hit.handle.matched_terms() if hit.handle is not None else ()
        return frozenset(t.decode("utf-8") if isinstance(t, bytes) else str(t)
                         for f, t in terms if f == field)

    def matched_spans(self, hit: e.Hit, field: str) -> list[tuple[int, int]] | None:
        """See :meth:`index.engine.Reader.matched_spans`: Whoosh stores none (the text is analysed again)."""
        return None

    def passages(self, filters: e.FilterMap, *, tagged: bool = False,
                 fields: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.passages`."""
        docs = sorted(self.searcher.docs_for_query(filter_query(filters, tagged)))
        stored = (self.searcher.stored_fields(doc) for doc in docs)
        if fields is None:
            return [dict(found) for found in stored]
        return [{name: found.get(name, "") for name in fields} for found in stored]

    def group_counts(self, fields: Sequence[str], filters: e.FilterMap, *,
                     tagged: bool = False) -> dict[tuple[str, ...], int]:
        """See :meth:`index.engine.Reader.group_counts`."""
        docs = list(self.searcher.docs_for_query(filter_query(filters, tagged)))
        names = [FACET_COLUMNS.get(f, f) for f in fields]
        if not all(self.searcher.reader().has_column(name) for name in names):
            stored = Counter(tuple(str(self.searcher.stored_fields(doc).get(f, "")) for f in fields) for doc in docs)
            return dict(stored)
        columns = [facet_column(self.searcher, name) for name in names]
        counted = Counter(tuple(column.codes[doc] for column in columns) for doc in docs)
        return {tuple(column.values[code] for column, code in zip(columns, codes)): n
                for codes, n in counted.items()}

    def tag_counts(self, kind: str, fields: Sequence[str], filters: e.FilterMap) -> dict[tuple[str, ...], int]:
        """See :meth:`index.engine.Reader.tag_counts`."""
        return count_tags(self.group_counts((*fields, "practice"), filters, tagged=True), kind, default_taxonomy())

    def tag_reach(self, kind: str) -> dict[str, dict[str, int]]:
        """See :meth:`index.engine.Reader.tag_reach`."""
        return reach(self.group_counts(("practice", "file", "municipality"), {}, tagged=True), kind,
                     default_taxonomy())

    def items(self, filters: e.FilterMap, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.items`: read from each file's stored parse."""
        keys: dict[str, set[str]] = {}
        for found in self.passages(filters, fields=("file", "passage")):
            keys.setdefault(found["file"], set()).add(found["passage"])
        out: list[dict[str, Any]] = []
        for file, passages in keys.items():
            doc = self.report(file)
            parsed = json.loads(doc["report_json"]) if doc else {}
            out.extend({"file": file, **item} for item in report_items(parsed)
                       if item["kind"] in kinds and item["passage"] in passages)
        return out

    def values(self, field: str) -> set[str]:
        """See :meth:`index.engine.Reader.values`: of live passages (a field's terms keep deleted ones)."""
        return {key[0] for key in self.group_counts((field,), {}) if key[0]}

    def report(self, file: str) -> dict[str, Any] | None:
        """See :meth:`index.engine.Reader.report`."""
        # A report's document id is its file name (a passage's is FILE#ID): one unique term.
        doc = self.searcher.document(id=file)
        return dict(doc) if doc is not None and doc.get("kind") == "report" else None

    def reports(self) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.reports`."""
        return [dict(doc) for doc in self.searcher.documents(kind="report")]

    def report_summaries(self, offset: int = 0, limit: int | None = None, *,
                         originals: bool = False) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.report_summaries` (Whoosh reads each whole stored document)."""
        docs = sorted(({k: v for k, v in doc.items() if k not in ("report_json", "signature")}
                       for doc in self.reports() if not (originals and doc.get("copy_of"))),
                      key=lambda doc: str(doc["file"]))
        return docs[offset:] if limit is None else docs[offset:offset + limit]

    def report_count(self, *, originals: bool = False) -> int:
        """See :meth:`index.engine.Reader.report_count`."""
        count = len(list(self.searcher.document_numbers(kind="report")))
        if originals:
            # A copy's document holds a copy_of term; an original's none (see WhooshWriter.replace).
            copies = And([Term("kind", "report"), Every("copy_of")])  # type: ignore[no-untyped-call]
            count -= len(list(self.searcher.docs_for_query(copies)))
        return count

    def similar_reports(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """See :meth:`index.engine.Reader.similar_reports`: the ``keys`` field is indexed."""
        query = And([Term("kind", "report"), Or([Term("keys", key) for key in keys])])
        found = (self.searcher.stored_fields(doc) for doc in self.searcher.docs_for_query(query))
        docs = [{k: v for k, v in doc.items() if k != "report_json"} for doc in found]
        return sorted(docs, key=lambda doc: str(doc["file"]))

    def copies(self, file: str, limit: int | None = None) -> list[str]:
        """See :meth:`index.engine.Reader.copies`: the ``copy_of`` field is indexed."""
        query = And([Term("kind", "report"), Term("copy_of", file)])
        files = sorted(str(self.searcher.stored_fields(doc)["file"]) for doc in self.searcher.docs_for_query(query))
        return files if limit is None else files[:limit]

    def iter_reports(self) -> Iterator[dict[str, Any]]:
        """See :meth:`index.engine.Reader.iter_reports`: file names first, then each document read in turn."""
        reader = self.searcher.reader()
        numbers = sorted((str(reader.stored_fields(n).get("file", "")), n)
                         for n in self.searcher.document_numbers(kind="report"))
        for _, number in numbers:
            yield dict(reader.stored_fields(number))

    def state(self) -> str:
        """See :meth:`index.engine.Reader.state`: the generation and segments (new ones after a rebuild)."""
        reader = self.searcher.reader()
        segments = sorted(leaf.segment().segment_id() for leaf, _ in reader.leaf_readers())
        return f"{reader.generation()}:{','.join(segments)}"

    def up_to_date(self) -> bool:
        """See :meth:`index.engine.Reader.up_to_date`."""
        return bool(self.searcher.up_to_date())

    def close(self) -> None:
        """See :meth:`index.engine.Reader.close`."""
        self.searcher.close()


class WhooshWriter:
    """A Whoosh writer (multi-process when asked) seen through :class:`index.engine.Writer`."""

    def __init__(self, ix: Any, rebuild: bool, processes: int, timeout: float) -> None:
        self._rebuild = rebuild
        self._writer = open_writer(ix, processes, timeout)

    def replace(self, report: dict[str, Any], passages: Sequence[dict[str, Any]], prepared: Any) -> None:
        """See :meth:`index.engine.Writer.replace`."""
        self._writer.delete_by_term("file", report["file"])
        # An empty copy_of or keys would index an empty term: an original has no copy_of term.
        self._writer.add_document(**{k: v for k, v in report.items() if v != "" or k not in ("copy_of", "keys")})
        for doc in passages:
            self._writer.add_document(**doc)

    def delete(self, file: str) -> None:
        """See :meth:`index.engine.Writer.delete`."""
        self._writer.delete_by_term("file", file)

    def commit(self) -> None:
        """See :meth:`index.engine.Writer.commit`.

        A rebuild drops the old segments in the same commit, so the previous
        index stays searchable until that moment.
        """
        self._writer.commit(mergetype=CLEAR) if self._rebuild else self._writer.commit()

    def cancel(self) -> None:
        """See :meth:`index.engine.Writer.cancel`."""
        self._writer.cancel()


class WhooshEngine:
    """The Whoosh engine: an index folder of segment files."""

    name = "whoosh"

    def exists(self, index_dir: Path) -> bool:
        """See :meth:`index.engine.Engine.exists`."""
        return bool(whoosh_index.exists_in(str(index_dir)))

    def is_current(self, index_dir: Path) -> bool:
        """Same fields and same analysis (taxonomy, dictionaries) as this version builds."""
        ix = whoosh_index.open_dir(str(index_dir))
        current = make_schema()
        return (sorted(ix.schema.names()) == sorted(current.names())
                and schema_signature(ix.schema) == schema_signature(current))

    def open(self, index_dir: Path) -> Any:
        """The Whoosh index object."""
        return whoosh_index.open_dir(str(index_dir))

    def reader(self, index_dir: Path) -> WhooshReader:
        """See :meth:`index.engine.Engine.reader`."""
        return WhooshReader(self.open(index_dir))

    def writer(self, index_dir: Path, *, rebuild: bool, processes: int, timeout: float) -> WhooshWriter:
        """See :meth:`index.engine.Engine.writer`."""
        if self.exists(index_dir) and self.is_current(index_dir):
            ix = self.open(index_dir)
        else:
            index_dir.mkdir(parents=True, exist_ok=True)
            ix = whoosh_index.create_in(str(index_dir), make_schema())
        try:
            return WhooshWriter(ix, rebuild, processes, timeout)
        except LockError as exc:
            raise IndexBusyError("別の処理が索引を更新中です。終わってから再実行してください",
                                 subject=str(index_dir)) from exc

    def prepare(self, passages: Sequence[dict[str, Any]]) -> Any:
        """Nothing: Whoosh analyses inside its (multi-process) writer."""
        return None
