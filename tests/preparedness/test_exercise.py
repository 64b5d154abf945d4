"""An exercise (a drill's incident) never reaches the public pages, the public figures, the
ledger or a non-participant; its alerts are marked 【演练】 and CAP status Exercise."""

import datetime as dt

import pytest
from django.utils import timezone
from lxml import etree

from alerts.cap import build_cap
from alerts.models import Alert, Delivery
from coordination.models import Incident
from coordination.queries import dashboard_counts
from preparedness import services
from tests.coordination.factories import IncidentFactory, TaskFactory
from tests.donations import factories as df
from tests.preparedness.flow import plan_drill
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(official, ngo):
    return plan_drill(official, ngo)


def test_a_drill_runs_on_an_exercise_incident_that_mobilizes_nobody(drill, ngo_admin):
    incident = drill.incident
    assert incident.is_exercise
    # only the participants hear about the drill, marked as an exercise
    alerts = list(Alert.objects.filter(incident_ref__id=incident.pk))
    assert alerts and all(a.is_exercise and not a.public for a in alerts)
    assert all(a.title.startswith("【演练】") for a in alerts)
    assert not Alert.objects.filter(alert_type="mobilization").exists()


def test_the_public_never_sees_an_exercise(drill, api, client):
    real = IncidentFactory(title="真实地震")
    listed = [i["id"] for i in api().get("/api/v1/incidents/").json()["results"]]
    assert real.pk in listed and drill.incident_id not in listed
    assert api().get(f"/api/v1/incidents/{drill.incident_id}/").status_code == 404
    page = client.get("/incidents/").content.decode()
    assert "真实地震" in page and drill.title not in page
    assert client.get(f"/incidents/{drill.incident_id}/").status_code == 404
    assert client.get("/").content.decode().count(drill.title) == 0


def test_the_3w_of_an_exercise_is_for_its_participants_only(
    drill, api, official, ngo_admin, other_ngo_admin
):
    """The 3W looks its incident up by the same visibility rule as the incident (a compiled
    lookup for anonymous readers): 404 for the public and non-participants, rows for the
    officials and the participants; a malformed or unknown id is a 404, not a 500."""
    TaskFactory(incident=drill.incident, organization=drill.participants.first(), status="assigned")
    path = f"/api/v1/incidents/{drill.incident_id}/3w/"
    for _ in range(2):  # the second anonymous request reuses the compiled lookup
        assert api().get(path).status_code == 404
    assert api(other_ngo_admin).get(path).status_code == 404
    for user in (official, ngo_admin):
        response = api(user).get(path)
        assert response.status_code == 200 and len(response.json()) == 1
    real = IncidentFactory(title="真实地震")
    assert api().get(f"/api/v1/incidents/{real.pk}/3w/").json() == []
    for bad in ("x1", "99999999", "1" * 30):
        assert api().get(f"/api/v1/incidents/{bad}/3w/").status_code == 404


def test_public_figures_do_not_count_an_exercise(official, ngo):
    before = dashboard_counts()
    drill = plan_drill(official, ngo)
    TaskFactory(incident=drill.incident)
    assert dashboard_counts() == before


def test_tasks_of_an_exercise_are_not_public(drill, api, official, ngo_admin, other_ngo_admin):
    task = TaskFactory(incident=drill.incident)
    assert task.pk not in [t["id"] for t in api().get("/api/v1/tasks/").json()["results"]]
    assert api().get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert api(other_ngo_admin).get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert api(ngo_admin).get(f"/api/v1/tasks/{task.pk}/").status_code == 200
    assert api(official).get(f"/api/v1/tasks/{task.pk}/").status_code == 200


def test_officials_and_participants_see_the_exercise_marked(
    drill, api, client, official, ngo_admin, other_ngo_admin
):
    body = api(official).get(f"/api/v1/incidents/{drill.incident_id}/").json()
    assert body["is_exercise"] is True
    assert api(ngo_admin).get(f"/api/v1/incidents/{drill.incident_id}/").status_code == 200
    assert api(other_ngo_admin).get(f"/api/v1/incidents/{drill.incident_id}/").status_code == 404
    client.force_login(ngo_admin)
    page = client.get(f"/incidents/{drill.incident_id}/").content.decode()
    assert "data-exercise" in page and "演练" in page
    client.force_login(official)
    listed = client.get("/incidents/").content.decode()
    assert drill.title in listed and "data-exercise" in listed
    assert_readable_html(listed)


def test_an_inject_reaches_participants_only_with_the_exercise_prefix(
    drill, official, ngo_admin, other_ngo_admin, agency
):
    services.add_inject(
        drill=drill,
        by=official,
        deliver_at=timezone.now() + dt.timedelta(minutes=5),
        title="余震：学校二次坍塌",
        body="请立即撤出。",
    )
    services.run_drill(drill=drill, by=official)
    assert services.deliver_due_injects() == 0  # not yet due
    later = timezone.now() + dt.timedelta(minutes=6)
    assert services.deliver_due_injects(now=later) == 1
    assert services.deliver_due_injects(now=later) == 0  # once
    alert = Alert.objects.get(title__contains="余震")
    assert alert.title == "【演练】余震：学校二次坍塌"
    assert alert.is_exercise and not alert.public
    people = set(Delivery.objects.filter(alert=alert).values_list("user_id", flat=True))
    assert ngo_admin.pk in people and official.pk in people
    assert other_ngo_admin.pk not in people
    drill.refresh_from_db()
    inject = drill.injects.get()
    assert inject.status == "sent" and inject.alert_id == alert.pk


