"""Joint meetings (联席会议): convened by an agency, minutes and attendance, attachments,
decisions that open follow-up items and tasks, and a per-member record of what is owed and met."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coordination.models import Task
from preparedness import services
from preparedness.models import FollowUp, Meeting
from tests.coordination.factories import IncidentFactory
from tests.preparedness.flow import due
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%minimal\n"


@pytest.fixture
def meeting(official, ngo, other_ngo):
    return services.convene_meeting(
        by=official,
        title="汛期联席会议",
        region_code="511826",
        held_at=timezone.now(),
        agenda="一、汛前准备\n二、物资储备",
        members=[ngo.pk, other_ngo.pk],
    )


def test_official_convenes_a_meeting_through_the_api(api, official, ngo, ngo_admin, agency):
    body = {
        "title": "联席会议",
        "region_code": "511826",
        "held_at": timezone.now().isoformat(),
        "agenda": "议程",
        "members": [ngo.pk],
    }
    response = api(official).post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["convener"] == agency.pk
    assert {m["organization"] for m in data["members"]} == {ngo.pk, agency.pk}
    assert data["actions"] == ["minutes", "attach"]
    for who in ("ngo_admin",):
        assert (
            api(ngo.memberships.first().user)
            .post("/api/v1/meetings/", body, format="json")
            .status_code
            == 403
        ), who


def test_decisions_wait_for_the_minutes(api, official, meeting):
    response = api(official).post(
        f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": "各队补充照明"}, format="json"
    )
    assert response.status_code == 409
    response = api(official).post(
        f"/api/v1/meetings/{meeting.pk}/minutes/",
        {"minutes": "会议纪要", "attended": [999]},
        format="json",
    )
    assert response.status_code == 400 and "attended" in response.json()


def test_a_decision_opens_items_and_a_task(api, official, meeting, ngo, other_ngo, ngo_admin):
    incident = IncidentFactory(lead_agency=official.memberships.first().organization)
    api(official).post(
        f"/api/v1/meetings/{meeting.pk}/minutes/",
        {"minutes": "会议纪要", "attended": [ngo.pk]},
        format="json",
    )
    body = {
        "text": "芦山县应急救援队三日内补齐照明设备，并转运物资。",
        "followups": [{"title": "补齐照明设备", "owner": ngo.pk, "due_on": due(3).isoformat()}],
        "incident": incident.pk,
        "task_title": "转运照明设备",
    }
    response = api(official).post(f"/api/v1/meetings/{meeting.pk}/decisions/", body, format="json")
    assert response.status_code == 200, response.json()
    decision = response.json()["decisions"][0]
    task = Task.objects.get(pk=decision["task"])
    assert task.incident_id == incident.pk and task.title == "转运照明设备"
    assert decision["followups"][0]["owner"] == ngo.pk
    record = {
        r["organization"]: r
        for r in api(official).get(f"/api/v1/meetings/{meeting.pk}/record/").json()
    }
    assert record[ngo.pk]["owed"] == 1 and record[ngo.pk]["met"] == 0
    assert record[ngo.pk]["attended"] is True and record[other_ngo.pk]["attended"] is False
    item = FollowUp.objects.get(decision_id=decision["id"])
    services.complete_followup(item=item, by=ngo_admin, note="已补齐")
    record = {
        r["organization"]: r
        for r in api(ngo_admin).get(f"/api/v1/meetings/{meeting.pk}/record/").json()
    }
    assert record[ngo.pk]["owed"] == 0 and record[ngo.pk]["met"] == 1


def test_an_item_owner_must_be_a_member(api, official, meeting, rival_org):
    services.record_minutes(meeting=meeting, by=official, minutes="纪要", attended=[])
    body = {
        "text": "决定",
        "followups": [{"title": "x", "owner": rival_org.pk, "due_on": due().isoformat()}],
    }
    response = api(official).post(f"/api/v1/meetings/{meeting.pk}/decisions/", body, format="json")
    assert response.status_code == 400 and "followups" in response.json()
    assert not meeting.decisions.exists()


@pytest.fixture
def rival_org(db):
    from tests.registry import factories as f

    return f.OrganizationFactory(name="第三支救援队", region_code="511826")


def test_attachments_are_sniffed_and_private(
    api, client, official, meeting, other_ngo_admin, rival_org
):
    url = f"/api/v1/meetings/{meeting.pk}/attachments/"
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = api(official).post(url, {"file": fake}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    pdf = SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf")
    response = api(official).post(url, {"file": pdf, "name": "会议纪要"}, format="multipart")
    assert response.status_code == 200, response.json()
    link = response.json()["attachments"][0]["url"]
    client.force_login(other_ngo_admin)  # a member
    assert client.get(link).status_code == 200
    from tests.registry import factories as f

    outsider = f.org_user(rival_org, "admin")
    client.force_login(outsider)
    assert client.get(link).status_code == 404


def test_meeting_pages_for_the_convener_and_the_members(client, official, meeting, ngo, ngo_admin):
    client.force_login(official)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-action="minutes"' in page and 'data-action="decide"' not in page
    assert_readable_html(page)
    client.post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "纪要", "attended": [ngo.pk]})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MINUTED
    client.post(
        f"/meetings/{meeting.pk}/decisions/",
        {
            "text": "补齐照明",
            "item_title": "补齐照明设备",
            "item_owner": ngo.pk,
            "item_due_on": due().isoformat(),
        },
    )
    assert FollowUp.objects.get(decision__meeting=meeting).owner_id == ngo.pk
    client.force_login(ngo_admin)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "补齐照明设备" in page and 'data-action="' not in page
    assert_readable_html(page)


@pytest.mark.parametrize("rows", [5, 50])
def test_meeting_reads_cost_a_fixed_number_of_queries(
    rows, api, client, official, meeting, ngo, django_assert_max_num_queries
):
    services.record_minutes(meeting=meeting, by=official, minutes="纪要", attended=[])
    for i in range(rows // 5):
        services.record_decision(
            meeting=meeting,
            by=official,
            text=f"决定{i}",
            followups=[
                {"title": f"事项{i}-{j}", "owner": ngo.pk, "due_on": due()} for j in range(5)
            ],
        )
    with django_assert_max_num_queries(12):
        assert api(official).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert api(official).get("/api/v1/meetings/").status_code == 200
    client.force_login(official)
    with django_assert_max_num_queries(30):
        assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/meetings/").status_code == 200


def test_reminder_before_a_decisions_due_date(official, meeting, ngo, settings):
    services.record_minutes(meeting=meeting, by=official, minutes="纪要", attended=[])
    services.record_decision(
        meeting=meeting,
        by=official,
        text="决定",
        followups=[{"title": "事项", "owner": ngo.pk, "due_on": due(1)}],
    )
    assert services.remind_due_followups() == 1
    assert services.remind_due_followups(now=timezone.now() + dt.timedelta(days=1)) == 0
