"""Sidecars: a ``<report file>.toml`` beside a report states what its text does not make clear.

For ``foo.txt`` the sidecar is ``foo.txt.toml``::

    council = "府中市議会"      # optional
    body = "総務委員会"         # optional
    [[visits]]
    municipality = "三原市"
    prefecture = "広島県"       # optional when the name is unambiguous
    date = "2023-07-10"        # optional

:func:`read_sidecar` validates it against the municipality code table and
raises :class:`~kb.errors.SidecarError` naming the file and the key;
:func:`apply_sidecar` makes a parsed report agree with it, keeping the
passages the parser found and moving them to the visits the sidecar lists.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.dates import find_dates
from kb.enrich import enrich
from kb.errors import SidecarError
from kb.model import Doubt, Period, QAPair, Report, Visit
from kb.municipalities import Municipality, MunicipalityTable, compact
from kb.passages import renumber

SIDECAR_SUFFIX = ".toml"
VISIT_DOUBTS = frozenset({"no-visit", "no-date", "schedule-mismatch", "ambiguous-host"})
"""Doubt kinds a sidecar settles: which hosts were visited, and when."""

_TOP_KEYS = frozenset({"council", "body", "visits"})
_VISIT_KEYS = frozenset({"municipality", "prefecture", "date"})
# A report-level Q&A passage keeps no pair (the report has none); the parser
# writes its text in this shape unless the source text is kept as is.
_QA_TEXT = re.compile(r"\A問：(?P<q>.+?)\n答：(?P<a>.+)\Z", re.DOTALL)


@dataclass(frozen=True)
class SidecarVisit:
    """One visit as the sidecar states it, resolved in the code table."""

    municipality: str
    prefecture: str
    code: str
    date: str | None = None


@dataclass(frozen=True)
class Sidecar:
    """A validated sidecar: its file name and what it states."""

    file: str
    council: str = ""
    body: str = ""
    visits: tuple[SidecarVisit, ...] = ()


def sidecar_path(report: Path) -> Path:
    """Where the sidecar of ``report`` lives: ``foo.txt`` → ``foo.txt.toml``."""
    return report.with_name(report.name + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    """True for a ``.toml`` file whose report (its name without ``.toml``) exists beside it."""
    return path.suffix.lower() == SIDECAR_SUFFIX and path.with_name(path.name[: -len(SIDECAR_SUFFIX)]).is_file()


def sidecar_bytes(report: Path) -> bytes | None:
    """The bytes of the sidecar of ``report``, or None when it has none."""
    path = sidecar_path(report)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SidecarError(f"{path.name}: 読み込めません（{exc.strerror or exc}）", subject=path.name,
                           hint="ファイルの権限を確かめてください") from exc


def read_sidecar(report: Path, table: MunicipalityTable) -> Sidecar | None:
    """The validated sidecar of ``report``, or None when there is none."""
    data = sidecar_bytes(report)
    if data is None:
        return None
    return parse_sidecar(data, sidecar_path(report).name, table)


def parse_sidecar(data: bytes, name: str, table: MunicipalityTable) -> Sidecar:
    """Parse and validate sidecar bytes; :class:`SidecarError` names ``name`` and the key at fault."""
    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _error(name, "", "UTF-8 で書かれていません", "UTF-8 で保存し直してください") from None
    except tomllib.TOMLDecodeError as exc:
        raise _error(name, "", f"TOML として読めません（{exc}）",
                     "書き方を README の「サイドカー」の例と見比べてください") from None
    _no_unknown(raw, _TOP_KEYS, name, "")
    visits = raw.get("visits", [])
    if not isinstance(visits, list) or not all(isinstance(v, dict) for v in visits):
        raise _error(name, "visits", "[[visits]] の表の並びで書いてください", "例: [[visits]] の下に municipality = \"三原市\"")
    return Sidecar(
        name,
        council=_text(raw, "council", name, ""),
        body=_text(raw, "body", name, ""),
        visits=tuple(_visit(v, n, name, table) for n, v in enumerate(visits, 1)),
    )


def _error(name: str, key: str, message: str, hint: str) -> SidecarError:
    where = f"{name} の {key}" if key else name
    return SidecarError(f"{where}: {message}", subject=where, hint=hint)


def _no_unknown(raw: dict[str, Any], known: frozenset[str], name: str, prefix: str) -> None:
    for key in raw:
        if key not in known:
            allowed = "、".join(sorted(known))
            raise _error(name, prefix + key, "知らない項目です", f"書ける項目は {allowed} です")


def _text(raw: dict[str, Any], key: str, name: str, prefix: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise _error(name, prefix + key, "文字列ではありません", f'{key} = "…" のように引用符で囲んでください')
    return value.strip()


def _visit(raw: dict[str, Any], n: int, name: str, table: MunicipalityTable) -> SidecarVisit:
    prefix = f"visits[{n}]."
    _no_unknown(raw, _VISIT_KEYS, name, prefix)
    municipality = _text(raw, "municipality", name, prefix)
    if not municipality:
        raise _error(name, prefix + "municipality", "視察先の市区町村名がありません", '例: municipality = "三原市"')
    row = _resolve(municipality, _text(raw, "prefecture", name, prefix), name, prefix, table)
    return SidecarVisit(row.name, row.prefecture, row.code, _date(raw.get("date"), name, prefix + "date"))


def _resolve(municipality: str, prefecture: str, name: str, prefix: str, table: MunicipalityTable) -> Municipality:
    if prefecture and table.prefecture(prefecture) is None:
        raise _error(name, prefix + "prefecture", f"「{prefecture}」という都道府県はありません", '例: prefecture = "広島県"')
    key = compact(municipality)
    written = next((p for p in table.prefecture_names() if key.startswith(p) and key != p), "")
    row = table.resolve(municipality, prefecture or written or None)
    if row is None or (prefecture and row.prefecture != compact(prefecture)):
        where = f"{prefecture}に" if prefecture else "自治体コード表に"
        raise _error(name, prefix + "municipality", f"「{municipality}」は{where}ありません",
                     "市区町村名を「三原市」のように正式な名前で書いてください")
    rows = [m for m in table.search(row.name) if m.name == row.name]
    if not (prefecture or written) and len(rows) > 1:
        places = "、".join(m.prefecture for m in rows)
        raise _error(name, prefix + "prefecture", f"「{municipality}」は複数あります（{places}）",
                     'prefecture = "…" で都道府県を指定してください')
    return row


def _date(value: Any, name: str, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _error(name, key, f"日付として読めません（{value!r}）", 'date = "2023-07-10" のように年-月-日で書いてください')


# --------------------------------------------------------------------------
# Applying a sidecar to a parsed report


def apply_sidecar(report: Report, sidecar: Sidecar, table: MunicipalityTable) -> Report:
    """Make ``report`` agree with ``sidecar``: its council, body and visits.

    Listed visits replace the parsed ones, in the sidecar's order; a parsed
    visit of the same host keeps its passages, Q&A and observations, a
    parsed visit of an unlisted host is taken for the next listed host the
    parser did not find (a misread host), else merged into the preceding
    kept visit.  When the parser found no visit, the report-level passages
    are shared out by the hosts they mention.  Doubts about visits give way
    to the sidecar, which ``report.warnings`` says.
    """
    report.council = sidecar.council or report.council
    report.body = sidecar.body or report.body
    if not sidecar.visits:
        return report
    found_none, settled = not report.visits, visit_doubts(report)
    targets = _targets(report.visits, sidecar.visits)
    visits = _assign(report.visits, sidecar, targets)
    _renumber_doubts(report, visits, [index + 1 for index, _ in targets])
    if found_none:
        _share_out(report, visits, table)
    for n, visit in enumerate(visits, 1):
        renumber(f"v{n}", visit.passages, visit.qa, visit.observations)
    renumber("r", report.passages, [], report.observations)
    report.visits = visits
    _settle_doubts(report, sidecar.file, settled)
    _fit_period(report)
    return enrich(report)


def _fit_period(report: Report) -> None:
    """Set the trip's period from the visit dates when it is unknown or does not hold them."""
    days = sorted(v.date for v in report.visits if v.date)
    if not days:
        return
    start, end = report.period.start, report.period.end or report.period.start
    if not start or not end or days[0] < start or days[-1] > end:
        report.period = Period(days[0], days[-1])


