"""Issue 17 on a phone (390x844): the compose page's preview lists who cannot be reached by SMS,
and the preferences page (channels per alert type, quiet hours) fits without sideways scroll."""

from __future__ import annotations

import pytest

from alerts.models import Preference
from core.roles import Role
from tests.e2e.conftest import browser_page, screenshot  # noqa: F401 - fixtures
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product
from tests.registry import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.registry.factories.UserFactory
PHONE = {"width": 390, "height": 844}


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) [type=submit]")


def test_the_preview_and_the_preferences_fit_a_phone(
    browser_page,  # noqa: F811
    screenshot,  # noqa: F811
    official,
    ngo,
):
    page = browser_page
    texted = f.org_user(ngo, Role.ADMIN)
    texted.first_name = "小明"
    texted.save()
    Preference.objects.create(user=texted, phone="13800000000")
    silent = f.org_user(ngo, Role.MEMBER)
    silent.first_name = "小红"
    silent.save()

    log_in(page, official.username)
    page.goto(page.base_url + "/alerts/new/")
    page.fill("input[name=title]", "芦山县山洪红色预警")
    page.fill("textarea[name=body]", "沿河队伍立即撤离。")
    page.select_option("select[name=level]", "red")
    regions = page.locator("[data-region-picker]:has([name=regions])")
    regions.locator("[data-region-search]").fill("芦山")
    regions.locator("[data-region-results] button", has_text="四川省 雅安市 芦山县").click()
    page.locator("input[name=channels][value=sms]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="预览发送对象").click()
    cannot = page.locator("[data-testid=cannot-sms]")
    cannot.wait_for()
    assert "小红" in cannot.inner_text() and "未留手机号" in cannot.inner_text()
    assert "小明" in page.locator("[data-testid=reached-sms]").inner_text()
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "reach-preview-phone")

    log_in(page, texted.username)
    page.goto(page.base_url + "/inbox/preferences/")
    assert "动员" in page.inner_text("main") and "免打扰" in page.inner_text("main")
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    page.locator("input[name=type_approval][value=sms]").check()
    page.fill("input[name=quiet_start]", "22:00")
    page.fill("input[name=quiet_end]", "07:00")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    pref = Preference.objects.get(user=texted)
    assert "sms" in pref.channels_by_type["approval"]
    assert str(pref.quiet_start) == "22:00:00"
    screenshot(page, "reach-preferences-phone")
