"""The compensation pages as people use them: a team files on its phone with photos, the
bureau reviews, decides and pays; refusals are messages or field errors; the homes list the
claims; fixed query counts."""

import datetime as dt

import pytest

from compensation.models import Claim, ClaimEvidence
from compensation.work_queue import work_queue
from donations.models import LedgerEntry
from tests.compensation.conftest import AMOUNT, photo

pytestmark = pytest.mark.django_db


def form_data(deployment, rescuer, **kw):
    return {
        "basis": f"deployment:{deployment.pk}",
        "kind": "injury",
        "person": rescuer.pk,
        "description": "冲锋舟侧翻，左腿骨折",
        "occurred_at": "2026-11-20T10:00",
        "amount_claimed": "２００００",  # full-width digits from a Chinese keyboard
        "insurer_claim_reference": "",
        "evidence": [photo("a.jpg"), photo("b.jpg", (10, 10, 10))],
        **kw,
    }


def make_claim(ngo, deployment, **kw):
    values = {
        "organization": ngo,
        "incident": deployment.incident,
        "deployment": deployment,
        "kind": "equipment",
        "description": "冲锋舟损毁",
        "occurred_at": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        "amount_claimed": AMOUNT,
        "region_code": "511826",
        "review_due": dt.date(2026, 12, 20),
        **kw,
    }
    return Claim.objects.create(**values)


def test_a_team_files_a_claim_with_photos_and_the_bureau_pays_it(
    client, ngo, ngo_member, official, deployment, rescuer, fund
):
    client.force_login(ngo_member)
    form = client.get("/compensation/new/").content.decode()
    assert "周救援" in form and 'capture="environment"' in form
    response = client.post("/compensation/new/", form_data(deployment, rescuer))
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get()
    assert claim.amount_claimed == AMOUNT and claim.evidence.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "周救援" in page and 'data-action="approve"' not in page
    evidence = ClaimEvidence.objects.first()
    assert client.get(f"/compensation/evidence/{evidence.pk}/").status_code == 200

    client.force_login(official)
    page = client.get(f"/compensation/{claim.pk}/").content.decode()
    assert 'data-action="review"' in page
    client.post(f"/compensation/{claim.pk}/review/")
    client.post(f"/compensation/{claim.pk}/approve/", {"amount": "15000", "reason": "核定"})
    response = client.post(
        f"/compensation/{claim.pk}/pay/", {"fund": fund.pk, "voucher": photo("voucher.jpg")}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.ledger_entry.kind == LedgerEntry.Kind.DISBURSEMENT
    page = client.get(f"/compensation/{claim.pk}/").content.decode()
    assert 'data-testid="ledger-entry"' in page and "¥15,000" in page


def test_a_decision_without_reasons_is_a_field_error(client, ngo, official, deployment):
    claim = make_claim(ngo, deployment, status="under_review")
    client.force_login(official)
    response = client.post(f"/compensation/{claim.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    response = client.post(
        f"/compensation/{claim.pk}/approve/", {"amount": "99999", "reason": "核定"}
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == "under_review"


def test_an_illegal_or_refused_action_is_a_message(
    client, ngo, ngo_admin, other_ngo_admin, official, deployment
):
    claim = make_claim(ngo, deployment)
    client.force_login(ngo_admin)
    response = client.post(f"/compensation/{claim.pk}/review/", follow=True)
    assert "refused" in response.content.decode()
    client.force_login(official)
    client.post(f"/compensation/{claim.pk}/pay/", {})
    claim.refresh_from_db()
    assert claim.status == "filed"
    client.force_login(other_ngo_admin)
    assert client.get(f"/compensation/{claim.pk}/").status_code == 404
    assert client.post(f"/compensation/{claim.pk}/review/").status_code == 404


def test_an_official_without_a_fund_sees_why_he_cannot_pay(
    client, ngo, second_official, deployment
):
    claim = make_claim(ngo, deployment, status="approved", amount_approved=AMOUNT)
    client.force_login(second_official)
    page = client.get(f"/compensation/{claim.pk}/").content.decode()
    assert 'data-testid="why-not-pay"' in page and 'data-action="pay"' not in page


def test_the_homes_list_claims_to_review_and_claims_in_progress(
    client, ngo, ngo_admin, official, deployment
):
    make_claim(ngo, deployment)
    make_claim(ngo, deployment, status="approved", amount_approved=AMOUNT)
    make_claim(ngo, deployment, status="rejected")
    official_items = {i["key"]: i for i in work_queue(official)}
    assert official_items["compensation_review"]["count"] == 1
    team_items = {i["key"]: i for i in work_queue(ngo_admin)}
    assert team_items["compensation_claims"]["count"] == 2
    client.force_login(official)
    home = client.get("/").content.decode()
    assert "待审核的损失补偿申请" in home or "Compensation claims to review" in home


@pytest.mark.parametrize("page", ["/compensation/", "detail"])
def test_pages_cost_the_same_for_5_and_50_claims(
    client, ngo, official, deployment, page, django_assert_max_num_queries
):
    client.force_login(official)
    for count in (5, 50):
        while Claim.objects.count() < count:
            claim = make_claim(ngo, deployment)
        url = page if page != "detail" else f"/compensation/{claim.pk}/"
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
