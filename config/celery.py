"""The Celery application.

With REDIS_URL unset, settings turn on ``task_always_eager`` so tasks run in-process (embedded
mode); with it set, Redis is the broker and result backend and `make worker` / `make beat` run
the real processes.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tongzhou")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="core.ping")
def ping() -> str:
    """A no-op task: the integration test and the benchmarks use it to measure the round trip."""
    return "pong"
