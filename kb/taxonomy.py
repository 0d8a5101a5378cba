"""The taxonomy of municipal DX practices and the tagger built on it.

``data/practices.toml`` lists categories, practices (each with the aliases
reports and users write for it) and variant groups (plain synonyms used at
query time).  :class:`Taxonomy` loads and validates the file, answers
look-ups, and finds practice mentions in report text.

Matching rules of :meth:`Taxonomy.find`:

* text and aliases are compared after NFKC, case folding and folding of
  quote/dash variants, so ``ｉＰａｄ`` matches ``iPad`` and ``β’`` matches
  ``β'``; offsets always point into the text as given;
* spaces, hyphens and middle dots may appear (or not) between any two
  characters of an alias: ``Office365``, ``Office 365`` and ``Office　365``
  all match, as do ``e-KOBE`` and ``ｅ－ＫＯＢＥ``; line breaks never do;
* an alias edge that is an ASCII letter or digit must not touch another
  ASCII letter or digit (``AI`` is not found in ``MAIL``, ``LINE`` not in
  ``ONLINE``), and an alias edge that is katakana must not touch katakana or
  ``ー`` (``ライン`` is not found in ``オンライン``).  Kanji, kana and other
  edges may touch anything.  Katakana compounds a report writes as one word
  (``ノーコードツール``) are therefore listed as aliases of their own;
* at each position the longest alias wins, matches never overlap and are
  returned in text order.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import NotFoundError, TaxonomyError

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "practices.toml"

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Quotes and primes NFKC leaves alone become "'"; every separator (hyphens,
# dashes, middle dots, tabs) becomes one space, so that the regex needs only
# " *" between alias characters, which compiles ten times faster than a class.
_FOLD_TABLE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "-": " ", "\u2010": " ", "\u2011": " ", "\u2012": " ", "\u2013": " ", "\u2014": " ", "\u2015": " ",
    "\u2212": " ", "\u30fb": " ", "\u00b7": " ", "\t": " ",
})
_SEPARATOR_RUN = " *"
_ASCII_ALNUM = "a-z0-9"
_KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff"
_MIN_KEY_LENGTH = 2
# Combining marks, including the half-width voiced sound marks ﾞ and ﾟ.
_MARK = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a\uff9e\uff9f]")


@dataclass(frozen=True)
class Category:
    """A group of practices, such as クラウド・コラボレーション."""

    id: str
    name: str


@dataclass(frozen=True)
class Practice:
    """One DX practice and the names it goes by."""

    id: str
    name: str
    category: str
    aliases: tuple[str, ...]
    description: str
    related: tuple[str, ...]
    cues: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The summary form used in parse JSON: id, name and category."""
        return {"id": self.id, "name": self.name, "category": self.category}


@dataclass(frozen=True)
class Mention:
    """A practice named in a text; ``start``/``end`` index the text passed in."""

    practice: str
    start: int
    end: int
    text: str


@functools.lru_cache(maxsize=4096)
def _fold(chars: str) -> str:
    return unicodedata.normalize("NFKC", chars).casefold().translate(_FOLD_TABLE)


def alias_key(term: str) -> str:
    """The form aliases are compared in: folded, without spaces, hyphens or dots.

    ``"Office 365"`` → ``"office365"``, ``"ｅ－ＫＯＢＥ"`` → ``"ekobe"``.
    """
    return "".join(ch for ch in _fold(term) if not ch.isspace())


class _OneToOne(dict[int, str]):
    """``str.translate`` table: each character's fold when it is one character, else NUL.

    Filled on first sight of a character, so that a text is folded at C speed.
    """

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        value = self[code] = folded if len(folded) == 1 else "\0"
        return value


_ONE_TO_ONE = _OneToOne()


_NUL = re.compile("\0")


def _fold_one_to_one(text: str) -> str | None:
    """``text`` folded when every character folds to one character on its own, else None."""
    folded = text.translate(_ONE_TO_ONE)
    # A NUL marks a character folding to several (or, rarely, a NUL in the text: the slow path then).
    if "\0" in folded or _MARK.search(text) is not None:
        return None
    return folded