def _new_visit(listed: SidecarVisit, file: str) -> Visit:
    return Visit(municipality=listed.municipality, prefecture=listed.prefecture, code=listed.code,
                 date=listed.date, evidence=[f"{file} の指定"])


def _assign(parsed: list[Visit], sidecar: Sidecar, targets: list[tuple[int, bool]]) -> list[Visit]:
    """The sidecar's visits, each with the content of the parsed visits that go to it."""
    out = [_new_visit(listed, sidecar.file) for listed in sidecar.visits]
    for visit, (index, same_host) in zip(parsed, targets):
        _merge(out[index], visit, same_host=same_host)
    for visit, listed in zip(out, sidecar.visits):
        visit.date = listed.date or visit.date
    return out


def _targets(parsed: list[Visit], listed: tuple[SidecarVisit, ...]) -> list[tuple[int, bool]]:
    """For each parsed visit, the listed visit its content goes to, and whether it is that host.

    A parsed visit of a listed host goes to it; one of an unlisted host takes
    the first listed host no parsed visit found that fits between its
    neighbours (the parser misread the host), else joins the preceding visit
    (or, first of all, the following one).
    """
    matched = _same_hosts(parsed, listed)
    free = [i for i in range(len(listed)) if i not in matched]
    out: list[tuple[int, bool]] = []
    for n, index in enumerate(matched):
        if index is not None:
            out.append((index, True))
            continue
        after = out[-1][0] if out else -1
        before = next((m for m in matched[n + 1:] if m is not None), len(listed))
        fits = [i for i in free if after < i < before]
        if fits:
            free.remove(fits[0])
            out.append((fits[0], True))
        else:
            out.append((after if out else min(before, len(listed) - 1), False))
    return out


