"""Journey e: an anonymous donor finds their donation, by its trace code and by the receipt
number, and sees where it went and how much of each step was theirs (zh-Hans, on a phone)."""

from decimal import Decimal

import pytest

from donations import services
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def donated(db):
    charity = df.foundation(name="四川同舟公益基金会")
    team = df.foundation(name="宝兴县应急救援队", kind="volunteer_team", region_code="511827")
    admin, team_writer = df.writer(charity), df.writer(team)
    mudslide = IncidentFactory(title="宝兴泥石流", region_code="511827", subtype="debris_flow")
    gift = df.receipt(
        charity,
        admin,
        "2000.00",
        donor_name="王小明",
        incident=mudslide,
        receipt_number="SC-2026-0815",
    )
    df.receipt(charity, admin, "3000.00", incident=mudslide, receipt_number="SC-2026-0816")
    sent = services.allocate(
        organization=charity,
        by=admin,
        to_organization=team,
        incident=mudslide,
        amount=Decimal(4000),
    )
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(4000))
    services.disburse(
        organization=team,
        by=team_writer,
        amount=Decimal(2500),
        purpose="安置点饮用水和餐食",
        incident=mudslide,
        region_code="511827",
        beneficiaries=300,
    )
    return {"gift": gift, "charity": charity}


def test_a_donor_finds_their_share_by_trace_code_and_by_receipt_number(
    browser_page, donated, screenshot
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    gift = donated["gift"]
    page.goto(page.base_url + "/ledger/trace/")
    page.fill("#code", gift.trace_code.lower())
    page.locator("[data-testid=by-code] [type=submit]").click()
    page.wait_for_selector("[data-testid=trace-steps]")
    steps = page.inner_text("[data-testid=trace-steps]")
    assert "四川同舟公益基金会 将其拨付给 宝兴县应急救援队" in steps
    assert "安置点饮用水和餐食" in steps and "四川省 雅安市 宝兴县" in steps
    assert "¥2,000" in steps  # all of the gift went on, and into the use
    assert "惠及 300 人" in steps and "约惠及 240.0 人" in steps  # ¥2,000 of ¥2,500: 80 %
    assert "王小明" not in page.content()
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)

    page.goto(page.base_url + "/ledger/trace/")
    page.select_option("#organization", label="四川同舟公益基金会")
    page.fill("#receipt_number", "SC-2026-0815")
    page.locator("[data-testid=by-receipt-number] [type=submit]").click()
    page.wait_for_selector("[data-testid=trace-receipt]")
    assert gift.trace_code in page.inner_text("[data-testid=trace-receipt]")
    assert "安置点饮用水和餐食" in page.inner_text("[data-testid=trace-steps]")
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "journey-e-donor-trace")
