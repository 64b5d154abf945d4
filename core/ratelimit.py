"""The one login limiter: every way to log in (the login page, the admin's login, the API token
endpoint, anything that calls ``django.contrib.auth.authenticate``) goes through it, because it
sits in the authentication backend (``core.auth.RateLimitedModelBackend``).

Policy — growing delays per (username, client IP), a budget per IP, never a hard account lock:

* **Per (username, IP).** The first ``TONGZHOU_LOGIN_FREE_FAILURES`` (5) failures cost nothing.
  After the n-th failure beyond that, the next attempt from that address for that username must
  wait ``2 ** (n - free + 1)`` seconds (2, 4, 8, ...) capped at
  ``TONGZHOU_LOGIN_MAX_DELAY_SECONDS`` (15 min). Attempts refused during a wait do not count and
  do not lengthen it. The failures are forgotten ``TONGZHOU_LOGIN_WINDOW_SECONDS`` after the last
  one, or at the next successful login from that address.
* **Per IP.** ``TONGZHOU_LOGIN_MAX_FAILURES_PER_IP`` (30) failures from one address, whatever the
  usernames, within the window block that address for the window.
* Someone else's failures never block the right password from another address: usernames of
  officials are not secret, so a per-account lock would let anyone lock a bureau out during a
  disaster. A distributed guesser gets the free failures plus a handful of delayed tries per
  address and window.
* While a wait is running the right password is refused too, so guessing cannot be confirmed.

The counters live in the ``default`` cache (Redis in real mode, degrading to a per-process local
cache while Redis is down: ``core.cache``). The client IP is ``REMOTE_ADDR`` unless a trusted
proxy header is configured (``core.http.client_ip``).

Concurrency: the attempt counter is incremented atomically before the password is checked, and
once past the free failures an attempt must win ``cache.add`` on a gate key, so parallel requests
cannot run more than one delayed guess at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def _digest(*parts: str) -> str:
    raw = "|".join(parts).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:32]


def _norm(username: str) -> str:
    return (username or "").strip().lower()


def _pair(username: str, ip: str | None) -> tuple[str, str]:
    digest = _digest(_norm(username), ip or "")
    return f"tongzhou:login:count:{digest}", f"tongzhou:login:gate:{digest}"


def _ip_keys(ip: str) -> tuple[str, str]:
    digest = _digest(ip)
    return f"tongzhou:login:ip:{digest}", f"tongzhou:login:ip-block:{digest}"


def delay_after(failures: int) -> int:
    """Seconds the next attempt waits after ``failures`` failures (0 within the free ones)."""
    free = settings.TONGZHOU_LOGIN_FREE_FAILURES
    if failures < free:
        return 0
    exponent = min(failures - free + 1, 30)
    return int(min(2**exponent, settings.TONGZHOU_LOGIN_MAX_DELAY_SECONDS))


def _remaining(key: str) -> int:
    until = cache.get(key)
    if not until:
        return 0
    left = float(until) - time.time()
    return max(0, math.ceil(left))


def _hold(key: str, seconds: int, *, only_if_free: bool = False) -> bool:
    """Set ``key`` (its value: when it ends) for ``seconds``; with ``only_if_free`` atomically."""
    seconds = max(1, int(seconds))
    value = time.time() + seconds
    if only_if_free:
        return cache.add(key, value, timeout=seconds)
    cache.set(key, value, timeout=seconds)
    return True


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def retry_after(username: str, ip: str | None) -> int:
    """Seconds before ``username`` may try again from ``ip`` (0: now). Consumes nothing."""
    if ip:
        blocked = _remaining(_ip_keys(ip)[1])
        if blocked:
            return blocked
    return _remaining(_pair(username, ip)[1])


def begin_attempt(username: str, ip: str | None) -> int:
    """Reserve one attempt: 0 when it may go ahead, else the seconds to wait (nothing counted).

    Each attempt that goes ahead must end with :func:`record_failure` or :func:`clear`.
    """
    wait = retry_after(username, ip)
    if wait:
        return wait
    count_key, gate_key = _pair(username, ip)
    window = settings.TONGZHOU_LOGIN_WINDOW_SECONDS
    attempt = _incr(count_key, window)
    failures_before = attempt - 1
    if failures_before >= settings.TONGZHOU_LOGIN_FREE_FAILURES and not _hold(
        gate_key, delay_after(failures_before), only_if_free=True
    ):
        # Another attempt holds the gate right now: this one does not count.
        with contextlib.suppress(ValueError):
            cache.decr(count_key)
        return max(1, _remaining(gate_key))
    return 0


def record_failure(username: str, ip: str | None) -> None:
    """A wrong password: start the wait of the next attempt, count the address's failure."""
    count_key, gate_key = _pair(username, ip)
    window = settings.TONGZHOU_LOGIN_WINDOW_SECONDS
    failures = cache.get(count_key) or 0
    cache.touch(count_key, window)
    wait = delay_after(failures)
    if wait:
        _hold(gate_key, wait)
    else:
        cache.delete(gate_key)
    if ip:
        ip_key, block_key = _ip_keys(ip)
        if _incr(ip_key, window) >= settings.TONGZHOU_LOGIN_MAX_FAILURES_PER_IP:
            _hold(block_key, window, only_if_free=True)


def clear(username: str, ip: str | None) -> None:
    """A successful login: forget this (username, IP)'s failures (not the address's budget)."""
    cache.delete_many(list(_pair(username, ip)))
