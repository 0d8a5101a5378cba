"""Benchmark DXKB on N generated reports; prints one JSON document.

    .venv/bin/python bench/run.py --reports 1000 [--engine sqlite,whoosh] [--out DIR] [--jobs 2] [--http] [--load]

Steps: generate the corpus (bench/generate.py, seeded) into OUT/reports-N-sSEED
(reused when already there); for each engine (default: all of them, in one
run), build the index with `dxkb index --rebuild --engine E` in a subprocess
and, in a forked process (so that each engine's peak RSS is its own), run the
queries, the comparison views, the practice catalogue and the start page; tokenise the same text with raw SudachiPy (mode C, one process),
run every query of bench/queries.txt through SearchService.search (snippets
included), the comparison views (two cities, the Q&A comparison, the matrix), and with --http /
--load the same queries and a bounded load test against a `dxkb serve`
subprocess on 127.0.0.1.  Nothing is written under data/.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import generate  # bench/ is not a package: its modules are found via sys.path
import httpbench
from httpbench import DXKB, percentiles

QUERIES = BENCH / "queries.txt"
COMPARE_QUERIES = 60
RESCORING_QUERIES = 60
"""Queries whose top 10 is compared with exhaustive BM25F (which scores every match in Python)."""


def load_queries(path: Path = QUERIES) -> list[str]:
    """Queries of a query file: one per line, blank lines and # comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.lstrip().startswith("#")]


def corpus(out: Path, reports: int, seed: int) -> Path:
    """The generated corpus folder, generated unless a complete one is there."""
    folder = out / f"reports-{reports}-s{seed}"
    manifest = folder / ".complete"
    if not manifest.exists():
        generate.generate(folder, reports, seed)
        manifest.write_text(str(reports), encoding="utf-8")
    return folder


def corpus_stats(folder: Path) -> tuple[dict[str, Any], list[str]]:
    """Files, MB and characters of the corpus, and each file's text as the parser reads it."""
    from kb.readers import read_document

    files = sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".html"))
    texts = [read_document(p).text for p in files]
    size = sum(p.stat().st_size for p in files)
    chars = sum(len(t) for t in texts)
    return {"files": len(files), "mb": round(size / 1e6, 2), "characters": chars,
            "chars_per_file": round(chars / max(1, len(files)))}, texts


