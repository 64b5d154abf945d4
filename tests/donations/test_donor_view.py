"""The donor's pages: recording a receipt lands on the printable receipt (trace code, QR code),
who sees what on it, the chain head page, and the verify widget's place on the ledger pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from donations import notify, services
from donations.models import ChainHead
from tests.donations import factories as df
from tests.readable import assert_readable_html
from tests.registry import factories as rf

pytestmark = pytest.mark.django_db


def record(client, org, **fields):
    body = {
        "form": "receipt",
        "r-donor_name": "张三",
        "r-donor_kind": "individual",
        "r-channel": "bank_transfer",
        "r-amount": "8500.00",
        "r-receipt_number": "SC-2026-0042",
        **fields,
    }
    return client.post(reverse("donations:workspace", args=[org.pk]), body, follow=True)


def test_recording_a_receipt_lands_on_its_receipt_page_with_the_trace_code(
    client, charity, charity_admin
):
    client.force_login(charity_admin)
    response = record(client, charity)
    entry = charity.ledger_entries.get()
    assert response.redirect_chain[-1][0] == f"/ledger/receipts/{entry.trace_code}/"
    html = response.content.decode()
    shown = [str(m) for m in response.context["messages"]]
    assert any(entry.trace_code in m for m in shown)
    assert f'data-testid="trace-code">{entry.trace_code}<' in html
    assert "<svg" in html and 'class="qr"' in html
    assert "¥8,500" in html and "SC-2026-0042" in html and "四川同舟公益基金会" in html
    assert "张三" in html  # the charity prints the receipt with the donor's name
    assert f'data-copy="{entry.trace_code}"' in html and "@media print" not in html
    assert_readable_html(response.content)


def test_a_too_long_address_is_a_warning_and_the_receipt_stays(client, charity, charity_admin):
    client.force_login(charity_admin)
    response = record(client, charity, **{"r-donor_email": "a" * 300, "r-notify_consent": "on"})
    assert response.status_code == 200 and charity.ledger_entries.count() == 1
    assert "追溯码未发送" in response.content.decode()


def test_the_workspace_form_offers_to_tell_the_donor(client, charity, charity_admin):
    client.force_login(charity_admin)
    html = client.get(reverse("donations:workspace", args=[charity.pk])).content.decode()
    assert 'name="r-notify_consent"' in html and 'name="r-donor_email"' in html


def test_other_forms_of_the_workspace_still_come_back_to_the_workspace(
    client, charity, charity_admin
):
    df.receipt(charity, charity_admin, "100.00")
    client.force_login(charity_admin)
    response = client.post(
        reverse("donations:workspace", args=[charity.pk]),
        {"form": "disbursement", "d-amount": "10.00", "d-purpose": "饮用水"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("donations:workspace", args=[charity.pk])


def test_the_qr_code_encodes_the_public_trace_url(client, charity, charity_admin, settings):
    settings.TONGZHOU_PUBLIC_URL = "https://tongzhou.example.cn/"
    entry = df.receipt(charity, charity_admin)
    html = client.get(reverse("donations:receipt", args=[entry.trace_code])).content.decode()
    url = f"https://tongzhou.example.cn/ledger/trace/?code={entry.trace_code}"
    assert url in html
    import segno

    expected = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr", lineclass=None
    )
    path = expected[expected.index("<path") : expected.index("</svg>")]
    assert path in html


def test_anyone_with_the_trace_code_sees_the_public_receipt_without_donor_details(
    client, charity, charity_admin, other_ngo_admin
):
    entry = df.receipt(
        charity, charity_admin, donor_name="张三", donor_phone="13900000001", donor_address="成都"
    )
    for viewer in (None, other_ngo_admin):
        if viewer:
            client.force_login(viewer)
        response = client.get(reverse("donations:receipt", args=[entry.trace_code.lower()]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "张*" in html and "张三" not in html and "13900000001" not in html
        assert 'data-testid="notices"' not in html
        assert_readable_html(response.content)


def test_a_member_of_the_charity_sees_the_donor_and_what_was_sent(client, charity, charity_admin):
    member = rf.org_user(charity, "member")
    entry = df.receipt(charity, charity_admin, donor_name="欧阳娜娜", donor_phone="13900000001")
    client.force_login(member)
    html = client.get(reverse("donations:receipt", args=[entry.trace_code])).content.decode()
    assert "欧阳娜娜" in html and 'data-testid="notices"' in html
    assert "追溯码尚未发送给捐赠人" in html and 'data-testid="send-form"' in html


def test_after_the_purge_the_charity_sees_the_masked_donor(client, charity, charity_admin):
    entry = df.receipt(charity, charity_admin, donor_name="张三")
    services.purge_private(entry=entry)
    client.force_login(charity_admin)
    html = client.get(reverse("donations:receipt", args=[entry.trace_code])).content.decode()
    assert "张*" in html and "张三" not in html


def test_goods_receipts_show_quantities_and_value(client, charity, charity_admin):
    entry = df.receipt(charity, charity_admin, items=[df.item("矿泉水", "箱", "120", "30.00")])
    html = client.get(reverse("donations:receipt", args=[entry.trace_code])).content.decode()
    assert "矿泉水" in html and "120 箱" in html and "¥3,600" in html


@pytest.mark.parametrize("code", ["NOPE-NOPE-NOPE", "x" * 40, "%E2%80%AE"])
def test_an_unknown_trace_code_is_a_404(client, charity, charity_admin, code):
    df.receipt(charity, charity_admin)
    assert client.get(f"/ledger/receipts/{code}/").status_code == 404


def test_only_receipts_have_a_receipt_page(client, charity, charity_admin):
    entry = df.receipt(charity, charity_admin)
    services.disburse(organization=charity, by=charity_admin, amount=Decimal(5), purpose="饮水")
    assert client.get(f"/ledger/receipts/{entry.trace_code}/").status_code == 200
    assert client.post(f"/ledger/receipts/{entry.trace_code}/").status_code == 405


def test_the_receipt_page_costs_the_same_queries_for_one_line_or_many(
    client, charity, charity_admin, django_assert_max_num_queries
):
    few = df.receipt(charity, charity_admin, items=[df.item()])
    many = df.receipt(charity, charity_admin, items=[df.item(f"物资{i}") for i in range(40)])
    for _ in range(30):
        df.receipt(charity, charity_admin)
    for _ in range(3):
        notify.send_trace_code(entry=many, by=charity_admin, consent=True, email="a@example.cn")
    client.force_login(charity_admin)
    for entry in (few, many):
        with django_assert_max_num_queries(11):
            assert client.get(f"/ledger/receipts/{entry.trace_code}/").status_code == 200


def test_the_entry_page_links_a_receipt_to_its_printable_receipt(client, charity, charity_admin):
    entry = df.receipt(charity, charity_admin)
    out = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(5), purpose="饮水"
    )
    html = client.get(reverse("donations:entry", args=[entry.pk])).content.decode()
    assert f'href="/ledger/receipts/{entry.trace_code}/"' in html
    html = client.get(reverse("donations:entry", args=[out.pk])).content.decode()
    assert "/ledger/receipts/" not in html


def test_the_head_page_explains_and_shows_the_head(client, charity, charity_admin):
    df.receipt(charity, charity_admin)
    last = df.receipt(charity, charity_admin)
    response = client.get("/ledger/head/")
    html = response.content.decode()
    head = ChainHead.objects.get()
    assert head.seq == last.seq == 2
    assert f'data-testid="head-hash">{head.head_hash}<' in html
    assert "链头" in html and "2 条记录" in html
    assert "data-verify" in html and 'data-export="/api/v1/ledger/export.jsonl"' in html
    assert_readable_html(response.content)


def test_the_head_page_of_an_empty_ledger(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        html = client.get("/ledger/head/").content.decode()
    assert "暂无链头" in html


def test_the_head_page_costs_the_same_queries_however_long_the_chain(
    client, charity, charity_admin, django_assert_max_num_queries
):
    for _ in range(20):
        df.receipt(charity, charity_admin)
    assert client.get("/ledger/head/").status_code == 200  # signs the tree head (once)
    # chain head, newest entry, signed head, its countersignatures, witnesses
    with django_assert_max_num_queries(5):
        assert client.get("/ledger/head/").status_code == 200


def test_the_ledger_links_the_head_page_and_offers_to_verify(client, db):
    html = client.get("/ledger/").content.decode()
    assert 'href="/ledger/head/"' in html and 'href="/api/v1/ledger/head/"' not in html
    assert "核验账本" in html and "donations/verify.js" in html


def test_the_trace_page_verifies_the_donors_own_entries(client, charity, charity_admin, ngo):
    entry = df.receipt(charity, charity_admin, "100.00")
    sent = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(40)
    )
    html = client.get("/ledger/trace/", {"code": entry.trace_code}).content.decode()
    assert f'data-seqs="{entry.seq},{sent.seq}"' in html
    assert f'data-code="{entry.trace_code}"' in html
    html = client.get("/ledger/trace/").content.decode()
    assert "data-verify" in html and "data-seqs" not in html


def test_the_head_json_stays_for_tools(client, charity, charity_admin):
    entry = df.receipt(charity, charity_admin)
    body = client.get("/api/v1/ledger/head/").json()
    assert body["count"] == 1 and body["head_hash"] == entry.hash


def test_the_donor_pages_read_in_english_too(client, charity, charity_admin):
    entry = df.receipt(charity, charity_admin)
    client.cookies["django_language"] = "en"
    html = client.get(f"/ledger/receipts/{entry.trace_code}/?lang=en").content.decode()
    assert "Donation receipt" in html and "Trace code" in html and "Verify" not in html
    html = client.get("/ledger/head/?lang=en").content.decode()
    assert "Chain head of the donation ledger" in html and "Verify the ledger" in html
    assert "Verified: {n} entries, the chain head matches." in html
