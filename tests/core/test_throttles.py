"""The public API's rate limits: anonymous callers are counted once, by IP; signed-in users by
account (issue 18: every round trip to the cache is part of a public read's fixed cost)."""

import os
import socket
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIRequestFactory

from core import cache as resilient
from core.cache import ResilientRedisCache
from core.throttling import AnonRateThrottle, UserRateThrottle


def _request(user):
    request = APIRequestFactory().get("/api/v1/organizations/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_an_anonymous_caller_is_counted_by_the_anonymous_throttle_only():
    request = _request(AnonymousUser())
    assert UserRateThrottle().get_cache_key(request, None) is None
    assert "10.1.2.3" in AnonRateThrottle().get_cache_key(request, None)


@pytest.mark.django_db
def test_a_signed_in_user_is_counted_by_account(official):
    request = _request(official)
    assert UserRateThrottle().get_cache_key(request, None).endswith(f"_{official.pk}")
    assert AnonRateThrottle().get_cache_key(request, None) is None


# --- counting: one counter per window, a sliding estimate (core.throttling) ---------------------


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _throttle(store, clock, rate="3/min"):
    class Limited(AnonRateThrottle):
        pass

    Limited.rate = rate
    Limited.cache = store
    Limited.timer = clock
    return Limited()


def _hits(store, clock, count, rate="3/min"):
    request = _request(AnonymousUser())
    return [_throttle(store, clock, rate).allow_request(request, None) for _ in range(count)]


def _stores():
    """The local-memory cache (embedded mode, the outage fallback) and, in real mode, Redis
    through the resilient backend (the pipelined round trip)."""
    stores = [LocMemCache(f"throttle-test-{time.monotonic_ns()}", {})]
    if os.environ.get("REDIS_URL"):
        resilient.reset_state()
        stores.append(
            ResilientRedisCache(
                os.environ["REDIS_URL"], {"KEY_PREFIX": f"throttle-test-{time.monotonic_ns()}"}
            )
        )
    return stores


@pytest.mark.parametrize("store", _stores(), ids=lambda s: type(s).__name__)
def test_the_limit_holds_within_a_window_and_refusals_say_how_long_to_wait(store):
    clock = _Clock(6000.0)  # the start of a window of 60 s
    assert _hits(store, clock, 4) == [True, True, True, False]
    throttle = _throttle(store, clock)
    assert throttle.allow_request(_request(AnonymousUser()), None) is False
    assert throttle.wait() == 60.0
    clock.now += 45
    later = _throttle(store, clock)
    assert later.allow_request(_request(AnonymousUser()), None) is False
    assert later.wait() == 15.0


@pytest.mark.parametrize("store", _stores(), ids=lambda s: type(s).__name__)
def test_the_previous_window_counts_for_the_share_still_in_view(store):
    clock = _Clock(6059.0)  # the last second of a window
    assert _hits(store, clock, 3) == [True, True, True]
    clock.now = 6061.0  # just over the boundary: almost all of the previous window in view
    assert _hits(store, clock, 1) == [False]
    clock.now = 6100.0  # two thirds into the window: 3 x 1/3 + 1 (refused above) + this one
    assert _hits(store, clock, 1) == [True]
    clock.now = 6240.0  # two windows later: nothing in view
    assert _hits(store, clock, 3) == [True, True, True]


def test_counters_expire_with_their_windows():
    store = LocMemCache(f"throttle-expiry-{time.monotonic_ns()}", {})
    _hits(store, _Clock(6000.0), 2)
    keys = [k for k in store._cache if ":100" in k]
    assert keys, "the counter of window 100 (6000 // 60) exists"
    assert all(store._expire_info[k] > time.time() + 100 for k in keys)  # 2 windows


def test_with_redis_down_the_throttle_counts_in_the_local_fallback():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    resilient.reset_state()
    store = ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0", {"KEY_PREFIX": f"down-{time.monotonic_ns()}"}
    )
    try:
        assert _hits(store, _Clock(6000.0), 4) == [True, True, True, False]
        assert store.is_degraded()
    finally:
        resilient.reset_state()
