"""Groups of copies in the index as one build leaves it (see :mod:`kb.copies` for what a copy is).

A build knows the signatures of the files it reads (the *batch*) and asks
the index (:meth:`index.engine.Reader.similar_reports`) for stored reports
sharing a blocking key; stored reports the build removes or reads again do
not count.  A group is a connected set of reports each a copy of another;
its best-ranked report (:func:`kb.copies.rank`) is the original, the others
are its copies.  Only the groups of the files the build touches are worked
out again, so the result does not depend on the order files come in.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from index.engine import Reader
from kb.copies import Signature, is_copy

Rank = tuple[int, int, str]
_INDEX_BITS = 24
"""Bits of a batch file's number in a packed (key hash, file) pair: 16 million files per build."""
_INDEX_MASK = (1 << _INDEX_BITS) - 1


@dataclass
class Member:
    """One report as the copy detection sees it."""

    file: str
    signature: Signature
    rank: Rank
    copy_of: str | None = None
    """The stored status ("" for an original), None for a file of the batch."""


def stored_rank(file: str, value: str) -> Rank:
    """The rank key of a stored report from its ``rank`` field ("0 1")."""
    parts = [int(p) for p in value.split() if p.isdigit()] + [9, 9]
    return (parts[0], parts[1], file)


def rank_field(rank: Rank) -> str:
    """What a report document stores of its rank key (the file name is stored anyway)."""
    return f"{rank[0]} {rank[1]}"


class CopyFinder:
    """The reports of the index after this build, for finding groups of copies."""

    def __init__(self, reader: Reader | None, gone: set[str]) -> None:
        self.reader = reader
        self.gone = gone
        self.batch: dict[str, Member] = {}
        self._stored: dict[str, Member | None] = {}
        self._pairs: dict[str, list[str]] = {}
        self._files: list[str] = []
        self._keyed = array("Q")

    def add(self, file: str, signature: Signature, rank: Rank) -> None:
        """A file of the batch."""
        self.batch[file] = Member(file, signature, rank)

    def pair_batch(self) -> None:
        """Find the copies within the batch: sort (key, file) pairs instead of keeping a map of every key."""
        files = self._files = sorted(self.batch)
        keyed = self._keyed = array("Q", sorted(
            _key_hash(key) << _INDEX_BITS | n for n, file in enumerate(files) for key in self.batch[file].signature.blocking_keys()))
        start = 0
        for end in range(1, len(keyed) + 1):
            if end < len(keyed) and keyed[end] >> _INDEX_BITS == keyed[start] >> _INDEX_BITS:
                continue
            same = sorted({files[v & _INDEX_MASK] for v in keyed[start:end]})
            for n, a in enumerate(same):
                for b in same[n + 1:]:
                    if is_copy(self.batch[a].signature, self.batch[b].signature):
                        self._pairs.setdefault(a, []).append(b)
                        self._pairs.setdefault(b, []).append(a)
            start = end

    def member(self, file: str) -> Member | None:
        """The report ``file`` as it will be: of the batch, else stored (unless gone)."""
        if file in self.batch:
            return self.batch[file]
        if file in self.gone or self.reader is None:
            return None
        if file not in self._stored:
            doc = self.reader.report(file)
            self._stored[file] = self._from_doc(doc) if doc else None
        return self._stored[file]

    def _from_doc(self, doc: dict[str, object]) -> Member | None:
        file = str(doc["file"])
        signature = Signature.decode(str(doc.get("signature") or ""))
        if signature is None:
            return None
        return Member(file, signature, stored_rank(file, str(doc.get("rank") or "")), str(doc.get("copy_of") or ""))

    def neighbours(self, member: Member) -> list[Member]:
        """The reports ``member`` is a copy of (or that are copies of it)."""
        found = {f: self.batch[f] for f in self._pairs.get(member.file, [])} if member.file in self.batch else {}
        if self.reader is not None:
            for doc in self.reader.similar_reports(member.signature.blocking_keys()):
                file = str(doc["file"])
                if file in self.gone or file in self.batch or file == member.file:
                    continue
                stored = self._stored.setdefault(file, self._from_doc(doc))
                if stored is not None and is_copy(member.signature, stored.signature):
                    found[file] = stored
        if member.file not in self.batch:
            found.update((f, m) for f, m in self._batch_neighbours(member))
        return [found[f] for f in sorted(found)]

    def _batch_neighbours(self, member: Member) -> Iterable[tuple[str, Member]]:
        """Files of the batch a stored report is a copy of (pair_batch only paired the batch)."""
        for key in member.signature.blocking_keys():
            packed = _key_hash(key) << _INDEX_BITS
            at = bisect_left(self._keyed, packed)
            while at < len(self._keyed) and self._keyed[at] >> _INDEX_BITS == packed >> _INDEX_BITS:
                other = self.batch[self._files[self._keyed[at] & _INDEX_MASK]]
                if is_copy(member.signature, other.signature):
                    yield other.file, other
                at += 1

    def group(self, member: Member) -> list[Member]:
        """Every report connected to ``member`` by copies, ``member`` included."""
        seen = {member.file: member}
        todo = [member]
        while todo:
            for other in self.neighbours(todo.pop()):
                if other.file not in seen:
                    seen[other.file] = other
                    todo.append(other)
        return [seen[f] for f in sorted(seen)]


def _key_hash(key: str) -> int:
    """A blocking key as 40 bits (the build's own process only: str hashes vary between processes)."""
    return hash(key) & ((1 << (64 - _INDEX_BITS)) - 1)


def resolve(finder: CopyFinder, seeds: Iterable[str]) -> dict[str, str]:
    """``{file: original}`` ("" for the original) for every report of the groups holding ``seeds``."""
    decided: dict[str, str] = {}
    for file in sorted(set(seeds)):
        if file in decided:
            continue
        member = finder.member(file)
        if member is None:
            continue
        group = finder.group(member)
        head = min(group, key=lambda m: m.rank)
        decided.update((m.file, "" if m is head else head.file) for m in group)
    return decided
