"""Build or update the index from report files.

Unchanged files (same SHA-256 of the report and its sidecar, see
:mod:`kb.sidecar`) are skipped, changed ones replaced, files
that disappeared from a scanned folder deleted. One bad file is reported and
the rest of the ingest goes on; everything is written in one commit, so an
interrupted build leaves the previous index as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from index.engine import Engine, Writer, get_engine
from index.lock import build_lock
from index.parallel import ordered_map, use_processes
from kb.errors import DxkbError, IndexMissingError, IndexOutdatedError
from kb.model import Passage, Report, Visit
from kb.municipalities import MunicipalityTable
from kb.parse import parse_file
from kb.readers import file_error
from kb.scan import scan_reports
from kb.sidecar import sidecar_bytes, sidecar_hint

WRITER_TIMEOUT = 30.0


@dataclass
class FileFailure:
    """A file that could not be indexed, why, and what to do about it."""

    file: str
    message: str
    hint: str = ""


@dataclass
class BuildSummary:
    """What one run of the indexer did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)
    passages: int = 0
    warnings: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every file went in."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the summary."""
        return asdict(self)


@dataclass
class _Indexed:
    sha256: str
    source: str


def collect_files(paths: Sequence[Path], summary: BuildSummary) -> list[Path]:
    """Report files under ``paths`` (folders are searched recursively); the rest goes in ``summary``."""
    scan = scan_reports(paths)
    for path in scan.missing:
        summary.failed.append(FileFailure(str(path), "ファイルまたはフォルダが見つかりません", "パスを確かめてください"))
    summary.ignored = scan.ignored
    return scan.files


def index_status(index_dir: Path, engine: str | None = None) -> str:
    """``"missing"``, ``"outdated"`` (built with another schema) or ``"ok"``."""
    chosen = get_engine(engine, index_dir)
    if not chosen.exists(index_dir):
        return "missing"
    return "ok" if chosen.is_current(index_dir) else "outdated"


def _outdated(index_dir: Path) -> IndexOutdatedError:
    return IndexOutdatedError(
        "索引の形式が古くなっています。`dxkb index --rebuild` で作り直してください",
        subject=str(index_dir),
    )


def open_index(index_dir: Path, engine: str | None = None) -> Engine:
    """The engine of an up-to-date index, or raise IndexMissingError / IndexOutdatedError."""
    chosen = get_engine(engine, index_dir)
    if not chosen.exists(index_dir):
        raise IndexMissingError(
            "索引がありません。先に `dxkb index` を実行してください", subject=str(index_dir)
        )
    if not chosen.is_current(index_dir):
        raise _outdated(index_dir)
    return chosen


def _indexed_reports(engine: Engine, index_dir: Path) -> dict[str, _Indexed]:
    if not engine.exists(index_dir):
        return {}
    reader = engine.reader(index_dir)
    try:
        return {doc["file"]: _Indexed(doc["sha256"], doc["source"]) for doc in reader.report_summaries()}
    finally:
        reader.close()


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def report_sha256(path: Path) -> str:
    """Hex SHA-256 of a report and its sidecar: editing, adding or removing the sidecar changes it."""
    extra = sidecar_bytes(path)
    if extra is None:
        return file_sha256(path)
    digest = hashlib.sha256(file_sha256(path).encode("ascii"))
    digest.update(b"\0sidecar\0" + extra)
    return digest.hexdigest()


def passage_documents(report: Report, source: str) -> Iterator[dict[str, Any]]:
    """One document per passage, carrying its report's metadata."""
    for order, (visit, passage) in enumerate(report.all_passages()):
        yield _passage_document(report, visit, passage, order, source)


def _passage_document(
    report: Report, visit: Visit | None, passage: Passage, order: int, source: str
) -> dict[str, Any]:
    date = (visit.date if visit else None) or report.period.start or ""
    return {
        "id": f"{report.file}#{passage.id}",
        "kind": "passage",
        "file": report.file,
        "passage": passage.id,
        "text": passage.text,
        "heading": passage.heading,
        "title": report.title,
        "body": report.body,
        "council": report.council,
        "municipality": visit.municipality if visit else "",
        "prefecture": visit.prefecture if visit else "",
        "code": visit.code if visit else "",
        "date": date,
        "year": date[:4],
        "section": passage.section,
        "practice": ",".join(passage.practices),
        "practice_set": ",".join(passage.practices),
        "order": order,
        "source": source,
    }


def report_document(report: Report, sha256: str, source: str) -> dict[str, Any]:
    """The per-file document: fingerprint and the parse as JSON."""
    return {
        "id": report.file,
        "kind": "report",
        "file": report.file,
        "title": report.title,
        "body": report.body,
        "council": report.council,
        "sha256": sha256,
        "source": source,
        "report_json": json.dumps(report_data(report), ensure_ascii=False),
    }


def report_data(report: Report) -> dict[str, Any]:
    """What the report page shows: the parse, and the sidecar that would settle its doubts."""
    return {**report.to_dict(), "sidecar_hint": sidecar_hint(report, MunicipalityTable.load())}


