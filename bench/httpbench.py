"""HTTP measurements against a real `dxkb serve` subprocess on 127.0.0.1.

Query latency (one keep-alive connection, every query once) and a bounded
load test: N client threads, each with its own connection, send the queries
round-robin until the time or the request budget runs out.
"""

from __future__ import annotations

import http.client
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_TIMEOUT = 120.0
DXKB = [sys.executable, "-c", "from webui.cli import main; main()"]
"""The `dxkb` command run by this interpreter (same as the console script)."""


def percentiles(samples_ms: list[float]) -> dict[str, Any]:
    """p50/p95/max/mean of latencies in milliseconds."""
    if not samples_ms:
        return {"n": 0}
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2),
            "max_ms": round(ordered[-1], 2), "mean_ms": round(statistics.fmean(ordered), 2)}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def search_path(query: str, limit: int = 20) -> str:
    """The /api/search URL path for ``query``."""
    return "/api/search?" + urllib.parse.urlencode({"q": query, "limit": limit})


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    """GET ``path`` on a keep-alive connection; status and body."""
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def start_server(index_dir: Path, threads: int, log: Path, workers: int = 1) -> tuple[subprocess.Popen[bytes], int]:
    """Start `dxkb serve` (``workers`` processes) and wait until it answers a search."""
    port = free_port()
    cmd = [*DXKB, "serve", "--index", str(index_dir), "--host", HOST, "--port", str(port),
           "--threads", str(threads), "--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dxkb serve exited ({proc.returncode}); see {log}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            status, _ = get(conn, search_path("DX", 1))
            conn.close()
            if status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"dxkb serve did not answer within {START_TIMEOUT} s; see {log}")


def memory_mb(pid: int) -> dict[str, float]:
    """Peak and current RSS of a process, split into anonymous and file-backed, and its PSS.

    File-backed pages are the memory-mapped index segments and dictionary:
    shared with the page cache, and counted once per mapping in RSS.
    """
    fields = {"VmHWM": "peak_rss_mb", "VmRSS": "rss_mb", "RssAnon": "rss_anon_mb", "RssFile": "rss_file_mb"}
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name = line.split(":")[0]
        if name in fields:
            found[fields[name]] = round(int(line.split()[1]) / 1024, 1)
    rollup = Path(f"/proc/{pid}/smaps_rollup")
    if rollup.exists():
        for line in rollup.read_text().splitlines():
            if line.startswith("Pss:"):
                found["pss_mb"] = round(int(line.split()[1]) / 1024, 1)
    return found


def tree_memory_mb(pid: int) -> dict[str, float]:
    """:func:`memory_mb` summed over a process and its children (the worker processes)."""
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    total: dict[str, float] = {}
    for one in pids:
        for key, value in memory_mb(one).items():
            total[key] = round(total.get(key, 0.0) + value, 1)
    total["processes"] = len(pids)
    return total


def stop_server(proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Read the server's memory figures (all its processes), then stop it."""
    memory = {f"server_{k}": v for k, v in tree_memory_mb(proc.pid).items()}
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return memory


def latency(port: int, queries: list[str]) -> dict[str, Any]:
    """Every query once over one keep-alive connection; also the start page once."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    samples, errors = [], 0
    for query in queries:
        t = time.perf_counter()
        status, _ = get(conn, search_path(query))
        samples.append((time.perf_counter() - t) * 1000)
        errors += status != 200
    t = time.perf_counter()
    home_status, _ = get(conn, "/")
    home_ms = (time.perf_counter() - t) * 1000
    conn.close()
    return {**percentiles(samples), "errors": errors,
            "start_page_ms": round(home_ms, 1), "start_page_status": home_status}


class LoadTest:
    """N clients, each on its own connection, until ``seconds`` or ``max_requests``."""

    def __init__(self, port: int, queries: list[str], clients: int, seconds: float, max_requests: int) -> None:
        self.port, self.queries, self.clients = port, queries, clients
        self.seconds, self.max_requests = seconds, max_requests
        self.lock = threading.Lock()
        self.samples: list[float] = []
        self.errors: list[str] = []
        self.sent = 0

    def _take(self) -> int:
        with self.lock:
            if self.sent >= self.max_requests:
                return -1
            self.sent += 1
            return self.sent

    def _client(self, deadline: float) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        while time.monotonic() < deadline and (n := self._take()) >= 0:
            path = search_path(self.queries[n % len(self.queries)])
            t = time.perf_counter()
            try:
                status, _ = get(conn, path)
                error = "" if status == 200 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                error = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            elapsed = (time.perf_counter() - t) * 1000
            with self.lock:
                self.samples.append(elapsed)
                if error:
                    self.errors.append(error)
        conn.close()

    def run(self) -> dict[str, Any]:
        """Run the clients; throughput, latency percentiles, errors."""
        deadline = time.monotonic() + self.seconds
        started = time.perf_counter()
        workers = [threading.Thread(target=self._client, args=(deadline,)) for _ in range(self.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - started
        kinds = sorted(set(self.errors))
        return {"clients": self.clients, "seconds": round(wall, 1), "requests": len(self.samples),
                "throughput_rps": round(len(self.samples) / wall, 1), **percentiles(self.samples),
                "errors": len(self.errors), "error_kinds": {k: self.errors.count(k) for k in kinds}}


def serve_and_measure(index_dir: Path, queries: list[str], args: Any, out: Path) -> dict[str, Any]:
    """Start a server; HTTP latency, optionally the load test; the server's peak RSS."""
    proc, port = start_server(index_dir, args.threads, out / "serve.log", args.workers)
    result: dict[str, Any] = {"server": {"threads": args.threads, "workers": args.workers, "pid": proc.pid}}
    try:
        result["search_http"] = latency(port, queries)
        if args.load:
            result["load"] = LoadTest(port, queries, args.clients, args.seconds, args.max_requests).run()
        else:
            result["load"] = {"available": False, "reason": "run with --load"}
    finally:
        result["server"].update(stop_server(proc))
    return result
