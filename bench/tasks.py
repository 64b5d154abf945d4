"""The denominator of alert_fanout: a no-op task whose only effect is a counter in Redis.

Loaded into the bench's worker with ``celery -A config worker -I bench.tasks``; never part of
the application.
"""

import os

import redis
from celery import shared_task

_client = None


def counter() -> "redis.Redis":
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _client


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    counter().incr("bench:noop")
