"""The whole life cycle through the API: draft -> tendering -> evaluating -> awarded ->
implementing -> accepted -> closed, with OCDS releases at each published change."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import Alert
from core.models import AuditEvent
from procurement.models import Contract, Evidence, Milestone, Project
from tests.procurement import delivery
from tests.procurement.conftest import assert_valid_ocds
from tests.procurement.factories import JPEG, JPEG2
from tests.procurement.flow import Flow

pytestmark = pytest.mark.django_db


def ocds_package(api, pk):
    r = api().get(f"/api/v1/procurements/{pk}/ocds/")
    assert r.status_code == 200
    assert_valid_ocds(r.json())
    return r.json()


def test_a_project_goes_from_draft_to_closed_through_the_api(api, official):
    # given a draft with measurable indicators and criteria weighing 100
    flow = Flow(api, official)
    pk = flow.create()
    flow.make_bidders()
    assert flow.project.status == "draft"
    assert api().get(f"/api/v1/procurements/{pk}/").status_code == 404  # drafts are internal

    # when it is published, eligible organizations bid before the deadline
    assert flow.publish()["status"] == "tendering"
    flow.bid_all()
    assert api().get(f"/api/v1/procurements/{pk}/").json()["bid_count"] == 3
    notice = Alert.objects.filter(link=f"/procurements/{pk}/").first()
    assert set(notice.audience["organizations"]) >= {org.pk for org, _admin in flow.bidders}

    with flow.after_deadline():
        assert flow.close_and_open()["status"] == "evaluating"
        draw = flow.draw()
        assert len(draw["selected"]) == 3
        flow.score_all()
        ranking = api(official).get(f"/api/v1/procurements/{pk}/ranking/").json()["results"]
        assert [(r["bid"], r["total"]) for r in ranking] == [
            (flow.bids[1], "93.00"),
            (flow.bids[0], "80.00"),
            (flow.bids[2], "72.50"),
        ]
        awarded = flow.award(index=1)
        assert awarded["status"] == "awarded"
        assert awarded["award"]["amount"] == "100000.00"
        assert len(awarded["award"]["experts"]) == 3
        # per-expert scores are public after the award
        scores = api().get(f"/api/v1/procurements/{pk}/scores/").json()
        assert scores["count"] == 18

        standstill_end = flow.project.awards.get().standstill_ends_at
    with time_machine.travel(standstill_end + dt.timedelta(minutes=1), tick=True):
        data = flow.contract()
        assert data["status"] == "implementing"
        contract = Contract.objects.get(project_id=pk)
        assert contract.value == Decimal("100000.00")
        supplier_admin = flow.bidders[1][1]
        first, second = contract.milestones.order_by("due_at")
        standards = list(flow.project.service_standards.order_by("id"))

        # the buyer assigns a third-party evaluator to both milestones
        evaluator_org, evaluator_user = delivery.evaluator()
        delivery.assign(api, official, first, evaluator_org)
        delivery.assign(api, official, second, evaluator_org)
        # the supplier reports with values per indicator, a photo and the recipients served
        r = api(supplier_admin).post(
            f"/api/v1/milestones/{first.pk}/report/",
            {
                "summary": "第一阶段完成",
                "values": f'{{"{standards[0].pk}": "520", "{standards[1].pk}": "92"}}',
                "evidence": [SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")],
                "taken_at": ["2026-12-01T10:00:00+08:00"],
                "recipients": json.dumps(
                    [
                        {"name": "张三", "phone": "139 0835 0001"},
                        {"name": "李四", "phone": "+8613908350002"},
                    ]
                ),
            },
            format="multipart",
        )
        assert r.status_code == 201, r.json()
        evidence = r.json()["evidence"][0]
        assert evidence["content_type"] == "image/jpeg"
        assert evidence["taken_at"].startswith("2026-12-01")
        assert evidence["duplicate_of"] is None

        delivery.sample_and_answer(api, official, first)
        measured = {str(standards[0].pk): "520", str(standards[1].pk): "93"}
        data = delivery.inspect(api, evaluator_user, first, measured, third_party_score="88")
        assert data["status"] == "inspected"
        r = api(official).post(
            f"/api/v1/milestones/{first.pk}/accept/",
            {"recipients": ["张三", "李四"]},
            format="json",
        )
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "accepted"
        # two present at the acceptance and the one sampled recipient who confirmed
        assert r.json()["acceptance"]["recipients_count"] == 3
        r = api(official).post(f"/api/v1/milestones/{first.pk}/pay/")
        assert r.status_code == 201 and r.json()["amount"] == "40000.00"

        # the same photo in a second report is flagged
        r = api(supplier_admin).post(
            f"/api/v1/milestones/{second.pk}/report/",
            {
                "summary": "第二阶段",
                "values": "{}",
                "recipients": json.dumps([{"name": "王五", "phone": "13908350003"}]),
                "evidence": [
                    SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg"),
                    SimpleUploadedFile("c.jpg", JPEG2, content_type="image/jpeg"),
                ],
            },
            format="multipart",
        )
        assert r.status_code == 201, r.json()
        flagged = [e for e in r.json()["evidence"] if e["duplicate_of"]]
        assert len(flagged) == 1
        assert Evidence.objects.get(pk=flagged[0]["id"]).duplicate_of_id == evidence["id"]

        delivery.sample_and_answer(api, official, second)
        measured = {str(standards[0].pk): "500", str(standards[1].pk): "90"}
        delivery.inspect(api, evaluator_user, second, measured)
        delivery.accept(api, official, second)
        assert Project.objects.get(pk=pk).status == "accepted"
        r = api(official).post(f"/api/v1/milestones/{second.pk}/pay/")
        assert r.json()["amount"] == "60000.00"

    project = Project.objects.get(pk=pk)
    assert project.status == "closed"
    assert Contract.objects.get(pk=contract.pk).paid_amount == Decimal("100000.00")
    assert Contract.objects.get(pk=contract.pk).status == "completed"
    package = ocds_package(api, pk)
    tags = [r["tag"][0] for r in package["releases"]]
    assert tags[:3] == ["tender", "award", "contract"]
    assert "implementation" in tags
    last = package["releases"][-1]
    assert last["ocid"].endswith(f"-{pk}")
    assert last["tender"]["procurementMethod"] == "open"
    assert last["tender"]["procurementMethodDetails"] == "公开招标"
    assert "SECRET" not in str(package) and "张三" not in str(package)
    events = AuditEvent.objects.filter(action__startswith="procurement.")
    assert set(events.values_list("region_code", flat=True)) == {"511826"}
    actions = set(events.values_list("action", flat=True))
    assert {
        "procurement.published",
        "procurement.opened",
        "procurement.panel_drawn",
        "procurement.awarded",
        "procurement.contract_signed",
        "procurement.milestone_paid",
        "procurement.closed",
        "procurement.bid_submitted",
        "procurement.scored",
        "procurement.progress_reported",
        "procurement.milestone_inspected",
        "procurement.milestone_accepted",
        "procurement.tender_closed",
        "procurement.project_created",
    } <= actions


def test_a_milestone_below_target_is_not_accepted_and_cannot_be_paid(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        flow.draw()
        flow.score_all()
        flow.award()
        end = flow.project.awards.get().standstill_ends_at
    with time_machine.travel(end + dt.timedelta(minutes=1), tick=True):
        flow.contract()
        milestone = Milestone.objects.filter(contract__project_id=flow.pk).first()
        supplier = flow.bidders[1][1]
        standards = list(flow.project.service_standards.order_by("id"))
        measured = {str(standards[0].pk): "100", str(standards[1].pk): "95"}
        delivery.deliver(api, official, supplier, milestone, measured=measured)
        r = api(official).post(
            f"/api/v1/milestones/{milestone.pk}/accept/",
            {"recipients": ["赵六"]},
            format="json",
        )
        assert r.json()["status"] == "rejected"
        assert r.json()["acceptance"]["results"][0]["met"] is False
        r = api(official).post(f"/api/v1/milestones/{milestone.pk}/pay/")
        assert r.status_code == 409
