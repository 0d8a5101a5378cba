"""Search the DXKB index: query building, filters, facets and snippets.

Japanese queries have no spaces, so the query is analysed with the index's
own analyser and the Whoosh query is built here rather than by its parser.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import highlight, scoring, sorting
from whoosh.query.compound import And, Or
from whoosh.query.positional import Phrase
from whoosh.query.qcore import Every, Query
from whoosh.query.terms import Term

_EVERY: Query = Every()  # type: ignore[no-untyped-call]

from index.analysis import group_query, query_terms
from index.build import open_index
from index.fastpaths import FilterCache, count_facets, search_page
from index.schema import FACET_FIELDS, TEXT_FIELDS
from kb.errors import NotFoundError, QueryError
from kb.model import SECTIONS

MAX_QUERY_CHARS = 256
MAX_LIMIT = 100
SNIPPET_CHARS = 160
_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」')
_SENTENCE_END = "。！？!?\n"
_LEADING_JUNK = "、，,。．.・ 　\n"
_LOOKBACK = 30


WHOLE_PASSAGE_CHARS = 200


class PassageFragmenter(highlight.PinpointFragmenter):
    """A short passage is shown whole; a long one as fragments around matches.

    Fragments are built from the character offsets stored in the index, so
    snippets do not run Sudachi over every hit's text again.
    """

    def fragment_matches(self, text: str, tokens: Sequence[Any]) -> Iterator[Any]:
        if len(text) <= WHOLE_PASSAGE_CHARS:
            yield highlight.Fragment(text, list(tokens), 0, len(text))
            return
        yield from super().fragment_matches(text, tokens)

    def fragment_tokens(self, text: str, all_tokens: Iterable[Any]) -> Iterator[Any]:
        if len(text) <= WHOLE_PASSAGE_CHARS:
            matches = [t.copy() for t in all_tokens if t.matched]
            yield highlight.Fragment(text, matches, 0, len(text))
            return
        yield from super().fragment_tokens(text, all_tokens)


class PassageFormatter(highlight.HtmlFormatter):
    """``<mark>`` highlights; fragments start at a sentence when one is near
    and show an ellipsis where the passage text goes on."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between="")

    def format(self, fragments: Iterable[Any], replace: bool = False) -> str:
        parts: list[str] = []
        previous_end = 0
        for fragment in fragments:
            text: str = fragment.text
            fragment.startchar = _fragment_start(text, fragment.startchar, fragment.matches, previous_end)
            if fragment.startchar > previous_end or (fragment.startchar > 0 and not parts):
                parts.append("…")
            parts.append(self.format_fragment(fragment, replace))
            previous_end = fragment.endchar
        if parts and previous_end < len(text.rstrip()):
            parts.append("…")
        return "".join(parts)


def _fragment_start(text: str, start: int, matches: list[Any], floor: int) -> int:
    """Move a fragment's start to a nearby sentence start: back (not before
    ``floor``) or forward (never beyond its first match)."""
    if start <= floor or (floor > 0 and start - floor <= _LOOKBACK):
        return floor  # overlapping or nearly adjacent: continue the previous fragment
    window = text[max(floor, start - _LOOKBACK):start]
    cut = max(window.rfind(ch) for ch in _SENTENCE_END)
    if cut >= 0:
        return start - len(window) + cut + 1
    limit = min((m.startchar for m in matches if m.startchar is not None), default=start)
    ahead = text[start:min(limit, start + _LOOKBACK)]
    cut = max(ahead.rfind(ch) for ch in _SENTENCE_END)
    if cut >= 0:
        return start + cut + 1
    while start < limit and text[start] in _LEADING_JUNK:
        start += 1
    return start


@dataclass(frozen=True)
class Filters:
    """Validated search filters."""

    city: str | None = None
    prefecture: str | None = None
    year: int | None = None
    section: str | None = None

    def query(self) -> Query:
        """The Whoosh filter query: passages, narrowed by each filter set."""
        terms: list[Query] = [Term("kind", "passage")]
        if self.city:
            field = "code" if self.city.isdigit() else "municipality"
            terms.append(Term(field, self.city))
        if self.prefecture:
            terms.append(Term("prefecture", self.prefecture))
        if self.year is not None:
            terms.append(Term("year", str(self.year)))
        if self.section:
            terms.append(Term("section", self.section))
        return And(terms)

    def to_dict(self) -> dict[str, Any]:
        """Filters as shown in the JSON result."""
        return {"city": self.city, "prefecture": self.prefecture,
                "year": self.year, "section": self.section}

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return any(v not in (None, "") for v in self.to_dict().values())