def _same_hosts(parsed: list[Visit], listed: tuple[SidecarVisit, ...]) -> list[int | None]:
    """For each parsed visit, a listed visit of the same host: the next unused one, else the last used."""
    used: list[int | None] = []
    for visit in parsed:
        same = [i for i, v in enumerate(listed) if v.code == visit.code]
        unused = [i for i in same if i not in used]
        used.append(unused[0] if unused else (same[-1] if same else None))
    return used


def _renumber_doubts(report: Report, visits: list[Visit], new_number: list[int]) -> None:
    """Point the doubts that name a visit at its new number."""
    for n, visit in enumerate(visits, 1):
        for doubt in visit.doubts:
            doubt.visit = n
    for doubt in report.doubts:
        if doubt.visit is not None and 0 < doubt.visit <= len(new_number):
            doubt.visit = new_number[doubt.visit - 1]


def _merge(into: Visit, visit: Visit, *, same_host: bool) -> None:
    """Append ``visit``'s content to ``into``; its date and district too when it is the same host."""
    into.passages.extend(visit.passages)
    into.qa.extend(visit.qa)
    into.observations.extend(visit.observations)
    into.evidence.extend(visit.evidence)
    into.doubts.extend(d for d in visit.doubts if d.kind not in VISIT_DOUBTS)
    for name in ("respondents", "topics"):
        getattr(into, name).extend(x for x in getattr(visit, name) if x not in getattr(into, name))
    if same_host:
        into.date = into.date or visit.date
        into.district = into.district or visit.district


def _share_out(report: Report, visits: list[Visit], table: MunicipalityTable) -> None:
    """Give the report-level passages to the visits: by the host they mention, else the preceding one."""
    current = 0
    observations = {o.passage: o for o in report.observations}
    for passage in report.passages:
        current = _mentioned(passage.text, visits, table, current)
        visit = visits[current]
        visit.passages.append(passage)
        if passage.id in observations:
            visit.observations.append(observations[passage.id])
        pair = _QA_TEXT.match(passage.text) if passage.section == "qa" else None
        if pair:
            visit.qa.append(QAPair(pair["q"].strip(), pair["a"].strip(), passage.id))
    report.passages, report.observations = [], []


def _mentioned(text: str, visits: list[Visit], table: MunicipalityTable, current: int) -> int:
    """The one visit whose host ``text`` names, else ``current``."""
    codes = {m.code for mention in table.mentions(compact(text)) for m in mention.candidates}
    hits = {i for i, v in enumerate(visits) if v.code in codes}
    return hits.pop() if len(hits) == 1 else current


