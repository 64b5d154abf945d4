"""Loss compensation claims through the API: filing with evidence, the bureau's review and
decision, payment from the compensation fund into the public ledger, the insurer's settlement;
permissions, illegal transitions, public figures without personal data, fixed query counts."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from alerts.models import Alert
from compensation import services
from compensation.models import Claim
from core.models import AuditEvent
from donations.models import LedgerEntry
from tests.compensation.conftest import AMOUNT, claim_body, photo
from tests.coordination.factories import DeploymentFactory, IncidentFactory, TaskFactory
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/compensation-claims/"


def file(api, user, deployment, rescuer, **kw):
    body = {**claim_body(deployment, rescuer, **kw), "evidence": [photo()]}
    return api(user).post(URL, body, format="multipart")


def test_a_claim_runs_from_filing_to_payment_in_the_ledger(
    api, ngo_admin, official, deployment, rescuer, fund
):
    response = file(api, ngo_admin, deployment, rescuer)
    assert response.status_code == 201, response.json()
    claim = response.json()
    assert claim["status"] == "filed" and claim["region_code"] == "511826"
    assert len(claim["evidence"]) == 1
    assert claim["actions"] == []  # the team waits for the bureau
    pk = claim["id"]
    bureau = api(official)
    assert bureau.get(f"{URL}{pk}/").json()["actions"] == ["review"]
    assert bureau.post(f"{URL}{pk}/review/").json()["status"] == "under_review"
    decided = bureau.post(
        f"{URL}{pk}/approve/", {"amount": "15000.00", "reason": "医疗票据核定"}, format="json"
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["actions"] == ["pay", "settle"]
    unproven = bureau.post(f"{URL}{pk}/pay/", {"fund": fund.pk}, format="json")
    assert unproven.status_code == 400 and "voucher" in unproven.json()  # above the threshold
    voucher = {"fund": fund.pk, "voucher": photo("voucher.jpg")}
    paid = bureau.post(f"{URL}{pk}/pay/", voucher, format="multipart")
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "paid" and paid.json()["amount_paid"] == "15000.00"
    entry = LedgerEntry.objects.get(pk=paid.json()["ledger_entry"])
    assert entry.kind == "disbursement" and entry.holder == fund
    assert entry.purpose == settings.TONGZHOU_COMPENSATION_PURPOSE
    assert entry.amount == 15000 and entry.incident_id == deployment.incident_id
    assert entry.seq is not None  # chained
    # the public ledger shows it under the compensation purpose, without the person
    public = api().get(f"/api/v1/ledger/entries/{entry.pk}/")
    assert public.status_code == 200
    text = json.dumps(public.json(), ensure_ascii=False)
    assert settings.TONGZHOU_COMPENSATION_PURPOSE in text and "周救援" not in text
    actions = AuditEvent.objects.filter(target_id=str(pk), action__startswith="compensation")
    assert sorted(actions.values_list("action", flat=True)) == [
        "compensation.decide",
        "compensation.filed",
        "compensation.pay",
        "compensation.review",
    ]


def test_the_insurer_settles_a_claim_under_review(api, ngo_admin, official, deployment, rescuer):
    pk = file(api, ngo_admin, deployment, rescuer).json()["id"]
    api(official).post(f"{URL}{pk}/review/")
    settled = api(ngo_admin).post(
        f"{URL}{pk}/settle/",
        {"amount": "18000.00", "paid_on": "2026-11-28", "insurer_claim_reference": "PA-CLM-9"},
        format="json",
    )
    assert settled.status_code == 200, settled.json()
    body = settled.json()
    assert body["status"] == "settled" and body["insurer_amount"] == "18000.00"
    assert body["insurer_claim_reference"] == "PA-CLM-9"
    assert not LedgerEntry.objects.filter(kind="disbursement").exists()


def test_rejection_and_approval_need_reasons_and_an_amount_within_the_claim(
    api, ngo_admin, official, deployment, rescuer
):
    pk = file(api, ngo_admin, deployment, rescuer).json()["id"]
    bureau = api(official)
    bureau.post(f"{URL}{pk}/review/")
    assert "reason" in bureau.post(f"{URL}{pk}/reject/", {"reason": " "}, format="json").json()
    too_much = bureau.post(f"{URL}{pk}/approve/", {"amount": "20000.01", "reason": "x"})
    assert too_much.status_code == 400 and "amount" in too_much.json()
    rejected = bureau.post(f"{URL}{pk}/reject/", {"reason": "非执行任务期间受伤"}, format="json")
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "非执行任务期间受伤"


@pytest.mark.parametrize(
    "start, action, body",
    [
        ("filed", "approve", {"amount": "1.00", "reason": "x"}),
        ("filed", "pay", {}),
        ("filed", "settle", {"amount": "1.00", "paid_on": "2026-11-01"}),
        ("under_review", "review", {}),
        ("under_review", "pay", {}),
        ("approved", "reject", {"reason": "x"}),
        ("rejected", "approve", {"amount": "1.00", "reason": "x"}),
        ("paid", "settle", {"amount": "1.00", "paid_on": "2026-11-01"}),
        ("settled", "pay", {}),
    ],
)
def test_illegal_transitions_are_409(
    api, official, ngo, deployment, rescuer, fund, start, action, body
):
    claim = Claim.objects.create(
        organization=ngo,
        incident=deployment.incident,
        deployment=deployment,
        kind="equipment",
        description="冲锋舟损毁",
        occurred_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        amount_claimed=AMOUNT,
        region_code="511826",
        review_due=dt.date(2026, 12, 20),
        status=start,
        amount_approved=AMOUNT if start in ("approved", "paid") else None,
        ledger_entry=LedgerEntry.objects.first() if start == "paid" else None,
    )
    response = api(official).post(f"{URL}{claim.pk}/{action}/", body, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "invalid_transition"


def test_other_organizations_get_404_and_other_jurisdictions_403(
    api, ngo, ngo_admin, other_ngo_admin, official, outside_official, province_official, rescuer
):
    # 芦山县's team claims for a response in 广州 (440100): the 广东 bureau reviews; 雅安's own
    # bureau follows its team's claim but may not decide it
    incident = IncidentFactory(region_code="440100", title="广州内涝")
    deployment = DeploymentFactory(incident=incident, organization=ngo, area_region_code="440100")
    pk = file(api, ngo_admin, deployment, rescuer).json()["id"]
    assert Claim.objects.get(pk=pk).region_code == "440100"
    assert api(other_ngo_admin).get(f"{URL}{pk}/").status_code == 404
    assert api(other_ngo_admin).post(f"{URL}{pk}/review/").status_code == 404
    assert api(official).get(f"{URL}{pk}/").status_code == 200
    assert api(official).post(f"{URL}{pk}/review/").status_code == 403
    assert api(ngo_admin).post(f"{URL}{pk}/review/").status_code == 403
    assert api().post(f"{URL}{pk}/review/").status_code == 403
    assert api(outside_official).post(f"{URL}{pk}/review/").status_code == 200
    assert [c["id"] for c in api(other_ngo_admin).get(URL).json()["results"]] == []


def test_a_claim_names_the_organizations_own_approved_filing_or_held_task(
    api, ngo, ngo_admin, other_ngo, incident, rescuer, deployment
):
    others = DeploymentFactory(incident=incident, organization=other_ngo)
    assert "deployment" in file(api, ngo_admin, others, rescuer).json()
    filed = DeploymentFactory(
        incident=incident, organization=ngo, status="filed", area_region_code="511825"
    )
    assert "deployment" in file(api, ngo_admin, filed, rescuer).json()
    body = {**claim_body(deployment, rescuer), "deployment": "", "person": ""}
    task = TaskFactory(incident=incident, status="open")
    response = api(ngo_admin).post(
        URL, {**body, "task": task.pk, "evidence": [photo()]}, format="multipart"
    )
    assert "task" in response.json()
    held = TaskFactory(incident=incident, organization=ngo, status="in_progress")
    equipment = {**body, "task": held.pk, "kind": "equipment", "evidence": [photo()]}
    response = api(ngo_admin).post(URL, equipment, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["task"] == held.pk and response.json()["person"] is None


def test_bad_claims_are_field_errors_and_nothing_is_written(
    api, ngo_admin, deployment, rescuer, other_ngo
):
    user = api(ngo_admin)
    no_person = {**claim_body(deployment, rescuer, person=""), "evidence": [photo()]}
    assert "person" in user.post(URL, no_person, format="multipart").json()
    stranger = f.PersonFactory(organization=other_ngo)
    wrong = {**claim_body(deployment, stranger), "evidence": [photo()]}
    assert "person" in user.post(URL, wrong, format="multipart").json()
    assert "evidence" in user.post(URL, claim_body(deployment, rescuer)).json()
    not_image = {**claim_body(deployment, rescuer), "evidence": [photo()]}
    not_image["evidence"][0].file.seek(0)
    not_image["evidence"][0].file.write(b"MZ not a photo")
    assert "evidence" in user.post(URL, not_image, format="multipart").json()
    future = {
        **claim_body(deployment, rescuer, occurred_at="2099-01-01T00:00:00Z"),
        "evidence": [photo()],
    }
    assert "occurred_at" in user.post(URL, future, format="multipart").json()
    assert not Claim.objects.exists()


def test_paying_needs_a_fund_writer_and_enough_money(
    api, ngo_admin, official, second_official, deployment, rescuer, fund
):
    pk = file(api, ngo_admin, deployment, rescuer, amount_claimed="200000.00").json()["id"]
    bureau = api(official)
    bureau.post(f"{URL}{pk}/review/")
    bureau.post(f"{URL}{pk}/approve/", {"amount": "150000.00", "reason": "核定"}, format="json")
    assert "pay" not in api(second_official).get(f"{URL}{pk}/").json()["actions"]
    assert api(second_official).post(f"{URL}{pk}/pay/", {}, format="json").status_code == 403
    short = bureau.post(f"{URL}{pk}/pay/", {"fund": fund.pk}, format="json")
    assert short.status_code in (400, 409) and short.status_code != 200
    assert Claim.objects.get(pk=pk).status == "approved"
    assert not LedgerEntry.objects.filter(kind="disbursement").exists()


def test_the_database_refuses_a_paid_claim_without_its_ledger_entry(ngo, deployment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            organization=ngo,
            incident=deployment.incident,
            deployment=deployment,
            kind="equipment",
            description="x",
            occurred_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            amount_claimed=AMOUNT,
            region_code="511826",
            review_due=dt.date(2026, 12, 20),
            status="paid",
        )


def test_public_figures_count_and_sum_by_kind_without_personal_data(
    api, client, ngo_admin, official, deployment, rescuer, fund
):
    first = file(api, ngo_admin, deployment, rescuer).json()["id"]
    file(api, ngo_admin, deployment, rescuer, kind="death", amount_claimed="500000.00")
    file(api, ngo_admin, deployment, rescuer, kind="equipment", person="", amount_claimed="3000")
    bureau = api(official)
    bureau.post(f"{URL}{first}/review/")
    bureau.post(f"{URL}{first}/approve/", {"amount": "15000.00", "reason": "核定"}, format="json")
    paid = bureau.post(
        f"{URL}{first}/pay/", {"fund": fund.pk, "voucher": photo()}, format="multipart"
    )
    assert paid.status_code == 200, paid.json()
    incident = deployment.incident
    response = api().get(f"/api/v1/compensation-stats/?incident={incident.pk}")
    assert response.status_code == 200
    rows = {r["kind"]: r for r in response.json()}
    assert rows["injury"]["filed"] == 1 and rows["injury"]["paid"] == "15000.00"
    assert rows["death"]["claimed"] == "500000.00" and rows["equipment"]["filed"] == 1
    text = response.content.decode()
    for private in ("周救援", "冲锋舟", ngo_admin.memberships.first().organization.name):
        assert private not in text
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'data-testid="compensation-stats"' in page and "¥15,000" in page
    assert "周救援" not in page and "冲锋舟侧翻" not in page
    assert api().get("/api/v1/compensation-stats/?incident=x").status_code == 400


def test_the_bureau_is_reminded_once_of_an_overdue_decision(api, ngo_admin, deployment, rescuer):
    pk = file(api, ngo_admin, deployment, rescuer).json()["id"]
    claim = Claim.objects.get(pk=pk)
    assert claim.review_due > dt.date.today() + dt.timedelta(
        days=settings.TONGZHOU_COMPENSATION_REVIEW_WORKING_DAYS
    )
    before = Alert.objects.count()
    assert services.remind_overdue(today=claim.review_due) == 0
    later = claim.review_due + dt.timedelta(days=1)
    assert services.remind_overdue(today=later) == 1
    assert services.remind_overdue(today=later) == 0
    assert Alert.objects.count() == before + 1


def test_working_days_skip_weekends_and_holidays(settings):
    settings.TONGZHOU_PROCUREMENT_HOLIDAYS = ["2026-12-07"]
    # Friday 4 December + 2 working days: Monday 7 is a holiday -> Wednesday 9
    assert services.add_working_days(dt.date(2026, 12, 4), 2) == dt.date(2026, 12, 9)


@pytest.mark.parametrize("count", [5, 50])
def test_the_claim_list_costs_the_same_for_5_and_50(
    api, ngo, official, deployment, count, django_assert_max_num_queries
):
    for _ in range(count):
        Claim.objects.create(
            organization=ngo,
            incident=deployment.incident,
            deployment=deployment,
            kind="equipment",
            description="x",
            occurred_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            amount_claimed=AMOUNT,
            region_code="511826",
            review_due=dt.date(2026, 12, 20),
        )
    with django_assert_max_num_queries(6):
        response = api(official).get(URL)
    assert response.json()["count"] == count
