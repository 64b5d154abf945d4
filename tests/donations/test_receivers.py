"""End receivers without an account: goods handed over with a one-time sign-for link (QR), the
receiver signs per line on a phone, and a shortfall or mismatch is flagged on the public ledger."""

import datetime as dt
import hashlib
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.states import InvalidTransition
from donations import receivers
from donations.models import Evidence, LedgerEntry, ReceiverDelivery
from registry.choices import OrganizationKind
from tests.donations import factories as df
from tests.donations.test_evidence_rules import gps_jpeg
from tests.readable import assert_readable_html
from tests.registry import factories as rf

SIGNER = "李秀英"


@pytest.fixture
def stocked(charity, charity_admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    df.receipt(
        charity,
        charity_admin,
        items=[
            df.item(name="N95口罩", unit="盒", quantity="100", unit_value="50.00"),
            df.item(name="防护服", unit="套", quantity="40", unit_value="80.00"),
        ],
    )
    return charity


def _hand_over(client, org, **extra):
    data = {
        "receiver_name": "芦山县人民医院",
        "receiver_kind": "public_institution",
        "region_code": "511826",
        "purpose": "医院防疫物资",
        "items": "N95口罩 | 盒 | 60\n防护服 | 套 | 20",
        **extra,
    }
    return client.post(reverse("donations:receiver_create", args=[org.pk]), data)


def _link(response) -> str:
    return re.search(r"data-receiver-link[^>]*>([^<]+)<", response.content.decode()).group(1)


@pytest.fixture
def handed(client, stocked, charity_admin):
    client.force_login(charity_admin)
    response = _hand_over(client, stocked)
    assert response.status_code == 201, response.content.decode()[:2000]
    client.logout()
    return response


def _sign(client, link, **extra):
    data = {
        "q0": "60",
        "note0": "订的N95，到的是KN95",
        "q1": "18",
        "note1": "",
        "signer_name": SIGNER,
        "signer_role": "药剂科主任",
        "photos": gps_jpeg(),
        **extra,
    }
    return client.post(link, data)


def test_handing_over_shows_the_link_and_qr_once_and_stores_only_its_hash(handed):
    html = handed.content.decode()
    assert "<svg" in html  # the QR code, made on the server (segno)
    link = _link(handed)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40
    delivery = ReceiverDelivery.objects.get()
    assert delivery.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ReceiverDelivery.objects.filter(token_hash=token).exists()
    assert delivery.entry.kind == "disbursement" and delivery.entry.region_code == "511826"
    assert delivery.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    assert_readable_html(handed.content)


def test_the_receiver_signs_on_the_link_without_an_account(client, handed, charity_admin):
    link = _link(handed)
    form = client.get(link)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="60"' in html and 'value="20"' in html  # prefilled with what was sent
    assert 'capture="environment"' in html  # the phone's camera
    assert_readable_html(form.content)
    done = _sign(client, link)
    assert done.status_code == 200, done.content.decode()[:3000]
    signed = LedgerEntry.objects.get(kind="receiver_signed")
    delivery = ReceiverDelivery.objects.get()
    assert delivery.signed_entry == signed and delivery.status == "signed"
    assert signed.related_id == delivery.entry_id and signed.shortfall  # 18 of 20
    assert signed.reason == "N95口罩: 订的N95，到的是KN95"
    assert [(ln.name, ln.quantity) for ln in signed.lines.all()] == [
        ("N95口罩", 60),
        ("防护服", 18),
    ]
    photo = Evidence.objects.get(entry=signed)
    assert not Image.open(io.BytesIO(photo.file.read())).getexif()
    call_command("verify_ledger")


def test_the_signers_name_is_never_public(client, handed):
    link = _link(handed)
    _sign(client, link)
    signed = LedgerEntry.objects.get(kind="receiver_signed")
    for url in (
        reverse("donations:entry", args=[signed.pk]),
        reverse("donations:entry", args=[signed.related_id]),
        reverse("donations:ledger"),
        "/api/v1/ledger/export.jsonl",
        f"/api/v1/ledger/entries/{signed.pk}/",
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert SIGNER not in body.decode(), url


def test_a_mismatch_is_flagged_on_the_public_ledger_and_the_entry(client, handed):
    _sign(client, _link(handed))
    ledger = client.get(reverse("donations:ledger"))
    html = ledger.content.decode()
    assert 'id="supervision-flags"' in html and "KN95" in html and "芦山县人民医院" in html
    assert html.count("与所订不符") == 2  # the flag panel and the entry's own row
    assert_readable_html(ledger.content)
    signed = LedgerEntry.objects.get(kind="receiver_signed")
    entry_page = client.get(reverse("donations:entry", args=[signed.related_id]))
    assert "KN95" in entry_page.content.decode()
    assert_readable_html(entry_page.content)


def test_a_link_works_once(client, handed):
    link = _link(handed)
    assert _sign(client, link).status_code == 200
    again = client.get(link)
    assert again.status_code == 410
    assert 'data-link-state="used"' in again.content.decode()
    assert _sign(client, link).status_code == 410
    assert LedgerEntry.objects.filter(kind="receiver_signed").count() == 1


def test_an_expired_link_shows_a_clear_page(client, handed):
    link = _link(handed)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = client.get(link)
        assert response.status_code == 410
        assert 'data-link-state="expired"' in response.content.decode()
        assert _sign(client, link).status_code == 410
    assert not LedgerEntry.objects.filter(kind="receiver_signed").exists()


def test_an_unknown_link_is_a_clear_404(client, handed):
    response = client.get(reverse("donations:receiver_sign", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert 'data-link-state="unknown"' in response.content.decode()


def test_more_than_was_sent_is_a_form_error(client, handed):
    response = _sign(client, _link(handed), q0="61")
    assert response.status_code == 400
    assert not LedgerEntry.objects.filter(kind="receiver_signed").exists()
    assert ReceiverDelivery.objects.get().status == "pending"


def test_a_note_with_a_phone_number_is_refused(client, handed):
    response = _sign(client, _link(handed), note0="请联系13812345678")
    assert response.status_code == 400
    assert ReceiverDelivery.objects.get().status == "pending"


def test_a_new_link_voids_the_old_one(client, handed, charity_admin):
    old = _link(handed)
    client.force_login(charity_admin)
    delivery = ReceiverDelivery.objects.get()
    fresh = client.post(reverse("donations:receiver_reissue", args=[delivery.pk]))
    assert fresh.status_code == 200
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(_link(fresh)).status_code == 200


def test_only_writers_of_the_holder_hand_goods_over(client, stocked, ngo_admin, official):
    for outsider in (ngo_admin, official):
        client.force_login(outsider)
        assert _hand_over(client, stocked).status_code == 404
    assert not ReceiverDelivery.objects.exists()


def test_bad_input_is_a_form_error(client, stocked, charity_admin):
    client.force_login(charity_admin)
    assert _hand_over(client, stocked, region_code="12").status_code == 400
    assert _hand_over(client, stocked, items="N95口罩 | 盒 | 999").status_code == 409 or (
        not ReceiverDelivery.objects.exists()
    )
    assert not ReceiverDelivery.objects.exists()


def test_api_hands_over_and_the_receiver_signs_by_api(api, stocked, charity_admin):
    created = api(charity_admin).post(
        "/api/v1/ledger/receivers/",
        {
            "receiver_name": "芦山县思延乡中心小学",
            "receiver_kind": "public_institution",
            "region_code": "511826",
            "purpose": "学校防疫",
            "items": [{"name": "N95口罩", "unit": "盒", "quantity": "10"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    token = created.json()["token"]
    assert created.json()["link"].endswith(f"/ledger/receive/{token}/")
    url = f"/api/v1/ledger/receive/{token}/"
    assert api().get(url).json()["status"] == "pending"
    signed = api().post(
        url,
        {"lines": [{"quantity": "10"}], "signer_name": "王老师", "signer_role": "校长"},
        format="json",
    )
    assert signed.status_code == 201, signed.content
    assert signed.json()["kind"] == "receiver_signed" and not signed.json()["shortfall"]
    assert "王老师" not in signed.content.decode()
    again = api().post(
        url,
        {"lines": [{"quantity": "10"}], "signer_name": "王老师", "signer_role": "校长"},
        format="json",
    )
    assert again.status_code == 409
    assert api().get("/api/v1/ledger/receive/nope/").status_code == 404


def test_api_refuses_outsiders_and_bad_lines(api, stocked, charity_admin, ngo_admin):
    body = {
        "receiver_name": "村委会",
        "receiver_kind": "village_committee",
        "region_code": "511826",
        "purpose": "村民防疫",
        "items": [{"name": "N95口罩", "unit": "盒", "quantity": "10"}],
    }
    as_charity = {**body, "organization": stocked.pk}
    refused = api(ngo_admin).post("/api/v1/ledger/receivers/", as_charity, format="json")
    assert refused.status_code == 403
    assert api().post("/api/v1/ledger/receivers/", body, format="json").status_code in (401, 403)
    created = api(charity_admin).post("/api/v1/ledger/receivers/", body, format="json")
    url = f"/api/v1/ledger/receive/{created.json()['token']}/"
    wrong = api().post(
        url, {"lines": [], "signer_name": "张", "signer_role": "主任"}, format="json"
    )
    assert wrong.status_code == 400
    two = api().post(
        url,
        {"lines": [{"quantity": "1"}, {"quantity": "1"}], "signer_name": "张", "signer_role": "x"},
        format="json",
    )
    assert two.status_code == 400


def test_the_service_refuses_a_second_signature(handed):
    token = _link(handed).rstrip("/").rsplit("/", 1)[1]
    lines = [{"quantity": 60, "note": ""}, {"quantity": 20, "note": ""}]
    receivers.sign_for(token=token, lines=lines, signer_name="甲", signer_role="院长")
    with pytest.raises(InvalidTransition):
        receivers.sign_for(token=token, lines=lines, signer_name="乙", signer_role="院长")


def test_public_institutions_are_a_registry_kind_and_can_be_linked(stocked, charity_admin):
    assert OrganizationKind.PUBLIC_INSTITUTION == "public_institution"
    hospital = rf.OrganizationFactory(
        name="雅安市人民医院", kind=OrganizationKind.PUBLIC_INSTITUTION, region_code="511800"
    )
    delivery, _token = receivers.allocate_to_receiver(
        by=charity_admin,
        receiver_name=hospital.name,
        receiver_kind="public_institution",
        receiver_organization=hospital,
        region_code="511802",
        purpose="医院防疫",
        items=[{"name": "防护服", "unit": "套", "quantity": 5}],
    )
    assert delivery.receiver_organization == hospital
    team = rf.OrganizationFactory(kind="volunteer_team")
    with pytest.raises(Exception, match="public institution|事业单位"):
        receivers.allocate_to_receiver(
            by=charity_admin,
            receiver_name=team.name,
            receiver_kind="other",
            receiver_organization=team,
            region_code="511802",
            purpose="x",
            items=[{"name": "防护服", "unit": "套", "quantity": 5}],
        )


@pytest.mark.parametrize("count", [1, 6])
def test_the_workspace_panel_costs_fixed_queries(
    client, stocked, charity_admin, count, django_assert_max_num_queries
):
    for n in range(count):
        receivers.allocate_to_receiver(
            by=charity_admin,
            receiver_name=f"安置点 {n}",
            receiver_kind="resettlement_site",
            region_code="511826",
            purpose="安置点物资",
            items=[{"name": "防护服", "unit": "套", "quantity": 1}],
        )
    client.force_login(charity_admin)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("donations:workspace", args=[stocked.pk]))
    assert page.content.decode().count("data-delivery=") == count
    assert_readable_html(page.content)


def test_no_new_link_once_signed_for(client, api, handed, charity_admin):
    _sign(client, _link(handed))
    delivery = ReceiverDelivery.objects.get()
    refused = api(charity_admin).post(f"/api/v1/ledger/receivers/{delivery.pk}/reissue/")
    assert refused.status_code == 409
    client.force_login(charity_admin)
    page = client.post(reverse("donations:receiver_reissue", args=[delivery.pk]), follow=True)
    assert "已签收" in page.content.decode()
    assert ReceiverDelivery.objects.get().status == "signed"


def test_a_receivers_sign_for_cannot_be_reversed(api, client, handed, charity_admin):
    _sign(client, _link(handed))
    signed = LedgerEntry.objects.get(kind="receiver_signed")
    response = api(charity_admin).post(
        f"/api/v1/ledger/entries/{signed.pk}/reverse/", {"reason": "不认"}, format="json"
    )
    assert response.status_code == 409
