"""The table of prefectures and municipalities (総務省 全国地方公共団体コード).

Finds the host of a visit in free text ("大阪府大阪市", "埼玉県　本庄市",
"北海道茅部郡森町", "京都府議会", "徳島県庁", "中野区議会") and settles
ambiguous names (森町 is in 北海道 and 静岡県) by the prefecture named in the
text or its context.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jaconv

from kb.errors import ReportFileError

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "municipalities.csv"
_SPACES = re.compile(r"[\s\u3000]+")
READING = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fcA-Za-z]+$")
"""A name written by its reading only: hiragana, katakana or Latin letters (こうべ, コウベ, kobe)."""
_SUFFIX_KANA = ("シ", "ク", "マチ", "チョウ", "ムラ", "ソン", "ト", "ドウ", "フ", "ケン")
_SUFFIX_ROMAJI = ("shi", "ku", "machi", "cho", "mura", "son", "to", "do", "fu", "ken")
_DISTRICT = re.compile(r"([\u4e00-\u9fff々ヶケ]{1,5}郡)$")


# 政令指定都市 (designated cities): several of them name their council 市会 (横浜市会, 神戸市会).
DESIGNATED_CITY_CODES = frozenset({
    "011002", "041009", "111007", "121002", "141003", "141305", "141500", "151009", "221007", "221309",
    "231002", "261009", "271004", "271403", "281000", "331007", "341002", "401005", "401307", "431001",
})


@dataclass(frozen=True)
class Municipality:
    """One row of the table; a prefecture row has ``name == prefecture``."""

    code: str
    prefecture: str
    name: str
    prefecture_kana: str
    kana: str

    @property
    def is_prefecture(self) -> bool:
        """True for the row of a prefecture itself."""
        return self.name == self.prefecture

    @property
    def is_designated_city(self) -> bool:
        """True for a 政令指定都市 (札幌市, 横浜市, 大阪市...)."""
        return self.code in DESIGNATED_CITY_CODES

    def read_as(self, text: str) -> bool:
        """True when ``text`` is this row's whole reading, with or without 市/区/町/村.

        ``text`` may be hiragana, katakana or romaji: こうべ, コウベ, kobe, koubeshi.
        """
        key = compact(text)
        if not key or not self.kana:
            return False
        kana = self.kana
        if key.isascii():
            return _romaji(kana) in {_fold(key.lower()) + s for s in ("", *_SUFFIX_ROMAJI)}
        kata = jaconv.hira2kata(key)
        return kana in {kata + s for s in ("", *_SUFFIX_KANA)}


@dataclass(frozen=True)
class Mention:
    """A place named in a text: where, which, and the 郡 written before it."""

    start: int
    end: int
    candidates: tuple[Municipality, ...]
    district: str = ""


def compact(text: str) -> str:
    """NFKC and no spaces: the form names are looked up in."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _fold(roman: str) -> str:
    """Romaji with long vowels folded, so that kobe matches koube."""
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u"), ("ei", "e")):
        roman = roman.replace(long, short)
    return roman


@lru_cache(maxsize=4096)
def _romaji(kana: str) -> str:
    """Loose romaji of a katakana reading (コウベ -> kobe)."""
    return _fold(jaconv.kata2alphabet(kana).lower())


def _district_before(text: str, pos: int) -> str:
    """The 郡 written right before ``pos`` ("北海道茅部郡森町" -> "茅部郡")."""
    match = _DISTRICT.search(text, 0, pos)
    if match is None or match.end() != pos:
        return ""
    return re.sub(r"^.*?[都道府県](?=.+郡$)", "", match.group(1))


