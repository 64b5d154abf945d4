"""Drafting and publishing: measurable indicators, weights summing to 100, the method's minimum
period (calendar or working days via the pluggable calendar), invitations, emergencies."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from coordination.models import Incident
from core.models import AuditEvent
from tests.coordination.factories import IncidentFactory
from tests.procurement.factories import bidder
from tests.procurement.flow import Flow, project_payload

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def test_only_officials_of_the_region_create_projects(api, ngo_admin, outside_official, expert):
    for user in (None, ngo_admin, expert, outside_official):
        r = api(user).post("/api/v1/procurements/", project_payload(), format="json")
        assert r.status_code in (401, 403), user


def test_criteria_weights_must_sum_to_100(api, official):
    payload = project_payload(
        criteria=[
            {"name": "技术", "kind": "technical", "weight": 60},
            {"name": "价格", "kind": "price", "weight": 30},
        ]
    )
    r = api(official).post("/api/v1/procurements/", payload, format="json")
    assert r.status_code == 400 and "criteria" in r.json()


def test_bad_input_is_a_field_level_400(api, official):
    payload = project_payload(method="auction", budget_amount="-5", region_code="abc")
    r = api(official).post("/api/v1/procurements/", payload, format="json")
    assert r.status_code == 400
    assert {"method", "budget_amount", "region_code"} <= set(r.json())


def test_publish_needs_an_indicator_and_a_criterion(api, official):
    flow = Flow(api, official)
    flow.create(service_standards=[], criteria=[])
    r = flow.post("publish", expect=400)
    assert {"service_standards", "criteria"} <= set(r)


def test_publish_refuses_an_open_tender_shorter_than_20_days_naming_the_rule(api, official):
    flow = Flow(api, official)
    flow.create(tender_end=(timezone.now() + dt.timedelta(days=19)).isoformat())
    r = flow.post("publish", expect=400)
    assert "20" in r["tender_end"][0]
    assert flow.project.status == "draft"


@pytest.mark.parametrize(("deadline_day", "ok"), [(27, False), (30, True)])
def test_negotiation_needs_three_working_days(api, official, deadline_day, ok):
    with time_machine.travel(WEDNESDAY, tick=False):
        invited = [bidder()[0].pk for _ in range(3)]
        flow = Flow(api, official)
        end = dt.datetime(2026, 11, deadline_day, 17, 0, tzinfo=SHANGHAI)
        flow.create(
            method="competitive_negotiation",
            invitees=invited,
            tender_end=end.isoformat(),
            budget_amount="80000.00",  # the small-value route: no legal ground needed
        )
        r = flow.post("publish", expect=200 if ok else 400)
        if not ok:
            assert "3" in r["tender_end"][0]


def test_the_holiday_calendar_is_pluggable(api, official, settings):
    settings.TONGZHOU_PROCUREMENT_HOLIDAYS = ["2026-11-30"]
    with time_machine.travel(WEDNESDAY, tick=False):
        org, _admin = bidder()
        flow = Flow(api, official)
        end = dt.datetime(2026, 11, 30, 17, 0, tzinfo=SHANGHAI)
        flow.create(method="inquiry", tender_end=end.isoformat(), budget_amount="80000.00")
        flow.post("publish", expect=400)


def test_invited_methods_need_invitees_and_only_invitees_bid(api, official):
    invited, invited_admin = bidder()
    _outsider, outsider_admin = bidder()
    flow = Flow(api, official)
    ground = {"method_reason": "invited_special", "method_reason_text": "仅少数队伍具备该资质"}
    flow.create(method="invited_tender", **ground)
    assert "invitees" in flow.post("publish", expect=400)
    flow.create(method="invited_tender", invitees=[invited.pk], **ground)
    flow.publish()
    flow.post("bids", {"price": "1.00", "proposal": "x"}, user=invited_admin, expect=201)
    flow.post("bids", {"price": "1.00", "proposal": "x"}, user=outsider_admin, expect=403)


def test_only_eligible_organizations_bid(api, official, ngo_admin):
    flow = Flow(api, official)
    flow.create(eligibility={"specialty": "water_rescue", "min_grade": 1})
    flow.publish()
    _org, grade_two = bidder(specialty="water_rescue", grade=2)
    _org, grade_one = bidder(specialty="water_rescue", grade=1)
    flow.post("bids", {"price": "5.00", "proposal": "x"}, user=grade_two, expect=403)
    flow.post("bids", {"price": "5.00", "proposal": "x"}, user=ngo_admin, expect=403)
    flow.post("bids", {"price": "5.00", "proposal": "x"}, user=grade_one, expect=201)


def test_emergency_procurement_only_for_an_incident_in_response(api, official):
    incident = IncidentFactory(status=Incident.Status.MONITORING)
    flow = Flow(api, official)
    soon = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    assert (
        "incident"
        in api(official)
        .post(
            "/api/v1/procurements/",
            project_payload(method="emergency", tender_end=soon),
            format="json",
        )
        .json()
    )
    flow.create(method="emergency", incident=incident.pk, tender_end=soon)
    assert "incident" in flow.post("publish", expect=400)
    Incident.objects.filter(pk=incident.pk).update(status="responding")
    assert flow.publish()["status"] == "tendering"  # no minimum period


def test_an_official_outside_the_region_cannot_publish(api, official, outside_official):
    flow = Flow(api, official)
    flow.create()
    flow.post("publish", user=outside_official, expect=404)


def test_cancel_needs_a_reason_and_is_audited(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.post("cancel", {"reason": " "}, expect=400)
    assert flow.post("cancel", {"reason": "需求取消"})["status"] == "cancelled"
    assert AuditEvent.objects.get(action="procurement.cancelled").reason == "需求取消"


def test_the_deadline_job_closes_the_tender_and_official_opens_it(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.bid_all()
    flow.post("open", expect=400)  # before the deadline
    with flow.after_deadline():
        from procurement import tasks

        assert tasks.close_due_tenders() == 1
        assert flow.project.tender_closed_at is not None
        assert flow.project.status == "tendering"
        flow.post("open", user=flow.bidders[0][1], expect=403)
        assert flow.post("open")["status"] == "evaluating"
