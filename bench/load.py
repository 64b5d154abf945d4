"""A small closed-loop HTTP load generator: N threads, keep-alive connections, fixed duration.

Deliberately the same client for every endpoint, so that ratios between endpoints measured in
one run are fair even though the generator shares the machine's cores with the server.
"""

import glob
import http.client
import os
import statistics
import threading
import time
from dataclasses import dataclass

#: Every request of the load (and its priming request) sends the same headers.
HEADERS = {"Accept": "application/json"}


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    #: Responses the public cache answered (``X-Tongzhou-Cache: hit``, core.public_cache).
    cache_hits: int = 0
    #: CPU seconds spent during the measured window, by whom (``cpu_probe``), or None.
    cpu: dict | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def figures(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else 0,
            "cache_hits": self.cache_hits,
            **self.cpu_figures(),
        }

    def cpu_figures(self) -> dict:
        """CPU milliseconds per answered request of the server (gunicorn's workers), PostgreSQL
        and the load generator itself, over the measured window: where a request's machine
        time goes on the shared cores."""
        if not self.cpu or not self.requests:
            return {}
        return {
            f"{who}_cpu_ms_per_request": round(1000 * seconds / self.requests, 3)
            for who, seconds in self.cpu.items()
        }


def _proc_cpu(pids: set[int] | None, prefix: str | None) -> float:
    """CPU seconds (user + system) of the processes ``pids`` or whose name starts with
    ``prefix`` (Linux /proc; 0.0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        pid = int(path.split("/")[2])
        if (pids is not None and pid in pids) or (prefix and name.startswith(prefix)):
            fields = text[text.rindex(")") + 2 :].split()
            # utime + stime, plus cutime + cstime: a parent (the postmaster) keeps the time of
            # children that exited during the window (backends, autovacuum workers)
            total += sum(int(value) for value in fields[11:15])
    return total / tick


def _children(parent: int) -> set[int]:
    found = set()
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as stat:
                text = stat.read()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2 :].split()[1]) == parent:
            found.add(int(path.split("/")[2]))
    return found


def cpu_probe(server_pid: int):
    """A function returning the CPU seconds so far of gunicorn (master ``server_pid`` and its
    workers), of PostgreSQL and of this process (the load generator's threads)."""

    def probe() -> dict:
        server = _proc_cpu({server_pid, *_children(server_pid)}, None)
        return {
            "server": server,
            "postgres": _proc_cpu(None, "postgres"),
            "loadgen": time.process_time(),
        }

    return probe


def run(
    host: str,
    port: int,
    path: str,
    *,
    threads: int = 4,
    seconds: float = 5.0,
    warmup: float = 1.0,
    probe=None,
) -> LoadResult:
    """GET ``path`` as fast as ``threads`` keep-alive clients can for ``seconds``; with
    ``probe`` (``cpu_probe``), the CPU spent by each party during the measured window."""
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"ok": 0, "err": 0, "hits": 0}
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        ok = err = hits = 0
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                break
            try:
                conn.request("GET", path, headers=HEADERS)
                response = conn.getresponse()
                response.read()
                good = response.status == 200
                hit = response.getheader("X-Tongzhou-Cache") == "hit"
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                good = hit = False
            t1 = time.monotonic()
            if t0 >= start_at:
                if good:
                    ok += 1
                    hits += hit
                    mine.append((t1 - t0) * 1000)
                else:
                    err += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["ok"] += ok
            counts["err"] += err
            counts["hits"] += hits

    readings: list[dict] = []

    def sample() -> None:
        for moment in (start_at, stop_at):
            time.sleep(max(0.0, moment - time.monotonic()))
            readings.append(probe())

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    if probe is not None:
        pool.append(threading.Thread(target=sample))
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    cpu = None
    if len(readings) == 2:
        cpu = {who: readings[1][who] - readings[0][who] for who in readings[0]}
    return LoadResult(counts["ok"], counts["err"], seconds, latencies, counts["hits"], cpu)


def get_once(host: str, port: int, path: str) -> tuple[int, str]:
    """One GET with the load's headers (the public cache keys on Accept): status and the
    ``X-Tongzhou-Cache`` header. Primes the warm path before a measurement."""
    conn = http.client.HTTPConnection(host, port, timeout=600)
    try:
        conn.request("GET", path, headers=HEADERS)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("X-Tongzhou-Cache") or ""
    finally:
        conn.close()
