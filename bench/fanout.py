"""alert_fanout: notify() for N recipients (in-app + webhook) until the last delivery is sent
by a real Celery worker, against the same number of no-op tasks through the same worker; then
``--sms`` SMS through a local fake of Alibaba Cloud's SendSms API (the ``aliyun`` backend).

Run as ``python -m bench.fanout --recipients 10000 --sms 5000 --concurrency 4`` with
DATABASE_URL (the bench database, migrated) and REDIS_URL (a Redis db the bench may flush) set.
Half the recipients are people (in-app: written ``sent`` by notify itself, in the caller's
transaction) and half are organizations' webhooks (claimed and sent in batches of
``TONGZHOU_ALERTS_BATCH_SIZE`` by ``alerts.send_batch`` tasks, POSTed over keep-alive
connections to a local sink that answers 200 at once). The SMS recipients are people with a
phone; the fake provider checks each request's HMAC-SHA1 signature and answers ``OK``.
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
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed ACK)

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ALIYUN_KEY, ALIYUN_SECRET = "bench-key", "bench-secret-0123456789"


class FakeAliyun(ThreadingHTTPServer):
    """Alibaba Cloud SendSms on 127.0.0.1: checks the signature, counts the OutIds."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self):
        self.received = 0
        self.bad = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), FakeAliyunHandler)


class FakeAliyunHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed ACK)

    def do_POST(self):  # noqa: N802 (http.server's naming)
        from urllib.parse import parse_qsl

        from alerts.providers.aliyun import sign

        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        signature = form.pop("Signature", "")
        ok = signature == sign(ALIYUN_SECRET, form) and form.get("TemplateCode") == "SMS_BENCH"
        with self.server.lock:
            self.server.received += ok
            self.server.bad += not ok
        answer = (
            {"Code": "OK", "Message": "OK", "BizId": "b" + form.get("OutId", "")}
            if ok
            else {"Code": "SignatureDoesNotMatch"}
        )
        data = json.dumps(answer).encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def sms_population(people: int) -> list[int]:
    """``people`` accounts with SMS on and a phone number; the manual-alert template approved."""
    from django.contrib.auth import get_user_model

    from alerts.models import Preference, SmsTemplate

    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"bench_sms_{i}") for i in range(people)], batch_size=1000
    )
    users = list(User.objects.filter(username__startswith="bench_sms_").order_by("pk"))
    Preference.objects.bulk_create(
        [
            Preference(user=u, email=False, sms=True, phone=f"139{i:08d}", digest_levels=[])
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )
    SmsTemplate.objects.filter(code="manual_alert").update(aliyun_template_code="SMS_BENCH")
    return [u.pk for u in users]


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


def start_worker(concurrency: int, sms_url: str) -> subprocess.Popen:
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
        env={
            **os.environ,
            "TONGZHOU_WEBHOOK_ALLOW_PRIVATE": "true",
            "TONGZHOU_SMS_BACKEND": "aliyun",
            "TONGZHOU_SMS_ALIYUN_ACCESS_KEY_ID": ALIYUN_KEY,
            "TONGZHOU_SMS_ALIYUN_ACCESS_KEY_SECRET": ALIYUN_SECRET,
            "TONGZHOU_SMS_ALIYUN_ENDPOINT": sms_url,
        },
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


def sms_run(user_ids: list[int], fake: FakeAliyun) -> tuple[float, int]:
    from django.db import transaction

    from alerts.models import Delivery
    from alerts.services import notify

    started = time.perf_counter()
    with transaction.atomic():
        alert = notify(
            title="基准测试：暴雨红色预警",
            body="bench",
            level="red",
            audience={"users": user_ids},
            channels=("sms",),
        )
    wait_until(lambda: fake.received >= len(user_ids), timeout=1800)
    elapsed = time.perf_counter() - started
    deliveries = Delivery.objects.filter(alert=alert)
    wait_until(lambda: deliveries.filter(status="sent").count() == len(user_ids), timeout=60)
    return elapsed, deliveries.count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--sms", type=int, default=5_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    from bench.tasks import counter

    counter().flushdb()
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    fake = FakeAliyun()
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    ids = population(args.recipients // 2, f"http://127.0.0.1:{sink.server_address[1]}/hook")
    sms_ids = sms_population(args.sms) if args.sms else []
    worker = start_worker(args.concurrency, f"http://127.0.0.1:{fake.server_address[1]}/")
    sms_seconds = sms_rows = None
    try:
        noop_run(200)  # warm the worker's processes and connections
        noop_seconds = noop_run(args.recipients)
        fanout_seconds, commit_seconds, sent_at_last = fanout_run(ids, sink)
        if sms_ids:
            sms_seconds, sms_rows = sms_run(sms_ids, fake)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sink.shutdown()
        fake.shutdown()
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
                "batch_size": settings.TONGZHOU_ALERTS_BATCH_SIZE,
                "sms": len(sms_ids),
                "sms_s": None if sms_seconds is None else round(sms_seconds, 2),
                "sms_per_s": round(len(sms_ids) / sms_seconds, 1) if sms_seconds else None,
                "sms_bad_signatures": fake.bad,
            }
        )
    )


if __name__ == "__main__":
    main()
