"""Pooled keep-alive HTTP sessions, one per (scheme, host, port) and worker process.

A webhook or SMS request used to open a new TCP (and TLS) connection each time. Here each
worker process keeps one ``requests.Session`` per host whose adapter holds at most
``TONGZHOU_HTTP_PER_HOST`` connections and *blocks* when they are all busy
(``pool_block=True``): that is the per-host concurrency limit, whatever number of threads
sends. Sessions are dropped in a forked child (Celery's prefork pool forks after import), so
two processes never share a socket.
"""

import os
import threading
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

_sessions: dict[tuple[str, str, int], requests.Session] = {}
_lock = threading.Lock()


def _host_key(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def session_for(url: str) -> requests.Session:
    """The process's session for the host of ``url`` (made on first use)."""
    key = _host_key(url)
    session = _sessions.get(key)
    if session is not None:
        return session
    with _lock:
        session = _sessions.get(key)
        if session is None:
            limit = max(1, settings.TONGZHOU_HTTP_PER_HOST)
            session = requests.Session()
            session.trust_env = False  # no proxy from the environment for signed requests
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=limit, pool_block=True)
            session.mount(f"{key[0]}://", adapter)
            _sessions[key] = session
    return session


def reset() -> None:
    """Close every pooled connection (tests; after a fork)."""
    with _lock:
        for session in _sessions.values():
            session.close()
        _sessions.clear()


def _forget_after_fork() -> None:
    # The parent's sockets must not be used by the child: forget them without closing
    # (closing would send a FIN on the parent's connection).
    global _lock
    _lock = threading.Lock()
    _sessions.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
