"""Journey: an official plans a drill with the 芦山县 team taking part and adds an inject; the
inject reaches the team's admin as an exercise alert (【演练】) and not another team; the
official ends the drill and reviews it, the gap becomes a follow-up item that the team closes
from its home on a phone — through the pages, in zh-Hans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Delivery
from core.models import AuditEvent
from preparedness import services
from preparedness.models import Drill, FollowUp
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


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_drill_inject_reaches_the_team_and_its_gap_is_closed_from_its_home(
    browser_page, official, ngo, ngo_admin, other_ngo, other_ngo_admin, screenshot
):
    page = browser_page
    base = page.base_url

    # The official plans the drill.
    log_in(page, official.username, DESKTOP)
    page.goto(base + "/drills/")
    assert_reads_like_product(page)
    with page.expect_navigation():
        page.click("[data-testid=drill-new]")
    page.fill("input[name=title]", "芦山县地震救援联合演练")
    page.fill("textarea[name=scenario]", "6.1级地震，县城一所学校教学楼倒塌。")
    picker = page.locator("[data-region-picker]:has([name=region_code])")
    picker.locator("[data-region-search]").fill("芦山")
    picker.locator("[data-region-results] button", has_text="四川省 雅安市 芦山县").click()
    page.fill("input[name=starts_at]", local(timezone.now() + dt.timedelta(hours=1)))
    page.fill("textarea[name=objectives]", "检验倒塌建筑搜救协同")
    page.get_by_label("芦山县应急救援队").check()
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    drill = Drill.objects.get()
    assert "演练" in page.inner_text("h1")
    assert_reads_like_product(page)

    # ... adds an inject due now, and starts the drill.
    form = page.locator("[data-testid=inject-form]")
    form.locator("input[name=deliver_at]").fill(local(timezone.now()))
    form.locator("input[name=title]").fill("余震：教学楼二次坍塌")
    with page.expect_navigation():
        form.locator("[data-action=add_inject]").click()
    with page.expect_navigation():
        page.click("[data-action=run]")
    assert page.inner_text("[data-testid=drill-status]") == "进行中"

    # The beat job delivers the inject: to the team, not to the other team.
    assert services.deliver_due_injects(now=timezone.now() + dt.timedelta(minutes=1)) == 1
    reached = set(Delivery.objects.values_list("user_id", flat=True))
    assert ngo_admin.pk in reached and other_ngo_admin.pk not in reached

    # The team's admin reads it in the inbox on a phone, marked as an exercise.
    log_in(page, ngo_admin.username, PHONE)
    page.goto(base + "/inbox/")
    row = page.locator("[data-testid=inbox] tr", has_text="余震")
    assert "【演练】余震：教学楼二次坍塌" in row.inner_text()
    assert_no_horizontal_scroll(page)

    # The official ends the drill and reviews the objective: one gap, owned by the team.
    log_in(page, official.username, DESKTOP)
    page.goto(base + f"/drills/{drill.pk}/")
    with page.expect_navigation():
        page.click("[data-action=end]")
    review = page.locator("[data-testid=review-form]").first
    review.locator("textarea[name=worked]").fill("各队伍30分钟内集结完毕")
    review.locator("input[name=item_title]").fill("补充夜间照明设备")
    review.locator("select[name=item_owner]").select_option(label="芦山县应急救援队")
    review.locator("input[name=item_due_on]").fill(
        (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    )
    with page.expect_navigation():
        review.locator("[data-action=review]").click()
    assert page.locator("[data-action=close]").count() == 0
    assert "1" in page.inner_text("[data-testid=close-reason]")
    assert_reads_like_product(page)
    item = FollowUp.objects.get()

    # The team sees the item on its home (phone) and closes it there.
    log_in(page, ngo_admin.username, PHONE)
    page.goto(base + "/")
    assert "待办结的整改事项" in page.inner_text("main")
    with page.expect_navigation():
        page.locator(f"main a[href='/followups/{item.pk}/']").first.click()
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    page.fill("textarea[name=note]", "已采购 10 套照明设备")
    with page.expect_navigation():
        page.click("[data-action=complete]")
    assert page.inner_text("[data-testid=followup-status]") == "已完成"
    assert "完成了整改事项" in page.inner_text("main")  # the audit trail, in words
    screenshot(page, "journey-drill-followup")
    item.refresh_from_db()
    assert item.status == "done" and item.note == "已采购 10 套照明设备"
    assert AuditEvent.objects.filter(action="followup.done", actor=ngo_admin).exists()

    # Now the official can close the drill.
    log_in(page, official.username, DESKTOP)
    page.goto(base + f"/drills/{drill.pk}/")
    with page.expect_navigation():
        page.click("[data-action=close]")
    assert page.inner_text("[data-testid=drill-status]") == "已结束"
    drill.refresh_from_db()
    assert drill.status == Drill.Status.CLOSED and page.locator("[data-action]").count() == 0
