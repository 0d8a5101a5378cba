"""What a report says about its own trip before telling it: who writes, and the schedule.

Two cues a reader uses before the visit sections:

* the writing council (``大府市議会　総務委員会`` in the head, ``本市（府中市）``):
  its own city is never a visit, however often the text names it;
* the schedule: rows naming one host each (a 視察日程 list, a tab/pipe/box table,
  a 視察先及び視察事項 list), with the row's date and topic when written.  A host
  the text says was reported elsewhere or skipped (別冊, 別途報告, 省略, 中止) is
  no visit.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field, replace

from kb.dates import YearContext, normalize_numbers
from kb.layout import Line, strip_marker
from kb.municipalities import Municipality, MunicipalityTable, compact


@dataclass
class Writer:
    """The writing council's own place names, and the head lines naming it."""

    names: set[str] = field(default_factory=set)
    lines: set[int] = field(default_factory=set)


@dataclass
class Row:
    """One host of the schedule: the line it is read from, its date and topic if written."""

    idx: int
    place: Municipality
    date: datetime.date | None
    topic: str
    text: str


# After the writer's place in the head: 「大府市議会　総務委員会」「木更津市議会議員」「東京都板橋区議会」,
# but not a visit to a council 「取手市議会（2月1日）」「函館市議会視察」, nor a council named alone
# (「三重県四日市市議会」 heading the visit below it).
_WRITER_REST = re.compile(r"^(?:議会|市会|区会|議団)(?:議員|議長|.{0,20}(?:委員会|会派|議団|委員)(?!.*[（(\d]))")
_SELF = re.compile(r"本(?:市|区|町|村|県)(?:議会)?[（(]([^（）()]{2,8}?)(?:議会)?[）)]")
_HEAD_LINES = 6


def find_writer(lines: list[Line], table: MunicipalityTable) -> Writer:
    """The council that writes the report: named at the head, or as 「本市（〇〇市）」."""
    writer = Writer()
    head = [ln for ln in lines if not ln.blank][:_HEAD_LINES]
    for n, line in enumerate(head):
        # A marked line is a heading (「(1) 京都府議会」 opens a visit), not the writer's name.
        if line.cls or compact(strip_marker(line.text)) != compact(line.text):
            continue
        name = _writer_in(line, head[n + 1:n + 2], table)
        if name:
            writer.names.add(name)
            writer.lines.add(line.idx)
    for line in lines:
        for m in _SELF.finditer(compact(line.text)):
            place = table.resolve(m.group(1))
            if place is not None and not place.is_prefecture:
                writer.names.add(place.name)
    return writer


def _writer_in(line: Line, below: list[Line], table: MunicipalityTable) -> str:
    """The place of a head line naming the writing council (its own name, or alone above the title)."""
    key = compact(strip_marker(line.text))
    mentions = table.mentions(key)
    if not mentions:
        return ""
    first = mentions[-1] if mentions[0].candidates[0].is_prefecture and len(mentions) > 1 else mentions[0]
    lead = key[: first.start - len(first.district)]
    if lead and table.prefecture(lead) is None:
        return ""
    rest = key[first.end:]
    if _WRITER_REST.match(rest) and not re.search(r"(?:へ|を|の)?(?:行政|先進地)?視察$|[（(]", rest[:6]):
        return first.candidates[0].name
    # The council's name alone above the title: 「尾道市」 then 「議会運営委員会　行政視察報告」.
    alone = not rest and not lead and compact(line.text) == key and bool(below)
    if alone and re.search(r"委員会|会派", below[0].text) and "視察" not in below[0].text[:4]:
        return first.candidates[0].name
    return ""


# 「一部省略」「見学は中止」 leave the visit standing; 「別冊で報告」「視察は中止」 do not.
_SKIPPED = re.compile(r"別冊|別途|別紙で報告|(?<!一部)(?<!見学は)(?:省略|中止)|割愛|取りやめ|見送")
# Cells of a row: tabs, rules (|｜┃│) or spaces; a Word or HTML table may have become single spaces.
_CELLS = re.compile(r"[\t|｜┃│ \u3000]+")


def read_schedule(
    lines: list[Line], stop: int, table: MunicipalityTable, context: str, years: YearContext, writer: Writer,
) -> list[Row]:
    """The schedule's rows before line ``stop``: one per host, in the order written."""
    rows: list[Row] = []
    for line in lines[:stop]:
        if line.idx in writer.lines:
            continue
        for row in _day_list(line, table, context, years) or [_row(line, table, context, years)]:
            if row is None or row.place.name in writer.names and not _has_prefecture(line.text, row.place):
                continue
            if row.place.code not in {r.place.code for r in rows}:
                rows.append(row)
    return rows


_DAY_END = re.compile(r"\d\s*日\s*(?:[（(][月火水木金土日](?:曜日?)?[）)])?")


