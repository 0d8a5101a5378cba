"""Copies: the same report in two files (another format, encoding, wrapping or page furniture).

A report's *signature* is read from its repaired text (:func:`kb.repair.repair_text`):

* ``fingerprint``: SHA-256 of the text normalised for comparison (NFKC,
  case-folded, letters and digits only: line breaks, spaces, marks such as
  ``##``, ``○``, ``・`` and punctuation do not count);
* ``minhash``: :data:`PERMUTATIONS` MinHash values of the normalised text's
  :data:`SHINGLE`-character shingles; the share of equal values estimates
  the shingles' Jaccard similarity;
* ``keys``: blocking keys, the fingerprint and one key per LSH band of
  :data:`BAND_ROWS` MinHash values.  Only reports sharing a key are compared,
  so finding the copies of one report among 100,000 reads a few rows.

Two reports are copies when their fingerprints are equal or their estimated
similarity is at least :data:`THRESHOLD`.  Measured (exact 5-gram Jaccard /
MinHash estimate).  Copies: the two bundled pairs (HTML and text, Shift_JIS
and UTF-8) 1.00 / 1.00; a report rewrapped or with other list marks 1.00;
with page numbers and a running header every 25 lines 0.987 / 0.984; each of
the 24 bundled text reports printed to PDF at least 0.991 / 0.977.
Different reports: every other pair of the 26 bundled files (several visits
of one council, one host and topic, two years of one city) at most
0.043 / 0.062; 300 generated benchmark reports made of the corpus's own
sentences (44,850 pairs) at most 0.157 / 0.203; the closest pair of all, two
ten-line reports written from one template (tests/data/same-name: other
host, date and topic) 0.460 / 0.508.  The threshold sits between that and
the copies; with 128 values an estimate of a pair at 0.6 reaches it with
probability under 0.0001 %, one of a copy at 0.95 misses it with less.

Of a group of copies one is the *original* (indexed with its passages), by
:func:`rank`: plain text before HTML, Word and PDF, UTF-8 before other
encodings, then the file name.  The choice depends on the files only, never
on the order they were indexed in.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 5
"""Characters per shingle."""
PERMUTATIONS = 128
"""MinHash values per report."""
BANDS = 16
BAND_ROWS = 5
"""MinHash values per LSH band (the first BANDS × BAND_ROWS values make the bands).

A pair at similarity 0.8 shares a band with probability 0.998, at 0.3 with 0.04."""
THRESHOLD = 0.8
"""Estimated shingle Jaccard similarity from which two reports are copies (see the module docstring)."""

_BIN_BITS = 7  # 2**7 == PERMUTATIONS bins
_LOW = (1 << (64 - _BIN_BITS)) - 1
_VALUE_BYTES = 4
_FORMAT_RANK = {"txt": 0, "html": 1, "docx": 2, "pdf": 3}


@dataclass(frozen=True)
class Signature:
    """What the copy detection keeps of one report's text."""

    fingerprint: str
    minhash: bytes
    """:data:`PERMUTATIONS` values of 4 bytes (bytes, not ints: a build keeps one per new report)."""

    def values(self) -> list[bytes]:
        """The MinHash values."""
        return [self.minhash[i:i + _VALUE_BYTES] for i in range(0, len(self.minhash), _VALUE_BYTES)]

    def blocking_keys(self) -> list[str]:
        """Blocking keys: the fingerprint and one per LSH band."""
        step = _VALUE_BYTES * BAND_ROWS
        bands = [self.minhash[i:i + step] for i in range(0, BANDS * step, step)]
        return [f"f{self.fingerprint[:16]}"] + [
            f"b{n}-" + hashlib.blake2b(band, digest_size=6).hexdigest() for n, band in enumerate(bands)]

    def encode(self) -> str:
        """The signature as one string (the fingerprint, a space, the MinHash values in hex)."""
        return f"{self.fingerprint} {self.minhash.hex()}"

    @classmethod
    def decode(cls, data: str) -> Signature | None:
        """The signature :meth:`encode` wrote; None for an empty or damaged string."""
        parts = data.split()
        try:
            minhash = bytes.fromhex(parts[1]) if len(parts) == 2 else b""
        except ValueError:
            return None
        return cls(parts[0], minhash) if len(minhash) == _VALUE_BYTES * PERMUTATIONS else None


def normalise(text: str) -> str:
    """The text as compared: NFKC, case-folded, letters and digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def shingles(normalised: str) -> set[int]:
    """64-bit hashes of the :data:`SHINGLE`-character shingles (the whole text when shorter)."""
    size = min(SHINGLE, len(normalised))
    grams = {normalised[i:i + size] for i in range(len(normalised) - size + 1)} if normalised else set()
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams}


def signature(text: str) -> Signature:
    """The signature of a repaired report text."""
    norm = normalise(text)
    hashes = shingles(norm)
    return Signature(hashlib.sha256(norm.encode()).hexdigest(), one_permutation(hashes))


def one_permutation(hashes: Iterable[int]) -> bytes:
    """MinHash by one permutation: the smallest hash of each of :data:`PERMUTATIONS` bins of the hash space.

    One pass over the shingles instead of one per value; an empty bin takes
    the next non-empty bin's value (rotation), so short texts compare too.
    """
    mins: list[int | None] = [None] * PERMUTATIONS
    for h in hashes:
        b, low = h >> (64 - _BIN_BITS), h & _LOW
        current = mins[b]
        if current is None or low < current:
            mins[b] = low
    filled = [(n, v) for n, v in enumerate(mins) if v is not None]
    if not filled:
        return _fold(_LOW + 1) * PERMUTATIONS
    out = bytearray()
    for n, v in enumerate(mins):
        if v is None:
            # The next filled bin round the ring, told apart by how far it is.
            m, w = next(((m, w) for m, w in filled if m > n), filled[0])
            v = w + ((m - n) % PERMUTATIONS << (64 - _BIN_BITS))
        out += _fold(v)
    return bytes(out)


def _fold(value: int) -> bytes:
    """A bin's minimum as 4 bytes: two different minima look equal once in 4 billion."""
    return ((value ^ (value >> 32)) & 0xFFFFFFFF).to_bytes(_VALUE_BYTES, "big")


def similarity(a: Signature, b: Signature) -> float:
    """Estimated shingle Jaccard similarity: 1.0 for equal fingerprints, else the share of equal MinHash values."""
    if a.fingerprint == b.fingerprint:
        return 1.0
    return sum(x == y for x, y in zip(a.values(), b.values())) / PERMUTATIONS


def is_copy(a: Signature, b: Signature) -> bool:
    """True when two signatures are of the same report (see :data:`THRESHOLD`)."""
    return similarity(a, b) >= THRESHOLD


def jaccard(text_a: str, text_b: str) -> float:
    """Exact shingle Jaccard similarity of two repaired texts (what :func:`similarity` estimates)."""
    a, b = shingles(normalise(text_a)), shingles(normalise(text_b))
    return len(a & b) / len(a | b) if a | b else 1.0


def rank(file: str, format: str, encoding: str) -> tuple[int, int, str]:
    """Sort key of the copies of one report: the smallest is the original."""
    plain = encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "ascii")
    return (_FORMAT_RANK.get(format, len(_FORMAT_RANK)), 0 if plain else 1, file)


def original(ranks: Iterable[tuple[int, int, str]]) -> str:
    """The file name of the best-ranked of a group's :func:`rank` keys."""
    return min(ranks)[2]