PARAM_MESSAGES: dict[str, str] = {
    "section": f"section は {', '.join(SECTIONS)} のいずれかで指定してください",
    "limit": f"limit は1から{MAX_LIMIT}までの整数で指定してください",
    "page": "page は1以上の整数で指定してください",
    "year": "year は西暦の年（例：2023）で指定してください",
}
"""What each search parameter accepts, said when a value is refused."""


def _refuse(name: str) -> QueryError:
    return QueryError(PARAM_MESSAGES[name], subject=name)


def validate(
    *, city: str | None, prefecture: str | None, year: int | None,
    section: str | None, limit: int, page: int,
) -> Filters:
    """Check search parameters; raise QueryError naming the bad one."""
    if section and section not in SECTIONS:
        raise _refuse("section")
    if not 1 <= limit <= MAX_LIMIT:
        raise _refuse("limit")
    if page < 1:
        raise _refuse("page")
    if year is not None and not 1 <= year <= 9999:
        raise _refuse("year")
    return Filters(city or None, prefecture or None, year, section or None)


def _phrase_query(field: str, groups: list[list[str]], boost: float) -> Query:
    if len(groups) == 1:
        return group_query(field, groups[0], boost)
    return Phrase(field, [g[0] for g in groups], boost=boost)


def _across_fields(groups: list[list[str]], phrase: bool) -> Query:
    make = _phrase_query if phrase else (lambda f, g, b: group_query(f, g[0], b))
    return Or([make(field, groups, boost) for field, boost in TEXT_FIELDS.items()])


def parse_query(text: str) -> list[Query]:
    """One Whoosh query per query unit: a quoted phrase or an analysed word."""
    units: list[Query] = []
    rest = _PHRASE.sub(lambda m: _add_phrase(m, units), text)
    rest = rest.replace('"', " ").replace("“", " ").replace("”", " ")
    for group in query_terms(rest):
        units.append(_across_fields([group], phrase=False))
    return units


def _add_phrase(match: re.Match[str], units: list[Query]) -> str:
    inner = next(g for g in match.groups() if g is not None)
    groups = query_terms(inner)
    if groups:
        units.append(_across_fields(groups, phrase=True))
    return " "


