"""Japanese text analysis for the search index (SudachiPy morphemes as Whoosh tokens).

Pipeline (see :func:`JapaneseAnalyzer`)::

    SudachiTokenizer() | PartOfSpeechStopFilter() | SudachiNormalizeFilter()

Indexing model
--------------
Every long unit (Sudachi ``SplitMode.C``, e.g. ``関西国際空港``) becomes one
position.  When the long unit splits into short units (``SplitMode.A``: ``関西``,
``国際``, ``空港``) those are indexed too, at the SAME position as the long unit.
Positions therefore count long units only; particles, auxiliaries, punctuation
and whitespace are dropped and leave no gap.

Terms are Sudachi's normalized form, NFKC-folded and lower-cased
(``シュミレーション`` → ``シミュレーション``, ``ＢＹＯＤ``/``byod`` → ``byod``).
A normalized form containing a space (``リモートワーク`` → ``remote work``) stays
ONE term; it is produced identically at index and query time, so it matches.

Query model
-----------
:func:`query_terms` returns one group per query position: ``[long, *shorts]``.
A document matches a group when it holds the long-unit term, OR all of the
short-unit terms (anywhere in the document; short units share one position, so
they cannot be matched as a phrase).  A query matches when every group
matches.  :func:`build_query` turns the groups into that Whoosh query; the
long-unit alternative adds little recall but ranks exact long units higher.
Whoosh's own ``QueryParser`` would AND every token of a word (long AND short
units), so it misses ``関西の国際空港`` for ``関西国際空港``: build queries
from :func:`query_terms` instead.

Texts longer than Sudachi's input limit are analysed in pieces cut at line
ends (see :func:`split_for_sudachi`); offsets always refer to the text given.

The analyser is picklable (Whoosh pickles the schema) and thread-safe: one
Sudachi dictionary per process, one Sudachi tokenizer per thread.
"""

from __future__ import annotations

import functools
import operator
import os
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from sudachipy import Config, Dictionary, SplitMode
from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.analysis.filters import Filter
from whoosh.analysis.tokenizers import Tokenizer
from whoosh.query.compound import And, Or
from whoosh.query.qcore import NullQuery, Query
from whoosh.query.terms import Term

from index.userdict import dictionary_key, needs_phrase_pass, user_dictionary
from kb.taxonomy import Taxonomy, alias_key, default_taxonomy

DICTIONARY_NAME = "core"
# Sudachi rejects inputs over 49,149 UTF-8 bytes; stay well below.
MAX_CHUNK_BYTES = 40_000
# Preferred cut points inside one over-long line, best first.
_SENTENCE_ENDS = "。．！？!?"
_CLAUSE_ENDS = "、，,；;\u3000 \t"

# Part-of-speech decisions, by the first POS level.
_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})
_CHECKED_POS = frozenset({"記号"})
_KEEP, _DROP, _CHECK = 0, 1, 2

# The only word fields the analysis reads: Sudachi then decodes no others (surface() is the input's).
_FIELDS = {"pos", "normalized_form", "split_a"}

_dictionary_lock = threading.Lock()
_dictionaries: dict[str, Any] = {}
_dictionary_pid = -1
_thread_state = threading.local()
# pos id → _KEEP/_DROP/_CHECK; pos ids are fixed by the one dictionary in use.
_pos_decisions: dict[int, int] = {}


def get_dictionary(plain: bool = False) -> Any:
    """Return this process's shared Sudachi dictionary, loading it on first use.

    The dictionary holds the practice user dictionary; ``plain=True`` gives
    the system dictionary alone, used to split practice terms into words.
    """
    global _dictionary_pid
    pid = os.getpid()
    key = "plain" if plain else "user"
    if _dictionary_pid != pid or key not in _dictionaries:
        with _dictionary_lock:
            if _dictionary_pid != pid:
                _dictionaries.clear()
                _dictionary_pid = pid
            if key not in _dictionaries:
                _dictionaries[key] = _load_dictionary(plain)
    return _dictionaries[key]


