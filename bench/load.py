"""A small closed-loop HTTP load generator: N threads, keep-alive connections, fixed duration.

Deliberately the same client for every endpoint, so that ratios between endpoints measured in
one run are fair even though the generator shares the machine's cores with the server.
"""

import http.client
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

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
        }


def run(
    host: str, port: int, path: str, *, threads: int = 4, seconds: float = 5.0, warmup: float = 1.0
) -> LoadResult:
    """GET ``path`` as fast as ``threads`` keep-alive clients can for ``seconds``."""
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"ok": 0, "err": 0}
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        ok = err = 0
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                break
            try:
                conn.request("GET", path, headers={"Accept": "application/json"})
                response = conn.getresponse()
                response.read()
                good = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                good = False
            t1 = time.monotonic()
            if t0 >= start_at:
                if good:
                    ok += 1
                    mine.append((t1 - t0) * 1000)
                else:
                    err += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["ok"] += ok
            counts["err"] += err

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return LoadResult(counts["ok"], counts["err"], seconds, latencies)
