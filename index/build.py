"""Build or update the index from report files.

Unchanged files (same SHA-256 of the report and its sidecar, see
:mod:`kb.sidecar`) are skipped, changed ones replaced, files
that disappeared from a scanned folder deleted.  A build reads each new or
changed file twice: once for its copy-detection signature (read and repair
only, see :mod:`kb.copies`), then, once the groups of copies are known
(:mod:`index.copies`), to parse it; a copy is stored as a report document
without passages (``copy_of``), and a copy whose original goes is promoted
and parsed again from its file.  Originals are parsed and written first: when
one fails to parse, its group is worked out again without it (it keeps its
last indexed version, as any failed file does), so its copy takes its place. One bad file is reported and
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

from index.copies import CopyFinder, Rank, rank_field, resolve
from index.engine import Engine, Reader, Writer, get_engine
from index.lock import build_lock
from index.parallel import ordered_map, use_processes
from kb.copies import Signature, rank, signature
from kb.errors import DxkbError, IndexMissingError, IndexOutdatedError
from kb.model import Passage, Report, Visit
from kb.municipalities import MunicipalityTable
from kb.parse import parse_file
from kb.readers import file_error, read_document
from kb.repair import repair_text
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
class CopyRecord:
    """A file stored as a copy of another (same report, see :mod:`kb.copies`)."""

    file: str
    original: str


@dataclass
class BuildSummary:
    """What one run of the indexer did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)
    copies: list[CopyRecord] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)
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
    copy_of: str = ""


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
        return {doc["file"]: _Indexed(doc["sha256"], doc["source"], str(doc.get("copy_of") or ""))
                for doc in reader.report_summaries()}
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


def report_document(report: Report, sha256: str, source: str, copy_of: str = "",
                    sign: Signature | None = None, rank_key: Rank | None = None) -> dict[str, Any]:
    """The per-file document: fingerprint, the parse as JSON, the copy-detection signature and ``copy_of``.

    ``sign`` and ``rank_key`` default to those of the report's (repaired) text and format.
    """
    sign = sign or signature(report.text)
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
        "signature": sign.encode(),
        "keys": " ".join(sign.blocking_keys()),
        "rank": rank_field(rank_key or rank(report.file, report.format, report.encoding)),
        "copy_of": copy_of,
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
    todo, seen = _jobs(files, indexed, summary)
    removed = _removed(indexed, paths, seen)
    processes = use_processes(jobs, len(files) - len(indexed))
    # The index before this build: where the copies of new files are looked for.
    reader = None if rebuild or not engine.exists(index_dir) else engine.reader(index_dir)
    # A rebuild replaces everything in the same commit, so the previous
    # index stays searchable until that moment.
    writer = engine.writer(index_dir, rebuild=rebuild, processes=processes, timeout=WRITER_TIMEOUT)
    try:
        _ingest(writer, engine, reader, todo, indexed, set(removed), summary, progress, table, processes)
        for key in removed:
            writer.delete(key)
            summary.removed.append(key)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        if reader is not None:
            reader.close()
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _jobs(files: list[Path], indexed: dict[str, _Indexed],
          summary: BuildSummary) -> tuple[list[tuple[Path, _Indexed | None]], set[str]]:
    """One job per file name (a second file of the same name fails) and the names seen."""
    seen: set[str] = set()
    jobs: list[tuple[Path, _Indexed | None]] = []
    for path in files:
        key = path.name
        if key in seen:
            summary.failed.append(FileFailure(str(path), f"同名のファイル {key} がすでにあります", "ファイル名を変えてください"))
            continue
        seen.add(key)
        jobs.append((path, indexed.get(key)))
    return jobs, seen


@dataclass
class _Signed:
    """A file fingerprinted and, when new or changed, its copy-detection signature read."""

    path: Path
    previous: _Indexed | None
    sha256: str = ""
    signature: Signature | None = None
    rank: Rank = (0, 0, "")
    failure: FileFailure | None = None


