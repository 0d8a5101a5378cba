"""``dxkb check``: parse reports and list what the parser is unsure of, with what to do.

A doubt about visits (no host found, no date...) comes with the sidecar
text that would settle it (see :mod:`kb.sidecar`), pre-filled with the
parser's best guess.  A file that cannot be read is listed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import ReportFileError, SidecarError
from kb.model import Doubt, Report
from kb.municipalities import MunicipalityTable
from kb.parse import parse_file
from kb.scan import scan_reports
from kb.sidecar import VISIT_DOUBTS, sidecar_hint


@dataclass
class CheckItem:
    """One doubt (or unreadable file): where, what, and what to do."""

    file: str
    kind: str
    message: str
    advice: str = ""
    visit: int | None = None


@dataclass
class CheckResult:
    """What ``dxkb check`` found: items by file, files checked, files left out by extension."""

    checked: int = 0
    items: list[CheckItem] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        """The files with at least one item, in order."""
        return list(dict.fromkeys(item.file for item in self.items))

    def to_list(self) -> list[dict[str, Any]]:
        """The items as ``{file, kind, message, advice, visit}`` dicts."""
        return [asdict(item) for item in self.items]


def check_reports(paths: Sequence[Path], table: MunicipalityTable | None = None) -> CheckResult:
    """Parse the reports under ``paths`` (sidecars applied) and collect their doubts."""
    table = table or MunicipalityTable.load()
    scan = scan_reports(paths)
    result = CheckResult(ignored=scan.ignored)
    for path in scan.missing:
        result.items.append(CheckItem(str(path), "missing", "ファイルまたはフォルダが見つかりません", "パスを確かめてください"))
    for path in scan.files:
        result.checked += 1
        result.items.extend(check_file(path, table))
    return result


def check_file(path: Path, table: MunicipalityTable) -> list[CheckItem]:
    """The doubts of one report file; an unreadable file or bad sidecar is one item."""
    try:
        report = parse_file(path, table)
    except SidecarError as exc:
        return [CheckItem(str(path), "bad-sidecar", exc.message, exc.hint)]
    except ReportFileError as exc:
        return [CheckItem(str(path), "unreadable", exc.message, exc.hint)]
    except Exception as exc:  # noqa: BLE001 - one unparsable file must not stop the check
        return [CheckItem(str(path), "unreadable", f"解析できませんでした（{type(exc).__name__}: {exc}）",
                          "この報告書の書式に対応していない可能性があります")]
    return report_items(report, str(path), table)


def report_items(report: Report, file: str, table: MunicipalityTable) -> list[CheckItem]:
    """One item per doubt of ``report``; the first doubt about visits carries the sidecar to write."""
    doubts: list[Doubt] = list(report.doubts) + [d for v in report.visits for d in v.doubts]
    hint = sidecar_hint(report, table)
    items = []
    for doubt in doubts:
        advice = doubt.advice
        if hint and doubt.kind in VISIT_DOUBTS:
            advice = _with_sidecar(advice, hint)
            hint = None
        items.append(CheckItem(file, doubt.kind, doubt.message, advice, doubt.visit))
    return items


def _with_sidecar(advice: str, hint: dict[str, str]) -> str:
    """The advice naming the real sidecar file, followed by the text to put in it."""
    advice = advice.replace("<ファイル名>.toml", hint["file"])
    lead = advice or f"報告書と同じフォルダに「{hint['file']}」を置いてください"
    return f"{lead}。例:\n{hint['text']}".replace("。。", "。")
