"""Journey b: a team registers, is verified, declares a capability, files a deployment (报备),
claims a task, reports with a photo and completes it — through the pages only, in zh-Hans.

The fixture holds what exists before the team arrives: the bureau of 雅安市 (an official), an
earthquake in 芦山县 and an open mountain-rescue task. The team's steps run on a 390x844 phone
and must not scroll sideways; every page is checked for codes and English (what the coordination
pages show is collected and reported together at the end, after the journey itself has passed).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from coordination.models import Deployment, Task
from registry.models import Capability, Organization
from tests.coordination.factories import IncidentFactory, TaskFactory
from tests.readable import (
    PAGE_TEXT_JS,
    assert_no_horizontal_scroll,
    assert_reads_like_product,
    problems,
)
from tests.registry.factories import valid_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
OFFICIAL_PASSWORD = "correct-horse-battery"  # tests.registry.factories.UserFactory
TEAM = {"username": "baoxing_rescue", "password": "Baoxing-shan-2026"}
SUBMIT = "form:has(input[name=password]) [type=submit]"


class Pages:
    """Checks each page: strictly on the pages of this work, by collecting on the others'."""

    def __init__(self, page):
        self.page = page
        self.elsewhere: dict[str, list[str]] = {}

    def ours(self, *, phone: bool = False) -> None:
        self.page.wait_for_load_state()
        assert_reads_like_product(self.page)
        if phone:
            assert_no_horizontal_scroll(self.page)

    def theirs(self, *, phone: bool = False) -> None:
        self.page.wait_for_load_state()
        found = problems(self.page.evaluate(PAGE_TEXT_JS))
        if phone:
            widths = self.page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if widths[0] > widths[1]:
                found.append(f"scrolls sideways: {widths[0]} > {widths[1]} px")
        if found:
            path = self.page.url.split("//", 1)[-1].split("/", 1)[-1]
            self.elsewhere.setdefault("/" + path, []).extend(found[:5])


def follow(page, locator) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def log_in(page, username: str, password: str, viewport: dict) -> None:
    page.context.clear_cookies()
    page.set_viewport_size(viewport)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click(SUBMIT)
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def pick_region(page, field: str, query: str, path: str) -> None:
    """Choose a region with the picker: type name or pinyin initials, click the full path."""
    box = page.locator(f"[data-region-picker]:has([name={field}])")
    box.locator("[data-region-search]").fill(query)
    box.locator("[data-region-results] button", has_text=path).first.click()
    assert page.input_value(f"[name={field}]") != ""


def png(path) -> str:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 80, 40)).save(path, "PNG")
    return str(path)


@pytest.fixture
def scene(official):
    incident = IncidentFactory(title="芦山县6.1级地震", region_code="511826")
    task = TaskFactory(
        incident=incident,
        title="宝盛乡山体滑坡区域搜索",
        specialty="mountain_rescue",
        min_grade=2,
        region_code="511826",
    )
    return {"official": official, "incident": incident, "task": task}


