"""Fan-out at scale: in-app rows written with the alert (no task), external deliveries claimed
in batches (one UPDATE ... FOR UPDATE SKIP LOCKED ... RETURNING on PostgreSQL) by tasks
published one per batch, over pooled keep-alive connections with a per-host limit, each
request carrying the delivery's idempotency key."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from alerts import delivery as engine
from alerts import services, tasks
from alerts.models import Delivery, Webhook
from alerts.providers import http as pooled
from tests.alerts.factories import AlertFactory, DeliveryFactory, WebhookFactory
from tests.registry import factories as f

Status = Delivery.Status


def teams_with_webhooks(n: int, url: str) -> list[int]:
    ids = []
    for _ in range(n):
        org = f.OrganizationFactory(region_code="511826")
        f.org_user(org)
        Webhook.objects.create(organization=org, url=url, secret="fanout-secret-0123")
        ids.append(org.pk)
    return ids


def notify(org_ids, channels=("in_app", "webhook")):
    return services.notify(
        title="芦山县地震红色预警",
        body="请立即避险。",
        level="red",
        audience={"organizations": org_ids},
        channels=list(channels),
    )


@pytest.mark.django_db
def test_in_app_rows_are_written_sent_and_only_external_ones_are_queued_in_batches(
    stub, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TONGZHOU_ALERTS_BATCH_SIZE = 3
    org_ids = teams_with_webhooks(7, stub.url)
    batches: list[list[int]] = []
    real = engine.deliver_batch

    def spy(ids, **kwargs):
        batches.append(list(ids))
        return real(ids, **kwargs)

    monkeypatch.setattr(engine, "deliver_batch", spy)
    with django_capture_on_commit_callbacks(execute=True):
        alert = notify(org_ids)
    in_app = alert.deliveries.filter(channel="in_app")
    webhooks = alert.deliveries.filter(channel="webhook")
    assert in_app.count() == 7 and set(in_app.values_list("status", flat=True)) == {"sent"}
    # 7 webhooks in batches of 3: three tasks, no in-app id among them
    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(sum(batches, [])) == sorted(webhooks.values_list("pk", flat=True))
    assert set(webhooks.values_list("status", flat=True)) == {"sent"}
    assert len(stub.requests) == 7


@pytest.mark.django_db
def test_notify_costs_the_same_queries_for_ten_or_twenty_organizations(
    stub, django_assert_max_num_queries
):
    # (up to 500 rows per INSERT; SQLite splits an INSERT past 999 parameters, hence 20 here)
    small, large = teams_with_webhooks(10, stub.url), teams_with_webhooks(20, stub.url)
    with django_assert_max_num_queries(30) as few:
        notify(small)
    with django_assert_max_num_queries(30) as many:
        notify(large)
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.django_db
def test_every_request_carries_the_delivery_idempotency_key_the_same_on_retry(ngo, stub):
    stub.status = 503
    webhook = WebhookFactory(organization=ngo, url=stub.url)
    row = DeliveryFactory(
        user=None, organization=ngo, webhook=webhook, channel="webhook", status="pending"
    )
    assert engine.deliver(row.pk) == "retry"
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    stub.status = 200
    assert engine.deliver(row.pk) == "sent"
    keys = [r["headers"]["Idempotency-Key"] for r in stub.requests]
    assert keys == [f"{row.alert_id}-{row.pk}"] * 2


@pytest.mark.django_db
def test_a_batch_skips_rows_not_due_or_not_pending_and_queues_retries_once(ngo, stub):
    stub.status = 503
    webhook = WebhookFactory(organization=ngo, url=stub.url)
    alert = AlertFactory()

    def row(**kw):
        org = f.OrganizationFactory()
        return DeliveryFactory(
            alert=alert, user=None, organization=org, webhook=webhook, channel="webhook", **kw
        )

    due = [row(status="pending") for _ in range(4)]
    later = row(status="pending", next_attempt_at=timezone.now() + timezone.timedelta(hours=1))
    done = row(status="sent")
    requeued: list[tuple[list[int], float]] = []
    outcome = engine.deliver_batch(
        [d.pk for d in [*due, later, done]],
        on_retry=lambda ids, delay: requeued.append((ids, delay)),
    )
    assert outcome == {"skipped": 2, "retry": 4}
    assert len(requeued) == 1 and sorted(requeued[0][0]) == sorted(d.pk for d in due)
    later.refresh_from_db()
    done.refresh_from_db()
    assert later.status == "pending" and later.attempts == 0 and done.status == "sent"


@pytest.mark.django_db
def test_the_batch_claim_refuses_what_the_state_table_forbids(monkeypatch):
    from core.states import InvalidTransition

    monkeypatch.setitem(Delivery.TRANSITIONS, Status.PENDING, (Status.FAILED,))
    with pytest.raises(InvalidTransition):
        engine.claim_batch([1])


class SlowServer:
    """Answers after 50 ms and records how many requests it held at once."""

    def __init__(self):
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    server.active += 1
                    server.peak = max(server.peak, server.active)
                time.sleep(0.05)
                with server.lock:
                    server.active -= 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


def test_the_pooled_session_limits_concurrent_requests_per_host(settings):
    settings.TONGZHOU_HTTP_PER_HOST = 2
    pooled.reset()
    server = SlowServer()
    try:
        session = pooled.session_for(server.url)
        assert pooled.session_for(server.url.replace("/hook", "/other")) is session
        with ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(lambda _: session.post(server.url, data=b"x").status_code, range(8))
            )
        assert codes == [200] * 8
        assert server.peak == 2  # eight threads, never more than two requests at once
    finally:
        pooled.reset()
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_batch_claims_on_postgresql_never_share_a_row(is_postgres):
    if not is_postgres:
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite uses the portable fallback")
    org = f.OrganizationFactory()
    alert = AlertFactory()
    rows = Delivery.objects.bulk_create(
        Delivery(
            alert=alert,
            organization=f.OrganizationFactory() if i else org,
            channel="webhook",
            address="http://x",
        )
        for i in range(400)
    )
    ids = [r.pk for r in rows]
    barrier = threading.Barrier(6)

    def worker(_):
        try:
            barrier.wait()
            claimed = []
            while True:
                _, got = engine.claim_batch(ids, limit=25)
                if not got:
                    return claimed
                claimed.extend(got)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(worker, range(6)))
    everything = sum(results, [])
    assert sorted(everything) == sorted(ids)  # every row claimed, none twice
    assert sum(1 for r in results if r) >= 2  # the threads really shared the work
    assert Delivery.objects.filter(status="sending", attempts=1).count() == 400


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_elsewhere_is_skipped_not_waited_for(is_postgres):
    if not is_postgres:
        pytest.skip("SKIP LOCKED is PostgreSQL's")
    alert = AlertFactory()
    a, b = (
        Delivery.objects.create(
            alert=alert, organization=f.OrganizationFactory(), channel="webhook", address="x"
        )
        for _ in range(2)
    )
    locked = threading.Event()
    release = threading.Event()

    def holder():
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(pk=a.pk))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        _, claimed = engine.claim_batch([a.pk, b.pk])
        assert claimed == [b.pk] and time.monotonic() - started < 2
    finally:
        release.set()
        thread.join()
    _, claimed = engine.claim_batch([a.pk, b.pk])
    assert claimed == [a.pk]
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_enqueue_publishes_one_message_per_batch_over_one_connection(settings, monkeypatch):
    settings.TONGZHOU_ALERTS_BATCH_SIZE = 100
    published: list = []

    class FakeConnection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            published.append("connect")

    app = tasks.send_batch.app
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "connection_for_write", lambda: FakeConnection())
    monkeypatch.setattr(
        tasks.send_batch, "apply_async", lambda args, **kw: published.append(len(args[0]))
    )
    assert tasks.enqueue(list(range(1, 251))) == 250
    assert published == ["connect", 100, 100, 50]
