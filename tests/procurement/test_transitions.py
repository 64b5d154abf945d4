"""Every illegal transition of the project, milestone, bid and challenge machines is a 409."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.models import Award, Bid, Challenge, Contract, Milestone, Project
from tests.procurement.factories import BidFactory, ProjectFactory, bidder

pytestmark = pytest.mark.django_db

# action -> (the target status it asks for, a shape-valid body)
ACTIONS = {
    "publish": (Project.Status.TENDERING, {}),
    "open": (Project.Status.EVALUATING, {}),
    "cancel": (Project.Status.CANCELLED, {"reason": "预算调整"}),
    "award": (Project.Status.AWARDED, None),
    "contract": (Project.Status.IMPLEMENTING, None),
    "terminate": (Project.Status.TERMINATED, {"reason": "未履约", "clawback_amount": "0"}),
}

ILLEGAL = [
    (current, action)
    for current in Project.Status.values
    for action, (target, _body) in ACTIONS.items()
    if target not in Project.TRANSITIONS[current]
]


def test_the_table_covers_every_status():
    assert set(Project.TRANSITIONS) == set(Project.Status.values)


@pytest.mark.parametrize(("current", "action"), ILLEGAL)
def test_an_illegal_project_transition_is_409(api, official, agency, current, action):
    project = ProjectFactory(buyer=agency, status=current, published_at=timezone.now())
    bid = BidFactory(project=project)
    body = ACTIONS[action][1]
    if action == "award":
        body = {"bid": bid.pk, "reason": "x"}
    if action == "contract":
        body = {
            "milestones": [
                {
                    "title": "一",
                    "due_at": (timezone.now() + dt.timedelta(days=30)).isoformat(),
                    "payment_percent": "100",
                }
            ]
        }
    r = api(official).post(f"/api/v1/procurements/{project.pk}/{action}/", body, format="json")
    assert r.status_code == 409, (current, action, r.content)
    assert r.json()["code"] == "invalid_transition"
    assert Project.objects.get(pk=project.pk).status == current


def _contracted(agency, milestone_status):
    project = ProjectFactory(buyer=agency, status="implementing", published_at=timezone.now())
    bid = BidFactory(project=project)
    award = Award.objects.create(
        project=project, bid=bid, amount=bid.price, standstill_ends_at=timezone.now()
    )
    contract = Contract.objects.create(
        project=project, award=award, supplier=bid.organization, value=bid.price
    )
    milestone = Milestone.objects.create(
        contract=contract,
        title="一",
        payment_percent=100,
        due_at=timezone.now() + dt.timedelta(days=5),
        status=milestone_status,
    )
    return project, milestone


MILESTONE_ACTIONS = {
    "report": Milestone.Status.REPORTED,
    "inspect": Milestone.Status.INSPECTED,
    "accept": Milestone.Status.ACCEPTED,
    "pay": Milestone.Status.PAID,
}
MILESTONE_ILLEGAL = [
    (current, action)
    for current in Milestone.Status.values
    for action, target in MILESTONE_ACTIONS.items()
    if target not in Milestone.TRANSITIONS[current]
]


@pytest.mark.parametrize(("current", "action"), MILESTONE_ILLEGAL)
def test_an_illegal_milestone_transition_is_409(api, official, agency, current, action):
    project, milestone = _contracted(agency, current)
    supplier_admin = bidder(name="供应商")[1]
    from core.roles import Role
    from tests.registry.factories import MembershipFactory

    MembershipFactory(
        user=supplier_admin, organization=milestone.contract.supplier, role=Role.ADMIN
    )
    user = supplier_admin if action == "report" else official
    body = {
        "report": {"summary": "x", "values": {}},
        "inspect": {"notes": "走访", "measured": {}},
        "accept": {"recipients": ["甲"]},
        "pay": {},
    }[action]
    r = api(user).post(f"/api/v1/milestones/{milestone.pk}/{action}/", body, format="json")
    assert r.status_code == 409, (current, action, r.content)
    assert Milestone.objects.get(pk=milestone.pk).status == current


def test_withdrawing_a_withdrawn_bid_is_409(api, agency):
    project = ProjectFactory(buyer=agency, status="tendering", published_at=timezone.now())
    org, admin = bidder()
    bid = BidFactory(project=project, organization=org, status=Bid.Status.WITHDRAWN)
    r = api(admin).post(f"/api/v1/bids/{bid.pk}/withdraw/")
    assert r.status_code == 409


def test_answering_a_challenge_twice_is_409(api, official, agency):
    project = ProjectFactory(buyer=agency, status="awarded", published_at=timezone.now())
    bid = BidFactory(project=project)
    award = Award.objects.create(
        project=project,
        bid=bid,
        amount=Decimal("1.00"),
        standstill_ends_at=timezone.now() + dt.timedelta(days=9),
    )
    challenge = Challenge.objects.create(
        project=project, award=award, organization=bid.organization, reason="x", status="dismissed"
    )
    r = api(official).post(
        f"/api/v1/challenges/{challenge.pk}/resolve/", {"decision": "upheld", "response": "y"}
    )
    assert r.status_code == 409


def test_re_tendering_a_project_that_did_not_fail_is_409(api, official, agency):
    project = ProjectFactory(buyer=agency, status="tendering", published_at=timezone.now())
    r = api(official).post(
        f"/api/v1/procurements/{project.pk}/retender/",
        {"tender_end": (timezone.now() + dt.timedelta(days=30)).isoformat()},
    )
    assert r.status_code == 409
