"""Key figures in report text: a number with its unit, normalised.

``職員数は2万875人`` yields 20875 人; ``約6万人`` 60000 人 (approximate);
``1兆3千億円`` 1300000000000 円; ``４０％`` 40 %; ``3割`` 3 割; ``月20時間``
20 時間/月.  Digits may be ASCII, full-width, with thousands commas,
decimals, kanji numerals (``三百人``) or mixed (``3千万円``); kanji and
mixed numerals are read with :func:`kanjize.kanji2number`.

Only counters and units of a fixed list make a key figure.  Dates
(``令和5年10月16日``, ``2023年度``), clock times (``13時30分``), ordinals
(``第1回``, ``3回目``), version numbers (``Windows 11``), fractions
(``3分の1``) and phone or postal numbers are not figures.  ``年`` and ``日``
count only as durations: ``3年間``, ``約5年``, ``10日以内``.

Modifiers around a figure:

* ``approx`` is true for 約, およそ, 凡そ, 概ね, おおむね, ほぼ, 大体 before the
  number and 程度, ほど, 前後, 余り, あまり, 余, 強, 弱, くらい, ぐらい after it.
* ``qualifier`` keeps a bound: ``以上``, ``以下``, ``未満``, ``以内`` or ``超``
  (``超え`` and ``を超え`` too); a bound is exact, so it does not make ``approx`` true.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kanjize import kanji2number

_KANJI_DIGITS = "〇一二三四五六七八九"
_KANJI_NUMERALS = _KANJI_DIGITS + "十百千"
_ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"

# Written unit -> normalised unit.  Money written 万円/億円/千円 reaches here as
# 円: the multiplier is read as part of the number.
_UNITS: dict[str, str] = {
    "市町村": "市町村", "自治体": "自治体", "部署": "部署", "団体": "団体",
    "アカウント": "アカウント", "ライセンス": "ライセンス", "パーセント": "%",
    "ページ": "ページ", "頁": "ページ", "項目": "項目", "業務": "業務",
    "手続き": "手続き", "手続": "手続き", "種類": "種類", "世帯": "世帯", "施設": "施設",
    "時間": "時間", "箇所": "か所", "個所": "か所", "か所": "か所", "カ所": "か所",
    "ヶ所": "か所", "ケ所": "か所", "ヵ所": "か所", "か月": "か月", "カ月": "か月",
    "ヶ月": "か月", "ケ月": "か月", "ヵ月": "か月", "箇月": "か月", "%": "%", "ID": "ID",
    "人": "人", "名": "名", "台": "台", "件": "件", "校": "校", "課": "課", "局": "局",
    "社": "社", "回": "回", "分": "分", "秒": "秒", "日": "日", "週": "週", "年": "年",
    "円": "円", "倍": "倍", "割": "割", "枚": "枚", "冊": "冊", "本": "本",
    "委員会": "委員会", "町内会": "町内会", "事業": "事業", "機関": "機関", "拠点": "拠点", "店舗": "店舗",
    "企業": "企業", "キロメートル": "km", "メートル": "m", "km": "km", "㎢": "㎢", "km2": "㎢", "平方キロメートル": "㎢",
    "㎡": "㎡", "m2": "㎡", "平方メートル": "㎡", "m": "m", "インチ": "インチ",
    "GB": "GB", "TB": "TB", "MB": "MB",
}
# Characters that, right after a unit, show it is the first character of
# another word (台帳, 課題, 分析, 本庁 ...).
_WORD_AFTER: dict[str, str] = {
    "人": "口工", "名": "称簿前刺義誉産所物詞古", "台": "帳風湾所東場詞座",
    "校": "長正閲", "課": "題長税程金室", "局": "長面所地", "社": "会長員協",
    "回": "答線収覧路避復転帰顧遊廊", "分": "析野類散担科署冊館別母子権離布量配岐身断化解業割",
    "日": "本常程時付中曜頃", "年": "度代生次版号末始齢金収報頭賀", "円": "滑形高安卓満周盤熟",
    "割": "合当", "本": "市庁部格来当人日年件化木町県会質文書体社店館番気物線松州的音山田宮庄",
}
_APPROX_BEFORE = ("およそ", "凡そ", "概ね", "おおむね", "ほぼ", "大体", "約")
_APPROX_AFTER = ("程度", "ほど", "前後", "余り", "あまり", "くらい", "ぐらい", "近く", "余", "強", "弱")
_BOUNDS = {
    "以上": "以上", "以下": "以下", "未満": "未満", "以内": "以内", "を超え": "超", "超え": "超", "超": "超",
}
# Words a trailing 強/弱/余/超 would begin instead of modifying the figure.
_MODIFIER_WORD_AFTER = {"強": "化制調いくみ固力靭", "弱": "点いく者体化み", "余": "裕地計白剰談", "超": "過高大小特急"}
_DURATION_ONLY = {"年", "日"}  # bare 5年 / 16日 are dates, not amounts
_ONE_ALLOWED = {"時間", "か月", "年", "週"}  # 一時間, 一か月: 一 elsewhere is idiom (一人ひとり, 一件落着)
_ERA_BEFORE = re.compile(r"(?:明治|大正|昭和|平成|令和)\s*$")
_MONTH_BEFORE = re.compile(r"[0-9" + _KANJI_NUMERALS + r"]\s*月\s*$")
_CLOCK_BEFORE = re.compile(r"[0-9" + _KANJI_NUMERALS + r"]\s*時\s*$")


def _alternation(words: list[str] | tuple[str, ...] | set[str] | dict[str, str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_FIGURE = re.compile(
    r"(?P<per>毎月|毎年|毎週|毎日|(?<![0-9" + _KANJI_NUMERALS + r"])(?:年間|月間)"
    r"|(?<![0-9\u3400-\u9fff])[年月週](?:平均)?|[1一](?P<per3>[人台件日月年週㎢]|か月|km)(?:当たり|あたり))?"
    r"(?P<pre>" + _alternation(_APPROX_BEFORE) + r")?\s*"
    r"(?<![0-9A-Za-z.,\-/:_'#&第数何" + _KANJI_NUMERALS + "万億兆])"
    r"(?P<num>(?:" + _ARABIC + "|[" + _KANJI_NUMERALS + "])(?:" + _ARABIC + "|[" + _KANJI_NUMERALS + "万億兆])*)"
    r"(?P<unit>" + _alternation(_UNITS) + r")(?![A-Za-z])"
    r"(?:(?<=割)(?P<bu>[0-9" + _KANJI_DIGITS + r"])分)?"
    r"(?P<kan>(?<=[分秒日週年月])間)?"
    r"(?:/(?P<per2>月|年|日|週|人|台|件|回))?"
    r"(?P<suf>(?:" + _alternation(list(_APPROX_AFTER) + list(_BOUNDS)) + r"){0,2})"
)
_SUFFIX_TOKEN = re.compile(_alternation(list(_APPROX_AFTER) + list(_BOUNDS)))
_PER_UNIT = {"毎月": "月", "月間": "月", "毎年": "年", "年間": "年", "毎週": "週", "毎日": "日"}
_SENTENCE_END = "。！？!?\n"
_CONTEXT_MAX = 80


@dataclass(frozen=True)
class Figure:
    """One key figure: a normalised value, its unit and where it was written."""

    value: int | float
    unit: str
    approx: bool
    text: str
    context: str
    start: int
    end: int
    qualifier: str = ""  # "", 以上, 以下, 未満, 以内 or 超

    def to_dict(self) -> dict[str, Any]:
        """The figure as JSON-ready data (offsets left out)."""
        return {"value": self.value, "unit": self.unit, "approx": self.approx, "text": self.text,
                "context": self.context, "qualifier": self.qualifier}


def extract_figures(text: str) -> list[Figure]:
    """Every key figure in ``text``, in reading order, with offsets into ``text``."""
    norm = _normalise_same_length(text)
    figures: list[Figure] = []
    for match in _FIGURE.finditer(norm):
        figure = _figure(match, text, norm)
        if figure is not None:
            figures.append(figure)
    return figures


class _SameLengthFold(dict[int, str]):
    """``str.translate``'s table for :func:`_normalise_same_length`, filled as characters are met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        value = self[code] = folded if len(folded) == 1 else char
        return value