@dataclass
class _Job:
    """A file to parse and write: an original (``copy_of`` "") or a copy."""

    path: Path
    previous: _Indexed | None
    sha256: str
    copy_of: str = ""
    signature: Signature | None = None
    rank: Rank | None = None
    promoted: bool = False


def _ingest(
    writer: Writer,
    engine: Engine,
    reader: Reader | None,
    jobs: list[tuple[Path, _Indexed | None]],
    indexed: dict[str, _Indexed],
    removed: set[str],
    summary: BuildSummary,
    progress: bool,
    table: MunicipalityTable | None,
    processes: int = 1,
) -> None:
    signed = list(tqdm(ordered_map(_sign, jobs, None, processes), total=len(jobs), desc="照合",
                       unit="件", disable=not progress))
    summary.failed.extend(s.failure for s in signed if s.failure)
    usable = [s for s in signed if not s.failure]
    write = _Write(writer, (table or MunicipalityTable.load(), engine), processes, progress, summary)
    failed: set[str] = set()
    while True:
        # Originals first: when one fails to parse, its copies are grouped again without it
        # (a failed file keeps its last indexed version, as any failed file does).
        plan = _plan_copies(reader, [s for s in usable if s.path.name not in failed], indexed, removed)
        jobs_now = _parse_jobs(usable, plan, indexed, failed)
        newly = write([j for j in jobs_now if not j.copy_of])
        if not newly & set(plan.values()):
            break
        failed |= newly
    write([j for j in jobs_now if j.copy_of])
    _retarget(writer, reader, plan, {j.path.name for j in jobs_now}, indexed, summary)
    for item in usable:
        stored = item.previous.copy_of if item.previous else ""
        if item.signature is None and plan.get(item.path.name, stored) == stored:
            summary.skipped.append(item.path.name)


class _Write:
    """Parse jobs in worker processes and write them, each file at most once per build."""

    def __init__(self, writer: Writer, context: tuple[MunicipalityTable, Engine], processes: int,
                 progress: bool, summary: BuildSummary) -> None:
        self.writer, self.context, self.processes = writer, context, processes
        self.progress, self.summary = progress, summary
        self.done: set[str] = set()

    def __call__(self, jobs: list[_Job]) -> set[str]:
        """Write the jobs not written yet; the names of those that failed."""
        todo = [j for j in jobs if j.path.name not in self.done]
        self.done.update(j.path.name for j in todo)
        before = len(self.summary.failed)
        prepared = ordered_map(_prepare_for_engine, todo, self.context, self.processes)
        for item in tqdm(prepared, total=len(todo), desc="索引作成", unit="件", disable=not self.progress):
            _apply(self.writer, item, self.summary)
        return {Path(f.file).name for f in self.summary.failed[before:]}


def _plan_copies(reader: Reader | None, signed: list[_Signed], indexed: dict[str, _Indexed],
                 removed: set[str]) -> dict[str, str]:
    """``{file: original}`` ("" for an original) for the groups of copies this build touches."""
    fresh = {s.path.name for s in signed if s.signature is not None}
    gone = removed | (fresh & set(indexed))
    finder = CopyFinder(reader, gone)
    for item in signed:
        if item.signature is not None:
            finder.add(item.path.name, item.signature, item.rank)
    finder.pair_batch()
    seeds = set(fresh)
    for file in sorted(gone):
        # The group a removed or changed report was in is worked out again without its old text.
        root = indexed[file].copy_of or file
        seeds.add(root)
        seeds.update(reader.copies(root) if reader is not None else [])
    return resolve(finder, seeds)


def _parse_jobs(signed: list[_Signed], plan: dict[str, str], indexed: dict[str, _Indexed],
                failed: set[str]) -> list[_Job]:
    """The files to parse: new and changed ones (originals or copies) and stored copies promoted."""
    todo = [_Job(s.path, s.previous, s.sha256, plan.get(s.path.name, ""), s.signature, s.rank)
            for s in signed if s.signature is not None and s.path.name not in failed]
    fresh = {j.path.name for j in todo}
    for file, copy_of in sorted(plan.items()):
        entry = indexed.get(file)
        if not copy_of and file not in fresh and entry is not None and entry.copy_of:
            todo.append(_Job(Path(entry.source), entry, entry.sha256, promoted=True))
    return todo


