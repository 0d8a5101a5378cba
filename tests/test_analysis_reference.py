"""The optimised indexing analyser against a straightforward reference written from its rules.

The reference below re-derives every position from Sudachi alone: part-of-speech strings,
no cache, a linear overlay of the taxonomy phrases, short units split on the spot.  It
must give exactly what index_spans and index_positions give, on the bundled reports'
texts, on generated reports, on one text long enough to be cut, and on edge cases.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sudachipy import SplitMode

from index.analysis import (
    MAX_CHUNK_BYTES,
    get_dictionary,
    index_positions,
    index_spans,
    reset_caches,
    split_for_sudachi,
)
from index.userdict import needs_phrase_pass
from kb.readers import SUPPORTED_SUFFIXES, read_document
from kb.taxonomy import alias_key, default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # bench/ is a folder of scripts, found via sys.path

Span = tuple[str, int, int]
DROPPED = {"助詞", "助動詞", "補助記号", "空白"}
EDGE_CASES = [
    "", "。", "関西国際空港の ＢＹＯＤ と Power Platform、e-KOBE",
    "α版とβ'モデル、α β γ、★☆※", "リモートワークとテレワーク", "面積は１０㎢（10km2）",
    "ＡＩ－ＯＣＲとAI-OCR、Microsoft　365とＭｉｃｒｏｓｏｆｔ３６５", "ｶﾞｲﾄﾞﾗｲﾝとガイドライン",
    "DX基礎研修、会議のペーパーレス化、キャッシュレス決済", "株式会社と㍿", "㍿と株式会社、㌔メートル", "😀絵文字と\u200bゼロ幅\u3000空白\t",
]


def _dropped(m: Any) -> bool:
    top = m.part_of_speech()[0]
    if top == "記号":
        return not any(unicodedata.category(ch)[0] in "LN" for ch in m.surface())
    return top in DROPPED


def _term(form: str) -> str:
    return unicodedata.normalize("NFKC", form).lower().strip()


def _long(form: str, length: int) -> list[Span]:
    term = _term(form)
    if not term:
        return []
    practice = default_taxonomy().by_alias(term)
    return [(term, 0, length)] + ([("§" + practice.id, 0, length)] if practice else [])


def _shorts(words: list[Any], base: int) -> list[Span]:
    return [(_term(w.normalized_form()), w.begin() - base, w.end() - base)
            for w in words if not _dropped(w) and _term(w.normalized_form())]


def _plain_words(text: str) -> list[Any]:
    words = [w for w in get_dictionary(plain=True).tokenizer(SplitMode.A).tokenize(text) if not _dropped(w)]
    return words if len(words) > 1 else []


def _morpheme(m: Any) -> list[Span]:
    if _dropped(m):
        return []
    spans = _long(m.normalized_form(), len(m.surface()))
    if len(m.surface()) > 1:
        if m.dictionary_id() > 0:
            spans += _shorts(_plain_words(m.surface()), 0)
        else:
            split = list(m.split(SplitMode.A, add_single=False))
            spans += _shorts(split if len(split) > 1 else [], m.begin())
    return spans


def _phrase(text: str) -> list[Span]:
    return _long(alias_key(text), len(text)) + _shorts(_plain_words(text), 0)


def reference_spans(text: str) -> list[list[Span]]:
    """Per position, its spans in ``text``: the indexing rules applied one morpheme at a time."""
    tokenizer = get_dictionary().tokenizer(SplitMode.C)
    positions: list[list[Span]] = []

    def add(spans: list[Span], base: int) -> None:
        if spans:
            positions.append([(term, base + start, base + end) for term, start, end in spans])

    for offset, piece in split_for_sudachi(text, MAX_CHUNK_BYTES):
        morphemes = list(tokenizer.tokenize(piece))
        phrases = [(m.start, m.end) for m in default_taxonomy().find(piece) if needs_phrase_pass(m.text)]
        i = 0
        for start, end in [*phrases, (len(piece) + 1, len(piece) + 1)]:
            while i < len(morphemes) and morphemes[i].end() <= start:
                add(_morpheme(morphemes[i]), offset + morphemes[i].begin())
                i += 1
            while i < len(morphemes) and morphemes[i].begin() < end:
                i += 1
            if end <= len(piece):
                add(_phrase(piece[start:end]), offset + start)
    return positions


def _distinct(spans: list[list[Span]]) -> list[list[str]]:
    return [list(dict.fromkeys(term for term, _, _ in position)) for position in spans]


def _texts() -> list[tuple[str, str]]:
    paths = sorted(p for p in (ROOT / "data" / "reports").iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
    texts = [(p.name, read_document(p).text) for p in paths]
    pools = generate.load_pools()
    texts += [(f"generated-{i}", generate.generate_report(i, 7, pools).text) for i in range(8)]
    long_text = "\n".join(text for _, text in texts)
    assert len(long_text.encode("utf-8")) > 3 * MAX_CHUNK_BYTES
    return [*texts, ("all-in-one", long_text), *((f"edge-{i}", t) for i, t in enumerate(EDGE_CASES))]


TEXTS = _texts()


def test_the_reference_sees_phrases_user_words_and_several_pieces() -> None:
    long_text = dict(TEXTS)["all-in-one"]
    terms = {term for position in reference_spans(long_text) for term, _, _ in position}
    assert len(split_for_sudachi(long_text)) > 3
    assert {"powerplatform", "ekobe", "§byod", "dx基礎研修"} <= terms | {
        term for t in EDGE_CASES for p in reference_spans(t) for term, _, _ in p}


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[name for name, _ in TEXTS])
def test_index_spans_and_positions_equal_the_reference(name: str, text: str) -> None:
    expected = reference_spans(text)
    reset_caches()
    # First pass (empty caches), then a second with every word cached.
    for _ in range(2):
        assert index_spans(text) == expected, name
        assert index_positions(text) == _distinct(expected), name
