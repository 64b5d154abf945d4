"""The header's menus in a browser: an official's navigation fits on one row at 1280x900, the
menus open with the keyboard, and on a phone they fold into the 菜单 menu without sideways
scroll (core.navigation)."""

import pytest

from core import hooks
from registry import services as reg
from tests.e2e.test_journey_hub import login
from tests.readable import assert_no_horizontal_scroll
from tests.registry.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOP_LEVEL_JS = """() => Array.from(document.querySelectorAll(
  '.mainnav > a, .mainnav > details > summary, .usernav > *'
)).map(e => Math.round(e.getBoundingClientRect().top))"""


@pytest.fixture
def official_with_everything(official):
    hub = OrganizationFactory(name="雅安市社会组织服务中心", region_code="511800")
    reg.designate_hub(organization=hub, by=official)
    return official


def test_the_officials_navigation_fits_on_one_row_and_opens_with_the_keyboard(
    browser_page, official_with_everything
):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, official_with_everything)
    assert len(hooks.collect("navigation_links", official_with_everything)) >= 9
    tops = page.evaluate(TOP_LEVEL_JS)
    assert max(tops) - min(tops) <= 8, f"the navigation wraps: {tops}"
    assert not page.is_visible("[data-nav=verification]")

    # keyboard: focus the 社会组织 menu, open it with Enter, follow a link, Escape closes
    summary = page.locator("[data-nav-group=organizations] summary")
    summary.focus()
    assert summary.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.is_visible("[data-nav=verification]")
    # nav.js answers the (asynchronous) toggle event
    page.wait_for_selector("[data-nav-group=organizations] summary[aria-expanded=true]")
    # opening another menu closes the first
    page.locator("[data-nav-group=liaison] summary").click()
    page.wait_for_selector("[data-nav=verification]", state="hidden")
    assert page.is_visible("[data-nav=alert_new]")
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-nav=alert_new]", state="hidden")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/verification/")
    # the menu holding the current page is marked
    assert page.locator("[data-nav-group=organizations] summary.current").count() == 1


def test_on_a_phone_the_menus_fold_into_the_menu_button(browser_page, official_with_everything):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, official_with_everything)
    assert not page.is_visible(".mainnav")
    page.click("[data-testid=menu-button]")
    for group in ("coordination", "organizations", "procurement", "preparedness", "liaison"):
        page.click(f"[data-nav-group={group}] summary")
    for link in hooks.collect("navigation_links", official_with_everything):
        box = page.locator(f"[data-nav='{link['key']}']").bounding_box()
        assert box and box["height"] >= 44 and box["x"] + box["width"] <= 390, link["key"]
    # the language switch is a link in the menu too, as easy to tap
    box = page.get_by_role("link", name="English").bounding_box()
    assert box and box["height"] >= 44 and box["x"] + box["width"] <= 390
    assert_no_horizontal_scroll(page)


MENUS_JS = """() => Array.from(document.querySelectorAll(
  '.mainnav > a, .mainnav > details > summary'
)).map(e => Math.round(e.getBoundingClientRect().top))"""


@pytest.mark.parametrize("width", [800, 1000])
def test_between_phone_and_desktop_the_menus_keep_their_row(
    browser_page, official_with_everything, width
):
    """Where the menus and the user's part do not fit on one row, the user's part wraps below:
    the menus are not squeezed into a column (they were, one per line, at 1000 px)."""
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    login(page, official_with_everything)
    tops = page.evaluate(MENUS_JS)
    assert len(tops) >= 5
    assert max(tops) - min(tops) <= 8, f"the menus wrap: {tops}"
    assert_no_horizontal_scroll(page)
