"""The client's IP address, the same way everywhere (login limits, throttles, the audit trail).

By default it is ``REMOTE_ADDR``: headers such as X-Forwarded-For are written by the client and
are ignored. Behind a reverse proxy, set ``TONGZHOU_TRUSTED_PROXY_HEADER`` to the header the
proxy sets (e.g. ``X-Forwarded-For`` or ``X-Real-IP``) and ``TONGZHOU_TRUSTED_PROXY_COUNT`` to
the number of proxies in front of the application that append to it (default 1): the address is
then the ``count``-th entry from the right, the one the outermost trusted proxy saw. A missing
or malformed header falls back to ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _meta_key(header: str) -> str:
    header = header.strip()
    if header.upper().startswith("HTTP_"):
        return header.upper()
    return "HTTP_" + header.upper().replace("-", "_")


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (None without a request)."""
    if request is None:
        return None
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    header = getattr(settings, "TONGZHOU_TRUSTED_PROXY_HEADER", "")
    if not header:
        return remote
    raw = meta.get(_meta_key(header), "")
    entries = [part for part in raw.split(",") if part.strip()]
    if not entries:
        return remote
    count = max(1, int(getattr(settings, "TONGZHOU_TRUSTED_PROXY_COUNT", 1)))
    chosen = entries[-min(count, len(entries))]
    return _valid(chosen) or remote


def is_id(value: str) -> bool:
    """A query-string or path id that fits a 64-bit column (larger ones match nothing: no
    overflow, no 500)."""
    return value.isdigit() and len(value) <= 18
