"""Tasks: eligibility, assignment and claims, the journey to verified, expiry, evidence."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from alerts.models import Alert
from coordination.models import Task
from core.models import AuditEvent
from tests.coordination.conftest import JPEG, PNG
from tests.coordination.factories import DeploymentFactory, TaskFactory, ready_organization
from tests.registry.factories import CapabilityFactory, OrganizationFactory, org_user

pytestmark = pytest.mark.django_db


def post(api, user, task, action, data=None, **kwargs):
    return api(user).post(f"/api/v1/tasks/{task.pk}/{action}/", data or {}, **kwargs)


TASK = {
    "title": "龙门乡倒塌房屋搜救",
    "description": "两栋民房倒塌",
    "specialty": "building_collapse",
    "min_grade": 2,
    "region_code": "511826",
    "priority": "critical",
    "quantity_committed": 0,
}


def test_an_official_creates_an_open_task(api, official, incident):
    response = api(official).post(
        "/api/v1/tasks/", {**TASK, "incident": incident.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open"
    assert AuditEvent.objects.filter(action="task.created", region_code="511826").exists()


@pytest.mark.parametrize("persona", ["outside_official", "ngo_admin"])
def test_others_may_not_create_tasks(api, request, incident, persona):
    user = request.getfixturevalue(persona)
    response = api(user).post("/api/v1/tasks/", {**TASK, "incident": incident.pk}, format="json")
    assert response.status_code == 403


def test_task_bad_input_is_a_field_error(api, official, incident):
    data = {**TASK, "incident": incident.pk, "min_grade": 5, "region_code": "abc"}
    response = api(official).post("/api/v1/tasks/", data, format="json")
    assert response.status_code == 400
    assert {"min_grade", "region_code"} <= set(response.json())


def test_the_full_journey_to_verified(api, official, second_official, ngo, ngo_admin, incident):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident)
    assert (
        post(api, official, task, "assign", {"organization": ngo.pk}).json()["status"] == "assigned"
    )
    assert post(api, ngo_admin, task, "accept").json()["status"] == "accepted"
    assert post(api, ngo_admin, task, "start").json()["status"] == "in_progress"
    response = post(
        api,
        ngo_admin,
        task,
        "report",
        {
            "summary": "救出3人",
            "people_served": 3,
            "quantity_delivered": 0,
            "beneficiaries": "王某 13700000000",
            "evidence": [_upload("a.jpg", JPEG), _upload("b.png", PNG)],
            "evidence_taken_at": ["2026-11-23T10:00:00+08:00", "2026-11-23T10:05:00+08:00"],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert [p["content_type"] for p in response.json()["photos"]] == ["image/jpeg", "image/png"]
    assert post(api, ngo_admin, task, "complete").json()["status"] == "completed"
    response = post(api, second_official, task, "verify", {"accepted": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "verified"
    actions = set(
        AuditEvent.objects.filter(target_id=str(task.pk)).values_list("action", flat=True)
    )
    assert {"task.assigned", "task.accepted", "task.started", "task.reported"} <= actions
    assert {"task.completed", "task.verified"} <= actions
    assert Alert.objects.filter(audience={"organizations": [ngo.pk]}).exists()


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def in_progress_task(incident, ngo):
    return TaskFactory(
        incident=incident, organization=ngo, status="in_progress", assigned_at=timezone.now()
    )


def test_evidence_must_really_be_an_image(api, ngo, ngo_admin, incident):
    task = in_progress_task(incident, ngo)
    response = post(
        api,
        ngo_admin,
        task,
        "report",
        {
            "summary": "x",
            "evidence": [_upload("fake.jpg", b"<?php echo 1; ?>")],
            "evidence_taken_at": ["2026-11-23T10:00:00+08:00"],
        },
        format="multipart",
    )
    assert response.status_code == 400 and "evidence" in response.json()
    assert not task.reports.exists()


def test_each_photo_needs_its_taken_at_time(api, ngo, ngo_admin, incident):
    task = in_progress_task(incident, ngo)
    response = post(
        api,
        ngo_admin,
        task,
        "report",
        {"summary": "x", "evidence": [_upload("a.jpg", JPEG)]},
        format="multipart",
    )
    assert response.status_code == 400 and "evidence_taken_at" in response.json()


def test_evidence_is_private_to_officials_and_the_organization(
    api, ngo, ngo_admin, official, other_ngo_admin, incident
):
    task = in_progress_task(incident, ngo)
    response = post(
        api,
        ngo_admin,
        task,
        "report",
        {
            "summary": "x",
            "evidence": [_upload("a.png", PNG)],
            "evidence_taken_at": ["2026-11-23T10:00:00+08:00"],
        },
        format="multipart",
    )
    url = response.json()["photos"][0]["url"]
    assert api(official).get(url).status_code == 200
    assert b"".join(api(ngo_admin).get(url).streaming_content) == PNG
    assert api(other_ngo_admin).get(url).status_code == 404
    assert api().get(url).status_code in (401, 403)
    assert api(other_ngo_admin).get(f"/api/v1/tasks/{task.pk}/reports/").status_code == 404
    assert api(official).get(f"/api/v1/tasks/{task.pk}/reports/").json()[0]["beneficiaries"] == ""


def test_the_reporter_may_not_verify_their_own_report(api, official, ngo, incident):
    # the official is also a member of the organization and filed the report
    from core.permissions import forget_memberships
    from tests.registry.factories import MembershipFactory

    MembershipFactory(user=official, organization=ngo, role="member")
    forget_memberships(official)
    task = in_progress_task(incident, ngo)
    assert post(api, official, task, "report", {"summary": "完成"}).status_code == 201
    assert post(api, official, task, "complete").status_code == 200
    response = post(api, official, task, "verify", {"accepted": True}, format="json")
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == "completed"


def test_rejected_work_goes_back_to_in_progress_with_a_reason(api, official, ngo, incident):
    task = TaskFactory(incident=incident, organization=ngo, status="completed")
    assert (
        post(api, official, task, "verify", {"accepted": False}, format="json").status_code == 400
    )
    response = post(
        api, official, task, "verify", {"accepted": False, "reason": "照片不清晰"}, format="json"
    )
    assert response.json()["status"] == "in_progress"
    assert response.json()["status_reason"] == "照片不清晰"


def test_completing_without_a_report_is_refused(api, ngo, ngo_admin, incident):
    task = in_progress_task(incident, ngo)
    response = post(api, ngo_admin, task, "complete")
    assert response.status_code == 409


def test_assignment_needs_grade_and_an_approved_filing(api, official, incident):
    task = TaskFactory(incident=incident, min_grade=2)
    weak = OrganizationFactory()
    CapabilityFactory(organization=weak, specialty="building_collapse", declared_grade=3)
    DeploymentFactory(incident=incident, organization=weak)
    response = post(api, official, task, "assign", {"organization": weak.pk})
    assert response.status_code == 400 and "organization" in response.json()
    undeployed = OrganizationFactory()
    CapabilityFactory(organization=undeployed, specialty="building_collapse", declared_grade=1)
    DeploymentFactory(incident=incident, organization=undeployed, status="held")
    response = post(api, official, task, "assign", {"organization": undeployed.pk})
    assert response.status_code == 400
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "Needs an approved deployment filing (报备) for this incident."
        )
    assert response.json()["organization"] == [expected]
    revoked = ready_organization(incident)
    revoked.capabilities.update(revoked_at=timezone.now())
    assert post(api, official, task, "assign", {"organization": revoked.pk}).status_code == 400


def test_an_eligible_organization_claims_and_a_second_claim_is_409(api, incident, ngo, ngo_admin):
    ready_organization(incident, ngo)
    rival = ready_organization(incident)
    task = TaskFactory(incident=incident)
    response = post(api, ngo_admin, task, "claim", {"organization": ngo.pk})
    assert response.status_code == 200 and response.json()["organization"] == ngo.pk
    response = post(api, org_user(rival), task, "claim", {"organization": rival.pk})
    assert response.status_code == 409


def test_an_ineligible_organization_may_not_claim(api, incident, ngo, ngo_admin):
    task = TaskFactory(incident=incident)
    assert post(api, ngo_admin, task, "claim").status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


def test_a_member_may_not_claim_for_another_organization(api, incident, ngo, other_ngo_admin):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident)
    assert post(api, other_ngo_admin, task, "claim", {"organization": ngo.pk}).status_code == 403


def test_an_official_with_no_organization_to_claim_for_is_refused(api, incident, official):
    task = TaskFactory(incident=incident)
    assert post(api, official, task, "claim").status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


def test_declining_returns_the_task_to_open(api, incident, ngo, ngo_admin):
    task = TaskFactory(
        incident=incident, organization=ngo, status="assigned", assigned_at=timezone.now()
    )
    assert post(api, ngo_admin, task, "decline").status_code == 400
    response = post(api, ngo_admin, task, "decline", {"reason": "人手不足"})
    assert response.json()["status"] == "open" and response.json()["organization"] is None
    event = AuditEvent.objects.get(action="task.declined")
    assert event.organization_id == ngo.pk and event.reason == "人手不足"


@pytest.mark.parametrize(
    ("start", "action", "who"),
    [
        ("open", "accept", "ngo_admin"),
        ("assigned", "start", "ngo_admin"),
        ("accepted", "complete", "ngo_admin"),
        ("accepted", "accept", "ngo_admin"),
        ("in_progress", "decline", "ngo_admin"),
        ("completed", "start", "ngo_admin"),
        ("verified", "cancel", "official"),
        ("cancelled", "cancel", "official"),
        ("in_progress", "verify", "official"),
        ("assigned", "assign", "official"),
        ("assigned", "report", "ngo_admin"),
    ],
)
def test_illegal_task_transitions_are_409_with_a_message(
    api, request, incident, ngo, start, action, who
):
    holder = None if start == "open" else ngo
    task = TaskFactory(incident=incident, organization=holder, status=start)
    ready_organization(incident, ngo) if action == "assign" else None
    if start == "open":
        ngo_user = request.getfixturevalue("ngo_admin")
        # the organization does not hold an open task: it may not accept it
        assert post(api, ngo_user, task, action).status_code == 403
        return
    # Only the fields the action takes (an unknown key would be a 400 before the state check).
    data = {
        "decline": {"reason": "x"},
        "cancel": {"reason": "x"},
        "verify": {"accepted": True},
        "report": {"summary": "x"},
        "assign": {"organization": ngo.pk},
    }.get(action, {})
    response = post(api, request.getfixturevalue(who), task, action, data, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"]


@pytest.mark.parametrize("start", ["open", "assigned", "accepted", "in_progress", "completed"])
def test_an_official_cancels_any_unfinished_task(api, official, incident, ngo, start):
    task = TaskFactory(
        incident=incident, organization=None if start == "open" else ngo, status=start
    )
    assert post(api, official, task, "cancel").status_code == 400
    response = post(api, official, task, "cancel", {"reason": "重复任务"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_task_action_permission_matrix(
    api, incident, ngo, ngo_admin, other_ngo_admin, outside_official, official
):
    task = TaskFactory(
        incident=incident, organization=ngo, status="assigned", assigned_at=timezone.now()
    )
    assert post(api, other_ngo_admin, task, "accept").status_code == 403
    assert post(api, official, task, "accept").status_code == 403
    assert post(api, None, task, "accept").status_code in (401, 403)
    assert post(api, outside_official, task, "cancel", {"reason": "x"}).status_code == 403
    assert post(api, ngo_admin, task, "cancel", {"reason": "x"}).status_code == 403
    assert post(api, ngo_admin, task, "assign", {"organization": ngo.pk}).status_code == 403
    assert api(ngo_admin).get(f"/api/v1/tasks/{task.pk}/suggestions/").status_code == 403
    assert api().get(f"/api/v1/tasks/{task.pk}/").status_code == 200


def test_claim_expiry_returns_unaccepted_tasks_to_open(settings, incident, ngo):
    settings.TONGZHOU_CLAIM_WINDOW_HOURS = 6
    stale = TaskFactory(
        incident=incident,
        organization=ngo,
        status="assigned",
        assigned_at=timezone.now() - timedelta(hours=7),
    )
    fresh = TaskFactory(
        incident=incident,
        organization=ngo,
        status="assigned",
        assigned_at=timezone.now() - timedelta(hours=5),
    )
    from coordination.tasks import expire_claims

    assert expire_claims.delay().get() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.organization_id) == ("open", None)
    assert fresh.status == "assigned"
    event = AuditEvent.objects.get(action="task.claim_expired")
    assert (event.from_status, event.to_status, event.organization_id) == (
        "assigned",
        "open",
        ngo.pk,
    )
    assert Alert.objects.filter(audience={"organizations": [ngo.pk]}).exists()
    assert Alert.objects.filter(audience={"officials_for": "511826"}).exists()
    assert expire_claims.delay().get() == 0


def test_suggestions_rank_by_grade_then_distance_then_load(api, official, incident):
    task = TaskFactory(incident=incident, min_grade=3)
    far = ready_organization(incident, grade=1, region_code="510100")
    near = ready_organization(incident, grade=1, region_code="511826")
    busy_near = ready_organization(incident, grade=1, region_code="511826")
    TaskFactory(incident=incident, organization=busy_near, status="in_progress")
    third = ready_organization(incident, grade=3, region_code="511826")
    OrganizationFactory()  # verified but neither graded nor deployed: not suggested
    rows = api(official).get(f"/api/v1/tasks/{task.pk}/suggestions/").json()
    assert [r["organization"] for r in rows] == [near.pk, busy_near.pk, far.pk, third.pk]
    assert rows[0]["distance"] == 0 and rows[1]["load"] == 1


def test_task_list_costs_the_same_for_5_and_100(api, incident, ngo, django_assert_max_num_queries):
    for count in (5, 100):
        TaskFactory.create_batch(
            count - Task.objects.count(), incident=incident, organization=ngo, status="assigned"
        )
        with django_assert_max_num_queries(3):
            response = api().get(f"/api/v1/tasks/?incident={incident.pk}&page_size=200")
        assert response.json()["count"] == count
