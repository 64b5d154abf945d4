"""PATCH /api/v1/procurements/{pk}/: the buyer's officials edit a draft (the twin of the edit
page, both through ``services.update_draft``)."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEvent
from procurement.models import Project
from tests.procurement.flow import Flow

pytestmark = pytest.mark.django_db


def _draft(api, official) -> Flow:
    flow = Flow(api, official)
    flow.create()
    return flow


def _patch(api, user, pk, body):
    return api(user).patch(f"/api/v1/procurements/{pk}/", body, format="json")


def test_an_official_of_the_region_edits_the_draft_keeping_what_is_left_out(api, official):
    flow = _draft(api, official)
    r = _patch(
        api, official, flow.pk, {"title": "安置点心理援助（修订）", "budget_amount": "90000"}
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["title"] == "安置点心理援助（修订）"
    assert body["budget_amount"] == "90000.00"
    project = flow.project
    assert project.title == "安置点心理援助（修订）"
    assert project.category == "recovery_reconstruction"  # left out: kept
    assert project.service_standards.count() == 2
    assert sorted(project.criteria.values_list("weight", flat=True)) == [30, 30, 40]


def test_a_list_given_replaces_the_drafts_list(api, official):
    flow = _draft(api, official)
    rows = [{"indicator": "服务人次", "target": "800", "unit": "人次", "verification": "document"}]
    r = _patch(api, official, flow.pk, {"service_standards": rows})
    assert r.status_code == 200, r.json()
    assert list(flow.project.service_standards.values_list("target", flat=True)) == [800]


def test_the_create_rules_apply(api, official):
    flow = _draft(api, official)
    weights = [
        {"name": "技术", "kind": "technical", "weight": 60},
        {"name": "价格", "kind": "price", "weight": 30},
    ]
    r = _patch(api, official, flow.pk, {"criteria": weights})
    assert r.status_code == 400 and "criteria" in r.json()
    r = _patch(api, official, flow.pk, {"method": "auction", "region_code": "abc"})
    assert r.status_code == 400 and {"method", "region_code"} <= set(r.json())
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    r = _patch(api, official, flow.pk, {"tender_end": past})
    assert r.status_code == 400 and "tender_end" in r.json()
    r = _patch(api, official, flow.pk, {"method": "emergency"})
    assert r.status_code == 400 and "incident" in r.json()
    r = _patch(api, official, flow.pk, {"surprise": 1})
    assert r.status_code == 400
    assert flow.project.title == "芦山县安置点心理援助服务"


def test_a_region_outside_the_officials_jurisdiction_is_refused(api, official):
    flow = _draft(api, official)
    r = _patch(api, official, flow.pk, {"region_code": "440100"})
    assert r.status_code == 403
    assert flow.project.region_code == "511826"


def test_only_the_buyers_officials_edit(api, official, outside_official, ngo_admin, expert):
    flow = _draft(api, official)
    assert _patch(api, None, flow.pk, {"title": "x"}).status_code == 403
    for user in (ngo_admin, expert):
        assert _patch(api, user, flow.pk, {"title": "x"}).status_code == 403
    # a draft is not shown outside the jurisdiction: not found
    assert _patch(api, outside_official, flow.pk, {"title": "x"}).status_code == 404
    assert flow.project.title == "芦山县安置点心理援助服务"


def test_a_published_project_is_not_a_draft(api, official):
    flow = _draft(api, official)
    flow.publish()
    r = _patch(api, official, flow.pk, {"title": "改标题"})
    assert r.status_code == 409
    assert flow.project.status == Project.Status.TENDERING
    assert flow.project.title == "芦山县安置点心理援助服务"


def test_put_is_not_offered(api, official):
    flow = _draft(api, official)
    r = api(official).put(f"/api/v1/procurements/{flow.pk}/", {"title": "x"}, format="json")
    assert r.status_code == 405


def test_the_edit_is_audited(api, official):
    flow = _draft(api, official)
    before = AuditEvent.objects.count()
    assert _patch(api, official, flow.pk, {"title": "改"}).status_code == 200
    assert AuditEvent.objects.count() > before
