"""A hub files a deployment for its vouched grassroots team with a roster of the team's members,
through the API and through the filing page, and the roster shows on the filing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.models import Deployment, RosterEntry
from registry import services as reg
from tests.conftest import client_for
from tests.coordination.factories import IncidentFactory
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

ARRIVAL = timezone.now() + dt.timedelta(days=1)
TEAM = {
    "name": "龙门乡青年志愿队",
    "leader_name": "李四",
    "leader_phone": "13800000001",
    "region_code": "511826",
    "members": [
        {"name": "王五", "phone": "13800000002", "skills": ["搜救"]},
        {"name": "赵六", "phone": "13800000003", "skills": ["救护"]},
    ],
}


@pytest.fixture
def team(hub, hub_member):
    return reg.vouch_team(by=hub_member, hub=hub, **TEAM)


def people(team):
    return {p.name: p for p in team.people.all()}


def test_api_a_hub_files_its_teams_deployment_with_a_roster_shown_on_the_filing(
    hub, hub_member, official, team
):
    incident = IncidentFactory()
    crew = people(team)
    body = {
        "incident": incident.pk,
        "organization": team.pk,
        "headcount": 3,
        "area_region_code": "511826",
        "arrival_at": ARRIVAL.isoformat(),
        "leader_name": "李四",
        "leader_phone": "13800000001",
        "roster": [
            {"person": crew["李四"].pk, "role": "management"},
            {"person": crew["王五"].pk, "role": "search"},
        ],
    }
    api = client_for(hub_member)
    response = api.post("/api/v1/deployments/", body, format="json")
    assert response.status_code == 201, response.content
    deployment = Deployment.objects.get()
    assert deployment.organization == team and deployment.filed_by == hub_member
    assert sorted((e.person.name, e.role) for e in deployment.roster.all()) == [
        ("李四", "management"),
        ("王五", "search"),
    ]
    # the hub member and the bureau both see the roster on the filing
    for user in (hub_member, official):
        detail = client_for(user).get(f"/api/v1/deployments/{deployment.pk}/").json()
        assert sorted(r["person_name"] for r in detail["roster"]) == ["李四", "王五"]


def test_api_a_teams_roster_names_only_the_teams_people(hub, hub_member, team):
    """The hub's own staff (or another organization's people) are not the team's roster."""
    incident = IncidentFactory()
    staff = f.PersonFactory(organization=hub, name="中心职员")
    body = {
        "incident": incident.pk,
        "organization": team.pk,
        "headcount": 3,
        "area_region_code": "511826",
        "arrival_at": ARRIVAL.isoformat(),
        "leader_name": "李四",
        "leader_phone": "13800000001",
        "roster": [{"person": staff.pk, "role": "search"}],
    }
    response = client_for(hub_member).post("/api/v1/deployments/", body, format="json")
    assert response.status_code == 400 and "roster" in response.json()
    assert not Deployment.objects.exists() and not RosterEntry.objects.exists()


def test_page_a_hub_files_its_teams_deployment_with_a_roster(
    client, hub, hub_member, official, team
):
    incident = IncidentFactory(region_code="511826")
    crew = people(team)
    client.force_login(hub_member)
    url = reverse("coordination:deployment_create", args=[incident.pk])
    form = client.get(url).content.decode()
    assert f'<option value="{team.pk}">' in form
    assert f"roster_{crew['王五'].pk}" in form and "赵六" in form
    response = client.post(
        url,
        {
            "organization": team.pk,
            "headcount": 2,
            "specialties": ["logistics"],
            "vehicles": 0,
            "area_region_code": "511826",
            "arrival_at": ARRIVAL.strftime("%Y-%m-%dT%H:%M"),
            "leader_name": "李四",
            "leader_phone": "13800000001",
            "self_sufficiency_days": 1,
            f"roster_{crew['李四'].pk}": "management",
            f"roster_{crew['赵六'].pk}": "medical",
            f"roster_{crew['王五'].pk}": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    deployment = Deployment.objects.get()
    assert deployment.organization == team
    assert sorted((e.person.name, e.role) for e in deployment.roster.all()) == [
        ("李四", "management"),
        ("赵六", "medical"),
    ]
    # the filing on the incident's deployments tab shows the roster by name, to the bureau too
    client.force_login(official)
    page = client.get(f"/incidents/{incident.pk}/?tab=deployments").content.decode()
    assert "龙门乡青年志愿队" in page and "李四" in page and "赵六" in page
    assert "王五" not in page
    assert_readable_html(page)
