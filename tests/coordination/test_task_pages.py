"""Task pages without dead buttons: the claim shows only when it will succeed, otherwise the page
says why; claim+accept and start+first report are one step each, with both audit rows."""

import pytest

from coordination.models import Task
from core.models import AuditEvent
from tests.coordination.conftest import PNG
from tests.coordination.factories import (
    DeploymentFactory,
    TaskFactory,
    TaskReportFactory,
    ready_organization,
)
from tests.readable import assert_readable_html, visible_text
from tests.registry.factories import CapabilityFactory, OrganizationFactory, org_user

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert_readable_html(response.content)
    return response.content.decode()


def actions_in(task: Task) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(task.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- why not: the claim button and its reasons -------------------------------------------------


def test_an_eligible_team_sees_the_claim_button_and_no_reason(client, incident, ngo, ngo_admin):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident)
    client.force_login(ngo_admin)
    html = page(client, f"/tasks/{task.pk}/")
    assert 'data-action="claim"' in html
    assert 'data-testid="why-not-claim"' not in html


@pytest.mark.parametrize(
    "setup, reason",
    [
        ("no_capability", "需要经测评的山地搜救能力。"),
        ("grade_too_low", "需要山地搜救能力测评达到1级或更高；本组织的测评等级为3级。"),
        ("no_filing", "需要本事件已批准的报备。"),
        ("filing_held", "需要本事件已批准的报备。"),
        ("not_verified", "组织通过核验后才能认领任务。"),
    ],
)
def test_a_team_that_may_not_claim_is_told_why_in_words(client, incident, setup, reason):
    team = OrganizationFactory(status="pending" if setup == "not_verified" else "verified")
    if setup == "grade_too_low":
        CapabilityFactory(organization=team, specialty="mountain_rescue", declared_grade=3)
    elif setup != "no_capability":
        CapabilityFactory(organization=team, specialty="mountain_rescue", declared_grade=1)
    if setup != "no_filing":
        DeploymentFactory(
            incident=incident,
            organization=team,
            status="held" if setup == "filing_held" else "approved",
        )
    task = TaskFactory(incident=incident, specialty="mountain_rescue", min_grade=1)
    client.force_login(org_user(team))
    html = page(client, f"/tasks/{task.pk}/")
    assert 'data-action="claim"' not in html
    why = html[html.index('data-testid="why-not-claim"') :].split("</div>")[0]
    assert reason in why
    # and the claim itself is refused with the same words, as a message, not an error page
    response = client.post(f"/tasks/{task.pk}/claim/", follow=True)
    assert response.status_code == 200
    assert reason in visible_text(response.content.decode())
    task.refresh_from_db()
    assert task.status == "open"


def test_a_team_without_a_filing_is_pointed_to_its_filings(client, incident, ngo, ngo_admin):
    CapabilityFactory(organization=ngo, specialty="building_collapse", declared_grade=1)
    task = TaskFactory(incident=incident)
    client.force_login(ngo_admin)
    html = page(client, f"/tasks/{task.pk}/")
    why = html.split('data-testid="why-not-claim"')[1]
    assert f"/incidents/{incident.pk}/?tab=deployments" in why


def test_officials_and_the_public_see_no_claim_and_no_reason(client, incident, official):
    task = TaskFactory(incident=incident)
    for user in (None, official):
        if user:
            client.force_login(user)
        html = page(client, f"/tasks/{task.pk}/")
        assert 'data-action="claim"' not in html
        assert 'data-testid="why-not-claim"' not in html


def test_my_tasks_says_why_an_open_task_cannot_be_claimed(client, incident, ngo, ngo_admin):
    ready_organization(incident, ngo)
    TaskFactory(incident=incident, title="可认领")
    TaskFactory(incident=incident, title="山地任务", specialty="mountain_rescue", min_grade=None)
    client.force_login(ngo_admin)
    html = page(client, "/tasks/mine/")
    claimable = html.split('data-testid="claimable"')[1]
    rows = claimable.split("<tr>")
    assert any("可认领" in r and 'data-action="claim"' in r for r in rows)
    mountain = next(r for r in rows if "山地任务" in r)
    assert 'data-action="claim"' not in mountain and "需要经测评的山地搜救能力。" in mountain


