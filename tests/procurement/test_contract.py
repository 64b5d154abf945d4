"""Stand-still and challenges, contract, payment caps, termination with clawback, overdue alerts."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import Alert
from procurement import tasks
from procurement.models import Clawback, Contract, Milestone
from tests.procurement import delivery
from tests.procurement.flow import Flow


def _due(days: int) -> str:
    """A milestone deadline ``days`` from (the possibly travelled) now: deadlines lie within
    two years (core.validators.deadline)."""
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        flow.draw()
        flow.score_all()
        flow.award(index=1)
        flow.standstill_end = flow.project.awards.get().standstill_ends_at
        yield flow


def after_standstill(flow):
    return time_machine.travel(flow.standstill_end + dt.timedelta(minutes=1), tick=True)


def test_the_standstill_is_seven_working_days(awarded):
    award = awarded.project.awards.get()
    # 7 working days never span less than 9 calendar days
    assert award.standstill_ends_at - award.awarded_at >= dt.timedelta(days=9)


def test_no_contract_during_the_standstill(awarded):
    awarded.contract_response = awarded.post(
        "contract",
        {"milestones": [{"title": "一", "due_at": _due(60), "payment_percent": "100"}]},
        expect=409,
    )


def test_an_open_challenge_blocks_the_contract_until_dismissed(api, awarded, official):
    loser = awarded.bidders[2][1]
    challenge = awarded.post("challenges", {"reason": "评分不公"}, user=loser, expect=201)
    assert Alert.objects.filter(link=f"/procurements/{awarded.pk}/", level="yellow").exists()
    with after_standstill(awarded):
        r = awarded.post(
            "contract",
            {"milestones": [{"title": "一", "due_at": _due(60), "payment_percent": "100"}]},
            expect=409,
        )
        assert "challenge" in r["detail"].lower() or "质疑" in r["detail"]
        r = api(official).post(
            f"/api/v1/challenges/{challenge['id']}/resolve/",
            {"decision": "dismissed", "response": "评分符合规则"},
        )
        assert r.status_code == 200 and r.json()["status"] == "dismissed"
        assert awarded.contract()["status"] == "implementing"


def test_an_upheld_challenge_sends_the_project_back_to_evaluation(api, awarded, official):
    loser = awarded.bidders[0][1]
    challenge = awarded.post("challenges", {"reason": "价格计算错误"}, user=loser, expect=201)
    r = api(official).post(
        f"/api/v1/challenges/{challenge['id']}/resolve/",
        {"decision": "upheld", "response": "重新评审"},
    )
    assert r.status_code == 200
    project = awarded.project
    assert project.status == "evaluating"
    assert project.awards.get().status == "annulled"
    awarded.award(index=1)  # awarded again after re-evaluation
    assert awarded.project.status == "awarded"


def test_only_bidders_challenge_and_only_during_the_standstill(awarded, other_ngo_admin):
    awarded.post("challenges", {"reason": "x"}, user=other_ngo_admin, expect=403)
    with after_standstill(awarded):
        awarded.post("challenges", {"reason": "x"}, user=awarded.bidders[0][1], expect=409)


def test_milestone_percents_must_sum_to_100(awarded):
    with after_standstill(awarded):
        r = awarded.post(
            "contract",
            {
                "milestones": [
                    {"title": "一", "due_at": _due(60), "payment_percent": "50"},
                    {"title": "二", "due_at": _due(90), "payment_percent": "40"},
                ]
            },
            expect=400,
        )
        assert "milestones" in r


@pytest.fixture
def contracted(awarded):
    with after_standstill(awarded):
        awarded.contract()
        awarded.contract_row = Contract.objects.get(project_id=awarded.pk)
        yield awarded


def accept(api, official, supplier, milestone):
    delivery.deliver(api, official, supplier, milestone)
    assert delivery.accept(api, official, milestone)["status"] == "accepted"


def test_payment_only_after_acceptance_and_only_once(api, contracted, official):
    first = contracted.contract_row.milestones.order_by("due_at").first()
    assert api(official).post(f"/api/v1/milestones/{first.pk}/pay/").status_code == 409
    accept(api, official, contracted.bidders[1][1], first)
    assert api(official).post(f"/api/v1/milestones/{first.pk}/pay/").status_code == 201
    assert api(official).post(f"/api/v1/milestones/{first.pk}/pay/").status_code == 409
    contract = Contract.objects.get(pk=contracted.contract_row.pk)
    assert contract.paid_amount == Decimal("40000.00")


def test_the_supplier_cannot_pay_itself_or_accept(api, contracted):
    first = contracted.contract_row.milestones.first()
    supplier = contracted.bidders[1][1]
    assert api(supplier).post(f"/api/v1/milestones/{first.pk}/pay/").status_code == 403
    assert (
        api(supplier)
        .post(
            f"/api/v1/milestones/{first.pk}/accept/",
            {"recipients": ["x"]},
            format="json",
        )
        .status_code
        == 403
    )


def test_another_org_cannot_report_progress(api, contracted, other_ngo_admin):
    first = contracted.contract_row.milestones.first()
    r = api(other_ngo_admin).post(
        f"/api/v1/milestones/{first.pk}/report/", {"summary": "x", "values": {}}, format="json"
    )
    assert r.status_code == 403


def test_evidence_must_be_a_photo_or_document(api, contracted):
    from django.core.files.uploadedfile import SimpleUploadedFile

    first = contracted.contract_row.milestones.first()
    r = api(contracted.bidders[1][1]).post(
        f"/api/v1/milestones/{first.pk}/report/",
        {
            "summary": "x",
            "values": "{}",
            "evidence": [SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="image/jpeg")],
        },
        format="multipart",
    )
    assert r.status_code == 400 and "evidence" in r.json()
    assert Milestone.objects.get(pk=first.pk).status == "pending"  # nothing half-written


def test_the_database_refuses_payments_above_the_contract_value(contracted):
    contract = contracted.contract_row
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(paid_amount=contract.value + 1)


def test_termination_with_clawback_tracked_until_recovered(api, contracted, official):
    first = contracted.contract_row.milestones.order_by("due_at").first()
    accept(api, official, contracted.bidders[1][1], first)
    api(official).post(f"/api/v1/milestones/{first.pk}/pay/")
    too_much = contracted.post(
        "terminate", {"reason": "虚报服务", "clawback_amount": "50000"}, expect=400
    )
    assert "clawback_amount" in too_much
    data = contracted.post("terminate", {"reason": "虚报服务", "clawback_amount": "30000"})
    assert data["status"] == "terminated"
    clawback = Clawback.objects.get()
    assert data["contract"]["clawback"]["status"] == "open"
    supplier = contracted.bidders[1][0]
    from django.apps import apps

    record = {
        row["label"]: row["value"]
        for row in apps.get_app_config("procurement").organization_track_record(supplier)
    }
    # completed, terminated, open clawbacks, overdue clawbacks (not yet due), debarment
    assert list(record.values())[:4] == [0, 1, 1, 0]
    assert list(record.values())[4] in ("Not debarred", "未被禁止")
    r = api(official).post(
        f"/api/v1/clawbacks/{clawback.pk}/recover/",
        {"amount": "10000", "recovered_on": timezone.localdate().isoformat()},
    )
    assert r.json()["status"] == "open" and r.json()["recovered_amount"] == "10000.00"
    r = api(official).post(
        f"/api/v1/clawbacks/{clawback.pk}/recover/",
        {"amount": "20001", "recovered_on": timezone.localdate().isoformat()},
    )
    assert r.status_code == 400
    r = api(official).post(
        f"/api/v1/clawbacks/{clawback.pk}/recover/",
        {"amount": "20000", "recovered_on": timezone.localdate().isoformat()},
    )
    assert r.json()["status"] == "recovered"
    assert (
        api(official)
        .post(
            f"/api/v1/clawbacks/{clawback.pk}/recover/",
            {"amount": "1", "recovered_on": timezone.localdate().isoformat()},
        )
        .status_code
        == 409
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Clawback.objects.filter(pk=clawback.pk).update(recovered_amount=Decimal("30001"))


def test_overdue_milestones_alert_supplier_and_buyer_once(contracted):
    first = contracted.contract_row.milestones.order_by("due_at").first()
    with time_machine.travel(first.due_at + dt.timedelta(hours=1), tick=True):
        before = Alert.objects.count()
        assert tasks.alert_overdue_milestones() == 1
        alerts = list(Alert.objects.order_by("-id")[: Alert.objects.count() - before])
        audiences = [a.audience for a in alerts]
        assert {"organizations": [contracted.contract_row.supplier_id]} in audiences
        assert {"officials_for": "511826"} in audiences
        assert tasks.alert_overdue_milestones() == 0
