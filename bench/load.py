"""A small closed-loop HTTP load generator: N threads, keep-alive connections, fixed duration.

Deliberately the same client for every endpoint, so that ratios between endpoints measured in
one run are fair even though the generator shares the machine's cores with the server.
"""

import http.client
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
        }


def run(
    host: str, port: int, path: str, *, threads: int = 4, seconds: float = 5.0, warmup: float = 1.0
) -> LoadResult:
    """GET ``path`` as fast as ``threads`` keep-alive clients can for ``seconds``."""
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

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return LoadResult(counts["ok"], counts["err"], seconds, latencies, counts["hits"])


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
