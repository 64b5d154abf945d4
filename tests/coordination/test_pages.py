"""Pages: the list, the incident tabs, the board, forms and what each persona sees."""

import pytest
from django.utils import timezone

from coordination.models import Incident, Task
from coordination.services import alerting
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    NeedFactory,
    TaskFactory,
    TaskReportFactory,
    ready_organization,
)
from tests.registry.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_active_incidents_first(client, agency):
    IncidentFactory(title="已结束的洪涝", status="closed", lead_agency=agency)
    IncidentFactory(title="正在响应的地震", lead_agency=agency, started_at=timezone.now())
    page = client.get("/incidents/").content.decode()
    assert page.index("正在响应的地震") < page.index("已结束的洪涝")


def test_the_list_costs_the_same_for_5_and_100(client, agency, django_assert_max_num_queries):
    for count in (5, 100):
        IncidentFactory.create_batch(count - Incident.objects.count(), lead_agency=agency)
        with django_assert_max_num_queries(6):
            assert client.get("/incidents/").status_code == 200


@pytest.mark.parametrize("tab", ["overview", "needs", "deployments", "board", "3w", "history"])
def test_every_tab_renders_for_the_public_and_an_official(client, official, incident, tab):
    org = ready_organization(incident)
    need = NeedFactory(incident=incident)
    task = TaskFactory(incident=incident, need=need, organization=org, status="in_progress")
    TaskReportFactory(task=task, beneficiaries="李某 13700000001")
    assert client.get(f"/incidents/{incident.pk}/?tab={tab}").status_code == 200
    client.force_login(official)
    page = client.get(f"/incidents/{incident.pk}/?tab={tab}").content.decode()
    assert "13700000001" not in page


@pytest.mark.parametrize("tab", ["overview", "needs", "deployments", "board", "3w"])
def test_tabs_cost_the_same_for_5_and_100_rows(
    client, official, incident, tab, django_assert_max_num_queries
):
    client.force_login(official)
    org = OrganizationFactory()
    for count in (5, 100):
        existing = Task.objects.count()
        for _ in range(count - existing):
            need = NeedFactory(incident=incident)
            TaskFactory(incident=incident, need=need, organization=org, status="in_progress")
            DeploymentFactory(incident=incident, organization=OrganizationFactory(), status="filed")
        # the overview's map and needs chart (coordination.maps) read needs, filings, tasks; its
        # donations panel reads the chain head (its cache key), and on a cold cache the books
        # (donations.balances.books, which read the head again); liaison's map layer (core.hooks
        # incident_map_layers) reads the confirmed field reports; the insured headcount per area
        # reads filings, rosters and policies (coordination.rosters: 3)
        with django_assert_max_num_queries(26 if tab == "overview" else 18):
            assert client.get(f"/incidents/{incident.pk}/?tab={tab}").status_code == 200


def test_the_board_shows_each_status_column_and_the_holders_buttons(
    client, incident, ngo, ngo_admin
):
    ready_organization(incident, ngo)
    TaskFactory(incident=incident, title="待认领任务")
    TaskFactory(incident=incident, title="已指派任务", organization=ngo, status="assigned")
    client.force_login(ngo_admin)
    page = client.get(f"/incidents/{incident.pk}/?tab=board").content.decode()
    for status in Task.BOARD_ORDER:
        assert f'data-status="{status}"' in page
    assert "待认领任务" in page and "已指派任务" in page
    assert f"/tasks/{Task.objects.get(title='已指派任务').pk}/accept/" in page


def test_an_organization_claims_and_accepts_through_the_pages(client, incident, ngo, ngo_admin):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident)
    client.force_login(ngo_admin)
    response = client.post(f"/tasks/{task.pk}/claim/", {"organization": ngo.pk})
    assert response.status_code == 302
    client.post(f"/tasks/{task.pk}/accept/")
    task.refresh_from_db()
    assert (task.status, task.organization_id) == ("accepted", ngo.pk)
    page = client.get("/tasks/mine/").content.decode()
    assert task.title in page


def test_a_refused_action_shows_a_message_not_an_error_page(client, incident, ngo_admin):
    task = TaskFactory(incident=incident)
    client.force_login(ngo_admin)
    response = client.post(f"/tasks/{task.pk}/accept/", follow=True)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == "open"


def test_an_official_opens_an_incident_through_the_form(client, official):
    client.force_login(official)
    assert client.get("/incidents/new/").status_code == 200
    response = client.post(
        "/incidents/new/",
        {
            "title": "芦山暴雨",
            "kind": "natural_disaster",
            "subtype": "flood",
            "grade": "3",
            "region_code": "511826",
            "started_at": "2026-11-23 08:00",
        },
    )
    assert response.status_code == 302
    assert Incident.objects.get().title == "芦山暴雨"


