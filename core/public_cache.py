"""The warm path: anonymous GET/HEAD of public pages served from the cache, keyed by data versions.

``PublicCacheMiddleware`` sits before the session, locale and CSRF middleware. For a request
that is eligible (below) it

1. resolves the path to a URL name and looks it up in the routes the apps declare
   (``public_cache_routes`` on each AppConfig: URL name -> the scopes the response shows);
2. reads those scopes' versions (``core.versions.current``, one round trip) and builds the key
   from scheme + host + full path with query + language + Accept + versions;
3. answers ``304 Not Modified`` when ``If-None-Match`` carries the key's ETag (or, without
   ``If-None-Match``, when ``If-Modified-Since`` is not older than the versions' time) —
   before any rendering, hit or miss;
4. serves the stored response (one more round trip, no SQL), or renders through the rest of
   the stack and stores a 200 under the key read *before* rendering (a write committed during
   the render bumps the version, so that entry is never served as newer than it is).

Eligible: ``TONGZHOU_PUBLIC_CACHE`` on; GET or HEAD; no session cookie, no Authorization
header, no messages cookie (a logged-in person, or a person with something to be told, gets a
fresh render: their pages show private actions); no ``?lang=`` (that response sets the
language cookie); a declared route; the cache not degraded (``core.cache``: while Redis is
unreachable every request renders fresh, nothing is read or stored).

Stored: only 200, non-streaming responses that set no cookie other than the CSRF cookie and do
not say ``Cache-Control: private/no-store/no-cache`` themselves. No public page has a form for
an anonymous visitor today (the language switcher is a ``?lang=`` link:
``core.templatetags.tongzhou.language_url``), so pages are the same bytes for everyone and say
``Cache-Control: public``, as API responses do. For a page that does have a form, the CSRF token
is its one per-visitor part: before storing, each ``csrfmiddlewaretoken`` value is replaced by a
placeholder and the CSRF cookie dropped; when serving, each placeholder gets a token masked from
the visitor's own CSRF cookie (a new cookie is set for a visitor without one), exactly as
``{% csrf_token %}`` would, and the response says ``Cache-Control: private`` (a shared cache
must not hand one visitor's token to another). Both ``max-age=0, must-revalidate``: a browser
revalidates every time (a cheap 304), so "a write is visible to the next read" holds for
browsers too.

Deliberately not cached responses bypass DRF's anonymous throttle on a hit: a hit costs less
than the throttle's own cache round trips; the throttle still guards every render.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from email.utils import formatdate, parsedate_to_datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware import csrf
from django.urls import Resolver404, resolve
from django.utils.http import parse_etags

from core import versions

#: Header names never stored with a response (set per request by the middleware around us).
_NOT_STORED = {"set-cookie", "date", "etag", "last-modified", "cache-control", "content-length"}
_TOKEN_RE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
# NUL never occurs in a rendered page (RejectNullBytesMiddleware, PostgreSQL cannot store it),
# so the placeholder cannot be forged through content.
_PLACEHOLDER = b"\x00tz-csrf\x00"
_ENTRY_PREFIX = "tz:pc:"

_routes: dict[str, tuple[str, ...]] | None = None


def routes() -> dict[str, tuple[str, ...]]:
    """URL name -> scopes, from every AppConfig's ``public_cache_routes`` (read once)."""
    global _routes
    if _routes is None:
        collected: dict[str, tuple[str, ...]] = {}
        for config in apps.get_app_configs():
            declared = getattr(config, "public_cache_routes", None)
            if declared:
                for name, scope_names in declared.items():
                    collected[name] = tuple(sorted(set(scope_names)))
        _routes = collected
    return _routes


def enabled() -> bool:
    return bool(getattr(settings, "TONGZHOU_PUBLIC_CACHE", True))


def _language(request: HttpRequest) -> str | None:
    """The language the locale middleware will pick, or None when ``?lang=`` is present (that
    response sets the language cookie: not cached)."""
    codes = {code for code, _name in settings.LANGUAGES}
    if "lang" in request.GET:
        return None
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in codes else settings.LANGUAGE_CODE


@functools.lru_cache(maxsize=4096)
def _view_name(path: str) -> str | None:
    """The URL name of a path (resolved once per path and process: the URLconf is fixed)."""
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


@receiver(setting_changed)
def _forget_urls(setting: str, **kwargs) -> None:
    """Tests that swap the URLconf get fresh resolutions."""
    if setting == "ROOT_URLCONF":
        _view_name.cache_clear()


def _scopes_for(request: HttpRequest) -> tuple[str, ...] | None:
    return routes().get(_view_name(request.path_info))


