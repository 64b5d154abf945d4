"""Hub and volunteer pages and their API twins: what a hub member, an organization's admin, an
official and the public see and may do, and fixed query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.models import Deployment
from registry import services as reg
from registry.models import HubLink, Organization
from tests.conftest import client_for
from tests.coordination.factories import IncidentFactory
from tests.hubs.conftest import last_code
from tests.readable import assert_readable_html
from tests.registry import factories as f
from volunteers import services as vs
from volunteers.models import SignUp

TEAM = {
    "name": "龙门乡青年志愿队",
    "leader_name": "李四",
    "leader_phone": "13800000001",
    "region_code": "511826",
    "members": [{"name": "王五", "phone": "13800000002", "skills": ["搜救"]}],
}


def test_api_a_hub_registers_a_team_and_files_a_deployment_for_it(hub, hub_member, official):
    api = client_for(hub_member)
    response = api.post("/api/v1/vouched-teams/", TEAM, format="json")
    assert response.status_code == 201, response.content
    team = response.json()
    assert team["status"] == "vouched" and team["hub_reference"].startswith("H")
    assert [p["name"] for p in team["people"]] == ["李四", "王五"]
    incident = IncidentFactory()
    filing = {
        "incident": incident.pk,
        "headcount": 2,
        "area_region_code": "511826",
        "arrival_at": timezone.now().isoformat(),
        "leader_name": "李四",
        "leader_phone": "13800000001",
    }
    # the hub member acts for the hub and its team: they must say which
    response = api.post("/api/v1/deployments/", filing, format="json")
    assert response.status_code == 400 and "organization" in response.json()
    response = api.post(
        "/api/v1/deployments/", {**filing, "organization": team["id"]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Deployment.objects.get().organization_id == team["id"]
    # the bureau lists the team
    rows = client_for(official).get("/api/v1/vouched-teams/").json()
    assert [r["id"] for r in rows["results"]] == [team["id"]]


def test_api_vouching_is_refused_to_non_hubs_and_checks_input(ngo_admin, hub_member):
    assert (
        client_for(ngo_admin).post("/api/v1/vouched-teams/", TEAM, format="json").status_code == 403
    )
    response = client_for(hub_member).post(
        "/api/v1/vouched-teams/", {**TEAM, "uscc": "X"}, format="json"
    )
    assert response.status_code == 400 and "uscc" in response.json()
    response = client_for(hub_member).post(
        "/api/v1/vouched-teams/", {**TEAM, "region_code": "999999"}, format="json"
    )
    assert response.status_code == 400 and "region_code" in response.json()


def test_api_hub_designation_and_links(official, ngo, ngo_admin, outside_official):
    hub = f.OrganizationFactory(region_code="511800")
    hub_admin = f.org_user(hub)
    url = f"/api/v1/organizations/{hub.pk}/hub/"
    assert client_for(hub_admin).post(url, {"is_hub": True}, format="json").status_code == 403
    assert (
        client_for(outside_official).post(url, {"is_hub": True}, format="json").status_code == 403
    )
    assert client_for(official).post(url, {"is_hub": True}, format="json").json()["is_hub"]
    link = client_for(hub_admin).post(
        "/api/v1/hub-links/", {"hub": hub.pk, "member": ngo.pk}, format="json"
    )
    assert link.status_code == 201
    link_id = link.json()["id"]
    again = client_for(hub_admin).post(
        "/api/v1/hub-links/", {"hub": hub.pk, "member": ngo.pk}, format="json"
    )
    assert again.status_code == 409
    assert client_for(hub_admin).post(f"/api/v1/hub-links/{link_id}/accept/").status_code == 403
    accepted = client_for(ngo_admin).post(f"/api/v1/hub-links/{link_id}/accept/")
    assert accepted.json()["status"] == HubLink.Status.ACCEPTED
    assert client_for(ngo_admin).post(f"/api/v1/hub-links/{link_id}/accept/").status_code == 409
    assert client_for(outside_official).get(f"/api/v1/hub-links/{link_id}/").status_code == 404


def test_page_hub_vouches_for_a_team(hub, hub_member, client):
    client.force_login(hub_member)
    response = client.post(
        reverse("registry:vouch_team"),
        {
            "name": "龙门乡青年志愿队",
            "leader_name": "李四",
            "leader_phone": "13800000001",
            "region_code": "511826",
            "members": "王五, 13800000002, 搜救 救护\n赵六",
        },
    )
    team = Organization.objects.get(status="vouched")
    assert response.status_code == 302 and response.url == f"/organizations/{team.pk}/"
    assert sorted(team.people.values_list("name", flat=True)) == ["李四", "王五", "赵六"]
    page = client.get(reverse("registry:hubs"))
    assert "龙门乡青年志愿队" in page.content.decode()
    assert_readable_html(page.content.decode())
    detail = client.get(f"/organizations/{team.pk}/").content.decode()
    assert 'data-testid="vouched-by"' in detail


def test_page_the_deployment_form_offers_the_hubs_teams(hub, hub_member, client):
    team = reg.vouch_team(by=hub_member, hub=hub, **TEAM)
    incident = IncidentFactory()
    client.force_login(hub_member)
    page = client.get(reverse("coordination:deployment_create", args=[incident.pk]))
    assert f'<option value="{team.pk}">' in page.content.decode()


def test_page_only_officials_designate(ngo, ngo_admin, official, client):
    client.force_login(ngo_admin)
    assert 'data-action="hub"' not in client.get(f"/organizations/{ngo.pk}/").content.decode()
    client.post(reverse("registry:designate_hub", args=[ngo.pk]), {"is_hub": "1"})
    ngo.refresh_from_db()
    assert not ngo.is_hub
    client.force_login(official)
    assert 'data-action="hub"' in client.get(f"/organizations/{ngo.pk}/").content.decode()
    client.post(reverse("registry:designate_hub", args=[ngo.pk]), {"is_hub": "1"})
    ngo.refresh_from_db()
    assert ngo.is_hub


def test_hubs_page_is_refused_to_people_without_a_part(client, db):
    user = f.UserFactory()
    client.force_login(user)
    assert client.get(reverse("registry:hubs")).status_code == 403


@pytest.mark.parametrize("rows", [5, 50])
def test_hubs_page_query_count_is_fixed(
    rows, hub, hub_member, official, client, django_assert_max_num_queries
):
    for i in range(rows):
        reg.vouch_team(by=hub_member, hub=hub, **{**TEAM, "name": f"队{i}"})
    for user in (hub_member, official):
        client.force_login(user)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("registry:hubs")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client_for(official).get("/api/v1/vouched-teams/").status_code == 200


# --- a vouched team's page: its roster and the hub's "add a member" form -------------------------


def test_page_the_hub_adds_a_member_to_its_vouched_team(hub, hub_member, client):
    team = reg.vouch_team(by=hub_member, hub=hub, **TEAM)
    client.force_login(hub_member)
    hubs_page = client.get(reverse("registry:hubs")).content.decode()
    url = reverse("registry:hub_team", args=[team.pk])
    assert f'href="{url}" data-action="team_roster"' in hubs_page
    page = client.get(url).content.decode()
    assert_readable_html(page)
    assert 'data-action="add_member"' in page and 'data-testid="add-member-refusal"' not in page
    response = client.post(url, {"name": "赵六", "phone": "13800000003", "skills": "搜救，救护"})
    assert response.status_code == 302 and response.url == url
    person = team.people.get(name="赵六")
    assert person.skills == ["搜救", "救护"] and person.phone == "13800000003"
    page = client.get(url).content.decode()
    assert "赵六已加入龙门乡青年志愿队的队员名单" in page
    roster = page.split('data-testid="team-roster"', 1)[1].split("</table>", 1)[0]
    assert "李四" in roster and "王五" in roster and "搜救、救护" in roster


def test_page_add_member_bad_input_is_a_field_message(hub, hub_member, client):
    team = reg.vouch_team(by=hub_member, hub=hub, **TEAM)
    client.force_login(hub_member)
    url = reverse("registry:hub_team", args=[team.pk])
    before = team.people.count()
    response = client.post(url, {"name": "", "skills": " ".join(["搜救"] * 21)})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "skills"}
    assert 'data-testid="form-errors"' in response.content.decode()
    assert team.people.count() == before


def test_page_the_official_sees_the_roster_and_why_they_may_not_add(
    hub, hub_member, official, client
):
    team = reg.vouch_team(by=hub_member, hub=hub, **TEAM)
    client.force_login(official)
    url = reverse("registry:hub_team", args=[team.pk])
    page = client.get(url).content.decode()
    assert "王五" in page
    assert 'data-action="add_member"' not in page
    assert "只有本队的担保枢纽雅安市社会组织服务中心的成员可以向名单添加人员" in page
    # posting anyway: refused in words, nobody added (the API answers 403)
    before = team.people.count()
    response = client.post(url, {"name": "赵六"}, follow=True)
    assert team.people.count() == before
    assert any("refused" in m.extra_tags for m in response.context["messages"])
    api = client_for(official).post(
        f"/api/v1/vouched-teams/{team.pk}/people/", {"name": "赵六"}, format="json"
    )
    assert api.status_code == 403


def test_page_a_vouched_team_is_a_404_to_other_hubs_and_the_public(
    hub, hub_member, ngo_admin, outside_official, client
):
    team = reg.vouch_team(by=hub_member, hub=hub, **TEAM)
    url = reverse("registry:hub_team", args=[team.pk])
    assert client.get(url).status_code == 302  # to the login page
    for user in (ngo_admin, outside_official):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "赵六"}).status_code == 404
    assert not team.people.filter(name="赵六").exists()


@pytest.mark.parametrize("rows", [5, 50])
def test_the_team_page_query_count_is_fixed(
    rows, hub, hub_member, official, client, django_assert_max_num_queries
):
    team = reg.vouch_team(
        by=hub_member,
        hub=hub,
        **{**TEAM, "members": [{"name": f"队员{i}", "skills": ["搜救"]} for i in range(rows)]},
    )
    for user in (hub_member, official):
        client.force_login(user)
        with django_assert_max_num_queries(10):
            page = client.get(reverse("registry:hub_team", args=[team.pk]))
        assert page.status_code == 200 and f"队员{rows - 1}" in page.content.decode()


# --- volunteers ---------------------------------------------------------------------------------


def _volunteer(api, phone):
    response = api.post(
        "/api/v1/volunteers/",
        {"name": "赵六", "phone": phone, "region_code": "511826", "skills": ["心理援助"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    vid = response.json()["id"]
    verified = api.post(
        f"/api/v1/volunteers/{vid}/verify-phone/", {"code": last_code(phone)}, format="json"
    )
    assert verified.json()["phone_verified"] is True
    return vid


def test_api_call_sign_ups_until_full(hub, hub_member, official):
    api = client_for(hub_member)
    incident = IncidentFactory()
    response = api.post(
        "/api/v1/volunteer-calls/",
        {"incident": incident.pk, "area_region_code": "511826", "title": "安置点", "slots": 1},
        format="json",
    )
    assert response.status_code == 201, response.content
    call = response.json()
    first = _volunteer(api, "13900000001")
    second = _volunteer(api, "13900000002")
    url = f"/api/v1/volunteer-calls/{call['id']}/sign-ups/"
    assert api.post(url, {"volunteer": first}, format="json").status_code == 201
    refused = api.post(url, {"volunteer": second}, format="json")
    assert refused.status_code == 409 and "1" in refused.json()["detail"]
    public = client_for().get(f"/api/v1/volunteer-calls/{call['id']}/").json()
    assert public["signed_up"] == 1 and public["full_reason"]
    assert client_for().get(url).status_code in (401, 403)
    assert len(client_for(official).get(url).json()) == 1


def test_api_volunteers_are_private(hub, hub_member, ngo_admin, official, outside_official):
    _volunteer(client_for(hub_member), "13900000001")
    # the bureau sees the hub's volunteers in its region, with their phone
    rows = client_for(official).get("/api/v1/volunteers/").json()["results"]
    assert [(r["name"], r["phone"]) for r in rows] == [("赵六", "13900000001")]
    assert client_for(ngo_admin).get("/api/v1/volunteers/").json()["count"] == 0
    assert client_for(outside_official).get("/api/v1/volunteers/").json()["count"] == 0
    assert client_for().get("/api/v1/volunteers/").status_code in (401, 403)
    assert (
        client_for(ngo_admin)
        .post(
            "/api/v1/volunteers/",
            {"name": "赵六", "phone": "13900000009", "region_code": "511826"},
            format="json",
        )
        .status_code
        == 403
    )


def test_page_a_volunteer_signs_up_alone_with_a_code(hub, hub_member, client):
    import time_machine

    incident = IncidentFactory()
    call = vs.post_call(
        by=hub_member, hub=hub, incident=incident, area_region_code="511826", title="搬运", slots=2
    )
    volunteer = vs.register_volunteer(
        by=hub_member, hub=hub, name="赵六", phone="13900000001", region_code="511826"
    )
    vs.verify_phone(volunteer=volunteer, by=hub_member, code=last_code("13900000001"))
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        page = client.get(reverse("volunteers:call_detail", args=[call.pk]))
        assert 'data-action="request_code"' in page.content.decode()
        assert_readable_html(page.content.decode())
        response = client.post(
            reverse("volunteers:call_request_code", args=[call.pk]), {"phone": "13900000001"}
        )
        assert response.status_code == 302
        page = client.get(response.url)
        assert 'data-action="confirm"' in page.content.decode()
        client.post(
            reverse("volunteers:call_confirm", args=[call.pk]),
            {"phone": "13900000001", "code": last_code("13900000001")},
        )
    assert SignUp.objects.filter(call=call, volunteer=volunteer).exists()


def test_page_a_full_call_says_why(hub, hub_member, official, client):
    from coordination import services as coord
    from tests.coordination.factories import DeploymentFactory

    incident = IncidentFactory()
    coord.set_area_capacity(
        incident=incident, by=official, area_region_code="511826", max_people=10
    )
    DeploymentFactory(incident=incident, headcount=10)
    call = vs.post_call(
        by=hub_member, hub=hub, incident=incident, area_region_code="511826", title="搬运", slots=5
    )
    html = client.get(reverse("volunteers:call_detail", args=[call.pk])).content.decode()
    assert 'data-testid="full-reason"' in html and 'data-action="request_code"' not in html


def test_page_hub_registers_and_verifies_a_volunteer(hub, hub_member, client):
    client.force_login(hub_member)
    response = client.post(
        reverse("volunteers:volunteer_new"),
        {"name": "赵六", "phone": "13900000001", "region_code": "511826", "skills": "搜救 救护"},
    )
    assert response.status_code == 302
    client.post(response.url, {"code": last_code("13900000001")})
    html = client.get(reverse("volunteers:volunteer_list")).content.decode()
    assert "赵六" in html
    assert_readable_html(html)


@pytest.mark.parametrize("rows", [5, 50])
def test_call_pages_query_count_is_fixed(
    rows, hub, hub_member, client, django_assert_max_num_queries
):
    incident = IncidentFactory()
    for i in range(rows):
        vs.post_call(
            by=hub_member,
            hub=hub,
            incident=incident,
            area_region_code="511826",
            title=f"呼{i}",
            slots=3,
        )
    with django_assert_max_num_queries(8):
        assert client.get(reverse("volunteers:call_list")).status_code == 200
    client.force_login(hub_member)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("volunteers:call_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("volunteers:volunteer_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client_for(hub_member).get("/api/v1/volunteer-calls/").status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_the_hub_home_lists_volunteers_waiting_for_their_code(
    rows, hub, hub_member, client, django_assert_max_num_queries
):
    from volunteers.models import Volunteer

    for i in range(rows):
        Volunteer.objects.create(
            hub=hub, name=f"志愿者{i}", phone=f"139{i:08d}", region_code="511826"
        )
    client.force_login(hub_member)
    with django_assert_max_num_queries(42):  # the home's budget (tests/core/test_homes.py)
        html = client.get("/").content.decode()
    assert 'data-key="volunteers_to_verify"' in html
    assert_readable_html(html)


@pytest.mark.parametrize("rows", [5, 50])
def test_volunteer_and_link_lists_query_count_is_fixed(
    rows, hub, hub_member, hub_admin, official, django_assert_max_num_queries
):
    from registry.models import HubLink
    from volunteers.models import Volunteer

    for i in range(rows):
        Volunteer.objects.create(
            hub=hub, name=f"志愿者{i}", phone=f"139{i:08d}", region_code="511826"
        )
        member = f.OrganizationFactory()
        HubLink.objects.create(hub=hub, member=member, proposed_by=hub_admin)
    for user in (hub_member, official):
        with django_assert_max_num_queries(8):
            assert client_for(user).get("/api/v1/volunteers/").status_code == 200
        with django_assert_max_num_queries(8):
            assert client_for(user).get("/api/v1/hub-links/").status_code == 200
