"""The seam between the DXKB views and a search engine.

Search, compare, the matrix, the practice catalogue and the statistics talk
to a :class:`Reader`; builds write through a :class:`Writer`.  An
:class:`Engine` makes both for an index folder.  Queries are engine-neutral
trees (:class:`Term`, :class:`Phrase`, :class:`And`, :class:`Or`,
:class:`DisMax`, :class:`Every`) over the analysed terms of
:mod:`index.analysis`; each engine translates them and scores them with
BM25F (field weights in :data:`index.schema.TEXT_FIELDS`).

Filters are ``{field: (value, ...)}``: a passage passes when, for every
field, its value is one of those given (``practice`` holds several ids; one
of them is enough).  Engines are chosen by name (``whoosh``, ``sqlite``),
from ``--engine`` or the ``DXKB_ENGINE`` environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeAlias

ENGINE_VARIABLE = "DXKB_ENGINE"
DEFAULT_ENGINE = "sqlite"
ENGINES: tuple[str, ...] = ("sqlite", "whoosh")

FilterMap = Mapping[str, tuple[str, ...]]
"""``{field: allowed values}``; see the module docstring."""


@dataclass(frozen=True)
class Term:
    """Passages whose ``field`` holds the analysed term ``text``."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Passages whose ``field`` holds ``terms`` at consecutive positions."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    """Passages matching every child; the score is the children's sum."""

    children: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Passages matching any child; the score is the sum of those matching."""

    children: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class DisMax:
    """Passages matching any child; the score is the best child's plus ``tiebreak`` × the others'."""

    children: tuple[Query, ...]
    tiebreak: float = 0.0


@dataclass(frozen=True)
class Every:
    """Every passage (what the filters allow), in index order."""


Query: TypeAlias = Term | Phrase | And | Or | DisMax | Every


def leaves(query: Query) -> list[Term | Phrase]:
    """The terms and phrases of ``query``, left to right."""
    if isinstance(query, (Term, Phrase)):
        return [query]
    if isinstance(query, Every):
        return []
    return [leaf for child in query.children for leaf in leaves(child)]


@dataclass
class Hit:
    """One matching passage: its stored fields, score, and the engine's handle for highlighting."""

    fields: dict[str, Any]
    score: float
    handle: Any = None


@dataclass
class Page:
    """One page of hits, the number of matches and, per facet field, the count of each value."""

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    partial: bool = False
    """True when the deadline stopped the search: hits, total and facets cover what was found by then."""


class Highlighter(Protocol):
    """Turns a text and the terms matched in it into an HTML snippet ("" when none is marked)."""

    def __call__(self, text: str, terms: frozenset[str]) -> str:
        """The snippet."""


