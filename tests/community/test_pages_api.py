"""Routine needs and projects through the API and the pages, as people use them; homes; fixed
query counts for 5 and 50 rows; the public page is anonymous and cached."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from community import services
from community.models import Pledge, Project, ProjectNeed, RoutineNeed
from core.public_cache import routes
from tests.conftest import client_for
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

NEED = {
    "category": "food_water",
    "description": "敬老院冬季饮水",
    "quantity": 40,
    "unit": "箱",
    "region_code": "511826",
    "latitude": "30.152000",
    "longitude": "102.930000",
}
PROJECT = {
    "title": "敬老院饮水保障",
    "region_code": "511826",
    "category": "food_water",
    "budget_sought": "20000.00",
    "starts_on": timezone.localdate().isoformat(),
    "ends_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
    "description": "为敬老院配送饮用水。",
    "beneficiaries": "芦山县敬老院老人",
}


def test_api_post_confirm_link_pledge(ngo, ngo_admin, official, outside_official, foundation_admin):
    response = client_for(ngo_admin).post("/api/v1/community-needs/", NEED, format="json")
    assert response.status_code == 201, response.json()
    need = response.json()
    assert need["confirmed"] is False and need["posted_by_organization"] == ngo.pk
    pk = need["id"]
    # not public until confirmed
    assert client_for().get(f"/api/v1/community-needs/{pk}/").status_code == 404
    assert (
        client_for(outside_official).post(f"/api/v1/community-needs/{pk}/confirm/").status_code
        == 404
    )
    assert client_for(ngo_admin).post(f"/api/v1/community-needs/{pk}/confirm/").status_code == 403
    ok = client_for(official).post(f"/api/v1/community-needs/{pk}/confirm/")
    assert ok.status_code == 200 and ok.json()["confirmed"] is True
    again = client_for(official).post(f"/api/v1/community-needs/{pk}/confirm/")
    assert again.status_code == 409
    public = client_for().get(f"/api/v1/community-needs/{pk}/").json()
    assert public["latitude"] != "30.152000"  # blurred for the public
    assert public["matching_organizations"] == []

    project = client_for(ngo_admin).post("/api/v1/community-projects/", PROJECT, format="json")
    assert project.status_code == 201, project.json()
    ppk = project.json()["id"]
    linked = client_for(ngo_admin).post(
        f"/api/v1/community-projects/{ppk}/needs/", {"need": pk, "quantity": 30}, format="json"
    )
    assert linked.status_code == 201 and linked.json()["needs"][0]["quantity"] == 30
    assert (
        client_for(foundation_admin)
        .post(
            f"/api/v1/community-projects/{ppk}/needs/", {"need": pk, "quantity": 1}, format="json"
        )
        .status_code
        == 403
    )
    pledged = client_for(foundation_admin).post(
        f"/api/v1/community-projects/{ppk}/pledges/",
        {"amount": "15000", "note": "首期"},
        format="json",
    )
    assert pledged.status_code == 201, pledged.json()
    detail = client_for().get(f"/api/v1/community-projects/{ppk}/").json()
    assert detail["budget_sought"] == "20000.00" and detail["pledged"] == "15000.00"
    assert detail["pledges"][0]["funder_name"] == "壹基金"
    row = client_for().get(f"/api/v1/community-needs/{pk}/").json()
    assert row["covered"] == 30 and row["gap"] == 10


def test_api_refuses_bad_input_with_a_field_and_unknown_keys(ngo_admin, foundation_admin, project):
    api = client_for(ngo_admin)
    bad = api.post("/api/v1/community-needs/", {**NEED, "quantity": 0}, format="json")
    assert bad.status_code == 400 and "quantity" in bad.json()
    unknown = api.post("/api/v1/community-needs/", {**NEED, "incident": 1}, format="json")
    assert unknown.status_code == 400 and "incident" in unknown.json()
    late = api.post(
        "/api/v1/community-projects/",
        {**PROJECT, "ends_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert late.status_code == 400 and "ends_on" in late.json()
    negative = client_for(foundation_admin).post(
        f"/api/v1/community-projects/{project.pk}/pledges/", {"amount": "-1"}, format="json"
    )
    assert negative.status_code == 400 and "amount" in negative.json()
    assert client_for().post("/api/v1/community-needs/", NEED, format="json").status_code == 403
    assert not RoutineNeed.objects.exists() and not Pledge.objects.exists()


def test_pages_post_confirm_link_and_pledge(client, ngo, ngo_admin, official, foundation_admin):
    f.CapabilityFactory(organization=ngo, specialty="logistics")
    client.force_login(ngo_admin)
    form = client.get("/community/needs/new/")
    assert form.status_code == 200 and "敬老院" not in form.content.decode()
    response = client.post(
        "/community/needs/new/",
        {**NEED, "urgency": "normal"},
    )
    need = RoutineNeed.objects.get()
    assert response.status_code == 302 and response.url == f"/community/needs/{need.pk}/"
    page = client.get(response.url).content.decode()
    assert 'data-testid="confirm"' not in page  # an NGO sees no confirm button

    client.force_login(official)
    page = client.get(f"/community/needs/{need.pk}/").content.decode()
    assert 'data-testid="confirm"' in page
    assert "芦山县应急救援队" in page  # the matching organization
    assert_readable_html(page)
    client.post(f"/community/needs/{need.pk}/confirm/")
    need.refresh_from_db()
    assert need.is_confirmed

    client.force_login(ngo_admin)
    response = client.post("/community/projects/new/", PROJECT)
    project = Project.objects.get()
    assert response.status_code == 302 and response.url == f"/community/projects/{project.pk}/"
    page = client.get(response.url).content.decode()
    assert 'data-testid="link-form"' in page and 'data-testid="pledge-form"' not in page
    client.post(f"/community/projects/{project.pk}/needs/", {"need": need.pk, "quantity": 40})
    assert ProjectNeed.objects.get().quantity == 40

    client.force_login(foundation_admin)
    page = client.get(f"/community/projects/{project.pk}/").content.decode()
    assert 'data-testid="pledge-form"' in page and 'data-testid="link-form"' not in page
    client.post(f"/community/projects/{project.pk}/pledges/", {"amount": "0"})
    assert not Pledge.objects.exists()
    client.post(f"/community/projects/{project.pk}/pledges/", {"amount": "5000", "note": "年度"})
    page = client.get(f"/community/projects/{project.pk}/").content.decode()
    assert "¥5,000" in page and "¥20,000" in page
    assert_readable_html(page)


def test_the_public_page_lists_needs_and_projects_by_region_with_the_gap_chart(
    client, need, project, official, ngo_admin
):
    services.link_need(project=project, by=ngo_admin, need=need.pk, quantity=20)
    services.post_need(
        by=official,
        category="shelter",
        description="雨城区过渡房修缮",
        quantity=5,
        unit="间",
        region_code="511802",
    )
    page = client.get("/community/?region=511826").content.decode()
    assert "留守儿童" in page and "雨城区过渡房" not in page
    assert "龙门乡儿童陪伴计划" in page
    assert 'id="needs-chart-option"' in page and "Covered" not in page
    assert_readable_html(page)
    all_of_them = client.get("/community/").content.decode()
    assert "雨城区过渡房" in all_of_them
    assert {"community", "coordination", "registry"} <= set(routes()["community:overview"])
    assert routes()["community-need-list"] == ("community", "core", "registry")


def test_homes_officials_see_needs_to_confirm_and_ngos_needs_they_serve(
    client, ngo, ngo_admin, official, other_ngo_admin
):
    f.CapabilityFactory(organization=ngo, specialty="psychological_support")
    services.post_need(
        by=other_ngo_admin,
        category="medical",
        description="巡诊",
        quantity=3,
        unit="次",
        region_code="511826",
    )
    services.post_need(
        by=official,
        category="psychological",
        description="心理辅导",
        quantity=10,
        unit="人",
        region_code="511826",
    )
    client.force_login(official)
    home = client.get("/").content.decode()
    assert 'data-key="community_needs_to_confirm"' in home
    client.force_login(ngo_admin)
    home = client.get("/").content.decode()
    assert 'data-key="community_needs_matching"' in home


def _rows(n, official, ngo_admin, foundation_admin):
    for i in range(n):
        need = services.post_need(
            by=official,
            category="supplies",
            description=f"物资{i}",
            quantity=10,
            unit="件",
            region_code="511826",
        )
        project = services.post_project(
            by=ngo_admin,
            title=f"项目{i}",
            region_code="511826",
            category="supplies",
            budget_sought=Decimal("1000"),
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            description="说明",
            beneficiaries="村民",
        )
        services.link_need(project=project, by=ngo_admin, need=need.pk, quantity=5)
        services.pledge(project=project, by=foundation_admin, amount=Decimal("100"))
    return need, project


@pytest.mark.parametrize("n", [5, 50])
def test_lists_cost_fixed_queries(
    client, official, ngo, ngo_admin, foundation_admin, django_assert_max_num_queries, n
):
    f.CapabilityFactory(organization=ngo, specialty="logistics")
    need, project = _rows(n, official, ngo_admin, foundation_admin)
    with django_assert_max_num_queries(8):
        assert client.get("/community/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client_for().get("/api/v1/community-needs/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client_for().get("/api/v1/community-projects/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/community/needs/{need.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/community/projects/{project.pk}/").status_code == 200
    client.force_login(ngo_admin)
    with django_assert_max_num_queries(40):
        assert client.get("/").status_code == 200
