"""Search the DXKB index: query building, filters, facets and snippets.

Japanese queries have no spaces, so the query is analysed with the index's
own analyser and an engine-neutral query tree (:mod:`index.engine`) is built
here; the engine of the index (SQLite FTS5 or Whoosh) runs it.
"""

from __future__ import annotations

import copy
import html
import json
import math
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import Any

from whoosh import highlight
from whoosh.analysis.acore import Token

from index.analysis import practice_term, query_terms, query_units, term_spans
from index.build import open_index
from index.compare import (
    MATCHES_PER_CITY,
    MAX_CITIES,
    City,
    Sources,
    comparison,
    load_cities,
    load_code,
    qa_columns,
    split_names,
)
from index.engine import And, DisMax, Engine, Every, FilterMap, Hit, Or, Phrase, Query, Reader, Term
from index.expand import Expander, Expansion
from index.fastpaths import SearcherCache
from index.matrix import MatrixFilters, check_sort, matrix, matrix_rows
from index.overview import visited_by_prefecture
from index.practices import catalogue, practice_page
from index.schema import FACET_FIELDS, TEXT_FIELDS, practice_ids
from index.scope import Scope, ScopeFinder, scope_dict
from kb.errors import NotFoundError, QueryError
from kb.model import SECTIONS
from kb.municipalities import Municipality, MunicipalityTable
from kb.taxonomy import Taxonomy, default_taxonomy

MAX_QUERY_CHARS = 256
BUDGET_VARIABLE = "DXKB_QUERY_BUDGET_MS"
DEFAULT_BUDGET_MS = 2000
PARTIAL_NOTICE = "検索に時間がかかったため、制限時間内に見つかった分だけを表示しています"
_EVERY = Every()
_NOTHING = "∅"
"""A filter value no passage holds: filters that exclude each other match nothing."""
SYNONYM_WEIGHT = 0.6
TYPED_WORD_WEIGHT = 0.5
# Below this many passages holding every word, passages holding some follow them.
FEW_HITS = 10
ALL_UNITS_BOOST = 20.0
MAX_LIMIT = 100
MAX_PAGE = 1_000_000
"""Pages past this are refused: an offset beyond it would overflow the engines' integers."""
REPORTS_PER_PAGE = 50
MAX_COPIES = 20
"""Copies of one report listed on its page (how many more is said)."""
"""Reports listed per page of the start page."""
SNIPPET_CHARS = 160
ELSEWHERE_SHOWN = 5
"""Other municipalities named when a scoped search finds nothing."""
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
    practice: str | None = None
    codes: tuple[str, ...] = ()
    prefectures: tuple[str, ...] = ()

    def terms(self) -> FilterMap:
        """The engine filter: passages, narrowed by each filter set."""
        terms: dict[str, tuple[str, ...]] = {}
        if self.codes:
            terms["code"] = self.codes
        if self.city:
            if self.city.isdigit():
                terms["code"] = tuple(c for c in terms.get("code", (self.city,)) if c == self.city) or (_NOTHING,)
            else:
                terms["municipality"] = (self.city,)
        if self.prefecture or self.prefectures:
            allowed = self.prefectures or (str(self.prefecture),)
            terms["prefecture"] = tuple(p for p in allowed if p == (self.prefecture or p)) or (_NOTHING,)
        if self.year is not None:
            terms["year"] = (str(self.year),)
        if self.section:
            terms["section"] = (self.section,)
        if self.practice:
            terms["practice"] = (self.practice,)
        return terms

    def to_dict(self) -> dict[str, Any]:
        """Filters as shown in the JSON result."""
        return {"city": self.city, "prefecture": self.prefecture,
                "year": self.year, "section": self.section, "practice": self.practice}

    @property
    def active(self) -> bool:
        """True when any filter is set (a scope counts)."""
        return bool(self.codes or self.prefectures) or any(v not in (None, "") for v in self.to_dict().values())


