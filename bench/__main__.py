"""`make bench`: benchmarks in real mode (PostgreSQL, gunicorn with 2 workers on 127.0.0.1).

Prints one JSON object per benchmark on its own line —
``{"name", "figures", "ratio", "goal"}`` — then a human summary. Writes nothing into the
project: the bench database (``tongzhou_bench_<pid>``) is created and dropped by the run.

Options: ``--scale N`` (data size factor), ``--only name,name``, ``--seconds S`` per load run.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from bench import load

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


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
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        DEBUG="false",
        SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    db = f"tongzhou_bench_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    rows = []
    try:
        env = bench_env(db)
        manage(env, "migrate", "--noinput", "-v0")
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.seed", "--scale", str(args.scale)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        info = dict(kv.split("=") for kv in seeded.stdout.split())
        incident = info["incident"]
        with Server(env) as server:

            def measure(path: str):
                return load.run(
                    "127.0.0.1", server.port, path, threads=args.threads, seconds=args.seconds
                )

            ceiling = measure("/healthz/live/")
            if not only or "api_ceiling" in only:
                rows.append(emit("api_ceiling", ceiling.figures(), 1.0, "denominator"))
            if not only or "public_pages" in only:
                pages = {
                    "organizations_api": "/api/v1/organizations/?page_size=50",
                    "incident_3w_api": f"/api/v1/incidents/{incident}/3w/",
                    "procurements_api": "/api/v1/procurements/?page_size=50",
                    "incident_page": f"/incidents/{incident}/",
                    "ledger_page": "/ledger/",
                    "ledger_entries_api": "/api/v1/ledger/entries/?page_size=50",
                }
                for label, path in pages.items():
                    result = measure(path)
                    goal = ">= 0.5" if label.endswith("_api") else "report"
                    rows.append(
                        emit(
                            f"public_pages.{label}",
                            {"path": path, **result.figures()},
                            result.rps / ceiling.rps if ceiling.rps else None,
                            goal,
                        )
                    )
        if not only or "queries_per_request" in only:
            out = subprocess.run(
                [sys.executable, "-m", "bench.queries"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(out.stdout)
            equal = all(v["10"] == v["200"] for v in figures.values())
            rows.append(emit("queries_per_request", figures, 1.0 if equal else 0.0, "== 1.0"))
        if not only or "ledger_append" in only:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.ledger",
                    "append",
                    "--writers",
                    "16",
                    "--ops",
                    str(10 * args.scale),
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(emit("ledger_append", figures, figures.pop("ratio"), ">= 0.5"))
    finally:
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    print("\nSummary")
    for row in rows:
        print(f"  {row['name']:<36} ratio {row['ratio']!s:<8} goal {row['goal']}")


if __name__ == "__main__":
    main()