class SearchService:
    """Searches one index; reuses a searcher per thread, refreshed on change."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._ix = open_index(self.index_dir)
        self._local = threading.local()
        self._filters = FilterCache()
        self._highlighter = highlight.Highlighter(
            fragmenter=PassageFragmenter(maxchars=SNIPPET_CHARS, surround=40),
            formatter=PassageFormatter(),
        )

    def searcher(self) -> Any:
        """This thread's searcher, refreshed when a commit has landed."""
        current: Any = getattr(self._local, "searcher", None)
        if current is None:
            current = self._ix.searcher(weighting=scoring.BM25F())
        elif not current.up_to_date():
            current = current.refresh()
        self._local.searcher = current
        return current

    def search(
        self, query: str, *, city: str | None = None, prefecture: str | None = None,
        year: int | None = None, section: str | None = None, limit: int = 20, page: int = 1,
    ) -> dict[str, Any]:
        """Search passages; see the README for the JSON shape."""
        filters = validate(city=city, prefecture=prefecture, year=year,
                           section=section, limit=limit, page=page)
        query = (query or "").strip()
        notices: list[str] = []
        if len(query) > MAX_QUERY_CHARS:
            notices.append(f"検索語が長すぎるため先頭{MAX_QUERY_CHARS}文字で検索しました")
        units = parse_query(query[:MAX_QUERY_CHARS])
        result = self._run(units, query, filters, limit, page)
        result["notices"] = notices + result.get("notices", [])
        return result

    def _run(
        self, units: list[Query], query: str, filters: Filters, limit: int, page: int
    ) -> dict[str, Any]:
        if not units:
            if query:
                return self._empty(query, filters, limit, page, "all",
                                   ["検索できる語が含まれていません"])
            if not filters.active:
                return self._empty(query, filters, limit, page, "none", [])
            return self._execute(_EVERY, query, filters, limit, page, "all")
        result = self._execute(And(units), query, filters, limit, page, "all")
        if result["total"] == 0 and len(units) > 1:
            result = self._execute(Or(units), query, filters, limit, page, "any")
        return result

    def _execute(
        self, q: Query, query: str, filters: Filters, limit: int, page: int, mode: str
    ) -> dict[str, Any]:
        searcher = self.searcher()
        allowed = self._filters.docs(searcher, filters, filters.query())
        results, matched = search_page(searcher, q, allowed, page, limit)
        results.results.highlighter = self._highlighter
        total = len(results)
        facets = count_facets(searcher, matched, FACET_FIELDS)
        return {
            "query": query, "total": total, "mode": mode, "page": page, "limit": limit,
            "pages": max(1, math.ceil(total / limit)), "filters": filters.to_dict(),
            "hits": [self._hit(hit) for hit in results],
            "facets": {name: _facet_counts(facets[name]) for name in FACET_FIELDS},
            "notices": [],
        }

    def _empty(
        self, query: str, filters: Filters, limit: int, page: int, mode: str, notices: list[str]
    ) -> dict[str, Any]:
        return {
            "query": query, "total": 0, "mode": mode, "page": page, "limit": limit, "pages": 1,
            "filters": filters.to_dict(), "hits": [],
            "facets": {name: [] for name in FACET_FIELDS}, "notices": notices,
        }

    def _hit(self, hit: Any) -> dict[str, Any]:
        fields = hit.fields()
        return {
            "id": fields["id"], "passage": fields["passage"], "file": fields["file"],
            "title": fields.get("title", ""), "body": fields.get("body", ""),
            "council": fields.get("council", ""), "municipality": fields.get("municipality", ""),
            "prefecture": fields.get("prefecture", ""), "code": fields.get("code", ""),
            "date": fields.get("date", ""), "year": fields.get("year", ""),
            "section": fields.get("section", ""), "heading": fields.get("heading", ""),
            "text": fields["text"], "snippet": self._snippet(hit, fields["text"]),
            "score": round(float(hit.score or 0.0), 4),
        }

    def _snippet(self, hit: Any, text: str) -> str:
        snippet: str = hit.highlights("text", top=2)
        if snippet:
            return snippet
        # The match was in the heading or title: show the passage's start.
        if len(text) <= WHOLE_PASSAGE_CHARS:
            return html.escape(text, quote=False)
        return html.escape(text[:SNIPPET_CHARS], quote=False) + "…"

    def report(self, file: str) -> dict[str, Any]:
        """The parsed report stored for ``file``; NotFoundError if none."""
        searcher = self.searcher()
        doc = searcher.document(kind="report", file=file)
        if doc is None:
            raise NotFoundError("この報告書は索引にありません", subject=file)
        data: dict[str, Any] = json.loads(doc["report_json"])
        return data

    def stats(self) -> dict[str, Any]:
        """Counts of reports and passages, and the list of reports."""
        searcher = self.searcher()
        files = [
            {"file": d["file"], "title": d.get("title", ""),
             "council": d.get("council", ""), "body": d.get("body", "")}
            for d in searcher.documents(kind="report")
        ]
        results: Any = searcher.search(
            Term("kind", "passage"), limit=1,
            groupedby={"municipality": sorting.FieldFacet("municipality", maptype=sorting.Count)},
        )
        return {
            "reports": len(files), "passages": len(results),
            "municipalities": _facet_counts(results.groups("municipality")),
            "files": sorted(files, key=lambda f: f["file"]),
        }


def _facet_counts(groups: dict[Any, int]) -> list[dict[str, Any]]:
    """Facet values with counts, most frequent first; empty values dropped."""
    pairs = [(str(v), int(c)) for v, c in groups.items() if v not in (None, "")]
    pairs.sort(key=lambda p: (-p[1], p[0]))
    return [{"value": v, "count": c} for v, c in pairs]
