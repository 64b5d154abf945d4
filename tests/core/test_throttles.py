"""The public API's rate limits: anonymous callers are counted once, by IP; signed-in users by
account (issue 18: every round trip to the cache is part of a public read's fixed cost)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from core.throttling import AnonRateThrottle, UserRateThrottle


def _request(user):
    request = APIRequestFactory().get("/api/v1/organizations/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_an_anonymous_caller_is_counted_by_the_anonymous_throttle_only():
    request = _request(AnonymousUser())
    assert UserRateThrottle().get_cache_key(request, None) is None
    assert "10.1.2.3" in AnonRateThrottle().get_cache_key(request, None)


@pytest.mark.django_db
def test_a_signed_in_user_is_counted_by_account(official):
    request = _request(official)
    assert UserRateThrottle().get_cache_key(request, None).endswith(f"_{official.pk}")
    assert AnonRateThrottle().get_cache_key(request, None) is None
