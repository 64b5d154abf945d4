"""Journey c: an emergency purchase of services from plan to payment, through the pages only.

The bureau's official plans the purchase (indicator rows added in the browser), publishes it;
the rescue team finds it among the tenders it may bid on and sends a sealed bid; after the
deadline the official opens the bids and draws three experts, who score on their sheets from
我的评审; the official awards, and after the stand-still signs the contract; the team reports
the first milestone with photos and the recipients served; the official assigns the third-party
evaluator and asks a sample of recipients by SMS; each opens the link on a phone and confirms;
the evaluator inspects (every indicator measured, a photo and its score); the official accepts
and pays. zh-Hans, 1280x900 (the team's report from a phone, 390x844); every
page reads like a product and none scrolls sideways.

The fixture creates the people (official, team with its assessed capability, three experts) and
the incident; after it nothing but the browser acts. Time is moved with time_machine (the live
server runs in this process): past the tender deadline, then past the stand-still.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert
from procurement.models import Milestone, Project
from tests.coordination.factories import IncidentFactory
from tests.e2e.test_journey_register import pick_region
from tests.procurement.factories import bidder, expert_user
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product
from tests.registry.factories import OrganizationFactory, org_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
LOCAL = "%Y-%m-%dT%H:%M"


def local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime(LOCAL)


@pytest.fixture
def people(official, agency):
    team, team_admin = bidder(name="芦山县蓝天救援队", region_code="511826")
    experts = [expert_user() for _ in range(3)]
    incident = IncidentFactory(title="芦山地震", lead_agency=agency, status="responding")
    evaluator = OrganizationFactory(kind="evaluator", name="雅安市安澜社会服务评估中心")
    return {
        "evaluator": evaluator,
        "evaluator_user": org_user(evaluator),
        "official": official,
        "team": team,
        "team_admin": team_admin,
        "experts": experts,
        "incident": incident,
    }


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
    assert page.locator(".messages .error").count() == 0, page.inner_text(".messages")


def photo(name: str, colour: tuple[int, int, int]) -> dict:
    """A real (tiny) JPEG, so the page shows a picture."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (96, 72), colour).save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_an_emergency_purchase_from_plan_to_payment(browser_page, people, screenshot):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    base = page.base_url
    official, team_admin, experts = people["official"], people["team_admin"], people["experts"]

    # 1. The official plans the purchase and publishes it.
    login(page, official)
    page.goto(base + "/procurements/")
    readable(page)
    page.click("[data-testid=new-project]")
    readable(page)
    deadline = timezone.now() + dt.timedelta(hours=3)
    page.fill("input[name=title]", "芦山县安置点心理援助服务")
    page.select_option("select[name=category]", "recovery_reconstruction")
    page.select_option("select[name=method]", "emergency")
    page.fill("input[name=budget_amount]", "150000")
    pick_region(page, "region_code", "芦山", "四川省 雅安市 芦山县")
    page.fill("input[name=tender_end]", local(deadline))
    page.fill("textarea[name=description]", "为安置点居民提供心理援助。")
    page.select_option("select[name=incident]", label="芦山地震")
    page.select_option("select[name=eligibility_specialty]", "building_collapse")
    page.select_option("select[name=eligibility_min_grade]", "2")
    page.fill("input[name=standards-0-indicator]", "服务人次")
    page.fill("input[name=standards-0-target]", "300")
    page.fill("input[name=standards-0-unit]", "人次")
    page.select_option("select[name=standards-0-verification]", "beneficiary_sampling")
    page.fill("input[name=standards-0-sample_size]", "2")
    page.click("[data-rows=standards] [data-add-row]")
    page.fill("input[name=standards-1-indicator]", "满意度")
    page.fill("input[name=standards-1-target]", "90")
    page.fill("input[name=standards-1-unit]", "%")
    page.select_option("select[name=standards-1-verification]", "third_party")
    screenshot(page, "journey-procurement-plan")
    page.click("[data-testid=project-form] button[type=submit]")
    page.wait_for_selector("[data-testid=project-actions]")
    readable(page)
    assert "应急采购没有最短期限" in page.inner_text("[data-testid=minimum-period]")
    project = Project.objects.get()
    assert project.service_standards.count() == 2
    page.click("form[data-action=publish] button")
    page.wait_for_selector(".messages .success")
    readable(page)
    assert "招标中" in page.inner_text("main")

    # 2. The team finds the tender among those it may bid on and sends a sealed bid.
    login(page, team_admin)
    page.goto(base + "/procurements/tenders/")
    readable(page)
    page.click(f"[data-testid=tenders] a[href='/procurements/{project.pk}/bid/']")
    readable(page)
    page.fill("input[name=price]", "120000")
    page.fill("input[name=team_size]", "8")
    page.fill("textarea[name=proposal]", "每周三次驻点，心理咨询师两名。")
    page.click("[data-testid=bid-form] button[type=submit]")
    page.wait_for_selector("[data-testid=my-bid]")
    readable(page)
    assert "¥120,000" in page.inner_text("[data-testid=my-bid]")

    # 3. After the deadline the official opens the bids and draws the panel.
    after_deadline = time_machine.travel(deadline + dt.timedelta(minutes=5), tick=True)
    after_deadline.start()
    try:
        login(page, official)
        page.goto(base + f"/procurements/{project.pk}/")
        readable(page)
        page.click("form[data-action=open] button")
        page.wait_for_selector(".messages .success")
        readable(page)
        assert "每周三次驻点" in page.inner_text("[data-testid=bids]")
        page.fill("form[data-action=panel] input[name=size]", "3")
        page.click("form[data-action=panel] button")
        page.wait_for_selector(".messages .success")
        readable(page)

        # 4. Each expert scores from 我的评审, declaring no conflict of interest.
        for expert in experts:
            login(page, expert)
            page.goto(base + "/procurements/panels/")
            readable(page)
            page.click(f"[data-testid=panels] a[href='/procurements/{project.pk}/score/']")
            readable(page)
            for cell in page.locator("[data-testid=score-form] input[name^=s_]").all():
                cell.fill("25")
            page.check("input[name=declaration]")
            if expert == experts[0]:
                screenshot(page, "journey-procurement-score")
            page.click("[data-testid=score-form] button[type=submit]")
            page.wait_for_selector(".messages .success")
            readable(page)

        # 5. The official sees the ranking and awards.
        login(page, official)
        page.goto(base + f"/procurements/{project.pk}/")
        readable(page)
        assert "芦山县蓝天救援队" in page.inner_text("[data-testid=ranking]")
        page.click("form[data-action=award] button")
        page.wait_for_selector("[data-testid=award]")
        readable(page)
        standstill_end = project.awards.get().standstill_ends_at
    finally:
        after_deadline.stop()

    # 6. After the stand-still the official signs the contract (two milestones, 40 % + 60 %).
    signed = time_machine.travel(standstill_end + dt.timedelta(hours=1), tick=True)
    signed.start()
    try:
        login(page, official)
        page.goto(base + f"/procurements/{project.pk}/")
        readable(page)
        page.click("[data-action=contract]")
        readable(page)
        page.click("[data-testid=contract-form] button[type=submit]")
        page.wait_for_selector("[data-testid=contract]")
        readable(page)
        milestone = Milestone.objects.order_by("due_at").first()

        # 7. The team reports the first milestone with photos, from a phone on site.
        page.set_viewport_size({"width": 390, "height": 844})
        login(page, team_admin)
        page.goto(base + f"/procurements/{project.pk}/")
        page.click(f"[data-milestone='{milestone.pk}'] a[href='/milestones/{milestone.pk}/']")
        readable(page)
        page.fill("form#report textarea[name=summary]", "完成第一阶段驻点服务，服务居民320人次。")
        reported = page.locator("form#report input[name^=v_]").all()  # 服务人次, 满意度
        reported[0].fill("320")
        reported[1].fill("95")
        page.set_input_files(
            "form#report input[name=evidence]",
            files=[photo("site-1.jpg", (40, 120, 200)), photo("site-2.jpg", (200, 140, 40))],
        )
        page.fill("form#report input[name=taken_at]", local(timezone.now() - dt.timedelta(hours=2)))
        page.fill(
            "form#report textarea[name=recipients]",
            "居民甲 13908350001\n居民乙 13908350002\n居民丙 13908350003",
        )
        page.click("form#report button[type=submit]")
        page.wait_for_selector("[data-testid=reports] .evidence-list img")
        readable(page)
        screenshot(page, "journey-procurement-phone-report")
        page.set_viewport_size({"width": 1280, "height": 900})

        # 8. The official cannot accept yet (no inspection): the page says why. They assign the
        # third-party evaluator and ask a sample of the recipients to confirm by SMS.
        login(page, official)
        page.goto(base + f"/milestones/{milestone.pk}/")
        readable(page)
        assert page.locator("form#accept").count() == 0
        assert "检查" in page.inner_text("[data-testid=why-not] [data-reason=accept]")
        page.select_option(
            "form#assign_evaluator select[name=organization]", str(people["evaluator"].pk)
        )
        page.click("form#assign_evaluator button[type=submit]")
        page.wait_for_selector("[data-testid=evaluator]")
        readable(page)
        page.click("form#sample button[type=submit]")
        page.wait_for_selector("[data-testid=confirmations]")
        readable(page)
        links = [
            alert.template_params["url"]
            for alert in Alert.objects.filter(template="procurement_confirm")
        ]
        assert len(links) == 2  # the indicator's sample size, of the three served

        # 9. Each sampled recipient opens the SMS link on a phone and confirms, once.
        page.set_viewport_size({"width": 390, "height": 844})
        page.context.clear_cookies()
        for link in links:
            page.goto(base + link[link.index("/c/") :])
            readable(page)
            page.click("button[data-answer=confirmed]")
            page.wait_for_selector("[data-testid=answered]")
            readable(page)
        screenshot(page, "journey-procurement-recipient-confirms")
        page.set_viewport_size({"width": 1280, "height": 900})

        # 10. The evaluator inspects: every indicator measured, a photo and its score.
        login(page, people["evaluator_user"])
        page.goto(base + f"/milestones/{milestone.pk}/")
        readable(page)
        measured = page.locator("form#inspect input[name^=m_]").all()  # 服务人次, 满意度
        measured[0].fill("320")
        measured[1].fill("95")
        page.fill("form#inspect textarea[name=notes]", "现场核查：驻点服务属实。")
        page.fill("form#inspect input[name=third_party_score]", "92")
        page.set_input_files(
            "form#inspect input[name=photos]", files=[photo("inspect.jpg", (60, 160, 80))]
        )
        page.click("form#inspect button[type=submit]")
        page.wait_for_selector("[data-testid=inspections]")
        readable(page)
        inspections = page.inner_text("[data-testid=inspections]")
        assert "92" in inspections and "雅安市安澜社会服务评估中心" in inspections
        assert "确认 2 人" in page.inner_text("[data-testid=inspection-confirmations]")

        # 11. The official accepts on the inspection's measurements and pays.
        login(page, official)
        page.goto(base + f"/milestones/{milestone.pk}/")
        readable(page)
        page.fill("form#accept textarea[name=recipients]", "居民甲\n居民乙\n居民丙")
        page.click("form#accept button[type=submit]")
        page.wait_for_selector("[data-testid=acceptances]")
        readable(page)
        assert "已验收" in page.inner_text("main")
        page.click("form#pay button[type=submit]")
        page.wait_for_selector(".messages .success")
        readable(page)
        assert "已付款" in page.inner_text("main")

        page.goto(base + f"/procurements/{project.pk}/")
        readable(page)
        contract = page.inner_text("[data-testid=contract]")
        assert "¥48,000" in contract  # 40 % of ¥120,000 paid
        assert "居民甲" not in page.inner_text("main")
        screenshot(page, "journey-procurement")
    finally:
        signed.stop()
    milestone.refresh_from_db()
    assert milestone.status == "paid"