def _load_dictionary(plain: bool) -> Any:
    if plain:
        return Dictionary(dict=DICTIONARY_NAME)
    user = str(user_dictionary(default_taxonomy()))
    return Dictionary(config=Config(user=[user]), dict=DICTIONARY_NAME)


def _thread_tokenizer(plain: bool = False) -> Any:
    """Return this thread's Sudachi tokenizer (Sudachi tokenizers are not shareable)."""
    dictionary = get_dictionary(plain)
    state = _thread_state
    attr = "plain" if plain else "user"
    cached = getattr(state, attr, None)
    if cached is None or cached[0] is not dictionary:
        cached = (dictionary, dictionary.tokenizer(SplitMode.C, fields=_FIELDS))
        setattr(state, attr, cached)
    return cached[1]


# ---------------------------------------------------------------------------
# Cutting long texts for Sudachi


def split_for_sudachi(text: str, limit: int = MAX_CHUNK_BYTES) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` pairs of at most ``limit`` UTF-8 bytes.

    Pieces end at line ends; a single longer line is cut at a sentence end,
    else at a clause end or space, else at a character boundary.  Joining the
    pieces gives back ``text``; ``offset`` is each piece's start in ``text``.
    """
    if len(text) * 4 <= limit or len(text.encode("utf-8")) <= limit:
        return [(0, text)] if text else []
    pieces: list[tuple[int, str]] = []
    start = end = size = 0
    for line in text.splitlines(keepends=True):
        line_bytes = len(line.encode("utf-8"))
        if size + line_bytes > limit and end > start:
            pieces.append((start, text[start:end]))
            start, size = end, 0
        if line_bytes > limit:
            pieces.extend(_cut_long_line(line, end, limit))
            start = end + len(line)
        else:
            size += line_bytes
        end += len(line)
    if end > start:
        pieces.append((start, text[start:end]))
    return pieces


def _cut_long_line(line: str, offset: int, limit: int) -> Iterator[tuple[int, str]]:
    """Cut one line longer than ``limit`` bytes; ``offset`` is its start in the text."""
    while line:
        head = line.encode("utf-8")[:limit].decode("utf-8", "ignore")
        cut = len(head)
        if cut < len(line):
            cut = _best_cut(head) or cut
        yield offset, line[:cut]
        offset += cut
        line = line[cut:]


def _best_cut(head: str) -> int:
    """Index just after the last sentence end (else clause end) in ``head``; 0 if none."""
    for marks in (_SENTENCE_ENDS, _CLAUSE_ENDS):
        last = max(head.rfind(mark) for mark in marks)
        if last >= 0:
            return last + 1
    return 0


# ---------------------------------------------------------------------------
# Whoosh pipeline


ANALYSIS_VERSION = "3"
"""Bumped whenever the terms produced for a text change."""


def analysis_signature() -> str:
    """The analysis version with the user dictionary's key (taxonomy, system dictionary, SudachiPy)."""
    return f"{ANALYSIS_VERSION}:{dictionary_key(default_taxonomy())}"


class SudachiToken(Token):
    """Whoosh token carrying Sudachi data between the stages of the pipeline."""

    morpheme: Any  # the Sudachi morpheme; None for tokenize=False
    subunit: bool  # True for a short unit (shares its long unit's position)
    posstop: bool  # True when its part of speech makes it no term (see is_dropped)
    original: str


class SudachiTokenizer(Tokenizer):
    """Yield one token per Sudachi long unit, then its short units at the same position.

    ``text`` is the surface; :class:`PartOfSpeechStopFilter` removes the tokens
    marked ``posstop`` and :class:`SudachiNormalizeFilter` turns ``text`` into
    the term.  Long units that will be stopped are not split (saves time).
    """

    def __init__(
        self, subunits: bool = True, chunk_bytes: int = MAX_CHUNK_BYTES, signature: str | None = None
    ) -> None:
        self.subunits = subunits
        self.chunk_bytes = chunk_bytes
        # What the terms depend on; an index built with another signature is outdated.
        self.signature = analysis_signature() if signature is None else signature

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __getstate__(self) -> dict[str, Any]:
        # Only configuration travels; Sudachi objects live per process/thread.
        return {"subunits": self.subunits, "chunk_bytes": self.chunk_bytes, "signature": self.signature}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"signature": "", **state})

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[SudachiToken]:
        """Tokenise ``value``; arguments follow Whoosh's tokenizer contract."""
        t = SudachiToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            return self._tokens(t, value, start_pos, start_char, keeporiginal)
        end = start_char + len(value)
        _fill(t, value, start_pos, start_char, end, None, False, False, keeporiginal)
        return iter([t])

    def _tokens(
        self, t: SudachiToken, value: str, pos: int, start_char: int, keep: bool
    ) -> Iterator[SudachiToken]:
        """Tokens of ``value`` cut into pieces Sudachi accepts, taxonomy phrases whole."""
        position = [pos]
        for offset, piece in split_for_sudachi(value, self.chunk_bytes):
            base = start_char + offset
            phrases = list(phrase_spans(piece))
            if not phrases:
                yield from self._morpheme_tokens(t, piece, base, position, keep)
                continue
            morphemes = _thread_tokenizer().tokenize(piece)
            for start, end, phrase in _overlay(morphemes, phrases):
                if phrase is None:
                    yield from self._morpheme_tokens(t, piece, base, position, keep, [morphemes[i] for i in range(start, end)])
                else:
                    yield from self._phrase_tokens(t, piece[start:end], phrase, base + start, position, keep)

    def _morpheme_tokens(
        self, t: SudachiToken, text: str, base: int, position: list[int], keep: bool,
        morphemes: Any = None,
    ) -> Iterator[SudachiToken]:
        """One token per long unit of ``text`` (starting at ``base``), then its short units.

        ``morphemes`` are those of ``text`` when already tokenised.
        """
        if morphemes is None:
            morphemes = _thread_tokenizer().tokenize(text)
        for m in morphemes:
            begin, end = m.begin(), m.end()
            surface = text[begin:end]
            stop = is_dropped(m, surface)
            _fill(t, surface, position[0], base + begin, base + end, m, False, stop, keep)
            yield t
            if self.subunits and not stop and end - begin > 1:
                yield from self._subunit_tokens(t, m, text, position[0], base, keep)
            position[0] += 1

    def _subunit_tokens(
        self, t: SudachiToken, m: Any, text: str, pos: int, base: int, keep: bool
    ) -> Iterator[SudachiToken]:
        """Short units of the long unit ``m`` of ``text`` (which starts at ``base``).

        A practice term of the user dictionary is split by the system
        dictionary, so that 研修 still finds DX基礎研修.
        """
        if m.dictionary_id() > 0:
            begin = m.begin()
            surface = text[begin:m.end()]
            words = [w for w in _thread_tokenizer(plain=True).tokenize(surface, SplitMode.A)
                     if not is_dropped(w, w.surface())]
            if len(words) > 1:
                yield from _short_tokens(t, words, surface, pos, base + begin, keep)
            return
        shorts = m.split(SplitMode.A, add_single=False)
        if len(shorts) > 1:
            yield from _short_tokens(t, shorts, text, pos, base, keep)

    def _phrase_tokens(
        self, t: SudachiToken, text: str, phrase: PhraseUnit, base: int,
        position: list[int], keep: bool,
    ) -> Iterator[SudachiToken]:
        """A taxonomy phrase as one long unit; its words follow as short units."""
        pos = position[0]
        _fill(t, text, pos, base, base + len(text), phrase, False, False, keep)
        yield t
        if self.subunits:
            words = [m for m in _thread_tokenizer(plain=True).tokenize(text, SplitMode.A)
                     if not is_dropped(m, m.surface())]
            if len(words) > 1:
                yield from _short_tokens(t, words, text, pos, base, keep)
        position[0] += 1


class PhraseUnit:
    """Stands in for a Sudachi morpheme for a taxonomy phrase found before tokenisation."""

    __slots__ = ("term",)

    def __init__(self, term: str) -> None:
        self.term = term

    def normalized_form(self) -> str:
        """The phrase's index term (its alias key)."""
        return self.term


def phrase_spans(text: str, taxonomy: Taxonomy | None = None) -> Iterator[tuple[int, int, PhraseUnit]]:
    """``(start, end, phrase)`` of the taxonomy phrases in ``text`` a user dictionary cannot hold.

    Only mentions written with a space, hyphen or other mark are phrases
    (``Power Platform``, ``e-KOBE``, ``β'モデル``); letter-only aliases are
    dictionary words.
    """
    for start, end, _ in (taxonomy or default_taxonomy()).spans(text):
        phrase = _phrase_unit(text[start:end])
        if phrase is not None:
            yield start, end, phrase


@functools.lru_cache(maxsize=4096)
def _phrase_unit(mention: str) -> PhraseUnit | None:
    """The phrase a mention written as ``mention`` stands for; None for a dictionary word."""
    return PhraseUnit(alias_key(mention)) if needs_phrase_pass(mention) else None


def _overlay(
    morphemes: Any, phrases: list[tuple[int, int, PhraseUnit]]
) -> Iterator[tuple[int, int, PhraseUnit | None]]:
    """Runs of ``morphemes`` between phrases ``(first, stop, None)``, and phrases ``(start, end, phrase)``.

    The text is tokenised whole, so Sudachi keeps its context; morphemes
    overlapping a phrase give way to it.
    """
    index, count = 0, len(morphemes)
    for start, end, phrase in phrases:
        first = index
        # Morphemes tile the text in order: their ends and begins never decrease.
        index = _first_past(morphemes, index, count, _END, start)
        if index > first:
            yield first, index, None
        index = _first_past(morphemes, index, count, _BEGIN, end - 1)
        yield start, end, phrase
    if index < count:
        yield index, count, None


_BEGIN, _END = operator.methodcaller("begin"), operator.methodcaller("end")


def _first_past(morphemes: Any, low: int, high: int, offset: Callable[[Any], int], bound: int) -> int:
    """The first index in ``[low, high)`` whose morpheme's ``offset`` exceeds ``bound``, else ``high``."""
    while low < high:
        middle = (low + high) // 2
        if offset(morphemes[middle]) > bound:
            high = middle
        else:
            low = middle + 1
    return low


def _short_tokens(
    t: SudachiToken, shorts: Any, piece: str, pos: int, base: int, keep: bool
) -> Iterator[SudachiToken]:
    """Tokens of the short units ``shorts`` of the long unit at ``pos``."""
    for m in shorts:
        begin, end = m.begin(), m.end()
        surface = piece[begin:end]
        stop = is_dropped(m, surface)
        _fill(t, surface, pos, base + begin, base + end, m, True, stop, keep)
        yield t


def _fill(
    t: SudachiToken,
    text: str,
    pos: int,
    startchar: int,
    endchar: int,
    morpheme: Any,
    subunit: bool,
    posstop: bool,
    keeporiginal: bool,
) -> None:
    """Set every per-token field: Whoosh reuses one Token object."""
    t.text = text
    t.boost = 1.0
    t.stopped = False
    t.pos = pos
    t.startchar = startchar
    t.endchar = endchar
    t.morpheme = morpheme
    t.subunit = subunit
    t.posstop = posstop
    if keeporiginal:
        t.original = text


def is_dropped(morpheme: Any, surface: str) -> bool:
    """True for particles, auxiliaries, punctuation, whitespace and non-letter symbols.

    The decision is cached by part-of-speech id; only 記号 (symbols) also
    look at the surface, so that letters such as α and β stay terms.
    """
    decision = _decision(morpheme)
    if decision == _CHECK:
        return not _has_letter_or_digit(surface)
    return decision == _DROP


def _decision(morpheme: Any) -> int:
    """_KEEP, _DROP or _CHECK (look at the surface) for the morpheme's part of speech."""
    pos_id: int = morpheme.part_of_speech_id()
    decision = _pos_decisions.get(pos_id)
    if decision is None:
        decision = _pos_decisions[pos_id] = _decide(morpheme.part_of_speech()[0])
    return decision


def _decide(top_level_pos: str) -> int:
    if top_level_pos in _DROPPED_POS:
        return _DROP
    return _CHECK if top_level_pos in _CHECKED_POS else _KEEP


def _has_letter_or_digit(text: str) -> bool:
    """True when ``text`` holds a letter or digit (e.g. Greek α, β tagged 記号)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


class PartOfSpeechStopFilter(Filter):
    """Stop tokens marked ``posstop`` (助詞, 助動詞, 補助記号, 空白, 記号 without letters).

    A stopped long unit stops its short units too.  Kept long units get
    consecutive positions starting at the first token's position, so dropped
    particles leave no gap.  With ``removestops=False`` stopped tokens pass
    with ``stopped=True``.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        """Filter the token stream."""
        next_pos: int | None = None
        long_pos = 0
        long_stopped = False
        for t in cast(Iterable[SudachiToken], tokens):
            if t.morpheme is None:
                yield t
                continue
            if next_pos is None:
                next_pos = t.pos
            if t.subunit:
                stopped = long_stopped or t.posstop
                t.pos = long_pos
            else:
                stopped = long_stopped = t.posstop
                t.pos = long_pos = next_pos
                next_pos += 0 if stopped else 1
            if not stopped:
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t


_term_cache: dict[str, str] = {}
_TERM_CACHE_SIZE = 200_000


def normalize_term(text: str) -> str:
    """Fold a Sudachi normalized form into an index term: NFKC, lower case, trimmed."""
    term = _term_cache.get(text)
    if term is None:
        term = text if text.isascii() else unicodedata.normalize("NFKC", text)
        term = term.lower().strip()
        if len(_term_cache) >= _TERM_CACHE_SIZE:
            _term_cache.clear()
        _term_cache[text] = term
    return term


class SudachiNormalizeFilter(Filter):
    """Replace each token's text by its term: Sudachi's normalized form, folded.

    Tokens whose term would be empty are removed.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        """Filter the token stream."""
        for t in cast(Iterable[SudachiToken], tokens):
            morpheme = t.morpheme
            source = t.text if morpheme is None else morpheme.normalized_form()
            text = normalize_term(source)
            if text:
                t.text = text
                yield t


PRACTICE_PREFIX = "§"
"""Prefix of practice terms: ``§kintone`` stands for every alias of the practice."""


def practice_term(practice_id: str) -> str:
    """The index term standing for every alias of practice ``practice_id``."""
    return PRACTICE_PREFIX + practice_id


@functools.lru_cache(maxsize=50_000)
def practice_of(term: str) -> str:
    """The practice id whose alias is ``term`` (an index term or a word as written), else ""."""
    practice = default_taxonomy().by_alias(term)
    return practice.id if practice else ""


class PracticeFilter(Filter):
    """After each long unit that is a practice alias, add the practice term at the same position.

    Every alias of a practice then shares one term, scored by BM25 as one
    word (``キントーン`` and ``kintone`` count as two mentions of kintone).
    Only at index time: queries choose between the word and its practice.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        """Filter the token stream."""
        for t in cast(Iterable[SudachiToken], tokens):
            yield t
            if t.subunit or t.mode != "index":
                continue
            practice = practice_of(t.text)
            if practice:
                t.text = practice_term(practice)
                t.subunit = True
                yield t


def JapaneseAnalyzer() -> CompositeAnalyzer:
    """Return the analyser of Japanese report text used for index and query."""
    return SudachiTokenizer() | PartOfSpeechStopFilter() | SudachiNormalizeFilter() | PracticeFilter()


_analyzer: CompositeAnalyzer | None = None


def _shared_analyzer() -> CompositeAnalyzer:
    # The pipeline holds no per-call state, so threads may share one instance.
    global _analyzer
    if _analyzer is None:
        _analyzer = JapaneseAnalyzer()
    return _analyzer


def analyze(text: str) -> list[str]:
    """Return the terms the index holds for ``text``, in order (long unit before its short units)."""
    return [t.text for t in _shared_analyzer()(text, mode="index")]


def analyze_tokens(text: str) -> list[tuple[str, int, int, int]]:
    """``(term, position, startchar, endchar)`` of every term the index holds for ``text``."""
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in _shared_analyzer()(text, positions=True, chars=True, mode="index")]


def analyze_positions(text: str) -> list[list[str]]:
    """The terms the index holds for ``text``, one list per position (long unit first)."""
    positions: list[list[str]] = []
    last = -1
    for t in _shared_analyzer()(text, positions=True, mode="index"):
        if t.pos != last or not positions:
            positions.append([t.text])
            last = t.pos
        elif t.text not in positions[-1]:
            positions[-1].append(t.text)
    return positions


Span = tuple[str, int, int]
"""A term with its start and end in the text analysed."""


def index_positions(text: str, chunk_bytes: int = MAX_CHUNK_BYTES) -> list[list[str]]:
    """What :func:`analyze_positions` returns, without the Whoosh token pipeline.

    The same decisions (pieces, taxonomy phrases, part-of-speech stops,
    short units, normalisation, practice terms) made directly on Sudachi's
    morphemes, and the terms of a word looked up once: the build's hot loop
    reads each morpheme's word id and looks its terms up, at C speed.
    ``tests/test_analysis.py`` checks that both give the same terms, and
    ``tests/test_analysis_reference.py`` that they follow the rules above.
    """
    positions: list[list[str]] = []
    for _, piece in split_for_sudachi(text, chunk_bytes):
        morphemes = _thread_tokenizer().tokenize(piece)
        found = _terms_per_morpheme(morphemes)
        phrases = list(phrase_spans(piece))
        if not phrases:
            positions += map(list, filter(None, found))
            continue
        for start, end, phrase in _overlay(morphemes, phrases):
            if phrase is None:
                positions += map(list, filter(None, found[start:end]))
            else:
                positions.append(list(_phrase_terms(piece[start:end], phrase)))
    return positions


_WORD_ID = operator.methodcaller("word_id")
_BEGIN = operator.methodcaller("begin")
_END = operator.methodcaller("end")


def index_positions_spans(text: str, chunk_bytes: int = MAX_CHUNK_BYTES) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """:func:`index_positions` without empty positions, and each position's span in ``text``.

    The span is the long unit's (or the taxonomy phrase's): what a snippet
    marks when the position matched.  One analysis gives both, for the build.
    """
    positions: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    for offset, piece in split_for_sudachi(text, chunk_bytes):
        morphemes = _thread_tokenizer().tokenize(piece)
        found = _terms_per_morpheme(morphemes)
        begins, ends = list(map(_BEGIN, morphemes)), list(map(_END, morphemes))
        phrases = list(phrase_spans(piece))
        runs = _overlay(morphemes, phrases) if phrases else [(0, len(found), None)]
        for start, end, phrase in runs:
            if phrase is not None:
                terms = _phrase_terms(piece[start:end], phrase)
                if terms:
                    positions.append(list(terms))
                    spans.append((offset + start, offset + end))
                continue
            for i in range(start, end):
                if found[i]:
                    positions.append(list(found[i]))
                    spans.append((offset + begins[i], offset + ends[i]))
    return positions, spans


def _terms_per_morpheme(morphemes: Any) -> list[tuple[str, ...]]:
    """The terms of each morpheme (``()`` for a dropped one)."""
    found: list[tuple[str, ...] | None] = list(map(_word_terms.get, map(_WORD_ID, morphemes)))
    # None: a word not seen yet, or one whose terms depend on its surface.
    at = -1
    try:
        while True:
            at = found.index(None, at + 1)
            found[at] = _surface_terms_of(morphemes[at])
    except ValueError:
        return cast(list[tuple[str, ...]], found)


def term_spans(text: str, words: frozenset[str] | set[str]) -> list[Span]:
    """Where the terms ``words`` occur in ``text`` (what a snippet marks), in text order."""
    return [span for spans in index_spans(text) for span in spans if span[0] in words]


def index_spans(text: str, chunk_bytes: int = MAX_CHUNK_BYTES) -> list[list[Span]]:
    """Per position, its terms with their character spans in ``text`` (the long unit first)."""
    positions: list[list[Span]] = []
    for offset, piece in split_for_sudachi(text, chunk_bytes):
        phrases = list(phrase_spans(piece))
        morphemes = _thread_tokenizer().tokenize(piece)
        if not phrases:
            _add_morphemes(positions, morphemes, offset)
            continue
        for start, end, phrase in _overlay(morphemes, phrases):
            if phrase is None:
                _add_morphemes(positions, [morphemes[i] for i in range(start, end)], offset)
            else:
                _add_at(positions, _phrase_spans(piece[start:end], phrase), offset + start)
    return positions


# A word's terms depend only on its dictionary entry (word_id() holds the
# dictionary number; for unknown words, the part of speech) and its surface
# (Sudachi finds a word from a folded form: ㎢ and km2 are one word).  Most
# words give the same terms whatever their surface (see _surface_free): their
# terms are looked up by word id alone, without fetching the surface.
_WordKey = tuple[int, str]
_word_terms: dict[int, tuple[str, ...] | None] = {}  # None: look up by surface
_surface_terms: dict[_WordKey, tuple[str, ...]] = {}
_word_spans: dict[_WordKey, list[Span]] = {}
_phrase_cache: dict[tuple[str, str], tuple[str, ...]] = {}
_WORD_CACHE_SIZE = 500_000


def reset_caches() -> None:
    """Forget every term computed so far (benchmarks measure a first pass with it)."""
    for cache in (_word_terms, _surface_terms, _word_spans, _phrase_cache, _term_cache):
        cache.clear()
    practice_of.cache_clear()


def _surface_terms_of(m: Any) -> tuple[str, ...]:
    """The terms of a word seen for the first time, or whose terms depend on its surface."""
    word, surface = m.word_id(), m.surface()
    key = (word, surface)
    terms = _surface_terms.get(key)
    if terms is None:
        terms = _terms_of(_morpheme_spans(m, surface))
        _store(_surface_terms, key, terms)
        if word not in _word_terms:
            _store(_word_terms, word, terms if _surface_free(m) else None)
    return terms


def _surface_free(m: Any) -> bool:
    """True when any surface of ``m``'s word gives its terms: a system word dropped, or kept and not split.

    Unknown words (whose id holds only their part of speech), user words (split
    from their surface), symbols (kept when their surface holds a letter) and
    split words (a one-char folded surface such as ㍿ has no short units) are not.
    """
    if m.dictionary_id() != 0:
        return False
    decision = _decision(m)
    return decision == _DROP or (decision == _KEEP and len(m.split(SplitMode.A, add_single=False)) <= 1)


def _store(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _WORD_CACHE_SIZE:
        cache.clear()
    cache[key] = value


def _terms_of(spans: list[Span]) -> tuple[str, ...]:
    """The distinct terms of ``spans``, first occurrence first."""
    return tuple(dict.fromkeys(term for term, _, _ in spans))


def _phrase_terms(text: str, phrase: PhraseUnit) -> tuple[str, ...]:
    key = (text, phrase.term)
    terms = _phrase_cache.get(key)
    if terms is None:
        terms = _terms_of(_phrase_spans(text, phrase))
        _store(_phrase_cache, key, terms)
    return terms


def _add_at(positions: list[list[Span]], spans: list[Span], base: int) -> None:
    if spans:
        positions.append([(term, base + start, base + end) for term, start, end in spans])


def _add_morphemes(positions: list[list[Span]], morphemes: Any, offset: int) -> None:
    for m in morphemes:
        key = (m.word_id(), m.surface())
        spans = _word_spans.get(key)
        if spans is None:
            spans = _morpheme_spans(m, key[1])
            _store(_word_spans, key, spans)
        _add_at(positions, spans, offset + m.begin())


def _morpheme_spans(m: Any, surface: str) -> list[Span]:
    """A long unit's term, practice term and short units, spans relative to its start ([] if dropped)."""
    if is_dropped(m, surface):
        return []
    length = len(surface)
    spans = _long_spans(m.normalized_form(), length)
    if length > 1:
        if m.dictionary_id() > 0:
            words = [w for w in _thread_tokenizer(plain=True).tokenize(surface, SplitMode.A)
                     if not is_dropped(w, w.surface())]
            _add_shorts(spans, words if len(words) > 1 else [], 0)
        else:
            shorts = m.split(SplitMode.A, add_single=False)
            _add_shorts(spans, shorts if len(shorts) > 1 else [], m.begin())
    return spans


def _long_spans(form: str, length: int) -> list[Span]:
    """A long unit's term, then its practice term (none when the term is empty)."""
    term = normalize_term(form)
    if not term:
        return []
    practice = practice_of(term)
    return [(term, 0, length), (practice_term(practice), 0, length)] if practice else [(term, 0, length)]


def _add_shorts(spans: list[Span], shorts: Any, base: int) -> None:
    """Short units of a long unit starting at ``base`` (in their text), spans relative to the long unit."""
    for short in shorts:
        surface = short.surface()
        if is_dropped(short, surface):
            continue
        term = normalize_term(short.normalized_form())
        if term:
            begin = short.begin() - base
            spans.append((term, begin, begin + len(surface)))


def _phrase_spans(text: str, phrase: PhraseUnit) -> list[Span]:
    spans = _long_spans(phrase.term, len(text))
    words = [m for m in _thread_tokenizer(plain=True).tokenize(text, SplitMode.A) if not is_dropped(m, m.surface())]
    if len(words) > 1:
        _add_shorts(spans, words, 0)
    return spans


def query_terms(text: str) -> list[list[str]]:
    """Return one group per query position: ``[long_term, *short_terms]``.

    ``short_terms`` is empty when the long unit does not split.  A document
    matches the group if it holds ``long_term`` or all ``short_terms``; a
    query matches if all groups match (see :func:`build_query`).  Text made
    only of particles or punctuation gives ``[]``.
    """
    return [group for _, group in query_units(text)]


def query_units(text: str) -> list[tuple[str, list[str]]]:
    """Like :func:`query_terms`, each group with the words as the user typed them."""
    units: list[tuple[str, list[str]]] = []
    tokens = _shared_analyzer()(text, positions=True, keeporiginal=True, mode="query")
    for t in cast(Iterator[SudachiToken], tokens):
        if t.subunit and units:
            if t.text not in units[-1][1]:
                units[-1][1].append(t.text)
        else:
            units.append((t.original, [t.text]))
    return units


def group_query(fieldname: str, group: list[str], boost: float = 1.0) -> Query:
    """Query for one :func:`query_terms` group: the long term, or all short terms."""
    long_term = Term(fieldname, group[0], boost=boost)
    if len(group) == 1:
        return long_term
    shorts = And([Term(fieldname, term, boost=boost) for term in group[1:]])
    return Or([long_term, shorts])


def build_query(fieldname: str, text: str) -> Query:
    """Whoosh query matching documents whose ``fieldname`` holds every query position.

    Returns ``NullQuery`` (matches nothing) when ``text`` has no searchable term.
    """
    groups = query_terms(text)
    if not groups:
        return NullQuery
    parts = [group_query(fieldname, group) for group in groups]
    return parts[0] if len(parts) == 1 else And(parts)
