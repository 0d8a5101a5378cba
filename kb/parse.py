"""Structure of an inspection report: header, visits, Q&A, observations.

The parser works on repaired text (see :mod:`kb.repair`) and knows no file:
it reads headings, labels ("視察先", "対応者", "【質疑応答】"...), markers
(Q/A, 問/答, "・…" + "→…") and place names.  Its steps:

1. classification of every line (heading class,
   label field, Q/A marker); page furniture (page numbers, a running header)
   reads as a blank line;
2. visits from evidence (:mod:`kb.reconcile`): cues each add candidates —
   place headings in any mark style ("(1) 大阪府大阪市", "第１　更別村（7月20日）",
   "…について【静岡県袋井市】", a day line, a 視察先 value), the schedule's rows
   (:mod:`kb.schedule`), a section's first sentence ("深谷市では、") — and one
   step decides: the writing council's own city and hosts said to be skipped
   are dropped, a same-name host takes the prefecture the schedule gives,
   sections no heading names are claimed by the schedule; when a place is
   listed twice (a schedule, then the report) the later run wins;
3. each visit's lines become passages (content / qa / observation) while
   dates, respondents and topics are read from labels and headings; a visit's
   date comes from its heading or day line, its schedule row, else the trip's
   single day, never the day the report was written;
4. what lies before the first visit (title, committee, members, period) and
   after the last one (a report-wide 所感, shared out by the hosts each
   paragraph names) is read at report level;
5. each visit says why it is believed (``evidence``: 「見出し: …」「日程表: …」)
   and the report what the parser is unsure of (``doubts``: no-visit, no-date,
   schedule-mismatch, ambiguous-host), with what to do about it.

Nothing is dropped: every line of text ends in a passage or in a field.

The steps live in their own modules: :mod:`kb.layout` (lines and labelled
fields), :mod:`kb.visits` (visit headings, sections and dates),
:mod:`kb.walk`, :mod:`kb.qa` and :mod:`kb.passages` (a section's passages,
Q&A pairs and observations), :mod:`kb.details` (a visit's respondents and
topics) and :mod:`kb.header` (title, committee, council, members, period).
"""

from __future__ import annotations

from pathlib import Path

from kb.details import from_header, parse_visit
from kb.enrich import enrich
from kb.header import read_header, title_idx, year_context
from kb.layout import Field, Line, find_fields, split_lines
from kb.model import Doubt, Observation, Period, Report, Visit
from kb.municipalities import MunicipalityTable, compact
from kb.passages import Collector, renumber
from kb.reconcile import Plan, add_doubts, add_evidence, plan_visits
from kb.schedule import read_schedule
from kb.taxonomy import Taxonomy
from kb.visits import assign_dates, consumed_lines, visit_bounds
from kb.walk import walk

NO_VISIT_WARNING = "視察先を特定できませんでした（全文を報告書全体の段落として扱います）"
NO_VISIT_ADVICE = "報告書と同じフォルダに「<ファイル名>.toml」を置き、[[visits]] に municipality・prefecture・date を書いてください"


def parse_text(
    text: str,
    file: str,
    *,
    format: str = "txt",
    encoding: str = "utf-8",
    warnings: list[str] | None = None,
    table: MunicipalityTable | None = None,
    title: str = "",
    taxonomy: Taxonomy | None = None,
) -> Report:
    """Parse repaired report text into a :class:`Report` (``text`` is kept as is).

    ``title`` is context from outside the text (an HTML page's ``<title>``):
    a last source for the council, and the title when the text has none.
    Passages are tagged with the practices of ``taxonomy`` (the bundled one
    by default) and visits get their key figures.
    """
    table = table or MunicipalityTable.load()
    report = Report(file=file, format=format, encoding=encoding, text=text, warnings=list(warnings or []))
    lines = split_lines(text)
    fields = find_fields(lines)
    plan = plan_visits(lines, fields, table, text)
    starts = plan.starts
    bounds = visit_bounds(lines, starts)
    first = bounds[0][0] if bounds else len(lines)
    read_header(report, lines, first, fields, table, {c.place.code for c in starts}, title)
    consumed = consumed_lines(fields, starts, lines)
    for n, (cand, (lo, hi)) in enumerate(zip(starts, bounds)):
        report.visits.append(parse_visit(n + 1, cand, lines, lo, hi, fields, consumed, report))
    from_header(report, lines[:first], fields, table, text)
    _dates(report, plan, lines, fields, bounds, table)
    tail = bounds[-1][1] if bounds else len(lines)
    _read_rest(report, lines, first, tail, consumed | title_idx(lines, first))
    _doubts(report, plan, table)
    _finish_period(report)
    return enrich(report, taxonomy)


