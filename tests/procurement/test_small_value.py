"""The small-value route (issue 19, item 5): below the threshold the plan proposes competitive
consultation or negotiation with at least 3 invited, verified suppliers; at or above it, open
tender unless a legal ground is chosen and written down; emergency purchases are flagged for an
after-the-fact review."""

import datetime as dt

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from coordination.models import Incident
from core.models import AuditEvent
from procurement import rules
from procurement.models import Method, Project
from tests.coordination.factories import IncidentFactory
from tests.procurement.debarring import terminated_contract
from tests.procurement.factories import ProjectFactory, bidder
from tests.procurement.flow import Flow, project_payload
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db

BID = {"price": "70000.00", "proposal": "培训演练方案"}
SOON = lambda days: (timezone.now() + dt.timedelta(days=days)).isoformat()  # noqa: E731


def test_below_the_threshold_consultation_and_negotiation_are_proposed(settings):
    assert rules.proposed_methods(settings.TONGZHOU_SMALL_PURCHASE_THRESHOLD - 1) == (
        Method.COMPETITIVE_CONSULTATION,
        Method.COMPETITIVE_NEGOTIATION,
    )
    assert rules.proposed_methods(settings.TONGZHOU_SMALL_PURCHASE_THRESHOLD) == (
        Method.OPEN_TENDER,
    )


def test_the_draft_page_proposes_the_small_value_route(client, agency, official):
    project = ProjectFactory(buyer=agency, budget_amount="80000.00")  # an open tender
    client.force_login(official)
    page = client.get(f"/procurements/{project.pk}/")
    text = page.content.decode()
    assert 'data-testid="small-value"' in text
    assert "竞争性磋商" in text and "竞争性谈判" in text
    assert_readable_html(page.content)
    form = client.get("/procurements/new/").content.decode()
    assert "¥100,000" in form and 'name="method_reason"' in form


def test_consultation_invites_at_least_three_verified_suppliers_and_only_they_bid(
    api, client, official
):
    invited = [bidder() for _ in range(3)]
    outsider, outsider_admin = bidder()
    flow = Flow(api, official)
    flow.create(
        method="competitive_consultation",
        budget_amount="80000.00",
        invitees=[o.pk for o, _a in invited[:2]],
        tender_end=SOON(12),
    )
    r = flow.post("publish", expect=400)
    assert "3" in r["invitees"][0]
    # the invitation service (API twin of the page's invite form) adds the third
    bad = api(official).post(
        f"/api/v1/procurements/{flow.pk}/invite/", {"organizations": [999999]}, format="json"
    )
    assert bad.status_code == 400 and "organizations" in bad.json()
    r = api(official).post(
        f"/api/v1/procurements/{flow.pk}/invite/",
        {"organizations": [invited[2][0].pk]},
        format="json",
    )
    assert r.status_code == 200 and len(r.json()["invitees"]) == 3
    flow.publish()
    # invited suppliers see it on their home and may bid; others may not
    admin = invited[0][1]
    items = django_apps.get_app_config("procurement").work_queue(admin)
    assert [i for i in items if i["key"] == "procurement_tenders"][0]["count"] == 1
    client.force_login(admin)
    assert flow.project.title in client.get("/procurements/tenders/").content.decode()
    flow.post("bids", BID, user=admin, expect=201)
    flow.post("bids", BID, user=outsider_admin, expect=403)
    outsider_items = django_apps.get_app_config("procurement").work_queue(outsider_admin)
    assert [i for i in outsider_items if i["key"] == "procurement_tenders"][0]["count"] == 0


def test_a_debarred_or_unverified_supplier_cannot_be_invited(api, agency, official):
    team, _admin = bidder()
    terminated_contract(team, agency)
    pending, _p = bidder(status="pending")
    flow = Flow(api, official)
    flow.create(method="competitive_negotiation", budget_amount="50000.00", tender_end=SOON(12))
    for org in (team, pending):
        r = api(official).post(
            f"/api/v1/procurements/{flow.pk}/invite/", {"organizations": [org.pk]}, format="json"
        )
        assert r.status_code == 400 and "organizations" in r.json()
    assert not Project.objects.get(pk=flow.pk).invitees.exists()


def test_only_the_projects_officials_invite(api, official, outside_official, ngo_admin):
    org, _admin = bidder()
    flow = Flow(api, official)
    flow.create(method="competitive_negotiation", budget_amount="50000.00", tender_end=SOON(12))
    for user in (outside_official, ngo_admin):
        r = api(user).post(
            f"/api/v1/procurements/{flow.pk}/invite/", {"organizations": [org.pk]}, format="json"
        )
        assert r.status_code in (403, 404)
    open_tender = Flow(api, official)
    open_tender.create()
    r = api(official).post(
        f"/api/v1/procurements/{open_tender.pk}/invite/", {"organizations": [org.pk]}
    )
    assert r.status_code == 400


def test_the_invite_page_invites(client, api, official):
    org, _admin = bidder()
    flow = Flow(api, official)
    flow.create(method="competitive_consultation", budget_amount="60000.00", tender_end=SOON(12))
    client.force_login(official)
    page = client.get(f"/procurements/{flow.pk}/").content.decode()
    assert 'data-testid="invite-form"' in page
    client.post(f"/procurements/{flow.pk}/invite/", {"organizations": [org.pk]})
    assert list(flow.project.invitees.values_list("pk", flat=True)) == [org.pk]
    assert AuditEvent.objects.filter(action="procurement.suppliers_invited").count() == 1


