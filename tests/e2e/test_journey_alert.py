"""Journey f: an official composes an alert, previews its audience, sends it; it is delivered
(the in-app row at once, the e-mail by the delivery worker, run eagerly as in the other alert
tests); the team's admin reads it in the inbox on a phone — through the pages, in zh-Hans."""

from __future__ import annotations

import pytest
from django.core import mail

from alerts import services as alert_services
from alerts.models import Alert, Delivery
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.registry.factories.UserFactory
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SUBMIT = "form:has(input[name=password]) [type=submit]"


def log_in(page, username: str, viewport: dict) -> None:
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click(SUBMIT)
    assert "/accounts/login/" not in page.url, page.inner_text("main")


@pytest.fixture
def team(ngo, ngo_admin, ngo_member, settings):
    """The verified team of 芦山县 (511826); its admin also wants alerts by e-mail."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ngo_admin.email = "admin@lushan.example.org"
    ngo_admin.save()
    alert_services.set_preferences(user=ngo_admin, email=True, sms=False)
    return ngo


def test_an_official_alerts_a_county_and_the_team_reads_it_in_its_inbox(
    browser_page, official, team, ngo_admin, screenshot
):
    page = browser_page
    base = page.base_url

    # The official composes the alert and previews who it reaches.
    log_in(page, official.username, DESKTOP)
    page.goto(base + "/alerts/")
    assert_reads_like_product(page)
    with page.expect_navigation():
        page.get_by_role("link", name="发布预警").first.click()
    assert_reads_like_product(page)
    page.fill("input[name=title]", "芦山县山洪橙色预警")
    page.fill("textarea[name=body]", "未来 6 小时芦山县有强降雨，沿河队伍请撤离河道。")
    page.select_option("select[name=level]", "orange")
    regions = page.locator("[data-region-picker]:has([name=regions])")
    regions.locator("[data-region-search]").fill("芦山")
    regions.locator("[data-region-results] button", has_text="四川省 雅安市 芦山县").click()
    assert "四川省 雅安市 芦山县" in regions.locator("[data-region-chips]").inner_text()
    assert page.input_value("[name=regions]") == "511826"
    page.get_by_label("电子邮件").check()
    with page.expect_navigation():
        page.get_by_role("button", name="预览发送对象").click()
    reach = page.locator("[data-testid=reach]")
    reach.wait_for()
    assert "2 人" in reach.inner_text() and "1 个组织" in reach.inner_text()
    assert "四川省 雅安市 芦山县" in reach.inner_text()
    assert_reads_like_product(page)
    # the picked region survived the round trip
    assert "四川省 雅安市 芦山县" in regions.locator("[data-region-chips]").inner_text()
    assert not Alert.objects.exists()

    with page.expect_navigation():
        page.get_by_role("button", name="发送", exact=True).click()
    page.wait_for_selector("[data-testid=delivery-counts]")
    alert = Alert.objects.get()
    assert alert.recipient_count == 2
    # delivered: the in-app rows at once, the e-mail by the worker after commit
    assert set(alert.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert ["admin@lushan.example.org"] in [m.to for m in mail.outbox]
    page.reload()
    counts = page.inner_text("[data-testid=delivery-counts]")
    assert "已发送" in counts and "失败" in counts
    deliveries = page.inner_text("[data-testid=deliveries]")
    assert "电子邮件" in deliveries and "已发送" in deliveries
    assert "四川省 雅安市 芦山县" in page.inner_text("main")
    assert_reads_like_product(page)

    # The team's admin sees it in the inbox on a phone and marks it read.
    log_in(page, ngo_admin.username, PHONE)
    page.click("[data-testid=menu-button]")  # the phone's navigation is folded
    assert page.inner_text("[data-testid=unread]") == "1"
    with page.expect_navigation():
        page.locator("header a.inbox").click()
    row = page.locator("[data-testid=inbox] tr", has_text="芦山县山洪橙色预警")
    assert "沿河队伍请撤离河道" in row.inner_text()
    assert "橙色" in row.inner_text()
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    with page.expect_navigation():
        row.locator("[data-action=read] [type=submit]").click()
    row = page.locator("[data-testid=inbox] tr", has_text="芦山县山洪橙色预警")
    assert "已读" in row.inner_text()
    assert page.locator("[data-testid=unread]").count() == 0
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "journey-alert-inbox")
    assert Delivery.objects.get(user=ngo_admin, channel="in_app").status == Delivery.Status.READ