def _dates(
    report: Report, plan: Plan, lines: list[Line], fields: list[Field], bounds: list[tuple[int, int]],
    table: MunicipalityTable,
) -> None:
    """Each visit's date, read with the report's year, and why each visit is believed."""
    first = bounds[0][0] if bounds else len(lines)
    years = year_context(report, lines[:first], report.text)
    rows = read_schedule(lines, plan.stop, table, report.text, years, plan.writer)
    assign_dates(report, plan.starts, lines, fields, bounds, years, rows)
    add_evidence(report, plan, lines)


def _doubts(report: Report, plan: Plan, table: MunicipalityTable) -> None:
    """What the parser is unsure of: no visit at all, or doubts on hosts and dates."""
    if not report.visits:
        report.warnings.append(NO_VISIT_WARNING)
        report.doubts.append(Doubt("no-visit", NO_VISIT_WARNING, NO_VISIT_ADVICE))
    add_doubts(report, plan, table)


def parse_file(path: Path, table: MunicipalityTable | None = None) -> Report:
    """Read, repair and parse one report file, then apply its sidecar (see :mod:`kb.sidecar`)."""
    from kb.readers import read_document
    from kb.repair import repair_text
    from kb.sidecar import with_sidecar

    doc = read_document(path)
    report = parse_text(
        repair_text(doc.text), path.name, format=doc.format, encoding=doc.encoding,
        warnings=list(doc.warnings), table=table, title=doc.title,
    )
    return with_sidecar(path, report, table)


def _read_rest(report: Report, lines: list[Line], first: int, tail: int, consumed: set[int]) -> None:
    """Report-level passages: the head's prose and what follows the last visit.

    With a single visit, the report's Q&A and observations are that visit's;
    with several, an observation naming exactly one visited place goes to it.
    """
    head, rest = Collector("h"), Collector("t")
    walk(lines, 0, first, consumed, head, report.members)
    walk(lines, tail, len(lines), consumed, rest, report.members)
    if len(report.visits) == 1:
        _adopt(report.visits[0], head, rest)
    else:
        _move_mentioned(report.visits, rest)
        _share_closing(report.visits)
    passages = head.passages + rest.passages
    observations = head.observations + rest.observations
    renumber("r", passages, [], observations)
    report.passages, report.observations = passages, observations


def _take(coll: Collector) -> Collector:
    """Remove the Q&A and observation passages of ``coll`` into a new collector."""
    taken = Collector(coll.prefix, qa=coll.qa, observations=coll.observations)
    taken.passages = [p for p in coll.passages if p.section in ("qa", "observation")]
    coll.passages = [p for p in coll.passages if p.section not in ("qa", "observation")]
    coll.qa, coll.observations = [], []
    return taken


def _adopt(visit: Visit, head: Collector, rest: Collector) -> None:
    """Give the only visit the report's Q&A and observations, in document order."""
    before, after = _take(head), _take(rest)
    visit.passages = before.passages + visit.passages + after.passages
    visit.qa = before.qa + visit.qa + after.qa
    visit.observations = before.observations + visit.observations + after.observations
    renumber("v1", visit.passages, visit.qa, visit.observations)


def _move_mentioned(visits: list[Visit], rest: Collector) -> None:
    """Move each closing observation that names exactly one visited place into that visit."""
    for obs in list(rest.observations):
        visit = _mentioned_visit(obs.text, visits)
        if visit is None:
            continue
        moved = next(p for p in rest.passages if p.id == obs.passage)
        rest.passages.remove(moved)
        rest.observations.remove(obs)
        moved.id = f"v{visits.index(visit) + 1}-p{len(visit.passages) + 1}"
        visit.passages.append(moved)
        visit.observations.append(Observation(obs.author, obs.text, moved.id))


def _share_closing(visits: list[Visit]) -> None:
    """A closing 所感 read into the last visit that speaks of several hosts, paragraph by
    paragraph, is shared: a paragraph naming exactly one other host moves to that host."""
    if len(visits) < 2:
        return
    last = visits[-1]
    named = {id(o): _mentioned_visit(o.text, visits) for o in last.observations}
    hosts = {id(v) for v in named.values() if v is not None}
    if len(hosts) < 2:
        return
    for obs in list(last.observations):
        visit = named[id(obs)]
        if visit is None or visit is last:
            continue
        moved = next(p for p in last.passages if p.id == obs.passage)
        last.passages.remove(moved)
        last.observations.remove(obs)
        visit.passages.append(moved)
        visit.observations.append(Observation(obs.author, obs.text, moved.id))
        n = visits.index(visit) + 1
        renumber(f"v{n}", visit.passages, visit.qa, visit.observations)
    renumber(f"v{len(visits)}", last.passages, last.qa, last.observations)


def _mentioned_visit(text: str, visits: list[Visit]) -> Visit | None:
    key = compact(text)
    hits = [v for v in visits if v.municipality and v.municipality in key]
    return hits[0] if len({v.code for v in hits}) == 1 else None


def _finish_period(report: Report) -> None:
    days = sorted(v.date for v in report.visits if v.date)
    if not report.period.start and days:
        report.period = Period(days[0], days[-1])