def _fold_unmarked(text: str) -> tuple[str, list[int], list[int]]:
    """What :func:`_normalise` gives for a text without combining marks, copying runs at C speed.

    Only the characters folding to other than one character (``㎢`` → ``km2``)
    are folded one by one.
    """
    marked = text.translate(_ONE_TO_ONE)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for match in _NUL.finditer(marked):
        at = match.start()
        folded = _fold(text[at])
        parts += (marked[done:at], folded)
        starts += range(done, at)
        ends += range(done + 1, at + 1)
        starts += [at] * len(folded)
        ends += [at + 1] * len(folded)
        done = at + 1
    parts.append(marked[done:])
    starts += range(done, len(text))
    ends += range(done + 1, len(text) + 1)
    return "".join(parts), starts, ends


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """Fold ``text`` piece by piece, keeping each folded char's source span.

    A base character is folded together with the combining marks after it so
    that half-width ``ｶﾞ`` becomes ``ガ``.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _MARK.match(text[j]):
            j += 1
        for ch in _fold(text[i:j]):
            chars.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(chars), starts, ends


def _edge_class(ch: str) -> str | None:
    """The characters an alias edge ``ch`` must not touch, as a regex class body."""
    if ch.isascii() and ch.isalnum():
        return _ASCII_ALNUM
    if "\u30a1" <= ch <= "\u30fa" or "\u30fc" <= ch <= "\u30ff":
        return _KATAKANA
    return None


class _Trie:
    """Alias keys as a trie, compiled into one regex (shared prefixes, longest first)."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.root: dict[str, Any] = {}
        for key in keys:
            node = self.root
            for ch in key:
                node = node.setdefault(ch, {})
            node[""] = True

    def pattern(self) -> re.Pattern[str]:
        """The compiled alternation over every key."""
        branches = []
        for ch, child in sorted(self.root.items()):
            edge = _edge_class(ch)
            # The look-behind follows the first char so that every branch starts
            # with a literal, which lets the regex engine skip positions quickly.
            before = f"(?<![{edge}].)" if edge else ""
            branches.append(re.escape(ch) + before + self._tail(ch, child))
        return re.compile("|".join(branches) or "(?!)")

    def _tail(self, ch: str, node: dict[str, Any]) -> str:
        alternatives = [
            _SEPARATOR_RUN + re.escape(nxt) + self._tail(nxt, child)
            for nxt, child in sorted(node.items()) if nxt
        ]
        if "" in node:
            edge = _edge_class(ch)
            # Last alternative: longer aliases are tried before this one ends here.
            alternatives.append(f"(?![{edge}])" if edge else "")
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"


