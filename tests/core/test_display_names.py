"""People are shown to others by display name and role, never by username (usernames of officials
and experts are half a credential: issue "Hardening, round two", item 5)."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import audit
from core.display import display_name
from core.roles import Role
from tests.coordination.factories import IncidentFactory
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_a_named_official_is_shown_with_organization_and_role(official):
    official.first_name = "王建国"
    official.save()
    assert display_name(official) == "王建国（雅安市应急管理局 · 政府工作人员）"


def test_without_a_name_the_organization_and_role_stand_in(official, expert):
    assert display_name(official) == "雅安市应急管理局 政府工作人员"
    assert display_name(expert) == "四川省评审专家库 评审专家"
    assert official.username not in display_name(official)


def test_the_most_official_membership_is_shown(official, ngo):
    f.MembershipFactory(user=official, organization=ngo, role=Role.MEMBER)
    assert display_name(official) == "雅安市应急管理局 政府工作人员"


def test_people_without_a_membership_get_a_neutral_label():
    assert display_name(f.UserFactory(username="lonely")) == "平台用户"
    staff = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    assert display_name(staff) == "平台管理员"
    assert display_name(None) == ""


def test_the_public_incident_history_shows_no_username(client, official):
    incident = IncidentFactory()
    audit.record(
        actor=official,
        action="incident.escalated",
        target=incident,
        region_code=incident.region_code,
        from_status="responding",
        to_status="responding",
    )
    page = client.get(f"/incidents/{incident.pk}/?tab=history")
    assert page.status_code == 200
    html = page.content.decode()
    assert "incident.escalated" not in html  # a sentence, not the action's code
    assert f"雅安市应急管理局 将 {incident.title} 从" in html
    assert official.username not in html
    assert "雅安市应急管理局 政府工作人员" in html


def test_the_audit_api_names_the_actor_by_display_name(api, official, ngo):
    audit.record(actor=official, action="organization.verified", target=ngo, region_code="511826")
    rows = api(official).get("/api/v1/audit/").json()["results"]
    assert rows[0]["actor"] == "雅安市应急管理局 政府工作人员"
    assert all(official.username not in str(row) for row in rows)


def test_the_history_loads_every_actors_role_in_one_query(ngo):
    agency = f.AgencyFactory(name="某县应急管理局", region_code="511826")

    def queries_for(n: int) -> int:
        target = f.OrganizationFactory(region_code="511826")
        for i in range(n):
            user = f.UserFactory(username=f"actor{n}-{i}")
            f.MembershipFactory(user=user, organization=agency, role=Role.OFFICIAL)
            audit.record(actor=user, action="organization.updated", target=target)
        template = Template("{% load tongzhou %}{% history obj %}")
        with CaptureQueriesContext(connection) as ctx:
            html = template.render(Context({"obj": target}))
        assert html.count("某县应急管理局 政府工作人员") == n
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(8)


def test_task_reports_name_the_reporter_by_display_name(api, client, official, ngo, ngo_admin):
    from django.utils import timezone

    from tests.coordination.factories import TaskFactory

    incident = IncidentFactory(lead_agency=official.memberships.get().organization)
    task = TaskFactory(
        incident=incident, organization=ngo, status="in_progress", assigned_at=timezone.now()
    )
    filed = api(ngo_admin).post(f"/api/v1/tasks/{task.pk}/report/", {"summary": "已转移 12 人"})
    assert filed.status_code == 201, filed.json()
    label = "芦山县应急救援队 组织管理员"
    assert filed.json()["filed_by"] == label
    listed = api(official).get(f"/api/v1/tasks/{task.pk}/reports/")
    assert listed.json()[0]["filed_by"] == label
    client.force_login(official)
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "已转移 12 人" in html and label in html
    assert ngo_admin.username not in html
