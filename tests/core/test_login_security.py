"""Hardening of the ways in: failed-login limits, token revocation, API throttling."""

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, official):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": official.username, "password": "x"})
        assert response.status_code == 200
    locked = client.post("/accounts/login/", {"username": official.username, "password": PASSWORD})
    assert locked.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "15" in locked.content.decode()


def test_a_successful_login_clears_the_failures(client, official):
    for _ in range(4):
        client.post("/accounts/login/", {"username": official.username, "password": "x"})
    client.post("/accounts/login/", {"username": official.username, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    client.logout()
    for _ in range(4):
        client.post("/accounts/login/", {"username": official.username, "password": "x"})
    client.post("/accounts/login/", {"username": official.username, "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_one_address_guessing_many_accounts_is_locked_out(client, settings, official):
    settings.TONGZHOU_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("a", "b", "c"):
        client.post("/accounts/login/", {"username": name, "password": "x"})
    client.post("/accounts/login/", {"username": official.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_shares_the_limit_and_answers_429(api, official):
    client = api()
    for _ in range(5):
        assert (
            client.post(
                "/api/v1/auth/token/", {"username": official.username, "password": "x"}
            ).status_code
            == 400
        )
    response = client.post(
        "/api/v1/auth/token/", {"username": official.username, "password": PASSWORD}
    )
    assert response.status_code == 429


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
