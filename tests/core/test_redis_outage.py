"""Redis is a cache and a broker, not the system of record: with Redis gone, public reads, login
and writes keep working (issue "Hardening, round two", item 2).

The first tests point the cache and the broker at a closed port and run in every mode (SQLite
too). The integration test starts a private redis-server, uses it, kills it, and checks the same
four requests, then that the alert written during the outage is published once Redis is back.
"""

import logging
import os
import socket
import time

import pytest
from django.core.cache import cache

from alerts.models import Delivery
from config.celery import app
from core import cache as resilient
from core.cache import ResilientRedisCache

PASSWORD = "correct-horse-battery"
ALERT = {
    "title": "芦山县暴雨橙色预警",
    "body": "请注意防范山洪。",
    "level": "orange",
    "audience": {"regions": ["511826"]},
    "channels": ["in_app", "email"],
    "public": True,
}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def use_broker(url: str) -> None:
    """Point this process's Celery producer at ``url``.

    The pools are forgotten, not closed: ``app.pool`` is kombu's process-wide pool for that URL,
    and closing it would break every later test that publishes to the same URL (even eager
    ``delay()`` acquires a producer)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_cache_at(settings):
    """Point the default cache at a Redis URL through the resilient backend."""
    resilient.reset_state()

    def point(url: str) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": f"outage-{time.monotonic_ns()}",
            }
        }

    yield point
    resilient.reset_state()


@pytest.fixture
def broker():
    previous = app.conf.broker_url
    eager = app.conf.task_always_eager
    yield use_broker
    use_broker(previous)
    app.conf.task_always_eager = eager


def four_requests(client, api, official) -> dict[str, int]:
    """The four requests of the issue, with their status codes."""
    codes = {"head": api().get("/api/v1/ledger/head/").status_code}
    response = client.post(
        "/accounts/login/", {"username": official.username, "password": PASSWORD}
    )
    codes["login"] = response.status_code
    assert "_auth_user_id" in client.session
    client.logout()
    codes["ledger"] = client.get("/ledger/").status_code
    codes["alert"] = api(official).post("/api/v1/alerts/", ALERT, format="json").status_code
    return codes


def succeeded(codes: dict[str, int]) -> bool:
    return all(200 <= code < 400 for code in codes.values())


# --- Every mode: a Redis that is not there at all -------------------------------------------------


@pytest.mark.django_db
def test_the_four_requests_work_with_the_cache_at_a_closed_port(
    client, api, official, ngo_admin, redis_cache_at, caplog
):
    redis_cache_at(f"redis://127.0.0.1:{closed_port()}/0")
    with caplog.at_level(logging.WARNING, logger="tongzhou.cache"):
        started = time.monotonic()
        codes = four_requests(client, api, official)
        again = four_requests(client, api, official)
    assert codes == {"head": 200, "login": 302, "ledger": 200, "alert": 201}
    assert again == codes
    assert time.monotonic() - started < 10
    warnings = [r for r in caplog.records if r.name == "tongzhou.cache"]
    assert len(warnings) == 1  # the degradation is logged, once per interval
    assert "unavailable" in warnings[0].getMessage()


@pytest.mark.django_db
def test_the_login_limiter_still_counts_while_redis_is_down(client, official, redis_cache_at):
    redis_cache_at(f"redis://127.0.0.1:{closed_port()}/0")
    for _ in range(5):
        client.post("/accounts/login/", {"username": official.username, "password": "x"})
    refused = client.post("/accounts/login/", {"username": official.username, "password": PASSWORD})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_fallback_serves_every_cache_operation_and_redis_is_retried_later(settings):
    settings.TONGZHOU_CACHE_RETRY_SECONDS = 0.2
    resilient.reset_state()
    backend = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    assert backend.add("n", 0, timeout=60)
    assert backend.incr("n") == 1 and backend.decr("n") == 0
    assert backend.get_or_set("k", "v") == "v"
    backend.set_many({"a": 1, "b": 2})
    assert backend.get_many(["a", "b"]) == {"a": 1, "b": 2}
    assert backend.touch("a", 60) and backend.has_key("a")
    backend.delete_many(["a", "b"])
    assert backend.get("a") is None
    assert backend.is_degraded()
    time.sleep(0.3)
    assert not backend.is_degraded()  # the next operation tries Redis again
    resilient.reset_state()


def test_the_one_round_trip_bump_falls_back_too(settings):
    """``incr_existing`` (``core.versions``' bump): INCR of the keys that exist, None for a
    missing one left missing, from the local fallback while Redis is unreachable."""
    resilient.reset_state()
    backend = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    assert backend.add("v", 41, timeout=None)
    assert backend.incr_existing(["v", "gone", "v"]) == [42, None, 43]
    assert backend.get("gone") is None
    assert backend.is_degraded()
    resilient.reset_state()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (set REDIS_URL)")
def test_the_one_round_trip_bump_in_redis():
    resilient.reset_state()
    backend = ResilientRedisCache(
        os.environ["REDIS_URL"], {"KEY_PREFIX": f"incr-existing-{time.monotonic_ns()}"}
    )
    try:
        backend.set("v", 41, timeout=None)
        backend.set("text", "not a number", timeout=60)
        assert backend.incr_existing(["v", "gone", "v"]) == [42, None, 43]
        assert backend.get("v") == 43
        assert backend.get("gone") is None and not backend.has_key("gone")
        assert backend.incr_existing([]) == []
        with pytest.raises(Exception, match="not an integer"):  # as incr refuses it
            backend.incr_existing(["text"])
        assert not backend.is_degraded()
    finally:
        backend.delete_many(["v", "text"])
        resilient.reset_state()


@pytest.mark.django_db
def test_publishing_with_the_broker_down_neither_fails_nor_hangs(
    api, official, ngo_admin, broker, django_capture_on_commit_callbacks
):
    broker(f"redis://127.0.0.1:{closed_port()}/0")
    app.conf.task_always_eager = False
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(official).post("/api/v1/alerts/", ALERT, format="json")
    assert response.status_code == 201, response.json()
    assert time.monotonic() - started < 10
    # the outbox keeps the e-mail deliveries pending for the beat sweep
    pending = Delivery.objects.filter(channel="email", status=Delivery.Status.PENDING)
    assert pending.filter(user=ngo_admin).exists()


# --- PostgreSQL + Redis pass: a real redis-server, killed mid-test -------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_keeps_reads_login_and_writes_working(
    client, api, official, ngo_admin, redis_cache_at, broker, settings
):
    import redis

    from alerts import tasks
    from tests.alerts.test_integration import RedisServer

    settings.TONGZHOU_CACHE_RETRY_SECONDS = 0.5
    server = RedisServer()
    server.start()
    try:
        redis_cache_at(server.url)
        broker(server.url)
        direct = redis.Redis.from_url(server.url)
        # Redis up: everything works, and the cache and the broker really are that Redis
        assert four_requests(client, api, official) == {
            "head": 200,
            "login": 302,
            "ledger": 200,
            "alert": 201,
        }
        assert direct.dbsize() > 0
        assert not cache.is_degraded()
        published_before = direct.llen("alerts")
        assert published_before > 0  # the e-mail deliveries went to the broker
        # Redis killed: the same four requests still succeed, without hanging
        server.process.kill()
        server.process.wait(timeout=10)
        server.process = None
        started = time.monotonic()
        codes = four_requests(client, api, official)
        assert succeeded(codes), codes
        assert codes["alert"] == 201
        assert time.monotonic() - started < 30
        stranded = list(
            Delivery.objects.filter(
                channel="email", status=Delivery.Status.PENDING, alert__title=ALERT["title"]
            ).values_list("pk", flat=True)
        )
        assert stranded  # the second alert waits in the outbox
        # Redis back: the sweep publishes what the outage held back
        server.start()
        broker(server.url)
        direct = redis.Redis.from_url(server.url)
        assert direct.llen("alerts") == 0  # a fresh server: nothing from before
        queued = tasks.requeue_stuck(pending_after=0)
        assert queued >= len(stranded)
        # one message per batch of deliveries (alerts.tasks.enqueue: TONGZHOU_ALERTS_BATCH_SIZE)
        batches = -(-queued // settings.TONGZHOU_ALERTS_BATCH_SIZE)
        assert direct.llen("alerts") == batches
        time.sleep(0.6)  # the cache's circuit retries Redis after TONGZHOU_CACHE_RETRY_SECONDS
        cache.set("after-the-outage", 1)
        assert any(b"after-the-outage" in key for key in direct.keys("*"))
    finally:
        server.stop()
