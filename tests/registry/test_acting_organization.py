"""registry.queries.acting_organization: the one rule for "which organization does this user act
for" (403 when the user may not, 400 when the user must say which)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.roles import Role
from registry.models import Organization
from registry.queries import acting_organization, acting_organizations, may_act_for
from tests.registry import factories as f


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the site's default language is zh-Hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def two_orgs_user(ngo):
    """Admin of a verified team and member of a pending one."""
    user = f.org_user(ngo, Role.ADMIN)
    pending = f.OrganizationFactory(name="待审核队", status=Organization.Status.PENDING)
    f.MembershipFactory(user=user, organization=pending, role=Role.MEMBER)
    return user, pending


def test_the_only_organization_is_chosen(ngo, ngo_member):
    assert acting_organization(ngo_member) == ngo
    assert acting_organization(ngo_member, ngo.pk) == ngo
    assert acting_organization(ngo_member, str(ngo.pk)) == ngo
    assert acting_organization(ngo_member, ngo) == ngo


def test_a_pending_organization_does_not_make_the_choice_ambiguous(ngo, two_orgs_user):
    user, pending = two_orgs_user
    assert acting_organization(user) == ngo
    with pytest.raises(PermissionDenied, match="not verified"):
        acting_organization(user, pending.pk)
    assert acting_organization(user, pending.pk, verified=False) == pending
    assert acting_organizations(user) == [ngo]


def test_two_verified_organizations_must_be_named(ngo, ngo_admin, other_ngo):
    f.MembershipFactory(user=ngo_admin, organization=other_ngo, role=Role.MEMBER)
    ngo_admin.__dict__.pop("_tongzhou_memberships", None)
    with pytest.raises(ValidationError) as caught:
        acting_organization(ngo_admin)
    assert "organization" in caught.value.message_dict
    assert acting_organization(ngo_admin, other_ngo.pk) == other_ngo
    assert set(acting_organizations(ngo_admin)) == {ngo, other_ngo}


def test_an_organization_one_is_not_in_is_refused(ngo_admin, other_ngo):
    with pytest.raises(PermissionDenied):
        acting_organization(ngo_admin, other_ngo.pk)
    with pytest.raises(PermissionDenied):
        acting_organization(ngo_admin, 987654)


def test_nobody_to_act_for_is_a_permission_matter(official, expert, db):
    with pytest.raises(PermissionDenied):
        acting_organization(official)  # an official's agency does not act as an organization
    with pytest.raises(PermissionDenied):
        acting_organization(expert)
    with pytest.raises(PermissionDenied):
        acting_organization(f.UserFactory())
    assert acting_organizations(official) == []


def test_roles_and_kinds_narrow_the_choice(ngo, ngo_member):
    with pytest.raises(PermissionDenied):
        acting_organization(ngo_member, roles=[Role.ADMIN])
    with pytest.raises(PermissionDenied, match="kind"):
        acting_organization(ngo_member, ngo.pk, kinds=["foundation"])
    assert acting_organization(ngo_member, kinds=[ngo.kind]) == ngo


def test_a_malformed_id_is_bad_input(ngo_member):
    with pytest.raises(ValidationError):
        acting_organization(ngo_member, "abc")


def test_may_act_for_answers_the_same_rule_as_a_boolean(ngo, two_orgs_user, other_ngo):
    user, pending = two_orgs_user
    assert may_act_for(user, ngo) and may_act_for(user, ngo.pk)
    assert not may_act_for(user, pending)  # not verified
    assert may_act_for(user, pending, verified=False)
    assert not may_act_for(user, other_ngo)  # not a member
    assert not may_act_for(user, None)  # a button for "some organization" is not a decision
    assert not may_act_for(user, ngo, roles=["expert"])
