"""Journey: a hub (枢纽型组织) registers a grassroots team that has no credit code, on a phone,
and files a deployment (报备) for it; the bureau sees the team and approves the filing.
Everything after the fixture happens through pages, in zh-Hans."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination.models import Deployment
from core.roles import Role
from registry import services as reg
from registry.models import Organization
from tests.coordination.factories import IncidentFactory
from tests.e2e.test_journey_register import pick_region
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product
from tests.registry.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}


def login(page, user):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_selector("[data-testid=dashboard]")


@pytest.fixture
def world(agency, official):
    hub = OrganizationFactory(name="雅安市社会组织服务中心", region_code="511800")
    reg.designate_hub(organization=hub, by=official)
    worker = UserFactory(username="hub_worker", first_name="周敏")
    MembershipFactory(user=worker, organization=hub, role=Role.MEMBER)
    incident = IncidentFactory(title="芦山6.1级地震", lead_agency=agency)
    return {"hub": hub, "worker": worker, "incident": incident, "official": official}


def test_journey_hub_registers_a_team_and_files_for_it(browser_page, world, screenshot):
    page = browser_page
    page.set_viewport_size(PHONE)
    login(page, world["worker"])

    # The hub's page, reached from the navigation (behind the menu button on a phone).
    page.click("label[for=nav-toggle]")
    page.click("[data-nav-group=organizations] summary")
    page.click("[data-nav=hubs]")
    page.wait_for_selector("[data-testid=my-hubs]")
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    page.click("[data-action=vouch_team]")
    page.fill("input[name=name]", "龙门乡青年应急队")
    page.fill("input[name=leader_name]", "李四")
    page.fill("input[name=leader_phone]", "13800000001")
    pick_region(page, "region_code", "芦山", "四川省 雅安市 芦山县")
    page.fill("textarea[name=members]", "王五, 13800000002, 搜救\n赵六, 13800000003, 救护")
    assert_no_horizontal_scroll(page)
    with page.expect_navigation():
        page.click("form.form [type=submit]")
    team = Organization.objects.get(name="龙门乡青年应急队")
    assert team.uscc is None and team.status == Organization.Status.VOUCHED
    assert page.is_visible("[data-testid=vouched-by]")
    screenshot(page, "hub-team-registered")

    # File the deployment for the team: the form offers the hub and its team.
    page.goto(page.base_url + f"/incidents/{world['incident'].pk}/deployments/new/")
    page.select_option("select[name=organization]", str(team.pk))
    page.fill("input[name=headcount]", "3")
    pick_region(page, "area_region_code", "芦山", "四川省 雅安市 芦山县")
    arrival = timezone.localtime() + timedelta(hours=4)
    page.fill("input[name=arrival_at]", arrival.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=leader_name]", "李四")
    page.fill("input[name=leader_phone]", "13800000001")
    assert_no_horizontal_scroll(page)
    with page.expect_navigation():
        page.click("form:has(input[name=headcount]) [type=submit]")
    deployment = Deployment.objects.get(organization=team)
    assert deployment.status == Deployment.Status.FILED and deployment.filed_by == world["worker"]
    assert "龙门乡青年应急队" in page.inner_text("main")
    screenshot(page, "hub-filed-for-team")

    # The bureau sees the hub's team on its hubs page.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    world["official"].set_password(PASSWORD)
    world["official"].save()
    login(page, world["official"])
    page.goto(page.base_url + "/hubs/")
    assert "龙门乡青年应急队" in page.inner_text("[data-testid=vouched-teams]")
    assert_reads_like_product(page)