def _retarget(writer: Writer, reader: Reader | None, plan: dict[str, str], parsed: set[str],
              indexed: dict[str, _Indexed], summary: BuildSummary) -> None:
    """Stored reports that become copies, or copies of another original: their documents re-pointed."""
    for file, copy_of in sorted(plan.items()):
        entry = indexed.get(file)
        if not copy_of or file in parsed or entry is None or reader is None or entry.copy_of == copy_of:
            continue
        doc = reader.report(file)
        if doc is None:
            continue
        sign = Signature.decode(str(doc.get("signature") or ""))
        doc.update(copy_of=copy_of, keys=" ".join(sign.blocking_keys()) if sign else "")
        writer.replace(doc, [], None)
        summary.copies.append(CopyRecord(file, copy_of))


@dataclass
class _Prepared:
    """A file read and parsed (or failed), ready to be written."""

    path: Path
    previous: _Indexed | None
    sha256: str = ""
    report: Report | None = None
    failure: FileFailure | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    prepared: Any = None
    job: _Job | None = None


def _failure(path: Path, exc: Exception) -> FileFailure:
    """What to say about a file that could not be read or parsed."""
    if isinstance(exc, DxkbError):
        return FileFailure(str(path), exc.message, getattr(exc, "hint", ""))
    if isinstance(exc, OSError):
        error = file_error(path, exc)
        return FileFailure(str(path), error.message, error.hint)
    return FileFailure(str(path), f"解析できませんでした（{type(exc).__name__}: {exc}）",
                       "この報告書の書式に対応していない可能性があります")


def _sign(job: tuple[Path, _Indexed | None], context: None) -> _Signed:
    """Fingerprint one file and, unless unchanged, read its signature; runs in worker processes."""
    path, previous = job
    item = _Signed(path, previous)
    try:
        item.sha256 = sha = report_sha256(path)
        if previous and previous.sha256 == sha and Path(previous.source) == path.resolve():
            return item
        doc = read_document(path)
        item.signature = signature(repair_text(doc.text))
        item.rank = rank(path.name, doc.format, doc.encoding)
    except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop the ingest
        item.failure = _failure(path, exc)
    return item


def _prepare_for_engine(job: _Job, context: tuple[MunicipalityTable, Engine]) -> _Prepared:
    """:func:`_prepare`, then an original's passage documents and the engine's own preparation (e.g. analysis)."""
    table, engine = context
    item = _prepare(job, table)
    if item.report is not None and not job.copy_of:
        item.documents = list(passage_documents(item.report, str(item.path.resolve())))
        item.prepared = engine.prepare(item.documents)
    return item


def _prepare(job: _Job, table: MunicipalityTable) -> _Prepared:
    """Parse one file; runs in worker processes, so it writes nothing."""
    item = _Prepared(job.path, job.previous, job.sha256, job=job)
    try:
        item.report = parse_file(job.path, table)
    except Exception as exc:  # noqa: BLE001 - one unparsable file must not stop the ingest
        item.failure = _failure(job.path, exc)
    return item


def _apply(writer: Writer, item: _Prepared, summary: BuildSummary) -> None:
    path, key, report, previous, job = item.path, item.path.name, item.report, item.previous, item.job
    if item.failure:
        summary.failed.append(item.failure)
        return
    if report is None or job is None:
        summary.skipped.append(key)
        return
    source = str(path.resolve())
    document = report_document(report, item.sha256, source, job.copy_of, job.signature, job.rank)
    writer.replace(document, item.documents, item.prepared)
    summary.passages += len(item.documents)
    if report.warnings:
        summary.warnings[key] = list(report.warnings)
    if job.copy_of:
        summary.copies.append(CopyRecord(key, job.copy_of))
    if job.promoted:
        summary.promoted.append(key)
    else:
        (summary.updated if previous else summary.added).append(key)
