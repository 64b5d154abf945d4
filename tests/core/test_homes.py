"""The home at /: what each role has to do now, the navigation of each role, the phone menu."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, Channel, Delivery
from coordination.models import Deployment
from core.roles import Role
from tests.caching import empty_cache
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    NeedFactory,
    TaskFactory,
    TaskReportFactory,
    ready_organization,
)
from tests.readable import assert_readable_html, visible_text
from tests.registry.factories import (
    CapabilityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def home(client, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert_readable_html(response.content)
    return response.content.decode()


# A signed-in home: this app's items and those of every other app's ``work_queue``; the tests
# below hold the count equal for 5 and 50 rows, under a ceiling that leaves room for the
# procurement and donations items (42: community's organization item reads the current
# capabilities and the newest confirmed routine needs).
BUDGET = 42


def queries_of(client) -> int:
    """Queries of one home page, with a cold cache (the ledger's totals are cached per chain
    head, so a warm second page would look cheaper than the first)."""
    empty_cache()
    with CaptureQueriesContext(connection) as queries:
        home(client)
    return len(queries)


def item(html: str, key: str) -> tuple[int, str]:
    """(count, link) of the queue item ``key``."""
    found = re.search(
        rf'data-key="{key}"><a href="([^"]+)">\s*<span class="count">([\d,]+)</span>', html
    )
    assert found, f"no queue item {key}"
    return int(found.group(2).replace(",", "")), found.group(1)


def section(html: str, role: str) -> str:
    start = html.index(f'data-testid="home-{role}"')
    return html[start : html.index("</section>", start)]


# --- the public ------------------------------------------------------------------------------


def test_the_public_sees_active_incidents_open_needs_with_gaps_and_public_alerts(client, agency):
    active = IncidentFactory(title="芦山地震", lead_agency=agency)
    IncidentFactory(title="去年的洪涝", lead_agency=agency, status="closed")
    NeedFactory(incident=active, description="帐篷", quantity=100, unit="顶")
    TaskFactory(incident=active, need=active.needs.get(), quantity_committed=40)
    NeedFactory(incident=active, description="未确认的需求", confirmed_at=None)
    Alert.objects.create(title="暴雨红色预警", level="red", public=True, region_code="511826")
    Alert.objects.create(title="内部通知", public=False)
    html = home(client)
    text = visible_text(html)
    incidents = html[html.index('data-testid="home-incidents"') :]
    assert "芦山地震" in incidents.split("</table>")[0]
    assert "去年的洪涝" not in incidents.split("</table>")[0]
    needs = html[html.index('data-testid="home-needs"') :].split("</table>")[0]
    assert "帐篷" in needs and "缺 60 顶（共 100 顶）" in needs
    assert "未确认的需求" not in needs
    assert "暴雨红色预警" in text and "内部通知" not in text
    assert "四川省 雅安市 芦山县" in text
    assert 'data-testid="home-official"' not in html


def test_the_public_home_costs_the_same_for_5_and_50_rows(client, agency):
    spent = []
    for count in (5, 50):
        for _ in range(count - Deployment.objects.count()):
            incident = IncidentFactory(lead_agency=agency)
            NeedFactory(incident=incident)
            DeploymentFactory(incident=incident)
            Alert.objects.create(title="预警", public=True)
        spent.append(queries_of(client))
    assert spent[0] == spent[1] <= 16, spent  # 14 + the ledger panel's books on a cold cache


# --- officials -------------------------------------------------------------------------------


def test_an_official_sees_their_jurisdictions_queue_oldest_first(
    client, official, agency, ngo, ngo_admin, second_official
):
    incident = IncidentFactory(lead_agency=agency)
    elsewhere = IncidentFactory(region_code="440100", lead_agency=agency)
    first = DeploymentFactory(incident=incident, status="filed")
    DeploymentFactory(incident=incident, status="held")
    DeploymentFactory(incident=incident, status="approved")
    DeploymentFactory(incident=elsewhere, status="filed")
    NeedFactory(incident=incident, confirmed_at=None)
    NeedFactory(incident=elsewhere, confirmed_at=None)
    OrganizationFactory(status="pending", region_code="511826")
    OrganizationFactory(status="pending", region_code="440100")
    done = TaskFactory(incident=incident, organization=ngo, status="completed", title="清理废墟")
    TaskReportFactory(task=done)
    alert = Alert.objects.create(title="转移通知", region_code="511826", created_by=second_official)
    Delivery.objects.create(
        alert=alert, user=ngo_admin, channel=Channel.SMS, status=Delivery.Status.FAILED
    )
    html = home(client, official)
    assert item(html, "filings") == (
        2,
        f"/incidents/{first.incident_id}/?tab=deployments",
    )
    assert item(html, "needs")[0] == 1
    assert item(html, "verification") == (1, "/verification/")
    assert item(html, "verify") == (1, f"/tasks/{done.pk}/")
    assert item(html, "undelivered") == (1, f"/alerts/{alert.pk}/")
    part = section(html, "official")
    assert "清理废墟" in part and f"最早：{first.organization.name}" in part
    assert 'data-testid="home-organization"' not in html


def test_an_official_with_nothing_waiting_sees_each_item_done(client, official):
    html = home(client, official)
    official_part = section(html, "official")
    assert "已全部处理" in official_part
    assert item(html, "filings")[0] == 0 and 'class="done"' in official_part


def test_an_official_elsewhere_does_not_see_this_jurisdictions_work(
    client, outside_official, agency
):
    DeploymentFactory(incident=IncidentFactory(lead_agency=agency), status="filed")
    assert item(home(client, outside_official), "filings")[0] == 0


def test_the_officials_home_costs_the_same_for_5_and_50_rows(client, official, agency, ngo):
    incident = IncidentFactory(lead_agency=agency)
    client.force_login(official)
    spent = []
    for count in (5, 50):
        for _ in range(count - Deployment.objects.count()):
            DeploymentFactory(incident=incident, status="filed")
            NeedFactory(incident=incident, confirmed_at=None)
            OrganizationFactory(status="pending")
            TaskFactory(incident=incident, organization=ngo, status="completed")
        spent.append(queries_of(client))
        assert item(home(client), "filings")[0] == count
    assert spent[0] == spent[1] <= BUDGET, spent


# --- organizations ---------------------------------------------------------------------------


def test_a_team_sees_tasks_it_could_take_its_filings_and_its_tasks_in_hand(
    client, agency, ngo, ngo_admin
):
    incident = IncidentFactory(lead_agency=agency)
    CapabilityFactory(organization=ngo, specialty="building_collapse", declared_grade=2)
    fits = TaskFactory(incident=incident, title="倒塌搜救", min_grade=2)
    TaskFactory(incident=incident, specialty="mountain_rescue", title="山地搜救")
    TaskFactory(incident=incident, min_grade=1, title="一级任务")
    TaskFactory(
        incident=IncidentFactory(region_code="440100", lead_agency=agency), region_code="440100"
    )
    TaskFactory(incident=incident, specialty="", min_grade=None, title="人人可做")
    DeploymentFactory(incident=incident, organization=ngo, status="filed")
    held = TaskFactory(incident=incident, organization=ngo, status="accepted", title="搬运物资")
    Delivery.objects.create(
        alert=Alert.objects.create(title="请注意"),
        user=ngo_admin,
        channel=Channel.IN_APP,
        status=Delivery.Status.SENT,
    )
    html = home(client, ngo_admin)
    assert item(html, "open_tasks") == (2, f"/tasks/{fits.pk}/")
    assert item(html, "filings") == (1, f"/incidents/{incident.pk}/?tab=deployments")
    assert item(html, "in_hand") == (1, "/tasks/mine/")
    assert item(html, "unread")[0] == 1
    part = section(html, "organization")
    assert "搬运物资 的下一步：到达现场后开始工作并提交首次报告" in part
    assert held.title in part and "芦山县应急救援队" in part


def test_the_teams_home_costs_the_same_for_5_and_50_rows(client, agency, ngo, ngo_admin):
    incident = IncidentFactory(lead_agency=agency)
    ready_organization(incident, ngo)
    client.force_login(ngo_admin)
    spent = []
    for count in (5, 50):
        while Deployment.objects.filter(organization=ngo).count() < count:
            other = IncidentFactory(lead_agency=agency)
            DeploymentFactory(incident=other, organization=ngo, status="filed")
            TaskFactory(incident=incident)
            TaskFactory(incident=incident, organization=ngo, status="in_progress")
        spent.append(queries_of(client))
        assert item(home(client), "in_hand")[0] == count - 1
    assert spent[0] == spent[1] <= BUDGET, spent


def test_a_person_with_two_roles_sees_both_sections(client, official, ngo):
    MembershipFactory(user=official, organization=ngo, role=Role.MEMBER)
    html = home(client, official)
    assert html.index('data-testid="home-official"') < html.index('data-testid="home-organization"')


def test_a_role_another_app_reports_gets_its_own_section(client, monkeypatch, expert):
    """Experts' panels and charities' ledgers come from procurement's and donations' hooks."""
    config = apps.get_app_config("procurement")
    queue = [
        {
            "role": "expert",
            "key": "panels",
            "label": "待评分的评审",
            "count": 2,
            "url": "/procurements/",
            "oldest": timezone.now(),
            "hint": "截止时间临近",
        }
    ]
    monkeypatch.setattr(config, "work_queue", lambda user: queue, raising=False)
    html = home(client, expert)
    part = section(html, "expert")
    assert "评审工作" in part and "待评分的评审" in part and "截止时间临近" in part
    assert item(html, "panels") == (2, "/procurements/")


def test_a_signed_in_person_without_a_role_is_told_so(client):
    html = home(client, UserFactory())
    assert 'data-testid="home-empty"' in html


# --- navigation and the phone menu ------------------------------------------------------------


def test_each_role_gets_its_places_in_the_navigation(client, official, ngo_admin, ngo):
    nav = home(client, official).split("</nav>")[0]
    assert 'data-nav="verification"' in nav and 'data-nav="alert_new"' in nav
    assert 'data-nav="my_tasks"' not in nav
    nav = home(client, ngo_admin).split("</nav>")[0]
    assert 'data-nav="my_tasks"' in nav and f'href="/organizations/{ngo.pk}/"' in nav
    assert 'data-nav="verification"' not in nav
    client.logout()
    nav = home(client).split("</nav>")[0]
    assert 'class="mine"' not in nav


def test_the_header_shows_the_display_name_not_the_username(client, official):
    official.first_name, official.last_name = "志远", "陈"
    official.save()
    html = home(client, official)
    header = visible_text(html.split("<header", 1)[1].split("</header>")[0])
    assert "雅安市应急管理局" in header
    assert official.username not in header


def test_the_phone_menu_works_without_javascript(client):
    html = home(client)
    # a checkbox and its label: the stylesheet opens the navigation when it is checked
    assert 'type="checkbox" id="nav-toggle"' in html
    assert '<label for="nav-toggle" class="nav-button"' in html
    assert html.index('id="nav-toggle"') < html.index('class="navbox"')
    css = (settings.BASE_DIR / "static/css/tongzhou.css").read_text(encoding="utf-8")
    assert ".nav-toggle:checked ~ .navbox { display: flex; }" in css
    assert "min-height: 44px" in css