def test_a_team_registers_is_verified_files_claims_reports_and_completes(
    browser_page, scene, screenshot, tmp_path
):
    page = browser_page
    check = Pages(page)
    base = page.base_url

    # 1. The team registers on a phone; the credit code is checked while it is typed.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(base + "/register/")
    check.ours(phone=True)
    page.fill("input[name=username]", TEAM["username"])
    page.fill("input[name=password]", TEAM["password"])
    page.fill("input[name=email]", "team@baoxing.example.org")
    page.fill("input[name=name]", "宝兴县山地救援队")
    page.select_option("select[name=kind]", "volunteer_team")
    code = valid_uscc("social_service", "511827")
    uscc = page.locator("input[name=uscc]")
    uscc.press_sequentially(code[:10].lower())
    message = page.locator("[data-uscc-check]")
    assert "10／18" in message.inner_text()
    assert uscc.input_value() == code[:10]  # upper-cased as typed
    wrong = code[17] == "0" and "1" or "0"
    uscc.press_sequentially(code[10:17] + wrong)
    assert "GB 32100" in message.inner_text() and "error" in message.get_attribute("class")
    uscc.press("Backspace")
    uscc.press_sequentially(code[17])
    assert "通过" in message.inner_text() and "ok" in message.get_attribute("class")
    pick_region(page, "region_code", "bxx", "四川省 雅安市 宝兴县")
    assert page.input_value("[name=region_code]") == "511827"
    page.fill("input[name=contact_name]", "杨队长")
    page.fill("input[name=contact_phone]", "13800001111")
    check.ours(phone=True)
    follow(page, page.get_by_role("button", name="提交"))
    page.wait_for_selector("h1:has-text('宝兴县山地救援队')")
    assert "待核验" in page.inner_text("h1")
    check.ours(phone=True)
    team = Organization.objects.get(uscc=code)

    # 2. The bureau verifies it from its queue.
    log_in(page, scene["official"].username, OFFICIAL_PASSWORD, DESKTOP)
    page.goto(base + "/verification/")
    check.ours()
    row = page.locator("[data-testid=queue] tr", has_text="宝兴县山地救援队")
    assert "四川省 雅安市 宝兴县" in row.inner_text()
    follow(page, row.get_by_role("link", name="决定"))
    check.ours()
    page.locator("input[name=decision][value=verified]").check()
    follow(page, page.get_by_role("button", name="提交"))
    page.wait_for_selector("h1:has-text('已核验')")
    check.ours()

    # 3. The team declares its mountain-rescue capability; 4. the bureau assesses it (测评).
    log_in(page, TEAM["username"], TEAM["password"], PHONE)
    page.goto(base + f"/organizations/{team.pk}/")
    follow(page, page.get_by_role("link", name="申报能力"))
    check.ours(phone=True)
    page.get_by_label("山地搜救").check()
    page.select_option("select[name=declared_grade]", "2")
    page.get_by_label("人数：救援").fill("8")
    page.get_by_label("人数：管理").fill("2")
    page.fill("textarea[name=equipment_text]", "绳索=10\n生命探测仪=1")
    follow(page, page.get_by_role("button", name="提交"))
    capabilities = page.locator("[data-testid=capabilities]")
    capabilities.wait_for()
    assert "管理 2 人" in capabilities.inner_text() and "救援 8 人" in capabilities.inner_text()
    check.ours(phone=True)
    capability = Capability.objects.get(organization=team)

    log_in(page, scene["official"].username, OFFICIAL_PASSWORD, DESKTOP)
    page.goto(base + f"/organizations/{team.pk}/")
    follow(page, page.locator("[data-testid=capabilities] [data-action=assess]"))
    check.ours()
    page.select_option("select[name=grade]", "2")
    page.fill("input[name=score]", "86")
    follow(page, page.get_by_role("button", name="提交"))
    page.wait_for_selector("[data-testid=capabilities]")
    capability.refresh_from_db()
    assert capability.assessed_grade == 2
    check.ours()

    # 5. The team files its deployment (报备) for 芦山县; 6. the bureau approves it.
    incident = scene["incident"]
    log_in(page, TEAM["username"], TEAM["password"], PHONE)
    page.goto(base + f"/incidents/{incident.pk}/?tab=deployments")
    check.theirs(phone=True)
    follow(page, page.locator("[data-action=file_deployment]"))
    check.theirs(phone=True)
    page.fill("input[name=headcount]", "10")
    pick_region(page, "area_region_code", "芦山", "四川省 雅安市 芦山县")
    arrival = timezone.localtime() + timedelta(hours=6)
    page.fill("input[name=arrival_at]", arrival.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=leader_name]", "杨队长")
    page.fill("input[name=leader_phone]", "13800001111")
    follow(page, page.locator("form:has(input[name=headcount]) [type=submit]"))
    page.wait_for_load_state()
    deployment = Deployment.objects.get(organization=team)
    assert deployment.status == Deployment.Status.FILED
    assert deployment.area_region_code == "511826"

    log_in(page, scene["official"].username, OFFICIAL_PASSWORD, DESKTOP)
    page.goto(base + f"/incidents/{incident.pk}/?tab=deployments")
    follow(
        page,
        page.locator("[data-testid=filings] tr", has_text="宝兴县山地救援队").locator(
            "[data-action=approve] [type=submit]"
        ),
    )
    page.wait_for_load_state()
    deployment.refresh_from_db()
    assert deployment.status == Deployment.Status.APPROVED
    check.theirs()

    # 7. The team claims the task (claim and accept are one step for the claiming team), starts
    #    work with its first report and a photo (one form), and completes it.
    task = scene["task"]
    log_in(page, TEAM["username"], TEAM["password"], PHONE)
    page.goto(base + f"/tasks/{task.pk}/")
    check.theirs(phone=True)
    follow(page, page.locator("form[data-action=claim] [type=submit]").first)
    page.wait_for_load_state()
    check.theirs(phone=True)
    task.refresh_from_db()
    assert task.status == Task.Status.ACCEPTED and task.organization_id == team.pk

    report = page.locator("form[data-action=start]")
    report.locator("textarea[name=summary]").fill("搜索滑坡区域三处，转移群众 12 人。")
    report.locator("input[name=people_served]").fill("12")
    report.locator("input[name=photo]").set_input_files(png(tmp_path / "site.png"))
    report.locator("input[name=taken_at]").fill(
        (timezone.localtime() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    )
    follow(page, report.locator("[type=submit]"))
    page.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS
    assert "搜索滑坡区域三处" in page.inner_text("[data-testid=reports]")
    check.theirs(phone=True)
    follow(page, page.locator("form[data-action=complete] [type=submit]"))
    page.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    assert task.reports.get().photos.count() == 1
    check.theirs(phone=True)
    screenshot(page, "journey-register-completed")

    # The history reads as sentences on the team's own page.
    page.goto(base + f"/organizations/{team.pk}/")
    history = page.inner_text("[data-testid=history]")
    assert "雅安市应急管理局 认证通过了 宝兴县山地救援队" in history
    check.ours(phone=True)

    if check.elsewhere:
        out = io.StringIO()
        for url, found in check.elsewhere.items():
            out.write(f"{url}: {found}; ")
        pytest.fail(f"coordination pages show codes or English: {out.getvalue()}")
