"""Who an audience reaches: explicit people, organizations and roles, regions by prefix,
specialties through current capabilities, officials by jurisdiction, verified only."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.audience import resolve
from core.roles import Role
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def test_explicit_users_are_reached_and_inactive_ones_are_not():
    active, inactive = f.UserFactory(), f.UserFactory(is_active=False)
    found = resolve({"users": [active.pk, inactive.pk]})
    assert found.user_ids == [active.pk]


def test_organizations_reach_all_their_members_or_only_the_given_roles(ngo, ngo_admin, ngo_member):
    assert set(resolve({"organizations": [ngo.pk]}).user_ids) == {ngo_admin.pk, ngo_member.pk}
    only_admins = resolve({"organizations": [ngo.pk], "roles": ["admin"]})
    assert only_admins.user_ids == [ngo_admin.pk]
    assert only_admins.organization_ids == [ngo.pk]


def test_regions_select_organizations_by_code_prefix(ngo, ngo_admin, other_ngo, other_ngo_admin):
    elsewhere = f.org_user(region_code="440300")
    ya_an = resolve({"regions": ["511800"]})
    assert set(ya_an.user_ids) == {ngo_admin.pk, other_ngo_admin.pk}
    assert elsewhere.pk not in ya_an.user_ids
    assert resolve({"regions": ["511826"]}).user_ids == [ngo_admin.pk]


def test_regions_leave_out_agencies_and_their_officials(official, ngo_admin):
    assert official.pk not in resolve({"regions": ["511800"]}).user_ids


def test_specialties_use_current_assessed_capabilities_only(
    ngo, ngo_admin, other_ngo, other_ngo_admin
):
    f.CapabilityFactory(organization=ngo, specialty="water_rescue")
    f.CapabilityFactory(
        organization=other_ngo,
        specialty="water_rescue",
        valid_until=timezone.localdate() - timezone.timedelta(days=1),
    )
    third = f.OrganizationFactory()
    f.CapabilityFactory(organization=third, specialty="water_rescue", revoked_at=timezone.now())
    declared_only = f.OrganizationFactory()
    f.CapabilityFactory(organization=declared_only, specialty="water_rescue", assessed_grade=None)
    found = resolve({"specialties": ["water_rescue"]})
    assert found.organization_ids == [ngo.pk]
    assert found.user_ids == [ngo_admin.pk]


def test_regions_and_specialties_combine_with_and(ngo, ngo_admin):
    far = f.OrganizationFactory(region_code="440300")
    f.CapabilityFactory(organization=far, specialty="water_rescue")
    f.CapabilityFactory(organization=ngo, specialty="water_rescue")
    found = resolve({"regions": ["510000"], "specialties": ["water_rescue"]})
    assert found.organization_ids == [ngo.pk]


def test_only_verified_organizations_unless_told_otherwise():
    pending = f.OrganizationFactory(status="pending")
    member = f.org_user(pending)
    assert resolve({"organizations": [pending.pk]}).user_ids == []
    assert resolve({"organizations": [pending.pk], "verified_only": False}).user_ids == [member.pk]


def test_officials_for_reaches_officials_whose_jurisdiction_covers_the_region(
    official, province_official, outside_official
):
    county = f.official("511826")
    other_county = f.official("511802")
    found = resolve({"officials_for": "511826"})
    assert set(found.user_ids) == {official.pk, province_official.pk, county.pk}
    assert other_county.pk not in found.user_ids


def test_officials_of_a_suspended_agency_are_not_reached(agency, official):
    agency.status = "suspended"
    agency.save()
    assert resolve({"officials_for": "511826"}).user_ids == []


def test_a_person_in_several_selected_organizations_is_reached_once(ngo, other_ngo):
    user = f.UserFactory()
    f.MembershipFactory(user=user, organization=ngo, role=Role.MEMBER)
    f.MembershipFactory(user=user, organization=other_ngo, role=Role.ADMIN)
    found = resolve({"organizations": [ngo.pk, other_ngo.pk], "users": [user.pk]})
    assert found.user_ids == [user.pk]
    assert found.organizations == 2


def test_an_empty_audience_reaches_nobody():
    assert resolve({}).people == 0


@pytest.mark.parametrize(
    "audience, field",
    [
        ({"regions": ["51"]}, "regions"),
        ({"specialties": ["juggling"]}, "specialties"),
        ({"roles": ["king"]}, "roles"),
        ({"users": ["1"]}, "users"),
        ({"officials_for": "abc"}, "officials_for"),
        ({"colour": "red"}, "audience"),
        ({"verified_only": "no"}, "verified_only"),
    ],
)
def test_bad_audiences_are_refused_field_by_field(audience, field):
    with pytest.raises(ValidationError) as caught:
        resolve(audience)
    assert field in caught.value.message_dict


def test_resolution_costs_a_fixed_number_of_queries(django_assert_max_num_queries, official):
    orgs = [f.OrganizationFactory(region_code="511826") for _ in range(20)]
    for org in orgs:
        f.org_user(org)
        f.CapabilityFactory(organization=org, specialty="logistics")
    with django_assert_max_num_queries(3):
        found = resolve(
            {"regions": ["511800"], "specialties": ["logistics"], "officials_for": "511826"}
        )
    assert found.people == 21
