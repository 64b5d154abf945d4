"""`make bench`: benchmarks in real mode (PostgreSQL, gunicorn with 2 workers on 127.0.0.1).

Prints one JSON object per benchmark on its own line —
``{"name", "figures", "ratio", "goal"}`` — then a human summary. Writes nothing into the
project: the bench database (``tongzhou_bench_<pid>``) is created and dropped by the run.

Options: ``--scale N`` (data size factor), ``--only name,name``, ``--seconds S`` per load run.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from bench import load

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# A Redis database the bench owns: flushed before and after the run.
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
STATIC_ROOT = tempfile.mkdtemp(prefix="tongzhou-bench-static-")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


class Server:
    """gunicorn with 2 workers on a free loopback port, production-like settings."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.env = env
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urlopen(f"http://127.0.0.1:{self.port}/healthz/", timeout=1).read()  # noqa: S310
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)


def emit(name: str, figures: dict, ratio: float | None, goal: str) -> dict:
    row = {
        "name": name,
        "figures": figures,
        "ratio": None if ratio is None else round(ratio, 3),
        "goal": goal,
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def bench_env(db: str) -> dict:
    """Real mode: PostgreSQL, Redis (cache, throttles, broker), DEBUG off. The public API's
    rate limit is lifted so the load generator measures the application, not the limiter
    (the throttle's cache round trips are still paid on every request)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        REDIS_URL=REDIS,
        DEBUG="false",
        SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        # DEBUG off serves hashed static files from a manifest (WhiteNoise): collected by the
        # run into a temporary folder, never into the project.
        STATIC_ROOT=STATIC_ROOT,
        LOG_LEVEL="WARNING",
        TONGZHOU_THROTTLE_ANON="100000000/min",
        TONGZHOU_THROTTLE_USER="100000000/min",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def manage(env: dict, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def run_json(env: dict, *args: str) -> dict:
    """Run ``python -m <args>`` against the bench database; its last stdout line is JSON."""
    out = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def measurer(server: Server, args):
    """GET one path under load against ``server`` with the run's threads and duration."""

    probe = load.cpu_probe(server.proc.pid) if server.proc else None

    def measure(path: str) -> load.LoadResult:
        return load.run(
            "127.0.0.1",
            server.port,
            path,
            threads=args.threads,
            seconds=args.seconds,
            probe=probe,
        )

    return measure


def public_pages(incident: int) -> dict[str, str]:
    """The public reads of issue 18: the lists (page of 50), the 3W, the ledger and an incident."""
    return {
        "organizations_api": "/api/v1/organizations/?page_size=50",
        "ledger_entries_api": "/api/v1/ledger/entries/?page_size=50",
        "incident_3w_api": f"/api/v1/incidents/{incident}/3w/",
        "procurements_api": "/api/v1/procurements/?page_size=50",
        "ledger_page": "/ledger/",
        "incident_page": f"/incidents/{incident}/",
    }


def paired(measure, path: str) -> tuple[load.LoadResult, dict]:
    """Measure ``path`` right after the ceiling on the same server. The machine is shared: the
    ceiling measured once at the start of the run can be taken under a different load than a
    page measured minutes later, so each figure also carries the ceiling measured just before
    it (``adjacent_ceiling_rps``) and the ratio to it (``adjacent_ratio``)."""
    ceiling = measure("/healthz/live/")
    result = measure(path)
    figures = {
        **result.figures(),
        "adjacent_ceiling_rps": round(ceiling.rps, 1),
        "adjacent_ratio": round(result.rps / ceiling.rps, 3) if ceiling.rps else None,
    }
    return result, figures


def ledger_tier(measure, server_port: int) -> dict:
    """p95 of the entries list and of the totals, plus one cold totals request."""
    started = time.perf_counter()
    urlopen(f"http://127.0.0.1:{server_port}/api/v1/ledger/totals/", timeout=600).read()  # noqa: S310
    cold_ms = (time.perf_counter() - started) * 1000
    entries = measure("/api/v1/ledger/entries/?page_size=50").figures()
    totals = measure("/api/v1/ledger/totals/").figures()
    return {
        "entries_p95_ms": entries["p95_ms"],
        "entries_rps": entries["rps"],
        "totals_p95_ms": totals["p95_ms"],
        "totals_rps": totals["rps"],
        "totals_cold_ms": round(cold_ms, 1),
        "errors": entries["errors"] + totals["errors"],
    }


def proof_tier(measure, direct: dict) -> dict:
    """Inclusion proofs at one ledger size: the API under load (one seq a third of the way in,
    against the newest head) and direct timing of the proof itself over 400 random seqs."""
    size = direct["tree_size"]
    api = measure(f"/api/v1/ledger/proof/inclusion/{max(1, size // 3)}?tree_size={size}").figures()
    return {
        "tree_size": size,
        "api_p95_ms": api["p95_ms"],
        "api_rps": api["rps"],
        "errors": api["errors"],
        "direct_p50_ms": direct["p50_ms"],
        "direct_p95_ms": direct["p95_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", default="")
    parser.add_argument("--ledger-small", type=int, default=10_000)
    parser.add_argument("--ledger-large", type=int, default=1_000_000)
    parser.add_argument("--fanout", type=int, default=10_000, help="alert_fanout recipients")
    parser.add_argument("--fanout-sms", type=int, default=5_000, help="alert_fanout SMS")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    def want(name: str) -> bool:
        return not only or name in only

    db = f"tongzhou_bench_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    flush_redis()
    rows = []
    scale_figures: dict = {}
    try:
        env = bench_env(db)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        info = run_json(env, "bench.seed", "--scale", str(args.scale))
        incident = info["incident"]
        # The public ledger pages and lists are measured with the small tier in place.
        scale_figures["grow_small"] = run_json(
            env, "bench.ledger", "grow", "--to", str(args.ledger_small)
        )
        # Bulk loads leave the planner without statistics until autovacuum comes by (a
        # production database has them): without them it nested-loops the organizations join.
        subprocess.run(["psql", f"{PG}/{db}", "-qc", "ANALYZE"], check=True, capture_output=True)
        proof_figures: dict = {}
        if want("ledger_proof") or want("ledger_verify"):
            proof_figures["tree_small"] = run_json(env, "bench.ledger", "tree")
        with Server(env) as server:
            measure = measurer(server, args)
            ceiling = measure("/healthz/live/")
            if want("api_ceiling"):
                rows.append(emit("api_ceiling", ceiling.figures(), 1.0, "denominator"))
            if want("public_pages"):
                pages = public_pages(incident)
                warm_results = {}
                for label, path in pages.items():
                    # One priming request stores the response; the load is then served warm.
                    load.get_once("127.0.0.1", server.port, path)
                    warm_results[label] = paired(measure, path)
                for label, path in pages.items():
                    result, figures = warm_results[label]
                    rows.append(
                        emit(
                            f"public_pages.{label}.warm",
                            {"path": path, **figures},
                            result.rps / ceiling.rps if ceiling.rps else None,
                            ">= 0.5",
                        )
                    )
        # Cold: the same settings with the response cache switched off (every request renders),
        # against the ceiling measured above in the same run. The ledger's scale is measured
        # cold too: it is about the cost of rendering from a growing chain.
        cold_env = {**env, "TONGZHOU_PUBLIC_CACHE": "false"}
        with Server(cold_env) as server:
            measure = measurer(server, args)
            if want("ledger_scale"):
                scale_figures["small"] = ledger_tier(measure, server.port)
            if want("public_pages"):
                for label, path in public_pages(incident).items():
                    result, figures = paired(measure, path)
                    goal = ">= 0.2, p95 < 30 ms" if label.endswith("_api") else "report"
                    rows.append(
                        emit(
                            f"public_pages.{label}.cold",
                            {"path": path, **figures},
                            result.rps / ceiling.rps if ceiling.rps else None,
                            goal,
                        )
                    )
            if want("ledger_proof"):
                proof_figures["small"] = proof_tier(measure, run_json(env, "bench.ledger", "proof"))
        if want("public_pages"):
            figures = run_json(env, "bench.warm_queries", "--incident", str(incident))
            constant = all(all(n == 0 for n in counts.values()) for counts in figures.values())
            rows.append(
                emit("public_pages.warm_queries", figures, 1.0 if constant else 0.0, "== 1.0")
            )
        if want("queries_per_request"):
            figures = run_json(env, "bench.queries")
            equal = all(v["10"] == v["200"] for v in figures.values())
            rows.append(emit("queries_per_request", figures, 1.0 if equal else 0.0, "== 1.0"))
        if want("ledger_append"):
            figures = run_json(
                env, "bench.ledger", "append", "--writers", "16", "--ops", str(10 * args.scale)
            )
            figures["cost_per_entry"] = run_json(env, "bench.ledger", "cost")
            rows.append(emit("ledger_append", figures, figures.pop("ratio"), ">= 0.5"))
        if want("ledger_scale"):
            scale_figures["grow_large"] = run_json(
                env, "bench.ledger", "grow", "--to", str(args.ledger_large)
            )
            with Server(cold_env) as server:
                measure = measurer(server, args)
                scale_figures["large"] = ledger_tier(measure, server.port)
            scale_figures["export"] = run_json(env, "bench.ledger", "export")
            scale_figures["verify"] = run_json(env, "bench.ledger", "verify", "--upto", "100000")
            small, large = scale_figures["small"], scale_figures["large"]
            ratios = {
                "entries_p95_ratio": large["entries_p95_ms"] / small["entries_p95_ms"],
                "totals_p95_ratio": large["totals_p95_ms"] / small["totals_p95_ms"],
            }
            scale_figures.update({k: round(v, 3) for k, v in ratios.items()})
            rows.append(emit("ledger_scale", scale_figures, max(ratios.values()), "<= 1.5"))
        if want("ledger_proof") or want("ledger_verify"):
            if not want("ledger_scale"):  # ledger_scale grew it already
                proof_figures["grow_large"] = run_json(
                    env, "bench.ledger", "grow", "--to", str(args.ledger_large)
                )
            proof_figures["tree_large"] = run_json(env, "bench.ledger", "tree")
            if want("ledger_proof"):
                with Server(env) as server:
                    measure = measurer(server, args)
                    direct = run_json(env, "bench.ledger", "proof")
                    proof_figures["large"] = proof_tier(measure, direct)
                small, large = proof_figures["small"], proof_figures["large"]
                proof_figures["p95_ratio"] = round(large["api_p95_ms"] / small["api_p95_ms"], 3)
                rows.append(
                    emit(
                        "ledger_proof",
                        proof_figures,
                        proof_figures["p95_ratio"],
                        "<= 1.5 and api p95 < 20 ms",
                    )
                )
            if want("ledger_verify"):
                figures = run_json(env, "bench.ledger", "verify_full")
                rows.append(emit("ledger_verify", figures, figures["seconds_per_1m"], "<= 30"))
        if want("alert_fanout"):
            figures = run_json(
                env,
                "bench.fanout",
                "--recipients",
                str(args.fanout),
                "--sms",
                str(args.fanout_sms),
            )
            rows.append(emit("alert_fanout", figures, figures.pop("ratio"), ">= 0.5"))
    finally:
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        flush_redis()
        shutil.rmtree(STATIC_ROOT, ignore_errors=True)

    print("\nSummary")
    for row in rows:
        print(f"  {row['name']:<36} ratio {row['ratio']!s:<8} goal {row['goal']}")


if __name__ == "__main__":
    main()