_FOLD = _SameLengthFold()


def _normalise_same_length(text: str) -> str:
    """NFKC per character where it keeps one character (full-width digits, ％, ，), so offsets hold."""
    return text.translate(_FOLD)


def parse_number(written: str) -> int | float | None:
    """The value of a written number (``2万875``, ``1,300``, ``1.5``, ``三百``), or None if unreadable."""
    plain = unicodedata.normalize("NFKC", written).replace(",", "")
    decimal = re.fullmatch(r"([0-9]+\.[0-9]+)([万億兆]?)", plain)
    if decimal:
        scale = {"": 1, "万": 10**4, "億": 10**8, "兆": 10**12}[decimal.group(2)]
        return _plain(Decimal(decimal.group(1)) * scale)
    if "." in plain:
        return None
    try:
        return kanji2number(plain)
    except ValueError:
        return None


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _figure(match: re.Match[str], text: str, norm: str) -> Figure | None:
    unit = _UNITS[match.group("unit")]
    suffix, end = _suffix(match, norm)
    if _rejected(match, unit, suffix, norm, end):
        return None
    value = parse_number(match.group("num"))
    if value is None or _implausible(match, unit, value):
        return None
    value = _scaled(match, value)
    tokens = [match.group("pre") or ""] + _SUFFIX_TOKEN.findall(suffix)
    bounds = [_BOUNDS[t] for t in tokens if t in _BOUNDS]
    per = _per(match)
    start = match.start("per") if match.group("per") else match.start("pre") if match.group("pre") else match.start("num")
    return Figure(
        value=value, unit=f"{unit}/{per}" if per else unit,
        approx=any(t in _APPROX_BEFORE or t in _APPROX_AFTER for t in tokens if t),
        text=text[start:end], context=_context(text, start, end),
        start=start, end=end, qualifier=bounds[0] if bounds else "",
    )


