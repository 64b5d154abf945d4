"""Hardening of the ways in: the one login limiter (every form, the admin's, the token endpoint),
growing delays per (username, IP) instead of an account lock, the trusted client IP, token
revocation, API throttling."""

import datetime as dt

import pytest
import time_machine
from rest_framework.authtoken.models import Token

from core import ratelimit
from core.http import client_ip
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


@pytest.fixture
def local_cache(settings):
    """Tests that travel in time need a cache whose expiry follows the travelling clock."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def login(client, username, password, ip=ATTACKER, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Issue item 1: the admin's login goes through the same limiter ------------------------------


def test_forty_wrong_admin_passwords_then_the_right_one_does_not_log_in(client):
    admin = f.UserFactory(username="admin", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    statuses = [
        login(client, "admin", f"guess{i}", url="/admin/login/").status_code for i in range(40)
    ]
    assert statuses[:5] == [200] * 5  # ordinary wrong-password answers
    assert 429 in statuses[5:]  # then the limiter steps in
    right = login(client, "admin", PASSWORD, url="/admin/login/")
    assert right.status_code == 429
    assert int(right.headers["Retry-After"]) > 0
    assert "请等待" in right.content.decode() or "Please wait" in right.content.decode()
    assert not logged_in(client)


def test_the_admin_login_still_works_for_staff(client):
    admin = f.UserFactory(username="admin", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    response = login(client, "admin", PASSWORD, url="/admin/login/")
    assert response.status_code == 302
    assert logged_in(client)


def test_failures_on_the_page_count_on_the_admin_and_the_token_endpoint(client, api, official):
    for _ in range(5):
        login(client, official.username, "x")
    admin_try = login(client, official.username, PASSWORD, url="/admin/login/")
    assert admin_try.status_code == 429
    token = api().post(
        "/api/v1/auth/token/",
        {"username": official.username, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )
    assert token.status_code == 429
    assert int(token.headers["Retry-After"]) > 0


# --- Issue item 5: no lock-out as denial of service ----------------------------------------------


def test_someone_elses_failures_do_not_block_the_right_password_from_another_address(
    client, official
):
    for _ in range(6):
        login(client, official.username, "wrong")
    assert login(client, official.username, PASSWORD, ip=ATTACKER).status_code == 429
    response = login(client, official.username, PASSWORD, ip=OFFICE)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_token_endpoint_answers_429_only_for_the_guessing_address(api, official):
    client = api()
    for _ in range(5):
        bad = client.post(
            "/api/v1/auth/token/",
            {"username": official.username, "password": "x"},
            REMOTE_ADDR=ATTACKER,
        )
        assert bad.status_code == 400
    data = {"username": official.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/token/", data, REMOTE_ADDR=ATTACKER).status_code == 429
    assert client.post("/api/v1/auth/token/", data, REMOTE_ADDR=OFFICE).status_code == 200


def test_after_the_free_failures_each_attempt_waits_twice_as_long(
    settings, local_cache, client, official
):
    settings.TONGZHOU_LOGIN_MAX_DELAY_SECONDS = 16
    with time_machine.travel(dt.datetime(2026, 5, 12, 6, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(5):
            assert login(client, official.username, "x").status_code == 200
        waits = []
        for _ in range(5):
            refused = login(client, official.username, PASSWORD)
            assert refused.status_code == 429 and not logged_in(client)
            wait = int(refused.headers["Retry-After"])
            waits.append(wait)
            clock.shift(wait)
            assert login(client, official.username, "x").status_code == 200  # wrong again
        assert waits == [2, 4, 8, 16, 16]  # doubling, capped
        clock.shift(16)
        assert login(client, official.username, PASSWORD).status_code == 302
        assert logged_in(client)


def test_attempts_refused_during_a_wait_do_not_lengthen_it(local_cache, client, official):
    with time_machine.travel(dt.datetime(2026, 5, 12, 6, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(5):
            login(client, official.username, "x")
        for _ in range(20):
            assert login(client, official.username, "x").status_code == 429
        clock.shift(2)
        assert login(client, official.username, PASSWORD).status_code == 302


def test_a_successful_login_forgets_that_addresss_failures(client, official):
    for _ in range(4):
        login(client, official.username, "x")
    login(client, official.username, PASSWORD)
    assert logged_in(client)
    client.logout()
    for _ in range(4):
        login(client, official.username, "x")
    login(client, official.username, PASSWORD)
    assert logged_in(client)


def test_one_address_guessing_many_accounts_runs_out_of_budget(client, settings, official):
    settings.TONGZHOU_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("a", "b", "c"):
        login(client, name, "x")
    refused = login(client, official.username, PASSWORD)
    assert refused.status_code == 429 and not logged_in(client)
    # another address is not affected
    assert login(client, official.username, PASSWORD, ip=OFFICE).status_code == 302


def test_parallel_guesses_past_the_free_failures_get_one_slot(official):
    for _ in range(5):
        assert ratelimit.begin_attempt(official.username, ATTACKER) == 0
        ratelimit.record_failure(official.username, ATTACKER)
    assert ratelimit.retry_after(official.username, ATTACKER) == 2
    # once the wait is over, two attempts at the same moment: only one goes ahead
    ratelimit.cache.delete(ratelimit._pair(official.username, ATTACKER)[1])
    assert ratelimit.begin_attempt(official.username, ATTACKER) == 0
    assert ratelimit.begin_attempt(official.username, ATTACKER) > 0


def test_usernames_are_case_insensitive_for_the_limiter(client, official):
    for _ in range(5):
        login(client, official.username.upper(), "x")
    assert login(client, official.username, PASSWORD).status_code == 429


# --- The client IP: REMOTE_ADDR unless a trusted proxy header is configured ---------------------


def test_a_forged_forwarded_for_header_does_not_escape_the_limiter(client, official):
    for i in range(6):
        client.post(
            "/accounts/login/",
            {"username": official.username, "password": "x"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": official.username, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert response.status_code == 429


def test_behind_a_configured_proxy_the_header_names_the_client(settings, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert client_ip(request) == "10.0.0.1"  # default: the header is not trusted
    settings.TONGZHOU_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert client_ip(request) == "5.6.7.8"  # one proxy: the address it saw
    settings.TONGZHOU_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"
    forged = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(forged) == "10.0.0.1"
    settings.TONGZHOU_TRUSTED_PROXY_HEADER = "X-Real-IP"
    real = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="2001:db8::1")
    assert client_ip(real) == "2001:db8::1"


def test_behind_a_proxy_each_client_has_its_own_limit(settings, client, official):
    settings.TONGZHOU_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    for _ in range(6):
        client.post(
            "/accounts/login/",
            {"username": official.username, "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    ok = client.post(
        "/accounts/login/",
        {"username": official.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=OFFICE,
    )
    assert ok.status_code == 302


def test_the_api_throttle_ignores_a_forged_forwarded_for_header(api):
    from unittest import mock

    from rest_framework.throttling import AnonRateThrottle

    with mock.patch.object(AnonRateThrottle, "rate", "3/min", create=True):
        statuses = [
            api().get("/api/v1/incidents/", HTTP_X_FORWARDED_FOR=f"10.1.1.{i}").status_code
            for i in range(5)
        ]
    assert statuses[-1] == 429


# --- Unchanged hardening -----------------------------------------------------------------------


def test_changing_the_password_revokes_the_api_token(client, official):
    token = Token.objects.create(user=official)
    client.force_login(official)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-new-passphrase",
            "new_password2": "a-much-longer-new-passphrase",
        },
    )
    assert response.status_code == 302
    assert not Token.objects.filter(key=token.key).exists()


def test_weak_passwords_are_refused_by_the_validators(client, official):
    client.force_login(official)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert Token.objects.filter(user=official).count() == 0  # nothing changed, nothing revoked
    official.refresh_from_db()
    assert official.check_password(PASSWORD)


def test_the_public_api_is_throttled(api):
    from unittest import mock

    from rest_framework.throttling import AnonRateThrottle

    with mock.patch.object(AnonRateThrottle, "rate", "3/min", create=True):
        statuses = [api().get("/api/v1/incidents/").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[-1] == 429
