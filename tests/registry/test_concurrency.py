"""Races on PostgreSQL: the same code registered twice at once, two officials deciding at once."""

import threading

import pytest
from django.db import connection

from registry.models import Organization
from tests.conftest import client_for
from tests.registry import factories as f


def _run_together(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_code_registered_twice_at_once_makes_one_organization(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    code = f.valid_uscc("social_service", "511826")

    def register(n):
        body = {
            "username": f"racer{n}",
            "password": "a-Long-pass-2024",
            "email": f"r{n}@example.org",
            "organization": {
                "name": f"赛跑{n}",
                "uscc": code,
                "kind": "social_service",
                "region_code": "511826",
            },
        }
        return lambda: client_for().post("/api/v1/register/", body, format="json").status_code

    statuses = _run_together([register(1), register(2)])
    assert sorted(statuses) == [201, 400]
    assert Organization.objects.filter(uscc=code).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officials_deciding_at_once_make_one_decision():
    agency = f.AgencyFactory(region_code="511800")
    officials = [f.UserFactory() for _ in range(2)]
    for user in officials:
        f.MembershipFactory(user=user, organization=agency, role="official")
    org = f.OrganizationFactory(status="pending", region_code="511826")
    url = f"/api/v1/organizations/{org.pk}/verify/"
    bodies = [{"decision": "verified"}, {"decision": "rejected", "reason": "材料不全"}]
    statuses = _run_together(
        [
            lambda u=u, b=b: client_for(u).post(url, b, format="json").status_code
            for u, b in zip(officials, bodies, strict=True)
        ]
    )
    assert sorted(statuses) == [200, 409]
    org.refresh_from_db()
    assert org.status in ("verified", "rejected")
