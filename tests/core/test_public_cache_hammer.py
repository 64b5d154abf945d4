"""Reads stay correct under load: readers hammer a cached list while a writer writes.

Every response a reader gets must equal the fresh render of some version at or after the last
write that had completed (service returned: committed and version bumped) before the request
started. Real threads, each with its own PostgreSQL connection (real commits, the ledger's row
locks), so it runs in the PostgreSQL pass only.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from tests.donations import factories as df

JSON = {"HTTP_ACCEPT": "application/json"}
PATH = "/api/v1/ledger/entries/?page_size=50"


def fresh_render() -> bytes:
    """An anonymous render that bypasses the cache (a session cookie that is not a session)."""
    client = Client()
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(PATH, **JSON)
    assert response.status_code == 200
    assert "X-Tongzhou-Cache" not in response
    return response.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readers_never_get_a_version_older_than_the_last_completed_write(settings):
    settings.TONGZHOU_PUBLIC_CACHE = True
    # Only renders count against the anonymous throttle (600/min); hits skip it.
    charity = df.foundation(name="压测基金会")
    admin = df.writer(charity)
    df.receipt(charity, admin, "1.00")
    writes = 12
    expected = [fresh_render()]  # expected[i]: the list after write i (write 0: the set-up)
    completed_at = [time.monotonic()]
    observations: list[tuple[float, bytes, str]] = []
    errors: list[str] = []
    stop = threading.Event()

    def reader():
        client = Client()
        mine = []
        try:
            while not stop.is_set():
                started = time.monotonic()
                response = client.get(PATH, **JSON)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.content[:200]!r}")
                    continue
                mine.append((started, response.content, response.get("X-Tongzhou-Cache", "")))
        except Exception as exc:  # noqa: BLE001 - any failure in a reader fails the test
            errors.append(repr(exc))
        finally:
            observations.extend(mine)
            connection.close()

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for t in readers:
        t.start()
    try:
        for n in range(1, writes + 1):
            time.sleep(0.05)
            df.receipt(charity, admin, f"{n}.{n:02d}")
            completed_at.append(time.monotonic())
            expected.append(fresh_render())
        time.sleep(0.1)
    finally:
        stop.set()
        for t in readers:
            t.join()
        connection.close()

    assert not errors, errors[:3]
    assert len(set(expected)) == writes + 1  # every write changed the list
    index = {body: i for i, body in enumerate(expected)}
    seen_versions = set()
    for started, body, how in observations:
        last_done = max(i for i, at in enumerate(completed_at) if at <= started)
        version = index.get(body)
        assert version is not None, "a response equal to no fresh render of any version"
        assert version >= last_done, (
            f"stale: version {version} served after write {last_done} had completed ({how})"
        )
        seen_versions.add(version)
    hits = sum(1 for *_rest, how in observations if how == "hit")
    assert hits > len(observations) / 2  # the readers were mostly served from the cache
    assert len(seen_versions) >= writes // 2  # and they saw the list change under them
