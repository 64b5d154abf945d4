"""One rule, one place: for every state of a model's TRANSITIONS table and every persona, the
buttons on the page == ``allowed_actions(user, obj)`` == the actions whose service accepts the
call (each service call is rolled back). A button shown is an action that will succeed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from coordination import services as csvc
from coordination.models import Deployment, Incident, Need, Task
from core import permissions as perms
from core.states import InvalidTransition, action_reasons, allowed_actions
from procurement.models import Award, Bid, Contract, Milestone, ProgressReport, Project
from tests.actions import accepted, page_actions
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    NeedFactory,
    TaskFactory,
    TaskReportFactory,
    ready_organization,
)
from tests.procurement.factories import BidFactory, ProjectFactory, expert_user
from tests.registry.factories import OrganizationFactory

PERSONAS = [
    "anonymous",
    "official",
    "outside_official",
    "ngo_admin",
    "ngo_member",
    "other_ngo_admin",
    "expert",
]


@pytest.fixture
def incident(agency):
    return IncidentFactory(lead_agency=agency)


@pytest.fixture
def people(request):
    return {
        name: AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)
        for name in PERSONAS
    }


# --- Task ----------------------------------------------------------------------------------


def _task_calls(pk: int, ngo, other_ngo, reporter) -> dict:
    def fresh() -> Task:
        return Task.objects.select_related("incident", "organization", "need").get(pk=pk)

    def claim_for(user):
        mine = [m.organization for m in perms.memberships(user)]
        organization = next((o for o in mine if o.kind != "agency"), ngo)
        return csvc.claim_task(task=fresh(), organization=organization, by=user)

    return {
        "claim": claim_for,
        "assign": lambda u: csvc.assign_task(task=fresh(), organization=ngo, by=u),
        "accept": lambda u: csvc.accept_task(task=fresh(), by=u),
        "decline": lambda u: csvc.decline_task(task=fresh(), by=u, reason="人手不足"),
        "start": lambda u: csvc.start_task(task=fresh(), by=u),
        "report": lambda u: csvc.report_task(task=fresh(), by=u, summary="进展"),
        "complete": lambda u: csvc.complete_task(task=fresh(), by=u),
        "verify": lambda u: csvc.verify_task(task=fresh(), by=u, accepted=True),
        "cancel": lambda u: csvc.cancel_task(task=fresh(), by=u, reason="不再需要"),
    }


@pytest.mark.parametrize("state", list(Task.TRANSITIONS))
def test_task_buttons_equal_allowed_actions_equal_what_the_service_accepts(
    state, incident, ngo, other_ngo, people, api
):
    ready_organization(incident, ngo)
    held = state not in (Task.Status.OPEN, Task.Status.CANCELLED)
    task = TaskFactory(incident=incident, status=state, organization=ngo if held else None)
    if state in (Task.Status.IN_PROGRESS, Task.Status.COMPLETED, Task.Status.VERIFIED):
        TaskReportFactory(task=task, filed_by=people["ngo_admin"])
    calls = _task_calls(task.pk, ngo, other_ngo, people["ngo_admin"])
    seen_any = set()
    for name, user in people.items():
        obj = Task.objects.select_related("incident").get(pk=task.pk)
        allowed = allowed_actions(user, obj)
        assert set(allowed) <= set(calls), allowed
        assert page_actions(user, f"/tasks/{task.pk}/") == set(allowed), (state, name)
        assert accepted(calls, user) == set(allowed), (state, name)
        client = api(user) if user.is_authenticated else api()
        assert client.get(f"/api/v1/tasks/{task.pk}/").json()["actions"] == allowed
        reasons = action_reasons(user, obj)
        assert {a for a, why in reasons.items() if not why} == set(allowed)
        seen_any |= set(allowed)
    expected_somewhere = {
        Task.Status.OPEN: {"claim", "assign", "cancel"},
        Task.Status.ASSIGNED: {"accept", "decline", "cancel"},
        Task.Status.ACCEPTED: {"start", "cancel"},
        Task.Status.IN_PROGRESS: {"report", "complete", "cancel"},
        Task.Status.COMPLETED: {"verify", "cancel"},
        Task.Status.VERIFIED: set(),
        Task.Status.CANCELLED: set(),
    }[state]
    assert seen_any == expected_somewhere


def test_an_ineligible_organization_sees_no_claim_button_and_is_told_why(
    incident, other_ngo, other_ngo_admin
):
    task = TaskFactory(incident=incident)
    assert "claim" not in allowed_actions(other_ngo_admin, task)
    assert action_reasons(other_ngo_admin, task)["claim"]
    assert "claim" not in page_actions(other_ngo_admin, f"/tasks/{task.pk}/")


def test_completing_without_a_report_is_neither_offered_nor_accepted(incident, ngo, ngo_admin):
    ready_organization(incident, ngo)
    task = TaskFactory(incident=incident, status="in_progress", organization=ngo)
    assert "complete" not in allowed_actions(ngo_admin, task)
    with pytest.raises(InvalidTransition):
        csvc.complete_task(task=task, by=ngo_admin)


# --- Deployment filing ---------------------------------------------------------------------


def _deployment_calls(pk: int) -> dict:
    def fresh() -> Deployment:
        return Deployment.objects.select_related("incident", "organization").get(pk=pk)

    return {
        "approve": lambda u: csvc.approve_deployment(deployment=fresh(), by=u),
        "hold": lambda u: csvc.hold_deployment(deployment=fresh(), by=u, reason="道路中断"),
        "arrive": lambda u: csvc.arrive_deployment(deployment=fresh(), by=u),
        "withdraw": lambda u: csvc.withdraw_deployment(deployment=fresh(), by=u),
    }


@pytest.mark.parametrize("state", list(Deployment.TRANSITIONS))
def test_filing_buttons_equal_allowed_actions_equal_what_the_service_accepts(
    state, incident, ngo, people, api
):
    filing = DeploymentFactory(incident=incident, organization=ngo, status=state)
    calls = _deployment_calls(filing.pk)
    seen_any = set()
    for name, user in people.items():
        obj = Deployment.objects.select_related("incident").get(pk=filing.pk)
        allowed = allowed_actions(user, obj)
        assert set(allowed) <= set(calls)
        if user.is_authenticated:
            shown = page_actions(
                user, f"/incidents/{incident.pk}/?tab=deployments", 'data-testid="filings"'
            )
            assert shown == set(allowed), (state, name)
            response = api(user).get(f"/api/v1/deployments/{filing.pk}/")
            if response.status_code == 200:
                assert response.json()["actions"] == allowed
            else:
                assert response.status_code == 404 and allowed == []
        assert accepted(calls, user) == set(allowed), (state, name)
        seen_any |= set(allowed)
    assert (
        seen_any
        == {
            Deployment.Status.FILED: {"approve", "hold", "withdraw"},
            Deployment.Status.HELD: {"approve", "withdraw"},
            Deployment.Status.APPROVED: {"arrive", "hold", "withdraw"},
            Deployment.Status.ARRIVED: {"withdraw"},
            Deployment.Status.WITHDRAWN: set(),
        }[state]
    )


def test_approval_over_capacity_is_not_offered(incident, ngo, official):
    incident.area_capacity = {"511826": {"max_teams": 1}}
    incident.save()
    DeploymentFactory(incident=incident, status="approved")
    filing = DeploymentFactory(incident=incident, organization=ngo, status="filed")
    assert "approve" not in allowed_actions(official, filing)
    assert (
        "capacity" in action_reasons(official, filing)["approve"]
        or action_reasons(official, filing)["approve"]
    )


# --- Procurement project -------------------------------------------------------------------


def _project_calls(pk: int) -> dict:
    from procurement import services as psvc

    def fresh() -> Project:
        return Project.objects.get(pk=pk)

    def contract(user):
        due = timezone.now() + dt.timedelta(days=30)
        milestones = [{"title": "阶段一", "due_at": due, "payment_percent": "100"}]
        return psvc.create_contract(project=fresh(), by=user, milestones=milestones)

    def award(user):
        bid = Bid.objects.filter(project_id=pk, status="submitted").first()
        if bid is None:  # nothing to award: the service's own refusal
            bid = BidFactory.build(pk=0, project_id=pk)
        return psvc.award(project=fresh(), by=user, bid=bid, reason="理由")

    return {
        "publish": lambda u: psvc.publish_project(project=fresh(), by=u),
        "open": lambda u: psvc.open_bids(project=fresh(), by=u),
        "panel": lambda u: psvc.draw_panel(project=fresh(), by=u),
        "award": award,
        "contract": contract,
        "terminate": lambda u: psvc.terminate(
            project=fresh(), by=u, reason="违约", clawback_amount=Decimal("0")
        ),
        "cancel": lambda u: psvc.cancel_project(project=fresh(), by=u, reason="不再需要"),
        "retender": lambda u: psvc.retender(
            project=fresh(), by=u, tender_end=timezone.now() + dt.timedelta(days=40)
        ),
    }


def _project_in(state: str, agency, ngo) -> Project:
    """A project of the agency in ``state``, with what that state implies (bids, an award
    past its stand-still, a contract), so the actions the state allows can succeed."""
    S = Project.Status
    past = timezone.now() - dt.timedelta(days=1)
    published = state != S.DRAFT
    project = ProjectFactory(
        buyer=agency,
        status=state,
        published_at=past if published else None,
        tender_end=past if published else timezone.now() + dt.timedelta(days=30),
        evaluation_method="lowest_price",
    )
    if state in (S.EVALUATING, S.AWARDED, S.IMPLEMENTING, S.ACCEPTED, S.CLOSED, S.TERMINATED):
        bid = BidFactory(project=project, organization=ngo, status="submitted")
    if state in (S.AWARDED, S.IMPLEMENTING, S.ACCEPTED, S.CLOSED, S.TERMINATED):
        award = Award.objects.create(
            project=project, bid=bid, amount=bid.price, standstill_ends_at=past
        )
    if state in (S.IMPLEMENTING, S.ACCEPTED, S.CLOSED, S.TERMINATED):
        Contract.objects.create(project=project, award=award, supplier=ngo, value=bid.price)
    return project


@pytest.mark.parametrize("state", list(Project.TRANSITIONS))
def test_project_actions_equal_what_the_service_accepts(state, agency, ngo, people, api):
    project = _project_in(state, agency, ngo)
    for _n in range(3):
        expert_user()
    calls = _project_calls(project.pk)
    seen_any = set()
    for name, user in people.items():
        obj = Project.objects.get(pk=project.pk)
        allowed = allowed_actions(user, obj)
        assert set(allowed) <= set(calls)
        shown = page_actions(user, f"/procurements/{project.pk}/", 'data-testid="project-actions"')
        assert shown == set(allowed), (state, name)
        client = api(user) if user.is_authenticated else api()
        response = client.get(f"/api/v1/procurements/{project.pk}/")
        if response.status_code == 200:
            assert response.json()["actions"] == allowed
        else:
            assert allowed == []
        assert accepted(calls, user) == set(allowed), (state, name)
        seen_any |= set(allowed)
    S = Project.Status
    assert (
        seen_any
        == {
            S.DRAFT: {"publish", "cancel"},
            S.TENDERING: {"open", "cancel"},
            S.EVALUATING: {"panel", "award", "cancel"},
            S.AWARDED: {"contract", "cancel"},
            S.IMPLEMENTING: {"terminate"},
            S.ACCEPTED: set(),
            S.CLOSED: set(),
            S.FAILED: {"retender"},
            S.CANCELLED: set(),
            S.TERMINATED: set(),
        }[state]
    )


# --- Contract milestone --------------------------------------------------------------------


def _milestone_calls(pk: int, evaluator) -> dict:
    from procurement import services as psvc

    def fresh() -> Milestone:
        return Milestone.objects.select_related("contract__project").get(pk=pk)

    def inspect(user):
        milestone = fresh()
        measured = {str(s.pk): str(s.target) for s in milestone.indicators.all()}
        return psvc.inspect_milestone(
            milestone=milestone, by=user, notes="现场核查", measured=measured
        )

    return {
        "report": lambda u: psvc.report_progress(
            milestone=fresh(), by=u, summary="完成驻点服务", values={}
        ),
        "assign_evaluator": lambda u: psvc.assign_evaluator(
            milestone=fresh(), by=u, organization=evaluator
        ),
        "sample": lambda u: psvc.sample_recipients(milestone=fresh(), by=u),
        "inspect": inspect,
        "accept": lambda u: psvc.accept_milestone(
            milestone=fresh(), by=u, recipients=["安置点居民甲"]
        ),
        "pay": lambda u: psvc.pay_milestone(milestone=fresh(), by=u),
    }


@pytest.mark.parametrize("state", list(Milestone.TRANSITIONS))
def test_milestone_actions_equal_what_the_service_accepts(state, agency, ngo, people, api):
    project = _project_in(Project.Status.IMPLEMENTING, agency, ngo)
    milestone = Milestone.objects.create(
        contract=project.contract,
        title="阶段一",
        due_at=timezone.now() + dt.timedelta(days=30),
        payment_percent=Decimal("100"),
        status=state,
    )
    milestone.indicators.set(project.service_standards.all())
    if state != Milestone.Status.PENDING:  # reported at least once, with the people served
        ProgressReport.objects.create(
            milestone=milestone,
            summary="完成",
            recipients=[{"name": "居民甲", "phone": "13908350001"}],
        )
    evaluator = OrganizationFactory(kind="evaluator")
    calls = _milestone_calls(milestone.pk, evaluator)
    seen_any = set()
    for name, user in people.items():
        obj = Milestone.objects.select_related("contract__project").get(pk=milestone.pk)
        allowed = allowed_actions(user, obj)
        html_id = f'data-milestone="{milestone.pk}"'
        shown = page_actions(user, f"/procurements/{project.pk}/", html_id)
        assert shown == set(allowed), (state, name)
        client = api(user) if user.is_authenticated else api()
        assert client.get(f"/api/v1/milestones/{milestone.pk}/").json()["actions"] == allowed
        assert accepted(calls, user) == set(allowed), (state, name)
        seen_any |= set(allowed)
    M = Milestone.Status
    assert (
        seen_any
        == {
            # acceptance needs an inspection of the latest report first (test_inspection.py
            # walks the evidence each verification method requires)
            M.PENDING: {"report", "assign_evaluator"},
            M.REPORTED: {"report", "assign_evaluator", "sample", "inspect"},
            M.INSPECTED: {"report", "assign_evaluator", "sample", "inspect"},
            M.REJECTED: {"report", "assign_evaluator"},
            M.ACCEPTED: {"pay"},
            M.PAID: set(),
        }[state]
    )


# --- Incident and need ---------------------------------------------------------------------

INCIDENT_TABS = ("overview", "needs", "deployments", "board")
INCIDENT_ACTIONS = {
    "status",
    "capacity",
    "take_over",
    "create_task",
    "file_deployment",
    "post_need",
}


@pytest.mark.parametrize("state", list(Incident.TRANSITIONS))
def test_incident_buttons_equal_allowed_actions(state, incident, ngo, people, api):
    Incident.objects.filter(pk=incident.pk).update(status=state)
    incident.refresh_from_db()
    for name, user in people.items():
        obj = Incident.objects.select_related("lead_agency").get(pk=incident.pk)
        allowed = allowed_actions(user, obj)
        shown = set()
        for tab in INCIDENT_TABS:
            shown |= page_actions(user, f"/incidents/{incident.pk}/?tab={tab}") & INCIDENT_ACTIONS
        assert shown == set(allowed), (state, name)
        client = api(user) if user.is_authenticated else api()
        assert client.get(f"/api/v1/incidents/{incident.pk}/").json()["actions"] == allowed
    closed = state == Incident.Status.CLOSED
    official = allowed_actions(people["official"], incident)
    assert ("create_task" in official) is not closed
    assert ("file_deployment" in allowed_actions(people["ngo_admin"], incident)) is not closed
    # the city's own official does not take over from the city: only a higher level may
    assert "take_over" not in official


def test_a_higher_level_official_may_take_over_and_the_service_agrees(
    incident, province_official, official
):
    assert "take_over" in allowed_actions(province_official, incident)
    csvc.take_over(incident=incident, by=province_official)
    incident.refresh_from_db()
    assert "take_over" not in allowed_actions(official, incident)
    with pytest.raises(PermissionDenied):
        csvc.take_over(incident=incident, by=official)


def test_need_confirm_button_equals_allowed_actions(incident, ngo, people):
    need = NeedFactory(incident=incident, confirmed_at=None, posted_by_organization=ngo)
    for name, user in people.items():
        allowed = allowed_actions(user, Need.objects.select_related("incident").get(pk=need.pk))
        shown = page_actions(user, f"/incidents/{incident.pk}/?tab=needs") & {"confirm"}
        assert shown == set(allowed), name
        assert accepted({"confirm": lambda u: csvc.confirm_need(need=need, by=u)}, user) == set(
            allowed
        ), name
    assert allowed_actions(people["official"], need) == ["confirm"]