def eligible(request: HttpRequest) -> bool:
    """Anonymous GET/HEAD without per-person state (see the module docstring)."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return not (
        settings.SESSION_COOKIE_NAME in cookies
        or "messages" in cookies
        or "HTTP_AUTHORIZATION" in request.META
    )


def _etag(digest: str) -> str:
    return f'"{digest[:40]}"'


def _not_modified(request: HttpRequest, etag: str, modified: float, stored: bool) -> bool:
    """``stored``: a response of these versions is in the cache, so the resource exists (a
    date, unlike the ETag, can be made up: If-Modified-Since is honoured only then)."""
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm:
        # Only the exact ETag: one is handed out only with a 200 of this key at these versions
        # ("*" would answer 304 for an incident that does not exist).
        return etag in parse_etags(inm)
    ims = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if ims and stored:
        try:
            since = parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        # HTTP dates have whole seconds: a version bumped later within the same second as the
        # Last-Modified a client holds would look unmodified, so Last-Modified is only sent
        # (and honoured) once its second has passed (see _validators).
        return int(modified) <= since and int(modified) < int(time.time())
    return False


def _validators(response: HttpResponse, etag: str, modified: float, private: bool) -> None:
    response["ETag"] = etag
    if int(modified) < int(time.time()):
        response["Last-Modified"] = formatdate(int(modified), usegmt=True)
    visibility = "private" if private else "public"
    response["Cache-Control"] = f"{visibility}, max-age=0, must-revalidate"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    return response.get("Vary", "").strip() != "*"


def _per_visitor_tokens(request: HttpRequest, body: bytes, response: HttpResponse) -> bytes:
    """Fill each CSRF placeholder with a token masked from this visitor's CSRF secret."""
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    try:
        csrf._check_token_format(secret)
        if len(secret) != csrf.CSRF_SECRET_LENGTH:
            raise csrf.InvalidTokenFormat("masked cookie")
    except csrf.InvalidTokenFormat:
        secret = csrf._get_new_csrf_string()
        response.set_cookie(
            settings.CSRF_COOKIE_NAME,
            secret,
            max_age=settings.CSRF_COOKIE_AGE,
            domain=settings.CSRF_COOKIE_DOMAIN,
            path=settings.CSRF_COOKIE_PATH,
            secure=settings.CSRF_COOKIE_SECURE,
            httponly=settings.CSRF_COOKIE_HTTPONLY,
            samesite=settings.CSRF_COOKIE_SAMESITE,
        )
    parts = body.split(_PLACEHOLDER)
    out = [parts[0]]
    for part in parts[1:]:
        out.append(csrf._mask_cipher_secret(secret).encode())
        out.append(part)
    return b"".join(out)


def _serve(request: HttpRequest, entry: dict, etag: str, modified: float) -> HttpResponse:
    response = HttpResponse(status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    body = entry["body"]
    if entry["csrf"]:
        body = _per_visitor_tokens(request, body, response)
    response.content = body
    response["Content-Length"] = str(len(body))
    _validators(response, etag, modified, private=entry["csrf"])
    response["X-Tongzhou-Cache"] = "hit"
    return response


def _entry_from(response: HttpResponse, token: str) -> dict:
    body = bytes(response.content)
    has_tokens = bool(_TOKEN_RE.search(body))
    if has_tokens:
        body = _TOKEN_RE.sub(rb"\1" + _PLACEHOLDER + rb"\2", body)
    headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
    return {
        "token": token,
        "status": response.status_code,
        "headers": headers,
        "body": body,
        "csrf": has_tokens,
    }


class PublicCacheMiddleware:
    """Serve and store anonymous public responses by data version (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not eligible(request):
            return self.get_response(request)
        scope_names = _scopes_for(request)
        language = _language(request)
        if not scope_names or language is None or versions.is_degraded():
            return self.get_response(request)
        try:
            origin = f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            return self.get_response(request)
        material = "\n".join(
            (
                origin,
                request.get_full_path(),
                language,
                request.META.get("HTTP_ACCEPT", ""),
            )
        ).encode("utf-8", "surrogateescape")
        # One entry per URL (and language, Accept): it records the versions it was rendered
        # at, read in the same round trip as the current versions, and is served only when they
        # are equal. Older versions are never wanted again, so they are simply overwritten.
        key = _ENTRY_PREFIX + hashlib.sha256(material).hexdigest()
        current = versions.current(*scope_names, also=[key])
        if versions.unsettled():  # degraded meanwhile, or a bump owed could not be made now
            return self.get_response(request)
        token = current.token()
        etag = _etag(hashlib.sha256(material + b"\n" + token.encode()).hexdigest())
        entry = current.extra.get(key)
        if entry is not None and entry.get("token") != token:
            entry = None  # rendered at other versions
        if _not_modified(request, etag, current.modified, stored=entry is not None):
            response = HttpResponseNotModified()
            # Without a stored response, whether the representation is per visitor (CSRF
            # tokens) is unknown: the 304 then says private, the safe side for shared caches.
            _validators(response, etag, current.modified, private=entry is None or entry["csrf"])
            return response
        if entry is not None and not versions.is_degraded():
            return _serve(request, entry, etag, current.modified)
        response = self.get_response(request)
        if request.method == "GET" and _storable(request, response):
            entry = _entry_from(response, token)
            # Degraded while rendering: the versions read may be the fallback's; store nothing.
            if not versions.is_degraded():
                cache.set(key, entry, timeout=settings.TONGZHOU_PUBLIC_CACHE_TTL)
            _validators(response, etag, current.modified, private=entry["csrf"])
            response["X-Tongzhou-Cache"] = "miss"
        return response
