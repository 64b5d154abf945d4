"""A capability's Assess / Revoke buttons are its allowed actions (registry.actions.CAPABILITY),
and the services accept exactly those."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.states import InvalidTransition, allowed_actions
from registry import services
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def page_actions(client, user, org) -> set[str]:
    client.force_login(user)
    html = client.get(f"/organizations/{org.pk}/").content.decode()
    client.logout()
    return set(re.findall(r'data-action="(assess|revoke)"', html))


def accepted(user, cap) -> set[str]:
    calls = {
        "assess": lambda: services.assess(capability=cap, by=user, grade=2, score=80),
        "revoke": lambda: services.revoke(capability=cap, by=user, reason="测评过期"),
    }
    ok = set()
    for name, call in calls.items():
        try:
            with transaction.atomic():
                call()
                ok.add(name)
                transaction.set_rollback(True)
        except (PermissionDenied, InvalidTransition):
            continue
    return ok


def test_assess_and_revoke_buttons_follow_the_grade(
    client, ngo, province_official, outside_official
):
    cap = f.CapabilityFactory(
        organization=ngo,
        assessed_grade=None,
        assessed_score=None,
        assessed_on=None,
        valid_until=None,
    )
    assert set(allowed_actions(province_official, cap)) == {"assess"}
    assert page_actions(client, province_official, ngo) == {"assess"}
    assert accepted(province_official, cap) == {"assess"}

    services.assess(capability=cap, by=province_official, grade=2, score=85)
    cap.refresh_from_db()
    assert set(allowed_actions(province_official, cap)) == {"assess", "revoke"}
    assert page_actions(client, province_official, ngo) == {"assess", "revoke"}
    assert accepted(province_official, cap) == {"assess", "revoke"}

    # an official outside the jurisdiction may neither assess nor revoke: no button, refused
    assert allowed_actions(outside_official, cap) == []
    assert page_actions(client, outside_official, ngo) == set()
    assert accepted(outside_official, cap) == set()

    services.revoke(capability=cap, by=province_official, reason="测评过期")
    cap.refresh_from_db()
    assert set(allowed_actions(province_official, cap)) == {"assess"}
    assert page_actions(client, province_official, ngo) == {"assess"}
