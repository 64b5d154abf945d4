"""Issue 21's journey in a browser: a team leader on a phone (390x844) finds who answers for
物资调配 in 芦山县, sends a request with a map point from the incident page, and the bureau
acknowledges it from its home queue on a desktop, then confirms it: it shows on the map."""

import pytest

from core.roles import Role
from liaison.models import FieldReport
from tests.coordination.factories import IncidentFactory
from tests.e2e.test_journey_official import DESKTOP, PHONE, login, look
from tests.e2e.test_journey_register import pick_region
from tests.e2e.test_map import MAP_READY
from tests.liaison.factories import ResponsibilityFactory
from tests.registry.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(agency, ngo):
    official = UserFactory(username="chen_official", first_name="陈志远")
    MembershipFactory(user=official, organization=agency, role=Role.OFFICIAL)
    leader = UserFactory(username="li_team", first_name="李强")
    MembershipFactory(user=leader, organization=ngo, role=Role.ADMIN)
    incident = IncidentFactory(title="芦山6.1级地震", lead_agency=agency)
    ResponsibilityFactory(agency=agency, unit="救灾和物资保障科", duty_phone="0835-2221002")
    return {"official": official, "leader": leader, "incident": incident}


def test_a_team_sends_a_request_from_a_phone_and_the_bureau_acknowledges_it(
    browser_page, world, screenshot
):
    desk = browser_page
    desk.set_viewport_size(DESKTOP)
    phone_context = desk.context.browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    phone.base_url = desk.base_url
    try:
        # The team leader looks up who answers for 物资调配 where the team is.
        login(phone, world["leader"])
        phone.goto(phone.base_url + "/directory/")
        phone.select_option("select[name=function]", "supply_allocation")
        pick_region(phone, "region", "芦山", "四川省 雅安市 芦山县")
        phone.click("[data-testid=lookup] button[type=submit]")
        nearest = phone.locator("[data-testid=nearest]")
        assert "救灾和物资保障科" in nearest.inner_text()
        assert "0835-2221002" in nearest.inner_text()
        look(phone, screenshot, "l01-directory-phone", phone=True)

        # From the incident page: send the request, with the point typed as GPS would give it.
        incident = world["incident"]
        phone.goto(phone.base_url + f"/incidents/{incident.pk}/")
        phone.click("[data-testid=send-field-report]")
        phone.wait_for_selector("[data-testid=liaison-form]")
        phone.select_option("select[name=category]", "supplies")
        phone.select_option("select[name=urgency]", "high")
        phone.fill("textarea[name=description]", "龙门乡安置点120人，缺帐篷40顶")
        phone.fill("input[name=people_count]", "120")
        phone.fill("input[name=latitude]", "30.318")
        phone.fill("input[name=longitude]", "102.972")
        look(phone, screenshot, "l02-request-form-phone", phone=True)
        phone.click("[data-testid=liaison-form] button[type=submit]")
        phone.wait_for_selector("[data-testid=waiting]")
        assert "救灾和物资保障科" in phone.inner_text("[data-testid=routed-to]")
        look(phone, screenshot, "l03-request-sent-phone", phone=True)
        report = FieldReport.objects.get()
        assert report.status == "sent" and str(report.latitude) == "30.318000"

        # The bureau acknowledges it from the home's queue.
        login(desk, world["official"])
        desk.click("[data-key=reports_to_acknowledge] a")
        desk.wait_for_selector("[data-testid=report-actions]")
        desk.click("[data-action=acknowledge] button")
        desk.wait_for_selector("[data-action=confirm]")
        assert desk.locator("[data-action=acknowledge]").count() == 0
        look(desk, screenshot, "l04-bureau-acknowledged")

        phone.reload()
        assert phone.locator("[data-testid=waiting]").count() == 0
        assert "已确认收到" in phone.inner_text("[data-testid=report-status]")

        # Confirmed, the report is a point of the incident's map (coordination draws liaison's
        # layer through core.hooks), exact for the bureau.
        desk.click("[data-action=confirm] button")
        desk.wait_for_selector("text=已核实，将显示在地图上")
        desk.goto(desk.base_url + f"/incidents/{incident.pk}/")
        desk.wait_for_selector(MAP_READY)
        assert desk.locator("path.tz-reports").count() == 1
        assert desk.locator("path.tz-reports.tz-blurred").count() == 0
        assert "已确认的现场报告" in desk.inner_text(".tz-legend")
    finally:
        phone_context.close()
