"""One rule for "which organization acts": the page and the API give the same decision.

Two people belong to two organizations each:
- ``split`` is the admin of a verified team (A) and a member of a pending one (P);
- ``pair`` is the admin of A and a member of another verified team (B).
X is a verified team neither belongs to.

For every acting endpoint, each person posts through the page form and through the API, naming
an organization or none; each request runs in a savepoint rolled back afterwards, so both see
the same world. The API's answer is pinned (``OK``, 403, 400 ambiguous) and the page must give the
same decision: a success message where the API says 2xx, 403/404 or the API's own refusal text
where it says 403, and the API's own message where it says 400.

Procurement bids and challenges are pinned here through their API answers (their pages call the
same services: docs/pages-procurement.md), so the same rule is proven there too.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import Role
from procurement.models import Award
from registry.models import Organization
from tests.coordination.factories import (
    DeploymentFactory,
    IncidentFactory,
    TaskFactory,
)
from tests.donations import factories as df
from tests.procurement.factories import BidFactory, ProjectFactory
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

OK = 201  # any 2xx; the tables below say OK for "allowed"
SOON = timezone.now() + dt.timedelta(days=2)


@pytest.fixture
def w(agency):
    """The two people, their organizations and one object per action, in 雅安市 (511800)."""
    w = SimpleNamespace(agency=agency)
    w.official = f.UserFactory()
    f.MembershipFactory(user=w.official, organization=agency, role=Role.OFFICIAL)
    w.A = f.OrganizationFactory(name="甲队", region_code="511826")
    w.B = f.OrganizationFactory(name="乙队", region_code="511802")
    w.P = f.OrganizationFactory(
        name="待审核队", region_code="511826", status=Organization.Status.PENDING
    )
    w.X = f.OrganizationFactory(name="外队", region_code="511826")
    w.split = f.UserFactory(username="split")
    f.MembershipFactory(user=w.split, organization=w.A, role=Role.ADMIN)
    f.MembershipFactory(user=w.split, organization=w.P, role=Role.MEMBER)
    w.pair = f.UserFactory(username="pair")
    f.MembershipFactory(user=w.pair, organization=w.A, role=Role.ADMIN)
    f.MembershipFactory(user=w.pair, organization=w.B, role=Role.MEMBER)
    w.x_admin = f.org_user(w.X, Role.ADMIN)

    # Coordination: the incident covers 雅安市; every team is graded and filed for 芦山县.
    w.incident = IncidentFactory(lead_agency=agency, region_code="511800")
    w.approved = {}
    for key in "ABPX":
        org = getattr(w, key)
        f.CapabilityFactory(organization=org, specialty="building_collapse", declared_grade=2)
        w.approved[key] = DeploymentFactory(
            incident=w.incident, organization=org, area_region_code="511826"
        )
    w.open_task = TaskFactory(incident=w.incident)
    w.running = {
        o: TaskFactory(incident=w.incident, organization=getattr(w, o), status="in_progress")
        for o in "ABPX"
    }
    w.accepted = {
        o: TaskFactory(incident=w.incident, organization=getattr(w, o), status="accepted")
        for o in "ABPX"
    }
    w.assigned = {
        o: TaskFactory(
            incident=w.incident,
            organization=getattr(w, o),
            status="assigned",
            assigned_at=timezone.now(),
        )
        for o in "ABPX"
    }
    w.filings = {
        o: DeploymentFactory(
            incident=w.incident,
            organization=getattr(w, o),
            area_region_code="511827",
            status="filed",
        )
        for o in "ABPX"
    }

    # Donations: money on A's, B's and X's ledgers; an allocation from X to each of A and B and
    # one from A to X.
    b_writer = f.org_user(w.B, Role.ADMIN)
    w.receipts = {
        key: df.receipt(org, by, "1000.00")
        for key, org, by in (("A", w.A, w.split), ("B", w.B, b_writer), ("X", w.X, w.x_admin))
    }
    from donations import services as ledger

    w.allocations = {
        "A": ledger.allocate(
            organization=w.X, by=w.x_admin, to_organization=w.A, amount=Decimal("100")
        ),
        "B": ledger.allocate(
            organization=w.X, by=w.x_admin, to_organization=w.B, amount=Decimal("100")
        ),
        "X": ledger.allocate(
            organization=w.A, by=w.split, to_organization=w.X, amount=Decimal("100")
        ),
    }

    w.receipts["A"] = df.receipt(w.A, w.split, "50.00")  # untouched by the allocation above

    # Procurement: an open tender, and an awarded project every team bid on (X won).
    published = timezone.now() - dt.timedelta(days=25)
    w.tender = ProjectFactory(buyer=agency, status="tendering", published_at=published)
    w.awarded = ProjectFactory(
        buyer=agency,
        status="awarded",
        published_at=published,
        tender_end=timezone.now() - dt.timedelta(days=2),
    )
    bids = {o: BidFactory(project=w.awarded, organization=getattr(w, o)) for o in "ABPX"}
    Award.objects.create(
        project=w.awarded,
        bid=bids["X"],
        amount=bids["X"].price,
        standstill_ends_at=timezone.now() + dt.timedelta(days=9),
    )
    return w


# --- running one request of each kind, rolled back ---------------------------------------------


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def api_post(user, path, body):
    client = APIClient()
    client.force_authenticate(user)
    with rolled_back():
        return client.post(path, body, format="json")


def page_post(user, path, data):
    client = Client()
    client.force_login(user)
    with rolled_back():
        response = client.post(path, data)
    stored = list(get_messages(response.wsgi_request))
    errors = [str(m) for m in stored if m.level == constants.ERROR]
    context = response.context or {}
    form = context.get("form") if hasattr(context, "get") else None
    if form is not None and form.errors:
        errors += [str(e) for errs in form.errors.values() for e in errs]
    response.errors = errors
    response.succeeded = any(m.level == constants.SUCCESS for m in stored) and not errors
    return response


def api_texts(response) -> list[str]:
    body = response.json()
    if "detail" in body:
        return [str(body["detail"])]
    return [str(m) for msgs in body.values() for m in (msgs if isinstance(msgs, list) else [msgs])]


def assert_same_decision(api, page, expected):
    """The API answers ``expected``; the page decides the same, for the same reason."""
    if expected == OK:
        assert 200 <= api.status_code < 300, (api.status_code, api.content[:300])
        assert page.succeeded, (page.status_code, page.errors)
        return
    assert api.status_code == expected, (api.status_code, api.content[:300])
    if expected == 403 and page.status_code in (403, 404):
        return
    assert not page.succeeded, "the page let through what the API refused"
    assert page.status_code in (200, 302), page.status_code
    assert set(api_texts(api)) & set(page.errors), (api_texts(api), page.errors)


def named(org_key, w):
    return {"organization": getattr(w, org_key).pk} if org_key else {}


# --- actions that name the organization (or leave it to the rule) ------------------------------

# (person, organization named): what the rule answers for an action of a verified organization.
VERIFIED_ONLY = [
    ("split", None, OK),  # the pending organization does not make the choice ambiguous
    ("split", "A", OK),
    ("split", "P", 403),  # not verified
    ("split", "X", 403),  # not a member
    ("pair", None, 400),  # two verified organizations: say which
    ("pair", "A", OK),
    ("pair", "B", OK),
]
# The talent pool is kept by pending organizations too.
ANY_STATUS = [
    ("split", None, 400),
    ("split", "A", OK),
    ("split", "P", OK),
    ("split", "X", 403),
    ("pair", None, 400),
    ("pair", "A", OK),
    ("pair", "B", OK),
]


def _claim(w, org):
    path = f"/tasks/{w.open_task.pk}/claim/"
    return (f"/api/v1{path}", named(org, w)), (path, named(org, w))


def _deployment(w, org):
    fields = {
        "headcount": 6,
        "area_region_code": "511802",
        "leader_name": "王五",
        "leader_phone": "13900001111",
        "self_sufficiency_days": 3,
        "vehicles": 1,
        **named(org, w),
    }
    api = {**fields, "incident": w.incident.pk, "arrival_at": SOON.isoformat()}
    page = {**fields, "arrival_at": SOON.strftime("%Y-%m-%dT%H:%M")}
    return ("/api/v1/deployments/", api), (f"/incidents/{w.incident.pk}/deployments/new/", page)


def _need(w, org):
    body = {
        "category": "food_water",
        "description": "饮用水",
        "quantity": 50,
        "unit": "箱",
        "region_code": "511826",
        "urgency": "normal",
        **named(org, w),
    }
    return (f"/api/v1/incidents/{w.incident.pk}/needs/", body), (
        f"/incidents/{w.incident.pk}/needs/new/",
        body,
    )


def _person(w, org):
    body = {"name": "李四", "social_worker_level": "none", "availability": "available"}
    return ("/api/v1/people/", {**body, **named(org, w)}), ("/people/", {**body, **named(org, w)})


NAMING_ACTIONS = {
    "claim a task": (_claim, VERIFIED_ONLY),
    "file a deployment": (_deployment, VERIFIED_ONLY),
    "post a need": (_need, VERIFIED_ONLY),
    "add a person": (_person, ANY_STATUS),
}
NAMING_CASES = [
    (action, person, org, expected)
    for action, (_build, table) in NAMING_ACTIONS.items()
    for person, org, expected in table
]


@pytest.mark.parametrize(
    ("action", "person", "org", "expected"),
    NAMING_CASES,
    ids=[f"{a} [{p} names {o or 'none'}]" for a, p, o, _e in NAMING_CASES],
)
def test_page_and_api_decide_alike(w, action, person, org, expected):
    build, _table = NAMING_ACTIONS[action]
    (api_path, api_body), (page_path, page_body) = build(w, org)
    user = getattr(w, person)
    api = api_post(user, api_path, api_body)
    assert_same_decision(api, page_post(user, page_path, page_body), expected)


# --- the ledger: the workspace page names the organization in its address ----------------------


def _ledger_bodies(kind, w, org):
    if kind == "receipt":
        api = {"donor_name": "张三", "donor_kind": "individual", "channel": "bank_transfer"}
        page = {f"r-{k}": v for k, v in api.items()} | {"form": "receipt", "r-amount": "50.00"}
        return "/api/v1/ledger/receipts/", {**api, "amount": "50.00", **named(org, w)}, page
    if kind == "allocation":
        api = {"to_organization": w.X.pk if org != "X" else w.A.pk, "amount": "10.00"}
        page = {"form": "allocation", "a-to_organization": api["to_organization"], "a-amount": "10"}
        return "/api/v1/ledger/allocations/", {**api, **named(org, w)}, page
    api = {"purpose": "饮用水", "amount": "10.00"}
    page = {"form": "disbursement", "d-purpose": "饮用水", "d-amount": "10.00"}
    return "/api/v1/ledger/disbursements/", {**api, **named(org, w)}, page


LEDGER_CASES = [
    (kind, person, org, expected)
    for kind in ("receipt", "allocation", "disbursement")
    for person, org, expected in VERIFIED_ONLY
]


@pytest.mark.parametrize(
    ("kind", "person", "org", "expected"),
    LEDGER_CASES,
    ids=[f"{k} [{p} names {o or 'none'}]" for k, p, o, _e in LEDGER_CASES],
)
def test_ledger_writes_decide_alike(w, kind, person, org, expected):
    user = getattr(w, person)
    api_path, api_body, page_body = _ledger_bodies(kind, w, org)
    api = api_post(user, api_path, api_body)
    if org is None:  # the workspace always names its organization: the API alone says it
        assert (api.status_code < 300) if expected == OK else api.status_code == expected
        return
    page = page_post(user, f"/ledger/organizations/{getattr(w, org).pk}/", page_body)
    assert_same_decision(api, page, expected)


# --- capabilities: declared by an admin, for the organization in the address -------------------


@pytest.mark.parametrize(
    ("person", "org", "expected"),
    [("split", "A", OK), ("split", "P", 403), ("split", "X", 403), ("pair", "B", 403)],
)
def test_declaring_a_capability_decides_alike(w, person, org, expected):
    user, pk = getattr(w, person), getattr(w, org).pk
    api = api_post(
        user,
        f"/api/v1/organizations/{pk}/capabilities/",
        {"specialty": "water_rescue", "declared_grade": 3},
    )
    page = page_post(
        user,
        f"/organizations/{pk}/capabilities/new/",
        {"specialty": "water_rescue", "declared_grade": 3, "mobility_range": "local"},
    )
    if org == "X":  # another organization's admin pages and its API object: both hidden
        assert api.status_code in (403, 404) and page.status_code == 404
        return
    assert_same_decision(api, page, expected)


# --- actions on what an organization already holds: the object names the organization ---------

HOLDER_CASES = [
    ("split", "A", OK),
    ("split", "P", OK),  # a pending (or since suspended) holder still answers for what it holds
    ("split", "X", 403),
    ("pair", "B", OK),
]


def _report(w, held_by):
    task = w.running[held_by]
    body = {"summary": "已搜救完毕", "people_served": 3, "quantity_delivered": 0}
    return (f"/api/v1/tasks/{task.pk}/report/", body), (f"/tasks/{task.pk}/report/", body)


def _accept(w, held_by):
    task = w.assigned[held_by]
    return (f"/api/v1/tasks/{task.pk}/accept/", {}), (f"/tasks/{task.pk}/accept/", {})


def _withdraw(w, held_by):
    filing = w.filings[held_by]
    return (f"/api/v1/deployments/{filing.pk}/withdraw/", {}), (
        f"/deployments/{filing.pk}/withdraw/",
        {},
    )


def _start(w, held_by):
    task = w.accepted[held_by]
    return (f"/api/v1/tasks/{task.pk}/start/", {}), (f"/tasks/{task.pk}/start/", {})


def _arrive(w, held_by):
    filing = w.approved[held_by]
    return (f"/api/v1/deployments/{filing.pk}/arrive/", {}), (
        f"/deployments/{filing.pk}/arrive/",
        {},
    )


HOLDER_ACTIONS = {
    "report on a task": _report,
    "accept a task": _accept,
    "start a task": _start,
    "arrive": _arrive,
    "withdraw": _withdraw,
}
HOLDER_PARAMS = [(a, p, o, e) for a in HOLDER_ACTIONS for p, o, e in HOLDER_CASES]


@pytest.mark.parametrize(
    ("action", "person", "held_by", "expected"),
    HOLDER_PARAMS,
    ids=[f"{a} [{p}, held by {o}]" for a, p, o, _e in HOLDER_PARAMS],
)
def test_holder_actions_decide_alike(w, action, person, held_by, expected):
    (api_path, api_body), (page_path, page_body) = HOLDER_ACTIONS[action](w, held_by)
    user = getattr(w, person)
    api, page = api_post(user, api_path, api_body), page_post(user, page_path, page_body)
    if expected == 403 and api.status_code == 404:  # a filing the person cannot see
        assert page.status_code == 404
        return
    assert_same_decision(api, page, expected)


@pytest.mark.parametrize(
    ("person", "receiver", "expected"), [("split", "A", OK), ("pair", "B", OK), ("split", "X", 403)]
)
def test_signing_for_decides_alike(w, person, receiver, expected):
    allocation = w.allocations[receiver]
    user = getattr(w, person)
    api = api_post(
        user, f"/api/v1/ledger/allocations/{allocation.pk}/acknowledge/", {"amount": "100.00"}
    )
    page = page_post(
        user, f"/ledger/entries/{allocation.pk}/acknowledge/", {"amount": "100.00", "items": ""}
    )
    assert_same_decision(api, page, expected)


@pytest.mark.parametrize(
    ("person", "holder", "expected"), [("split", "A", OK), ("pair", "B", OK), ("split", "X", 403)]
)
def test_reversing_an_entry_decides_alike(w, person, holder, expected):
    entry = w.receipts[holder]
    user = getattr(w, person)
    api = api_post(user, f"/api/v1/ledger/entries/{entry.pk}/reverse/", {"reason": "录入错误"})
    page = page_post(user, f"/ledger/entries/{entry.pk}/reverse/", {"reason": "录入错误"})
    assert_same_decision(api, page, expected)


# --- procurement: the API is the only door; the same rule answers --------------------------------


@pytest.mark.parametrize(("person", "org", "expected"), VERIFIED_ONLY)
def test_bids_follow_the_rule(w, person, org, expected):
    body = {"price": "90000.00", "proposal": "驻点服务", "team_size": 5, **named(org, w)}
    response = api_post(getattr(w, person), f"/api/v1/procurements/{w.tender.pk}/bids/", body)
    assert (response.status_code < 300) if expected == OK else response.status_code == expected, (
        response.status_code,
        response.content[:300],
    )


@pytest.mark.parametrize(
    ("person", "bidder", "expected"),
    [("split", "A", OK), ("split", "P", OK), ("pair", "B", OK), ("split", "X", 404)],
)
def test_withdrawing_a_bid_follows_the_holder_rule(w, person, bidder, expected):
    bid = BidFactory(project=w.tender, organization=getattr(w, bidder))
    response = api_post(getattr(w, person), f"/api/v1/bids/{bid.pk}/withdraw/", {})
    assert (response.status_code < 300) if expected == OK else response.status_code == expected


@pytest.mark.parametrize(("person", "org", "expected"), VERIFIED_ONLY)
def test_challenges_follow_the_rule(w, person, org, expected):
    body = {"reason": "评分有误", **named(org, w)}
    response = api_post(
        getattr(w, person), f"/api/v1/procurements/{w.awarded.pk}/challenges/", body
    )
    assert (response.status_code < 300) if expected == OK else response.status_code == expected, (
        response.status_code,
        response.content[:300],
    )


# --- the forms offer the choice only to people with several organizations ----------------------


def _page(user, path) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_forms_offer_a_choice_only_with_several_organizations(w):
    filing = f"/incidents/{w.incident.pk}/deployments/new/"
    need = f"/incidents/{w.incident.pk}/needs/new/"
    task = f"/tasks/{w.open_task.pk}/"
    for path in (filing, need, task):
        html = _page(w.pair, path)
        assert '<select name="organization"' in html and "乙队" in html, path
        html = _page(w.split, path)  # the pending team may not do these: nothing to choose
        assert '<select name="organization"' not in html, path
    assert '<input type="hidden" name="organization"' in _page(w.split, filing)
    # The talent pool takes pending organizations: there the same person chooses.
    html = _page(w.split, "/people/")
    assert '<select name="organization"' in html and "待审核队" in html
    assert '<select name="organization"' not in _page(w.x_admin, "/people/")


def test_my_tasks_lists_what_a_pending_holder_still_answers_for(w):
    html = _page(w.split, "/tasks/mine/")
    assert w.running["P"].title in html and w.running["A"].title in html
    assert w.running["B"].title not in html
