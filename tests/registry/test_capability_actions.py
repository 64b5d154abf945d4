"""A capability's Assess / Revoke buttons are its allowed actions (registry.actions.CAPABILITY),
and the services accept exactly those."""

import pytest

from core.states import allowed_actions
from registry import services
from tests.actions import accepted, page_actions
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def assert_everywhere(user, cap, expected: set[str]) -> None:
    calls = {
        "assess": lambda u: services.assess(capability=cap, by=u, grade=2, score=80),
        "revoke": lambda u: services.revoke(capability=cap, by=u, reason="测评过期"),
    }
    assert set(allowed_actions(user, cap)) == expected
    page = page_actions(
        user, f"/organizations/{cap.organization_id}/", 'data-testid="capabilities"'
    )
    assert page == expected
    assert accepted(calls, user) == expected


def test_assess_and_revoke_buttons_follow_the_grade(ngo, province_official, outside_official):
    cap = f.CapabilityFactory(
        organization=ngo,
        assessed_grade=None,
        assessed_score=None,
        assessed_on=None,
        valid_until=None,
    )
    assert_everywhere(province_official, cap, {"assess"})

    services.assess(capability=cap, by=province_official, grade=2, score=85)
    cap.refresh_from_db()
    assert_everywhere(province_official, cap, {"assess", "revoke"})
    # an official outside the jurisdiction may neither assess nor revoke: no button, refused
    assert_everywhere(outside_official, cap, set())

    services.revoke(capability=cap, by=province_official, reason="测评过期")
    cap.refresh_from_db()
    assert_everywhere(province_official, cap, {"assess"})
