"""DRF throttles keyed by ``core.http.client_ip``, counted in O(1) per request.

DRF's own ``get_ident`` trusts a client-supplied X-Forwarded-For whenever ``NUM_PROXIES`` is
unset, so anyone could dodge the per-IP rates by sending a new header each time. These classes
use the one client-IP rule of the platform instead. Their counters live in the ``default``
cache, which survives a Redis outage (``core.cache``).

Counting (issue 18, the fixed cost of every public read). DRF's ``SimpleRateThrottle`` keeps a
log of every request's timestamp within the window, reads and rewrites it (pickled) on every
request: O(limit) work and two round trips per call, and behind a carrier-grade NAT, where a
whole town shares one address, the log is always full (600 floats at 600/min). Here each
window of ``duration`` seconds has a counter (``<key>:<window number>``), and the rate is the
sliding-window estimate used by CDNs' rate limiters::

    estimate = previous window's count x (share of the previous window still in view)
               + this window's count (this request included)

A request is allowed while the estimate is at most the limit. One round trip to Redis
(``ResilientRedisCache.window_hit``: INCR + EXPIRE + GET in a pipeline); on other caches (the
local-memory cache of the embedded mode, the fallback during an outage) ``add`` + ``incr`` +
``get``. Refused requests are counted too: a client that keeps hammering stays refused until it
slows down, rather than getting a request through each time one old timestamp expires.
"""

from __future__ import annotations

from rest_framework import throttling

from core.http import client_ip


def window_hit(cache, current: str, previous: str, timeout: int) -> tuple[int, int]:
    """Count one hit in ``current``; return (this window's count, the previous one's)."""
    counting = getattr(cache, "window_hit", None)
    if counting is not None:
        return counting(current, previous, timeout)
    cache.add(current, 0, timeout)
    try:
        now = cache.incr(current)
    except ValueError:  # expired between add and incr
        cache.set(current, 1, timeout)
        now = 1
    return now, int(cache.get(previous) or 0)


class _CountingMixin:
    """``allow_request``/``wait`` of a ``SimpleRateThrottle`` by window counters (see above)."""

    def get_ident(self, request):
        return client_ip(request) or ""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        current, previous = window_hit(
            self.cache, f"{self.key}:{window}", f"{self.key}:{window - 1}", 2 * self.duration
        )
        in_view = 1.0 - (self.now - window * self.duration) / self.duration
        if previous * in_view + current > self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def throttle_success(self):
        return True

    def wait(self):
        """Seconds to the end of the current window (the Retry-After header)."""
        return max(1.0, self.window_end - self.now)


class AnonRateThrottle(_CountingMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_CountingMixin, throttling.UserRateThrottle):
    """Per signed-in user only. DRF's own class also counts anonymous callers by IP, under the
    looser ``user`` rate, on top of ``AnonRateThrottle``'s stricter count: two cache round trips
    per anonymous request for a limit that can never bite first. Anonymous callers are counted
    once, by ``AnonRateThrottle`` (issue 18: the fixed cost of a public read)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