class TreeRss:
    """Samples the summed RSS of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(self.pid)))

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._stop.set()
        self._thread.join()
        return round(self.peak_kb / 1024, 1)


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return pids


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run a command to its end; wall time, CPU time and peak RSS (largest process)."""
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        sampler = TreeRss(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return {"returncode": proc.returncode, "seconds": round(wall, 2),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "peak_tree_rss_mb": sampler.stop()}


def build(folder: Path, index_dir: Path, jobs: int | None, out: Path, engine: str | None = None) -> dict[str, Any]:
    """`dxkb index --rebuild` in a subprocess."""
    cmd = [*DXKB, "index", str(folder), "--index", str(index_dir),
           "--rebuild", "--json", "--no-progress"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if engine:
        cmd += ["--engine", engine]
    log = out / f"build-{engine or 'default'}.log"
    result = run_child(cmd, log)
    text = log.read_text(encoding="utf-8")
    summary = json.loads(text[text.index("{"):])
    result.update(passages=summary["passages"], failed=len(summary["failed"]))
    return result


def raw_sudachi(texts: list[str]) -> dict[str, Any]:
    """Tokenise every text with one SudachiPy tokenizer (mode C), cut under the byte limit."""
    from sudachipy import Dictionary, SplitMode

    from index.analysis import split_for_sudachi

    tokenizer = Dictionary(dict="core").tokenizer(SplitMode.C)
    pieces = [piece for text in texts for _, piece in split_for_sudachi(text, 40_000)]
    started = time.perf_counter()
    morphemes = sum(len(tokenizer.tokenize(piece)) for piece in pieces)
    return {"seconds": round(time.perf_counter() - started, 2), "morphemes": morphemes,
            "pieces": len(pieces)}


def library_search(service: Any, queries: list[str]) -> dict[str, Any]:
    """Every query through SearchService.search (20 hits with snippets and facets)."""
    started = time.perf_counter()
    first = service.search(queries[0])
    cold = (time.perf_counter() - started) * 1000
    samples, zero = [], 0
    for query in queries:
        t = time.perf_counter()
        result = service.search(query, limit=20)
        samples.append((time.perf_counter() - t) * 1000)
        zero += result["total"] == 0
    slowest = sorted(zip(samples, queries), reverse=True)[:5]
    return {**percentiles(samples), "cold_first_query_ms": round(cold, 1), "queries_without_hits": zero,
            "hits_first_query": first["total"],
            "slowest": [{"query": q, "ms": round(ms, 1)} for ms, q in slowest]}


def rescoring_agreement(service: Any, queries: list[str], k: int = 10) -> dict[str, Any]:
    """How often the engine's top ``k`` equals the exhaustive BM25F top ``k`` (SQLite's candidate blocks)."""
    from index.engine import And
    from index.search import parse_query

    reader = service.reader()
    if not hasattr(reader, "exhaustive"):
        return {"available": False}
    same = overlap = judged = 0
    for query in queries:
        units, _ = parse_query(query, service.expander)
        if not units:
            continue
        tree = And(tuple(units))
        got = [hit.handle for hit in reader.search(tree, {}, page=1, limit=k).hits]
        want = reader.exhaustive(tree, k)
        if not want:
            continue
        judged += 1
        same += got == want
        overlap += len(set(got) & set(want)) / max(1, len(want))
    return {"queries": judged, "same_top": same, "mean_overlap": round(overlap / max(1, judged), 4), "k": k}


def timed(func: Any, runs: int) -> dict[str, Any]:
    """Percentiles of ``runs`` calls of ``func`` (ms)."""
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        func()
        samples.append((time.perf_counter() - t) * 1000)
    return percentiles(samples)


def compare_views(service: Any, queries: list[str]) -> dict[str, Any]:
    """The comparison (two names, without and with a query), the Q&A comparison and the matrix.

    The matrix is counted once per index state: its first view and later views are timed apart.
    """
    # The two municipalities most often matched by a broad query: the fullest comparison.
    pair = [f["value"] for f in service.search("DX", limit=1)["facets"]["municipality"][:2]]
    cold = time.perf_counter()
    table = service.compare(pair)
    cold_ms = (time.perf_counter() - cold) * 1000
    samples = []
    for query in queries[:COMPARE_QUERIES]:
        t = time.perf_counter()
        service.compare(pair, query=query)
        samples.append((time.perf_counter() - t) * 1000)
    rows = sum(len(g["rows"]) for g in table["groups"])
    cold = time.perf_counter()
    service.matrix()
    matrix_first_ms = (time.perf_counter() - cold) * 1000
    return {
        "cities": pair, "columns": len(table["cities"]), "rows": rows, "sources": len(table["sources"]),
        "first_ms": round(cold_ms, 1),
        "without_query": timed(lambda: service.compare(pair), 5),
        "with_query": percentiles(samples),
        "qa": timed(lambda: service.compare_qa(practice="byod"), 5),
        "matrix_first_ms": round(matrix_first_ms, 1),
        "matrix": timed(lambda: service.matrix(sort="total"), 5),
    }


def catalogue_views(service: Any) -> dict[str, Any]:
    """The practice catalogue (every practice counted over the tagged passages) and one practice page."""
    cold = time.perf_counter()
    service.practices()
    first_ms = (time.perf_counter() - cold) * 1000
    return {"first_ms": round(first_ms, 1), "catalogue": timed(service.practices, 3),
            "practice_page": timed(lambda: service.practice("byod"), 3)}


def start_views(service: Any) -> dict[str, Any]:
    """The start page (counts, map, municipalities and the first page of reports): first view, then later views."""
    cold = time.perf_counter()
    first = service.stats()
    first_ms = (time.perf_counter() - cold) * 1000
    return {"first_ms": round(first_ms, 1), "later": timed(service.stats, 3),
            "last_page": timed(lambda: service.stats(page=first["pages"]), 3),
            "reports": first["reports"], "listed": len(first["files"]), "pages": first["pages"]}


def city_views(service: Any) -> dict[str, Any]:
    """The municipality page of the most-visited municipality, and a search scoped by naming it."""
    code = service.search("DX", limit=1)["hits"][0]["code"]
    name = service.table.by_code(code).name
    cold = time.perf_counter()
    page = service.city(code)
    first_ms = (time.perf_counter() - cold) * 1000
    return {"city": name, "visits": page["total"]["visits"], "passages": page["total"]["passages"], "first_ms": round(first_ms, 1),
            "page": timed(lambda: service.city(code), 3),
            "scoped_search": timed(lambda: service.search(f"{name} 研修"), 5)}


def export_view(service: Any, target: Path) -> dict[str, Any]:
    """``dxkb export --sqlite`` of the whole index: time and size."""
    from index.dump import write_sqlite

    started = time.perf_counter()
    counts = write_sqlite(service.reader(), target)
    seconds = time.perf_counter() - started
    size = target.stat().st_size / 1e6
    target.unlink()
    return {"seconds": round(seconds, 2), "mb": round(size, 1), "rows": counts}


def query_phase(index_dir: Path, queries: list[str]) -> dict[str, Any]:
    """Open the index, run the searches, comparisons and catalogue; with this process's peak RSS."""
    from index.search import SearchService

    started = time.perf_counter()
    service = SearchService(index_dir)
    result: dict[str, Any] = {"open_index_ms": round((time.perf_counter() - started) * 1000, 1)}
    result["search_library"] = library_search(service, queries)
    result["compare"] = compare_views(service, queries)
    result["practices"] = catalogue_views(service)
    result["rescoring_top10"] = rescoring_agreement(service, queries[:RESCORING_QUERIES])
    result["start_page"] = start_views(service)
    result["city_page"] = city_views(service)
    result["export"] = export_view(service, index_dir.parent / "bench-export.sqlite")
    result["query_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def forked(func: Any, *args: Any) -> dict[str, Any]:
    """``func(*args)`` in a forked child process (its own peak RSS); its JSON-able result."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)

    def run_child_func() -> None:
        child.send(func(*args))
        child.close()

    proc = context.Process(target=run_child_func)
    proc.start()
    result: dict[str, Any] = parent.recv()
    proc.join()
    return result


def disk_mb(folder: Path) -> float:
    """Size of the files under ``folder`` in MB."""
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="DXKB benchmark (JSON on stdout)")
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--engine", default="sqlite,whoosh",
                        help="engines to measure, comma-separated (the first also runs --http/--load)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temp folder)")
    parser.add_argument("--jobs", type=int, default=None, help="dxkb index --jobs")
    parser.add_argument("--http", action="store_true", help="query latency over HTTP")
    parser.add_argument("--load", action="store_true", help="load test over HTTP")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="load test duration")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=8, help="dxkb serve --threads")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="dxkb serve --workers")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw SudachiPy timing")
    parser.add_argument("--reuse-index", action="store_true",
                        help="keep the index (and build figures) of an earlier run in --out")
    args = parser.parse_args(argv)
    if args.reports < 1:
        parser.error("--reports must be at least 1")
    return args


def texts_of(folder: Path) -> list[str]:
    """Each file's text as the parser reads it."""
    return corpus_stats(folder)[1]


def measure_engine(engine: str, folder: Path, out: Path, args: argparse.Namespace,
                   queries: list[str], stats: dict[str, Any]) -> dict[str, Any]:
    """Build (or reuse) one engine's index and measure its queries."""
    index_dir = out / f"index-{engine}"
    saved = out / f"build-{engine}.json"
    figures: dict[str, Any] = {"index_dir": str(index_dir)}
    if args.reuse_index and saved.exists() and index_dir.exists():
        b = figures["build"] = {**json.loads(saved.read_text(encoding="utf-8")), "reused": True}
    else:
        b = figures["build"] = build(folder, index_dir, args.jobs, out, engine)
        saved.write_text(json.dumps(b), encoding="utf-8")
    b["docs_per_s"] = round(stats["files"] / b["seconds"], 1)
    b["mb_per_s"] = round(stats["mb"] / b["seconds"], 3)
    figures["index_mb"] = disk_mb(index_dir)
    figures.update(forked(query_phase, index_dir, queries))
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print and return the result."""
    args = parse_args(argv)
    out = (args.out or Path(tempfile.mkdtemp(prefix="dxkb-bench-"))).resolve()
    if out.is_relative_to((ROOT / "data").resolve()):
        raise SystemExit("--out must not be inside data/")
    out.mkdir(parents=True, exist_ok=True)
    queries = load_queries()
    result: dict[str, Any] = {"reports": args.reports, "seed": args.seed, "out": str(out),
                              "cpus": os.cpu_count(), "loadavg_start": list(os.getloadavg())}
    folder = corpus(out, args.reports, args.seed)
    result["corpus"], _ = corpus_stats(folder)
    engines = [e.strip() for e in args.engine.split(",") if e.strip()]
    result["engines"] = {}
    for engine in engines:
        result["engines"][engine] = measure_engine(engine, folder, out, args, queries, result["corpus"])
    if args.no_raw:
        result["raw_sudachi"] = {"seconds": None, "skipped": True}
    else:
        result["raw_sudachi"] = raw_sudachi(texts_of(folder))
        for figures in result["engines"].values():
            b = figures["build"]
            b["ratio_to_raw_sudachi"] = round(b["seconds"] / result["raw_sudachi"]["seconds"], 2)
            b["cpu_ratio_to_raw_sudachi"] = round(b["cpu_seconds"] / result["raw_sudachi"]["seconds"], 2)
    # The first engine's figures also stand at the top level, as before engines were compared.
    result.update({k: v for k, v in result["engines"][engines[0]].items() if k != "index_dir"})
    result["queries"] = len(queries)
    if args.http or args.load:
        result.update(httpbench.serve_and_measure(Path(result["engines"][engines[0]]["index_dir"]),
                                                  queries, args, out))
    else:
        result["search_http"] = {"available": False, "reason": "run with --http"}
    result["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["loadavg_end"] = list(os.getloadavg())
    print(json.dumps(result, ensure_ascii=False, indent=2))
    (out / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
