"""No names of natural persons in the permanent chain: salted commitments, revealed on request,
purged on time; public free text refused when it carries phone or ID numbers."""

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent
from donations import chain, privacy, services
from donations.models import DonorDetails, LedgerEntry
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df

pytestmark = pytest.mark.django_db

PRIVATE = {
    "handler": "王小明",
    "donor_name": "李秀英",
    "donor_phone": "13912345678",
    "donor_address": "成都市锦江区某路1号",
}
# 11010519491231002X: the GB 11643 example number (valid check digit).
VALID_ID = "11010519491231002X"


def _receipt(charity, charity_admin, **kw):
    return df.receipt(
        charity,
        charity_admin,
        "500.00",
        handler=PRIVATE["handler"],
        donor_name=PRIVATE["donor_name"],
        donor_phone=PRIVATE["donor_phone"],
        donor_address=PRIVATE["donor_address"],
        **kw,
    )


def test_the_chain_export_and_api_carry_commitments_not_names(api, charity, charity_admin):
    gift = _receipt(charity, charity_admin)
    exported = b"".join(api().get("/api/v1/ledger/export.jsonl").streaming_content).decode()
    public = api().get(f"/api/v1/ledger/entries/{gift.pk}/").content.decode()
    page = api().get(f"/ledger/entries/{gift.pk}/").content.decode()
    for text in (exported, public, page):
        for value in PRIVATE.values():
            assert value not in text
    form = chain.stored_form(gift)
    assert "handler" not in form and form["format"] == 2
    assert set(form["commitments"]) == set(PRIVATE)
    assert gift.commitments["handler"] in exported
    assert chain.verify() == (1, None, "")


def test_a_donor_holding_the_plain_text_and_the_revealed_salt_can_prove_it(
    api, charity, charity_admin
):
    gift = _receipt(charity, charity_admin)
    response = api(charity_admin).post(f"/api/v1/ledger/entries/{gift.pk}/private/")
    assert response.status_code == 200
    body = response.json()
    assert body["values"] == PRIVATE and body["purged"] is False
    salt = body["salt"]
    assert len(salt) == 32
    # the documented check, by hand: sha256(f"{salt}:{field}:{value}")
    published = api().get(f"/api/v1/ledger/entries/{gift.pk}/").json()["commitments"]
    for field, value in PRIVATE.items():
        digest = hashlib.sha256(f"{salt}:{field}:{value}".encode()).hexdigest()
        assert published[field] == digest
    # a wrong name does not match
    assert privacy.commitment(salt, "handler", "王小红") != published["handler"]
    assert AuditEvent.objects.filter(
        action="donations.private_revealed", target_id=str(gift.pk)
    ).exists()


def test_only_the_holders_members_may_reveal(api, charity, charity_admin, ngo_admin, official):
    gift = _receipt(charity, charity_admin)
    url = f"/api/v1/ledger/entries/{gift.pk}/private/"
    assert api().post(url).status_code in (401, 403)
    assert api(ngo_admin).post(url).status_code == 404
    assert api(official).post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="donations.private_revealed").exists()


def test_the_entry_page_reveals_to_members_on_a_button(client, charity, charity_admin, ngo_admin):
    gift = _receipt(charity, charity_admin)
    client.force_login(ngo_admin)
    page = client.get(f"/ledger/entries/{gift.pk}/").content.decode()
    assert "/reveal/" not in page
    assert client.post(f"/ledger/entries/{gift.pk}/reveal/").status_code == 404
    client.force_login(charity_admin)
    page = client.get(f"/ledger/entries/{gift.pk}/").content.decode()
    assert "/reveal/" in page and "王小明" not in page
    shown = client.post(f"/ledger/entries/{gift.pk}/reveal/").content.decode()
    salt = DonorDetails.objects.get(entry=gift).salt
    assert "王小明" in shown and salt in shown


