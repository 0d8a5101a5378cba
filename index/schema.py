"""The Whoosh schema of the DXKB index.

Two kinds of document live in one index so that a commit changes both at
once: ``passage`` documents (what is searched) and one ``report`` document per
file (its parse as JSON and the fingerprint of its bytes, used to skip
unchanged files and to show the report page; its copy-detection ``signature``,
blocking ``keys`` and ``copy_of``, see :mod:`kb.copies`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whoosh import fields

from index.analysis import JapaneseAnalyzer

TEXT_FIELDS: dict[str, float] = {"text": 1.0, "heading": 0.4}
"""Searchable fields and their BM25F boosts."""

FACET_FIELDS: tuple[str, ...] = ("municipality", "prefecture", "year", "section", "practice")
"""Fields counted for facets; ``practice`` holds several values per passage."""

FACET_COLUMNS: dict[str, str] = {"practice": "practice_set"}
"""Multi-valued facets and the column holding each document's set of values."""


def make_schema() -> fields.Schema:
    """Build the schema; the analyser creates its Sudachi tokenizer lazily."""
    analyzer = JapaneseAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        file=fields.ID(stored=True),
        passage=fields.ID(stored=True),
        text=fields.TEXT(analyzer=analyzer, stored=True, chars=True),
        heading=fields.TEXT(analyzer=analyzer, stored=True, chars=True),
        title=fields.STORED(),
        body=fields.STORED(),
        council=fields.STORED(),
        municipality=fields.ID(stored=True, sortable=True),
        prefecture=fields.ID(stored=True, sortable=True),
        code=fields.ID(stored=True),
        date=fields.ID(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        section=fields.ID(stored=True, sortable=True),
        practice=fields.KEYWORD(stored=True, commas=True, scorable=False),
        practice_set=fields.ID(sortable=True),
        order=fields.NUMERIC(stored=True, sortable=True),
        source=fields.STORED(),
        sha256=fields.STORED(),
        report_json=fields.STORED(),
        signature=fields.STORED(),
        rank=fields.STORED(),
        keys=fields.KEYWORD(),
        copy_of=fields.ID(stored=True),
    )


def practice_ids(fields: Mapping[str, Any]) -> list[str]:
    """The practice ids a passage's stored ``practice`` field holds (``"byod,intune"``)."""
    return [pid for pid in str(fields.get("practice", "")).split(",") if pid]


def schema_signature(schema: fields.Schema) -> str:
    """The analysis signature a schema's text analyser was made with ("" for an old index)."""
    analyzer: Any = schema["text"].analyzer
    tokenizer = analyzer[0] if hasattr(analyzer, "items") else analyzer
    return str(getattr(tokenizer, "signature", ""))
