"""A large generated corpus for the crash and concurrency tests.

Distinct reports made by the benchmark generator (bench/generate.py: the
corpus's sentences, other hosts, dates and figures), each with a numbered
closing paragraph.  They must not be copies of one another (see
:mod:`kb.copies`): every one is parsed and indexed in full.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
MARKER = "臨時追記"


def make_bulk_corpus(folder: Path, count: int, tag: str = "bulk") -> list[Path]:
    """Write ``count`` UTF-8 reports into ``folder``; return their paths."""
    sys.path.insert(0, str(ROOT / "bench"))
    import generate  # bench/ is a folder of scripts, found via sys.path

    pools = generate.load_pools()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(count):
        report = generate.generate_report(number, 7, pools)
        extra = f"\n\n{MARKER}{tag}{number:04d}。この段落は {tag} の {number} 番目の報告書です。\n"
        path = folder / f"{tag}-{number:04d}-{report.name}"
        path.write_text(report.text + extra, encoding="utf-8")
        written.append(path)
    return written