def _per(match: re.Match[str]) -> str:
    """The ``/X`` of a rate: 20時間/月, 月20時間, 年間6万件, 1人当たり10万円."""
    prefix = match.group("per") or ""
    return match.group("per2") or match.group("per3") or _PER_UNIT.get(prefix, prefix[:1])


def _suffix(match: re.Match[str], norm: str) -> tuple[str, int]:
    """The modifier text after the unit, without a 強/弱/余/超 that starts another word."""
    suffix, end = match.group("suf"), match.end("suf")
    for token, word_chars in _MODIFIER_WORD_AFTER.items():
        if suffix.endswith(token) and end < len(norm) and norm[end] in word_chars:
            return suffix[: -len(token)], end - len(token)
    return suffix, end


def _rejected(match: re.Match[str], unit: str, suffix: str, norm: str, end: int) -> bool:
    """True when the unit is part of another word or the figure is a date, time or ordinal."""
    unit_end = max(match.end("unit"), match.end("bu") if match.group("bu") else -1)
    after = norm[unit_end : unit_end + 1] if not match.group("kan") and not suffix else ""
    if after and after in _WORD_AFTER.get(unit, ""):
        return True
    if norm[end : end + 1] == "目" or (unit == "分" and re.match(r"の[0-9" + _KANJI_NUMERALS + "]", norm[unit_end:])):
        return True
    before = norm[max(0, match.start("num") - 8) : match.start("num")]  # eras and 12月 fit in 8
    if unit in _DURATION_ONLY and not (match.group("kan") or match.group("pre") or suffix):
        return True
    if unit == "年" and (_ERA_BEFORE.search(before) or after == "度"):
        return True
    return (unit == "日" and bool(_MONTH_BEFORE.search(before))) or (unit == "分" and bool(_CLOCK_BEFORE.search(before)))


def _implausible(match: re.Match[str], unit: str, value: float) -> bool:
    """Kanji-only 一 (一人ひとり) and 十分 (enough) are words; a 4-digit 年 is a calendar year."""
    written = match.group("num")
    if written == "一" and unit not in _ONE_ALLOWED:
        return True
    if written == "十" and unit == "分":
        return True
    return unit == "年" and value >= 1000


def _scaled(match: re.Match[str], value: float) -> int | float:
    """3割5分 is 3.5 割."""
    if not match.group("bu"):
        return value
    tenths = parse_number(match.group("bu")) or 0
    return _plain(Decimal(str(value)) + Decimal(tenths) / 10)


def _context(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, whitespace collapsed, cut to at most 80 characters."""
    left = max((text.rfind(c, 0, start) for c in _SENTENCE_END), default=-1) + 1
    ends = [i for i in (text.find(c, end) for c in _SENTENCE_END) if i >= 0]
    right = min(ends) + 1 if ends else len(text)
    sentence = _collapse(text[left:right])
    if len(sentence) <= _CONTEXT_MAX:
        return sentence
    room = max(0, _CONTEXT_MAX - (end - start))
    lo = max(left, start - room // 2)
    hi = min(right, end + room - (start - lo))
    lo = max(left, start - (room - (hi - end)))
    return _collapse(text[lo:hi])[:_CONTEXT_MAX]


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