def test_any_alert_about_an_exercise_is_held_to_its_participants(
    drill, other_ngo, other_ngo_admin, ngo, ngo_admin
):
    from alerts.services import notify
    from coordination.services.alerting import incident_ref

    alert = notify(
        title="真实动员",
        audience={"organizations": [ngo.pk, other_ngo.pk]},
        incident_ref=incident_ref(drill.incident),
        public=True,
    )
    assert alert.is_exercise and not alert.public and alert.title.startswith("【演练】")
    people = set(Delivery.objects.filter(alert=alert).values_list("user_id", flat=True))
    assert ngo_admin.pk in people and other_ngo_admin.pk not in people
    cap = etree.fromstring(build_cap(alert))
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert cap.find("cap:status", ns).text == "Exercise"


def test_a_real_alert_cannot_name_an_exercise_incident(drill, api, official):
    body = {
        "title": "撤离通知",
        "level": "red",
        "audience": {"organizations": [drill.participants.first().pk]},
        "channels": ["in_app"],
        "incident": drill.incident_id,
    }
    response = api(official).post("/api/v1/alerts/", body, format="json")
    assert response.status_code == 400 and "incident" in response.json()
    response = api(official).post(
        "/api/v1/alerts/", {**body, "exercise": True, "public": True}, format="json"
    )
    assert response.status_code == 400 and "public" in response.json()
    response = api(official).post("/api/v1/alerts/", {**body, "exercise": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_exercise"] is True
    real = IncidentFactory()
    response = api(official).post(
        "/api/v1/alerts/", {**body, "exercise": True, "incident": real.pk}, format="json"
    )
    assert response.status_code == 400 and "exercise" in response.json()
    assert not Alert.objects.filter(title="撤离通知", is_exercise=False).exists()


def test_the_ledger_refuses_an_exercise_incident(drill, api):
    charity = df.foundation(name="四川同舟公益基金会")
    writer = df.writer(charity)
    body = {
        "donor_name": "张三",
        "donor_kind": "individual",
        "channel": "bank_transfer",
        "amount": "1200.00",
        "receipt_number": "川捐-0001",
        "incident": drill.incident_id,
    }
    response = api(writer).post("/api/v1/ledger/receipts/", body, format="json")
    assert response.status_code == 400
    assert "incident" in response.json()
    from donations.models import LedgerEntry

    assert not LedgerEntry.objects.exists()
    real = IncidentFactory()
    ok = api(writer).post("/api/v1/ledger/receipts/", {**body, "incident": real.pk}, format="json")
    assert ok.status_code == 201, ok.json()


def test_the_incident_closes_with_the_drill_end(drill, official):
    services.run_drill(drill=drill, by=official)
    services.end_drill(drill=drill, by=official)
    assert Incident.objects.get(pk=drill.incident_id).status == Incident.Status.CLOSED


def test_needs_and_track_records_leave_the_exercise_out(drill, api, ngo, official):
    from coordination.queries import track_record
    from tests.coordination.factories import NeedFactory

    need = NeedFactory(incident=drill.incident)
    assert api().get(f"/api/v1/needs/{need.pk}/").status_code == 404
    assert api(official).get(f"/api/v1/needs/{need.pk}/").status_code == 200
    TaskFactory(incident=drill.incident, organization=ngo, status="verified")
    assert track_record(ngo.pk) == {"completed": 0, "verified": 0}


def test_procurement_and_the_ledger_forms_never_offer_an_exercise(drill, api, official, client):
    """A purchase of services is public: an exercise incident is refused (400 on ``incident``)
    and the plan and ledger forms do not list it."""
    from procurement.models import Project
    from tests.procurement.flow import project_payload

    body = project_payload(incident=drill.incident_id)
    response = api(official).post("/api/v1/procurements/", body, format="json")
    assert response.status_code == 400 and "incident" in response.json()
    assert not Project.objects.exists()
    real = IncidentFactory(title="真实地震", status="responding")
    ok = api(official).post(
        "/api/v1/procurements/", project_payload(incident=real.pk), format="json"
    )
    assert ok.status_code == 201, ok.json()
    from donations.forms import ReceiptForm
    from procurement.forms import ProjectForm

    offered = set(ProjectForm().fields["incident"].queryset.values_list("pk", flat=True))
    assert real.pk in offered and drill.incident_id not in offered
    offered = set(ReceiptForm().fields["incident"].queryset.values_list("pk", flat=True))
    assert real.pk in offered and drill.incident_id not in offered
