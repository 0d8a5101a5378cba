"""Parallel machinery for index builds: a process pool for parsing, a multi-process writer.

Builds spend their time in two places: parsing report files (pure Python,
:func:`kb.parse.parse_file`) and analysing passage text with Sudachi inside
the Whoosh writer.  Both are spread over processes when there is enough
work; small updates stay in one process, where starting processes would
cost more than it saves.

The build stays ONE commit: the multi-process writer's sub-writers only
write new segment files, which the index's table of contents refers to when
the main writer commits.  An interrupted build leaves the previous index as
it was.  Sudachi objects do not pickle: each process creates its own
tokenizer on first use (see :mod:`index.analysis`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter

T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")

PARALLEL_MIN_FILES = 48
"""Fewer files than this to (re)index are handled in one process."""

BULK_LIMIT_MB = 256
"""Memory a writer may fill before it spills a sorted run to disk.

Spilling and merging runs costs about a quarter of the CPU time of a bulk
build at Whoosh's default (128 MB) for 300 reports in one process; the limit
is a ceiling, not an allocation, so small updates do not pay for it."""

WINDOW_PER_PROCESS = 8
"""Files a parsing process may have ready ahead of the writer."""

_task: tuple[Callable[[Any, Any], Any], Any] | None = None


def default_jobs() -> int:
    """Number of worker processes a build uses when none is given: the number of CPUs."""
    return os.cpu_count() or 1


def use_processes(jobs: int | None, count: int) -> int:
    """How many processes to use for ``count`` files: 1 when the work is small."""
    wanted = default_jobs() if jobs is None else jobs
    return wanted if wanted > 1 and count >= PARALLEL_MIN_FILES else 1


def _context() -> Any:
    # fork shares the loaded municipality table and code without pickling them.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _init_worker(func: Callable[[Any, Any], Any], context: Any) -> None:
    global _task
    _task = (func, context)


def _call(item: Any) -> Any:
    assert _task is not None, "worker not initialised"
    func, context = _task
    return func(item, context)


def ordered_map(
    func: Callable[[T, C], R], items: Sequence[T], context: C, processes: int
) -> Iterator[R]:
    """``func(item, context)`` for each item, in order, over ``processes`` processes.

    ``func`` must be a module-level function; ``context`` (e.g. the
    municipality table) is handed to each worker once, not with every item.
    At most :data:`WINDOW_PER_PROCESS` items per process are in flight, so
    results never pile up in memory when the consumer is slower than the
    workers (parsing is faster than indexing).
    """
    if processes <= 1:
        yield from (func(item, context) for item in items)
        return
    window = processes * WINDOW_PER_PROCESS
    with _context().Pool(processes, _init_worker, (func, context)) as pool:
        pending: deque[Any] = deque()
        for item in items:
            pending.append(pool.apply_async(_call, (item,)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def open_writer(ix: whoosh_index.Index, processes: int, timeout: float) -> Any:
    """A writer for ``ix``: multi-process (one segment per process) when ``processes`` > 1.

    Segments are written as separate files, not one compound file: a reader
    of a compound file copies each part it opens into memory (per searcher,
    so per server thread), while separate files are read through the shared
    page cache.  Raises Whoosh's LockError when another writer holds the index.
    """
    options: dict[str, Any] = {"timeout": timeout, "limitmb": BULK_LIMIT_MB, "compound": False}
    if processes <= 1 or not getattr(getattr(ix, "storage", None), "supports_multiproc_writing", False):
        return ix.writer(**options)
    return _MpWriter(ix, procs=processes, multisegment=True, **options)  # type: ignore[no-untyped-call]


class _MpWriter(MpWriter):
    """Whoosh's multi-process writer whose ``cancel`` also ends the sub-writer processes.

    Whoosh's own ``cancel`` only flags the sub-writer objects of this process;
    the sub-processes would wait for work forever and keep the build from exiting.
    """

    def cancel(self, **kwargs: Any) -> None:
        try:
            super().cancel()  # type: ignore[no-untyped-call]
        finally:
            for task in self.tasks:
                task.terminate()
                task.join()
