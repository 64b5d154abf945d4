"""DRF throttles keyed by ``core.http.client_ip``.

DRF's own ``get_ident`` trusts a client-supplied X-Forwarded-For whenever ``NUM_PROXIES`` is
unset, so anyone could dodge the per-IP rates by sending a new header each time. These classes
use the one client-IP rule of the platform instead. Their counters live in the ``default``
cache, which survives a Redis outage (``core.cache``).
"""

from rest_framework import throttling

from core.http import client_ip


class _ClientIpMixin:
    def get_ident(self, request):
        return client_ip(request) or ""


class AnonRateThrottle(_ClientIpMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_ClientIpMixin, throttling.UserRateThrottle):
    """Per signed-in user only. DRF's own class also counts anonymous callers by IP, under the
    looser ``user`` rate, on top of ``AnonRateThrottle``'s stricter count: two cache round trips
    per anonymous request for a limit that can never bite first. Anonymous callers are counted
    once, by ``AnonRateThrottle`` (issue 18: the fixed cost of a public read)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