class Taxonomy:
    """Categories, practices and variant groups loaded from a TOML file."""

    def __init__(self, categories: tuple[Category, ...], practices: tuple[Practice, ...],
                 variants: tuple[tuple[str, ...], ...], fingerprint: str, source: str = "") -> None:
        self.categories = categories
        self.practices = practices
        self.variants = variants
        self.fingerprint = fingerprint
        self.source = source
        self._practices = {p.id: p for p in practices}
        self._categories = {c.id: c for c in categories}
        self._aliases = _alias_index(practices, source)
        self._variant_index = _variant_index(variants)
        # A passage is marked once per practice it names: its mentions are found once.
        self._mentions = functools.lru_cache(maxsize=4096)(self._mentions)  # type: ignore[method-assign]

    @classmethod
    def load(cls, path: Path | None = None) -> Taxonomy:
        """Read and validate a taxonomy file (``data/practices.toml`` by default).

        Raises :class:`TaxonomyError` naming the file and the faulty entry.
        """
        path = Path(path) if path is not None else DEFAULT_PATH
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TaxonomyError(f"分類ファイルを読み込めません（{exc.strerror or exc}）", subject=str(path)) from exc
        try:
            table = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise TaxonomyError(f"TOML として読めません（{exc}）", subject=str(path)) from exc
        source = str(path)
        categories = _read_categories(table, source)
        practices = _read_practices(table, source, {c.id for c in categories})
        variants = _read_variants(table, source)
        return cls(categories, practices, variants, hashlib.sha256(data).hexdigest(), source)

    def practice(self, id: str) -> Practice:
        """The practice with this id; :class:`NotFoundError` if there is none."""
        try:
            return self._practices[id]
        except KeyError:
            raise NotFoundError(f"取組 {id!r} は分類にありません", subject="practice") from None

    def get(self, id: str) -> Practice | None:
        """The practice with this id, or None."""
        return self._practices.get(id)

    def category(self, id: str) -> Category:
        """The category with this id; :class:`NotFoundError` if there is none."""
        try:
            return self._categories[id]
        except KeyError:
            raise NotFoundError(f"分野 {id!r} は分類にありません", subject="category") from None

    def in_category(self, category_id: str) -> tuple[Practice, ...]:
        """The practices of a category, in file order."""
        self.category(category_id)
        return tuple(p for p in self.practices if p.category == category_id)

    def by_alias(self, term: str) -> Practice | None:
        """The practice ``term`` names (compared by :func:`alias_key`), if any."""
        practice_id = self._aliases.get(alias_key(term))
        return self._practices[practice_id] if practice_id else None

    def equivalents(self, term: str) -> tuple[str, ...]:
        """Every term that means the same as ``term``.

        The names of the practice ``term`` names (its name first, then its
        aliases as listed) followed by the terms of every variant group that
        contains ``term``; ``()`` when ``term`` is in neither.
        """
        found: dict[str, None] = {}
        practice = self.by_alias(term)
        if practice is not None:
            found.update(dict.fromkeys(practice.aliases))
        for group in self._variant_index.get(alias_key(term), ()):
            found.update(dict.fromkeys(self.variants[group]))
        return tuple(found)

    def find(self, text: str) -> list[Mention]:
        """Every practice mention in ``text``, longest match first, in text order."""
        return [Mention(self._aliases[matched.replace(" ", "")], start, end, text[start:end])
                for start, end, matched in self.spans(text)]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where :meth:`find`'s mentions are: ``(start, end, folded)``, ``folded`` as the pattern matched it."""
        folded = _fold_one_to_one(text)
        if folded is None:
            return self._spans_in(*(_normalise(text) if _MARK.search(text) else _fold_unmarked(text)))
        return [(match.start(), match.end(), match.group()) for match in self._pattern.finditer(folded)]

    def _spans_in(self, folded: str, starts: list[int], ends: list[int]) -> list[tuple[int, int, str]]:
        """:meth:`spans` over ``folded``, whose char ``i`` comes from ``text[starts[i]:ends[i]]``."""
        return [(starts[match.start()], ends[match.end() - 1], match.group())
                for match in self._pattern.finditer(folded)]

    def mentions(self, text: str) -> list[Mention]:
        """The mentions of :meth:`find` plus cue words, in text order.

        A practice with ``cues`` (研修 for DX研修) is also mentioned by a cue
        word in a sentence that names another practice: 「Office 365…職員に
        対する研修」 is training in a digital tool, 「新人研修」 alone is not.
        """
        return list(self._mentions(text))

    def _mentions(self, text: str) -> tuple[Mention, ...]:
        found = self.find(text)
        return tuple(sorted([*found, *self._cue_mentions(text, found)], key=lambda m: (m.start, -m.end)))

    def _cue_mentions(self, text: str, found: list[Mention]) -> Iterator[Mention]:
        for start, end in _sentences(text):
            named = {m.practice for m in found if start <= m.start < end}
            if not named:
                continue
            for practice in self._cued:
                if practice.id in named:
                    continue
                cue = _first_cue(text, start, end, practice.cues, found)
                if cue is not None:
                    at, word = cue
                    yield Mention(practice.id, at, at + len(word), word)

    def tag(self, text: str) -> tuple[str, ...]:
        """The ids of the practices ``text`` mentions (cue words included), in order of first mention."""
        return tuple(dict.fromkeys(m.practice for m in self.mentions(text)))

    @functools.cached_property
    def _cued(self) -> tuple[Practice, ...]:
        return tuple(p for p in self.practices if p.cues)

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        return _Trie(self._aliases).pattern()


_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``."""
    for match in _SENTENCE.finditer(text):
        yield match.start(), match.end()


def _first_cue(text: str, start: int, end: int, cues: tuple[str, ...],
               covered: list[Mention]) -> tuple[int, str] | None:
    """The first cue word in ``text[start:end]`` outside the mentions ``covered``, and where it starts.

    A cue inside a mention is part of another practice's name (研修 in オンライン研修).
    """
    hits = []
    for cue in cues:
        at = text.find(cue, start, end)
        while at >= 0 and any(m.start <= at < m.end for m in covered):
            at = text.find(cue, at + 1, end)
        if at >= 0:
            hits.append((at, cue))
    return min(hits) if hits else None


@functools.lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The bundled taxonomy, loaded once."""
    return Taxonomy.load(DEFAULT_PATH)


# --- reading and validation ------------------------------------------------