class Reader(Protocol):
    """A consistent view of one index state; a new commit needs a new reader."""

    def search(self, query: Query, filters: FilterMap, *, page: int, limit: int,
               deadline: float | None = None) -> Page:
        """Hits ``(page-1)*limit`` to ``page*limit`` best first, every match counted in total and facets.

        Facets leave empty values out; equal scores keep index order.  Past
        ``deadline`` (a :func:`time.monotonic` time) the search stops and
        returns what it found, marked ``partial``.
        """

    def matched_terms(self, hit: Hit, field: str) -> frozenset[str]:
        """The query terms ``hit`` holds in ``field``."""

    def matched_spans(self, hit: Hit, field: str) -> list[tuple[int, int]] | None:
        """Character spans of ``field``'s text the query matched, if the index stored them (else None)."""

    def passages(self, filters: FilterMap, *, tagged: bool = False,
                 fields: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Stored fields of every passage the filters allow (only those with practices if ``tagged``), in index order.

        With ``fields``, each dict holds those fields only (``order`` for the position in the report).
        """

    def group_counts(self, fields: Sequence[str], filters: FilterMap, *,
                     tagged: bool = False) -> dict[tuple[str, ...], int]:
        """Number of allowed passages per combination of ``fields`` values."""

    def tag_counts(self, kind: str, fields: Sequence[str], filters: FilterMap) -> dict[tuple[str, ...], int]:
        """Allowed passages per combination of ``fields`` values and id of ``kind`` (the key's last element).

        ``kind`` is ``practice`` (passages naming the practice) or ``category``
        (passages naming any practice of the category, each passage once);
        see :func:`index.tags.passage_tags`.
        """

    def tag_reach(self, kind: str) -> dict[str, dict[str, int]]:
        """Per id of ``kind``: ``passages`` naming it, and the ``reports`` and ``cities`` (municipality names) they are in."""

    def items(self, filters: FilterMap, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """The parsed items of ``kinds`` (:func:`index.tags.report_items`) whose passage the filters allow.

        Each carries its ``file``; a file's items come together, in report order.
        """

    def values(self, field: str) -> set[str]:
        """Distinct non-empty values of a passage field."""

    def report(self, file: str) -> dict[str, Any] | None:
        """The stored report document of ``file`` (``report_json``, ``sha256``...), or None."""

    def reports(self) -> list[dict[str, Any]]:
        """Every stored report document."""

    def report_summaries(self, offset: int = 0, limit: int | None = None, *,
                         originals: bool = False) -> list[dict[str, Any]]:
        """Stored report documents without their parse (``report_json``) or ``signature``, by file name.

        ``limit`` from ``offset``; with ``originals``, the copies (``copy_of`` set) are left out.
        """

    def report_count(self, *, originals: bool = False) -> int:
        """Number of stored reports (without the copies, with ``originals``)."""

    def similar_reports(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Report documents (without ``report_json``) holding any of the copy-detection ``keys``, by file name.

        See :mod:`kb.copies`; each carries its ``signature``, ``rank`` and ``copy_of``.
        """

    def copies(self, file: str, limit: int | None = None) -> list[str]:
        """Files stored as copies of ``file`` (their ``copy_of``), by name, at most ``limit``."""

    def iter_reports(self) -> Iterator[dict[str, Any]]:
        """Every stored report document (with ``report_json``), by file name, one at a time.

        Memory stays bounded whatever the number of reports.
        """

    def state(self) -> str:
        """A token of the index state this reader sees: another commit (or a rebuild) gives another token."""

    def up_to_date(self) -> bool:
        """False once another commit has landed."""

    def close(self) -> None:
        """Release the reader."""


class Writer(Protocol):
    """One batch of changes that becomes visible at once, in :meth:`commit`."""

    def replace(self, report: dict[str, Any], passages: Sequence[dict[str, Any]], prepared: Any) -> None:
        """Put a report and its passages in place of what its file held; ``prepared`` is :meth:`Engine.prepare`'s."""

    def delete(self, file: str) -> None:
        """Remove a file's report and passages."""

    def commit(self) -> None:
        """Make every change visible at once."""

    def cancel(self) -> None:
        """Drop every change; the index stays as it was."""


class Engine(Protocol):
    """Makes readers and writers for index folders."""

    name: str

    def exists(self, index_dir: Path) -> bool:
        """True when ``index_dir`` holds an index of this engine."""

    def is_current(self, index_dir: Path) -> bool:
        """True when the index was made with this version's fields and analysis."""

    def reader(self, index_dir: Path) -> Reader:
        """A reader of the index's latest commit."""

    def writer(self, index_dir: Path, *, rebuild: bool, processes: int, timeout: float) -> Writer:
        """A writer (a new index if none or ``rebuild``); raises IndexBusyError when one is at work."""

    def prepare(self, passages: Sequence[dict[str, Any]]) -> Any:
        """Work done for a report before the writer gets it, in a worker process (e.g. analysis)."""


def engine_name(name: str | None = None, index_dir: Path | None = None) -> str:
    """The engine to use: ``name``, else ``DXKB_ENGINE``, else the one ``index_dir`` holds, else the default."""
    chosen = (name or os.environ.get(ENGINE_VARIABLE, "")).strip().lower()
    if chosen:
        if chosen not in ENGINES:
            from kb.errors import QueryError
            raise QueryError(f"engine は {', '.join(ENGINES)} のいずれかで指定してください", subject="engine")
        return chosen
    if index_dir is not None:
        for candidate in ENGINES:
            if get_engine(candidate).exists(index_dir):
                return candidate
    return DEFAULT_ENGINE


def get_engine(name: str | None = None, index_dir: Path | None = None) -> Engine:
    """The engine named (see :func:`engine_name`)."""
    chosen = engine_name(name, index_dir)
    if chosen == "whoosh":
        from index.whoosh_engine import WhooshEngine
        return WhooshEngine()
    from index.sqlite_engine import SqliteEngine
    return SqliteEngine()
