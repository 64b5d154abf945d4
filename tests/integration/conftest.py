"""A real Celery worker process for tests marked ``integration`` (REDIS_URL + PostgreSQL)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def worker_env() -> dict:
    """The worker talks to the same test database and the same Redis as the test process."""
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["REDIS_URL"] = settings.REDIS_URL
    env["TONGZHOU_TESTING"] = "true"
    return env


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start ``celery -A config worker`` and wait until it answers a ping."""
    from config.celery import app

    log = Path(settings.BASE_DIR) / ".pytest-worker.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "default,alerts",
                "--pool",
                "solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=worker_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the worker exited: {log.read_text()[-2000:]}")
            if app.control.ping(timeout=1.0):
                break
        else:
            pytest.fail("the Celery worker did not come up within 60 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.unlink(missing_ok=True)
