"""A Redis cache that degrades to a local-memory cache while Redis is unreachable.

Redis is a cache and a broker here, never the system of record. Everything that goes through
Django's cache — DRF's throttles, the login limiter (``core.ratelimit``), the ledger totals —
uses the ``default`` cache, which in real mode is :class:`ResilientRedisCache`:

* every operation goes to Redis with short socket timeouts (``TONGZHOU_REDIS_SOCKET_TIMEOUT``);
* a connection error or timeout switches this process to a local-memory cache for
  ``TONGZHOU_CACHE_RETRY_SECONDS`` (a circuit breaker: no request pays the connect timeout
  again during that time), then Redis is tried again;
* the degradation is logged as a warning on the ``tongzhou.cache`` logger, at most once per
  ``TONGZHOU_CACHE_LOG_INTERVAL`` seconds per Redis location, and the recovery once.

While degraded the counters are per process: a throttle or the login limiter counts each
gunicorn worker separately (the limits are multiplied by the number of workers, never
switched off), and cached totals are recomputed per process. Values written to the fallback are
not copied back to Redis when it returns; they simply expire.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import exceptions as redis_errors

logger = logging.getLogger("tongzhou.cache")

#: What counts as "Redis is unavailable" (redis-py wraps socket errors in ConnectionError).
UNAVAILABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)

_state_lock = threading.Lock()
# location -> {"down_until": monotonic, "logged_at": monotonic or None, "degraded": bool}
_state: dict[str, dict[str, Any]] = {}

_WRAPPED = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


# INCR of each of KEYS that exists, in one round trip (Django's ``incr`` is EXISTS, then INCR):
# the new values in order, nil where a key is missing (``incr`` raises ValueError for it).
INCR_EXISTING = """
local values = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    values[i] = redis.call('INCR', key)
  else
    values[i] = false
  end
end
return values
"""


def incr_each(cache, keys: list[str]) -> list[int | None]:
    """``cache.incr`` of each key, None for a missing one: what ``incr_existing`` answers, for a
    cache without it (the local fallback, the tests' local-memory cache)."""
    values: list[int | None] = []
    for key in keys:
        try:
            values.append(cache.incr(key))
        except ValueError:
            values.append(None)
    return values


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` object for every cache operation (about 170
    response callbacks registered each time: a measurable share of a cached request). A
    ``redis.Redis`` over a connection pool is safe to share, so one is kept per pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


class ResilientRedisCache(RedisCache):
    """Django's RedisCache with a local-memory fallback (see the module docstring).

    ``OPTIONS`` are passed to redis-py as for RedisCache; ``socket_connect_timeout`` and
    ``socket_timeout`` default to ``TONGZHOU_REDIS_SOCKET_TIMEOUT`` (1 s).
    """

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        timeout = _setting("TONGZHOU_REDIS_SOCKET_TIMEOUT", 1.0)
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("socket_timeout", timeout)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._incr_script = None  # INCR_EXISTING, registered at its first use
        self._location = server if isinstance(server, str) else ",".join(server)
        fallback_params = {
            k: v for k, v in params.items() if k not in ("OPTIONS", "BACKEND", "LOCATION")
        }
        # LocMemCache keeps its data per name at module level: every thread's instance (and
        # every test's new instance) for this location shares one fallback store.
        self.fallback = LocMemCache(f"tongzhou-fallback:{self._location}", fallback_params)

    def validate_key(self, key: str) -> None:
        """Nothing to check: Django's check warns about keys memcached would refuse (over 250
        characters, spaces, control characters); Redis keys are binary-safe and the fallback
        is local memory. It ran for every key of every operation, about 2 µs each: 21 keys
        on a warm hit of the incident page (its scopes' versions)."""

    # --- circuit state (per process, per location) --------------------------------------------

    def _entry(self) -> dict[str, Any]:
        return _state.setdefault(
            self._location, {"down_until": 0.0, "logged_at": None, "degraded": False}
        )

    def is_degraded(self) -> bool:
        """True while this process skips Redis and uses the local fallback."""
        with _state_lock:
            return self._entry()["down_until"] > time.monotonic()

    def _mark_down(self, operation: str, exc: BaseException) -> None:
        now = time.monotonic()
        with _state_lock:
            entry = self._entry()
            entry["down_until"] = now + _setting("TONGZHOU_CACHE_RETRY_SECONDS", 5.0)
            entry["degraded"] = True
            interval = _setting("TONGZHOU_CACHE_LOG_INTERVAL", 60.0)
            should_log = entry["logged_at"] is None or now - entry["logged_at"] >= interval
            if should_log:
                entry["logged_at"] = now
        if should_log:
            logger.warning(
                "Redis cache at %s unavailable (%s during %s): using the local-memory fallback "
                "(throttles and login limits count per process)",
                self._location,
                exc.__class__.__name__,
                operation,
            )

    def _mark_up(self) -> None:
        with _state_lock:
            entry = self._entry()
            was_degraded = entry["degraded"]
            entry["degraded"] = False
            entry["logged_at"] = None
        if was_degraded:
            logger.warning("Redis cache at %s is back", self._location)

    def _call(self, operation: str, *args, **kwargs):
        if self.is_degraded():
            return getattr(self.fallback, operation)(*args, **kwargs)
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._mark_down(operation, exc)
            return getattr(self.fallback, operation)(*args, **kwargs)
        if self._entry()["degraded"]:
            self._mark_up()
        return result

    def window_hit(self, current: str, previous: str, timeout: int) -> tuple[int, int]:
        """One rate-limit hit (``core.throttling``): INCR ``current`` (expiring after
        ``timeout``) and GET ``previous`` in one pipelined round trip; the local fallback while
        Redis is unavailable. Returns (current count, previous count)."""
        from core.throttling import window_hit

        if self.is_degraded():
            return window_hit(self.fallback, current, previous, timeout)
        try:
            client = self._cache.get_client(current, write=True)
            now_key = self.make_and_validate_key(current)
            pipe = client.pipeline(transaction=False)
            pipe.incr(now_key)
            pipe.expire(now_key, int(timeout))
            pipe.get(self.make_and_validate_key(previous))
            count, _expire, before = pipe.execute()
        except UNAVAILABLE as exc:
            self._mark_down("window_hit", exc)
            return window_hit(self.fallback, current, previous, timeout)
        if self._entry()["degraded"]:
            self._mark_up()
        return int(count), int(before or 0)

    def incr_existing(self, keys: list[str]) -> list[int | None]:
        """INCR each of ``keys`` that exists, in one round trip (the ``INCR_EXISTING`` script,
        where ``incr`` is EXISTS then INCR per key); None for a missing key, which is left
        missing (``incr`` would raise ValueError). The local fallback while Redis is
        unavailable. Used by ``core.versions`` for the bump every committed write pays."""
        if self.is_degraded():
            return incr_each(self.fallback, keys)
        try:
            client = self._cache.get_client(None, write=True)
            if self._incr_script is None:
                self._incr_script = client.register_script(INCR_EXISTING)
            made = [self.make_and_validate_key(key) for key in keys]
            values = self._incr_script(keys=made, client=client)
        except UNAVAILABLE as exc:
            self._mark_down("incr_existing", exc)
            return incr_each(self.fallback, keys)
        if self._entry()["degraded"]:
            self._mark_up()
        return [None if value is None else int(value) for value in values]


def _make(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"RedisCache.{name}, or the local fallback while Redis is unavailable."
    return method


for _name in _WRAPPED:
    setattr(ResilientRedisCache, _name, _make(_name))


def reset_state() -> None:
    """Forget every circuit (tests)."""
    with _state_lock:
        _state.clear()
