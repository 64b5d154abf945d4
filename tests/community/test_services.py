"""Routine community needs and projects through the services: who may post, confirm, link and
pledge, what is refused, and that pledges are not ledger entries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community import queries, services
from community.models import Pledge, Project, ProjectNeed, RoutineNeed
from coordination.models import Need
from core.models import AuditEvent
from core.states import InvalidTransition
from registry.models import Capability
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def post(by, **kw):
    values = {
        "category": "food_water",
        "description": "敬老院冬季饮水",
        "quantity": 40,
        "unit": "箱",
        "region_code": "511826",
    }
    values.update(kw)
    return services.post_need(by=by, **values)


def test_an_officials_need_counts_at_once_an_ngos_waits_for_an_official_of_the_region(
    ngo, ngo_admin, official, outside_official
):
    mine = post(official)
    assert mine.is_confirmed and mine.posted_by_organization is None
    theirs = post(ngo_admin, latitude=Decimal("30.15"), longitude=Decimal("102.93"))
    assert not theirs.is_confirmed and theirs.posted_by_organization == ngo
    assert not Need.objects.exists()  # no incident need was written
    with pytest.raises(PermissionDenied):
        services.confirm_need(need=theirs, by=outside_official)
    with pytest.raises(PermissionDenied):
        services.confirm_need(need=theirs, by=ngo_admin)
    services.confirm_need(need=theirs, by=official)
    theirs.refresh_from_db()
    assert theirs.is_confirmed and theirs.confirmed_by == official
    with pytest.raises(InvalidTransition):
        services.confirm_need(need=theirs, by=official)
    assert AuditEvent.objects.filter(action="community.need_confirmed").count() == 1


def test_bad_needs_are_refused_with_a_field(ngo_admin, official):
    for kw, field in [
        ({"category": "pizza"}, "category"),
        ({"quantity": 0}, "quantity"),
        ({"region_code": "999999"}, "region_code"),
        ({"urgency": "now"}, "urgency"),
    ]:
        with pytest.raises(ValidationError) as refused:
            post(ngo_admin, **kw)
        assert field in refused.value.message_dict
    assert not RoutineNeed.objects.exists()


def test_unverified_organizations_and_strangers_do_not_post(db, official):
    pending = f.org_user(status="pending")
    with pytest.raises(PermissionDenied):
        post(pending)
    nobody = f.UserFactory()
    with pytest.raises(PermissionDenied):
        post(nobody)
    # an official outside the area posts only for an organization, and has none
    with pytest.raises(PermissionDenied):
        post(f.official("440000"))


def test_a_project_links_confirmed_needs_of_its_area_only_once(
    project, need, ngo_admin, other_ngo_admin, official
):
    link = services.link_need(project=project, by=ngo_admin, need=need.pk, quantity=50)
    assert link.quantity == 50
    with pytest.raises(InvalidTransition):
        services.link_need(project=project, by=ngo_admin, need=need.pk, quantity=10)
    with pytest.raises(PermissionDenied):
        services.link_need(project=project, by=other_ngo_admin, need=need.pk, quantity=10)
    unconfirmed = post(ngo_admin)
    with pytest.raises(ValidationError) as refused:
        services.link_need(project=project, by=ngo_admin, need=unconfirmed.pk, quantity=1)
    assert "need" in refused.value.message_dict
    elsewhere = post(official, region_code="511802")
    with pytest.raises(ValidationError):
        services.link_need(project=project, by=ngo_admin, need=elsewhere.pk, quantity=1)
    with pytest.raises(ValidationError) as refused:
        services.link_need(project=project, by=ngo_admin, need=need.pk + 999, quantity=1)
    other = post(official, quantity=5)
    with pytest.raises(ValidationError) as refused:
        services.link_need(project=project, by=ngo_admin, need=other.pk, quantity=6)
    assert "quantity" in refused.value.message_dict
    assert ProjectNeed.objects.count() == 1
    row = queries.visible_needs(official).get(pk=need.pk)
    assert row.covered == 50


def test_projects_are_posted_by_verified_organizations_with_a_sane_period(ngo_admin, official):
    today = timezone.localdate()
    base = {
        "title": "减灾课堂",
        "region_code": "511826",
        "category": "other",
        "budget_sought": Decimal("1000"),
        "starts_on": today,
        "ends_on": today,
        "description": "进校园",
        "beneficiaries": "小学生",
    }
    with pytest.raises(ValidationError) as refused:
        services.post_project(by=ngo_admin, **{**base, "ends_on": today - dt.timedelta(days=1)})
    assert "ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.post_project(by=ngo_admin, **{**base, "budget_sought": Decimal("0")})
    assert "budget_sought" in refused.value.message_dict
    with pytest.raises(PermissionDenied):  # agencies fund, they do not post projects
        services.post_project(by=official, **base)
    assert not Project.objects.exists()
    assert services.post_project(by=ngo_admin, **base).pk


def test_funders_pledge_and_pledges_are_not_ledger_entries(
    project, foundation_admin, official, ngo_admin, other_ngo_admin
):
    from donations.models import LedgerEntry

    entries = LedgerEntry.objects.count()
    services.pledge(project=project, by=foundation_admin, amount=Decimal("50000"), note="首期")
    services.pledge(project=project, by=official, amount=Decimal("10000"))
    assert LedgerEntry.objects.count() == entries
    row = queries.visible_projects().get(pk=project.pk)
    assert row.pledged == Decimal("60000.00") and row.budget_sought == Decimal("80000.00")
    with pytest.raises(PermissionDenied):  # an NGO is no funder
        services.pledge(project=project, by=other_ngo_admin, amount=Decimal("1"))
    with pytest.raises(PermissionDenied):  # nor is the project's own organization
        services.pledge(project=project, by=ngo_admin, amount=Decimal("1"))
    with pytest.raises(ValidationError) as refused:
        services.pledge(project=project, by=foundation_admin, amount=Decimal("0"))
    assert "amount" in refused.value.message_dict
    assert Pledge.objects.count() == 2


def test_an_ended_project_takes_no_pledge_or_link(project, need, foundation_admin, ngo_admin):
    Project.objects.filter(pk=project.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    project.refresh_from_db()
    with pytest.raises(ValidationError):
        services.pledge(project=project, by=foundation_admin, amount=Decimal("1"))
    with pytest.raises(ValidationError):
        services.link_need(project=project, by=ngo_admin, need=need.pk, quantity=1)


def test_matching_lists_organizations_whose_assessed_capabilities_cover_the_need(
    need, ngo, other_ngo, official
):
    f.CapabilityFactory(organization=ngo, specialty="psychological_support")
    # a capability for another specialty, or one serving elsewhere, does not match
    f.CapabilityFactory(organization=other_ngo, specialty="water_rescue")
    far = f.OrganizationFactory(name="广州社工", region_code="440100")
    f.CapabilityFactory(organization=far, specialty="social_work", service_regions=["440100"])
    # a declaration without an assessment does not count
    unassessed = f.OrganizationFactory(name="未测评队", region_code="511826")
    f.CapabilityFactory(organization=unassessed, specialty="social_work", assessed_grade=None)
    assert [o.name for o in queries.matching_organizations(official, need)] == ["芦山县应急救援队"]
    assert Capability.objects.count() == 4
