"""Shared test set-up: markers that pick the backend, API clients, and the personas.

Personas (docs/CONVENTIONS.md): the public, an NGO admin and member, the admin of another NGO,
an official inside the jurisdiction (雅安市 511800), a provincial official (510000), an official
outside it (广东省 440000), an expert.
"""

import copy
import io
import os
import shutil
import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.roles import Role
from tests.registry import factories as f


def pytest_sessionstart(session):
    """Compile the .po catalogues (pure Python) so pages render in zh-Hans under test too."""
    from django.core.management import call_command

    call_command("compile_translations", stdout=io.StringIO())
    from django.test.signals import language_changed

    language_changed(setting="LOCALE_PATHS")  # forget catalogues loaded before compiling

    # PBKDF2's deliberate slowness is for production; tests create hundreds of users.
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    skip_redis = pytest.mark.skip(reason="needs a real Redis and Celery worker (set REDIS_URL)")
    skip_browser = pytest.mark.skip(
        reason="needs PostgreSQL, Debian's /usr/bin/chromium and the playwright package"
    )
    on_pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    has_redis = bool(os.environ.get("REDIS_URL"))
    try:
        import playwright  # noqa: F401

        has_browser = bool(shutil.which("chromium") or os.path.exists("/usr/bin/chromium"))
    except ImportError:
        has_browser = False
    for item in items:
        if item.get_closest_marker("postgres") and not on_pg:
            item.add_marker(skip_pg)
        if item.get_closest_marker("integration") and not (has_redis and on_pg):
            item.add_marker(skip_redis)
        if item.get_closest_marker("browser") and not (has_browser and on_pg):
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True, scope="session")
def _ledger_inline_everywhere():
    """Ledger entries are sequenced inside the writing transaction in ordinary tests, also in
    real mode (pass 2 runs tests inside transactions, where on_commit never fires). Set for the
    whole session, so the module-scoped shared worlds (permission matrix, strict input, the
    readable pages) are built sequenced too; the tests of the sequencer itself set
    "after_commit" through the ``settings`` fixture (tests/donations/test_sequencer*.py)."""
    from django.conf import settings

    previous = settings.TONGZHOU_LEDGER_SEQUENCING
    settings.TONGZHOU_LEDGER_SEQUENCING = "inline"
    yield
    settings.TONGZHOU_LEDGER_SEQUENCING = previous


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate-limit counters and throttles live in the cache: each test starts clean.

    In real mode the cache is one Redis database shared by the xdist workers; flushing it would
    wipe the other worker's counters in the middle of its test. There each test gets a key
    prefix of its own instead (the keys expire with their rate-limit windows).

    The Redis socket timeout is raised for tests: on a loaded CI machine (two cores shared by
    the xdist workers, PostgreSQL and the Celery workers) a Redis reply can take longer than the
    production 1 s, and the resilient cache would then switch this process to its local-memory
    fallback for a few seconds, by design, losing a throttle's count mid-test. The outage tests
    use refused connections, which fail at once whatever the timeout.
    """
    from django.core.cache import cache

    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        settings.TONGZHOU_REDIS_SOCKET_TIMEOUT = 10.0
        caches = copy.deepcopy(settings.CACHES)
        caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
        settings.CACHES = caches
        yield
        return
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _regions_after_flush(request):
    """Transactional tests flush every table when they end, the regions the migration loaded too;
    pytest-django runs them last, so only the next transactional test sees the empty table."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from core.models import Region
    from core.region_data import load

    if not Region.objects.exists():
        load(Region)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """The API client factory: ``api(user)`` or ``api()`` for the public."""
    return client_for


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def agency(db):
    return f.AgencyFactory(name="雅安市应急管理局", region_code="511800")


@pytest.fixture
def official(agency):
    """Official of 雅安市 (511800): covers 芦山县 511826."""
    user = f.UserFactory(username="bureau_official")
    f.MembershipFactory(user=user, organization=agency, role=Role.OFFICIAL)
    return user


@pytest.fixture
def second_official(agency):
    user = f.UserFactory(username="bureau_official_2")
    f.MembershipFactory(user=user, organization=agency, role=Role.OFFICIAL)
    return user


@pytest.fixture
def province_official(db):
    return f.official("510000", username="province_official")


@pytest.fixture
def outside_official(db):
    """Official of 广东省 (440000): no jurisdiction over Sichuan."""
    return f.official("440000", username="outside_official")


@pytest.fixture
def ngo(db):
    return f.OrganizationFactory(name="芦山县应急救援队", region_code="511826")


@pytest.fixture
def ngo_admin(ngo):
    return f.org_user(ngo, Role.ADMIN)


@pytest.fixture
def ngo_member(ngo):
    return f.org_user(ngo, Role.MEMBER)


@pytest.fixture
def other_ngo(db):
    return f.OrganizationFactory(name="另一个救援队", region_code="511802")


@pytest.fixture
def other_ngo_admin(other_ngo):
    return f.org_user(other_ngo, Role.ADMIN)


@pytest.fixture
def expert(db):
    pool = f.AgencyFactory(name="四川省评审专家库", region_code="510000")
    user = f.UserFactory(username="expert_one")
    f.MembershipFactory(user=user, organization=pool, role=Role.EXPERT)
    return user


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Ordinary tests run Celery tasks in-process even when REDIS_URL is set; tests marked
    ``integration`` talk to a real worker instead."""
    from config.celery import app

    eager = request.node.get_closest_marker("integration") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _public_cache_off(settings):
    """The anonymous response cache is bumped by on_commit, which never runs inside a test's
    transaction: it is off unless a test turns it on (tests/core/test_public_cache*.py)."""
    settings.TONGZHOU_PUBLIC_CACHE = False
