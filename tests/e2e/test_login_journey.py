"""A person logs in through the real login page and sees the dashboard, then switches language."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_logs_in_and_sees_the_dashboard(browser_page, official, tmp_path):
    page = browser_page
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="登录").click()
    page.fill("input[name=username]", official.username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("[data-testid=dashboard]")
    header = page.inner_text("header")
    assert "雅安市应急管理局" in header and official.username not in header  # display name
    assert "同舟共济" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="English").click()
    page.wait_for_selector("text=Working a disaster together")
    assert "Log out" in page.inner_text("header")
