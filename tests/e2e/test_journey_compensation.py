"""Journey: a team's volunteer is hurt during an approved deployment; the team files a
compensation claim on a phone with photos (390x844), the bureau's official reviews, approves
and pays it from the compensation fund at a desk (1280x900); the payment is a public entry of
the donation ledger under the compensation purpose, without the person's name."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from PIL import Image

from compensation.models import Claim
from core.roles import Role
from donations.services import record_receipt
from tests.coordination.factories import DeploymentFactory, IncidentFactory
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product
from tests.registry.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The trail's own wording is tested on its own pages (see test_journey_official.py).
_SKIP_TRAIL = """() => document.querySelectorAll('section.history')
    .forEach(n => n.setAttribute('data-raw', ''))"""


def jpeg(color) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def world(agency, ngo):
    official = UserFactory(username="chen_official", first_name="陈志远")
    MembershipFactory(user=official, organization=agency, role=Role.OFFICIAL)
    fund = OrganizationFactory(
        name="雅安市应急救援补偿基金会", kind="foundation", region_code="511800"
    )
    MembershipFactory(user=official, organization=fund, role=Role.ADMIN)
    record_receipt(
        by=official,
        organization=fund,
        donor_name="雅安市财政局",
        donor_kind="organization",
        amount=Decimal("200000.00"),
        restricted=True,
        purpose=settings.TONGZHOU_COMPENSATION_PURPOSE,
        channel="bank_transfer",
    )
    leader = UserFactory(username="li_team", first_name="李强")
    MembershipFactory(user=leader, organization=ngo, role=Role.ADMIN)
    PersonFactory(organization=ngo, name="周救援")
    incident = IncidentFactory(title="芦山洪灾", lead_agency=agency)
    DeploymentFactory(incident=incident, organization=ngo, specialties=["water_rescue"])
    return {"official": official, "leader": leader, "incident": incident}


def look(page, *, phone: bool = False):
    page.wait_for_load_state("domcontentloaded")
    page.evaluate(_SKIP_TRAIL)
    assert_reads_like_product(page)
    assert page.locator(".messages .error").count() == 0, page.inner_text("main")
    if phone:
        assert_no_horizontal_scroll(page)


def login(page, user):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_selector("[data-testid=dashboard]")


def test_a_compensation_claim_runs_from_filing_to_payment_in_the_browser(
    browser_page, world, screenshot
):
    desk = browser_page
    desk.set_viewport_size(DESKTOP)
    phone_context = desk.context.browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    phone.base_url = desk.base_url
    try:
        _journey(desk, phone, world, screenshot)
    finally:
        phone_context.close()


def _journey(desk, phone, world, screenshot):
    # 1. The team leader, on a phone, files the claim with two photos.
    login(phone, world["leader"])
    phone.goto(phone.base_url + "/compensation/")
    look(phone, phone=True)
    phone.click("[data-action=file_claim]")
    phone.wait_for_selector("[data-testid=claim-form]")
    look(phone, phone=True)
    phone.select_option("select[name=kind]", "injury")
    phone.select_option("select[name=person]", label="周救援")
    phone.fill("textarea[name=description]", "转移群众时冲锋舟侧翻，周救援左腿骨折。")
    phone.fill("input[name=occurred_at]", "2026-11-28T10:30")
    phone.fill("input[name=amount_claimed]", "20000")
    phone.fill("input[name=insurer_claim_reference]", "PA-CLM-2026-77")
    phone.set_input_files("input[name=evidence]", [jpeg((200, 60, 40)), jpeg((40, 60, 200))])
    phone.click("[data-testid=claim-form] [type=submit]")
    phone.wait_for_selector("[data-testid=claim-status]")
    assert "已提交" in phone.inner_text("[data-testid=claim-status]")
    assert phone.locator("[data-testid=evidence] img").count() == 2
    look(phone, phone=True)
    screenshot(phone, "c01-claim-filed-phone")
    claim = Claim.objects.get()

    # 2. The official's home lists it; the official reviews, approves and pays.
    login(desk, world["official"])
    item = desk.locator("[data-key=compensation_review]")
    assert item.locator(".count").inner_text() == "1"
    item.locator("a").click()
    desk.wait_for_selector("[data-action=review]")
    look(desk)
    desk.click("[data-action=review] button")
    desk.wait_for_selector("[data-action=approve]")
    assert "审核中" in desk.inner_text("[data-testid=claim-status]")
    desk.fill("[data-action=approve] input[name=amount]", "15000")
    desk.fill("[data-action=approve] textarea[name=reason]", "依据医疗票据核定，扣除保险已赔部分。")
    desk.click("[data-action=approve] button")
    desk.wait_for_selector("[data-action=pay]")
    assert "¥15,000" in desk.inner_text("[data-testid=amount-approved]")
    look(desk)
    screenshot(desk, "c02-claim-approved")
    desk.set_input_files("[data-action=pay] input[name=voucher]", [jpeg((10, 120, 10))])
    desk.click("[data-action=pay] button")
    desk.wait_for_selector("[data-testid=ledger-entry]")
    assert "已由补偿基金支付" in desk.inner_text("[data-testid=claim-status]")
    look(desk)
    screenshot(desk, "c03-claim-paid")

    # 3. The payment is a public ledger entry under the compensation purpose, no name in it.
    desk.click("[data-testid=ledger-entry] a")
    desk.wait_for_load_state("domcontentloaded")
    entry = desk.inner_text("main")
    assert settings.TONGZHOU_COMPENSATION_PURPOSE in entry and "周救援" not in entry
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.ledger_entry.amount == Decimal("15000.00")

    # 4. The team sees it paid on its phone.
    phone.goto(phone.base_url + f"/compensation/{claim.pk}/")
    assert "已由补偿基金支付" in phone.inner_text("[data-testid=claim-status]")
    look(phone, phone=True)
