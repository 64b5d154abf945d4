"""Hubs vouch for grassroots teams without a credit code and act for them (registry.services.hubs,
registry.queries.vouched_teams)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordination import services as coord
from coordination.models import Deployment
from registry import queries
from registry import services as reg
from registry.models import HubLink, Organization
from tests.coordination.factories import IncidentFactory
from tests.registry import factories as f


def vouch(user, hub, **overrides):
    values = {
        "hub": hub,
        "name": "龙门乡青年志愿队",
        "leader_name": "李四",
        "leader_phone": "13800000001",
        "region_code": "511826",
        "members": [{"name": "王五", "phone": "13800000002", "skills": ["搜救"]}],
    }
    values.update(overrides)
    return reg.vouch_team(by=user, **values)


def test_a_hub_registers_a_grassroots_team_without_a_credit_code_and_files_a_deployment_for_it(
    hub, hub_member, official
):
    team = vouch(hub_member, hub)
    assert team.uscc is None
    assert team.status == Organization.Status.VOUCHED
    assert team.vouched_by == hub and team.hub_reference == f"H{hub.pk}-0001"
    assert sorted(team.people.values_list("name", flat=True)) == ["李四", "王五"]

    incident = IncidentFactory()
    deployment = coord.file_deployment(
        incident=incident,
        by=hub_member,
        organization=team.pk,
        headcount=2,
        area_region_code="511826",
        arrival_at=timezone.now(),
        leader_name="李四",
        leader_phone="13800000001",
    )
    assert deployment.organization == team and deployment.filed_by == hub_member
    assert deployment.status == Deployment.Status.FILED
    # the bureau sees and approves it like any other filing
    coord.approve_deployment(deployment=deployment, by=official)
    deployment.refresh_from_db()
    assert deployment.status == Deployment.Status.APPROVED
    # the hub's member reports the arrival for the team
    coord.arrive_deployment(deployment=deployment, by=hub_member)


def test_the_hub_must_name_the_team_it_acts_for(hub, hub_member):
    vouch(hub_member, hub)
    with pytest.raises(ValidationError) as error:
        queries.acting_organization(hub_member)
    assert "organization" in error.value.message_dict


def test_outsiders_do_not_act_for_a_vouched_team(hub, hub_member, ngo_admin, official):
    team = vouch(hub_member, hub)
    for user in (ngo_admin, official):
        with pytest.raises(PermissionDenied):
            queries.acting_organization(user, team.pk)


def test_a_hub_that_is_not_designated_cannot_vouch(ngo, ngo_admin):
    with pytest.raises(PermissionDenied):
        vouch(ngo_admin, ngo)


def test_nobody_acts_for_the_teams_of_a_hub_once_its_designation_is_withdrawn(
    hub, hub_member, official
):
    team = vouch(hub_member, hub)
    reg.designate_hub(organization=hub, by=official, is_hub=False)
    hub_member = type(hub_member).objects.get(pk=hub_member.pk)
    with pytest.raises(PermissionDenied):
        queries.acting_organization(hub_member, team.pk)


def test_only_an_official_with_jurisdiction_designates_a_hub(ngo, ngo_admin, outside_official):
    for user in (ngo_admin, outside_official):
        with pytest.raises(PermissionDenied):
            reg.designate_hub(organization=ngo, by=user)


def test_a_reference_is_used_once_per_hub(hub, hub_member):
    vouch(hub_member, hub, reference="YA-001")
    with pytest.raises(ValidationError) as error:
        vouch(hub_member, hub, reference="YA-001", name="另一队")
    assert "reference" in error.value.message_dict


def test_the_database_refuses_a_vouched_team_with_a_credit_code(hub):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.OrganizationFactory(status="vouched", vouched_by=hub, hub_reference="X")


def test_a_team_outside_the_hubs_province_is_refused(hub, hub_member):
    with pytest.raises(ValidationError) as error:
        vouch(hub_member, hub, region_code="440103")
    assert "region_code" in error.value.message_dict


def test_a_bureau_sees_the_vouched_teams_in_its_region(hub, hub_member, official, outside_official):
    team = vouch(hub_member, hub)
    assert queries.visible_organizations(official).filter(pk=team.pk).exists()
    assert not queries.visible_organizations(outside_official).filter(pk=team.pk).exists()


def test_hub_membership_needs_both_sides(hub, hub_admin, ngo, ngo_admin, other_ngo_admin):
    link = reg.propose_hub_link(hub=hub, member=ngo, by=hub_admin)
    assert link.status == HubLink.Status.PROPOSED
    with pytest.raises(PermissionDenied):
        reg.accept_hub_link(link=link, by=hub_admin)  # the proposer does not accept
    with pytest.raises(PermissionDenied):
        reg.accept_hub_link(link=link, by=other_ngo_admin)
    link = reg.accept_hub_link(link=link, by=ngo_admin)
    assert link.status == HubLink.Status.ACCEPTED
    link = reg.end_hub_link(link=link, by=ngo_admin)
    assert link.status == HubLink.Status.ENDED


def test_an_organization_asks_to_join_and_the_hub_accepts(hub, hub_admin, ngo, ngo_admin):
    link = reg.propose_hub_link(hub=hub, member=ngo, by=ngo_admin, from_hub=False)
    with pytest.raises(PermissionDenied):
        reg.accept_hub_link(link=link, by=ngo_admin)
    assert reg.accept_hub_link(link=link, by=hub_admin).status == HubLink.Status.ACCEPTED


def test_a_hub_allocates_goods_to_its_team_and_signs_for_them_in_the_ledger(hub, hub_member):
    from decimal import Decimal

    from donations import services as ledger
    from donations.models import LedgerEntry
    from tests.donations import factories as df

    team = vouch(hub_member, hub)
    hub_writer = df.writer(hub)
    df.receipt(hub, hub_writer, items=[df.item("帐篷", "顶", "20", "800.00")])
    allocation = ledger.allocate(
        organization=hub,
        by=hub_writer,
        to_organization=team,
        items=[{"name": "帐篷", "unit": "顶", "quantity": Decimal(5)}],
    )
    signed = ledger.acknowledge(
        allocation=allocation,
        by=hub_member,
        items=[{"name": "帐篷", "unit": "顶", "quantity": Decimal(5)}],
    )
    assert signed.kind == LedgerEntry.Kind.ACKNOWLEDGEMENT and signed.holder == team
    assert not signed.shortfall
