"""Failed-login limits per account and per IP address, kept in the cache (Redis in real mode).

After ``TONGZHOU_LOGIN_MAX_FAILURES_PER_USER`` failures for one username, or
``TONGZHOU_LOGIN_MAX_FAILURES_PER_IP`` from one address, within ``TONGZHOU_LOGIN_WINDOW_SECONDS``,
further attempts are refused until the window passes — even with the right password, so that
guessing cannot be confirmed. A successful login clears the account's counter.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"tongzhou:login-failures:{kind}:{digest}"


def is_locked(username: str, ip: str | None) -> bool:
    if cache.get(_key("user", username), 0) >= settings.TONGZHOU_LOGIN_MAX_FAILURES_PER_USER:
        return True
    return bool(ip) and cache.get(_key("ip", ip), 0) >= settings.TONGZHOU_LOGIN_MAX_FAILURES_PER_IP


def record_failure(username: str, ip: str | None) -> None:
    window = settings.TONGZHOU_LOGIN_WINDOW_SECONDS
    for key in [_key("user", username)] + ([_key("ip", ip)] if ip else []):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def clear(username: str) -> None:
    cache.delete(_key("user", username))