def test_the_public_may_not_open_the_forms(client, ngo_admin, incident):
    assert client.get("/incidents/new/").status_code == 302
    client.force_login(ngo_admin)
    assert client.get("/incidents/new/").status_code == 403
    assert client.get(f"/incidents/{incident.pk}/tasks/new/").status_code == 403


def test_an_official_walks_a_task_through_the_pages(
    client, official, second_official, incident, ngo, ngo_admin
):
    ready_organization(incident, ngo)
    client.force_login(official)
    response = client.post(
        f"/incidents/{incident.pk}/tasks/new/",
        {
            "title": "搜救",
            "region_code": "511826",
            "priority": "high",
            "quantity_committed": 0,
            "specialty": "building_collapse",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert ngo.name in page  # suggested
    client.post(f"/tasks/{task.pk}/assign/", {"organization": ngo.pk})
    client.force_login(ngo_admin)
    client.post(f"/tasks/{task.pk}/accept/")
    client.post(f"/tasks/{task.pk}/start/")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.coordination.conftest import JPEG

    client.post(
        f"/tasks/{task.pk}/report/",
        {
            "summary": "完成",
            "people_served": 4,
            "quantity_delivered": 0,
            "photo": SimpleUploadedFile("a.jpg", JPEG),
            "taken_at": "2026-11-23 09:00",
        },
    )
    client.post(f"/tasks/{task.pk}/complete/")
    client.force_login(second_official)
    client.post(f"/tasks/{task.pk}/verify/", {"accepted": "yes"})
    task.refresh_from_db()
    assert task.status == "verified"
    assert task.reports.get().photos.count() == 1


def test_panels_from_other_apps_render_on_the_overview(client, incident, monkeypatch):
    from core import hooks

    monkeypatch.setattr(
        hooks,
        "collect",
        lambda name, *args: (
            [{"title": "捐赠", "template": "core/placeholder.html", "context": {}}]
            if name == "incident_panels"
            else []
        ),
    )
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "捐赠" in page


def test_the_hooks_count_incidents_tasks_and_track_record(incident, ngo):
    from django.apps import apps

    TaskFactory(incident=incident)
    TaskFactory(incident=incident, organization=ngo, status="verified")
    config = apps.get_app_config("coordination")
    cards = {str(c["label"]): c["value"] for c in config.dashboard_cards(None)}
    assert list(cards.values()) == [1, 1]
    record = [r["value"] for r in config.organization_track_record(ngo)]
    assert record == [1, 1]


def test_the_link_in_alerts_points_at_the_incident_page(incident):
    assert alerting.incident_link(incident) == f"/incidents/{incident.pk}/"


def test_the_task_page_with_suggestions_costs_the_same_for_5_and_100(
    client, official, incident, django_assert_max_num_queries
):
    task = TaskFactory(incident=incident, min_grade=3)
    client.force_login(official)
    for count in (5, 100):
        while Task.objects.exclude(pk=task.pk).count() < count:
            org = ready_organization(incident)
            TaskFactory(incident=incident, organization=org, status="in_progress")
        with django_assert_max_num_queries(14):
            response = client.get(f"/tasks/{task.pk}/")
        assert response.status_code == 200
        assert len(response.context["suggestions"]) == count


def test_my_tasks_costs_the_same_for_5_and_100(
    client, incident, ngo, ngo_admin, django_assert_max_num_queries
):
    ready_organization(incident, ngo)
    client.force_login(ngo_admin)
    for count in (5, 100):
        TaskFactory.create_batch(
            count - Task.objects.filter(organization=ngo).count(),
            incident=incident,
            organization=ngo,
            status="assigned",
        )
        TaskFactory.create_batch(
            count - Task.objects.filter(status="open").count(), incident=incident
        )
        with django_assert_max_num_queries(10):
            assert client.get("/tasks/mine/").status_code == 200


def test_a_suspended_team_still_sees_and_withdraws_its_filing(client, ngo, ngo_admin):
    """The filings tab shows an organization's own filings whatever its status now, with the
    actions the service accepts (a suspended team may still withdraw)."""
    incident = IncidentFactory(region_code="511826")
    filing = DeploymentFactory(incident=incident, organization=ngo, status="approved")
    ngo.status = "suspended"
    ngo.save(update_fields=["status"])
    client.force_login(ngo_admin)
    html = client.get(f"/incidents/{incident.pk}/?tab=deployments").content.decode()
    assert 'data-testid="filings"' in html
    assert f"/deployments/{filing.pk}/withdraw/" in html
