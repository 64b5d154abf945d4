"""alert_fanout: notify() for N recipients (in-app + webhook) until the last delivery is sent
by a real Celery worker, against the same number of no-op tasks through the same worker.

Run as ``python -m bench.fanout --recipients 10000 --concurrency 4`` with DATABASE_URL (the bench
database, migrated) and REDIS_URL (a Redis db the bench may flush) set. Half the recipients are
people (in-app: written ``sent`` by notify itself, in the caller's transaction) and half are
organizations' webhooks (one task each, POSTed to a local sink that answers 200 at once).
Prints one JSON object of figures.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
ROOT = Path(__file__).resolve().parent.parent


class Sink(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self):
        self.received = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), SinkHandler)


class SinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def population(organizations: int, sink_url: str) -> list[int]:
    """``organizations`` verified teams, each with one member and one active webhook."""
    from django.contrib.auth import get_user_model

    from alerts.models import Webhook
    from core.roles import Role
    from registry.models import Membership, Organization
    from registry.uscc import make

    orgs = Organization.objects.bulk_create(
        [
            Organization(
                name=f"基准预警队{i}",
                kind="volunteer_team",
                uscc=make("52", "510100", f"F{i:07d}"),
                region_code="510104",
                status="verified",
                description="bench-fanout",
            )
            for i in range(organizations)
        ],
        batch_size=1000,
    )
    ids = list(Organization.objects.filter(description="bench-fanout").values_list("pk", flat=True))
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench_fan_{i}") for i in range(organizations)],
        batch_size=1000,
    )
    users = list(get_user_model().objects.filter(username__startswith="bench_fan_").order_by("pk"))
    Membership.objects.bulk_create(
        [
            Membership(user=u, organization_id=o, role=Role.MEMBER)
            for u, o in zip(users, ids, strict=True)
        ],
        batch_size=1000,
    )
    Webhook.objects.bulk_create(
        [Webhook(organization_id=o, url=sink_url, secret="bench-secret-0123456789") for o in ids],
        batch_size=1000,
    )
    del orgs
    return ids


def start_worker(concurrency: int) -> subprocess.Popen:
    from config.celery import app

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-I",
            "bench.tasks",
            "-Q",
            "alerts",
            "--concurrency",
            str(concurrency),
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "TONGZHOU_WEBHOOK_ALLOW_PRIVATE": "true"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the Celery worker exited")
        if app.control.ping(timeout=1.0):
            return proc
    proc.terminate()
    raise RuntimeError("the Celery worker did not answer within 60 s")


def wait_until(done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.02)


def noop_run(count: int) -> float:
    from bench.tasks import counter, noop
    from config.celery import app

    counter().set("bench:noop", 0)
    started = time.perf_counter()
    with app.connection_for_write() as conn:
        for _ in range(count):
            noop.apply_async(queue="alerts", connection=conn, retry=False)
    wait_until(lambda: int(counter().get("bench:noop") or 0) >= count, timeout=900)
    return time.perf_counter() - started


def fanout_run(ids: list[int], sink: Sink) -> tuple[float, float, int]:
    from django.db import transaction

    from alerts.models import Delivery
    from alerts.services import notify

    started = time.perf_counter()
    with transaction.atomic():
        alert = notify(
            title="基准测试：红色预警",
            body="bench",
            level="red",
            audience={"organizations": ids},
            channels=("in_app", "webhook"),
        )
    committed = time.perf_counter() - started
    deliveries = Delivery.objects.filter(alert=alert)
    total = deliveries.count()
    wait_until(lambda: sink.received >= len(ids), timeout=1800)
    elapsed = time.perf_counter() - started
    sent = deliveries.filter(status="sent").count()
    wait_until(lambda: deliveries.filter(status="sent").count() == total, timeout=60)
    return elapsed, committed, sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    import django

    django.setup()
    from bench.tasks import counter

    counter().flushdb()
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    ids = population(args.recipients // 2, f"http://127.0.0.1:{sink.server_address[1]}/hook")
    worker = start_worker(args.concurrency)
    try:
        noop_run(200)  # warm the worker's processes and connections
        noop_seconds = noop_run(args.recipients)
        fanout_seconds, commit_seconds, sent_at_last = fanout_run(ids, sink)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sink.shutdown()
        counter().flushdb()
    print(
        json.dumps(
            {
                "recipients": args.recipients,
                "in_app": len(ids),
                "webhooks": len(ids),
                "worker_concurrency": args.concurrency,
                "notify_commit_s": round(commit_seconds, 2),
                "fanout_s": round(fanout_seconds, 2),
                "deliveries_per_s": round(args.recipients / fanout_seconds, 1),
                "noop_tasks": args.recipients,
                "noop_s": round(noop_seconds, 2),
                "ratio": round(noop_seconds / fanout_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
