"""One index update at a time, and what a killed update leaves behind.

Whoosh makes each commit atomic: segment files are written first, then a
new table of contents (``_MAIN_<generation>.toc``) is written to a temporary
name and renamed into place, so readers see either the old or the new
generation.  Its ``WRITELOCK`` is an ``flock`` that the kernel releases when
the process dies, so a killed update never leaves a stale lock.  Two gaps
remain, closed here:

* Whoosh takes its lock only when the writer opens.  Creating an index
  (``create_in`` deletes every table of contents) and reading what is already
  indexed happen before that, unlocked.  :func:`build_lock` is held for the
  whole update, from opening the index to the commit.
* A killed update leaves files behind: segment files no table of contents
  names (Whoosh deletes them at the next commit), the writer's temporary
  folder of sorted postings (tens of megabytes for a large ingest) and
  possibly a temporary table of contents, which Whoosh never deletes.
  :func:`clean_leftovers` removes the last two when the next update starts.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import IndexBusyError

LOCK_FILE = ".dxkb-update.lock"
"""Lock file inside the index folder (a dot name, so Whoosh ignores it)."""

WAIT_MESSAGE = "別の索引更新が実行中です。終わるのを待っています…"
POLL_SECONDS = 0.1
WHOOSH_LOCK_FILE = "MAIN_WRITELOCK"
WHOOSH_TEMP_DIR = "MAIN.tmp"
_TEMP_TOC = re.compile(r"^_MAIN_[0-9]+\.toc\..+$")
_PR_SET_PDEATHSIG = 1
_held: set[int] = set()


def _after_fork_in_child() -> None:
    """In a process forked during an update (a build worker): give up the lock, die with the parent.

    An flock belongs to the open file, which a forked child shares: a
    worker outliving a killed indexer would keep the index locked.
    """
    if not _held:
        return
    for fd in list(_held):
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()
    _die_with_parent()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


os.register_at_fork(after_in_child=_after_fork_in_child)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _holder(fd: int) -> str:
    """The process id the current holder wrote into the lock file, if any."""
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


def _busy(index_dir: Path, fd: int, wait: float) -> IndexBusyError:
    pid = _holder(fd)
    who = f"（プロセス {pid}）" if pid.isdigit() else ""
    return IndexBusyError(
        f"索引は別の更新処理{who}が使用中です。{wait:g} 秒待っても終わらなかったため中止しました。"
        "終わってから再実行してください",
        subject=str(index_dir),
    )


def _acquire(fd: int, index_dir: Path, wait: float, on_wait: Callable[[str], None] | None) -> None:
    if _try_flock(fd):
        return
    if on_wait is not None:
        on_wait(WAIT_MESSAGE)
    deadline = time.monotonic() + max(wait, 0.0)
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        if _try_flock(fd):
            return
    raise _busy(index_dir, fd, wait)


@contextmanager
def build_lock(
    index_dir: Path, *, wait: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the index folder's update lock; wait up to ``wait`` seconds for it.

    ``on_wait`` is called once with :data:`WAIT_MESSAGE` when another update
    holds the lock.  Raises :class:`IndexBusyError` when the wait runs out.
    The lock is an ``flock``, released by the kernel if the process dies.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, index_dir, wait, on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        clean_leftovers(index_dir)
        _held.add(fd)
        try:
            yield
        finally:
            _held.discard(fd)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(index_dir: Path, name: str = LOCK_FILE) -> bool:
    """True while some process holds the lock file ``name`` of ``index_dir``."""
    path = index_dir / name
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        if _try_flock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True
    finally:
        os.close(fd)


def _whoosh_writer_idle(index_dir: Path) -> bool:
    """True when no Whoosh writer holds the index's WRITELOCK."""
    return not is_locked(index_dir, WHOOSH_LOCK_FILE)


def clean_leftovers(index_dir: Path) -> list[str]:
    """Delete what a killed update left behind: temporary tables of contents
    and the writer's temporary folder.

    Only safe while holding :func:`build_lock`: a running update's temporary
    files would match too.  Returns the names deleted.
    """
    if not _whoosh_writer_idle(index_dir):
        return []
    removed: list[str] = []
    for path in index_dir.iterdir():
        if _TEMP_TOC.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)
        elif path.name == WHOOSH_TEMP_DIR and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            continue
        removed.append(path.name)
    return sorted(removed)