def _entries(table: Mapping[str, Any], kind: str, source: str) -> list[dict[str, Any]]:
    entries = table.get(kind, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise TaxonomyError(f"[[{kind}]] は表の配列でなければなりません", subject=source)
    return entries


def _text(entry: Mapping[str, Any], field: str, where: str, *, required: bool = True) -> str:
    value = entry.get(field, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise TaxonomyError(f"{where}: {field} は空でない文字列でなければなりません")
    return value.strip()


def _strings(entry: Mapping[str, Any], field: str, where: str) -> tuple[str, ...]:
    value = entry.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where}: {field} は文字列の配列でなければなりません")
    return tuple(v.strip() for v in value)


def _entry_id(entry: Mapping[str, Any], kind: str, index: int, source: str, seen: set[str]) -> str:
    where = f"{source}: [[{kind}]] {index + 1} 番目"
    entry_id = _text(entry, "id", where)
    if not _ID.fullmatch(entry_id):
        raise TaxonomyError(f"{where}: id {entry_id!r} は英小文字・数字・ハイフンで書いてください")
    if entry_id in seen:
        raise TaxonomyError(f"{source}: {kind} {entry_id!r} の id が重複しています")
    seen.add(entry_id)
    return entry_id


def _read_categories(table: Mapping[str, Any], source: str) -> tuple[Category, ...]:
    seen: set[str] = set()
    categories = []
    for i, entry in enumerate(_entries(table, "category", source)):
        category_id = _entry_id(entry, "category", i, source, seen)
        categories.append(Category(category_id, _text(entry, "name", f"{source}: category {category_id!r}")))
    if not categories:
        raise TaxonomyError("分野（[[category]]）が一つもありません", subject=source)
    return tuple(categories)


def _read_practices(table: Mapping[str, Any], source: str, categories: set[str]) -> tuple[Practice, ...]:
    seen: set[str] = set()
    practices = [
        _read_practice(entry, _entry_id(entry, "practice", i, source, seen), source, categories)
        for i, entry in enumerate(_entries(table, "practice", source))
    ]
    for practice in practices:
        for other in practice.related:
            if other not in seen or other == practice.id:
                raise TaxonomyError(f"{source}: practice {practice.id!r} の related {other!r} は自分自身か存在しない取組です")
    return tuple(practices)


def _read_practice(entry: Mapping[str, Any], practice_id: str, source: str, categories: set[str]) -> Practice:
    where = f"{source}: practice {practice_id!r}"
    name = _text(entry, "name", where)
    category = _text(entry, "category", where)
    if category not in categories:
        raise TaxonomyError(f"{where}: category {category!r} は [[category]] にありません")
    aliases = _strings(entry, "aliases", where)
    if not aliases:
        raise TaxonomyError(f"{where}: aliases が空です")
    for alias in aliases:
        if len(alias_key(alias)) < _MIN_KEY_LENGTH:
            raise TaxonomyError(f"{where}: alias {alias!r} が空か短すぎます")
    unique = tuple(dict.fromkeys((name, *aliases)))
    return Practice(practice_id, name, category, unique, _text(entry, "description", where, required=False),
                    _strings(entry, "related", where), tuple(c for c in _strings(entry, "cues", where) if c))


def _read_variants(table: Mapping[str, Any], source: str) -> tuple[tuple[str, ...], ...]:
    groups = []
    for i, entry in enumerate(_entries(table, "variant", source)):
        where = f"{source}: [[variant]] {i + 1} 番目"
        terms = tuple(dict.fromkeys(t for t in _strings(entry, "terms", where)))
        if len(terms) < 2 or any(not alias_key(t) for t in terms):
            raise TaxonomyError(f"{where}: terms には空でない語を二つ以上書いてください")
        groups.append(terms)
    return tuple(groups)


def _alias_index(practices: Iterable[Practice], source: str) -> dict[str, str]:
    """alias_key → practice id; an alias claimed by two practices is an error."""
    index: dict[str, str] = {}
    for practice in practices:
        for alias in practice.aliases:
            key = alias_key(alias)
            owner = index.setdefault(key, practice.id)
            if owner != practice.id:
                raise TaxonomyError(
                    f"{source}: alias {alias!r}（{key}）が practice {owner!r} と {practice.id!r} の両方にあります")
    return index


def _variant_index(variants: tuple[tuple[str, ...], ...]) -> dict[str, tuple[int, ...]]:
    index: dict[str, list[int]] = {}
    for number, group in enumerate(variants):
        for term in group:
            groups = index.setdefault(alias_key(term), [])
            if number not in groups:
                groups.append(number)
    return {key: tuple(groups) for key, groups in index.items()}
