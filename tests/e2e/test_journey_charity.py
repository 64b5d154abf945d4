"""Journey d: a charity records goods it received, allocates them to a rescue team, the team
signs for them with a shortfall (the form is prefilled; it edits one line and says why) and then
records handing some out with a photo. Everything after the fixture happens through pages:
zh-Hans at 1280x900, and the team's field steps also on a 390x844 phone."""

import io

import pytest
from PIL import Image

from core.roles import Role
from tests.donations import factories as df
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product
from tests.registry import factories as rf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def log_in(page, user):
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_load_state()


def check(page, screenshot, name: str, *, phone: bool = False):
    assert_reads_like_product(page)
    if phone:
        assert_no_horizontal_scroll(page)
    screenshot(page, name)


def test_charity_allocates_goods_team_signs_short_and_hands_out_with_a_photo(
    browser_page, screenshot, ngo
):
    charity = df.foundation(name="四川同舟公益基金会")
    charity_admin = rf.org_user(charity, Role.ADMIN)
    team_admin = rf.org_user(ngo, Role.ADMIN)
    page = browser_page
    page.set_viewport_size(DESKTOP)

    # 1. the charity records tents and water it received, as goods rows
    log_in(page, charity_admin)
    page.goto(f"{page.base_url}/ledger/organizations/{charity.pk}/")
    page.click("#receipt summary")
    receipt = page.locator("#receipt form")
    receipt.locator("input[name='r-donor_name']").fill("成都某某食品有限公司")
    receipt.locator("select[name='r-donor_kind']").select_option("company")
    receipt.locator("select[name='r-channel']").select_option("in_kind")
    receipt.locator("input[name='r-goods-0-name']").fill("帐篷")
    receipt.locator("input[name='r-goods-0-spec']").fill("3×4米 棉帐篷")
    receipt.locator("input[name='r-goods-0-unit']").fill("顶")
    receipt.locator("input[name='r-goods-0-quantity']").fill("１０")  # full-width, as typed
    receipt.locator("input[name='r-goods-0-unit_value']").fill("800")
    receipt.locator("[data-add-row]").click()
    receipt.locator("input[name='r-goods-1-name']").fill("矿泉水")
    receipt.locator("input[name='r-goods-1-unit']").fill("箱")
    receipt.locator("input[name='r-goods-1-quantity']").fill("50")
    receipt.locator("input[name='r-goods-1-unit_value']").fill("30")
    receipt.locator("[data-add-row]").click()  # a third row, typed by mistake and removed
    receipt.locator("input[name='r-goods-2-name']").fill("多余的一行")
    receipt.locator("input[name='r-goods-2-quantity']").fill("1")
    receipt.locator("[data-goods-row]:has(input[name='r-goods-2-name']) [data-remove-row]").click()
    check(page, screenshot, "d1-receipt-form")
    receipt.locator("button[type=submit]").click()
    page.wait_for_selector(".messages >> text=已登记接收")
    # the receipt page with the trace code for the donor; back to the ledger workspace from it
    page.click("text=返回本机构账本")
    holdings = page.inner_text("[data-testid=holdings]")
    assert "帐篷" in holdings and "10 顶" in holdings and "50 箱" in holdings
    assert "多余的一行" not in holdings

    # 2. ... and allocates all of it to the rescue team (a row added with the button)
    page.click("#allocation summary")
    allocation = page.locator("#allocation form")
    allocation.locator("select[name='a-to_organization']").select_option(str(ngo.pk))
    allocation.locator("input[name='a-purpose']").fill("安置点生活保障")
    allocation.locator("input[name='a-goods-0-name']").fill("帐篷")
    allocation.locator("input[name='a-goods-0-unit']").fill("顶")
    allocation.locator("input[name='a-goods-0-quantity']").fill("10")
    allocation.locator("[data-add-row]").click()
    allocation.locator("input[name='a-goods-1-name']").fill("矿泉水")
    allocation.locator("input[name='a-goods-1-unit']").fill("箱")
    allocation.locator("input[name='a-goods-1-quantity']").fill("50")
    allocation.locator("button[type=submit]").click()
    page.wait_for_selector(".messages >> text=已登记拨付")
    check(page, screenshot, "d2-allocated")

    # 3. the team sees the allocation waiting and opens the prefilled sign-for form
    log_in(page, team_admin)
    page.goto(f"{page.base_url}/ledger/organizations/{ngo.pk}/")
    page.locator("[data-testid=pending] a.button").first.click()
    form = page.locator("form[data-action=acknowledge]")
    assert form.locator("input[name='line-0']").input_value() == "10"
    assert form.locator("input[name='line-1']").input_value() == "50"
    check(page, screenshot, "d3-sign-for-desktop")
    page.set_viewport_size(PHONE)
    check(page, screenshot, "d3-sign-for-phone", phone=True)
    # two cases of water arrived broken: it says so, and why
    form.locator("input[name='line-1']").fill("48")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=请说明实收少于发出的原因")
    assert_no_horizontal_scroll(page)
    form = page.locator("form[data-action=acknowledge]")
    assert form.locator("input[name='line-1']").input_value() == "48"
    form.locator("textarea[name=reason]").fill("运输途中破损两箱")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages >> text=已签收")
    entry = page.inner_text("[data-testid=entry]")
    assert "运输途中破损两箱" in entry and "48 箱" in entry
    check(page, screenshot, "d3-signed-short-phone", phone=True)

    # 4. the team hands out tents and records it with a photo, on the phone
    page.set_viewport_size(DESKTOP)
    page.goto(f"{page.base_url}/ledger/organizations/{ngo.pk}/")
    page.click("#disbursement summary")
    check(page, screenshot, "d4-workspace-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/ledger/organizations/{ngo.pk}/")
    check(page, screenshot, "d4-workspace-phone", phone=True)
    page.click("#disbursement summary")
    spend = page.locator("#disbursement form")
    spend.locator("input[name='d-purpose']").fill("芦山县安置点发放帐篷")
    spend.locator("input[name='d-region_code']").fill("芦山县")
    spend.locator("input[name='d-beneficiaries']").fill("24")
    spend.locator("input[name='d-goods-0-name']").fill("帐篷")
    spend.locator("input[name='d-goods-0-unit']").fill("顶")
    spend.locator("input[name='d-goods-0-quantity']").fill("6")
    spend.locator("input[name='d-evidence']").set_input_files(
        [{"name": "发放现场.png", "mimeType": "image/png", "buffer": photo()}]
    )
    page.wait_for_selector("#disbursement .thumbs img")  # the thumbnail before sending
    page.wait_for_function(
        "() => document.querySelector('#disbursement .thumbs img').naturalWidth > 0"
    )
    check(page, screenshot, "d4-disbursement-form-phone", phone=True)
    spend.locator("button[type=submit]").click()
    page.wait_for_selector(".messages >> text=已登记使用")
    holdings = page.inner_text("[data-testid=holdings]")
    assert "4 顶" in holdings and "48 箱" in holdings

    # the disbursement's page shows the photo to the team, at both sizes
    page.goto(f"{page.base_url}/ledger/?organization={ngo.pk}&kind=disbursement")
    page.locator("table.entries a").first.click()
    page.wait_for_selector("[data-testid=evidence] img.thumb")
    page.wait_for_function("() => document.querySelector('img.thumb').complete")
    assert page.evaluate("document.querySelector('img.thumb').naturalWidth") == 64
    entry = page.inner_text("[data-testid=entry]")
    assert "四川省 雅安市 芦山县" in entry and "24" in entry
    check(page, screenshot, "d4-disbursed-phone", phone=True)
    page.set_viewport_size(DESKTOP)
    check(page, screenshot, "d4-disbursed-desktop")

    # the public ledger: the charts are drawn, the shortfall is visible
    page.context.clear_cookies()
    page.goto(page.base_url + "/ledger/")
    page.wait_for_selector("[data-chart=chart-purposes][data-chart-ready='1']")
    page.wait_for_selector("[data-chart=chart-held][data-chart-ready='1']")
    assert (
        "短缺" in page.inner_text("[data-testid=entries]")
        or page.locator("[data-testid=entries] .badge.warn").count()
    )
    check(page, screenshot, "d5-public-ledger")
    page.set_viewport_size(PHONE)
    check(page, screenshot, "d5-public-ledger-phone", phone=True)
