"""Journey: a debarred team meets its reason on a phone, and an official lifts the debarment.

芦山县应急救援队 was terminated for falsified records with its ¥36,000 clawback open (issue 19).
On a phone (390x844) its admin opens a new tender: the page says why it may not bid instead of
a bid button, the bid page says it instead of the form. The bureau's official opens the team's
procurement record, lifts the debarment with a reason, and the team can bid. Every page reads
like a product and none scrolls sideways."""

import pytest

from tests.procurement.debarring import terminated_contract
from tests.procurement.factories import ProjectFactory, bidder
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}


def login(page, user) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_load_state()


def readable(page) -> None:
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)


def test_a_debarred_team_reads_why_and_an_official_lifts_it(browser_page, official, agency):
    from django.utils import timezone

    team, team_admin = bidder(name="芦山县应急救援队", region_code="511826")
    terminated_contract(team, agency)
    project = ProjectFactory(buyer=agency, status="tendering", published_at=timezone.now())
    page = browser_page
    base = page.base_url

    page.set_viewport_size(PHONE)
    login(page, team_admin)
    page.goto(f"{base}/procurements/{project.pk}/")
    reason = page.inner_text("[data-reason=bid]")
    assert "弄虚作假" in reason and "宝兴县灾后入户评估服务" in reason
    assert page.locator("[data-testid=bid]").count() == 0
    readable(page)
    page.goto(f"{base}/procurements/{project.pk}/bid/")
    assert "弄虚作假" in page.inner_text("[data-testid=bid-refused]")
    assert page.locator("[data-testid=bid-form]").count() == 0
    readable(page)
    page.goto(f"{base}/procurement-suppliers/{team.pk}/")
    assert page.locator("[data-testid=debarred]").count() == 1
    readable(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, official)
    page.goto(f"{base}/procurement-suppliers/{team.pk}/")
    page.click("[data-testid=debarment] summary")
    page.fill("[data-testid=lift-form] textarea[name=reason]", "经复核，记录不符系系统故障所致")
    page.click("[data-testid=lift-form] [type=submit]")
    page.wait_for_load_state()
    assert "经复核，记录不符系系统故障所致" in page.inner_text("[data-testid=lifts]")
    assert page.locator("[data-testid=debarred]").count() == 0
    readable(page)

    page.set_viewport_size(PHONE)
    login(page, team_admin)
    page.goto(f"{base}/procurements/{project.pk}/")
    assert page.locator("[data-testid=bid]").count() == 1
    readable(page)
