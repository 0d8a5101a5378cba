"""Which lines open a visit: candidate headings weighed against the writer and the schedule.

Each cue adds evidence (:mod:`kb.visits` finds place headings and 視察先 fields,
:mod:`kb.schedule` the writing council and the schedule's rows); this module
decides once: the writer's own city and hosts said to be skipped are dropped, a
same-name host is settled by the prefecture the schedule gives, and what still
disagrees with the schedule becomes a doubt rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from kb.dates import YearContext
from kb.layout import Field, Line, prev_nonblank
from kb.model import Doubt, Report
from kb.municipalities import MunicipalityTable, compact
from kb.schedule import Row, Writer, find_writer, read_schedule, settled, skip_notes
from kb.visits import Candidate, fallback_visit, find_candidates, first_sentence_candidates, visit_starts

_TRIM = 60


@dataclass
class Plan:
    """The chosen visit openers with what they rest on."""

    starts: list[Candidate]
    rows: list[Row]
    writer: Writer
    stop: int
    skipped: set[str] = field(default_factory=set)


def plan_visits(lines: list[Line], fields: list[Field], table: MunicipalityTable, text: str) -> Plan:
    """The lines opening a visit section, reconciled with the writer and the schedule."""
    writer = find_writer(lines, table)
    cands = [c for c in find_candidates(lines, fields, table, text) if c.idx not in writer.lines]
    first = visit_starts(lines, cands)
    stop = first[0].idx if first else len(lines)
    rows = read_schedule(lines, stop, table, text, YearContext(None), writer)
    notes = skip_notes(lines, _note_stop(lines, first, cands, stop), table)
    skip = {code for codes in notes.values() for code in codes}
    kept = [_settle(c, rows) for c in cands if c.place.code not in skip]
    kept = [c for c in kept if not _writers_own(c, writer, rows, table)]
    kept += _claimed_by_schedule(lines, stop, rows, [c for c in kept if c.idx >= stop])
    # A paragraph saying which hosts are skipped is no visit's content.
    quiet = [replace(ln, text="") if ln.idx in notes else ln for ln in lines]
    starts = visit_starts(quiet, sorted(kept, key=lambda c: c.idx))
    if not starts:
        told = [c for c in first_sentence_candidates(lines, table, text) if c.place.name not in writer.names]
        starts = visit_starts(lines, told)
    if not starts:
        starts = [c for c in fallback_visit(lines, table, text) if c.place.name not in writer.names]
    return Plan(starts, rows, writer, stop, skip)


def _note_stop(lines: list[Line], first: list[Candidate], cands: list[Candidate], stop: int) -> int:
    """Where notes on skipped hosts may be read up to: the first opener that is not the last
    item of a list of hosts (the paragraph under a list says which hosts are reported elsewhere)."""
    listed = {c.idx for c in cands}
    for cand in first:
        if prev_nonblank(lines, cand.idx, 0) not in listed:
            return max(stop, cand.idx)
    return stop


_DAY_HEADING = re.compile(r"^[【\[〔<＜■◆●○◎]?\s*(?:第\s*[0-9０-９一二三四五六七八九]{1,2}\s*日目?|[0-9０-９]{1,2}\s*日目)")
_TOPIC_TAIL = re.compile(r"(?:について|に関すること|に関して|の取組み?)$")


def _claimed_by_schedule(lines: list[Line], stop: int, rows: list[Row], named: list[Candidate]) -> list[Candidate]:
    """Sections no heading names, claimed by the schedule: a heading repeating a row's topic,
    else day headings (「【第１日目】」) taken in the schedule's order, one per row."""
    missing = [r for r in rows if r.place.code not in {c.place.code for c in named}]
    if not missing:
        return []
    out: list[Candidate] = []
    after = max([stop if stop < len(lines) else 0, *(r.idx + 1 for r in rows)])
    body = [ln for ln in lines[after:] if not ln.blank and not ln.text.endswith("。") and len(ln.text) <= 60]
    for row in missing:
        topic = _TOPIC_TAIL.sub("", compact(row.topic).strip("「」『』【】"))
        hit = next((ln for ln in body if len(topic) >= 5 and topic in compact(ln.text)), None)
        if hit is not None:
            out.append(Candidate(hit.idx, row.place, "", "", "日程表の項目", hit.text))
    if out or named:
        return out
    days = [ln for ln in body if _DAY_HEADING.match(ln.text)]
    if len(days) == len(rows):
        return [Candidate(d.idx, r.place, "", "", "日程表の順", d.text) for d, r in zip(days, rows)]
    return []


