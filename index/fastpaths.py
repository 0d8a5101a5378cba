"""Cheaper ways to run one search page: cached filter sets, one-pass facet counts.

Whoosh's ``groupedby`` facets make a search keep and sort every match and
read each facet value through several layers of Python per document, and a
filter query is re-evaluated over every passage on each search.  Here:

* filter document sets are computed once per searcher (an index change
  brings a new searcher, hence new sets);
* the page is collected by a top-N collector that also records every matched
  document number, and the facets are counted from per-segment code arrays
  (one small integer per document), built once per segment and shared by all
  threads — segments never change once written.

The figures and hits are the same as with ``groupedby`` facet counts.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from whoosh import collectors
from whoosh.idsets import BitSet
from whoosh.query.qcore import NullQuery, Query
from whoosh.searching import ResultsPage, TimeLimit

T = TypeVar("T")

FILTER_CACHE_SIZE = 256
COLUMN_CACHE_SIZE = 64


class RecordingTopCollector(collectors.TopCollector):
    """Top-N collector that also keeps every matched document number (for facets)."""

    def __init__(self, limit: int) -> None:
        # Block-quality skipping and matcher replacement (which prunes
        # branches that cannot reach the top N) would leave matches out of
        # the total and the facet counts.
        super().__init__(limit=limit, usequality=False)  # type: ignore[no-untyped-call]
        self.replace = 0
        self.matched: list[int] = []

    def _collect(self, global_docnum: int, score: float) -> Any:
        self.matched.append(global_docnum)
        return super()._collect(global_docnum, score)  # type: ignore[no-untyped-call]


def search_page(
    searcher: Any, q: Query, allowed: Any, page: int, pagelen: int, deadline: float | None = None
) -> tuple[Any, list[int], bool]:
    """The ResultsPage of ``q`` restricted to ``allowed`` (matched terms recorded), every matched docnum,
    and whether ``deadline`` (a :func:`time.monotonic` time) cut the search short."""
    if not allowed:
        # Whoosh reads an empty allow-set as "no filter": match nothing instead.
        q, allowed = NullQuery, None
    top = RecordingTopCollector(page * pagelen)
    chain: Any = collectors.FilterCollector(collectors.TermsCollector(top), allowed, None)
    partial = False
    if deadline is not None:
        chain = collectors.TimeLimitCollector(chain, max(0.001, deadline - time.monotonic()), use_alarm=False)
    try:
        searcher.search_with_collector(q, chain)
    except TimeLimit:
        partial = True
    return ResultsPage(chain.results(), page, pagelen), top.matched, partial


class SearcherCache:
    """Values computed from one searcher, kept until the thread's searcher changes.

    An index change brings a new searcher, so nothing stale is served; each
    thread keeps its own, as each thread has its own searcher.
    """

    def __init__(self, size: int = FILTER_CACHE_SIZE) -> None:
        self._local = threading.local()
        self._size = size

    def get(self, searcher: Any, key: Any, compute: Callable[[], T]) -> T:
        """The value cached under ``key`` for ``searcher``, computed by ``compute`` the first time."""
        state = getattr(self._local, "state", None)
        if state is None or state[0] is not searcher:
            state = self._local.state = (searcher, {})
        cache: dict[Any, Any] = state[1]
        if key not in cache:
            if len(cache) >= self._size:
                cache.clear()
            cache[key] = compute()
        value: T = cache[key]
        return value


class FilterCache:
    """Document sets of filter queries, per searcher; one per thread."""

    def __init__(self) -> None:
        self._cache = SearcherCache()

    def docs(self, searcher: Any, key: Any, query: Query) -> Any:
        """The set of documents matching ``query`` (cached under ``key``) in ``searcher``."""
        return self._cache.get(
            searcher, key, lambda: BitSet(searcher.docs_for_query(query), size=searcher.doc_count_all()))


@dataclass(frozen=True)
class FacetColumn:
    """One field's values over a searcher's documents: distinct values and a code per document."""

    values: list[str]
    codes: array  # type: ignore[type-arg]


_columns: dict[tuple[str, ...], FacetColumn] = {}
_columns_lock = threading.Lock()


def facet_column(searcher: Any, field: str) -> FacetColumn:
    """The cached :class:`FacetColumn` of ``field`` for the segments of ``searcher``."""
    leaves = searcher.reader().leaf_readers()
    key = (field, *(reader.segment().segment_id() for reader, _ in leaves))
    column = _columns.get(key)
    if column is None:
        column = _build_column(searcher.schema[field], field, leaves)
        with _columns_lock:
            if len(_columns) >= COLUMN_CACHE_SIZE:
                _columns.clear()
            _columns[key] = column
    return column


def _build_column(schema_field: Any, field: str, leaves: Sequence[tuple[Any, int]]) -> FacetColumn:
    codes_of: dict[Any, int] = {}
    codes = array("I")
    for reader, _offset in leaves:
        if reader.has_column(field):
            raw = reader.column_reader(field, translate=False)
            codes.extend(codes_of.setdefault(v, len(codes_of)) for v in raw)
        else:
            codes.extend([codes_of.setdefault(None, len(codes_of))] * reader.doc_count_all())
    values = [_value_text(schema_field, v) for v in codes_of]
    return FacetColumn(values, codes)


def _value_text(schema_field: Any, value: Any) -> str:
    if value is None:
        return ""
    text = schema_field.from_column_value(value)
    return "" if text is None else str(text)


def count_facets(searcher: Any, docnums: Iterable[int], fields: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per field, the number of ``docnums`` holding each value."""
    docs = docnums if isinstance(docnums, list) else list(docnums)
    counts: dict[str, dict[str, int]] = {}
    for field in fields:
        column = facet_column(searcher, field)
        by_code = Counter(map(column.codes.__getitem__, docs))
        counts[field] = {column.values[code]: n for code, n in by_code.items()}
    return counts
