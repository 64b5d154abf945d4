"""Emptying the cache inside a test without touching the other test workers' keys.

In real mode the cache is one Redis database shared by the xdist workers, and Django's
``cache.clear()`` is a FLUSHDB there: it wiped the other worker's throttle counts in the middle
of its test (the flaky ``test_asking_is_throttled_per_ip_on_page_and_api_alike``). Each test
already has a key prefix of its own (``tests/conftest.py``, ``_fresh_cache``); ``empty_cache``
moves this test to a new prefix instead, which is as good as empty, and the old keys expire.
"""

import uuid

from django.core.cache import caches


def empty_cache() -> None:
    backend = caches["default"]
    if "redis" in type(backend).__name__.lower():
        backend.key_prefix = f"test-{uuid.uuid4().hex}"
    else:
        backend.clear()