def test_the_purge_erases_plain_text_and_salt_and_the_chain_still_verifies(
    api, charity, charity_admin, settings
):
    settings.TONGZHOU_PERSONAL_DATA_RETENTION_DAYS = 90
    closed = IncidentFactory(status="closed", closed_at=timezone.now() - timedelta(days=91))
    open_one = IncidentFactory(status="responding")
    due = _receipt(charity, charity_admin, incident=closed)
    kept = _receipt(charity, charity_admin, incident=open_one)
    recent = _receipt(charity, charity_admin)
    assert services.purge_due_private_data() == 1
    details = DonorDetails.objects.get(entry=due)
    assert (details.salt, details.handler, details.full_name, details.phone, details.address) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert details.purged_at is not None
    assert DonorDetails.objects.get(entry=kept).salt and DonorDetails.objects.get(entry=recent).salt
    # the commitment stays in the chain (proving nothing now); the chain is intact
    assert LedgerEntry.objects.get(seq=due.seq).commitments == due.commitments
    call_command("verify_ledger")
    body = api(charity_admin).post(f"/api/v1/ledger/entries/{due.pk}/private/").json()
    assert body["purged"] is True and body["salt"] == ""
    # without an incident: after the retention period from recording
    later = timezone.now() + timedelta(days=91)
    assert services.purge_due_private_data(now=later) == 1
    assert services.purge_due_private_data(now=later) == 0
    assert AuditEvent.objects.filter(action="donations.private_purged").count() == 2


@pytest.mark.parametrize(
    "text",
    [
        "联系人 13912345678",
        "电话139-1234-5678",
        "call 159 1234 5678",
        f"受助人身份证{VALID_ID}",
        f"id {VALID_ID.lower()}",
    ],
)
def test_free_text_with_phone_or_id_numbers_is_refused_with_a_field_message(
    api, charity, charity_admin, text
):
    df.receipt(charity, charity_admin, "100.00")
    response = api(charity_admin).post(
        "/api/v1/ledger/disbursements/", {"amount": "10.00", "purpose": text}, format="json"
    )
    assert response.status_code == 400
    message = response.json()["purpose"][0]
    assert "personal data" in message or "个人信息" in message  # English or zh-Hans
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    "text",
    [
        "发放帐篷 200 顶",
        "11010519491231002Y",  # wrong check digit: not an ID number
        "11010519491331002X",  # month 13: not an ID number
        "订单号 213912345678",  # 12 digits: not a mobile number
        "2026年第12345678号",
    ],
)
def test_ordinary_free_text_passes(charity, charity_admin, text):
    df.receipt(charity, charity_admin, "100.00")
    entry = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(10), purpose=text
    )
    assert entry.purpose == text


def test_reason_filing_reference_and_goods_are_screened(api, charity, charity_admin, ngo):
    gift = df.receipt(charity, charity_admin, "100.00", restricted=True, purpose="学校")
    refused = api(charity_admin).post(
        f"/api/v1/ledger/entries/{gift.pk}/reverse/",
        {"reason": f"捐赠人身份证 {VALID_ID} 录错"},
        format="json",
    )
    assert refused.status_code == 400 and "reason" in refused.json()
    with pytest.raises(ValidationError) as caught:
        services.change_use(
            entry=gift,
            by=charity_admin,
            purpose="伤员",
            filing_reference="经办 13800001111",
            donor_consent=True,
        )
    assert "filing_reference" in caught.value.message_dict
    goods = api(charity_admin).post(
        "/api/v1/ledger/receipts/",
        {
            "donor_kind": "company",
            "channel": "in_kind",
            "items": [{"name": "帐篷", "unit": "顶", "quantity": "1", "spec": "联系13900001111"}],
        },
        format="json",
    )
    assert goods.status_code == 400 and "items" in goods.json()
    with pytest.raises(ValidationError) as caught:
        services.allocate(
            organization=charity,
            by=charity_admin,
            to_organization=ngo,
            amount=Decimal(1),
            purpose="交给 13900001111",
        )
    assert "purpose" in caught.value.message_dict


def test_old_format_entries_keep_the_handler_and_still_verify(charity, charity_admin, monkeypatch):
    """Format 1 entries chained the handler in the clear; it cannot be purged without breaking
    their hash (documented); their donor details are purged like the others."""
    monkeypatch.setattr(chain, "FORMAT", 1)
    old = _receipt(charity, charity_admin)
    monkeypatch.setattr(chain, "FORMAT", 2)
    assert chain.stored_form(old)["handler"] == "王小明" and old.commitments == {}
    assert services.purge_private(entry=old)
    assert DonorDetails.objects.get(entry=old).full_name == ""
    call_command("verify_ledger")