def _settle_doubts(report: Report, file: str, settled: list[Doubt]) -> None:
    """Drop the doubts about visits (and their warnings): the sidecar has settled them.

    A missing date the parser doubted stays a doubt while the sidecar gives none either.
    """
    messages = {d.message for d in settled}
    report.doubts = [d for d in report.doubts if d.kind not in VISIT_DOUBTS]
    report.warnings = [w for w in report.warnings if w not in messages]
    report.warnings.append(f"視察先は {file} の指定によります")
    report.evidence.append(f"{file} の指定")
    if any(d.kind == "no-date" for d in settled):
        for n, visit in enumerate(report.visits, 1):
            if not visit.date:
                visit.doubts.append(Doubt("no-date", f"視察先{n}（{visit.municipality}）の視察日がわかりません",
                                          f"{file} の {n} 番目の [[visits]] に date を書いてください", n))


def with_sidecar(path: Path, report: Report, table: MunicipalityTable | None = None) -> Report:
    """``report`` (parsed from ``path``) with the sidecar beside ``path`` applied, if there is one."""
    table = table or MunicipalityTable.load()
    sidecar = read_sidecar(path, table)
    return apply_sidecar(report, sidecar, table) if sidecar else report


# --------------------------------------------------------------------------
# What to write: the sidecar that would settle a report's doubts


def visit_doubts(report: Report) -> list[Doubt]:
    """The report's and its visits' doubts a sidecar would settle."""
    doubts = list(report.doubts) + [d for v in report.visits for d in v.doubts]
    return [d for d in doubts if d.kind in VISIT_DOUBTS]


def sidecar_hint(report: Report, table: MunicipalityTable) -> dict[str, str] | None:
    """The sidecar file to create and its text, pre-filled with the best guess; None without doubts about visits."""
    if not visit_doubts(report):
        return None
    lines = _header_lines(report)
    if report.visits:
        for visit in report.visits:
            lines += _visit_lines(visit.municipality, visit.prefecture, visit.date)
    else:
        lines += _guessed_lines(report, table)
    return {"file": report.file + SIDECAR_SUFFIX, "text": "\n".join(lines) + "\n"}


def _header_lines(report: Report) -> list[str]:
    lines = []
    for key, value in (("council", report.council), ("body", report.body)):
        lines.append(f'{key} = "{_escape(value)}"' if value else f'# {key} = "…"')
    return lines


def _visit_lines(municipality: str, prefecture: str, date: str | None) -> list[str]:
    return [
        "",
        "[[visits]]",
        f'municipality = "{_escape(municipality)}"',
        f'prefecture = "{_escape(prefecture)}"' if prefecture else '# prefecture = "…"',
        f'date = "{date}"' if date else '# date = "YYYY-MM-DD"',
    ]


def _guessed_lines(report: Report, table: MunicipalityTable) -> list[str]:
    """One visit: the place the text names most (not the council's own), or a placeholder."""
    ranked = mentioned_places(report.text, table, exclude=report.council)
    days = find_dates(report.text)
    date = report.period.start or (days[0].isoformat() if days else None)
    guessed = [what for what, found in (("地名", ranked), ("日付", not report.period.start and days)) if found]
    best = ranked[0][0] if ranked else None
    lines = _visit_lines(best.name if best else "（視察先の市区町村名）", best.prefecture if best else "", date)
    if guessed:
        lines.insert(2, f"# {'と'.join(guessed)}は本文から推測しました。確かめてください")
    if len(ranked) > 1:
        lines.append("# ほかに本文に出てくる地名: " + "、".join(f"{m.name}（{m.prefecture}）{n} 回" for m, n in ranked[1:4]))
    return lines


def mentioned_places(text: str, table: MunicipalityTable, exclude: str = "") -> list[tuple[Municipality, int]]:
    """Municipalities named in ``text``, most named first (prefectures and ``exclude``'s place left out)."""
    key = compact(text)
    own = table.find(exclude) if exclude else None
    counts: dict[str, tuple[Municipality, int]] = {}
    for mention in table.mentions(key):
        row = _pick(mention.candidates, key)
        if row.is_prefecture or (own is not None and own in mention.candidates):
            continue
        counts[row.code] = (row, counts.get(row.code, (row, 0))[1] + 1)
    order: Callable[[tuple[Municipality, int]], tuple[int, str]] = lambda item: (-item[1], item[0].code)
    return sorted(counts.values(), key=order)


def _pick(rows: tuple[Municipality, ...], context: str) -> Municipality:
    scored = [(context.count(m.prefecture), -i, m) for i, m in enumerate(rows)]
    return max(scored, key=lambda s: (s[0], s[1]))[2]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