PARAM_MESSAGES: dict[str, str] = {
    "section": f"section は {', '.join(SECTIONS)} のいずれかで指定してください",
    "limit": f"limit は1から{MAX_LIMIT}までの整数で指定してください",
    "page": "page は1以上の整数で指定してください",
    "year": "year は西暦の年（例：2023）で指定してください",
    "practice": "practice は取組一覧（/practices）にある取組のID（例：byod）で指定してください",
}
"""What each search parameter accepts, said when a value is refused."""


def query_budget_ms() -> int:
    """Milliseconds a search may take before it returns what it found (``DXKB_QUERY_BUDGET_MS``; 0: no limit)."""
    raw = os.environ.get(BUDGET_VARIABLE, "").strip()
    try:
        return max(0, int(raw)) if raw else DEFAULT_BUDGET_MS
    except ValueError:
        return DEFAULT_BUDGET_MS


def _refuse(name: str) -> QueryError:
    return QueryError(PARAM_MESSAGES[name], subject=name)


def check_page(page: int) -> None:
    """A page number below 1, or so far out that no index reaches it, is a QueryError naming ``page``."""
    if page < 1:
        raise _refuse("page")
    if page > MAX_PAGE:
        raise QueryError(f"page は{MAX_PAGE:,}以下の整数で指定してください", subject="page")


def _all_first(units: list[Query]) -> Query:
    """Passages holding any unit; those holding every unit rank first."""
    return Or((And(tuple(units), boost=ALL_UNITS_BOOST), Or(tuple(units))))


def group_query(field: str, group: list[str], boost: float = 1.0) -> Query:
    """Query for one :func:`index.analysis.query_terms` group: the long term, or all short terms."""
    long_term = Term(field, group[0], boost=boost)
    if len(group) == 1:
        return long_term
    return Or((long_term, And(tuple(Term(field, term, boost=boost) for term in group[1:]))))


def _known_practice(practice_id: str) -> bool:
    return default_taxonomy().get(practice_id) is not None


def validate(
    *, city: str | None, prefecture: str | None, year: int | None,
    section: str | None, limit: int, page: int, practice: str | None = None,
) -> Filters:
    """Check search parameters; raise QueryError naming the bad one."""
    if practice and not _known_practice(practice):
        raise _refuse("practice")
    if section and section not in SECTIONS:
        raise _refuse("section")
    if not 1 <= limit <= MAX_LIMIT:
        raise _refuse("limit")
    check_page(page)
    if year is not None and not 1 <= year <= 9999:
        raise _refuse("year")
    return Filters(city or None, prefecture or None, year, section or None, practice or None)


def _phrase_query(field: str, groups: list[list[str]], boost: float) -> Query:
    if len(groups) == 1:
        return group_query(field, groups[0], boost)
    return Phrase(field, tuple(g[0] for g in groups), boost=boost)


def _across_fields(groups: list[list[str]], phrase: bool, weight: float = 1.0) -> Query:
    make = _phrase_query if phrase else (lambda f, g, b: group_query(f, g[0], b))
    return Or(tuple(make(field, groups, boost * weight) for field, boost in TEXT_FIELDS.items()))


@dataclass(frozen=True)
class Unit:
    """One query unit: the words as typed (a phrase keeps its quotes off) and its engine query."""

    label: str
    query: Query


def parse_query(text: str, expander: Expander | None = None) -> tuple[list[Query], list[Expansion]]:
    """One engine query per query unit (a quoted phrase or an analysed word), and the expansions made.

    With an ``expander`` each word is also searched as its synonyms; quoted
    phrases are always searched as written.
    """
    units, expansions = parse_units(text, expander)
    return [u.query for u in units], expansions


def parse_units(text: str, expander: Expander | None = None) -> tuple[list[Unit], list[Expansion]]:
    """Like :func:`parse_query`, each engine query with the words it stands for."""
    units: list[Unit] = []
    expansions: list[Expansion] = []
    rest = _PHRASE.sub(lambda m: _add_phrase(m, units), text)
    rest = rest.replace('"', " ").replace("“", " ").replace("”", " ")
    for surface, group in query_units(rest):
        expansion = expander.expand(surface, group[0]) if expander else None
        query: Query
        if expansion and expansion.practice:
            # Every alias of a practice is indexed under one practice term too;
            # the word as typed adds a little, so that it ranks before its synonyms.
            query = Or((_across_fields([[practice_term(expansion.practice)]], phrase=False),
                        _across_fields([group], phrase=False, weight=TYPED_WORD_WEIGHT)))
        else:
            query = _across_fields([group], phrase=False)
            if expansion:
                query, expansion = _with_synonyms(query, group, expansion)
        if expansion:
            expansions.append(expansion)
        units.append(Unit(surface, query))
    return units, expansions


