"""A real Celery worker process, a real Redis of the test's own, and a local webhook receiver
that counts delivery ids: every delivery arrives, and none twice, even when Redis goes away
or the worker is killed mid-batch.

Run with PostgreSQL and REDIS_URL set (the shared conftest skips them otherwise); the tests
start and stop their own redis-server on a free port and never touch the machine's Redis.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from alerts import services, tasks
from alerts.models import Delivery, Webhook
from config.celery import app
from registry.models import Organization

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = "/usr/bin/redis-server"
DEADLINE = 60  # seconds any single wait may take before the test fails instead of hanging


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class Worker:
    def __init__(self, broker_url: str, concurrency: int = 4) -> None:
        self.broker_url = broker_url
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "REDIS_URL": self.broker_url,
            "TONGZHOU_WEBHOOK_ALLOW_PRIVATE": "true",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "alerts",
                "-c",
                str(self.concurrency),
                "-P",
                "prefork",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"alerts-test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so a kill reaches the pool too
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def use_broker(url: str) -> None:
    """Point this process's Celery producer at ``url`` (drop pooled connections)."""
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    previous = app.conf.broker_url
    use_broker(server.url)
    yield server
    use_broker(previous)
    server.stop()


@pytest.fixture
def workers(redis_server):
    started: list[Worker] = []

    def start(concurrency: int = 4) -> Worker:
        worker = Worker(redis_server.url, concurrency)
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def organizations_with_webhooks(n: int, url: str) -> list[int]:
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"受测救援队{i}", kind="volunteer_team", region_code="511826", status="verified"
        )
        for i in range(n)
    )
    Webhook.objects.bulk_create(
        Webhook(organization=o, url=url, secret="integration-secret-1") for o in orgs
    )
    return [o.pk for o in orgs]


def issue(org_ids: list[int], batches: int = 1):
    size = -(-len(org_ids) // batches)
    for start in range(0, len(org_ids), size):
        services.notify(
            title="芦山县地震红色预警",
            body="请立即避险。",
            level="red",
            audience={"organizations": org_ids[start : start + size], "roles": ["admin"]},
            channels=["webhook"],
        )


def wait_until(condition, *, timeout: float = DEADLINE, every: float = 0.2, on_tick=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if on_tick:
            on_tick()
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s")


def all_sent(total: int) -> bool:
    return Delivery.objects.filter(status=Delivery.Status.SENT).count() == total


def test_a_thousand_deliveries_are_each_sent_exactly_once(stub, workers):
    # given a running worker and 1,000 organizations with a webhook
    workers(concurrency=4)
    org_ids = organizations_with_webhooks(1000, stub.url)
    # when alerts reach all of them
    started = time.monotonic()
    issue(org_ids, batches=4)
    wait_until(lambda: all_sent(1000))
    elapsed = time.monotonic() - started
    print(f"\n1,000 webhook deliveries through a real worker: {elapsed:.2f} s")
    # then every delivery id arrived exactly once
    ids = set(Delivery.objects.values_list("pk", flat=True))
    assert set(stub.ids) == ids and len(ids) == 1000
    assert max(stub.ids.values()) == 1


def test_redis_down_while_alerts_are_created_loses_nothing_and_sends_nothing_twice(
    stub, workers, redis_server
):
    workers(concurrency=2)
    org_ids = organizations_with_webhooks(200, stub.url)
    # given Redis goes away
    redis_server.stop()
    # when alerts are created, the business writes still succeed, fast
    started = time.monotonic()
    issue(org_ids, batches=4)
    assert time.monotonic() - started < 20
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 200
    time.sleep(1)
    assert stub.ids == {}
    # then, Redis back, the sweep delivers every one
    redis_server.start()
    use_broker(redis_server.url)
    wait_until(
        lambda: all_sent(200),
        every=1.0,
        on_tick=lambda: tasks.requeue_stuck(visibility_timeout=30, pending_after=2),
    )
    assert set(stub.ids) == set(Delivery.objects.values_list("pk", flat=True))
    assert max(stub.ids.values()) == 1


def test_a_worker_killed_mid_batch_loses_nothing(stub, workers):
    worker = workers(concurrency=4)
    org_ids = organizations_with_webhooks(600, stub.url)
    issue(org_ids, batches=2)
    # given the worker is half-way through
    wait_until(lambda: len(stub.ids) >= 100, every=0.02)
    worker.kill(signal.SIGKILL)
    in_flight = set(
        Delivery.objects.filter(status=Delivery.Status.SENDING).values_list("pk", flat=True)
    )
    sent_before = Delivery.objects.filter(status=Delivery.Status.SENT).count()
    assert sent_before < 600, "the worker finished before it could be killed"
    # when a new worker starts and the sweep runs
    workers(concurrency=4)
    wait_until(
        lambda: all_sent(600),
        every=1.0,
        on_tick=lambda: tasks.requeue_stuck(visibility_timeout=3, pending_after=3),
    )
    # then every delivery arrived; the only repeats are rows whose worker died between the
    # receiver's answer and the status write, and they carry the same delivery id, so the
    # receiver drops them (at most the worker's concurrency)
    assert set(stub.ids) == set(Delivery.objects.values_list("pk", flat=True))
    repeated = {pk for pk, n in stub.ids.items() if n > 1}
    assert repeated <= in_flight and len(repeated) <= 4
    print(f"\nkilled with {len(in_flight)} in flight; {len(repeated)} re-sent (same delivery id)")
