import pytest

from core import permissions as perms
from core.roles import Role
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def test_a_city_official_covers_the_counties_of_the_city_only(official):
    assert perms.is_official(official)
    assert perms.is_official_for(official, "511826")
    assert perms.is_official_for(official, "511800")
    assert not perms.is_official_for(official, "510104")
    assert not perms.is_official_for(official, "510000")


def test_a_provincial_official_covers_the_whole_province(province_official):
    assert perms.is_official_for(province_official, "511826")
    assert perms.is_official_for(province_official, "510104")
    assert not perms.is_official_for(province_official, "440100")


def test_an_official_elsewhere_has_no_jurisdiction_here(outside_official):
    assert not perms.is_official_for(outside_official, "511826")
    assert perms.jurisdiction_prefixes(outside_official) == ["44"]


def test_the_official_role_counts_only_in_a_verified_agency(db):
    team = f.OrganizationFactory(region_code="511800")
    pretender = f.org_user(team, Role.OFFICIAL)
    assert not perms.is_official(pretender)
    suspended = f.AgencyFactory(region_code="511800", status="suspended")
    user = f.org_user(suspended, Role.OFFICIAL)
    assert not perms.is_official_for(user, "511826")


def test_anonymous_users_have_no_roles(anon_client, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    nobody = AnonymousUser()
    assert perms.memberships(nobody) == []
    assert not perms.is_official_for(nobody, "511826")
    assert not perms.is_member_of(nobody, 1)


def test_membership_and_roles(ngo, ngo_admin, ngo_member, other_ngo):
    assert perms.is_member_of(ngo_member, ngo)
    assert not perms.is_org_admin(ngo_member, ngo)
    assert perms.is_org_admin(ngo_admin, ngo)
    assert not perms.is_member_of(ngo_admin, other_ngo)
    assert perms.organization_ids(ngo_admin, roles=[Role.ADMIN]) == [ngo.pk]


def test_a_user_may_belong_to_several_organizations(ngo, other_ngo):
    user = f.org_user(ngo, Role.MEMBER)
    f.MembershipFactory(user=user, organization=other_ngo, role=Role.ADMIN)
    perms.forget_memberships(user)
    assert perms.is_member_of(user, ngo) and perms.is_org_admin(user, other_ngo)


def test_memberships_are_loaded_once_per_user(django_assert_num_queries, official):
    perms.forget_memberships(official)
    with django_assert_num_queries(1):
        for _ in range(5):
            perms.is_official_for(official, "511826")
            perms.is_member_of(official, 1)


def test_experts_are_recognised(expert, official):
    assert perms.is_expert(expert)
    assert not perms.is_expert(official)