def test_above_the_threshold_a_method_other_than_open_tender_needs_a_legal_ground(api, official):
    client = api(official)
    payload = project_payload(method="competitive_negotiation", budget_amount="150000.00")
    r = client.post("/api/v1/procurements/", payload, format="json")
    assert r.status_code == 400
    assert {"method_reason", "method_reason_text"} <= set(r.json())
    wrong = client.post(
        "/api/v1/procurements/",
        {**payload, "method_reason": "single_only", "method_reason_text": "唯一供应商"},
        format="json",
    )
    assert wrong.status_code == 400 and "method_reason" in wrong.json()
    unwritten = client.post(
        "/api/v1/procurements/", {**payload, "method_reason": "negotiation_urgent"}, format="json"
    )
    assert unwritten.status_code == 400 and list(unwritten.json()) == ["method_reason_text"]
    assert not Project.objects.exists()
    ok = client.post(
        "/api/v1/procurements/",
        {
            **payload,
            "method_reason": "negotiation_urgent",
            "method_reason_text": "汛期临近，招标所需时间不能满足安置点需要",
        },
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["method_reason"] == "negotiation_urgent"
    # open tender and emergency need no ground; a small purchase needs none either
    assert client.post("/api/v1/procurements/", project_payload(), format="json").status_code == 201
    small = project_payload(method="competitive_negotiation", budget_amount="99999.99")
    assert client.post("/api/v1/procurements/", small, format="json").status_code == 201


def test_the_plan_page_asks_for_the_legal_ground(client, official):
    from tests.procurement.test_pages_roles import plan_body

    client.force_login(official)
    body = plan_body(method="competitive_negotiation", budget_amount="150000")
    page = client.post("/procurements/new/", body)
    assert page.status_code == 400 and not Project.objects.exists()
    assert "法定理由" in page.content.decode()
    body.update(method_reason="negotiation_complex", method_reason_text="服务内容无法事先确定")
    assert client.post("/procurements/new/", body).status_code == 302
    project = Project.objects.get()
    assert project.method_reason == "negotiation_complex"
    shown = client.get(f"/procurements/{project.pk}/").content.decode()
    assert 'data-testid="method-reason"' in shown and "服务内容无法事先确定" in shown


def test_an_emergency_purchase_is_flagged_and_reviewed_after_the_fact(
    api, client, official, outside_official, ngo_admin
):
    incident = IncidentFactory(status=Incident.Status.RESPONDING)
    flow = Flow(api, official)
    flow.create(
        method="emergency", incident=incident.pk, tender_end=SOON(1), budget_amount="500000"
    )
    flow.publish()
    items = django_apps.get_app_config("procurement").work_queue(official)
    item = [i for i in items if i["key"] == "procurement_emergency_reviews"][0]
    assert item["count"] == 1 and item["url"] == f"/procurements/{flow.pk}/#review"
    assert AuditEvent.objects.filter(action="procurement.emergency_flagged").count() == 1
    client.force_login(official)
    page = client.get(f"/procurements/{flow.pk}/")
    assert 'data-testid="review-form"' in page.content.decode()
    assert_readable_html(page.content)

    url = f"/api/v1/procurements/{flow.pk}/review/"
    assert api(outside_official).post(url, {"notes": "x"}, format="json").status_code == 403
    assert api(ngo_admin).post(url, {"notes": "x"}, format="json").status_code == 403
    assert api(official).post(url, {"notes": " "}, format="json").status_code == 400
    r = api(official).post(url, {"notes": "采购及时，价格合理"}, format="json")
    assert r.status_code == 200 and r.json()["review_notes"] == "采购及时，价格合理"
    assert api(official).post(url, {"notes": "再次"}, format="json").status_code == 409
    items = django_apps.get_app_config("procurement").work_queue(official)
    assert [i for i in items if i["key"] == "procurement_emergency_reviews"][0]["count"] == 0
    page = client.get(f"/procurements/{flow.pk}/").content.decode()
    assert "采购及时，价格合理" in page and 'data-testid="review-form"' not in page


def test_an_open_tender_is_not_reviewed(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    r = api(official).post(f"/api/v1/procurements/{flow.pk}/review/", {"notes": "x"})
    assert r.status_code == 409


@pytest.mark.parametrize("rows", [5, 50])
def test_the_official_queue_items_cost_a_fixed_number_of_queries(
    agency, official, rows, django_assert_max_num_queries
):
    team, _admin = bidder()
    for i in range(rows):
        terminated_contract(team, agency, ground="nonperformance", due_in=-1 - i)
        ProjectFactory(buyer=agency, method="emergency", published_at=timezone.now())
    official = type(official).objects.get(pk=official.pk)
    with django_assert_max_num_queries(8):  # 4 before, 2 + 2 for these items
        items = django_apps.get_app_config("procurement").work_queue(official)
    counts = {i["key"]: i["count"] for i in items}
    assert counts["procurement_overdue_clawbacks"] == rows
    assert counts["procurement_emergency_reviews"] == rows
