"""Real mode: a task goes through Redis to a separate worker process and its result comes back."""

import time

import pytest

pytestmark = pytest.mark.integration


def test_a_task_round_trips_through_a_real_worker(celery_worker_process):
    from config.celery import app, ping

    assert not app.conf.task_always_eager
    started = time.monotonic()
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
    print(f"celery round trip: {time.monotonic() - started:.3f} s")