# --- claim and accept in one step ---------------------------------------------------------------


def test_claiming_through_the_page_also_accepts_and_records_both_steps(
    client, incident, ngo, ngo_admin
):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident)
    client.force_login(ngo_admin)
    response = client.post(f"/tasks/{task.pk}/claim/", follow=True)
    assert "已认领并接受任务" in visible_text(response.content.decode())
    task.refresh_from_db()
    assert (task.status, task.organization_id, task.claimed) == ("accepted", ngo.pk, True)
    assert actions_in(task)[-2:] == ["task.claimed", "task.accepted"]
    claimed, accepted = AuditEvent.objects.filter(target_id=str(task.pk)).order_by("-pk")[:2][::-1]
    assert (claimed.from_status, claimed.to_status) == ("open", "assigned")
    assert (accepted.from_status, accepted.to_status) == ("assigned", "accepted")


def test_a_lost_claim_leaves_nothing_half_done(client, incident, ngo, ngo_admin, other_ngo):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident, organization=other_ngo, status="assigned")
    client.force_login(ngo_admin)
    response = client.post(f"/tasks/{task.pk}/claim/", follow=True)
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.status, task.organization_id) == ("assigned", other_ngo.pk)
    assert "task.accepted" not in actions_in(task)


def test_the_api_keeps_claim_and_accept_apart(api, incident, ngo, ngo_admin):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident)
    response = api(ngo_admin).post(f"/api/v1/tasks/{task.pk}/claim/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "assigned"


# --- start with the first report -----------------------------------------------------------------


def test_starting_on_the_page_files_the_first_report_in_the_same_step(
    client, incident, ngo, ngo_admin
):
    task = TaskFactory(incident=incident, organization=ngo, status="accepted")
    client.force_login(ngo_admin)
    html = page(client, f"/tasks/{task.pk}/")
    start_form = html.split('data-action="start"')[1].split("</form>")[0]
    assert 'name="summary"' in start_form and 'name="photo"' in start_form
    response = client.post(
        f"/tasks/{task.pk}/start/",
        {
            "summary": "8 人到达龙门乡，开始搜索",
            "people_served": "3",
            "quantity_delivered": "0",
            "photo": _png(),
            "taken_at": "2026-11-30 08:00",
        },
        follow=True,
    )
    assert "已开始工作，首次报告已提交" in visible_text(response.content.decode())
    task.refresh_from_db()
    assert task.status == "in_progress"
    report = task.reports.get()
    assert report.summary == "8 人到达龙门乡，开始搜索" and report.photos.count() == 1
    assert actions_in(task)[-2:] == ["task.started", "task.reported"]


def test_a_refused_first_report_leaves_the_task_accepted(client, incident, ngo, ngo_admin):
    task = TaskFactory(incident=incident, organization=ngo, status="accepted")
    client.force_login(ngo_admin)
    bad = {"summary": "到达", "people_served": "0", "quantity_delivered": "0"}
    bad["photo"] = _png(b"not an image")
    bad["taken_at"] = "2026-11-30 08:00"
    response = client.post(f"/tasks/{task.pk}/start/", bad, follow=True)
    assert response.status_code == 200
    assert "JPEG" in visible_text(response.content.decode())
    task.refresh_from_db()
    assert task.status == "accepted" and not task.reports.exists()
    assert "task.started" not in actions_in(task)
    response = client.post(f"/tasks/{task.pk}/start/", {"summary": ""}, follow=True)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == "accepted"


def test_someone_else_cannot_start_the_task(client, incident, ngo, other_ngo_admin):
    task = TaskFactory(incident=incident, organization=ngo, status="accepted")
    client.force_login(other_ngo_admin)
    html = page(client, f"/tasks/{task.pk}/")
    assert 'data-action="start"' not in html
    client.post(f"/tasks/{task.pk}/start/", {"summary": "冒名"})
    task.refresh_from_db()
    assert task.status == "accepted" and not task.reports.exists()


def test_lists_link_to_the_start_form_instead_of_a_bare_start(client, incident, ngo, ngo_admin):
    task = TaskFactory(incident=incident, organization=ngo, status="accepted")
    client.force_login(ngo_admin)
    html = page(client, "/tasks/mine/")
    assert f'href="/tasks/{task.pk}/#start" data-action="start"' in html
    assert "到达现场后开始工作并提交首次报告" in html


# --- steppers, words and query counts ------------------------------------------------------------


def test_the_task_page_shows_where_the_task_is(client, incident, ngo, official):
    task = TaskFactory(incident=incident, organization=ngo, status="completed")
    TaskReportFactory(task=task)
    client.force_login(official)
    html = page(client, f"/tasks/{task.pk}/")
    stepper = html.split('class="stepper"')[1].split("</ol>")[0]
    assert 'class="done"' in stepper
    assert 'aria-current="step" data-step="completed"' in stepper
    assert "由政府工作人员核验" in stepper
    assert "四川省 雅安市 芦山县" in visible_text(html)


def test_a_cancelled_task_shows_where_it_stopped_and_why(client, incident, official):
    task = TaskFactory(incident=incident, status="cancelled", status_reason="道路中断")
    html = page(client, f"/tasks/{task.pk}/")
    assert 'class="stopped"' in html and "道路中断" in html


def test_filings_show_their_stepper_and_area_in_words(client, incident, ngo, ngo_admin):
    DeploymentFactory(incident=incident, organization=ngo, status="held", status_reason="超员")
    client.force_login(ngo_admin)
    html = page(client, f"/incidents/{incident.pk}/?tab=deployments")
    filings = html.split('data-testid="filings"')[1].split("</table>")[0]
    assert 'class="stepper"' in filings and 'class="stopped"' in filings and "超员" in filings
    assert "四川省 雅安市 芦山县" in visible_text(filings)
    assert 'class="table cards"' in html


def test_the_task_page_costs_the_same_for_5_and_50_reports(
    client, incident, ngo, official, django_assert_max_num_queries
):
    task = TaskFactory(incident=incident, organization=ngo, status="completed")
    client.force_login(official)
    for count in (5, 50):
        TaskReportFactory.create_batch(count - task.reports.count(), task=task)
        with django_assert_max_num_queries(22):
            page(client, f"/tasks/{task.pk}/")


def test_my_tasks_costs_the_same_for_5_and_50_tasks(
    client, incident, ngo, ngo_admin, django_assert_max_num_queries
):
    ready_organization(incident, ngo)
    client.force_login(ngo_admin)
    for count in (5, 50):
        while Task.objects.count() < count:
            TaskFactory(incident=incident)
            TaskFactory(incident=incident, organization=ngo, status="in_progress")
        with django_assert_max_num_queries(16):
            page(client, "/tasks/mine/")


def _png(content: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", content or PNG, content_type="image/png")


def test_bad_input_on_the_combined_steps_is_a_message_not_an_error(
    client, incident, ngo, ngo_admin
):
    ready_organization(incident, ngo)
    open_task = TaskFactory(incident=incident)
    accepted = TaskFactory(incident=incident, organization=ngo, status="accepted")
    client.force_login(ngo_admin)
    for organization in ("不是编号", "-1", "99999999999999999999"):
        response = client.post(
            f"/tasks/{open_task.pk}/claim/", {"organization": organization}, follow=True
        )
        assert response.status_code == 200
    open_task.refresh_from_db()
    assert open_task.status == "open"
    for people in ("-1", "很多", "１２x"):
        response = client.post(
            f"/tasks/{accepted.pk}/start/",
            {"summary": "到达", "people_served": people, "quantity_delivered": "0"},
            follow=True,
        )
        assert response.status_code == 200
    accepted.refresh_from_db()
    assert accepted.status == "accepted"