def _writers_own(cand: Candidate, writer: Writer, rows: list[Row], table: MunicipalityTable) -> bool:
    """Whether a candidate names the writing council's own city.

    A council never visits itself: a heading naming its city is its own unless the
    schedule lists that municipality, or the name is shared (府中市, 伊達市), when
    the heading must mean the other one.
    """
    if cand.place.name not in writer.names or any(r.place.code == cand.place.code for r in rows):
        return False
    return sum(1 for m in table.all() if m.name == cand.place.name) < 2


def _settle(cand: Candidate, rows: list[Row]) -> Candidate:
    """A same-name host takes the municipality the schedule names (府中市 → 広島県府中市)."""
    same = [r.place for r in rows if r.place.name == cand.place.name and r.place.code != cand.place.code]
    if same and not any(r.place.code == cand.place.code for r in rows):
        return replace(cand, place=same[0])
    return cand


def trim(text: str, key: str = "") -> str:
    """A line shortened for an evidence string, keeping ``key`` (the host's name) in view."""
    flat = " ".join(text.split())
    if len(flat) <= _TRIM:
        return flat
    at = flat.find(key) if key else -1
    start = 0 if at < _TRIM // 2 else min(at - _TRIM // 2, len(flat) - _TRIM)
    head = "…" if start else ""
    tail = "…" if start + _TRIM < len(flat) else ""
    return head + flat[start:start + _TRIM] + tail


def add_evidence(report: Report, plan: Plan, lines: list[Line]) -> None:
    """Why each visit is believed: the line that opened it, and its schedule row."""
    for visit, cand in zip(report.visits, plan.starts):
        visit.evidence.append(f"{cand.cue}: {trim(cand.said or lines[cand.idx].text, visit.municipality)}")
        row = next((r for r in plan.rows if r.place.code == visit.code), None)
        if row is not None:
            visit.evidence.append(f"日程表: {trim(row.text, visit.municipality)}")
    if plan.writer.names:
        report.evidence.append(f"報告者の議会: {'、'.join(sorted(plan.writer.names))}（視察先から除外）")


def add_doubts(report: Report, plan: Plan, table: MunicipalityTable) -> None:
    """Doubts on hosts: same-name ambiguity, schedule disagreement, a visit without a date."""
    codes = [v.code for v in report.visits]
    for n, visit in enumerate(report.visits, 1):
        place = table.by_code(visit.code)
        if place is not None and not settled(place, report.text, table):
            others = "・".join(m.prefecture for m in table.all() if m.name == place.name)
            doubt = Doubt("ambiguous-host", f"「{place.name}」は複数あります（{others}）。{place.prefecture}と判断しました",
                          "都道府県名を確かめ、違う場合は <ファイル名>.toml の [[visits]] で prefecture を指定してください", n)
            visit.doubts.append(doubt)
        if plan.rows and visit.code not in {r.place.code for r in plan.rows}:
            doubt = Doubt("schedule-mismatch", f"「{visit.municipality}」の節がありますが、日程表にはありません",
                          "日程表と本文の視察先を確かめてください", n)
            visit.doubts.append(doubt)
        if not visit.date:
            visit.doubts.append(Doubt("no-date", f"「{visit.municipality}」の視察日が分かりませんでした",
                                      "<ファイル名>.toml の [[visits]] に date を書いてください", n))
    for row in plan.rows:
        if row.place.code not in codes and row.place.code not in plan.skipped:
            report.doubts.append(Doubt("schedule-mismatch", f"日程表の「{row.place.name}」を報告する節が見つかりません",
                                       "節の見出しに視察先の名前があるか確かめてください"))
    report.doubts.extend(d for v in report.visits for d in v.doubts)

