"""A large generated corpus for the crash and concurrency tests.

Copies of the bundled reports, each made distinct by a numbered closing
paragraph, so every copy is parsed and indexed in full.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
MARKER = "臨時追記"


def make_bulk_corpus(folder: Path, count: int, tag: str = "bulk") -> list[Path]:
    """Write ``count`` UTF-8 text reports into ``folder``; return their paths."""
    sources = sorted(p for p in REPORTS.glob("*.txt") if ".sjis." not in p.name)
    texts = [p.read_text(encoding="utf-8") for p in sources]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(count):
        text = texts[number % len(texts)]
        extra = f"\n\n{MARKER}{tag}{number:04d}。この段落は {tag} の {number} 番目の写しです。\n"
        path = folder / f"{tag}-{number:04d}-{sources[number % len(sources)].name}"
        path.write_text(text + extra, encoding="utf-8")
        written.append(path)
    return written
