"""The WSGI handler served by gunicorn (``config.wsgi``): Django's, with URL resolution cached.

Django resolves every request's path by trying the URL patterns in order: about 180 regular
expressions for ``/api/v1/ledger/entries/`` (the API routers' routes, each with its format
suffix twin), 0.1-0.4 ms of CPU per request against 0.06 ms for ``/healthz/live/`` (issue 18:
the fixed cost of a public read). The result depends only on the path and the URL
configuration, which does not change while the process runs, so it is kept in an LRU of
``RESOLVE_CACHE_SIZE`` paths per process (bounded: paths carry ids, and anyone can send any
path). Misses (404s) are not cached. Requests with their own ``urlconf`` (set by a middleware)
take Django's path. ``ResolverMatch`` objects are shared between requests that hit the same
entry: nothing here mutates one (views get ``*args, **kwargs`` copies).
"""

from __future__ import annotations

from functools import lru_cache

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import setting_changed
from django.urls import get_resolver

RESOLVE_CACHE_SIZE = 4096


@lru_cache(maxsize=RESOLVE_CACHE_SIZE)
def resolve_path(path: str):
    return get_resolver().resolve(path)


def _clear(**kwargs) -> None:
    if kwargs.get("setting") == "ROOT_URLCONF":
        resolve_path.cache_clear()


setting_changed.connect(_clear)


class CachedResolveWSGIHandler(WSGIHandler):
    def resolve_request(self, request):
        if hasattr(request, "urlconf"):
            return super().resolve_request(request)
        match = resolve_path(request.path_info)
        request.resolver_match = match
        return match