class MunicipalityTable:
    """Lookup of municipalities by name, code, reading or mention in a text."""

    def __init__(self, rows: list[Municipality]) -> None:
        self._rows = rows
        self._by_code = {m.code: m for m in rows}
        self._by_name: dict[str, list[Municipality]] = {}
        for m in rows:
            self._by_name.setdefault(m.name, []).append(m)
        self._prefectures = {m.prefecture: m for m in rows if m.is_prefecture}
        self._reading_keys: dict[str, list[tuple[Municipality, bool]]] | None = None
        names = sorted(self._by_name, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(n) for n in names))

    @classmethod
    def load(cls, path: Path | None = None) -> MunicipalityTable:
        """Read the CSV table; the bundled one (cached) when ``path`` is None."""
        if path is None:
            return _default_table()
        return cls(_read_rows(path))

    def all(self) -> list[Municipality]:
        """Every row, prefectures included, in code order."""
        return list(self._rows)

    def by_code(self, code: str) -> Municipality | None:
        """The row with this 6-digit code."""
        return self._by_code.get(code.strip())

    def prefecture(self, name: str) -> Municipality | None:
        """The row of a prefecture by its name (``京都府``)."""
        return self._prefectures.get(compact(name))

    def prefecture_names(self) -> tuple[str, ...]:
        """The 47 prefecture names, in code order (北海道 first)."""
        return tuple(m.name for m in self._rows if m.is_prefecture)

    def resolve(self, name: str, prefecture: str | None = None, context: str = "") -> Municipality | None:
        """The row named ``name`` ("神戸市", "茅部郡森町", "京都府", "大阪市北区").

        A 郡 prefix is dropped; among rows of the same name the one in
        ``prefecture`` wins, else the one whose prefecture ``context`` names.
        """
        key = compact(name)
        pref = compact(prefecture) if prefecture else None
        if pref and key.startswith(pref) and key != pref:
            key = key[len(pref):]
        if key not in self._by_name:
            # 茅部郡森町 → 森町, but 大和郡山市 and 蒲郡市 are names of their own.
            key = re.sub(r"^[\u4e00-\u9fff々ヶケ]{1,5}郡(?=.)", "", key)
        rows = self._by_name.get(key)
        if rows is None:
            mention = self._first_mention(key)
            if mention is None or mention.start != 0:
                return None
            rows = list(mention.candidates)
        return self._choose(rows, pref, context)

    def find(self, text: str, context: str = "") -> Municipality | None:
        """The host named in ``text``: a municipality, or a prefecture alone.

        "大阪府大阪市" -> 大阪市; "京都府議会（京都府京都市）" -> 京都府 (the
        assembly named first); "北海道茅部郡森町" -> 森町 in 北海道.
        """
        found = self.find_mention(text, context)
        return found[0] if found else None

    def find_mention(self, text: str, context: str = "") -> tuple[Municipality, Mention] | None:
        """Like :meth:`find`, with the mention (span in the compacted text, 郡)."""
        key = compact(text)
        first = self._first_mention(key)
        if first is None:
            return None
        head = first.candidates[0]
        if head.is_prefecture:
            nxt = self._first_mention(key, first.end)
            if nxt is not None and nxt.start - len(nxt.district) == first.end:
                return self._choose(list(nxt.candidates), head.prefecture, context) or head, nxt
            return head, first
        pref = self._prefecture_before(key, first.start)
        chosen = self._choose(list(first.candidates), pref, key + " " + context)
        return (chosen, first) if chosen else None

    def mentions(self, text: str, start: int = 0) -> list[Mention]:
        """Every place named in ``text`` (already compacted) from ``start`` on."""
        out: list[Mention] = []
        for m in self._pattern.finditer(text, start):
            district = _district_before(text, m.start())
            out.append(Mention(m.start(), m.end(), tuple(self._by_name[m.group()]), district))
        return out

    def by_reading(self, text: str) -> list[tuple[Municipality, bool]]:
        """Municipalities whose whole reading ``text`` is (hiragana, katakana or romaji), each with
        True when ``text`` includes the 市/町/村/区 suffix (ふくおかし) and False without it (ふくおか)."""
        key = compact(text)
        key = _fold(key.lower()) if key.isascii() else jaconv.hira2kata(key)
        return self._readings().get(key, [])

    def _readings(self) -> dict[str, list[tuple[Municipality, bool]]]:
        if self._reading_keys is None:
            keys: dict[str, list[tuple[Municipality, bool]]] = {}
            for row in self._rows:
                for key, whole in _reading_keys(row):
                    keys.setdefault(key, []).append((row, whole))
            self._reading_keys = keys
        return self._reading_keys

    def search(self, query: str) -> list[Municipality]:
        """Rows whose name starts with ``query`` or whose reading does.

        The reading may be given in hiragana, katakana or romaji
        (``こうべ``, ``コウベ``, ``kobe`` all find 神戸市).
        """
        key = compact(query)
        if not key:
            return []
        kata = jaconv.hira2kata(key)
        roman = _fold(key.lower()) if key.isascii() else ""
        hits = [m for m in self._rows if self._matches(m, key, kata, roman)]
        rank = {"都": 0, "道": 0, "府": 0, "県": 0, "市": 1, "区": 2, "町": 3, "村": 4}
        hits.sort(key=lambda m: (m.name != key and m.kana != kata, rank.get(m.name[-1:], 5), m.code))
        return hits

    @staticmethod
    def _matches(m: Municipality, key: str, kata: str, roman: str) -> bool:
        if m.name.startswith(key) or (m.kana and m.kana.startswith(kata)):
            return True
        return bool(roman) and _romaji(m.kana).startswith(roman)

    def _first_mention(self, text: str, start: int = 0) -> Mention | None:
        found = self.mentions(text, start)
        return found[0] if found else None

    def _prefecture_before(self, text: str, pos: int) -> str | None:
        for m in reversed(self.mentions(text[:pos])):
            if m.candidates[0].is_prefecture and m.end >= pos - 6:
                return m.candidates[0].prefecture
        return None

    def _choose(self, rows: list[Municipality], pref: str | None, context: str) -> Municipality | None:
        if not rows:
            return None
        if pref:
            inside = [m for m in rows if m.prefecture == pref]
            if inside:
                return inside[0]
        if len(rows) > 1 and context:
            ctx = compact(context)
            scored = [(ctx.count(m.prefecture), -i, m) for i, m in enumerate(rows)]
            best = max(scored, key=lambda s: (s[0], s[1]))
            if best[0] > 0:
                return best[2]
        return rows[0]


def _reading_keys(row: Municipality) -> list[tuple[str, bool]]:
    """The forms a municipality's reading is looked up by: katakana and romaji, with and without its suffix."""
    if row.is_prefecture or not row.kana:
        return []
    keys = [(row.kana, True), (_romaji(row.kana), True)]
    keys += [(row.kana[:-len(s)], False) for s in _SUFFIX_KANA if row.kana.endswith(s) and len(row.kana) > len(s)]
    roman = _romaji(row.kana)
    keys += [(roman[:-len(s)], False) for s in _SUFFIX_ROMAJI if roman.endswith(s) and len(roman) > len(s)]
    return keys


def _read_rows(path: Path) -> list[Municipality]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return [_row(r) for r in csv.DictReader(handle)]
    except (OSError, KeyError, UnicodeDecodeError) as exc:
        raise ReportFileError(f"自治体コード表を読めません: {exc}", subject=str(path)) from exc


def _row(record: dict[str, str]) -> Municipality:
    name = record["municipality"] or record["prefecture"]
    kana = record["municipality_kana"] or record["prefecture_kana"]
    return Municipality(record["code"], record["prefecture"], name, record["prefecture_kana"], kana)


@lru_cache(maxsize=1)
def _default_table() -> MunicipalityTable:
    return MunicipalityTable(_read_rows(DEFAULT_PATH))