def _with_synonyms(query: Query, group: list[str], expansion: Expansion) -> tuple[Query, Expansion | None]:
    """``query`` OR each synonym (as a phrase); synonyms analysed like the word itself are dropped.

    A passage scores by its best alternative (not their sum, so naming a
    practice twice over does not outrank naming it once), and the words as
    typed weigh more than their synonyms.
    """
    seen = {tuple(group)}
    alternatives: list[Query] = [query]
    kept: list[str] = []
    for word in expansion.also:
        groups = query_terms(word)
        key = tuple(g[0] for g in groups)
        if not groups or key in seen or (len(groups) == 1 and tuple(groups[0]) in seen):
            continue
        seen.add(key)
        alternatives.append(_across_fields(groups, phrase=True, weight=SYNONYM_WEIGHT))
        kept.append(word)
    if not kept:
        return query, None
    expansion.also = kept
    return DisMax(tuple(alternatives), tiebreak=0.1), expansion


def _add_phrase(match: re.Match[str], units: list[Unit]) -> str:
    inner = next(g for g in match.groups() if g is not None)
    groups = query_terms(inner)
    if groups:
        units.append(Unit(inner, _across_fields(groups, phrase=True)))
    return " "


def holds(query: Query, matched: Mapping[str, frozenset[str]]) -> bool:
    """True when a hit whose fields hold the ``matched`` terms matches ``query`` (phrase order not checked)."""
    if isinstance(query, Term):
        return query.text in matched.get(query.field, frozenset())
    if isinstance(query, Phrase):
        return all(t in matched.get(query.field, frozenset()) for t in query.terms)
    if isinstance(query, Every):
        return True
    if isinstance(query, And):
        return all(holds(child, matched) for child in query.children)
    return any(holds(child, matched) for child in query.children)


def missing_words(units: Sequence[Unit], matched: Mapping[str, frozenset[str]]) -> list[str]:
    """The words of ``units`` a hit lacks (each once, in query order)."""
    out: list[str] = []
    for unit in units:
        if unit.label not in out and not holds(unit.query, matched):
            out.append(unit.label)
    return out