def _removed(indexed: dict[str, _Indexed], scanned: Iterable[Path], seen: set[str]) -> list[str]:
    roots = [p.resolve() for p in scanned]
    gone = []
    for key, entry in indexed.items():
        source = Path(entry.source)
        if key in seen or not any(source == r or r in source.parents for r in roots):
            continue
        if not source.exists():
            gone.append(key)
    return sorted(gone)


def build_index(
    paths: Sequence[Path],
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: bool = False,
    table: MunicipalityTable | None = None,
    wait: float = WRITER_TIMEOUT,
    on_wait: Callable[[str], None] | None = None,
    jobs: int | None = None,
    engine: str | None = None,
) -> BuildSummary:
    """Index the report files under ``paths`` into ``index_dir``.

    One update at a time per index folder: another running update is waited
    for up to ``wait`` seconds (``on_wait`` hears about it), then
    IndexBusyError.  See :mod:`index.lock`.  ``jobs`` processes parse and
    analyse the files (default: one per CPU; small updates use one process).
    ``engine`` names the engine (see :func:`index.engine.engine_name`); an
    existing index keeps its engine unless one is named.
    """
    with build_lock(index_dir, wait=wait, on_wait=on_wait):
        return _build_index(paths, index_dir, rebuild=rebuild, progress=progress, table=table, jobs=jobs,
                            engine=get_engine(engine, index_dir))


def _build_index(
    paths: Sequence[Path],
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: bool = False,
    table: MunicipalityTable | None = None,
    jobs: int | None = None,
    engine: Engine,
) -> BuildSummary:
    started = time.perf_counter()
    summary = BuildSummary()
    if not rebuild and engine.exists(index_dir) and not engine.is_current(index_dir):
        raise _outdated(index_dir)
    indexed = {} if rebuild else _indexed_reports(engine, index_dir)
    files = collect_files(paths, summary)
    processes = use_processes(jobs, len(files) - len(indexed))
    # A rebuild replaces everything in the same commit, so the previous
    # index stays searchable until that moment.
    writer = engine.writer(index_dir, rebuild=rebuild, processes=processes, timeout=WRITER_TIMEOUT)
    try:
        seen = _ingest(writer, engine, files, indexed, summary, progress, table, processes)
        for key in _removed(indexed, paths, seen):
            writer.delete(key)
            summary.removed.append(key)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _ingest(
    writer: Writer,
    engine: Engine,
    files: list[Path],
    indexed: dict[str, _Indexed],
    summary: BuildSummary,
    progress: bool,
    table: MunicipalityTable | None,
    processes: int = 1,
) -> set[str]:
    seen: set[str] = set()
    jobs: list[tuple[Path, _Indexed | None]] = []
    for path in files:
        key = path.name
        if key in seen:
            summary.failed.append(FileFailure(str(path), f"同名のファイル {key} がすでにあります", "ファイル名を変えてください"))
            continue
        seen.add(key)
        jobs.append((path, indexed.get(key)))
    context = (table or MunicipalityTable.load(), engine)
    prepared = ordered_map(_prepare_for_engine, jobs, context, processes)
    for item in tqdm(prepared, total=len(jobs), desc="索引作成", unit="件", disable=not progress):
        _apply(writer, item, summary)
    return seen


@dataclass
class _Prepared:
    """A file read and parsed (or skipped, or failed), ready to be written."""

    path: Path
    previous: _Indexed | None
    sha256: str = ""
    report: Report | None = None
    failure: FileFailure | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    prepared: Any = None


def _prepare_for_engine(job: tuple[Path, _Indexed | None], context: tuple[MunicipalityTable, Engine]) -> _Prepared:
    """:func:`_prepare`, then the passage documents and the engine's own preparation (e.g. analysis)."""
    table, engine = context
    item = _prepare(job, table)
    if item.report is not None:
        item.documents = list(passage_documents(item.report, str(item.path.resolve())))
        item.prepared = engine.prepare(item.documents)
    return item


def _prepare(job: tuple[Path, _Indexed | None], table: MunicipalityTable) -> _Prepared:
    """Fingerprint and parse one file; runs in worker processes, so it writes nothing."""
    path, previous = job
    item = _Prepared(path, previous)
    try:
        item.sha256 = sha = report_sha256(path)
        if previous and previous.sha256 == sha and Path(previous.source) == path.resolve():
            return item
        item.report = parse_file(path, table)
    except DxkbError as exc:
        item.failure = FileFailure(str(path), exc.message, getattr(exc, "hint", ""))
    except OSError as exc:
        error = file_error(path, exc)
        item.failure = FileFailure(str(path), error.message, error.hint)
    except Exception as exc:  # noqa: BLE001 - one unparsable file must not stop the ingest
        item.failure = FileFailure(str(path), f"解析できませんでした（{type(exc).__name__}: {exc}）",
                                   "この報告書の書式に対応していない可能性があります")
    return item


def _apply(writer: Writer, item: _Prepared, summary: BuildSummary) -> None:
    path, key, report, previous = item.path, item.path.name, item.report, item.previous
    if item.failure:
        summary.failed.append(item.failure)
        return
    if report is None:
        summary.skipped.append(key)
        return
    source = str(path.resolve())
    writer.replace(report_document(report, item.sha256, source), item.documents, item.prepared)
    summary.passages += len(item.documents)
    if report.warnings:
        summary.warnings[key] = list(report.warnings)
    (summary.updated if previous else summary.added).append(key)