def _day_list(line: Line, table: MunicipalityTable, context: str, years: YearContext) -> list[Row | None]:
    """A schedule on one line, a day and its host after another: 「日程　8月27日（火）射水市、8月28日（水）南砺市」."""
    if line.text.endswith("。"):
        return []
    parts = [p for p in re.split(r"[、，,；;]", line.text) if p.strip()]
    if len(parts) < 2 or not all(years.dates(p) or re.search(r"\d\s*月\s*\d{1,2}\s*日", normalize_numbers(p))
                                 for p in parts):
        return []
    # The day and its host become two cells: 「8月27日（火）射水市」 → 「8月27日（火）」「射水市」.
    rows = [_row(replace(line, text=_DAY_END.sub(lambda m: m.group(0) + " ", normalize_numbers(p), count=1)),
                 table, context, years) for p in parts]
    return rows if all(r is not None for r in rows) else []


def _row(line: Line, table: MunicipalityTable, context: str, years: YearContext) -> Row | None:
    """A schedule row: a cell of the line opens with exactly one host."""
    if line.blank or line.text.endswith("。") or len(line.text) > 160:
        return None
    # 「埼玉県　本庄市」 is one cell: a prefecture is not parted from its municipality.
    joined = re.sub(r"([都道府県])[ \u3000]+(?=[一-龥々ヶぁ-んァ-ヴ]{1,6}[郡市区町村](?:$|[\s（(]))", r"\1", line.text)
    cells = [unicodedata.normalize("NFKC", strip_marker(c)) for c in _CELLS.split(joined) if c.strip()]
    places: list[tuple[int, Municipality]] = []
    for n, cell in enumerate(cells):
        place = _cell_place(cell, table, context)
        if place is not None:
            places.append((n, place))
    if len({p.code for _, p in places}) != 1:
        return None
    dates = years.dates(line.text)
    topic = max((c for n, c in enumerate(cells) if n != places[0][0] and not years.dates(c)), key=len, default="")
    return Row(line.idx, places[0][1], dates[0] if dates else None, topic.strip(), line.text)


def _cell_place(cell: str, table: MunicipalityTable, context: str) -> Municipality | None:
    """The host a cell opens with (「北海道河西郡更別村」「袋井市」「出雲市役所」)."""
    key = re.sub(r"^[（(【［\[]|[）)】］\]]$", "", compact(cell))
    found = table.find_mention(key, context)
    if found is None:
        return None
    place, mention = found
    lead = key[: mention.start - len(mention.district)]
    if lead and table.prefecture(lead) is None:
        return None
    rest = key[mention.end:]
    # A ward office of a designated city is the city: 「さいたま市西区役所」.
    return place if re.match(r"^(?:[一-龥々ヶ]{1,4}区)?(?:議会|市会|役所|役場|庁)?(?:$|[（(【「『\[]|\d{1,2}月)", rest) else None


def _has_prefecture(text: str, place: Municipality) -> bool:
    key = compact(text)
    return f"{place.prefecture}{place.name}" in key or bool(
        re.search(rf"{place.prefecture}[^\s、。]{{1,5}}郡{place.name}|{place.name}[（(]{place.prefecture}[）)]", key)
    )


def skipped(lines: list[Line], stop: int, table: MunicipalityTable) -> set[str]:
    """Hosts the text says are reported elsewhere or were not visited (別冊, 省略, 中止):
    said in the schedule before line ``stop``, or in a note (※) anywhere."""
    return {code for codes in skip_notes(lines, stop, table).values() for code in codes}


def skip_notes(lines: list[Line], stop: int, table: MunicipalityTable) -> dict[int, set[str]]:
    """The lines saying hosts are skipped (see :func:`skipped`), with the hosts each one names."""
    out: dict[int, set[str]] = {}
    for line in lines:
        note = compact(line.text).startswith(("※", "*", "＊", "(注)", "注"))
        if not (line.idx < stop or note):
            continue
        # Each sentence of a paragraph on its own: 「大村市は中止した。また、県庁の視察は別冊で報告する。」
        for key in (k for k in re.split(r"(?<=。)", compact(line.text)) if k):
            if _SKIPPED.search(key) and len(key) <= 80 and (host := _one_host(key, table)):
                out.setdefault(line.idx, set()).update(host)
    return out


def _one_host(key: str, table: MunicipalityTable) -> set[str]:
    """The single host a sentence names: a municipality, or a prefecture as its office (「長崎県庁」)."""
    names = {
        m.candidates[0].code for m in table.mentions(key)
        if not m.candidates[0].is_prefecture or key.startswith("庁", m.end)
    }
    return names if len(names) == 1 else set()


def settled(place: Municipality, text: str, table: MunicipalityTable) -> bool:
    """Whether the text says which of several same-name municipalities ``place`` is."""
    rows = [m for m in table.all() if m.name == place.name]
    return len(rows) <= 1 or any(_has_prefecture(text, m) for m in rows)