class SearchService:
    """The façade the views use: searches one index through its engine; one reader per thread, renewed on change."""

    def __init__(self, index_dir: Path, engine: str | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.engine: Engine = open_index(self.index_dir, engine)
        self._local = threading.local()
        self.taxonomy: Taxonomy = default_taxonomy()
        self.table = MunicipalityTable.load()
        self.expander = Expander(self.taxonomy, self.table, self.municipalities)
        self.scopes = ScopeFinder(self.table, self.municipalities)
        self._views = SearcherCache(size=32)
        self._fragmenter = PassageFragmenter(maxchars=SNIPPET_CHARS, surround=40)
        self._formatter = PassageFormatter()
        self._scorer = highlight.BasicFragmentScorer()

    def reader(self) -> Reader:
        """This thread's reader, replaced when a commit has landed."""
        current: Reader | None = getattr(self._local, "reader", None)
        if current is None:
            current = self.engine.reader(self.index_dir)
        elif not current.up_to_date():
            # A new reader rather than a refresh: Whoosh would reuse the old
            # reader of a segment whose deletions changed.
            current.close()
            current = self.engine.reader(self.index_dir)
        self._local.reader = current
        return current

    def search(
        self, query: str, *, city: str | None = None, prefecture: str | None = None,
        year: int | None = None, section: str | None = None, limit: int = 20, page: int = 1,
        practice: str | None = None, exact: bool = False, scope: bool = True,
    ) -> dict[str, Any]:
        """Search passages; see the README for the JSON shape.

        Query words are also searched as their synonyms unless ``exact``; a
        city given by its reading (こうべ) filters on the city (神戸市).  A
        place named in the query scopes it (:mod:`index.scope`) unless
        ``exact`` or ``not scope``; filters narrow the scope further (facet links keep it).
        """
        notices: list[str] = []
        city = self._resolve_city(city, notices)
        filters = validate(city=city, prefecture=prefecture, year=year, section=section,
                           limit=limit, page=page, practice=practice)
        query = (query or "").strip()
        if len(query) > MAX_QUERY_CHARS:
            notices.append(f"検索語が長すぎるため先頭{MAX_QUERY_CHARS}文字で検索しました")
        text = query[:MAX_QUERY_CHARS]
        found = self.scopes.find(text) if scope and not exact else None
        if found is not None:
            text = found.rest
            filters = replace(filters, codes=found.codes, prefectures=() if found.codes else found.prefectures)
        units, expansions = parse_units(text, None if exact else self.expander)
        result = self._run(units, text, filters, limit, page)
        result["query"] = query
        result["notices"] = notices + result.get("notices", [])
        result["expanded"] = [e.to_dict() for e in expansions]
        result["exact"] = exact
        result["scope"] = scope_dict(found)
        result["answer"] = self._answer(found, units, filters, result) if found else None
        return result

    def _answer(self, scope: Scope, units: list[Unit], filters: Filters, result: dict[str, Any]) -> dict[str, Any]:
        """The plain answer of a scoped search, with where else the words appear when the scope lacks them."""
        words = "".join(f"「{u.label}」" for u in units)
        if not any(p.indexed for p in scope.places):
            text, found = f"{scope.label}を視察した報告書は収録されていません", False
        elif not units:
            text, found = f"{scope.label}の報告書の記述を{result['total']}件表示しています", True
        elif result["total"] == 0:
            text, found = f"{scope.label}の報告書に{words}の記載はありません", False
        elif result["mode"] != "all":
            text, found = f"{scope.label}の報告書に{words}をすべて含む記載はありません", False
        else:
            text, found = f"{scope.label}の報告書に{words}の記載が{result['total']}件あります", True
        elsewhere = [] if found or not units else self._elsewhere(scope, units, filters)
        return {"found": found, "text": text, "elsewhere": elsewhere}

    def _elsewhere(self, scope: Scope, units: list[Unit], filters: Filters) -> list[dict[str, Any]]:
        """Municipalities outside ``scope`` whose passages hold every word, most passages first."""
        wide = replace(filters, codes=(), prefectures=())
        found = self.reader().search(And(tuple(u.query for u in units)), wide.terms(), page=1, limit=1)
        inside = {p.name for p in scope.places}
        counts = [c for c in _facet_counts(found.facets.get("municipality", {})) if c["value"] not in inside]
        return [{"municipality": c["value"], "count": c["count"]} for c in counts[:ELSEWHERE_SHOWN]]

    def _resolve_city(self, city: str | None, notices: list[str], done: str = "絞り込みました") -> str | None:
        """A city written by its reading becomes its name; names and codes pass as they are."""
        city = (city or "").strip()
        if not city or city.isdigit() or city in self.municipalities():
            return city or None
        name = self.expander.municipality_for_reading(city)
        if name:
            notices.append(f"「{city}」を「{name}」として{done}")
            return name
        return city

    def municipalities(self) -> set[str]:
        """Names of the municipalities that have passages in the index."""
        reader = self.reader()
        cached = getattr(self._local, "names", None)
        if cached is None or cached[0] is not reader:
            names = reader.values("municipality")
            cached = self._local.names = (reader, names)
        result: set[str] = cached[1]
        return result

    def _run(
        self, units: list[Unit], query: str, filters: Filters, limit: int, page: int
    ) -> dict[str, Any]:
        if not units:
            if query:
                return self._empty(query, filters, limit, page, "all",
                                   ["検索できる語が含まれていません"])
            if not filters.active:
                return self._empty(query, filters, limit, page, "none", [])
            return self._execute(_EVERY, query, filters, limit, page, "all")
        queries = [u.query for u in units]
        result = self._execute(And(tuple(queries)), query, filters, limit, page, "all")
        if len(units) > 1 and result["total"] < FEW_HITS:
            mode = "any" if result["total"] == 0 else "some"
            result = self._execute(_all_first(queries), query, filters, limit, page, mode, units)
        return result

    def _execute(
        self, q: Query, query: str, filters: Filters, limit: int, page: int, mode: str,
        units: Sequence[Unit] = (),
    ) -> dict[str, Any]:
        reader = self.reader()
        budget = query_budget_ms()
        deadline = time.monotonic() + budget / 1000 if budget else None
        found = reader.search(q, filters.terms(), page=page, limit=limit, deadline=deadline)
        total = found.total
        return {
            "query": query, "total": total, "mode": mode, "page": page, "limit": limit,
            "pages": max(1, math.ceil(total / limit)), "filters": filters.to_dict(),
            "hits": [self._hit(reader, hit, units) for hit in found.hits],
            "facets": {name: self._facet(name, found.facets.get(name, {})) for name in FACET_FIELDS},
            "notices": [PARTIAL_NOTICE] if found.partial else [], "partial": found.partial,
        }

    def _empty(
        self, query: str, filters: Filters, limit: int, page: int, mode: str, notices: list[str]
    ) -> dict[str, Any]:
        return {
            "query": query, "total": 0, "mode": mode, "page": page, "limit": limit, "pages": 1,
            "filters": filters.to_dict(), "hits": [],
            "facets": {name: [] for name in FACET_FIELDS}, "notices": notices, "partial": False,
        }

    def _facet(self, name: str, groups: dict[Any, int]) -> list[dict[str, Any]]:
        counts = _facet_counts(groups)
        if name == "practice":
            for entry in counts:
                entry["label"] = self.practice_name(entry["value"])
        return counts

    def practice_name(self, practice_id: str) -> str:
        """The Japanese name of a practice id ("" when the taxonomy no longer has it)."""
        practice = self.taxonomy.get(practice_id)
        return practice.name if practice else ""

    def _hit(self, reader: Reader, hit: Hit, units: Sequence[Unit] = ()) -> dict[str, Any]:
        """A hit as the JSON shows it; with ``units`` (some/any mode), the words it lacks in ``missing``."""
        fields = hit.fields
        matched = {name: reader.matched_terms(hit, name) for name in TEXT_FIELDS} if units else {}
        return {
            "id": fields["id"], "passage": fields["passage"], "file": fields["file"],
            "title": fields.get("title", ""), "body": fields.get("body", ""),
            "council": fields.get("council", ""), "municipality": fields.get("municipality", ""),
            "prefecture": fields.get("prefecture", ""), "code": fields.get("code", ""),
            "date": fields.get("date", ""), "year": fields.get("year", ""),
            "section": fields.get("section", ""), "heading": fields.get("heading", ""),
            "text": fields["text"], "snippet": self._snippet(reader, hit),
            "practices": [
                {"id": pid, "name": self.practice_name(pid)}
                for pid in practice_ids(fields)
            ],
            "score": round(float(hit.score or 0.0), 4),
            "missing": missing_words(units, matched) if units else [],
        }

    def _snippet(self, reader: Reader, hit: Hit) -> str:
        text: str = hit.fields["text"]
        spans = reader.matched_spans(hit, "text")
        if spans is not None:
            snippet = self.highlight_spans(text, spans)
        else:
            words = reader.matched_terms(hit, "text")
            snippet = self.highlight(text, words) if words else ""
        if snippet:
            return snippet
        # The match was in the heading or title: show the passage's start.
        if len(text) <= WHOLE_PASSAGE_CHARS:
            return html.escape(text, quote=False)
        return html.escape(text[:SNIPPET_CHARS], quote=False) + "…"

    def report(self, file: str) -> dict[str, Any]:
        """The parsed report stored for ``file``; NotFoundError if none.

        ``copy_of`` names the original when ``file`` is a copy of another
        file's report ("" otherwise), ``copies`` the copies of this one (at
        most :data:`MAX_COPIES`, ``more_copies`` says how many more).
        """
        reader = self.reader()
        doc = reader.report(file)
        if doc is None:
            raise NotFoundError("この報告書は索引にありません", subject=file)
        data: dict[str, Any] = json.loads(doc["report_json"])
        copies = reader.copies(file)
        data.update(copy_of=str(doc.get("copy_of") or ""), copies=copies[:MAX_COPIES],
                    more_copies=max(0, len(copies) - MAX_COPIES))
        return data

    def practices(self) -> dict[str, Any]:
        """The practice catalogue by category, with how many cities and reports mention each."""
        reader = self.reader()
        # The catalogue stands until the index changes.
        return copy.deepcopy(self._views.get(reader, "catalogue", lambda: catalogue(reader, self.taxonomy)))

    def practice(self, practice_id: str, page: int = 1) -> dict[str, Any]:
        """Who does one practice, one page of cities with evidence; NotFoundError for an unknown id.

        ``page`` beyond the last gives no cities; below 1 is a QueryError.
        """
        practice = self.taxonomy.practice(practice_id)
        check_page(page)
        return practice_page(self.reader(), self.taxonomy, practice, page)

    def city(self, key: str, page: int = 1, *, follow: bool = False) -> dict[str, Any]:
        """A municipality's page by code, name or reading (see :func:`index.cities.city`).

        A name naming one municipality gives ``{"redirect": code}`` unless
        ``follow``; several give ``{"choices": [...]}``; none is a NotFoundError.
        """
        from index.cities import city

        if page < 1:
            raise _refuse("page")
        return city(self.reader(), self.taxonomy, self.table, key, page, follow=follow)

    def resolve_cities(self, raw: str | Sequence[str], notices: list[str]) -> list[City]:
        """Comparison columns for city names, codes, readings (こうべ → 神戸市) or 富山県朝日町.

        A name shared by several municipalities with reports gives a column
        for each; a real municipality without reports gets an empty column
        and a notice; anything else is a QueryError naming ``cities``.
        """
        names = split_names(raw)
        if not names:
            raise QueryError("cities に比較する市区町村を指定してください（例：大阪市,神戸市）", subject="cities")
        columns: dict[str, City] = {}
        for name in names:
            for city in self._cities(name, notices):
                columns.setdefault(city.id, city)
        if len(columns) > MAX_CITIES:
            raise QueryError(f"cities に指定できる市区町村は{MAX_CITIES}団体までです", subject="cities")
        return list(columns.values())

    def _cities(self, raw: str, notices: list[str]) -> list[City]:
        row = self._named_row(raw)
        if row is not None:
            key = row.name if row.is_prefecture else f"{row.prefecture}{row.name}"
            return [load_code(self.reader(), row.name, row.prefecture, row.code, key)]
        name = self._resolve_city(raw, notices, "比較しました") or raw
        if name in self.municipalities():
            cities = load_cities(self.reader(), name)
            if len(cities) > 1:
                notices.append(f"{name}は{len(cities)}団体あるため、都道府県ごとに並べました")
            return cities
        known = self.table.resolve(name)
        if known is None:
            raise QueryError(f"cities の「{raw}」は市区町村として見つかりません", subject="cities")
        notices.append(f"{known.name}の視察報告書は収録されていません")
        return [City(known.name, known.prefecture, known.code, (), known.name)]

    def _named_row(self, raw: str) -> Municipality | None:
        """The one municipality a code (281000) or a prefecture plus name (富山県朝日町) names."""
        if raw.isdigit():
            row = self.table.by_code(raw)
            if row is None:
                raise QueryError(f"cities の「{raw}」は団体コードとして見つかりません", subject="cities")
            return row
        for prefecture in self.table.prefecture_names():
            if raw.startswith(prefecture) and len(raw) > len(prefecture):
                return self.table.resolve(raw[len(prefecture):], prefecture)
        return None

    def compare(self, cities: str | Sequence[str], query: str = "", categories: Sequence[str] = (),
                exact: bool = False) -> dict[str, Any]:
        """Cities side by side by practice, with figures, Q&A and observations (see the README)."""
        notices: list[str] = []
        columns = self.resolve_cities(cities, notices)
        known = {c.id for c in self.taxonomy.categories}
        for category in categories:
            if category not in known:
                raise QueryError(f"category の「{category}」は取組の分野にありません", subject="category")
        query = (query or "").strip()[:MAX_QUERY_CHARS]
        matches: dict[str, dict[str, Any]] | None = None
        expanded: list[dict[str, Any]] = []
        if query:
            matches, expanded = self.city_matches(query, [c for c in columns if c.passages], exact=exact)
        result = comparison(self.reader(), columns, self.taxonomy, query=query, matches=matches,
                            categories=categories)
        result["expanded"] = expanded
        result["exact"] = exact
        result["notices"] = notices
        return result

    def compare_qa(self, query: str = "", practice: str | None = None, cities: str | Sequence[str] = (),
                   exact: bool = False) -> dict[str, Any]:
        """The Q&A pairs about a query or a practice, one column per municipality."""
        query = (query or "").strip()[:MAX_QUERY_CHARS]
        if not query and not practice:
            raise QueryError("q（検索語）か practice（取組のID）を指定してください", subject="q")
        validate(city=None, prefecture=None, year=None, section="qa", limit=1, page=1, practice=practice)
        notices: list[str] = []
        columns = self.resolve_cities(cities, notices) if split_names(cities) else []
        if columns:
            grouped, expanded = self.city_matches(query, columns, exact=exact, section="qa",
                                                  practice=practice, shown=0)
            hits = [hit for c in columns for hit in grouped.get(c.id, {"hits": []})["hits"]]
            total = sum(g["total"] for g in grouped.values())
        else:
            # The Q&A view has its own city boxes: a place in its query is searched as a word.
            run = self.search(query, section="qa", practice=practice, limit=MAX_LIMIT, exact=exact, scope=False)
            hits, total, expanded = run["hits"], run["total"], run["expanded"]
            notices += run["notices"]
        sources = Sources()
        return {
            "query": query, "practice": practice, "practice_name": self.practice_name(practice or ""),
            "cities": qa_columns(hits, self.reader(), sources, columns), "total": total,
            "expanded": expanded, "exact": exact, "sources": sources.entries, "notices": notices,
        }

    def city_matches(self, query: str, columns: Sequence[City], *, exact: bool = False,
                     section: str | None = None, practice: str | None = None,
                     shown: int = MATCHES_PER_CITY) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
        """One search over the passages of ``columns``, its hits grouped by city, best first.

        Each city gets ``{"total", "hits", "expanded"}``; its first ``shown``
        hits are full search hits (with snippets), the rest name their passage.
        One search for all the columns costs what one city's search costs.
        """
        units, expansions = parse_query(query[:MAX_QUERY_CHARS], None if exact else self.expander)
        expanded = [e.to_dict() for e in expansions]
        filters = Filters(section=section, practice=practice, codes=tuple(sorted(c.code for c in columns if c.code)))
        grouped: dict[str, dict[str, Any]] = {c.id: {"total": 0, "hits": [], "expanded": expanded} for c in columns}
        if not filters.codes or (not units and not practice):
            return grouped, expanded
        reader = self.reader()
        for hit in self._ranked(reader, units, filters):
            fields = hit.fields
            group = grouped.get(str(fields.get("code") or fields.get("municipality", "")))
            if group is not None:
                group["total"] += 1
                group["hits"].append(self._hit(reader, hit) if len(group["hits"]) < shown else _brief(fields))
        return grouped, expanded

    def _ranked(self, reader: Reader, units: list[Query], filters: Filters) -> list[Hit]:
        """Every passage allowed by ``filters`` matching ``units``, best first (all units, else some)."""
        terms = filters.terms()
        limit = 1_000_000
        found = reader.search(And(tuple(units)) if units else _EVERY, terms, page=1, limit=limit)
        if len(units) > 1 and found.total < FEW_HITS:
            found = reader.search(_all_first(units), terms, page=1, limit=limit)
        return found.hits

    def highlight(self, text: str, words: frozenset[str]) -> str:
        """``text`` as an HTML snippet with the analysed ``words`` marked ("" when none occurs).

        The text is analysed again (only shown hits are), and the marks are
        placed as Whoosh's pinpoint highlighting places them.
        """
        return self.highlight_spans(text, [(start, end) for _, start, end in term_spans(text, words)])

    def highlight_spans(self, text: str, spans: Sequence[tuple[int, int]]) -> str:
        """``text`` as an HTML snippet with the character ``spans`` marked ("" when there are none)."""
        tokens = [Token(text=text[start:end], startchar=start, endchar=end) for start, end in spans]
        if not tokens:
            return ""
        tokens.sort(key=lambda t: t.startchar)
        tokens = [max(group, key=lambda t: t.endchar - t.startchar)
                  for _, group in groupby(tokens, lambda t: t.startchar)]
        fragments = self._fragmenter.fragment_matches(text, tokens)
        best = highlight.top_fragments(fragments, 2, self._scorer, highlight.FIRST, minscore=1)
        snippet: str = self._formatter.format(best)
        return snippet

    def matrix(self, prefecture: str | None = None, year: int | None = None,
               sort: str = "code") -> dict[str, Any]:
        """Municipalities × practice categories, counted in passages (see :mod:`index.matrix`)."""
        if year is not None and not 1 <= year <= 9999:
            raise _refuse("year")
        filters = MatrixFilters(prefecture or None, year)
        check_sort(sort or "code", self.taxonomy)
        reader = self.reader()
        # The rows stand until the index changes.
        rows = self._views.get(reader, ("matrix", filters),
                               lambda: matrix_rows(reader, self.taxonomy, self.table, filters))
        return matrix(rows, reader, self.taxonomy, self.table, filters=filters, sort=sort or "code")

    def stats(self, page: int = 1) -> dict[str, Any]:
        """Counts of reports and passages (made once per index state) and one page of the reports, by file name.

        ``reports`` and the list hold originals only; ``copies`` counts the
        files stored as copies of another's report (listed on its page).

        ``page`` beyond the last gives no reports; below 1 is a QueryError.
        """
        check_page(page)
        reader = self.reader()
        counts = self._views.get(reader, "stats", lambda: _stats(reader))
        files = [{"file": d["file"], "title": d.get("title", ""), "council": d.get("council", ""),
                  "body": d.get("body", "")}
                 for d in reader.report_summaries((page - 1) * REPORTS_PER_PAGE, REPORTS_PER_PAGE, originals=True)]
        pages = max(1, math.ceil(counts["reports"] / REPORTS_PER_PAGE))
        return {**counts, "files": files, "page": page, "pages": pages, "total": counts["reports"],
                "limit": REPORTS_PER_PAGE}


def _stats(reader: Reader) -> dict[str, Any]:
    """The counts of :meth:`SearchService.stats`, counted by the engine from ``reader``."""
    places = reader.group_counts(("prefecture", "municipality"), {})
    municipalities: dict[str, int] = {}
    for (_, name), n in places.items():
        municipalities[name] = municipalities.get(name, 0) + n
    return {
        "reports": reader.report_count(originals=True), "passages": sum(places.values()),
        "copies": reader.report_count() - reader.report_count(originals=True),
        "municipalities": _facet_counts(municipalities),
        "prefectures": visited_by_prefecture((p, m) for p, m in places),
    }


def _brief(fields: dict[str, Any]) -> dict[str, Any]:
    """A hit without snippet or score: which passage it is, where and when, and its practices."""
    keys = ("file", "passage", "municipality", "prefecture", "code", "date", "title", "council", "body")
    return {**{k: fields.get(k, "") for k in keys}, "practices": [{"id": pid} for pid in practice_ids(fields)]}


def _facet_counts(groups: dict[Any, int]) -> list[dict[str, Any]]:
    """Facet values with counts, most frequent first; empty values dropped."""
    pairs = [(str(v), int(c)) for v, c in groups.items() if v not in (None, "")]
    pairs.sort(key=lambda p: (-p[1], p[0]))
    return [{"value": v, "count": c} for v, c in pairs]
