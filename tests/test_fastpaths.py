"""Search fast paths give what Whoosh's own facets and filters give."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import sorting
from whoosh.query.compound import And

from index.fastpaths import FilterCache, search_page
from index.schema import FACET_COLUMNS, FACET_FIELDS
from index.search import Filters, SearchService, parse_query
from index.whoosh_engine import WhooshReader, filter_query, to_whoosh


@pytest.mark.parametrize(("query", "filters"), [
    ("タブレット", Filters()),
    ("生成AI", Filters(section="qa")),
    ("議会", Filters(prefecture="兵庫県")),
    ("BYOD", Filters(year=2022)),
])
def test_page_and_facets_match_whoosh_groupedby(whoosh_service: SearchService, query: str,
                                               filters: Filters) -> None:
    reader = whoosh_service.reader()
    assert isinstance(reader, WhooshReader)
    searcher = reader.searcher
    q = And([to_whoosh(u) for u in parse_query(query)[0]])
    facets = {
        name: sorting.FieldFacet(name, maptype=sorting.Count, allow_overlap=name in FACET_COLUMNS)
        for name in FACET_FIELDS
    }
    expected = searcher.search_page(q, 1, pagelen=5, filter=filter_query(filters.terms()), groupedby=facets)
    allowed = FilterCache().docs(searcher, filters, filter_query(filters.terms()))
    page, matched, partial = search_page(searcher, q, allowed, 1, 5)
    assert not partial
    assert len(page) == len(expected) > 0
    assert [hit.docnum for hit in page] == [hit.docnum for hit in expected]
    counts = reader._facets(matched)
    for name in FACET_FIELDS:
        want = {str(k): v for k, v in expected.results.groups(name).items() if k not in (None, "")}
        got = {k: v for k, v in counts[name].items() if k}
        assert got == want, name


def test_empty_filter_matches_nothing(service: SearchService) -> None:
    # Whoosh would read an empty allow-set as "no filter".
    assert service.search("タブレット", city="存在しない市")["total"] == 0


def test_filter_sets_are_reused_per_searcher(whoosh_service: SearchService) -> None:
    reader = whoosh_service.reader()
    assert isinstance(reader, WhooshReader)
    cache, searcher, filters = FilterCache(), reader.searcher, Filters(section="qa")
    first = cache.docs(searcher, filters, filter_query(filters.terms()))
    assert cache.docs(searcher, filters, filter_query(filters.terms())) is first


def test_cli_import_loads_no_heavy_module() -> None:
    code = "import sys, webui.cli; print(sorted(m for m in ('flask', 'whoosh', 'sudachipy') if m in sys.modules))"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.strip() == "[]"
